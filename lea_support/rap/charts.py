"""The chart on the plan's page: its actions' RAG status over time, drawn with the shared bar chart
(core/charts.py).

RAG is derived, never stored (`models.rag_status`), so the past is worked out again: each action's
status on a day is read from the kept status changes (`ActionUpdate`: every change of status on an
agreed plan is one) and judged against its dates as they stood that day. The plan is looked at on
the day it was agreed, at the end of each month after, and today (or the day a later version was
agreed, for a superseded one). Dropped actions are left out, as the governor report leaves them out.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup
from sqlalchemy import select

from ..core.charts import RAG_NAMES, RAG_ORDER, BarRow, bar_rows
from ..core.terms import LOCAL_TZ, format_date
from ..extensions import db
from .models import ActionUpdate, PlanAction, RaisingAchievementPlan, rag_status

MAX_POINTS = 13  # a year of month ends, and the day it was agreed


@dataclass
class RagPoint:
    day: date
    label: str  # "Agreed", "End of October 2026", "Today"...
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def words(self) -> str:
        return ", ".join(f"{self.counts[k]} {RAG_NAMES[k].lower()}" for k in RAG_ORDER)


@dataclass
class RagChart:
    svg: Markup
    points: list[RagPoint]
    keys: tuple[str, ...] = RAG_ORDER
    names: dict[str, str] = field(default_factory=lambda: dict(RAG_NAMES))


def _month_ends(after: date, before: date) -> list[date]:
    """The last day of each month strictly between two days."""
    days = []
    year, month = after.year, after.month
    while True:
        last = date(year, month, calendar.monthrange(year, month)[1])
        if last >= before:
            return days
        if last > after:
            days.append(last)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def rag_points(plan: RaisingAchievementPlan, versions: list[RaisingAchievementPlan], today: date) -> list[RagPoint]:
    """The plan's actions by RAG status on each day looked at (see the module's docstring); no
    points for a plan not yet agreed. One query: the status changes of the plan's actions."""
    if plan.agreed_on is None or plan.status not in ("agreed", "superseded"):
        return []
    actions: list[PlanAction] = [a for o in plan.objectives for a in o.actions]
    if not actions:
        return []
    end, end_label = today, "Today"
    if plan.status == "superseded":
        later = sorted(v.agreed_on for v in versions if v.version > plan.version and v.agreed_on is not None)
        if later:
            end, end_label = min(later[0], today), f"Superseded, {format_date(later[0])}"
    end = max(end, plan.agreed_on)
    changes: dict[int, list[tuple[date, str, str]]] = {a.id: [] for a in actions}
    for action_id, moment, status_from, status_to in db.session.execute(
            select(ActionUpdate.action_id, ActionUpdate.updated_at, ActionUpdate.status_from, ActionUpdate.status_to)
            .where(ActionUpdate.action_id.in_(list(changes)), ActionUpdate.status_from != ActionUpdate.status_to)
            .order_by(ActionUpdate.updated_at, ActionUpdate.id)):
        changes[action_id].append((moment.astimezone(LOCAL_TZ).date(), status_from, status_to))

    def status_on(action: PlanAction, day: date) -> str:
        history = changes[action.id]
        before = [to for when, _from, to in history if when <= day]
        if before:
            return before[-1]
        return history[0][1] if history else action.status

    days = [(plan.agreed_on, f"Agreed, {format_date(plan.agreed_on)}")]
    days += [(d, f"End of {format_date(d, 'month')}") for d in _month_ends(plan.agreed_on, end)]
    if end > plan.agreed_on:
        days.append((end, end_label))
    if len(days) > MAX_POINTS:  # keep the day it was agreed and the latest months
        days = days[:1] + days[-(MAX_POINTS - 1):]
    points = []
    for day, label in days:
        counts = dict.fromkeys(RAG_ORDER, 0)
        for action in actions:
            status = status_on(action, day)
            if status != "dropped":
                counts[rag_status(status, action.starts_on, action.due_on, day)] += 1
        points.append(RagPoint(day, label, counts))
    return points


def rag_chart(plan: RaisingAchievementPlan, versions: list[RaisingAchievementPlan],
              today: date | None = None) -> RagChart | None:
    """The chart of `rag_points`, one stacked bar a day looked at; None when there is nothing to draw."""
    points = [p for p in rag_points(plan, versions, today or date.today()) if p.total]
    if not points:
        return None
    rows = [BarRow(p.label, [(p.counts[k], k) for k in RAG_ORDER], f"{p.total} action{'' if p.total == 1 else 's'}")
            for p in points]
    words = "; ".join(f"{p.label}: {p.words}" for p in points)
    svg = bar_rows(rows, title=f"The plan's actions by RAG status over time: {words}",
                   desc="Each bar is the plan's actions on that day, split into complete, green, amber and red.",
                   width=480, label_width=170, words_width=80, css="app-chart--page")
    assert svg is not None
    return RagChart(svg, points)

