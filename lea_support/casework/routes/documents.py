"""Documents of a visit: files attached to a note, and the note of visit as a PDF."""
from __future__ import annotations

from functools import partial
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import SubmitField

from ...core.errors import DomainError
from ...core.forms import apply_domain_error
from ...core.web import get_or_404, require
from ...extensions import db
from ...pdf import PdfDocument, pdf_response, render_pdf
from ...pdf.stored import stored_pdf
from .. import attachments
from ..documents import NOTE_PDF_TEMPLATE, note_of_visit_document
from ..models import NoteOfVisit, VisitAttachment
from ..permissions import can_attach_file, can_view_note
from . import bp


class AttachmentForm(FlaskForm):
    # No FileRequired/FileAllowed: store_attachment checks the file by its content and says why.
    attachment = FileField("Upload a file", widget=GovFileInput())
    submit = SubmitField("Attach file", widget=GovSubmitInput())


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
    if form.validate_on_submit():
        try:
            attachment = attachments.store_attachment(current_user, note, form.attachment.data)
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            flash(f"{attachment.original_name} attached", "success")
            return redirect(_note_page(note))
    return render_template("casework/attachment_form.html", form=form, note=note), 422 if form.errors else 200


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
    try:
        attachments.delete_attachment(current_user, note, attachment)
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
    else:
        flash(f"{name} removed", "success")
    return redirect(_note_page(note))


@bp.get("/visits/<int:note_id>/pdf")
@login_required
def note_pdf(note_id: int) -> Any:
    note = get_or_404(NoteOfVisit, note_id)
    require(can_view_note(current_user, note))
    document = note_of_visit_document(note)
    # A finalised note no longer changes: made once, then served from the store.
    make = partial(stored_pdf, "note_of_visit", note.id) if note.is_locked else render_pdf
    pdf = make(NOTE_PDF_TEMPLATE, title=document["title"], author=document["author"],
               context={"note": document["note"]})
    return pdf_response(PdfDocument(pdf, document["filename"]))
