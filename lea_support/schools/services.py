"""Business rules for the school register: support decisions and tiers, link advisers, allocations, the timeline."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Iterator

from sqlalchemy import Select, and_, func, literal, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from ..auth.models import Role
from ..auth.permissions import can_read_la_internal_text, timeline_audiences
from ..core.audit import record_audit, snapshot
from ..core.csv_export import CHUNK_ROWS
from ..core.db import MAX_ID
from ..core.errors import DomainError
from ..core.locking import AlreadyChanged, claim_edit, lock_for_update
from ..core.models import UTCDateTime, utcnow
from ..core.queries import distinct_values
from ..core.terms import academic_year_for, format_date, format_days, parse_academic_year
from ..extensions import db
from .models import (
    CONCERN_DESIGNATIONS,
    TIMELINE_AUDIENCES,
    LinkAdviserAssignment,
    School,
    SchoolEvent,
    SupportAllocation,
    SupportDecision,
    SupportTier,
)

if TYPE_CHECKING:
    from ..auth.models import User

ADVISER_ROLES = frozenset({Role.LINK_ADVISER, Role.SIA})
SUPPORT_FIELDS = ("support_tier", "mcs_level", "cause_for_concern", "is_vulnerable", "has_significant_underachievement")


def record_school_event(school: School, kind: str, summary: str, actor: "User | None" = None,
                        *, audience: str, public_summary: str | None = None,
                        occurred_on: date | None = None) -> SchoolEvent:
    """Add an entry to a school's timeline. Every area calls this for what it does, saying who may
    read it (`TIMELINE_AUDIENCES`) and, when `summary` carries the LA's own reasoning, the neutral
    `public_summary` that the school and its governors read instead. `occurred_on` is the day it
    happened when that is not today (a visit written up days after it took place)."""
    if audience not in TIMELINE_AUDIENCES:
        raise ValueError(f"unknown timeline audience {audience!r}")
    event = SchoolEvent(school_id=school.id, kind=kind, summary=summary, audience=audience,
                        public_summary=public_summary if audience != "la" else None,
                        actor_id=actor.id if actor else None)
    if occurred_on is not None and occurred_on != date.today():
        # Noon of that day: it sorts and shows as that day in any UK time zone.
        event.occurred_at = datetime.combine(occurred_on, time(12), UTC)
    db.session.add(event)
    return event


def support_tiers() -> list[SupportTier]:
    return list(db.session.scalars(
        select(SupportTier).options(selectinload(SupportTier.levels)).order_by(SupportTier.sort_order)))


TIER_FIELDS = ("name", "description", "default_link_visits", "default_consultant_days")


def update_support_tier(actor: "User", tier: SupportTier, *, name: str, description: str,
                        default_link_visits: Any, default_consultant_days: Any,
                        expected_version: int | None = None) -> SupportTier:
    """Change a tier's name or its default annual allocation (allocations already issued stay).
    Refuses with EditConflict if someone else saved the tier after this copy was opened."""
    name = (name or "").strip()
    if not name:
        raise DomainError("Enter the tier's name", field="name")
    visits, days = _allocation_numbers(default_link_visits, default_consultant_days, prefix="default_")
    claim_edit(tier, expected_version, "support tier")
    before = snapshot(tier, TIER_FIELDS)
    tier.name, tier.description = name, (description or "").strip()
    tier.default_link_visits, tier.default_consultant_days = visits, days
    after = snapshot(tier, TIER_FIELDS)
    if before != after:
        record_audit(actor, "support_tier.update", "support_tier", tier.code, before=before, after=after)
    return tier


def change_support(
    actor: "User",
    school: School,
    *,
    support_tier: str,
    mcs_level: int,
    cause_for_concern: str | None,
    is_vulnerable: bool,
    has_significant_underachievement: bool,
    reason: str,
    evidence: str = "",
    expected_version: int | None = None,
) -> SupportDecision:
    """Decide a school's tier, level and concern flags, keeping the decision as history. Refuses
    with EditConflict if someone else decided the school's support after this copy was opened."""
    reason, evidence = (reason or "").strip(), (evidence or "").strip()
    tier = db.session.get(SupportTier, support_tier)
    if tier is None:
        raise DomainError("Choose a support tier from the list", field="support_tier")
    allowed = [lvl.level for lvl in tier.levels]
    if mcs_level not in allowed:
        levels = " or ".join(str(lv) for lv in allowed) if allowed else "none"
        raise DomainError(
            f"{tier.name} goes with level {levels} on the 5-level scale, not level {mcs_level}. "
            "Choose a level that matches the tier.",
            field="mcs_level",
        )
    if cause_for_concern is not None and cause_for_concern not in CONCERN_DESIGNATIONS:
        raise DomainError("Choose who designated the school a cause for concern", field="cause_for_concern")
    if not reason:
        raise DomainError("Enter the reason for this decision", field="reason")
    lock_for_update(school)  # changes to one school queue rather than race
    claim_edit(school, expected_version, "school's support", column="support_version")
    db.session.refresh(school)
    before = snapshot(school, SUPPORT_FIELDS)
    if school.support_tier != support_tier:
        school.support_tier_since = date.today()
    school.support_tier, school.mcs_level = support_tier, mcs_level
    school.cause_for_concern = cause_for_concern
    school.is_vulnerable = is_vulnerable
    school.has_significant_underachievement = has_significant_underachievement
    after = snapshot(school, SUPPORT_FIELDS)
    if before == after:
        raise DomainError("This is the school's current tier, level and flags: change something or cancel",
                          field="support_tier")
    decision = SupportDecision(
        school_id=school.id, decided_by_id=actor.id,
        previous_tier=before["support_tier"], previous_level=before["mcs_level"],
        support_tier=support_tier, mcs_level=mcs_level, cause_for_concern=cause_for_concern,
        is_vulnerable=is_vulnerable, has_significant_underachievement=has_significant_underachievement,
        reason=reason, evidence=evidence,
    )
    db.session.add(decision)
    db.session.flush()
    record_audit(actor, "school.support_decision", "school", school.id, school_id=school.id,
                 before=before, after={**after, "reason": reason, "evidence": evidence})
    if (before["support_tier"], before["mcs_level"]) != (support_tier, mcs_level):
        public = f"Support changed to {tier.name}, level {mcs_level}"
    else:
        public = "Concern flags changed"
    # The reason is the LA's reasoning about the school (and often its people): LA staff only.
    record_school_event(school, "support_decision", f"{public}: {reason}", actor, audience="school",
                        public_summary=public)
    return decision


