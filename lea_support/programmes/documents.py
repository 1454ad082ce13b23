"""The programme report for the committee or funder, as plain data for the PDF renderer
(lea_support.pdf): headline figures, attendance, reviewer days, progress from the baseline on each
criterion (with an SVG chart from core.charts) and each school's progress, and the latest returns."""
from __future__ import annotations

from datetime import date
from typing import Any

from markupsafe import Markup

from ..core.charts import BarRow, bar_rows
from ..core.terms import format_date, format_days
from ..pdf import PdfDocument, render_pdf
from . import services
from .models import LEVELS, Programme

REPORT_TEMPLATE = "programmes/pdf/report.html"


def _mean(value: float | None) -> str:
    return f"{value:.1f}" if value is not None else "Not yet"


def progress_chart(lines: list[services.CriterionProgress], *, width: int = 660) -> Markup | None:
    """Each criterion's mean level at the baseline (grey) and the progress since (green), on the
    1 to 4 scale; None when no school has both a baseline and a review."""
    rows = []
    for n, line in enumerate(lines, start=1):
        if line.baseline is None or line.latest is None:
            continue
        gain = max(line.latest - line.baseline, 0.0)
        parts = [(min(line.baseline, line.latest), "grey"), (gain, "green")]
        rows.append(BarRow(f"{n}. {line.criterion.text}", parts,
                           f"{line.baseline:.1f} to {line.latest:.1f} ({line.schools} schools)", of=4))
    return bar_rows(rows, title="Progress from the baseline on each criterion: " + "; ".join(
        r.words for r in rows), width=width, label_width=230, words_width=150,
        desc="Each bar is the mean level across the schools reviewed, on the scale 1 (not yet in place) to 4 "
             "(embedded): grey is the mean at the baseline, green the progress made since.")


def programme_report(programme: Programme, today: date | None = None) -> dict[str, Any]:
    """The report's title, file name and content (plain data, never ORM objects)."""
    term = services.current_return_term(programme, today)
    lines = services.school_lines(programme, term)
    figures = services.programme_figures(programme)
    criteria = services.progress_by_criterion(programme, {line.enrolment.id: line.progress for line in lines})
    summary = services.returns_summary(programme, term, answers_limit=0)
    chart = progress_chart(criteria)
    return {
        "title": f"Programme report: {programme.name}",
        "filename": f"programme-report-{programme.id}-{(today or date.today()).isoformat()}.pdf",
        "content": {
            "name": programme.name,
            "aims": programme.aims,
            "funder": programme.funder,
            "dates": f"{format_date(programme.starts_on)} to {format_date(programme.ends_on)}",
            "participant_title": programme.participant_title,
            "made_on": format_date(today or date.today()),
            "schools": figures.schools,
            "participants": figures.participants,
            "sessions": figures.sessions,
            "mandatory_sessions": figures.mandatory_sessions,
            "attendance_rate": figures.rate(figures.attendance),
            "mandatory_rate": figures.rate(figures.mandatory_attendance),
            "absences_open": figures.absences_open,
            "capacity": format_days(figures.capacity) or "0",
            "assigned": format_days(figures.assigned) or "0",
            "used": format_days(figures.used) or "0",
            "reviews_done": figures.reviews_done,
            "levels": [f"{n} {label}" for n, label in LEVELS.items()],
            "chart": chart or "",
            "criteria": [{"number": n, "text": c.criterion.text, "baseline": _mean(c.baseline),
                          "latest": _mean(c.latest), "schools": c.schools} for n, c in enumerate(criteria, start=1)],
            "school_lines": [{"name": line.enrolment.school.name, "urn": line.enrolment.school.urn,
                              "participants": line.participants, "reviews": line.reviews_done,
                              "baseline": _mean(line.progress.baseline_mean), "latest": _mean(line.progress.latest_mean),
                              "return": {"submitted": "Submitted", "draft": "Started"}.get(line.return_status or "",
                                                                                         "Not started")}
                             for line in lines],
            "term": term.label,
            "returns_submitted": summary.submitted,
            "returns_schools": summary.schools,
            "questions": [{"text": q.question.text,
                           "levels": [f"{LEVELS[n]}: {q.levels.get(n, 0)}" for n in LEVELS] if q.question.kind == "level"
                           else []} for q in summary.questions],
        },
    }


def programme_report_pdf(programme: Programme) -> PdfDocument:
    document = programme_report(programme)
    data = render_pdf(REPORT_TEMPLATE, title=document["title"], author="LEA Support", context={"doc": document["content"]})
    return PdfDocument(data, document["filename"])
