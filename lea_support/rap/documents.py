"""The plan area's documents as plain data for the PDF renderer (lea_support.pdf): the Raising
Achievement Plan and the Improvement Notice letter. Each builder returns a template, a title, an
author, a download file name and the content (strings, lists and dicts, never ORM objects)."""
from __future__ import annotations

from typing import Any

from ..casework.documents import service_name
from ..core.terms import format_date, format_days, term_label
from .models import ImprovementNotice, RaisingAchievementPlan
from .services import load_plan, midpoint_review_date

PLAN_PDF_TEMPLATE = "rap/pdf/plan.html"
NOTICE_PDF_TEMPLATE = "rap/pdf/improvement_notice.html"


def plan_document(plan: RaisingAchievementPlan) -> dict[str, Any]:
    """The plan's page as a document: what it sets out, who agreed it, its objectives, success
    criteria, actions and adviser time."""
    plan = load_plan(plan.id) or plan
    school = plan.school
    return {
        "template": PLAN_PDF_TEMPLATE,
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
            # The signature blocks: each side's signatory and date, blank lines until signed.
            "school_signatory": plan.school_signed_by.name if plan.school_signed_by else "",
            "school_signed_on": format_date(plan.school_signed_on) if plan.school_signed_by else "",
            "la_signatory": plan.la_signed_by.name if plan.la_signed_by else "",
            "la_signed_on": format_date(plan.la_signed_on) if plan.la_signed_by else "",
            "objectives": [{
                "number": n, "text": o.text,
                "criteria": [{"measure": c.measure, "baseline": c.baseline, "target": c.target,
                              "by_when_text": format_date(c.by_when)} for c in o.criteria],
                "actions": [{"what": a.what, "owner": a.owner_name, "starts_text": format_date(a.starts_on),
                             "due_text": format_date(a.due_on), "status": a.status_name} for a in o.actions],
            } for n, o in enumerate(plan.objectives, start=1)],
            "time": [{"name": a.user.name, "term": term_label(a.term), "days": format_days(a.days),
                      "used": format_days(a.days_used)} for a in plan.allocations],
        },
    }


def improvement_notice_document(notice: ImprovementNotice) -> dict[str, Any]:
    """The notice as plain data for its PDF letter, with title, author and download file name."""
    school, issuer = notice.school, notice.issued_by
    service = service_name(school.la_name)
    review = notice.midpoint_review
    return {
        "template": NOTICE_PDF_TEMPLATE,
        "title": f"Improvement Notice: {school.name}",
        "author": f"{issuer.name}, {service}",
        "filename": f"improvement-notice-{school.urn}-{notice.issued_on.isoformat()}.pdf",
        "content": {
            "school_name": school.name,
            "urn": str(school.urn),
            "la_name": school.la_name,
            "head_name": school.head_name,
            "address": [p for p in (school.street, school.locality, school.town, school.postcode) if p],
            "issued_on": format_date(notice.issued_on),
            "issued_by": issuer.name,
            "issued_by_role": issuer.role_name,
            "service": service,
            "improvements": notice.improvements,
            "comply_by": format_date(notice.comply_by),
            "review_held_on": format_date(review.held_on) if review is not None else "",
            "status": notice.status_name,
            "is_open": notice.status == "issued",
            "status_changed_on": format_date(notice.status_changed_on),
            "status_reason": notice.status_reason,
        },
    }