def support_history(school: School) -> list[SupportDecision]:
    return list(db.session.scalars(
        select(SupportDecision).where(SupportDecision.school_id == school.id)
        .order_by(SupportDecision.decided_at.desc(), SupportDecision.id.desc())
    ))


def assign_link_adviser(actor: "User | None", school: School, adviser: "User | None", *, reason: str = "",
                        on: date | None = None) -> School:
    """Make `adviser` the school's link adviser from `on` (default today), ending the current
    assignment; None leaves the school without one. History is kept in link_adviser_assignments."""
    if adviser is not None and (adviser.role not in ADVISER_ROLES or adviser.is_disabled):
        raise DomainError("A link adviser must be one of the authority's active advisers", field="link_adviser")
    on = on or date.today()
    if school.link_adviser_id == (adviser.id if adviser else None):
        raise DomainError("That is already the school's link adviser", field="link_adviser")
    lock_for_update(school)  # changes to one school queue rather than race
    current = db.session.scalar(select(LinkAdviserAssignment).where(
        LinkAdviserAssignment.school_id == school.id, LinkAdviserAssignment.ends_on.is_(None)))
    if current is not None:
        current.ends_on = max(on, current.starts_on)
    if adviser is not None:
        db.session.add(LinkAdviserAssignment(school_id=school.id, adviser_id=adviser.id, starts_on=on,
                                             assigned_by_id=actor.id if actor else None, reason=reason.strip()))
    before = {"link_adviser_id": school.link_adviser_id}
    school.link_adviser_id = adviser.id if adviser else None
    record_audit(actor, "school.link_adviser", "school", school.id, school_id=school.id,
                 before=before, after={"link_adviser_id": school.link_adviser_id, "reason": reason.strip()})
    record_school_event(school, "link_adviser",
                        f"Link adviser set to {adviser.name}" if adviser else "Link adviser removed", actor,
                        audience="school")
    db.session.flush()
    return school


