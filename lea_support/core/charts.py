"""Charts drawn as SVG by the project itself (no chart library), shared by the pages and the PDFs.

Every function takes plain data and returns Markup: every piece of text in it is escaped here, and
each chart carries a <title> that says in words what the picture shows (its alternative text; the
pages also give the figures as a table), so nothing is told by colour alone.

The pages run under a strict Content-Security-Policy: no `style` attribute and no script ever goes
in a chart. Shapes carry classes (`app-chart__*`, styled in assets/app.scss) and the same colours
as SVG presentation attributes, which the CSP allows and which WeasyPrint reads in the PDFs. Text
is at least 11 units high: drawn 1:1 in a PDF that is 8.25 pt, the smallest a printed chart uses.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

# GOV.UK colours; the RAG order is worst last, as the plan's summary reads.
BLUE = "#1d70b8"
TEXT = "#0b0c0c"
MUTED = "#505a5f"
GRID = "#b1b4b6"
TRACK = "#f3f2f1"
RAG_COLOURS = {"red": "#d4351c", "amber": "#f47738", "green": "#00703c", "complete": BLUE}
RAG_NAMES = {"red": "Red", "amber": "Amber", "green": "Green", "complete": "Complete"}
RAG_ORDER = ("complete", "green", "amber", "red")
SERIES_COLOURS = {"blue": BLUE, "green": "#00703c", "red": "#d4351c", "amber": "#f47738", "purple": "#4c2c92",
                  "grey": MUTED}
FONT_FAMILY = "Liberation Sans"  # the pages' Arial, by its metric-compatible open twin
FONT_SIZE = 11  # user units; 8.25 pt when drawn 1:1 in a PDF
ROW = 24


def num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def svg(width: int, height: int, title: str, body: list[str], *, css: str = "", desc: str = "") -> Markup:
    """The chart's <svg>: its size, its title (the alternative text), an optional <desc> (how to
    read it, or where its figures are) and the shapes in `body`, which the caller built from
    numbers, constants and text escaped by `text`."""
    classes = "chart app-chart" + (f" {css}" if css else "")
    described = f"<desc>{escape(desc)}</desc>" if desc else ""
    return Markup(  # nosec B704  # only numbers, constants and escaped text go in
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{classes}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family="{FONT_FAMILY}" font-size="{FONT_SIZE}">'
        f"<title>{escape(title)}</title>{described}{''.join(body)}</svg>")


def text(x: float, y: float, content: Any, *, anchor: str = "start", fill: str = TEXT, size: float | None = None,
         weight: str = "", css: str = "app-chart__text") -> str:
    extra = f' font-size="{num(max(size, FONT_SIZE))}"' if size else ""
    extra += f' font-weight="{weight}"' if weight else ""
    return (f'<text class="{css}" x="{num(x)}" y="{num(y)}" text-anchor="{anchor}" fill="{fill}"{extra}>'
            f"{escape(str(content))}</text>")


def rect(x: float, y: float, w: float, h: float, fill: str, css: str) -> str:
    return (f'<rect class="{css}" x="{num(x)}" y="{num(y)}" width="{num(max(w, 0))}" height="{num(h)}" '
            f'fill="{fill}"/>')


def clip(content: str, limit: int) -> str:
    return content if len(content) <= limit else content[: limit - 1].rstrip() + "…"


def stacked_bar(parts: list[tuple[str, int]], *, title: str, width: int = 660, height: int = 22) -> Markup | None:
    """One bar split into parts (colour key, count), in the order given; None when all are 0."""
    total = sum(n for _, n in parts)
    if total == 0:
        return None
    body: list[str] = []
    x = 0.0
    for key, n in parts:
        if n:
            w = width * n / total
            body.append(rect(x, 0, w, height, RAG_COLOURS.get(key, SERIES_COLOURS.get(key, BLUE)),
                             f"app-chart__bar app-chart__bar--{key}"))
            x += w
    return svg(width, height, title, body)


@dataclass
class BarRow:
    """One row of a bar chart: its label, its parts (value, colour key), an optional `of` drawn as
    a pale track behind them (the whole the parts are a share of), and the figures in words."""

    label: str
    parts: list[tuple[float, str]]
    words: str
    of: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(v for v, _ in self.parts)


def bar_rows(rows: list[BarRow], *, title: str, width: int = 660, label_width: int = 170,
             words_width: int = 150, desc: str = "", css: str = "") -> Markup | None:
    """Horizontal bars, one row each, on one scale (the largest value or `of`): the label on the
    left, the figures in words on the right. None when there are no rows."""
    if not rows:
        return None
    scale = max([max(r.total, r.of or 0) for r in rows] + [1])
    plot = width - label_width - words_width - 8
    body: list[str] = []
    chars = max(8, label_width // 6)
    for i, row in enumerate(rows):
        y = i * ROW + 4
        body.append(text(label_width - 6, y + 12, clip(row.label, chars), anchor="end"))
        if row.of:
            body.append(rect(label_width, y, plot * row.of / scale, 16, TRACK, "app-chart__track"))
        x = float(label_width)
        for value, key in row.parts:
            w = plot * value / scale
            body.append(rect(x, y, w, 16, SERIES_COLOURS.get(key, RAG_COLOURS.get(key, BLUE)),
                             f"app-chart__bar app-chart__bar--{key}"))
            x += w
        body.append(text(label_width + plot + 8, y + 12, row.words, fill=MUTED, css="app-chart__text app-chart__muted"))
    return svg(width, len(rows) * ROW + 4, title, body, desc=desc, css=css)
