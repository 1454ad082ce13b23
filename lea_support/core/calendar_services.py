"""Keeping the authority's term dates and closure days: add and delete them, checked and audited,
and a plausible English school year for the demo."""
from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from ..extensions import db
from .audit import record_audit, snapshot
from .calendar import ClosureDay, TermDate
from .errors import DomainError
from .limits import SHORT_TEXT, too_long
from .terms import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    MONTHS,
    academic_year_for,
    format_date,
    require_term,
)

if TYPE_CHECKING:
    from ..auth.models import User

TERM_FIELDS = ("term", "academic_year", "starts_on", "ends_on")
CLOSURE_FIELDS = ("name", "starts_on", "ends_on")
# When each term may begin: autumn in the autumn, spring after New Year, summer after Easter
# (which can fall in March). Months, inclusive.
TERM_START_MONTHS = {"autumn": (9, 12), "spring": (1, 3), "summer": (3, 8)}


def _span(starts_on: date, ends_on: date) -> str:
    if starts_on == ends_on:
        return format_date(starts_on)
    return f"{format_date(starts_on)} to {format_date(ends_on)}"


def _check_dates(starts_on: date | None, ends_on: date | None) -> tuple[date, date]:
    if starts_on is None:
        raise DomainError("Enter the first day", field="starts_on")
    if ends_on is None:
        raise DomainError("Enter the last day", field="ends_on")
    for name, value in (("starts_on", starts_on), ("ends_on", ends_on)):
        if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise DomainError("Enter the year in full, like 2026", field=name)
    if ends_on < starts_on:
        raise DomainError(f"The last day must be the same as or after the first day ({_span(starts_on, starts_on)})",
                          field="ends_on")
    return starts_on, ends_on


def add_term(actor: "User | None", *, term: str, starts_on: date | None, ends_on: date | None) -> TermDate:
    """Add one term's dates, checked against its name (the season and year must match the dates)
    and against the other terms (no two overlap, no term twice)."""
    named = require_term(term)
    starts_on, ends_on = _check_dates(starts_on, ends_on)
    season, year = named.season, named.year
    first, last = TERM_START_MONTHS[season]
    if starts_on.year != year or not first <= starts_on.month <= last:
        raise DomainError(
            f"The {season} term of {year} must start between {MONTHS[first]} and {MONTHS[last]} {year}",
            field="starts_on")
    if academic_year_for(ends_on) != named.academic_year:
        raise DomainError(f"{named.label} is in the academic year {named.academic_year}, which ends on 31 August "
                          f"{named.start_year + 1}: the last day must be no later than that", field="ends_on")
    if db.session.scalar(select(TermDate.id).where(TermDate.term == named.slug)) is not None:
        raise DomainError(f"{named.label} already has dates. Delete them first to enter new ones.", field="term")
    clash = db.session.scalars(select(TermDate).where(TermDate.starts_on <= ends_on, TermDate.ends_on >= starts_on)
                               .order_by(TermDate.starts_on)).first()
    if clash is not None:
        raise DomainError(f"These dates overlap {clash.label} ({_span(clash.starts_on, clash.ends_on)})",
                          field="starts_on")
    row = TermDate(term=named.slug, academic_year=named.academic_year, starts_on=starts_on, ends_on=ends_on)
    db.session.add(row)
    db.session.flush()
    record_audit(actor, "term_date.add", "term_date", row.id, after=snapshot(row, TERM_FIELDS))
    return row


def delete_term(actor: "User | None", term: TermDate) -> None:
    """Remove a term's dates (working-day counts then follow the remaining calendar)."""
    before = snapshot(term, TERM_FIELDS)
    db.session.delete(term)
    db.session.flush()
    record_audit(actor, "term_date.delete", "term_date", term.id, before=before)


def add_closure(actor: "User | None", *, name: str, starts_on: date | None, ends_on: date | None) -> ClosureDay:
    """Add days when schools are closed (a half-term, a bank holiday, a training day); they must
    not overlap closure days already entered."""
    name = " ".join((name or "").split())
    if not name:
        raise DomainError("Enter what the closure is, like Autumn half-term", field="name")
    if len(name) > SHORT_TEXT:
        raise DomainError(too_long("The name", SHORT_TEXT), field="name")
    starts_on, ends_on = _check_dates(starts_on, ends_on)
    if (ends_on - starts_on).days > 31:
        raise DomainError("A closure can be at most a month long: holidays between terms need no closure days",
                          field="ends_on")
    clash = db.session.scalars(select(ClosureDay).where(ClosureDay.starts_on <= ends_on, ClosureDay.ends_on >= starts_on)
                               .order_by(ClosureDay.starts_on)).first()
    if clash is not None:
        raise DomainError(f"These dates overlap {clash.name} ({_span(clash.starts_on, clash.ends_on)})",
                          field="starts_on")
    row = ClosureDay(name=name, starts_on=starts_on, ends_on=ends_on)
    db.session.add(row)
    db.session.flush()
    record_audit(actor, "closure_day.add", "closure_day", row.id, after=snapshot(row, CLOSURE_FIELDS))
    return row