def schools_to_reassign(leaving: "User | None", successor: "User | None", *, reason: str) -> list[School]:
    """The schools that reassigning `leaving`'s schools to `successor` would move (the preview a
    person confirms), refusing what the reassignment itself would refuse."""
    if leaving is None:
        raise DomainError("Choose the adviser who is leaving", field="adviser")
    if successor is None:
        raise DomainError("Choose the adviser taking over their schools", field="successor")
    if leaving.id == successor.id:
        raise DomainError("Choose a different adviser to take over the schools", field="successor")
    if not (reason or "").strip():
        raise DomainError("Enter the reason for the reassignment", field="reason")
    schools = list(db.session.scalars(select(School).where(School.link_adviser_id == leaving.id)
                                      .order_by(School.name, School.id)))
    if not schools:
        raise DomainError(f"{leaving.name} is not the link adviser of any school", field="adviser")
    return schools


def reassign_link_adviser_schools(actor: "User", leaving: "User | None", successor: "User | None", *,
                                  reason: str) -> int:
    """Move every school of an adviser who is leaving to a successor; returns how many moved."""
    schools = sorted(schools_to_reassign(leaving, successor, reason=reason), key=lambda school: school.id)
    assert successor is not None  # schools_to_reassign refused a missing one
    for school in schools:
        assign_link_adviser(actor, school, successor, reason=reason)
    return len(schools)


def link_adviser_history(school: School) -> list[LinkAdviserAssignment]:
    return list(db.session.scalars(
        select(LinkAdviserAssignment).where(LinkAdviserAssignment.school_id == school.id)
        .order_by(LinkAdviserAssignment.starts_on.desc(), LinkAdviserAssignment.id.desc())))


# --- Annual Support Allocation -------------------------------------------------------------

def issue_annual_allocations(actor: "User | None", academic_year: str) -> int:
    """Give every open school without one an allocation for the year, from its tier's defaults.
    Returns how many were created; running it again creates none.

    One INSERT ... SELECT that skips a school already holding one (the unique school and year):
    of two runs at once (a double click, the command line beside the page), the second waits for
    the first on PostgreSQL and then finds nothing left to issue, instead of failing on the
    constraint; SQLite runs writers one at a time anyway."""
    have = select(SupportAllocation.school_id).where(SupportAllocation.academic_year == academic_year)
    missing = (
        select(School.id, literal(academic_year), School.support_tier, SupportTier.default_link_visits,
               SupportTier.default_consultant_days, literal(""), literal(utcnow(), UTCDateTime()))
        .join(SupportTier, SupportTier.code == School.support_tier)
        .where(School.status != "Closed", School.id.not_in(have))
        .order_by(School.id)  # runs at once insert in one order: they queue, never deadlock
    )
    table = SupportAllocation.__table__
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table).from_select(
        ["school_id", "academic_year", "support_tier", "link_visits", "consultant_days", "adjustment_reason",
         "updated_at"], missing).on_conflict_do_nothing(index_elements=["school_id", "academic_year"])
    issued = list(db.session.scalars(statement.returning(table.c.school_id)))
    created = len(issued)
    if created:
        from ..casework.summaries import (
            refresh_school_tallies,  # the ORM's flush hook does not see this INSERT
        )

        refresh_school_tallies(db.session.connection(), issued)
        record_audit(actor, "allocation.issue", "academic_year", academic_year, after={"schools": created})
    db.session.flush()
    return created


