"""Caseloads and the authority overview: who has been visited, what is planned, what is overdue.

Every figure comes from a fixed number of aggregate queries (GROUP BY school or adviser, bounded
by date where the question allows), never one query per school, so a page costs the same number
of queries for 5 schools or 500 and for one year of history or twenty.

The words, as the service uses them:

- a visit *done*: a note of visit that is not `planned` (draft, sent, responded, finalised) whose
  visit date is today or earlier;
- a *planned visit*: a `planned` note dated today or later;
- an *overdue agreed action*: an `open` action whose due date is before today;
- *awaiting the school's response*: a note `sent` to the school;
- *this term*: the configured term containing today, else the rough term (`core.terms.Term.current`);
- *this year*: the academic year containing today (1 September to 31 August).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased

from ..auth.models import ROLES, Role, User
from ..core.calendar import TermDate, term_containing
from ..core.terms import Term, academic_year_for
from ..extensions import db
from ..schools.models import School, SupportAllocation, SupportTier
from .models import AgreedAction, NoteOfVisit, OpenActionTally, TierYearTally

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement

# Who may hold a caseload (the roles `schools.services.assign_link_adviser` accepts).
CASELOAD_ROLES = (Role.LINK_ADVISER, Role.SIA)


def today() -> date:
    """The date the caseload is worked out for. One seam for the clock, so tests can fix it."""
    return date.today()


# --- terms and years --------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """A stretch of dates with a name: a term (`autumn-2026`) or an academic year (`2026/27`)."""

    code: str
    starts_on: date
    ends_on: date
    configured: bool = False  # True when the dates come from the authority's term dates
    term: Term | None = None  # None for an academic year

    @property
    def label(self) -> str:
        return self.term.label if self.term is not None else self.code

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


def academic_year_period(day: date) -> Period:
    """The academic year containing `day`: 1 September to 31 August."""
    code = academic_year_for(day)
    start = int(code[:4])
    return Period(code, date(start, 9, 1), date(start + 1, 8, 31))


def term_period(term: Term, dates: TermDate | None = None) -> Period:
    """A term with the authority's dates for it, or else its rough bounds (`Term.starts_on`)."""
    if dates is not None:
        return Period(term.slug, dates.starts_on, dates.ends_on, configured=True, term=term)
    return Period(term.slug, term.starts_on, term.ends_on, term=term)


def term_period_on(day: date) -> Period:
    """The term `day` is in: the configured term containing it, else the rough term it falls in
    (also in the holidays between configured terms)."""
    dates = term_containing(day)
    if dates is not None:
        return term_period(Term.parse(dates.term), dates)
    return term_period(Term.current(day))


def terms_of_year(academic_year: str) -> list[Period]:
    """The year's three terms, each from the configured term dates where the authority has
    entered them, else its rough bounds. One query."""
    terms = Term.of_academic_year(academic_year)
    configured = {t.term: t for t in db.session.scalars(
        select(TermDate).where(TermDate.term.in_([term.slug for term in terms])))}
    return [term_period(term, configured.get(term.slug)) for term in terms]


# --- the rules as SQL ---------------------------------------------------------------------------

def _done(on: date) -> "ColumnElement[bool]":
    return and_(NoteOfVisit.status != "planned", NoteOfVisit.visit_date <= on)


def _done_between(start: date, end: date) -> "ColumnElement[bool]":
    return and_(NoteOfVisit.status != "planned", NoteOfVisit.visit_date >= start, NoteOfVisit.visit_date <= end)


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _overdue(on: date) -> "ColumnElement[bool]":
    return and_(AgreedAction.status == "open", AgreedAction.due_on < on)


def _open_schools() -> "ColumnElement[bool]":
    return School.status != "Closed"


# --- a caseload ---------------------------------------------------------------------------------

