"""Notes of visit: plan, record, edit, send, the school's response, reply, finalise, addenda."""
from __future__ import annotations

from typing import Any, Callable

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ...core.errors import DomainError
from ...core.forms import EmptyForm, apply_domain_error, refuse
from ...core.web import first_or_404, get_or_404, permission_required, require
from ...schools.models import School
from .. import permissions as can
from .. import services
from ..forms import (
    ActionStatusForm,
    AddendumForm,
    CommentForm,
    NoteForm,
    PlanVisitForm,
    ResponseForm,
)
from ..models import AgreedAction, NoteOfVisit
from . import bp

BLANK_ACTION_ROWS = 2


def _school(urn: int) -> School:
    return first_or_404(select(School).where(School.urn == urn))


def _note(note_id: int) -> NoteOfVisit:
    note = get_or_404(NoteOfVisit, note_id)
    require(can.can_view_note(current_user, note))
    return note


def _type_choices(form: Any) -> None:
    form.visit_type_code.choices = [("", "Choose a type")] + [(t.code, t.name) for t in services.visit_types()]


def _note_form(note: NoteOfVisit | None = None) -> NoteForm:
    if request.method == "POST":
        form = NoteForm()
    else:
        form = NoteForm(obj=note)
        if note is not None:
            form.version.data = str(note.version)
            while len(form.actions.entries):
                form.actions.pop_entry()
            for action in note.actions:
                form.actions.append_entry({"description": action.description, "owner": action.owner,
                                           "due_on": action.due_on, "status": action.status})
        for _ in range(BLANK_ACTION_ROWS):
            form.actions.append_entry()
    _type_choices(form)
    return form


def _note_data(form: NoteForm) -> services.NoteData:
    actions = [services.ActionData(description=a.description.data or "", owner=a.owner.data or "",
                                   due_on=a.due_on.data, status=a.status.data or "open")
               for a in (entry.form for entry in form.actions.entries) if not a.is_blank]
    return services.NoteData(
        visit_date=form.visit_date.data, visit_type_code=form.visit_type_code.data or "",
        purpose=form.purpose.data or "", support_aspects=list(form.support_aspects.data or []),
        people_met=form.people_met.data or "", discussion=form.discussion.data or "",
        strengths=form.strengths.data or "", areas_for_development=form.areas_for_development.data or "",
        next_visit_date=form.next_visit_date.data, minutes_spent=form.minutes_spent.data, actions=actions)


def _store_upload(form: NoteForm, note: NoteOfVisit) -> None:
    upload = form.attachment.data
    if upload and getattr(upload, "filename", ""):
        from ..attachments import store_attachment

        store_attachment(current_user, note, upload)


@bp.get("/schools/<int:urn>/visits")
@login_required
def school_notes(urn: int) -> Any:
    school = _school(urn)
    require(can.can_list_school_notes(current_user, school))
    shared_only = not current_user.is_la_staff
    return render_template("casework/school_notes.html", school=school, can=can,
                           notes=services.notes_for_school(school, shared_only=shared_only))


@bp.route("/schools/<int:urn>/visits/plan", methods=["GET", "POST"])
@permission_required(can.can_record_visit)
def plan_visit(urn: int) -> Any:
    school = _school(urn)
    form = PlanVisitForm()
    _type_choices(form)
    if form.validate_on_submit():
        try:
            services.plan_visit(current_user, school, visit_date=form.visit_date.data,
                                visit_type_code=form.visit_type_code.data, purpose=form.purpose.data or "")
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            flash(f"Visit to {school.name} planned for {services.long_date(form.visit_date.data)}", "success")
            return redirect(url_for("casework.school_notes", urn=urn))
    return render_template("casework/plan_form.html", form=form, school=school), 422 if form.errors else 200


@bp.route("/schools/<int:urn>/visits/new", methods=["GET", "POST"])
@permission_required(can.can_record_visit)
def record_visit(urn: int) -> Any:
    school = _school(urn)
    form = _note_form()
    if form.validate_on_submit():
        try:
            note = services.record_visit(current_user, school, _note_data(form))
            _store_upload(form, note)
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            flash("Note of visit saved as a draft", "success")
            return redirect(url_for("casework.show_note", note_id=note.id))
    return render_template("casework/note_form.html", form=form, school=school, note=None), \
        422 if form.errors else 200


@bp.get("/visits/<int:note_id>")
@login_required
def show_note(note_id: int) -> Any:
    note = _note(note_id)
    return _render_note(note)


