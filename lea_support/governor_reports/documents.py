"""Documents made through the same renderer from plain data (a title, an author, a file name and
the content): `render` and `render_stored` for them, and, until it moves to the rap area, the
Raising Achievement Plan. (The governor report's own PDF is made in services.py; the Annual Support
Allocation letter is the schools area's, schools/documents.py.)"""
from __future__ import annotations

from typing import Any

from ..casework.documents import service_name
from ..core.terms import format_date, format_days, term_label
from ..pdf import render_pdf
from ..rap.models import RaisingAchievementPlan
from ..rap.services import midpoint_review_date

PLAN_TEMPLATE = "governor_reports/plan_pdf.html"
def render(document: dict[str, Any]) -> bytes:
    return render_pdf(document["template"], title=document["title"], author=document["author"],
                      context={"doc": document["content"]})


def render_stored(document: dict[str, Any], kind: str, object_id: int) -> bytes:
    """As `render`, for a document that can no longer change: made once, then served from the store."""
    from ..pdf.stored import stored_pdf

    return stored_pdf(kind, object_id, document["template"], title=document["title"], author=document["author"],
                      context={"doc": document["content"]})


# --- the Raising Achievement Plan -------------------------------------------------------------------------


def plan_document(plan: RaisingAchievementPlan) -> dict[str, Any]:
    """The plan's page as a document: what it sets out, who agreed it, its objectives, success
    criteria, actions and adviser time."""
    from ..rap.services import load_plan

    plan = load_plan(plan.id) or plan
    school = plan.school
    return {
        "template": PLAN_TEMPLATE,
        "title": f"Raising Achievement Plan: {school.name}, version {plan.version}",
        "author": service_name(school.la_name),
        "filename": f"raising-achievement-plan-{school.urn}-v{plan.version}.pdf",
        "content": {
            "school": {"name": school.name, "urn": school.urn},
            "version": plan.version,
            "status": plan.status_name,
            "is_agreed": plan.status in {"agreed", "superseded"},
            "agreed_on_text": format_date(plan.agreed_on),
            "amendment_reason": plan.amendment_reason or "",
            "drafted_by": plan.drafted_by.name,
            "sip_reference": plan.sip_reference,
            "standards_fund": f"£{plan.standards_fund:,.2f}" if plan.standards_fund is not None else "",
            "professional_development": plan.professional_development,
            "midpoint_review_text": format_date(midpoint_review_date(plan)),
            "school_signed": f"{plan.school_signed_by.name}, {format_date(plan.school_signed_on)}"
            if plan.school_signed_by else "",
            "la_signed": f"{plan.la_signed_by.name}, {format_date(plan.la_signed_on)}" if plan.la_signed_by else "",
            "objectives": [{
                "number": n, "text": o.text,
                "criteria": [{"measure": c.measure, "baseline": c.baseline, "target": c.target,
                              "by_when_text": format_date(c.by_when)} for c in o.criteria],
                "actions": [{"what": a.what, "owner": a.owner_name, "starts_text": format_date(a.starts_on),
                             "due_text": format_date(a.due_on), "status": a.status_name} for a in o.actions],
            } for n, o in enumerate(plan.objectives, start=1)],
            "time": [{"name": a.user.name, "term": term_label(a.term), "days": format_days(a.days), "used": format_days(a.days_used)}
                     for a in plan.allocations],
        },
    }