def allocation_for(school: School, academic_year: str) -> SupportAllocation | None:
    return db.session.scalar(select(SupportAllocation).where(
        SupportAllocation.school_id == school.id, SupportAllocation.academic_year == academic_year))


def default_allocation(school: School, academic_year: str) -> SupportAllocation:
    """The allocation the school's tier gives by default (not saved)."""
    tier = db.session.get(SupportTier, school.support_tier)
    assert tier is not None
    return SupportAllocation(school_id=school.id, academic_year=academic_year, support_tier=tier.code,
                             link_visits=tier.default_link_visits, consultant_days=tier.default_consultant_days)


def _allocation_numbers(link_visits: Any, consultant_days: Any, prefix: str = "") -> tuple[int, Decimal]:
    """Visits and days as typed, checked: a whole number of visits, days to one decimal place."""
    try:
        visits = int(str(link_visits).strip())
    except (TypeError, ValueError):
        raise DomainError("Enter the number of link adviser visits as a whole number, like 3",
                          field=f"{prefix}link_visits") from None
    try:
        days = Decimal(str(consultant_days).strip()).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise DomainError("Enter consultant days as a number, like 2.5", field=f"{prefix}consultant_days") from None
    if not 0 <= visits <= 100:
        raise DomainError("Link adviser visits must be between 0 and 100", field=f"{prefix}link_visits")
    if not Decimal(0) <= days <= Decimal(365):
        raise DomainError("Consultant days must be between 0 and 365", field=f"{prefix}consultant_days")
    return visits, days


def adjust_allocation(actor: "User", school: School, academic_year: str, *, link_visits: Any,
                      consultant_days: Any, reason: str) -> SupportAllocation:
    """Change one school's allocation for a year, with a reason."""
    reason = (reason or "").strip()
    visits, days = _allocation_numbers(link_visits, consultant_days)
    if not reason:
        raise DomainError("Enter the reason for adjusting the allocation", field="reason")
    lock_for_update(school)  # changes to one school queue rather than race
    allocation = allocation_for(school, academic_year)
    if allocation is None:
        allocation = default_allocation(school, academic_year)
        db.session.add(allocation)
    before = snapshot(allocation, ("link_visits", "consultant_days"))
    allocation.link_visits, allocation.consultant_days = visits, days
    allocation.adjustment_reason, allocation.adjusted_by_id = reason, actor.id
    db.session.flush()
    record_audit(actor, "allocation.adjust", "support_allocation", allocation.id, school_id=school.id,
                 before=before, after={"link_visits": visits, "consultant_days": days, "reason": reason})
    public = f"Support allocation for {academic_year} adjusted to {visits} visits and {days} consultant days"
    record_school_event(school, "allocation", f"{public}: {reason}", actor, audience="school",
                        public_summary=public)
    return allocation


@dataclass(frozen=True)
class TierAllocationProposal:
    """What a school's allocation for the year becomes when its tier changes part-way through: the
    old allocation for the part of the year gone, the new tier's defaults for the rest (pro rata by
    days of the academic year, visits to the nearest whole one, days to the nearest tenth)."""

    academic_year: str
    tier_code: str
    tier_name: str
    from_date: date
    share_left: Decimal  # the part of the year still to run, 0 to 1
    previous_visits: int
    previous_days: Decimal
    link_visits: int
    consultant_days: Decimal

    @property
    def days_text(self) -> str:
        return format_days(self.consultant_days)

    @property
    def previous_days_text(self) -> str:
        return format_days(self.previous_days)

    @property
    def reason(self) -> str:
        return (f"Pro rata for the move to {self.tier_name} on {format_date(self.from_date)}: "
                f"{round(self.share_left * 100)}% of the year at the new tier's allocation")


