"""The charts on the visits, school and overview pages, drawn with the shared bar chart
(core/charts.py): visits by term, allocation used against allocated (a school's, each tier's and
the authority's) and the year's movements between support tiers.

Each builder returns the chart's SVG with the rows of figures the page prints as a table beneath
it, and asks the database a fixed number of questions, whatever the number of records.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING

from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from ..core.calendar import TermDate
from ..core.charts import BarRow, bar_rows
from ..core.terms import LOCAL_TZ, Term, format_days
from ..enhanced.services import consultant_visit_days
from ..extensions import db
from ..rap.models import RaisingAchievementPlan, TimeAllocation, TimeUsed
from ..schools.models import School, SupportAllocation, SupportDecision, SupportTier
from .models import NoteOfVisit, SchoolYearTally

if TYPE_CHECKING:
    from .caseload import Period, TierFigures

TERMS_SHOWN = 6  # two academic years, ending with this term
PAGE = {"width": 480, "css": "app-chart--page"}


@dataclass
class Row:
    """One row of a chart and of the table beneath it."""

    label: str
    value: float
    value_text: str
    of: float | None = None  # what it is a share of (an allocation), when it is one
    of_text: str = ""
    unit: str = ""  # "visits": the words beside a bar that is not a share

    @property
    def words(self) -> str:
        return f"{self.value_text} of {self.of_text}" if self.of is not None else f"{self.value_text} {self.unit}"

    @property
    def percent(self) -> int | None:
        return round(100 * self.value / self.of) if self.of else None


@dataclass
class Chart:
    svg: Markup
    rows: list[Row]


def _share_rows(rows: list[Row]) -> list[BarRow]:
    """Used against allocated as a share of 100%, so that rows of different sizes compare."""
    return [BarRow(r.label, [(min(r.percent or 0, 150), "blue")], r.words, of=100) for r in rows]


# --- visits by term (the school's visits page) ---------------------------------------------------

def _term_of(day: date, configured: list[TermDate]) -> Term:
    """The term a day is in: the authority's term containing it, else its rough season (as the
    overview counts it, holidays included)."""
    for t in configured:
        if t.starts_on <= day <= t.ends_on:
            return Term.parse(t.term)
    return Term.current(day)


def visits_by_term(notes: list[NoteOfVisit], today: date | None = None) -> Chart | None:
    """Visits done in each of the last six terms, from the notes the page already lists (so only
    those its reader may see); one query, for the terms' dates. None when none was done in them."""
    today = today or date.today()
    terms = [Term.current(today)]
    while len(terms) < TERMS_SHOWN:
        terms.insert(0, terms[0].previous())
    configured = list(db.session.scalars(select(TermDate).where(TermDate.term.in_([t.slug for t in terms]))))
    counts = dict.fromkeys(terms, 0)
    for note in notes:
        if note.status != "planned" and note.visit_date <= today:
            term = _term_of(note.visit_date, configured)
            if term in counts:
                counts[term] += 1
    if not any(counts.values()):
        return None
    rows = [Row(t.label, n, str(n), unit="visit" if n == 1 else "visits") for t, n in counts.items()]
    svg = bar_rows([BarRow(r.label, [(r.value, "blue")], r.words) for r in rows],
                   title="Visits done by term, oldest first: " + "; ".join(f"{r.label}: {r.words}" for r in rows),
                   desc="Visits written up, whatever the note's stage; planned visits are not counted.",
                   label_width=110, words_width=90, **PAGE)
    assert svg is not None
    return Chart(svg, rows)


# --- allocation used against allocated -----------------------------------------------------------

def _year_bounds(academic_year: str) -> tuple[date, date]:
    start = int(academic_year[:4])
    return date(start, 9, 1), date(start + 1, 8, 31)


