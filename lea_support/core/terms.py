"""Terms, academic years and dates, written the one way the service writes them.

A term is a `Term` value: its slug (`autumn-2026`) is what URLs, command lines and the database
hold; people read its label ("Autumn 2026"), or its name in a sentence ("the autumn term 2026").
An academic year runs from 1 September to 31 August and is written "2026/27". A date is written
"6 December 2026" (`format_date`), whatever the platform's strftime can do.

The authority's own term and closure dates are data (`core.calendar`, kept by
`core.calendar_services`); the boundaries here are the rough seasons used where none are set.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import total_ordering
from typing import Literal
from zoneinfo import ZoneInfo

from .errors import DomainError

LOCAL_TZ = ZoneInfo("Europe/London")
# The order of the academic year.
SEASONS = ("autumn", "spring", "summer")
# English month names, not strftime's %B: that follows the process's locale.
MONTHS = ("", "January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
# Years outside these are almost certainly typing mistakes (26 for 2026).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
# Rough bounds of each season, (month, day) to (month, day): together they cover the whole year,
# so every day is in exactly one term.
ROUGH_BOUNDS = {"autumn": ((9, 1), (12, 31)), "spring": ((1, 1), (3, 31)), "summer": ((4, 1), (8, 31))}

# Dates typed into a URL or a form outside these years are mistakes, and the day after 31 December
# 9999 does not exist in Python: they are refused before any arithmetic on them.
MIN_YEAR, MAX_YEAR = 1900, 2199
_YEAR = re.compile(r"^(\d{4})/(\d{2})$")
_TERM = re.compile(r"^(autumn|spring|summer)-(\d{4})$")
TERM_FORMAT_MESSAGE = "Enter the term as its season and year, like autumn-2026, spring-2027 or summer-2027"
TERM_YEAR_MESSAGE = "Enter the term's year in full, like autumn-2026"


# --- academic years ------------------------------------------------------------------------------

def academic_year_for(day: date) -> str:
    """The academic year (September to August) a date falls in, e.g. '2026/27'."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def parse_academic_year(text: str) -> int:
    """The calendar year an academic year starts in; ValueError if malformed."""
    match = _YEAR.match(text.strip())
    if not match:
        raise ValueError("Enter an academic year like 2026/27")
    start = int(match.group(1))
    if (start + 1) % 100 != int(match.group(2)):
        raise ValueError("The two years of an academic year must follow each other, like 2026/27")
    return start


# --- terms ---------------------------------------------------------------------------------------

@total_ordering
@dataclass(frozen=True)
class Term:
    """One term: its season and the calendar year it falls in (spring-2027 is in 2026/27).
    Terms sort in the order they happen."""

    season: str
    year: int

    def __post_init__(self) -> None:
        if self.season not in SEASONS:
            raise ValueError(TERM_FORMAT_MESSAGE)

    @classmethod
    def parse(cls, text: str) -> Term:
        """The term a slug names ('autumn-2026', any case, spaces around ignored); ValueError with
        the message to show if it is not a season and a year in full."""
        match = _TERM.match((text or "").strip().lower())
        if not match:
            raise ValueError(TERM_FORMAT_MESSAGE)
        year = int(match.group(2))
        if not EARLIEST_YEAR <= year <= LATEST_YEAR:
            raise ValueError(TERM_YEAR_MESSAGE)
        return cls(match.group(1), year)

    @classmethod
    def current(cls, today: date | None = None) -> Term:
        """The term a day falls in by its season: autumn September to December, spring January
        to March, summer April to August (holidays belong to the term before or after)."""
        day = today or date.today()
        if day.month >= 9:
            return cls("autumn", day.year)
        return cls("spring" if day.month <= 3 else "summer", day.year)

    @classmethod
    def of_academic_year(cls, academic_year: str) -> list[Term]:
        """The three terms of an academic year: 2026/27 is autumn-2026, spring-2027, summer-2027."""
        first = cls("autumn", parse_academic_year(academic_year))
        return [first, first.next(), first.next().next()]

    @property
    def slug(self) -> str:
        """autumn-2026: for URLs, command lines and the database."""
        return f"{self.season}-{self.year}"

    @property
    def label(self) -> str:
        """Autumn 2026: how a term is shown."""
        return f"{self.season.title()} {self.year}"

    @property
    def name(self) -> str:
        """Autumn term 2026: the term in a sentence ("the report for the autumn term 2026")."""
        return f"{self.season.title()} term {self.year}"

    @property
    def start_year(self) -> int:
        """The calendar year its academic year starts in."""
        return self.year if self.season == "autumn" else self.year - 1

    @property
    def academic_year(self) -> str:
        """2026/27 for autumn-2026, spring-2027 and summer-2027."""
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def academic_year_starts_on(self) -> date:
        return date(self.start_year, 9, 1)

    @property
    def starts_on(self) -> date:
        """The first day of its rough season (1 September, 1 January, 1 April)."""
        month, day = ROUGH_BOUNDS[self.season][0]
        return date(self.year, month, day)

    @property
    def ends_on(self) -> date:
        """The last day of its rough season (31 December, 31 March, 31 August)."""
        month, day = ROUGH_BOUNDS[self.season][1]
        return date(self.year, month, day)

    def next(self) -> Term:
        if self.season == "autumn":
            return Term("spring", self.year + 1)
        return Term("summer" if self.season == "spring" else "autumn", self.year)

    def previous(self) -> Term:
        if self.season == "spring":
            return Term("autumn", self.year - 1)
        return Term("spring" if self.season == "summer" else "summer", self.year)

    def _order(self) -> tuple[int, int]:
        return self.start_year, SEASONS.index(self.season)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Term):
            return NotImplemented
        return self._order() < other._order()

    def __str__(self) -> str:
        # What a template prints when handed a Term; code that stores or links uses .slug.
        return self.label


