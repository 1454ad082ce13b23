"""A school's profile from national data: the latest Ofsted outcome with its date, each measure
over the years beside its LA's and England's figure, and its context. Three queries, whatever the
number of measures and years."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, or_, select

from ..core.terms import format_date
from ..extensions import db
from ..schools.models import School
from .catalogue import CONTEXT_MEASURES, GRADE_LABELS, STATE_LABELS
from .charts import Chart, line_chart
from .models import Comparator, Measure, MeasureValue


@dataclass
class Shown:
    """A value as the page writes it, and its number for the chart (None for a code or a word)."""
    text: str
    number: float | None = None


@dataclass
class Point:
    year: str
    school: Shown | None
    la: Shown | None
    england: Shown | None


@dataclass
class Series:
    measure: Measure
    points: list[Point]
    chart: Chart | None
    la_label: str = ""
    england_label: str = ""


@dataclass
class OfstedOutcome:
    title: str
    inspected: date | None
    published: date | None
    grades: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""


@dataclass
class Profile:
    school: School
    context: list[tuple[str, Shown, str]]
    ofsted: list[OfstedOutcome]
    areas: list[tuple[str, list[Series]]]


def show(measure: Measure, value: Any) -> Shown:
    """A stored value as the page writes it: a code is named as what it means, never shown as 0."""
    if value.state != "value":
        return Shown(f"{STATE_LABELS[value.state]} ({value.code or 'blank'})")
    n = value.number
    if measure.unit == "date":
        return Shown(format_date(value.day))
    if n is None:
        return Shown(value.text or "None")
    if measure.unit == "percent":
        return Shown(f"{round(n, 1):g}%", n)
    if measure.unit == "progress":
        return Shown(f"{n:+g}", n)
    if measure.unit == "count":
        return Shown(f"{round(n):,}", n)
    if measure.unit == "grade":
        return Shown(f"{int(n)}: {GRADE_LABELS.get(int(n), '')}", n)
    return Shown(f"{n:g}", n)


def _phase_group(school: School) -> str:
    phase, kind = (school.phase or "").casefold(), (school.type_name or "").casefold()
    if "special" in phase or "special" in kind:
        return "special"
    if "secondary" in phase or "16 plus" in phase or "all-through" in phase or "all through" in phase:
        return "secondary"
    return "primary"


def school_profile(school: School) -> Profile:
    """Everything the school's profile page shows."""
    measures = {m.id: m for m in db.session.scalars(select(Measure).order_by(Measure.sort_order, Measure.id))}
    own: dict[tuple[int, str], MeasureValue] = {
        (v.measure_id, v.academic_year): v
        for v in db.session.scalars(select(MeasureValue).where(MeasureValue.school_id == school.id))}
    # The totals of the school's LA and of England, best-matching group first.
    preference = {g: i for i, g in enumerate((_phase_group(school), "state-funded", "all schools"))}
    totals: dict[tuple[str, int, str], tuple[int, MeasureValue, str]] = {}
    rows = db.session.execute(
        select(MeasureValue, Comparator.level, Comparator.school_group)
        .join(Comparator, Comparator.id == MeasureValue.comparator_id)
        .where(or_(Comparator.level == "national", and_(Comparator.level == "la", Comparator.la_code == school.la_code))))
    for value, level, group in rows:
        rank = preference.get(group, len(preference))
        key = (level, value.measure_id, value.academic_year)
        if key not in totals or rank < totals[key][0]:
            totals[key] = (rank, value, group)

    series_by_area: dict[str, list[Series]] = {}
    for measure in measures.values():
        if not measure.charted:
            continue
        years = sorted({y for (m, y) in own if m == measure.id})
        if not years:
            continue
        points, groups = [], {"la": "", "national": ""}
        for year in years:
            la = totals.get(("la", measure.id, year))
            england = totals.get(("national", measure.id, year))
            for level, found in (("la", la), ("national", england)):
                if found and not groups[level]:
                    groups[level] = found[2]
            points.append(Point(year, show(measure, own[measure.id, year]),
                                show(measure, la[1]) if la else None, show(measure, england[1]) if england else None))
        chart = line_chart(years, [
            ("This school", [p.school.number if p.school else None for p in points]),
            ("LA", [p.la.number if p.la else None for p in points]),
            ("England", [p.england.number if p.england else None for p in points])])
        series_by_area.setdefault(measure.area, []).append(Series(
            measure, points, chart, la_label=f"LA {school.la_code} ({groups['la']})" if groups["la"] else "LA",
            england_label=f"England ({groups['national']})" if groups["national"] else "England"))

    by_code = {m.code: m for m in measures.values()}
    context: list[tuple[str, Shown, str]] = []
    for code in CONTEXT_MEASURES:
        found = by_code.get(code)
        years = sorted(y for (m, y) in own if found is not None and m == found.id)
        if found is not None and years:
            context.append((found.label, show(found, own[found.id, years[-1]]), years[-1]))
    return Profile(school, context, _ofsted(by_code, own), list(series_by_area.items()))


