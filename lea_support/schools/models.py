"""Schools, their support tier and level, the decisions that set them, and allocations."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.limits import LONG_TEXT, MEDIUM_TEXT, SHORT_TEXT, length_check
from ..core.models import UTCDateTime, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..auth.models import User

CONCERN_DESIGNATIONS = {"la": "Designated by the LA", "ofsted": "Designated by Ofsted"}

# Who a school answers to, from GIAS's establishment type group (`type_group`), or from its type
# (`type_name`) where the group does not settle it (a special school; a row without a group). An LA
# has statutory powers (warning notices, intervention) over the schools it maintains only.
GOVERNANCE = {"maintained": "Maintained by the local authority", "academy": "Academy",
              "free_school": "Free school", "other": "Not maintained by the local authority"}
MAINTAINED_GROUPS = frozenset({"local authority maintained schools", "la maintained schools"})
GROUPS = {"academies": "academy", "free schools": "free_school"}
MAINTAINED_TYPES = frozenset({
    "community school", "voluntary aided school", "voluntary controlled school", "foundation school",
    "local authority nursery school", "pupil referral unit", "community special school", "foundation special school"})
FREE_SCHOOL_TYPES = frozenset({"university technical college", "studio schools"})


def governance_of(type_group: str, type_name: str) -> str:
    """`maintained`, `academy`, `free_school` or `other` (GOVERNANCE), from the GIAS type group
    (spelt "Local authority maintained schools" in some releases, "LA maintained schools" in
    others) and, where the group is "Special schools" or missing, the type."""
    group, kind = (type_group or "").strip().casefold(), (type_name or "").strip().casefold()
    if group in MAINTAINED_GROUPS or kind in MAINTAINED_TYPES:
        return "maintained"
    if group in GROUPS:
        return GROUPS[group]
    if group and group != "special schools":
        return "other"
    if kind.startswith("academy") or kind == "city technology college":
        return "academy"
    if kind.startswith("free school") or kind in FREE_SCHOOL_TYPES:
        return "free_school"
    return "other"


class SupportTier(db.Model):
    """A support tier and the support it entitles a school to each year (reference data)."""

    __tablename__ = "support_tiers"
    __table_args__ = (
        CheckConstraint("default_link_visits >= 0", name="visits_not_negative"),
        CheckConstraint("default_consultant_days >= 0", name="days_not_negative"),
        length_check("name", SHORT_TEXT),
        length_check("description", MEDIUM_TEXT),
    )

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(SHORT_TEXT))
    description: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(Integer)
    default_link_visits: Mapped[int] = mapped_column(Integer)
    default_consultant_days: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    # Optimistic lock for people editing it through a form (core/locking.py).
    edit_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    levels: Mapped[list["TierLevel"]] = relationship(back_populates="tier", order_by="TierLevel.level")

    def __repr__(self) -> str:
        return f"<SupportTier {self.code}>"


class TierLevel(db.Model):
    """Which levels of the 5-level scale belong to which tier (the cross-reference).
    Schools point at a row here, so the database itself refuses a bad combination."""

    __tablename__ = "tier_levels"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 5", name="level_on_scale"),)

    tier_code: Mapped[str] = mapped_column(
        ForeignKey("support_tiers.code", ondelete="RESTRICT"), primary_key=True
    )
    level: Mapped[int] = mapped_column(Integer, primary_key=True)
    description: Mapped[str] = mapped_column(Text, default="")

    tier: Mapped[SupportTier] = relationship(back_populates="levels")

    def __repr__(self) -> str:
        return f"<TierLevel {self.tier_code} {self.level}>"


class School(db.Model):
    __tablename__ = "schools"
    __table_args__ = (
        ForeignKeyConstraint(
            ["support_tier", "mcs_level"],
            ["tier_levels.tier_code", "tier_levels.level"],
            name="fk_schools_tier_level",
            ondelete="RESTRICT",
        ),
        CheckConstraint("urn > 0", name="urn_positive"),
        CheckConstraint(
            "cause_for_concern IS NULL OR cause_for_concern IN ('la', 'ofsted')",
            name="concern_designation_known",
        ),
        Index("ix_schools_tier_level", "support_tier", "mcs_level"),
        Index("ix_schools_tier_since", "support_tier", "support_tier_since"),
        # Schools of one tier in name order (the plans dashboard, the school list filtered by tier).
        Index("ix_schools_tier_name", "support_tier", "name"),
        # One phase's schools by name or by size, and their count, from the index alone.
        Index("ix_schools_phase_name", "phase", "name", "status"),
        Index("ix_schools_phase_pupils", "phase", "number_of_pupils", "name", "status"),
        Index("ix_schools_name", "name"),
        # The search: every name matched against the pattern, from the index alone.
        Index("ix_schools_name_folded", "name_folded", "status"),
        # Every list counts open schools (status != 'Closed').
        Index("ix_schools_status", "status"),
        # A page of advisers' open schools is counted from the index alone (the overview).
        Index("ix_schools_link_adviser_status", "link_adviser_id", "status"),
        # Open schools per tier, counted from the index alone (the overview).
        Index("ix_schools_tier_status", "support_tier", "status"),
        # Schools not visited since a date (the overview): a range of this kept column.
        Index("ix_schools_last_visit", "last_visit_on", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    urn: Mapped[int] = mapped_column(Integer, unique=True)
    la_code: Mapped[str] = mapped_column(String(10), index=True)
    la_name: Mapped[str] = mapped_column(String(120), default="")
    establishment_number: Mapped[str] = mapped_column(String(10), default="")
    name: Mapped[str] = mapped_column(String(200))
    # The name in lower case, kept by the database itself, for the school list's search on
    # PostgreSQL: a plain LIKE over a narrow index is a quarter of the cost of ILIKE over the names.
    # (Migration 0012 makes it STORED on PostgreSQL, which has no virtual columns before 18, and
    # VIRTUAL on SQLite, which cannot add a stored one to an existing table.)
    name_folded: Mapped[str] = mapped_column(String(200), Computed("lower(name)"))
    type_name: Mapped[str] = mapped_column(String(120), default="", index=True)
    type_group: Mapped[str] = mapped_column(String(120), default="")
    phase: Mapped[str] = mapped_column(String(60), default="")
    status: Mapped[str] = mapped_column(String(60), default="")
    statutory_low_age: Mapped[int | None] = mapped_column(Integer)
    statutory_high_age: Mapped[int | None] = mapped_column(Integer)
    number_of_pupils: Mapped[int | None] = mapped_column(Integer)
    head_name: Mapped[str] = mapped_column(String(200), default="")
    street: Mapped[str] = mapped_column(String(200), default="")
    locality: Mapped[str] = mapped_column(String(200), default="")
    address3: Mapped[str] = mapped_column(String(200), default="")
    town: Mapped[str] = mapped_column(String(120), default="")
    county: Mapped[str] = mapped_column(String(120), default="")
    postcode: Mapped[str] = mapped_column(String(12), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    telephone: Mapped[str] = mapped_column(String(40), default="")
    trust_name: Mapped[str] = mapped_column(String(200), default="")
    ofsted_rating: Mapped[str] = mapped_column(String(60), default="")
    ofsted_last_inspection: Mapped[date | None] = mapped_column(Date)
    open_date: Mapped[date | None] = mapped_column(Date)
    close_date: Mapped[date | None] = mapped_column(Date)
    # Digest of the imported GIAS fields, so a re-import can tell "unchanged" cheaply.
    gias_digest: Mapped[str] = mapped_column(String(64), default="")

    support_tier: Mapped[str] = mapped_column(String(20), default="light_touch")
    mcs_level: Mapped[int] = mapped_column(Integer, default=1)
    # When the school entered its current tier (kept with the tier, so "a year or more in
    # significant support" is a column test, not a search of the history).
    support_tier_since: Mapped[date | None] = mapped_column(Date)
    cause_for_concern: Mapped[str | None] = mapped_column(String(10), index=True)
    is_vulnerable: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    has_significant_underachievement: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default="0"
    )
    link_adviser_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Kept summary (casework/summaries.py), updated in the same flush as the notes: the date of
    # the school's latest visit done (a note of visit that is not just planned).
    last_visit_on: Mapped[date | None] = mapped_column(Date)
    # Optimistic lock (core/locking.py) for support decisions: of two people deciding the school's
    # tier and level from the same page, the second is told rather than silently overruling.
    support_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    tier: Mapped[SupportTier] = relationship(
        foreign_keys=[support_tier], primaryjoin="School.support_tier == SupportTier.code",
        lazy="joined", viewonly=True,
    )
    link_adviser: Mapped["User | None"] = relationship(foreign_keys=[link_adviser_id], lazy="joined")

    @property
    def laestab(self) -> str:
        return f"{self.la_code}{self.establishment_number}"

    @property
    def concern_flags(self) -> list[str]:
        flags = []
        if self.cause_for_concern:
            flags.append(f"Cause for concern ({self.cause_for_concern.upper() if self.cause_for_concern == 'la' else 'Ofsted'})")
        if self.is_vulnerable:
            flags.append("Vulnerable")
        if self.has_significant_underachievement:
            flags.append("Significant underachievement")
        return flags

    @property
    def governance(self) -> str:
        """Who the school answers to (GOVERNANCE), read from its GIAS type group and type."""
        return governance_of(self.type_group, self.type_name)

    @property
    def governance_name(self) -> str:
        return GOVERNANCE[self.governance]

    @property
    def is_maintained(self) -> bool:
        """A school the LA maintains: the only kind it may give a statutory warning notice or an
        Improvement Notice."""
        return self.governance == "maintained"

    @property
    def is_academy(self) -> bool:
        """An academy or free school: it answers to its trust and the DfE's regional director."""
        return self.governance in {"academy", "free_school"}

    @property
    def age_range(self) -> str:
        if self.statutory_low_age is None or self.statutory_high_age is None:
            return ""
        return f"{self.statutory_low_age} to {self.statutory_high_age}"

    @property
    def address(self) -> list[str]:
        return [p for p in (self.street, self.locality, self.address3, self.town, self.county, self.postcode) if p]

    def __repr__(self) -> str:
        return f"<School {self.urn} {self.name!r}>"


