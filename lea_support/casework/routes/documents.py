"""Documents of a visit: files attached to a note, and the note of visit as a PDF."""
from __future__ import annotations

from typing import Any

from flask import abort, current_app, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from ...core.forms import EmptyForm
from ...core.web import (
    flash_and_redirect,
    flash_refusal_and_redirect,
    get_or_404,
    process_form,
    require,
)
from ...pdf import pdf_response
from ...privacy.reads import record_read
from .. import attachments
from ..documents import note_of_visit_pdf
from ..forms import AttachmentForm
from ..models import NoteOfVisit, VisitAttachment
from ..permissions import can_attach_file, can_view_note
from . import bp


def _note_page(note: NoteOfVisit) -> str:
    return url_for("casework.show_note", note_id=note.id)


def _attachment_of(note: NoteOfVisit, attachment_id: int) -> VisitAttachment:
    attachment = get_or_404(VisitAttachment, attachment_id)
    if attachment.note_id != note.id:
        abort(404)
    return attachment


@bp.route("/visits/<int:note_id>/attachments", methods=["GET", "POST"])
@login_required
def attach_file(note_id: int) -> Any:
    note = get_or_404(NoteOfVisit, note_id)
    require(can_attach_file(current_user, note))
    form = AttachmentForm()
    limit_mb = attachments.max_bytes() / (1024 * 1024)
    form.attachment.description = (f"{attachments.ALLOWED_TYPES[0].upper()}{attachments.ALLOWED_TYPES[1:]}, "
                                   f"smaller than {limit_mb:g} MB")

    def page(status: int = 200) -> Any:
        return render_template("casework/attachment_form.html", form=form, note=note), status

    if request.method == "GET":
        return page()
    return process_form(form, lambda: attachments.store_attachment(current_user, note, **form.to_kwargs()),
                        done=lambda attachment: flash_and_redirect(f"{attachment.original_name} attached",
                                                                   _note_page(note)),
                        again=page)


@bp.get("/visits/<int:note_id>/attachments/<int:attachment_id>")
@login_required
def download_attachment(note_id: int, attachment_id: int) -> Any:
    note = get_or_404(NoteOfVisit, note_id)
    require(can_view_note(current_user, note))
    attachment = _attachment_of(note, attachment_id)
    path = attachments.attachment_path(attachment)
    if not path.is_file():
        current_app.logger.error("Attachment %s is recorded but its file %s is missing", attachment.id, path)
        abort(404)
    record_read("visit_attachment", attachment.id, "download")
    # Always a download, never shown inline: the browser must not render an uploaded file as a page.
    return send_file(path, mimetype=attachment.content_type, as_attachment=True,
                     download_name=attachment.original_name, max_age=0)


@bp.post("/visits/<int:note_id>/attachments/<int:attachment_id>/delete")
@login_required
def delete_attachment(note_id: int, attachment_id: int) -> Any:
    note = get_or_404(NoteOfVisit, note_id)
    require(can_attach_file(current_user, note))
    attachment = _attachment_of(note, attachment_id)
    name = attachment.original_name
    form = EmptyForm()

    return process_form(form, lambda: attachments.delete_attachment(current_user, note, attachment),
                        done=lambda _none: flash_and_redirect(f"{name} removed", _note_page(note)),
                        again=lambda _status: flash_refusal_and_redirect(form, _note_page(note)))


@bp.get("/visits/<int:note_id>/pdf")
@login_required
def note_pdf(note_id: int) -> Any:
    note = get_or_404(NoteOfVisit, note_id)
    require(can_view_note(current_user, note))
    record_read("note_of_visit", note.id, "download")
    return pdf_response(note_of_visit_pdf(note))
