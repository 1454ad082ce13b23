"""The term a governor report covers: its name, academic year and dates (the authority's own term
dates where they are set, otherwise a plausible English school year)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..core.calendar import TermDate
from ..core.calendar_services import english_school_year, term_academic_year
from ..core.templating import format_date
from ..extensions import db

SEASONS = ("autumn", "spring", "summer")


@dataclass(frozen=True)
class ReportTerm:
    code: str  # autumn-2026
    season: str
    year: int
    academic_year: str  # 2026/27
    starts_on: date
    ends_on: date
    # False when the authority has not entered this term's dates and a typical year's are used.
    dates_configured: bool

    @property
    def name(self) -> str:
        return f"{self.season.title()} term {self.year}"

    @property
    def academic_year_start(self) -> date:
        return date(int(self.academic_year[:4]), 9, 1)

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "name": self.name, "academic_year": self.academic_year,
                "starts_on": self.starts_on.isoformat(), "ends_on": self.ends_on.isoformat(),
                "dates_text": f"{format_date(self.starts_on)} to {format_date(self.ends_on)}",
                "dates_configured": self.dates_configured}


def report_term(code: str) -> ReportTerm:
    """The term named `code` (like autumn-2026); DomainError (field "term") if it is not a term."""
    code = (code or "").strip().lower()
    academic_year = term_academic_year(code)
    season, year = code.split("-")
    row = db.session.scalars(select(TermDate).where(TermDate.term == code)).first()
    if row is not None:
        return ReportTerm(code, season, int(year), academic_year, row.starts_on, row.ends_on, True)
    terms, _closures = english_school_year(int(academic_year[:4]))
    _, starts_on, ends_on = next(t for t in terms if t[0] == code)
    return ReportTerm(code, season, int(year), academic_year, starts_on, ends_on, False)


def next_term_code(code: str) -> str:
    season, year = code.split("-")
    if season == "autumn":
        return f"spring-{int(year) + 1}"
    return f"{SEASONS[SEASONS.index(season) + 1]}-{year}" if season == "spring" else f"autumn-{year}"


def term_name(code: str) -> str:
    season, _, year = code.partition("-")
    return f"{season.title()} term {year}"
