"""What the published Joint LEA/School Review report is made from: the report as plain data
(stored with its PDF, shown on the report page and handed to the PDF template; the renderer is never
handed ORM objects), its title, author and file name, and the PDF made from it. The rules for
publishing are in reporting.py."""
from __future__ import annotations

from datetime import date
from typing import Any

from ..casework.documents import service_name
from ..core.terms import format_date
from ..pdf import render_pdf
from .models import FINDING_KINDS, TEAM_ROLES, JointReview

REPORT_PDF_TEMPLATE = "reviews/report_pdf.html"


def review_dates(review: JointReview) -> str:
    """The days of the review, as printed: "3 March 2026", or "3 March 2026 to 5 March 2026"."""
    if review.ends_on and review.ends_on != review.starts_on:
        return f"{format_date(review.starts_on)} to {format_date(review.ends_on)}"
    return format_date(review.starts_on)


def report_content(review: JointReview, *, version: int, reason: str, published_on: date) -> dict[str, Any]:
    """The report as plain data (strings, numbers, lists, dicts): stored with the PDF, shown on
    the report page, and handed to the PDF template. Labels are read from the review's own scale."""
    school, scale = review.school, review.scale
    evaluations = {e.aspect_id: e for e in review.evaluations}
    aspect_names = {a.id: a.name for a in review.framework.aspects}
    aspects = []
    for aspect in review.framework.aspects:
        evaluation = evaluations[aspect.id]
        aspects.append({"code": aspect.code, "name": aspect.name, "grade": evaluation.agreed_grade,
                        "label": scale.label(evaluation.agreed_grade), "rationale": evaluation.rationale,
                        "school_disagreed": evaluation.school_disagreed, "school_view": evaluation.school_view})
    findings: dict[str, list[dict[str, Any]]] = {kind: [] for kind in FINDING_KINDS}
    for finding in sorted(review.findings, key=lambda f: (f.kind, f.position, f.id)):
        findings[finding.kind].append({"id": finding.id, "text": finding.text,
                                       "aspect": aspect_names.get(finding.aspect_id, "") if finding.aspect_id else ""})
    return {
        "version": version,
        "reason": reason,
        "published_on": published_on.isoformat(),
        "published_on_text": format_date(published_on),
        "school": {"name": school.name, "urn": school.urn, "la_name": school.la_name},
        "review_id": review.id,
        "starts_on": review.starts_on.isoformat(),
        "ends_on": review.ends_on.isoformat() if review.ends_on else None,
        "dates": review_dates(review),
        "lead": review.lead.name,
        "team": [{"name": m.display_name, "role": TEAM_ROLES.get(m.team_role, m.team_role),
                  "job_title": m.job_title or ""} for m in review.team],
        "scale": {"id": scale.id, "name": scale.name, "version": scale.version,
                  "grades": [{"grade": g.grade, "label": g.label} for g in scale.grades]},
        "framework": {"id": review.framework.id, "name": review.framework.name, "version": review.framework.version},
        "aspects": aspects,
        "overall": {"grade": review.overall_grade, "label": scale.label(review.overall_grade),
                    "rationale": review.overall_rationale},
        "findings": {"works_well": findings["works_well"], "more_effective": findings["more_effective"]},
        "disagreements": [{"aspect": a["name"], "agreed": f"{a['grade']} ({a['label']})", "school_view": a["school_view"]}
                          for a in aspects if a["school_disagreed"]],
    }


def report_title(content: dict[str, Any]) -> str:
    return f"Joint LEA/School Review: {content['school']['name']}, {content['dates']}"


def report_author(content: dict[str, Any]) -> str:
    return f"{content['lead']}, {service_name(content['school']['la_name'])}"


def report_filename(content: dict[str, Any]) -> str:
    return f"joint-review-{content['school']['urn']}-{content['starts_on']}-v{content['version']}.pdf"


def render_report_pdf(content: dict[str, Any]) -> bytes:
    """The report's PDF, made from its plain data."""
    return render_pdf(REPORT_PDF_TEMPLATE, title=report_title(content), author=report_author(content),
                      context={"report": content})
