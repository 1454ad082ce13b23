"""The term a governor report covers, with its dates: the authority's own term dates where they are
set, otherwise a plausible English school year (the term itself is a `core.terms.Term`)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..core.calendar import TermDate
from ..core.calendar_services import english_school_year
from ..core.terms import Term, format_date, require_term
from ..extensions import db


@dataclass(frozen=True)
class ReportTerm:
    term: Term
    starts_on: date
    ends_on: date
    # False when the authority has not entered this term's dates and a typical year's are used.
    dates_configured: bool

    @property
    def code(self) -> str:
        return self.term.slug

    @property
    def name(self) -> str:
        return self.term.name

    @property
    def academic_year(self) -> str:
        return self.term.academic_year

    @property
    def academic_year_start(self) -> date:
        return self.term.academic_year_starts_on

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "name": self.name, "academic_year": self.academic_year,
                "starts_on": self.starts_on.isoformat(), "ends_on": self.ends_on.isoformat(),
                "dates_text": f"{format_date(self.starts_on)} to {format_date(self.ends_on)}",
                "dates_configured": self.dates_configured}


def report_term(term: Term | str) -> ReportTerm:
    """The term named `term` (like autumn-2026) with its dates; DomainError (field "term") if it is
    not a term."""
    if not isinstance(term, Term):
        term = require_term(term)
    row = db.session.scalars(select(TermDate).where(TermDate.term == term.slug)).first()
    if row is not None:
        return ReportTerm(term, row.starts_on, row.ends_on, True)
    terms, _closures = english_school_year(term.start_year)
    _, starts_on, ends_on = next(t for t in terms if t[0] == term.slug)
    return ReportTerm(term, starts_on, ends_on, False)
