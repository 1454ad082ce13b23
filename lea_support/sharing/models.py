"""Good practice entries and school-to-school partnerships."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..casework.models import SUPPORT_ASPECTS
from ..core.limits import LONG_TEXT, MEDIUM_TEXT, SHORT_TEXT, length_check, sql_values
from ..core.models import UTCDateTime, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..auth.models import User
    from ..schools.models import School

# What good practice is about: the directory is searched by these (with the school's phase and
# the aspect of LA support).
THEMES = {
    "reading": "Reading and phonics",
    "writing": "Writing",
    "mathematics": "Mathematics",
    "science": "Science",
    "early_years": "Early years",
    "send": "Special educational needs and inclusion",
    "assessment": "Assessment and tracking",
    "teaching": "Teaching and learning",
    "curriculum": "Curriculum",
    "leadership": "Leadership and management",
    "support_staff": "Deployment of support staff",
    "ict": "ICT",
    "attendance": "Attendance and behaviour",
    "other": "Other",
}
ENTRY_STATUSES = {"nominated": "Awaiting the school's agreement", "agreed": "Agreed by the school",
                  "declined": "Declined by the school"}



class GoodPractice(db.Model):
    """A piece of a school's good practice for the directory: nominated by an adviser from a
    strength in a note of visit or a "what works well" finding of a review, shown to other
    schools only once a leader of the school has agreed (and given a contact)."""

    __tablename__ = "good_practice"
    __table_args__ = (
        CheckConstraint(f"theme IN ({sql_values(THEMES)})", name="theme_known"),
        CheckConstraint(f"aspect IN ({sql_values(SUPPORT_ASPECTS)})", name="aspect_known"),
        CheckConstraint(f"status IN ({sql_values(ENTRY_STATUSES)})", name="status_known"),
        CheckConstraint("(note_id IS NULL) <> (finding_id IS NULL)", name="one_source"),
        CheckConstraint("status <> 'agreed' OR (contact_name <> '' AND decided_at IS NOT NULL)",
                        name="agreed_with_contact"),
        length_check("title", SHORT_TEXT),
        length_check("summary", LONG_TEXT),
        length_check("contact_name", SHORT_TEXT),
        length_check("contact_email", SHORT_TEXT),
        length_check("decline_reason", MEDIUM_TEXT),
        # The directory: agreed entries by theme and aspect.
        Index("ix_good_practice_status_theme", "status", "theme", "aspect"),
        Index("ix_good_practice_school", "school_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(SHORT_TEXT))
    summary: Mapped[str] = mapped_column(Text)
    theme: Mapped[str] = mapped_column(String(20))
    aspect: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="nominated")
    note_id: Mapped[int | None] = mapped_column(ForeignKey("notes_of_visit.id", ondelete="RESTRICT"), index=True)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("review_findings.id", ondelete="RESTRICT"), index=True)
    nominated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    nominated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    contact_name: Mapped[str] = mapped_column(String(SHORT_TEXT), default="")
    contact_email: Mapped[str] = mapped_column(String(SHORT_TEXT), default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str] = mapped_column(Text, default="")

    school: Mapped["School"] = relationship(lazy="joined")
    nominated_by: Mapped["User"] = relationship(foreign_keys=[nominated_by_id])

    @property
    def theme_name(self) -> str:
        return THEMES.get(self.theme, self.theme)

    @property
    def aspect_name(self) -> str:
        return SUPPORT_ASPECTS.get(self.aspect, self.aspect)

    @property
    def status_name(self) -> str:
        return ENTRY_STATUSES.get(self.status, self.status)

    @property
    def source_name(self) -> str:
        return "A strength in a note of visit" if self.note_id else "What works well, from a Joint LEA/School Review"

    def __repr__(self) -> str:
        return f"<GoodPractice {self.id} school={self.school_id} {self.status}>"


class Partnership(db.Model):
    """School-to-school support: a lead school supports a partner school for a purpose, from one
    date to another, with the outcomes it had."""

    __tablename__ = "school_partnerships"
    __table_args__ = (
        CheckConstraint("lead_school_id <> partner_school_id", name="two_schools"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
        CheckConstraint(f"aspect IN ({sql_values(SUPPORT_ASPECTS)})", name="aspect_known"),
        length_check("purpose", MEDIUM_TEXT),
        length_check("outcomes", LONG_TEXT),
        Index("ix_school_partnerships_lead", "lead_school_id", "starts_on"),
        Index("ix_school_partnerships_partner", "partner_school_id", "starts_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="RESTRICT"))
    partner_school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="RESTRICT"))
    purpose: Mapped[str] = mapped_column(Text)
    aspect: Mapped[str] = mapped_column(String(20), default="sharing4success")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    outcomes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lead_school: Mapped["School"] = relationship(foreign_keys=[lead_school_id], lazy="joined")
    partner_school: Mapped["School"] = relationship(foreign_keys=[partner_school_id], lazy="joined")

    @property
    def aspect_name(self) -> str:
        return SUPPORT_ASPECTS.get(self.aspect, self.aspect)

    def __repr__(self) -> str:
        return f"<Partnership {self.id} {self.lead_school_id}->{self.partner_school_id}>"
