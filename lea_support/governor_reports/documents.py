"""The service's other documents as PDFs, through the same renderer: the Annual Support Allocation
letter. (Notes of visit and the post-review report build their own plain data in casework.pdf_data
and reviews.reporting; the Raising Achievement Plan and the Improvement Notice letter in
rap.documents.) Each builder returns plain data: a title, an author, a file name and the content."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..casework.pdf_data import service_name
from ..core.terms import format_date
from ..extensions import db
from ..pdf import render_pdf
from ..schools.models import School, SupportAllocation, SupportTier
from .content import format_days

ALLOCATION_TEMPLATE = "governor_reports/allocation_letter_pdf.html"
# What each tier typically brings (Support4Success); an authority's own wording is in the tier's description.
TIER_SUPPORT = {
    "light_touch": "Link adviser visits for the school's own priorities, LA-wide themes and statutory target "
                   "setting; INSET and NQT induction on request.",
    "enhanced": "As light touch core support, with support for specific purposes: consultant leaders and LA "
                "consultants for literacy, numeracy, ICT, science or early years.",
    "significant": "A Joint LEA/School Review, a Raising Achievement Plan agreed with the school, a project team "
                   "led by the link adviser, and a mid-point review of progress.",
}


def render(document: dict[str, Any]) -> bytes:
    return render_pdf(document["template"], title=document["title"], author=document["author"],
                      context={"doc": document["content"]})


def render_stored(document: dict[str, Any], kind: str, object_id: int) -> bytes:
    """As `render`, for a document that can no longer change: made once, then served from the store."""
    from ..pdf.stored import stored_pdf

    return stored_pdf(kind, object_id, document["template"], title=document["title"], author=document["author"],
                      context={"doc": document["content"]})


# --- the Annual Support Allocation letter -----------------------------------------------------------------


def allocation_letter(allocation: SupportAllocation, *, today: date | None = None) -> dict[str, Any]:
    """The letter telling a school, at the start of the year, what support it will receive."""
    school = allocation.school
    tier = db.session.get(SupportTier, allocation.support_tier)
    tier_name = tier.name if tier else allocation.support_tier
    return {
        "template": ALLOCATION_TEMPLATE,
        "title": f"Annual Support Allocation {allocation.academic_year}: {school.name}",
        "author": service_name(school.la_name),
        "filename": f"support-allocation-{school.urn}-{allocation.academic_year.replace('/', '-')}.pdf",
        "content": {
            "school": {"name": school.name, "urn": school.urn, "address": school.address, "head_name": school.head_name,
                       "la_name": school.la_name},
            "date_text": format_date(today or date.today()),
            "academic_year": allocation.academic_year,
            "tier_code": allocation.support_tier,
            "tier_name": tier_name,
            "tier_description": (tier.description if tier else "") or TIER_SUPPORT.get(allocation.support_tier, ""),
            "link_visits": allocation.link_visits,
            "consultant_days": format_days(allocation.consultant_days),
            "adjusted": bool(allocation.adjustment_reason),
            "adjustment_reason": allocation.adjustment_reason,
            "link_adviser": school.link_adviser.name if school.link_adviser else "",
            "service": service_name(school.la_name),
        },
    }


def allocations_for_year(academic_year: str) -> list[SupportAllocation]:
    return list(db.session.scalars(
        select(SupportAllocation).join(School, School.id == SupportAllocation.school_id)
        .where(SupportAllocation.academic_year == academic_year)
        .options(joinedload(SupportAllocation.school)).order_by(School.urn)))


def write_allocation_letters(academic_year: str, out_dir: str | Path, *, on_letter: Any = None) -> tuple[int, int]:
    """Write every school's allocation letter for the year into a folder (each file whole, by
    rename); letters already there are kept. Returns (written, skipped)."""
    from .bulk import remove_partial_files, write_atomically

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    remove_partial_files(out)
    written = skipped = 0
    for allocation in allocations_for_year(academic_year):
        document = allocation_letter(allocation)
        target = out / document["filename"]
        if target.exists():
            skipped += 1
        else:
            write_atomically(target, render(document))
            written += 1
        if on_letter is not None:
            on_letter(allocation)
    return written, skipped