@dataclass
class CaseloadRow:
    """One school of a caseload, with the figures the adviser works from."""

    school: School
    allocated_visits: int
    allocation_issued: bool
    visits_this_year: int = 0
    visits_this_term: int = 0
    last_visit: date | None = None
    next_planned_visit: date | None = None
    overdue_actions: int = 0
    awaiting_response: int = 0

    @property
    def not_visited_this_term(self) -> bool:
        return self.visits_this_term == 0


@dataclass
class CaseloadFilters:
    tier: str = ""
    not_visited: bool = False
    overdue: bool = False
    awaiting: bool = False
    sort: str = "name"
    descending: bool = False


@dataclass
class Caseload:
    adviser: User
    today: date
    year: Period
    term: Period
    rows: list[CaseloadRow] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, int]:
        rows = self.rows
        return {
            "schools": len(rows),
            "visits_this_year": sum(r.visits_this_year for r in rows),
            "allocated_visits": sum(r.allocated_visits for r in rows),
            "not_visited_this_term": sum(r.not_visited_this_term for r in rows),
            "planned_visits": sum(r.next_planned_visit is not None for r in rows),
            "schools_with_overdue_actions": sum(r.overdue_actions > 0 for r in rows),
            "overdue_actions": sum(r.overdue_actions for r in rows),
            "awaiting_response": sum(r.awaiting_response for r in rows),
        }


def _never_first(day: date | None) -> tuple[int, date]:
    return (0, date.min) if day is None else (1, day)


def _none_last(day: date | None) -> tuple[int, date]:
    return (1, date.max) if day is None else (0, day)


CASELOAD_SORTS: dict[str, Callable[[CaseloadRow], Any]] = {
    "name": lambda r: (r.school.name.casefold(), r.school.urn),
    "tier": lambda r: r.school.mcs_level,
    # Ascending puts the schools never visited first, then the longest since a visit.
    "last_visit": lambda r: _never_first(r.last_visit),
    # Ascending puts the soonest visit first and schools with nothing planned last.
    "next_visit": lambda r: _none_last(r.next_planned_visit),
    "overdue": lambda r: r.overdue_actions,
}
CASELOAD_FLAGS = {
    "not_visited": "Not visited this term",
    "overdue": "Has overdue actions",
    "awaiting": "Awaiting the school's response",
}


def caseload_schools(adviser_id: int) -> Any:
    """The ids of the open schools an adviser is link adviser for (a subquery)."""
    return select(School.id).where(School.link_adviser_id == adviser_id, _open_schools())


def _visited_between(start: date, end: date) -> Any:
    """Whether the school of the enclosing query had a visit done between two dates."""
    note = aliased(NoteOfVisit)
    return (exists().where(note.school_id == School.id, note.status != "planned",
                           note.visit_date >= start, note.visit_date <= end)
            .correlate(School))