def school_allocation(school: School, allocation: SupportAllocation, academic_year: str,
                      today: date | None = None) -> Chart:
    """The school's link adviser visits done this year against its allocation (the kept tally),
    and the consultant days used this year (logged on its plans, and by consultants' support
    visits) against its consultant days. Three queries."""
    today = today or date.today()
    starts, ends = _year_bounds(academic_year)
    visits = db.session.scalar(select(SchoolYearTally.visits_done).where(
        SchoolYearTally.school_id == school.id, SchoolYearTally.academic_year == academic_year)) or 0
    days = db.session.scalar(
        select(func.coalesce(func.sum(TimeUsed.days), 0))
        .join(TimeAllocation, TimeAllocation.id == TimeUsed.allocation_id)
        .join(RaisingAchievementPlan, RaisingAchievementPlan.id == TimeAllocation.plan_id)
        .where(RaisingAchievementPlan.school_id == school.id, TimeUsed.used_on >= starts,
               TimeUsed.used_on <= min(ends, today))) or Decimal(0)
    days = Decimal(days) + consultant_visit_days(school.id, starts, min(ends, today))
    allocated_days = Decimal(allocation.consultant_days or 0)
    rows = [Row("Link adviser visits", visits, str(visits), allocation.link_visits, str(allocation.link_visits)),
            Row("Consultant days", float(days), format_days(Decimal(days)), float(allocated_days),
                format_days(allocated_days))]
    svg = bar_rows(_share_rows(rows), title=f"Support allocation {academic_year} used so far: "
                   + "; ".join(f"{r.label}: {r.words}" + (f" ({r.percent}%)" if r.percent is not None else "")
                               for r in rows),
                   desc="Each bar is the share of the allocation used; the pale track behind it is the whole "
                        "allocation. Consultant days used are the days logged on the school's plans and by consultants' "
                        "support visits.", label_width=130, words_width=90, **PAGE)
    assert svg is not None
    return Chart(svg, rows)


def tier_allocation(tiers: list[TierFigures], academic_year: str) -> Chart | None:
    """Visits done against visits allocated for each tier and for the authority, from the
    overview's figures (no query of its own). None when there are no open schools."""
    if not tiers:
        return None
    rows = [Row(t.tier.name, t.visits_done, str(t.visits_done), t.visits_allocated, str(t.visits_allocated))
            for t in tiers]
    done, allocated = sum(t.visits_done for t in tiers), sum(t.visits_allocated for t in tiers)
    rows.append(Row("All schools", done, str(done), allocated, str(allocated)))
    svg = bar_rows(_share_rows(rows), title=f"Link adviser visits done in {academic_year} against visits allocated: "
                   + "; ".join(f"{r.label}: {r.words}" + (f" ({r.percent}%)" if r.percent is not None else "")
                               for r in rows),
                   desc="Each bar is the share of the allocated visits done; the pale track behind it is the "
                        "whole allocation.", label_width=170, words_width=90, **PAGE)
    assert svg is not None
    return Chart(svg, rows)


# --- tier movements over the year (the overview) ---------------------------------------------------

def tier_movements(year: Period) -> Chart | None:
    """Support decisions this academic year that moved a school from one tier to another, counted
    by the pair of tiers, in the tiers' order. One query. None when no school moved."""
    since = datetime.combine(year.starts_on, time(), tzinfo=LOCAL_TZ)
    before, after = aliased(SupportTier), aliased(SupportTier)
    moved = db.session.execute(
        select(before.name, before.sort_order, after.name, after.sort_order, func.count())
        .select_from(SupportDecision)
        .join(before, before.code == SupportDecision.previous_tier)
        .join(after, after.code == SupportDecision.support_tier)
        .where(SupportDecision.decided_at >= since, SupportDecision.previous_tier != SupportDecision.support_tier)
        .group_by(before.name, before.sort_order, after.name, after.sort_order)
        .order_by(before.sort_order, after.sort_order)).all()
    if not moved:
        return None
    rows = [Row(f"{from_name} to {to_name}", n, str(n), unit="school" if n == 1 else "schools")
            for from_name, _, to_name, _, n in moved]
    keys = ["purple" if to_order > from_order else "green" for _, from_order, _, to_order, _ in moved]
    svg = bar_rows([BarRow(r.label, [(r.value, k)], r.words) for r, k in zip(rows, keys, strict=True)],
                   title=f"Moves between support tiers in {year.code}: "
                   + "; ".join(f"{r.label}: {r.words}" for r in rows),
                   desc="Each bar counts the support decisions this academic year that moved a school from the "
                        "first tier to the second; purple bars are moves to more support, green to less.",
                   width=560, label_width=290, words_width=80, css="app-chart--page")
    assert svg is not None
    return Chart(svg, rows)
