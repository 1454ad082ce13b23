"""Small line charts of a measure over the years, laid out here and drawn by the template as inline
SVG (no script, no style attribute: the page's CSP allows neither)."""
from __future__ import annotations

from dataclasses import dataclass, field

WIDTH, HEIGHT = 320, 140
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 26
# The school, its LA, England: GOV.UK blue, orange and dark grey, told apart by dash as well as colour.
STYLES = (("#1d70b8", ""), ("#f47738", "6 3"), ("#505a5f", "2 3"))


@dataclass
class Line:
    name: str
    colour: str
    dash: str
    segments: list[str] = field(default_factory=list)   # SVG points lists; a gap in the data breaks the line
    dots: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class Chart:
    width: int
    height: int
    lines: list[Line]
    y_labels: list[tuple[float, str]]
    x_labels: list[tuple[float, str]]
    baseline: float


def _label(n: float) -> str:
    return f"{round(n, 1):g}"


def line_chart(years: list[str], series: list[tuple[str, list[float | None]]]) -> Chart | None:
    """The chart of these series over these years, or None when there is no number to draw."""
    numbers = [n for _, values in series for n in values if n is not None]
    if not numbers or not years:
        return None
    low, high = min(numbers), max(numbers)
    if low == high:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.1
    low, high = low - pad, high + pad
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / (len(years) - 1) if len(years) > 1 else 0

    def x(i: int) -> float:
        return round(LEFT + (i * step if len(years) > 1 else plot_w / 2), 1)

    def y(n: float) -> float:
        return round(TOP + plot_h * (high - n) / (high - low), 1)

    lines = []
    for (name, values), (colour, dash) in zip(series, STYLES, strict=False):
        line = Line(name, colour, dash)
        run: list[str] = []
        for i, n in enumerate(values):
            if n is None:
                if len(run) > 1:
                    line.segments.append(" ".join(run))
                run = []
                continue
            run.append(f"{x(i)},{y(n)}")
            line.dots.append((x(i), y(n)))
        if len(run) > 1:
            line.segments.append(" ".join(run))
        lines.append(line)
    top, bottom = high - pad, low + pad
    return Chart(WIDTH, HEIGHT, lines, y_labels=[(y(top), _label(top)), (y(bottom), _label(bottom))],
                 x_labels=[(x(i), year[2:]) for i, year in enumerate(years)], baseline=TOP + plot_h)