def tier_allocation_proposal(school: School, on: date | None = None) -> TierAllocationProposal | None:
    """The allocation the school's (new) tier proposes for the rest of this academic year, or None
    when there is nothing to follow: no allocation issued for the year, or it is already the tier's."""
    on = on or date.today()
    allocation = allocation_for(school, academic_year_for(on))
    tier = db.session.get(SupportTier, school.support_tier)
    if allocation is None or tier is None or allocation.support_tier == school.support_tier:
        return None
    return _proposal(allocation, tier, on)


def tier_allocation_proposals(school: School, tiers: list[SupportTier],
                              on: date | None = None) -> dict[str, TierAllocationProposal]:
    """What each of `tiers` would propose for the rest of this academic year were the school moved
    to it (the decision form shows it under each choice): none when no allocation is issued, none
    for the tier it was issued for."""
    on = on or date.today()
    allocation = allocation_for(school, academic_year_for(on))
    if allocation is None:
        return {}
    return {t.code: _proposal(allocation, t, on) for t in tiers if t.code != allocation.support_tier}


def _proposal(allocation: SupportAllocation, tier: SupportTier, on: date) -> TierAllocationProposal:
    """The year's allocation so far at its own tier's figures, and the rest of it at `tier`'s."""
    year = allocation.academic_year
    start = date(parse_academic_year(year), 9, 1)
    end = date(start.year + 1, 9, 1)
    share = (Decimal((end - on).days) / Decimal((end - start).days)).quantize(Decimal("0.0001"))
    gone = 1 - share
    visits = (allocation.link_visits * gone + tier.default_link_visits * share).quantize(Decimal("1"), ROUND_HALF_UP)
    days = (allocation.consultant_days * gone + tier.default_consultant_days * share).quantize(Decimal("0.1"),
                                                                                                ROUND_HALF_UP)
    return TierAllocationProposal(year, tier.code, tier.name, on, share, allocation.link_visits,
                                  allocation.consultant_days, int(visits), days)


def follow_tier_allocation(actor: "User", school: School, *, link_visits: Any, consultant_days: Any,
                           reason: str, on: date | None = None) -> SupportAllocation:
    """Re-issue this year's allocation for the school's new tier: the proposal as it stands, or
    other figures with a reason. The allocation then carries the new tier."""
    proposal = tier_allocation_proposal(school, on)
    if proposal is None:
        raise AlreadyChanged("The school's allocation for this year already follows its tier: reload the page")
    visits, days = _allocation_numbers(link_visits, consultant_days)
    reason = (reason or "").strip()
    accepted = (visits, days) == (proposal.link_visits, proposal.consultant_days)
    if not accepted and not reason:
        raise DomainError("Enter the reason for changing the proposed allocation", field="reason")
    lock_for_update(school)
    allocation = allocation_for(school, proposal.academic_year)
    assert allocation is not None
    before = snapshot(allocation, ("support_tier", "link_visits", "consultant_days"))
    allocation.support_tier = proposal.tier_code
    allocation.link_visits, allocation.consultant_days = visits, days
    allocation.adjustment_reason = proposal.reason + (f". Adjusted: {reason}" if reason else "")
    allocation.adjusted_by_id = actor.id
    db.session.flush()
    record_audit(actor, "allocation.follow_tier", "support_allocation", allocation.id, school_id=school.id,
                 before=before, after={"support_tier": proposal.tier_code, "link_visits": visits,
                                       "consultant_days": days, "reason": allocation.adjustment_reason})
    public = (f"Support allocation for {proposal.academic_year} re-issued for {proposal.tier_name}: "
              f"{visits} visits and {format_days(days)} consultant days")
    record_school_event(school, "allocation", f"{public}: {allocation.adjustment_reason}", actor, audience="school",
                        public_summary=public)
    return allocation


def allocation_table(academic_year: str) -> Select:
    """All open schools with their allocation for a year (stored, or the tier default if none)."""
    return (
        select(School, SupportAllocation, SupportTier)
        .join(SupportTier, SupportTier.code == School.support_tier)
        .outerjoin(SupportAllocation, and_(SupportAllocation.school_id == School.id,
                                           SupportAllocation.academic_year == academic_year))
        .where(School.status != "Closed")
        .order_by(School.name, School.urn, School.id)
    )


