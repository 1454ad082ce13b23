"""The authority's term and holiday dates, and counting working days on them."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import CheckConstraint, Date, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .limits import SHORT_TEXT, length_check
from .terms import term_label


class TermDate(db.Model):
    """One term of the authority's calendar, e.g. autumn-2026 from 2 September to 18 December."""

    __tablename__ = "term_dates"
    __table_args__ = (
        UniqueConstraint("term", name="uq_term_dates_term"),
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(20))
    academic_year: Mapped[str] = mapped_column(String(7))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)

    @property
    def label(self) -> str:
        """Autumn 2026: the term as people read it."""
        return term_label(self.term)

    def __repr__(self) -> str:
        return f"<TermDate {self.term} {self.starts_on}..{self.ends_on}>"


class ClosureDay(db.Model):
    """Days inside a term when schools are closed: half-term, bank holidays, training days."""

    __tablename__ = "closure_days"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        length_check("name", SHORT_TEXT),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(SHORT_TEXT))
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date] = mapped_column(Date)

    def __repr__(self) -> str:
        return f"<ClosureDay {self.name} {self.starts_on}..{self.ends_on}>"


def _school_days_between(start: date, end: date) -> list[date]:
    """Weekdays from start to end inclusive that are in a term and not a closure day.
    With no term dates configured, every weekday counts (less any closures)."""
    terms = db.session.execute(
        select(TermDate.starts_on, TermDate.ends_on).where(TermDate.ends_on >= start, TermDate.starts_on <= end)
    ).all()
    any_terms = db.session.scalar(select(TermDate.id).limit(1)) is not None
    closures = db.session.execute(
        select(ClosureDay.starts_on, ClosureDay.ends_on).where(ClosureDay.ends_on >= start, ClosureDay.starts_on <= end)
    ).all()
    days = []
    day = start
    while day <= end:
        if day.weekday() < 5 and (not any_terms or any(s <= day <= e for s, e in terms)) \
                and not any(s <= day <= e for s, e in closures):
            days.append(day)
        day += timedelta(days=1)
    return days


def add_working_days(start: date, count: int) -> date:
    """The date `count` working days after `start` (start itself not counted)."""
    if count <= 0:
        return start
    window = max(count * 3, 60)
    while True:
        days = [d for d in _school_days_between(start + timedelta(days=1), start + timedelta(days=window))]
        if len(days) >= count:
            return days[count - 1]
        if window > 3660:
            raise ValueError("No working days configured in the next ten years: check the term dates")
        window *= 2


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`."""
    if end <= start:
        return 0
    return len(_school_days_between(start + timedelta(days=1), end))


def term_containing(day: date) -> TermDate | None:
    return db.session.scalar(select(TermDate).where(TermDate.starts_on <= day, TermDate.ends_on >= day))