def delete_closure(actor: "User | None", closure: ClosureDay) -> None:
    """Remove closure days."""
    before = snapshot(closure, CLOSURE_FIELDS)
    db.session.delete(closure)
    db.session.flush()
    record_audit(actor, "closure_day.delete", "closure_day", closure.id, before=before)


def term_dates() -> list[TermDate]:
    return list(db.session.scalars(select(TermDate).order_by(TermDate.starts_on)))


def closure_days() -> list[ClosureDay]:
    return list(db.session.scalars(select(ClosureDay).order_by(ClosureDay.starts_on)))


# --- a plausible English school year, for the demo ---------------------------------------------------

def easter_sunday(year: int) -> date:
    """Easter Day in the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    day = (h + l_ - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def _weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _weekday_on_or_before(day: date, weekday: int) -> date:
    return day - timedelta(days=(day.weekday() - weekday) % 7)


def _first_weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


MON, WED, FRI = 0, 2, 4


def english_school_year(academic_year_start: int) -> tuple[list[tuple[str, date, date]], list[tuple[str, date, date]]]:
    """Plausible term dates and in-term closures for an English academic year starting in
    September `academic_year_start`: terms (code, first day, last day) and closures (name, first, last).
    Half-terms fall in the last week of October, the week of the third Monday of February and the
    week of the spring bank holiday; the Easter holiday is the fortnight around Easter Day."""
    y = academic_year_start
    easter = easter_sunday(y + 1)
    autumn = (_weekday_on_or_after(date(y, 9, 1), WED), _weekday_on_or_before(date(y, 12, 20), FRI))
    spring_start = _first_weekday_on_or_after(date(y + 1, 1, 4))
    # The Easter holiday: Holy Week and Easter week, so spring ends the Friday before Palm Sunday
    # and summer starts the Monday after Easter Monday's week.
    spring = (spring_start, easter - timedelta(days=9))
    summer = (easter + timedelta(days=8), _weekday_on_or_before(date(y + 1, 7, 23), FRI))
    autumn_half = _weekday_on_or_before(date(y, 10, 31), MON)
    spring_half = _weekday_on_or_after(date(y + 1, 2, 1), MON) + timedelta(days=14)
    early_may = _weekday_on_or_after(date(y + 1, 5, 1), MON)
    spring_bank = _weekday_on_or_before(date(y + 1, 5, 31), MON)
    terms = [(f"autumn-{y}", *autumn), (f"spring-{y + 1}", *spring), (f"summer-{y + 1}", *summer)]
    closures = [
        ("Autumn half-term", autumn_half, autumn_half + timedelta(days=4)),
        ("Spring half-term", spring_half, spring_half + timedelta(days=4)),
        ("Early May bank holiday", early_may, early_may),
        ("Summer half-term (with the spring bank holiday)", spring_bank, spring_bank + timedelta(days=4)),
    ]
    # In an early-Easter year summer term begins before the May bank holiday, as it always does;
    # in a very late one the bank holiday could fall in the Easter holiday: then it needs no closure.
    closures = [c for c in closures if any(s <= c[1] <= e for _, s, e in terms)]
    return terms, closures


def seed_term_dates(academic_year_start: int, actor: "User | None" = None) -> tuple[int, int]:
    """Enter plausible English term dates, half-terms and in-term bank holidays for the academic
    year starting in September `academic_year_start` (for the demo). Terms or closures already
    there are left alone. Returns (terms added, closures added); flushes, never commits."""
    terms, closures = english_school_year(academic_year_start)
    have_terms = set(db.session.scalars(select(TermDate.term).where(TermDate.term.in_([t[0] for t in terms]))))
    added_terms = added_closures = 0
    for code, starts_on, ends_on in terms:
        if code not in have_terms:
            add_term(actor, term=code, starts_on=starts_on, ends_on=ends_on)
            added_terms += 1
    for name, starts_on, ends_on in closures:
        overlapping = db.session.scalar(select(ClosureDay.id).where(
            ClosureDay.starts_on <= ends_on, ClosureDay.ends_on >= starts_on).limit(1))
        if overlapping is None:
            add_closure(actor, name=name, starts_on=starts_on, ends_on=ends_on)
            added_closures += 1
    return added_terms, added_closures
