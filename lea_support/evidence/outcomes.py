"""Success criteria measured by the national data: a criterion of a Raising Achievement Plan bound
to a measure takes its baseline from the data and a target; when newer data arrive its actual value
is filled in and it is marked met or not met. Criteria without a measure are recorded by the SIA at
the mid-point review. "N of M success criteria met" is counted here for the mid-point review and the
governor report."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select, update

from ..core.errors import DomainError
from ..extensions import db
from ..rap.models import PlanObjective, RaisingAchievementPlan, SuccessCriterion
from .models import Measure, MeasureValue
from .services import show


def _met(measure: Measure, actual: float, target: float) -> bool:
    return actual <= target if measure.higher_is_better is False else actual >= target


def _latest_values(school_id: int) -> Any:
    """The school's latest numeric value of each measure (a subquery: school, measure, year)."""
    return (select(MeasureValue.measure_id, func.max(MeasureValue.academic_year).label("year"))
            .where(MeasureValue.school_id == school_id, MeasureValue.state == "value",
                   MeasureValue.number.is_not(None))
            .group_by(MeasureValue.measure_id).subquery())


@dataclass
class BindingChoice:
    code: str
    label: str
    baseline: str  # the baseline as binding would take it: the latest value and its year

    @property
    def text(self) -> str:
        return f"{self.label} (baseline {self.baseline})"


def binding_choices(school_id: int) -> list[BindingChoice]:
    """The measures a criterion of the school's plan can be bound to: those with a number held for
    the school, each with the baseline binding would take (one query)."""
    latest = _latest_values(school_id)
    rows = db.session.execute(
        select(Measure, MeasureValue)
        .join(latest, latest.c.measure_id == Measure.id)
        .join(MeasureValue, and_(MeasureValue.school_id == school_id, MeasureValue.measure_id == Measure.id,
                                 MeasureValue.academic_year == latest.c.year))
        .order_by(Measure.sort_order, Measure.id)).all()
    return [BindingChoice(m.code, m.label, f"{show(m, v).text}, {v.academic_year}") for m, v in rows]


def parse_target(text: str | None) -> float:
    """A target as typed: a number, a percentage may keep its sign ("65" or "65%")."""
    cleaned = (text or "").strip().removesuffix("%").replace(",", "").strip()
    if not cleaned:
        raise DomainError("Enter the target", field="target")
    try:
        value = float(cleaned)
    except ValueError:
        raise DomainError("Enter the target as a number, for example 65", field="target") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise DomainError("Enter the target as a number, for example 65", field="target")
    return value


def bind_criterion(criterion: SuccessCriterion, school_id: int, measure_code: str, target: float) -> SuccessCriterion:
    """Bind a criterion to a measure: its baseline is the school's latest value of it, and its
    target is written as the measure writes its values."""
    measure = db.session.scalar(select(Measure).where(Measure.code == (measure_code or "").strip().upper()))
    if measure is None:
        raise DomainError("Choose a measure of the catalogue", field="measure")
    latest = db.session.scalars(
        select(MeasureValue).where(MeasureValue.school_id == school_id, MeasureValue.measure_id == measure.id,
                                   MeasureValue.state == "value", MeasureValue.number.is_not(None))
        .order_by(MeasureValue.academic_year.desc()).limit(1)).first()
    criterion.measure_id, criterion.target_value = measure.id, float(target)
    criterion.target = show(measure, _Shown(float(target))).text
    criterion.baseline_value = latest.number if latest else None
    criterion.baseline_year = latest.academic_year if latest else ""
    criterion.baseline = f"{show(measure, latest).text} ({latest.academic_year})" if latest else "No data held"
    criterion.actual, criterion.actual_value, criterion.actual_year, criterion.met = "", None, "", None
    criterion.met_source = ""
    return criterion


def measure_criteria() -> int:
    """Fill in every bound criterion whose school has a value newer than its baseline: the actual
    value and met / not met. One query for all of them; returns how many changed."""
    latest = (select(MeasureValue.school_id, MeasureValue.measure_id,
                     func.max(MeasureValue.academic_year).label("year"))
              .where(MeasureValue.school_id.is_not(None), MeasureValue.state == "value",
                     MeasureValue.number.is_not(None))
              .group_by(MeasureValue.school_id, MeasureValue.measure_id).subquery())
    rows = db.session.execute(
        select(SuccessCriterion.id, SuccessCriterion.target_value, SuccessCriterion.actual_year,
               SuccessCriterion.actual_value, MeasureValue.number, MeasureValue.academic_year, Measure)
        .join(PlanObjective, PlanObjective.id == SuccessCriterion.objective_id)
        .join(RaisingAchievementPlan, RaisingAchievementPlan.id == PlanObjective.plan_id)
        .join(Measure, Measure.id == SuccessCriterion.measure_id)
        .join(latest, and_(latest.c.school_id == RaisingAchievementPlan.school_id,
                           latest.c.measure_id == SuccessCriterion.measure_id))
        .join(MeasureValue, and_(MeasureValue.school_id == latest.c.school_id,
                                 MeasureValue.measure_id == latest.c.measure_id,
                                 MeasureValue.academic_year == latest.c.year))
        .where(SuccessCriterion.measure_id.is_not(None), SuccessCriterion.target_value.is_not(None),
               latest.c.year > SuccessCriterion.baseline_year)).all()
    changes = []
    for cid, target, year_was, value_was, number, year, measure in rows:
        if (year_was, value_was) == (year, number):
            continue
        changes.append({"id": cid, "actual_value": number, "actual_year": year, "met": _met(measure, number, target),
                        "actual": f"{show(measure, _Shown(number)).text} ({year})", "met_source": "data"})
    if changes:
        db.session.execute(update(SuccessCriterion), changes)
    return len(changes)


@dataclass
class _Shown:
    number: float
    state: str = "value"
    code: str = ""
    text: str | None = None
    day: Any = None


def record_outcome(criterion: SuccessCriterion, *, actual: str, met: bool) -> SuccessCriterion:
    """The SIA's actual value and met / not met for a criterion without a measure (mid-point review)."""
    if criterion.measure_id is not None:
        raise DomainError("This criterion is measured from the data", field="actual")
    if not (actual or "").strip():
        raise DomainError("Enter the actual value", field="actual")
    criterion.actual, criterion.met, criterion.met_source = actual.strip()[:200], met, "sia"
    return criterion


@dataclass
class CriteriaMet:
    met: int
    total: int
    improvements: list[str]  # measured improvements on the baseline, for "Celebrating progress"

    @property
    def text(self) -> str:
        return f"{self.met} of {self.total} success criteria met"


def criteria_met(plan_id: int) -> CriteriaMet:
    """How many of the plan's success criteria are met, and the measured improvements (one query)."""
    rows = db.session.execute(
        select(SuccessCriterion, Measure).outerjoin(Measure, Measure.id == SuccessCriterion.measure_id)
        .join(PlanObjective, PlanObjective.id == SuccessCriterion.objective_id)
        .where(PlanObjective.plan_id == plan_id).order_by(PlanObjective.position, SuccessCriterion.id)).all()
    improvements = []
    for criterion, measure in rows:
        if measure is None or criterion.actual_value is None or criterion.baseline_value is None:
            continue
        better = (criterion.actual_value < criterion.baseline_value if measure.higher_is_better is False
                  else criterion.actual_value > criterion.baseline_value)
        if better:
            improvements.append(f"{measure.label}: {criterion.baseline} to {criterion.actual}")
    return CriteriaMet(sum(1 for c, _ in rows if c.met), len(rows), improvements)
