"""Statutory working days: every day but Saturdays, Sundays and the bank holidays of England and
Wales. Deadlines set by law (a governing body's 15 working days to make representations on a
warning notice) count these, not school days: a school holiday is a working day, a bank holiday
is not, whatever the authority's term dates say (those are core.calendar's, for the deadlines the
authority sets itself).

The bank holidays are data (`bank_holidays`, seeded by migration 0027 with 2020 to 2030 from the
gov.uk list, substitute days and one-off holidays included), kept by administrators at
/admin/bank-holidays: a holiday moved or added by royal proclamation is one row added or removed.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Date, String, select
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .audit import record_audit, snapshot
from .errors import DomainError
from .limits import SHORT_TEXT, length_check, too_long
from .terms import EARLIEST_YEAR, LATEST_YEAR, format_date

if TYPE_CHECKING:
    from ..auth.models import User

BANK_HOLIDAY_FIELDS = ("falls_on", "name")


class BankHoliday(db.Model):  # type: ignore[name-defined]  # db.Model is opaque to mypy (issue 14, item 9)
    """One bank holiday of England and Wales, e.g. 28 December 2026, Boxing Day (substitute day)."""

    __tablename__ = "bank_holidays"
    __table_args__ = (length_check("name", SHORT_TEXT),)

    id: Mapped[int] = mapped_column(primary_key=True)
    falls_on: Mapped[date] = mapped_column(Date, unique=True)
    name: Mapped[str] = mapped_column(String(SHORT_TEXT))

    def __repr__(self) -> str:
        return f"<BankHoliday {self.falls_on} {self.name!r}>"


def bank_holidays_between(first: date, last: date) -> set[date]:
    """The bank holidays from `first` to `last` inclusive (one query)."""
    return set(db.session.scalars(select(BankHoliday.falls_on).where(BankHoliday.falls_on >= first, BankHoliday.falls_on <= last)))


def all_bank_holidays() -> set[date]:
    """Every bank holiday on the list (a few hundred rows at most, one query): for pages that work
    out the clocks of many deadlines at once."""
    return set(db.session.scalars(select(BankHoliday.falls_on)))


def is_working_day(day: date, holidays: set[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def working_days_after(start: date, count: int, holidays: set[date] | None = None) -> date:
    """The day that is the `count`th working day after `start` (`start` itself never counts):
    "within 15 working days of the notice" ends on `working_days_after(issued_on, 15)`. `holidays`:
    the bank holidays already read (`all_bank_holidays`), else those of the span are read here."""
    if count <= 0:
        return start
    if holidays is not None:
        day, counted = start, 0
        while counted < count:
            day += timedelta(days=1)
            counted += is_working_day(day, holidays)
        return day
    # Fifteen working days span three weeks and a few holidays: read them once, and more only if
    # the span runs out (a long run of holidays added by an administrator).
    span = count * 2 + 14
    while True:
        holidays = bank_holidays_between(start, start + timedelta(days=span))
        day, counted = start, 0
        while day < start + timedelta(days=span):
            day += timedelta(days=1)
            if is_working_day(day, holidays):
                counted += 1
                if counted == count:
                    return day
        span *= 2


def working_days_left(today: date, deadline: date, holidays: set[date] | None = None) -> int:
    """How many working days from tomorrow up to and including `deadline` (0 on the deadline day
    and after it). `holidays` as for `working_days_after`."""
    if deadline < today:
        return 0
    if holidays is None:
        holidays = bank_holidays_between(today, deadline)
    left, day = 0, today
    while day <= deadline:
        if is_working_day(day, holidays) and day > today:
            left += 1
        day += timedelta(days=1)
    return left


# --- keeping the list (administrators) ---------------------------------------------------------------

def bank_holidays(year: int | None = None) -> list[BankHoliday]:
    """Every bank holiday in date order, or one year's."""
    query = select(BankHoliday).order_by(BankHoliday.falls_on)
    if year is not None:
        query = query.where(BankHoliday.falls_on >= date(year, 1, 1), BankHoliday.falls_on <= date(year, 12, 31))
    return list(db.session.scalars(query))


def add_bank_holiday(actor: "User | None", *, falls_on: date | None, name: str) -> BankHoliday:
    """Add a bank holiday (one declared or moved by proclamation): a weekday not already one."""
    name = " ".join((name or "").split())
    on = falls_on
    if on is None:
        raise DomainError("Enter the date of the bank holiday", field="falls_on")
    if not EARLIEST_YEAR <= on.year <= LATEST_YEAR:
        raise DomainError("Enter the year in full, like 2026", field="falls_on")
    if on.weekday() >= 5:
        raise DomainError(f"{format_date(on)} is a {on.strftime('%A')}: weekends never count as working days. "
                          "Enter the weekday the holiday is given on (a substitute day)", field="falls_on")
    if not name:
        raise DomainError("Enter the name of the bank holiday, like Coronation of King Charles III", field="name")
    if len(name) > SHORT_TEXT:
        raise DomainError(too_long("The name", SHORT_TEXT), field="name")
    existing = db.session.scalar(select(BankHoliday).where(BankHoliday.falls_on == on))
    if existing is not None:
        raise DomainError(f"{format_date(on)} is already a bank holiday ({existing.name})", field="falls_on")
    row = BankHoliday(falls_on=on, name=name)
    db.session.add(row)
    db.session.flush()
    record_audit(actor, "bank_holiday.add", "bank_holiday", row.id, after=snapshot(row, BANK_HOLIDAY_FIELDS))
    return row


def remove_bank_holiday(actor: "User | None", holiday: BankHoliday) -> None:
    """Remove a bank holiday (one moved by proclamation to another day): the day becomes a working day."""
    before = snapshot(holiday, BANK_HOLIDAY_FIELDS)
    db.session.delete(holiday)
    db.session.flush()
    record_audit(actor, "bank_holiday.remove", "bank_holiday", holiday.id, before=before)