class SupportDecision(db.Model):
    """A decision that set a school's tier, level or concern flags: who, when, why, evidence."""

    __tablename__ = "support_decisions"
    __table_args__ = (
        Index("ix_support_decisions_school_decided", "school_id", "decided_at"),
        # The overview's tier moves of the year: a range of this index, read from it alone.
        Index("ix_support_decisions_decided_tiers", "decided_at", "previous_tier", "support_tier"),
        length_check("reason", LONG_TEXT),
        length_check("evidence", LONG_TEXT),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    previous_tier: Mapped[str | None] = mapped_column(String(20))
    previous_level: Mapped[int | None] = mapped_column(Integer)
    support_tier: Mapped[str] = mapped_column(ForeignKey("support_tiers.code", ondelete="RESTRICT"))
    mcs_level: Mapped[int] = mapped_column(Integer)
    cause_for_concern: Mapped[str | None] = mapped_column(String(10))
    is_vulnerable: Mapped[bool] = mapped_column(Boolean, default=False)
    has_significant_underachievement: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text, default="")

    decided_by: Mapped["User | None"] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<SupportDecision school={self.school_id} {self.support_tier}/{self.mcs_level}>"


class SupportAllocation(db.Model):
    """A school's Annual Support Allocation for one academic year."""

    __tablename__ = "support_allocations"
    __table_args__ = (
        UniqueConstraint("school_id", "academic_year", name="uq_support_allocations_school_year"),
        CheckConstraint("link_visits >= 0", name="visits_not_negative"),
        CheckConstraint("consultant_days >= 0", name="days_not_negative"),
        length_check("adjustment_reason", LONG_TEXT),
        Index("ix_support_allocations_year", "academic_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    academic_year: Mapped[str] = mapped_column(String(7))
    support_tier: Mapped[str] = mapped_column(ForeignKey("support_tiers.code", ondelete="RESTRICT"))
    link_visits: Mapped[int] = mapped_column(Integer)
    consultant_days: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    adjustment_reason: Mapped[str] = mapped_column(Text, default="")
    adjusted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    school: Mapped[School] = relationship()

    @property
    def is_adjusted(self) -> bool:
        return bool(self.adjustment_reason)

    def __repr__(self) -> str:
        return f"<SupportAllocation school={self.school_id} {self.academic_year}>"


# Who may read an entry on a school's timeline, widest last. LA staff read every entry; a school's
# leaders read "school" and "governors" entries; its governors read "governors" entries only.
TIMELINE_AUDIENCES = {
    "la": "LA staff only",
    "school": "LA staff and the school's leaders",
    "governors": "LA staff, the school's leaders and its governors",
}


class SchoolEvent(db.Model):
    """One entry on a school's timeline. Every area adds its own kinds, each with its audience.
    `summary` is the LA's line; `public_summary`, when set, is the neutral line the school and its
    governors read instead (the LA's line carries a reason or judgement that is for LA eyes only)."""

    __tablename__ = "school_events"
    __table_args__ = (
        Index("ix_school_events_school_occurred", "school_id", "occurred_at"),
        CheckConstraint("audience IN ('la', 'school', 'governors')", name="audience_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Unset means LA staff only: an entry nobody decided about stays inside the LA.
    audience: Mapped[str] = mapped_column(String(10), default="la", server_default="la")
    public_summary: Mapped[str | None] = mapped_column(Text)

    actor: Mapped["User | None"] = relationship(lazy="joined")

    def summary_for(self, *, la_staff: bool) -> str:
        """The line this entry shows: the LA's own to LA staff, the neutral one to anyone else."""
        return self.summary if la_staff or self.public_summary is None else self.public_summary

    def __repr__(self) -> str:
        return f"<SchoolEvent school={self.school_id} {self.kind} {self.audience}>"


class GiasImport(db.Model):
    """A record of one GIAS import and its counts."""

    __tablename__ = "gias_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<GiasImport {self.id} {self.filename}>"


class LinkAdviserAssignment(db.Model):
    """Who was a school's link adviser, from when to when (the current one has no end)."""

    __tablename__ = "link_adviser_assignments"
    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
        Index("ix_link_adviser_assignments_school", "school_id", "starts_on"),
        Index("ix_link_adviser_assignments_adviser", "adviser_id", "ends_on"),
        length_check("reason", MEDIUM_TEXT),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    adviser_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    reason: Mapped[str] = mapped_column(Text, default="")

    adviser: Mapped["User"] = relationship(foreign_keys=[adviser_id], lazy="joined")

    def __repr__(self) -> str:
        return f"<LinkAdviserAssignment school={self.school_id} adviser={self.adviser_id} {self.starts_on}>"
