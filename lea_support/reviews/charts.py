"""The chart on the school's review history page: the overall judgement of each published review,
drawn with the shared bar chart (core/charts.py) from the figures the page already has."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from ..core.charts import BarRow, bar_rows
from ..core.terms import format_date

GRADES = 7  # the 7-point scale: 1 excellent, 7 very poor (grades are checked 1-7 in the database)
HOW_TO_READ = ("Judgements are on the 7-point scale, where 1 is excellent and 7 is very poor: "
               "the longer the bar, the better the judgement.")


@dataclass
class JudgementPoint:
    dates: str
    month: str  # the chart's row label; the table gives the dates in full
    grade: int
    label: str


@dataclass
class JudgementsChart:
    svg: Markup
    points: list[JudgementPoint]
    how_to_read: str = HOW_TO_READ


def judgements_chart(history: dict[str, Any], *, published_only: bool) -> JudgementsChart | None:
    """The overall judgement of each published review, oldest first (from
    `reporting.school_review_history`, so no query of its own); None when no published review has one."""
    points = [JudgementPoint(c["dates"], format_date(c["starts_on"], "month"), c["overall"]["grade"], c["overall"].get("label") or "")
              for c in history["columns"]
              if (published_only or c["stage"] == "Published") and (c.get("overall") or {}).get("grade")]
    if not points:
        return None
    words = "; ".join(f"{p.dates}: {p.grade}" + (f" ({p.label})" if p.label else "") for p in points)
    chart = bar_rows(
        [BarRow(p.month, [(GRADES + 1 - p.grade, "blue")], f"{p.grade} – {p.label}" if p.label else str(p.grade),
                of=GRADES) for p in points],
        title=f"Overall judgement of each published review, oldest first: {words}",
        desc=HOW_TO_READ, width=480, label_width=150, words_width=150, css="app-chart--page")
    assert chart is not None
    return JudgementsChart(chart, points)