def count_allocation_rows() -> int:
    """How many schools the allocation table lists (every open school)."""
    return db.session.scalar(select(func.count()).select_from(School).where(School.status != "Closed")) or 0


def page_of_allocations(academic_year: str, *, page: int, per_page: int) -> list[Any]:
    """One page of the allocation table: (school, allocation or None, tier) rows. As for the school
    list, the page's schools are chosen from the narrow rows first, then only they are joined."""
    ids = list(db.session.scalars(
        select(School.id).where(School.status != "Closed").order_by(School.name, School.urn, School.id)
        .limit(per_page).offset((page - 1) * per_page)))
    return list(db.session.execute(allocation_table(academic_year).where(School.id.in_(ids))).all()) if ids else []


ALLOCATION_CSV_HEADER = ["URN", "School", "Phase", "Tier", "Level", "Link adviser visits", "Consultant days",
                         "Status", "Adjustment reason"]


def allocation_csv_rows(academic_year: str, *, chunk: int = CHUNK_ROWS) -> Iterator[list[Any]]:
    """Every open school's allocation for a year as spreadsheet rows, fetched `chunk` rows at a time
    (a server-side cursor on PostgreSQL): plain columns, never every school in memory at once."""
    query = (
        select(School.urn, School.name, School.phase, SupportTier.name, School.mcs_level,
               func.coalesce(SupportAllocation.link_visits, SupportTier.default_link_visits),
               func.coalesce(SupportAllocation.consultant_days, SupportTier.default_consultant_days),
               SupportAllocation.id, SupportAllocation.adjustment_reason)
        .join(SupportTier, SupportTier.code == School.support_tier)
        .outerjoin(SupportAllocation, and_(SupportAllocation.school_id == School.id,
                                           SupportAllocation.academic_year == academic_year))
        .where(School.status != "Closed")
        .order_by(School.name, School.urn, School.id)
        .execution_options(yield_per=chunk)
    )
    for urn, name, phase, tier, level, visits, days, allocation_id, reason in db.session.execute(query):
        # As SupportAllocation.is_adjusted says: an allocation with a reason was adjusted.
        status = "Not issued" if allocation_id is None else ("Adjusted" if reason else "Issued")
        yield [urn, name, phase, tier, level, visits, days, status, reason or ""]


# --- the school list -----------------------------------------------------------------------

SORTS = {
    "name": (School.name, School.urn),
    "urn": (School.urn,),
    "tier": (School.mcs_level, School.name),
    "phase": (School.phase, School.name),
    "pupils": (School.number_of_pupils, School.name),
}
FLAGS = {
    "cause_for_concern": School.cause_for_concern.is_not(None),
    "vulnerable": School.is_vulnerable.is_(True),
    "underachievement": School.has_significant_underachievement.is_(True),
}


@dataclass
class SchoolFilters:
    q: str = ""
    tier: str = ""
    level: int | None = None
    phase: str = ""
    type_name: str = ""
    link_adviser_id: int | None = None  # 0 means "no link adviser"
    flags: list[str] = field(default_factory=list)
    include_closed: bool = False
    sort: str = "name"
    descending: bool = False


