"""Statutory intervention's documents as plain data for the PDF renderer (lea_support.pdf): the
warning notice letter to the governing body and the referral letter to the DfE's regional
director. Each builder returns a template, a title, an author, a download file name and the
content (strings, lists and dicts, never ORM objects)."""
from __future__ import annotations

from datetime import date
from typing import Any

from ..casework.documents import service_name
from ..core.terms import format_date
from .models import GROUNDS, REPRESENTATION_WORKING_DAYS, DfeReferral, WarningNotice
from .services import notice_clock

WARNING_NOTICE_TEMPLATE = "intervention/pdf/warning_notice.html"
REFERRAL_TEMPLATE = "intervention/pdf/referral.html"


def _school(school: Any) -> dict[str, Any]:
    return {"name": school.name, "urn": str(school.urn), "la_name": school.la_name, "head_name": school.head_name,
            "type_name": school.type_name, "trust_name": school.trust_name,
            "address": [p for p in (school.street, school.locality, school.town, school.postcode) if p]}


def warning_notice_document(notice: WarningNotice, today: date | None = None) -> dict[str, Any]:
    """The notice as plain data for its letter, with title, author and download file name."""
    school, issuer = notice.school, notice.issued_by
    service = service_name(school.la_name)
    clock = notice_clock(notice, today)
    return {
        "template": WARNING_NOTICE_TEMPLATE,
        "title": f"Warning notice: {school.name}",
        "author": f"{issuer.name}, {service}",
        "filename": f"warning-notice-{school.urn}-{notice.issued_on.isoformat()}.pdf",
        "content": {
            "school": _school(school),
            "issued_on": format_date(notice.issued_on),
            "issued_by": issuer.name,
            "issued_by_role": issuer.role_name,
            "service": service,
            "grounds": [GROUNDS[g] for g in notice.grounds],
            "reasons": notice.reasons,
            "required_action": notice.required_action,
            "comply_by": format_date(notice.comply_by),
            "representation_days": REPRESENTATION_WORKING_DAYS,
            "representations_by": format_date(clock.representations_by),
            "status": notice.status_name,
            "is_open": notice.status == "issued",
            "status_changed_on": format_date(notice.status_changed_on),
            "status_reason": notice.status_reason,
        },
    }


def referral_document(referral: DfeReferral) -> dict[str, Any]:
    """The referral as plain data for the letter to the DfE's regional director."""
    school, referrer = referral.school, referral.referred_by
    service = service_name(school.la_name)
    return {
        "template": REFERRAL_TEMPLATE,
        "title": f"Referral to the DfE regional director: {school.name}",
        "author": f"{referrer.name}, {service}",
        "filename": f"dfe-referral-{school.urn}-{referral.referred_on.isoformat()}.pdf",
        "content": {
            "school": _school(school),
            "governance": school.governance_name,
            "referred_on": format_date(referral.referred_on),
            "referred_by": referrer.name,
            "referred_by_role": referrer.role_name,
            "service": service,
            "grounds": referral.grounds,
            "evidence": referral.evidence,
        },
    }