_FRAMEWORKS = (
    ("Report card inspection", "OFSTED_INSPECTION_DATE", "OFSTED_PUBLICATION_DATE", "OFSTED_CATEGORY",
     ("OFSTED_RC_SAFEGUARDING", "OFSTED_RC_INCLUSION", "OFSTED_RC_CURRICULUM", "OFSTED_RC_ACHIEVEMENT",
      "OFSTED_RC_ATTENDANCE", "OFSTED_RC_PERSONAL", "OFSTED_RC_EARLY_YEARS", "OFSTED_RC_POST16",
      "OFSTED_RC_LEADERSHIP")),
    ("Graded inspection", "OFSTED_OEIF_DATE", "OFSTED_OEIF_PUBLICATION_DATE", "OFSTED_OEIF_CATEGORY",
     ("OFSTED_OE", "OFSTED_QE", "OFSTED_BA", "OFSTED_PD", "OFSTED_LM", "OFSTED_EY", "OFSTED_SIXTH",
      "OFSTED_SAFEGUARDING_EFFECTIVE")),
    ("Ungraded inspection", "OFSTED_UNGRADED_DATE", "", "", ("OFSTED_UNGRADED_OUTCOME",)),
)


def _ofsted(by_code: dict[str, Measure], own: dict[tuple[int, str], MeasureValue]) -> list[OfstedOutcome]:
    """The school's Ofsted inspections on record, newest first, each grade with its date."""
    def latest(code: str) -> MeasureValue | None:
        measure = by_code.get(code)
        found = [v for (m, _), v in own.items() if measure is not None and m == measure.id]
        return max(found, key=lambda v: v.academic_year) if found else None

    def in_year(code: str, year: str) -> MeasureValue | None:
        measure = by_code.get(code)
        return own.get((measure.id, year)) if measure is not None else None

    outcomes = []
    for title, date_code, published_code, category_code, grade_codes in _FRAMEWORKS:
        inspected = latest(date_code)
        if inspected is None or inspected.day is None:
            continue
        year = inspected.academic_year
        published = in_year(published_code, year) if published_code else None
        outcome = OfstedOutcome(title, inspected.day, published.day if published else None)
        category = in_year(category_code, year) if category_code else None
        if category is not None and category.state == "value" and category.text:
            outcome.grades.append(("Category of concern", category.text))
        for code in grade_codes:
            value = in_year(code, year)
            if value is not None and not (value.state == "not_applicable" and code != "OFSTED_OE"):
                outcome.grades.append((by_code[code].label, show(by_code[code], value).text))
        overall = in_year("OFSTED_OE", year) if title == "Graded inspection" else None
        if overall is not None and overall.code == "Not judged":
            outcome.note = ("Inspected from September 2024 to November 2025: sub-judgements only, "
                            "no overall grade")
        outcomes.append(outcome)
    outcomes.sort(key=lambda o: o.inspected or date.min, reverse=True)
    return outcomes


def profile_snapshot(school: School) -> dict[str, Any]:
    """The profile as it stands, as plain data to keep with a record (a Joint Review's
    "achievement and performance data"): later imports do not change what it says."""
    profile = school_profile(school)
    return {
        "ofsted": [{"title": o.title, "inspected": format_date(o.inspected) if o.inspected else "",
                    "grades": [list(g) for g in o.grades]} for o in profile.ofsted],
        "context": [[label, shown.text, year] for label, shown, year in profile.context],
        "measures": [{"area": area, "label": s.measure.label, "la_label": s.la_label,
                      "england_label": s.england_label,
                      "points": [[p.year, p.school.text if p.school else "", p.la.text if p.la else "",
                                  p.england.text if p.england else ""] for p in s.points]}
                     for area, series in profile.areas for s in series],
    }