def caseload(adviser: User, *, on: date | None = None) -> Caseload:
    """An adviser's schools with their visits, plans, overdue actions and notes awaiting a
    response. Six queries, however many schools and however many years of history."""
    on = on or today()
    year = academic_year_period(on)
    term = term_period_on(on)
    ids = caseload_schools(adviser.id)

    # 1. The schools, with this year's allocation (or their tier's default when none is issued).
    schools = db.session.execute(
        select(School, SupportAllocation.link_visits, SupportTier.default_link_visits)
        .join(SupportTier, SupportTier.code == School.support_tier)
        .outerjoin(SupportAllocation, and_(SupportAllocation.school_id == School.id,
                                           SupportAllocation.academic_year == year.code))
        .where(School.link_adviser_id == adviser.id, _open_schools())
    ).unique().all()
    rows = {s.id: CaseloadRow(school=s, allocated_visits=issued if issued is not None else default,
                              allocation_issued=issued is not None) for s, issued, default in schools}

    # 2. This year's (and this term's) visits and the plans ahead, from the start of the year on.
    since = min(year.starts_on, term.starts_on)
    for school_id, this_year, this_term, last, next_planned in db.session.execute(
        select(NoteOfVisit.school_id,
               _count_if(_done_between(year.starts_on, on)),
               _count_if(_done_between(term.starts_on, min(term.ends_on, on))),
               func.max(case((_done(on), NoteOfVisit.visit_date))),
               func.min(case((and_(NoteOfVisit.status == "planned", NoteOfVisit.visit_date >= on),
                              NoteOfVisit.visit_date))))
        .where(NoteOfVisit.school_id.in_(ids), NoteOfVisit.visit_date >= since)
        .group_by(NoteOfVisit.school_id)
    ):
        if (row := rows.get(school_id)) is not None:
            row.visits_this_year, row.visits_this_term = int(this_year), int(this_term)
            row.last_visit, row.next_planned_visit = last, next_planned

    # 3. The last visit of schools not visited since the year began: back through the history,
    # but only for those few schools.
    not_this_year = select(School.id).where(School.id.in_(ids), ~_visited_between(since, on))
    for school_id, last in db.session.execute(
        select(NoteOfVisit.school_id, func.max(NoteOfVisit.visit_date))
        .where(NoteOfVisit.school_id.in_(not_this_year), _done(on), NoteOfVisit.visit_date < since)
        .group_by(NoteOfVisit.school_id)
    ):
        if (row := rows.get(school_id)) is not None:
            row.last_visit = last

    # 4. Notes sent to the school and not yet answered, however old.
    for school_id, count in db.session.execute(
        select(NoteOfVisit.school_id, func.count())
        .where(NoteOfVisit.school_id.in_(ids), NoteOfVisit.status == "sent")
        .group_by(NoteOfVisit.school_id)
    ):
        if (row := rows.get(school_id)) is not None:
            row.awaiting_response = count

    # 5. Overdue agreed actions.
    for school_id, count in db.session.execute(
        select(NoteOfVisit.school_id, func.count(AgreedAction.id))
        .join(NoteOfVisit, NoteOfVisit.id == AgreedAction.note_id)
        .where(_overdue(on), NoteOfVisit.school_id.in_(ids))
        .group_by(NoteOfVisit.school_id)
    ):
        if (row := rows.get(school_id)) is not None:
            row.overdue_actions = count

    # (Each statement reads the database afresh, so a school reassigned while they run is skipped
    # rather than shown half-counted.)
    result = Caseload(adviser=adviser, today=on, year=year, term=term, rows=list(rows.values()))
    result.rows = sort_caseload(result.rows, CaseloadFilters())
    return result


def filter_caseload(rows: list[CaseloadRow], filters: CaseloadFilters) -> list[CaseloadRow]:
    """The rows matching the filters, sorted as asked."""
    chosen = [
        r for r in rows
        if (not filters.tier or r.school.support_tier == filters.tier)
        and (not filters.not_visited or r.not_visited_this_term)
        and (not filters.overdue or r.overdue_actions > 0)
        and (not filters.awaiting or r.awaiting_response > 0)
    ]
    return sort_caseload(chosen, filters)


def sort_caseload(rows: list[CaseloadRow], filters: CaseloadFilters) -> list[CaseloadRow]:
    # Name first, then the chosen column: Python's sort is stable (also when reversed), so
    # schools that tie stay in name order.
    ordered = sorted(rows, key=CASELOAD_SORTS["name"])
    if filters.sort != "name":
        ordered.sort(key=CASELOAD_SORTS.get(filters.sort, CASELOAD_SORTS["name"]), reverse=filters.descending)
    elif filters.descending:
        ordered.reverse()
    return ordered


def caseload_csv_rows(rows: list[CaseloadRow]) -> tuple[list[str], list[list[Any]]]:
    """The caseload as a spreadsheet: header and rows."""
    header = ["URN", "School", "Support tier", "Level", "Last visit", "Visits this year", "Allocated visits",
              "Next planned visit", "Overdue actions", "Awaiting school's response", "Visited this term"]
    body = [[r.school.urn, r.school.name, r.school.tier.name, r.school.mcs_level,
             r.last_visit.isoformat() if r.last_visit else "", r.visits_this_year, r.allocated_visits,
             r.next_planned_visit.isoformat() if r.next_planned_visit else "", r.overdue_actions,
             r.awaiting_response, "No" if r.not_visited_this_term else "Yes"] for r in rows]
    return header, body


