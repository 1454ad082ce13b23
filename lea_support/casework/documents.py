"""The note of visit as a PDF: the plain data it is made from (the PDF renderer is never handed
ORM objects), its title, author and file name, and the PDF itself."""
from __future__ import annotations

from typing import Any

from ..core.terms import format_date, format_days, format_minutes
from ..pdf import PdfDocument, render_pdf
from ..pdf.stored import stored_pdf
from .models import ACTION_STATUSES, SUPPORT_ASPECTS, NoteOfVisit

NOTE_PDF_TEMPLATE = "casework/note_of_visit_pdf.html"



def service_name(la_name: str) -> str:
    return f"{la_name} School Improvement Service" if la_name else "School Improvement Service"


def note_of_visit_document(note: NoteOfVisit) -> dict[str, Any]:
    """Everything the note-of-visit PDF shows, as strings, lists and dicts; plus its title,
    author and download file name."""
    school, adviser = note.school, note.adviser
    history: list[dict[str, str]] = []
    addenda: list[dict[str, str]] = []
    for event in note.events:
        row = {"what": event.kind_name, "who": event.user.name if event.user else "",
               "when": format_date(event.occurred_at, "datetime"), "comment": event.comment or "",
               "reason": event.reason or ""}
        (addenda if event.kind == "addendum" else history).append(row)
    return {
        "title": f"Note of visit: {school.name}, {format_date(note.visit_date)}",
        "author": f"{adviser.name}, {service_name(school.la_name)}",
        "filename": f"note-of-visit-{school.urn}-{note.visit_date.isoformat()}.pdf",
        "note": {
            "school_name": school.name,
            "urn": str(school.urn),
            "la_name": school.la_name,
            "visit_date": format_date(note.visit_date),
            "visit_type": note.visit_type.name if note.visit_type else note.visit_type_code,
            "status": note.status_name,
            "is_final": note.status == "finalised",
            "adviser": adviser.name,
            "adviser_role": (f"LA consultant ({adviser.specialism_name})" if adviser.specialism else "Link adviser"),
            "deployment": note.deployment.purpose if note.deployment else "",
            "days_spent": format_days(note.days_spent),
            "purpose": note.purpose or "",
            "support_aspects": [SUPPORT_ASPECTS.get(code, code) for code in note.support_aspects or []],
            "people_met": note.people_met or "",
            "discussion": note.discussion or "",
            "strengths": note.strengths or "",
            "areas_for_development": note.areas_for_development or "",
            "actions": [{"what": a.description, "who": a.owner, "by_when": format_date(a.due_on),
                         "status": ACTION_STATUSES.get(a.status, a.status)} for a in note.actions],
            "next_visit_date": format_date(note.next_visit_date),
            "time_spent": format_minutes(note.minutes_spent),
            "history": history,
            "amendments": [{"field": a.field_name, "before": a.before_text, "after": a.after_text,
                            "answers": a.answers.comment if a.answers else "", "who": a.user.name,
                            "when": format_date(a.amended_at, "datetime")} for a in note.amendments],
            "addenda": addenda,
        },
    }


def note_of_visit_pdf(note: NoteOfVisit) -> PdfDocument:
    """The note's PDF. A finalised note no longer changes: made once, then served from the store."""
    document = note_of_visit_document(note)
    options: dict[str, Any] = {"title": document["title"], "author": document["author"],
                               "context": {"note": document["note"]}}
    if note.is_locked:
        pdf = stored_pdf("note_of_visit", note.id, NOTE_PDF_TEMPLATE, **options)
    else:
        pdf = render_pdf(NOTE_PDF_TEMPLATE, **options)
    return PdfDocument(pdf, document["filename"])
