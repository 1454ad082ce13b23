"""The governor report's charts, drawn with the shared drawing in core/charts.py: a RAG summary
bar, a judgement profile on the 7-point scale, and a school's support level over time.

Each function takes plain data and returns Markup: every piece of text in it is escaped here,
and each chart carries a <title> (its alternative text in the tagged PDF) that says in words
what the picture shows, so nothing is told by colour alone. Labels that can sit beside a chart
are left to the template as ordinary text: WeasyPrint lays out SVG text far more slowly, and
most of a report's render time went on it.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from markupsafe import Markup

from ..core.charts import BLUE, GRID, MUTED, RAG_COLOURS, RAG_NAMES, RAG_ORDER, num, stacked_bar, svg, text
from ..core.terms import format_date

__all__ = ["RAG_COLOURS", "judgement_bar", "judgement_profile", "rag_summary", "tier_history"]
_num, _svg, _text = num, svg, text


def rag_summary(counts: dict[str, int], *, width: int = 660) -> Markup | None:
    """One stacked bar of the plan's actions by RAG status. The counts are in its title and, as
    text, in the legend the template puts beside it (text in SVG is slow to lay out)."""
    total = sum(counts.get(k, 0) for k in RAG_ORDER)
    words = ", ".join(f"{counts.get(k, 0)} {RAG_NAMES[k].lower()}" for k in RAG_ORDER)
    return stacked_bar([(k, counts.get(k, 0)) for k in RAG_ORDER], width=width,
                       title=f"The plan's {total} actions by RAG status: {words}")


def judgement_bar(grade: int | None, label: str, previous_grade: int | None = None, previous_label: str = "",
                  *, grades: int = 7, width: int = 260) -> Markup | None:
    """One aspect's row of the judgement profile: the longer the bar, the better the judgement (1,
    excellent, is the longest on the 7-point scale); the earlier review's judgement, where there is
    one, as a thin grey bar beneath. The aspect's name and grade are text beside it."""
    if not grade:
        return None
    title = f"{grade} {label}" + (f", previously {previous_grade} {previous_label}" if previous_grade else "")
    body = [f'<rect class="app-chart__bar" x="0" y="1" width="{_num(width * (grades + 1 - grade) / grades)}" '
            f'height="10" fill="{BLUE}"/>']
    if previous_grade:
        body.append(f'<rect class="app-chart__track" x="0" y="13" width="{_num(width * (grades + 1 - previous_grade) / grades)}" height="4" '
                    f'fill="{MUTED}"/>')
    return _svg(width, 18, title, body)


def judgement_profile(aspects: list[dict[str, Any]], *, grades: int = 7) -> list[dict[str, Any]]:
    """The rows of the judgement profile: each aspect's name and judgements, and its bar."""
    return [{"name": a["name"], "grade": a["grade"], "label": a["label"], "previous_grade": a.get("previous_grade"),
             "previous_label": a.get("previous_label", ""),
             "bar": judgement_bar(a["grade"], a["label"], a.get("previous_grade"), a.get("previous_label", ""),
                                  grades=grades)}
            for a in aspects]


def tier_history(points: list[dict[str, Any]], *, start: date, end: date, width: int = 660) -> Markup | None:
    """The school's level of support (1 to 5) over time, as steps: each point is a decision
    (date, level, tier name), the last one holding until `end`."""
    if not points or end <= start:
        return None
    left, right, top, row = 90, 10, 8, 18
    plot_w = width - left - right
    height = top + row * 4 + 20
    span = (end - start).days

    def x_of(day: date) -> float:
        return left + plot_w * max(0, min(span, (day - start).days)) / span

    def y_of(level: int) -> float:
        return top + row * (5 - level)

    body: list[str] = []
    for level in range(1, 6):
        y = y_of(level)
        body.append(f'<line x1="{left}" y1="{_num(y)}" x2="{width - right}" y2="{_num(y)}" stroke="{GRID}" '
                    'stroke-width="0.5"/>')
        body.append(_text(left - 6, y + 3, f"Level {level}", anchor="end", fill=MUTED))
    path: list[str] = []
    for i, p in enumerate(points):
        day = date.fromisoformat(p["date"])
        x, y = x_of(day), y_of(p["level"])
        path.append(f"M{_num(x)} {_num(y)}" if i == 0 else f"H{_num(x)} V{_num(y)}")
    path.append(f"H{_num(x_of(end))}")
    body.append(f'<path d="{" ".join(path)}" fill="none" stroke="{BLUE}" stroke-width="2.5"/>')
    for p in points:
        body.append(f'<circle cx="{_num(x_of(date.fromisoformat(p["date"])))}" cy="{_num(y_of(p["level"]))}" r="3" '
                    f'fill="{BLUE}"/>')
    axis_y = top + row * 4 + 14
    body.append(_text(left, axis_y, _month(start), fill=MUTED))
    body.append(_text(width - right, axis_y, _month(end), anchor="end", fill=MUTED))
    steps = "; ".join(f"from {p['date_text']}, level {p['level']} ({p['tier_name']})" for p in points)
    return _svg(width, height, f"Support level over time: {steps}", body)


def _month(day: date) -> str:
    return format_date(day, "month")