class AdviserChoice(NamedTuple):
    id: int
    name: str
    role_name: str


def caseload_advisers() -> list[AdviserChoice]:
    """The active advisers who may hold a caseload, for the "whose caseload" menu (a national
    service has hundreds: plain rows, not whole accounts)."""
    return [AdviserChoice(i, name, ROLES.get(role, role)) for i, name, role in db.session.execute(
        select(User.id, User.name, User.role).where(User.role.in_(CASELOAD_ROLES), User.is_disabled.is_(False))
        .order_by(User.name, User.id))]


# --- the authority overview -----------------------------------------------------------------------

ADVISERS_PER_PAGE = 50


@dataclass
class AdviserFigures:
    adviser: User | None  # None: schools without a link adviser
    schools: int = 0
    visits_by_term: list[int] = field(default_factory=list)
    visits_this_year: int = 0
    overdue_actions: int = 0
    schools_with_overdue_actions: int = 0

    @property
    def name(self) -> str:
        return self.adviser.name if self.adviser else "No link adviser"


@dataclass
class TierFigures:
    tier: SupportTier
    schools: int
    visits_done: int
    visits_allocated: int

    @property
    def percent_used(self) -> int | None:
        return round(100 * self.visits_done / self.visits_allocated) if self.visits_allocated else None


@dataclass
class UnvisitedSchool:
    school: School
    last_visit: date | None


@dataclass
class Overview:
    today: date
    year: Period
    term: Period
    terms: list[Period]
    advisers: list[AdviserFigures]  # one page of them, then the schools with no link adviser
    adviser_page: int
    adviser_pages: int
    adviser_count: int
    tiers: list[TierFigures]
    not_visited_count: int
    not_visited: list[UnvisitedSchool]
    page: int
    pages: int

    @property
    def open_schools(self) -> int:
        return sum(t.schools for t in self.tiers)