def filtered_schools(filters: SchoolFilters) -> Select:
    """The schools matching the filters, sorted; the caller pages it."""
    query = select(School)
    if not filters.include_closed:
        query = query.where(School.status != "Closed")
    if q := filters.q.strip():
        pattern = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        # Case-insensitive on both engines. SQLite's LIKE already ignores case (for ASCII) and
        # reads the names fastest as they are; PostgreSQL's LIKE does not, so there it compares
        # the lower-cased name the database keeps (`name_folded`), read from a narrow index:
        # a quarter of the cost of ILIKE over every name.
        column = School.name if db.session.get_bind().dialect.name == "sqlite" else School.name_folded
        matches = column.like(pattern, escape="\\")
        is_urn = q.isascii() and q.isdigit() and int(q) <= MAX_ID
        query = query.where(or_(School.urn == int(q), matches) if is_urn else matches)
    if filters.tier:
        query = query.where(School.support_tier == filters.tier)
    if filters.level:
        query = query.where(School.mcs_level == filters.level)
    if filters.phase:
        query = query.where(School.phase == filters.phase)
    if filters.type_name:
        query = query.where(School.type_name == filters.type_name)
    if filters.link_adviser_id == 0:
        query = query.where(School.link_adviser_id.is_(None))
    elif filters.link_adviser_id:
        query = query.where(School.link_adviser_id == filters.link_adviser_id)
    for flag in filters.flags:
        if flag in FLAGS:
            query = query.where(FLAGS[flag])
    columns = SORTS.get(filters.sort, SORTS["name"])
    # Unknown values (e.g. no pupil count) sort last either way, on both engines.
    order = [(c.desc() if filters.descending else c.asc()).nulls_last() for c in columns]
    return query.order_by(*order, School.id)


def count_rows(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def filter_choices() -> dict[str, list[str]]:
    """The phases and types present on the register, for the filter menus."""
    return {"phases": list(db.session.scalars(distinct_values(School.phase))),
            "types": list(db.session.scalars(distinct_values(School.type_name)))}


def page_of_schools(query: Select, *, page: int, per_page: int) -> list[School]:
    """One page of a filtered, sorted school query. The page's ids are chosen first from the
    narrow rows (filters, sort, offset), then only those schools are loaded with their tier and
    adviser: sorting whole joined rows of a large register is what made big pages slow."""
    ids = list(db.session.scalars(query.with_only_columns(School.id).limit(per_page).offset((page - 1) * per_page)))
    by_id = {s.id: s for s in db.session.scalars(select(School).where(School.id.in_(ids))).unique()}
    return [by_id[i] for i in ids]


@dataclass(frozen=True)
class TimelineEntry:
    """One timeline entry as a particular reader may see it: the line is already the one for them."""

    occurred_at: datetime
    kind: str
    summary: str
    actor: "User | None"


# The timeline's filters: each names the kinds of entry it shows (by their prefix).
TIMELINE_FILTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "visits": ("Visits", ("visit_",)),
    "reviews": ("Reviews", ("review_",)),
    "plans": ("Plans, teams and mid-point reviews", ("plan_", "project_team_", "midpoint_")),
    "notices": ("Improvement Notices", ("notice_",)),
    "intervention": ("Warning notices and intervention", ("warning_notice_", "dfe_referral")),
    "support": ("Support and allocations", ("support_decision", "link_adviser", "allocation")),
    "reports": ("Reports to governors", ("governor_report_",)),
}


def timeline(school: School, viewer: "User", *, limit: int = 50, kind: str | None = None) -> list[TimelineEntry]:
    """The latest entries of a school's timeline that `viewer` may read, each in the wording for
    them: every page that shows a timeline reads it here, so no page can show the LA's own
    wording (a decision's reason) to the school or its governors. `kind` is a key of
    TIMELINE_FILTERS (anything else: every kind). One query, whatever the number of entries."""
    audiences = timeline_audiences(viewer, school)
    if not audiences:
        return []
    la_staff = can_read_la_internal_text(viewer)
    query = select(SchoolEvent).where(SchoolEvent.school_id == school.id)
    if audiences != set(TIMELINE_AUDIENCES):
        query = query.where(SchoolEvent.audience.in_(sorted(audiences)))
    if kind in TIMELINE_FILTERS:
        query = query.where(or_(*(SchoolEvent.kind.startswith(prefix, autoescape=True)
                                  for prefix in TIMELINE_FILTERS[kind][1])))
    events = db.session.scalars(query.order_by(SchoolEvent.occurred_at.desc(), SchoolEvent.id.desc()).limit(limit))
    return [TimelineEntry(occurred_at=e.occurred_at, kind=e.kind, summary=e.summary_for(la_staff=la_staff),
                          actor=e.actor) for e in events]