def require_term(text: str, *, field: str = "term") -> Term:
    """The term chosen on a form; DomainError on `field` if none was, or it is not one."""
    if not (text or "").strip():
        raise DomainError("Choose the term", field=field)
    try:
        return Term.parse(text)
    except ValueError as err:
        raise DomainError(str(err), field=field) from None


def terms_around(before: int, after: int, today: date | None = None) -> tuple[Term, Term]:
    """The first and last of the terms from `before` terms before the current one to `after` after it."""
    first = last = Term.current(today)
    for _ in range(before):
        first = first.previous()
    for _ in range(after):
        last = last.next()
    return first, last


def term_choices(first: Term, last: Term, *, newest_first: bool = False) -> list[tuple[str, str]]:
    """The terms from `first` to `last` as a form's choices: the slug stored, the label shown
    ("Autumn 2026"), in the order they happen (or newest first)."""
    terms = [first]
    while terms[-1] < last:
        terms.append(terms[-1].next())
    return [(term.slug, term.label) for term in (reversed(terms) if newest_first else terms)]


def term_label(slug: str | None) -> str:
    """Autumn 2026 for autumn-2026 (the `term` filter); text that is not a term is shown as it is."""
    try:
        return Term.parse(slug or "").label
    except ValueError:
        return slug or ""


# --- dates ---------------------------------------------------------------------------------------

DateStyle = Literal["long", "month", "datetime"]


def format_date(value: date | datetime | None, style: DateStyle = "long") -> str:
    """A date as the service writes it (no leading zero, as GOV.UK writes dates); empty for None.

    - long: 6 December 2026 (a datetime: its day in local time)
    - month: December 2026
    - datetime: 6 December 2026 at 14:05 (local time)
    """
    if value is None:
        return ""
    if style == "datetime":
        if not isinstance(value, datetime):
            raise TypeError("format_date(style='datetime') needs a datetime")
        local = value.astimezone(LOCAL_TZ)
        return f"{local.day} {MONTHS[local.month]} {local.year} at {local:%H:%M}"
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TZ).date()
    if style == "month":
        return f"{MONTHS[value.month]} {value.year}"
    if style == "long":
        return f"{value.day} {MONTHS[value.month]} {value.year}"
    raise ValueError(f"Unknown date style {style!r}")


def format_days(value: Decimal | None) -> str:
    """Adviser or consultant days as the service writes them: 2.5, 3 (no trailing zeros)."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- time spent ----------------------------------------------------------------------------------

def format_minutes(minutes: int | None) -> str:
    """Time as people say it, on pages and in PDFs alike: 3 hours, 1 hour 30 minutes, 45 minutes;
    empty for None."""
    if minutes is None:
        return ""
    hours, rest = divmod(int(minutes), 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest or not hours:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)