def _page(page: int, count: int, per_page: int) -> tuple[int, int]:
    pages = max((count + per_page - 1) // per_page, 1)
    return min(max(page, 1), pages), pages


def overview_advisers(year: Period) -> Any:
    """Who the overview lists: the active link advisers, anyone who is link adviser of an open
    school, and anyone who made a visit this year."""
    holds_schools = exists().where(School.link_adviser_id == User.id, _open_schools())
    visited = exists().where(NoteOfVisit.adviser_id == User.id, NoteOfVisit.visit_date >= year.starts_on,
                             NoteOfVisit.visit_date <= year.ends_on, NoteOfVisit.status != "planned")
    return select(User).where(or_(and_(User.role == Role.LINK_ADVISER, User.is_disabled.is_(False)),
                                  holds_schools, visited))


def authority_overview(*, on: date | None = None, page: int = 1, per_page: int = 50,
                       adviser_page: int = 1) -> Overview:
    """Visits per adviser per term and their schools' overdue actions (a page of advisers),
    allocation used by tier, and schools not visited this term (a page of them).

    A fixed number of small queries, whatever the size of the country or the length of its
    history: the figures that would otherwise add up every visit and action come from the kept
    summaries (`casework/summaries.py`), and the rest are bounded by a page of advisers and this
    year's dates, read from indexes."""
    on = on or today()
    year = academic_year_period(on)
    term = term_period_on(on)
    terms = terms_of_year(year.code)

    # A page of advisers, by name, with how many there are in all.
    listed = overview_advisers(year).subquery()
    adviser_count = db.session.scalar(select(func.count()).select_from(listed)) or 0
    adviser_page, adviser_pages = _page(adviser_page, adviser_count, ADVISERS_PER_PAGE)
    users = db.session.scalars(overview_advisers(year).order_by(User.name, User.id)
                               .limit(ADVISERS_PER_PAGE).offset((adviser_page - 1) * ADVISERS_PER_PAGE)).all()
    by_adviser: dict[int | None, AdviserFigures] = {
        u.id: AdviserFigures(adviser=u, visits_by_term=[0] * len(terms)) for u in users}
    by_adviser[None] = AdviserFigures(adviser=None, visits_by_term=[0] * len(terms))
    ids = [u.id for u in users]
    of_page = or_(School.link_adviser_id.in_(ids), School.link_adviser_id.is_(None))
    tallied_for_page = or_(OpenActionTally.link_adviser_id.in_(ids), OpenActionTally.link_adviser_id.is_(None))

    # Their visits done this year, in each term's dates and in all (this year's rows of an index).
    for adviser_id, *counts, total in db.session.execute(
        select(NoteOfVisit.adviser_id,
               *[_count_if(and_(NoteOfVisit.visit_date >= t.starts_on, NoteOfVisit.visit_date <= min(t.ends_on, on)))
                 for t in terms],
               func.count())
        .where(NoteOfVisit.adviser_id.in_(ids), _done_between(year.starts_on, on))
        .group_by(NoteOfVisit.adviser_id)
    ):
        row = by_adviser[adviser_id]
        row.visits_by_term, row.visits_this_year = [int(c) for c in counts], int(total)
    # Their open schools, and the schools with no link adviser.
    for adviser_id, count in db.session.execute(
            select(School.link_adviser_id, func.count()).where(of_page, _open_schools())
            .group_by(School.link_adviser_id)):
        by_adviser[adviser_id].schools = count
    # Their (open) schools' overdue agreed actions: the kept open actions due before today.
    for adviser_id, actions, schools in db.session.execute(
        select(OpenActionTally.link_adviser_id, func.sum(OpenActionTally.actions),
               func.count(func.distinct(OpenActionTally.school_id)))
        .where(tallied_for_page, OpenActionTally.due_on < on)
        .group_by(OpenActionTally.link_adviser_id)
    ):
        row = by_adviser[adviser_id]
        row.overdue_actions, row.schools_with_overdue_actions = int(actions), schools
    advisers = [*(by_adviser[i] for i in ids), by_adviser[None]]

    # Allocation used, by the schools' current tier: the year's visits done against its allocation
    # (the tier's default where none has been issued), from the kept tier totals.
    open_in_tier = (select(func.count()).where(School.support_tier == SupportTier.code, _open_schools())
                    .correlate(SupportTier).scalar_subquery())
    tiers = []
    for tier, schools, done, issued, issued_visits in db.session.execute(
        select(SupportTier, open_in_tier, TierYearTally.visits_done, TierYearTally.allocations_issued,
               TierYearTally.allocated_visits_issued)
        .outerjoin(TierYearTally, and_(TierYearTally.tier_code == SupportTier.code,
                                       TierYearTally.academic_year == year.code))
        .order_by(SupportTier.sort_order)
    ):
        if schools:
            allocated = (schools - (issued or 0)) * tier.default_link_visits + (issued_visits or 0)
            tiers.append(TierFigures(tier, schools, done or 0, allocated))

    # Open schools with no visit done this term, a page at a time: their kept last visit is
    # before the term began (or there is none).
    unvisited = select(School).where(_open_schools(), or_(School.last_visit_on.is_(None),
                                                          School.last_visit_on < term.starts_on))
    count = db.session.scalar(select(func.count()).select_from(unvisited.subquery())) or 0
    page, pages = _page(page, count, per_page)
    schools = db.session.scalars(
        unvisited.order_by(School.name, School.urn).limit(per_page).offset((page - 1) * per_page)).unique().all()

    return Overview(today=on, year=year, term=term, terms=terms, advisers=advisers, adviser_page=adviser_page,
                    adviser_pages=adviser_pages, adviser_count=adviser_count, tiers=tiers,
                    not_visited_count=count, not_visited=[UnvisitedSchool(s, s.last_visit_on) for s in schools],
                    page=page, pages=pages)
