"""Charts for PDFs, drawn as inline SVG by the project itself (no chart library): a RAG summary
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

from markupsafe import Markup, escape

from ..core.terms import format_date

# GOV.UK colours; the RAG order is worst first, as people read it.
RAG_COLOURS = {"red": "#d4351c", "amber": "#f47738", "green": "#00703c", "complete": "#1d70b8"}
RAG_NAMES = {"red": "Red", "amber": "Amber", "green": "Green", "complete": "Complete"}
RAG_ORDER = ("complete", "green", "amber", "red")
TEXT = "#0b0c0c"
MUTED = "#505a5f"
GRID = "#b1b4b6"
FONT = 'font-family="Liberation Sans, Arial, sans-serif"'


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _svg(width: int, height: int, title: str, body: list[str]) -> Markup:
    # The text is escaped piece by piece as the body is built; the title here.
    return Markup(  # nosec B704  # only numbers, constants and escaped text go in
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" {FONT} font-size="9">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>")


def _text(x: float, y: float, content: Any, *, anchor: str = "start", fill: str = TEXT, size: float | None = None,
          weight: str = "") -> str:
    extra = f' font-size="{_num(size)}"' if size else ""
    extra += f' font-weight="{weight}"' if weight else ""
    return (f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" fill="{fill}"{extra}>'
            f"{escape(str(content))}</text>")


def rag_summary(counts: dict[str, int], *, width: int = 660) -> Markup | None:
    """One stacked bar of the plan's actions by RAG status. The counts are in its title and, as
    text, in the legend the template puts beside it (text in SVG is slow to lay out)."""
    total = sum(counts.get(k, 0) for k in RAG_ORDER)
    if total == 0:
        return None
    words = ", ".join(f"{counts.get(k, 0)} {RAG_NAMES[k].lower()}" for k in RAG_ORDER)
    body: list[str] = []
    x = 0.0
    for key in RAG_ORDER:
        n = counts.get(key, 0)
        if n:
            w = width * n / total
            body.append(f'<rect x="{_num(x)}" y="0" width="{_num(w)}" height="22" fill="{RAG_COLOURS[key]}"/>')
            x += w
    return _svg(width, 22, f"The plan's {total} actions by RAG status: {words}", body)


def judgement_bar(grade: int | None, label: str, previous_grade: int | None = None, previous_label: str = "",
                  *, grades: int = 7, width: int = 260) -> Markup | None:
    """One aspect's row of the judgement profile: the longer the bar, the better the judgement (1,
    excellent, is the longest on the 7-point scale); the earlier review's judgement, where there is
    one, as a thin grey bar beneath. The aspect's name and grade are text beside it."""
    if not grade:
        return None
    title = f"{grade} {label}" + (f", previously {previous_grade} {previous_label}" if previous_grade else "")
    body = [f'<rect x="0" y="1" width="{_num(width * (grades + 1 - grade) / grades)}" height="10" fill="#1d70b8"/>']
    if previous_grade:
        body.append(f'<rect x="0" y="13" width="{_num(width * (grades + 1 - previous_grade) / grades)}" height="4" '
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
    left, right, top, row = 90, 10, 6, 16
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
    body.append(f'<path d="{" ".join(path)}" fill="none" stroke="#1d70b8" stroke-width="2.5"/>')
    for p in points:
        body.append(f'<circle cx="{_num(x_of(date.fromisoformat(p["date"])))}" cy="{_num(y_of(p["level"]))}" r="3" '
                    'fill="#1d70b8"/>')
    axis_y = top + row * 4 + 14
    body.append(_text(left, axis_y, _month(start), fill=MUTED))
    body.append(_text(width - right, axis_y, _month(end), anchor="end", fill=MUTED))
    steps = "; ".join(f"from {p['date_text']}, level {p['level']} ({p['tier_name']})" for p in points)
    return _svg(width, height, f"Support level over time: {steps}", body)


def _month(day: date) -> str:
    return format_date(day, "month")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