def _render_note(note: NoteOfVisit, status: int = 200, **forms: Any) -> Any:
    forms.setdefault("response_form", ResponseForm())
    forms.setdefault("reply_form", CommentForm(prefix="reply"))
    forms.setdefault("finalise_form", CommentForm(prefix="finalise"))
    forms.setdefault("addendum_form", AddendumForm())
    forms.setdefault("action_form", ActionStatusForm())
    forms.setdefault("button_form", EmptyForm())
    form = next((f for f in forms.values() if f.errors), None)
    return render_template("casework/note.html", note=note, can=can, form=form, **forms), status


@bp.route("/visits/<int:note_id>/edit", methods=["GET", "POST"])
@login_required
def edit_note(note_id: int) -> Any:
    note = _note(note_id)
    require(can.can_edit_note(current_user, note))
    form = _note_form(note)
    conflict = None
    if form.validate_on_submit():
        try:
            expected = int(form.version.data or 0)
            services.update_note(current_user, note, _note_data(form), expected_version=expected)
            _store_upload(form, note)
        except services.EditConflict as err:
            apply_domain_error(form, err)
            note = _note(note_id)
            conflict = services.note_snapshot(note)
            # Saving again from here is a deliberate choice to keep this version.
            form.version.data = str(note.version)
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            flash("Note of visit saved", "success")
            return redirect(url_for("casework.show_note", note_id=note.id))
    return render_template("casework/note_form.html", form=form, school=note.school, note=note,
                           conflict=conflict), 409 if conflict else (422 if form.errors else 200)


def _note_step(note_id: int, allowed: Callable[[Any, NoteOfVisit], bool], form_name: str, form: Any,
               step: Callable[[NoteOfVisit, Any], Any], done: Callable[[NoteOfVisit], str]) -> Any:
    """One step of the factual-accuracy loop, posted from the note page: check permission, the
    form, then the service; a refusal shows the note page again with the message and what was
    typed."""
    note = _note(note_id)
    require(allowed(current_user, note))
    status = 422
    if form.validate_on_submit():
        try:
            step(note, form)
        except DomainError as err:
            status = refuse(form, err)
        else:
            flash(done(note), "success")
            return redirect(url_for("casework.show_note", note_id=note_id))
    return _render_note(_note(note_id), status, **{form_name: form})


@bp.post("/visits/<int:note_id>/send")
@login_required
def send_note(note_id: int) -> Any:
    return _note_step(
        note_id, can.can_work_on_note, "button_form", EmptyForm(),
        lambda note, form: services.send_note(current_user, note),
        lambda note: f"Sent to {note.school.name}. They have until {services.long_date(note.response_due_on)} to respond.")


@bp.post("/visits/<int:note_id>/respond")
@login_required
def respond_to_note(note_id: int) -> Any:
    return _note_step(
        note_id, can.can_answer_note, "response_form", ResponseForm(),
        lambda note, form: services.respond_to_note(current_user, note, accurate=form.accurate.data == "yes",
                                                    comment=form.comment.data),
        lambda note: "Thank you: your response has been sent to the adviser")


@bp.post("/visits/<int:note_id>/reply")
@login_required
def reply_to_response(note_id: int) -> Any:
    return _note_step(
        note_id, can.can_work_on_note, "reply_form", CommentForm(prefix="reply"),
        lambda note, form: services.reply_to_response(current_user, note, comment=form.comment.data),
        lambda note: "Reply added")


@bp.post("/visits/<int:note_id>/finalise")
@login_required
def finalise_note(note_id: int) -> Any:
    return _note_step(
        note_id, can.can_work_on_note, "finalise_form", CommentForm(prefix="finalise"),
        lambda note, form: services.finalise_note(current_user, note, comment=form.comment.data or ""),
        lambda note: "Note of visit finalised")


@bp.post("/visits/<int:note_id>/addenda")
@login_required
def add_addendum(note_id: int) -> Any:
    return _note_step(
        note_id, can.can_work_on_note, "addendum_form", AddendumForm(),
        lambda note, form: services.add_addendum(current_user, note, text=form.text.data, reason=form.reason.data),
        lambda note: "Addendum added")


@bp.post("/visits/actions/<int:action_id>/status")
@login_required
def set_action_status(action_id: int) -> Any:
    action = get_or_404(AgreedAction, action_id)
    require(can.can_view_note(current_user, action.note) and can.can_record_visit(current_user))
    form = ActionStatusForm()
    if not form.validate_on_submit():
        return _render_note(action.note, 422, action_form=form)
    services.set_action_status(current_user, action, form.status.data)
    flash("Action updated", "success")
    return redirect(url_for("casework.show_note", note_id=action.note_id))

