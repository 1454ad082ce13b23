"""Notes of visit: plan, record, edit, send, the school's response, reply, finalise, addenda."""
from __future__ import annotations

from typing import Any, Callable

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...auth.models import Role
from ...core.forms import EmptyForm
from ...core.terms import format_date
from ...core.web import (
    flash_and_redirect,
    get_or_404,
    process_form,
    require,
)
from ...enhanced.services import deployments_of
from ...privacy.reads import record_read
from ...schools.models import School
from ...schools.web import school_or_404
from .. import charts, services
from .. import permissions as can
from ..attachments import store_attachment
from ..forms import (
    ActionStatusForm,
    AddendumForm,
    AmendNoteForm,
    CommentForm,
    NoteForm,
    PlanVisitForm,
    ResponseForm,
    set_deployment_choices,
    set_owner_choices,
)
from ..models import AgreedAction, NoteOfVisit
from . import bp

BLANK_ACTION_ROWS = 2



def _note(note_id: int) -> NoteOfVisit:
    note = get_or_404(NoteOfVisit, note_id)
    require(can.can_view_note(current_user, note))
    return note


def _type_choices(form: Any) -> None:
    form.visit_type_code.choices = [("", "Choose a type")] + [(t.code, t.name) for t in services.visit_types()]


def _note_form(school: School, note: NoteOfVisit | None = None) -> NoteForm:
    if request.method == "POST":
        form = NoteForm()
    else:
        form = NoteForm(obj=note)
        if note is not None:
            form.version.data = str(note.version)
            while len(form.actions.entries):
                form.actions.pop_entry()
            for action in note.actions:
                form.actions.append_entry({"description": action.description,
                                           "owner": "" if action.owner_id else action.owner,
                                           "owner_id": action.owner_id, "due_on": action.due_on,
                                           "status": action.status})
        for _ in range(BLANK_ACTION_ROWS):
            form.actions.append_entry()
    _type_choices(form)
    set_owner_choices(form, services.action_owner_candidates(school.id))
    author = note.adviser if note is not None else current_user
    if author.role == Role.CONSULTANT:
        set_deployment_choices(form, deployments_of(author.id, school.id))
    return form


def _store_upload(form: NoteForm, note: NoteOfVisit) -> None:
    upload = form.attachment.data
    if upload and getattr(upload, "filename", ""):
        store_attachment(current_user, note, upload)


@bp.get("/schools/<int:urn>/visits")
@login_required
def school_notes(urn: int) -> Any:
    school = school_or_404(urn)
    require(can.can_list_school_notes(current_user, school))
    shared_only = not current_user.is_la_staff
    notes = services.notes_for_school(school, shared_only=shared_only)
    accurate = services.school_responses([n.id for n in notes if n.status == "responded"])
    tags = {n.id: services.note_tag(n, current_user, accurate.get(n.id)) for n in notes}
    return render_template("casework/school_notes.html", school=school, notes=notes, tags=tags,
                           visits_chart=charts.visits_by_term(notes))


@bp.route("/schools/<int:urn>/visits/plan", methods=["GET", "POST"])
@login_required
def plan_visit(urn: int) -> Any:
    school = school_or_404(urn)
    require(can.can_record_visit_at(current_user, school))
    form = PlanVisitForm()
    _type_choices(form)
    if request.method == "GET":
        return render_template("casework/plan_form.html", form=form, school=school)
    return process_form(
        form, lambda: services.plan_visit(current_user, school, **form.to_kwargs()),
        done=lambda note: flash_and_redirect(f"Visit to {school.name} planned for {format_date(note.visit_date)}",
                                             url_for("casework.school_notes", urn=urn)),
        again=lambda status: (render_template("casework/plan_form.html", form=form, school=school), status))


@bp.route("/schools/<int:urn>/visits/new", methods=["GET", "POST"])
@login_required
def record_visit(urn: int) -> Any:
    school = school_or_404(urn)
    require(can.can_record_visit_at(current_user, school))
    form = _note_form(school)
    if request.method == "GET":
        return render_template("casework/note_form.html", form=form, school=school, note=None)

    def record() -> NoteOfVisit:
        note = services.record_visit(current_user, school, form.to_data())
        _store_upload(form, note)
        return note

    return process_form(
        form, record,
        done=lambda note: flash_and_redirect("Note of visit saved as a draft",
                                             url_for("casework.show_note", note_id=note.id)),
        again=lambda status: (render_template("casework/note_form.html", form=form, school=school, note=None), status))


@bp.get("/visits/<int:note_id>")
@login_required
def show_note(note_id: int) -> Any:
    note = _note(note_id)
    record_read("note_of_visit", note.id)
    return _render_note(note)


def _render_note(note: NoteOfVisit, status: int = 200, **forms: Any) -> Any:
    forms.setdefault("response_form", ResponseForm())
    forms.setdefault("reply_form", CommentForm(prefix="reply"))
    forms.setdefault("finalise_form", CommentForm(prefix="finalise"))
    forms.setdefault("addendum_form", AddendumForm())
    forms.setdefault("action_form", ActionStatusForm())
    forms.setdefault("button_form", EmptyForm())
    form = next((f for f in forms.values() if f.errors), None)
    response = services.school_response(note)
    tag = services.note_tag(note, current_user, response is not None and response.kind == "marked_accurate")
    return render_template("casework/note.html", note=note, form=form, tag=tag,
                           finalisable=services.can_be_finalised(note),
                           amendable=services.amendable_response(note) is not None, **forms), status


@bp.route("/visits/<int:note_id>/edit", methods=["GET", "POST"])
@login_required
def edit_note(note_id: int) -> Any:
    note = _note(note_id)
    require(can.can_edit_note(current_user, note))
    form = _note_form(note.school, note)
    if request.method == "GET":
        return render_template("casework/note_form.html", form=form, school=note.school, note=note)

    def save() -> NoteOfVisit:
        services.update_note(current_user, note, form.to_data(), expected_version=form.expected_version)
        _store_upload(form, note)
        return note

    def again(status: int) -> Any:
        # After a conflict, the version saved by the other person is shown beside what was typed.
        conflict = services.note_snapshot(note) if status == 409 else None
        return render_template("casework/note_form.html", form=form, school=note.school, note=note,
                               conflict=conflict), status

    return process_form(form, save, again=again,
                        done=lambda note: flash_and_redirect("Note of visit saved",
                                                             url_for("casework.show_note", note_id=note.id)))


@bp.route("/visits/<int:note_id>/amend", methods=["GET", "POST"])
@login_required
def amend_note(note_id: int) -> Any:
    note = _note(note_id)
    require(can.can_work_on_note(current_user, note))
    answers = services.amendable_response(note)
    form = AmendNoteForm() if request.method == "POST" else AmendNoteForm(obj=note, version=str(note.version))

    def again(status: int) -> Any:
        return render_template("casework/amend_form.html", form=form, note=note, answers=answers), status

    if request.method == "GET":
        if answers is None:
            flash("This note can be amended only after the school has marked it inaccurate, and before it is "
                  "finalised", "info")
            return redirect(url_for("casework.show_note", note_id=note.id))
        return again(200)
    return process_form(
        form, lambda: services.amend_note(current_user, note, form.to_data(), expected_version=form.expected_version),
        done=lambda amendments: flash_and_redirect(
            f"Note amended ({len(amendments)} {'part' if len(amendments) == 1 else 'parts'} changed)",
            url_for("casework.show_note", note_id=note.id)),
        again=again)


def _note_step(note_id: int, allowed: Callable[[Any, NoteOfVisit], bool], form_name: str, form: Any,
               service: Callable[..., Any], done: Callable[[NoteOfVisit], str]) -> Any:
    """One step of the factual-accuracy loop, posted from the note page: `service(actor, note,
    **form.to_kwargs())`; a refusal shows the note page again with the message and what was typed."""
    note = _note(note_id)
    require(allowed(current_user, note))
    return process_form(
        form, lambda: service(current_user, note, **form.to_kwargs()),
        done=lambda _result: flash_and_redirect(done(note), url_for("casework.show_note", note_id=note_id)),
        again=lambda status: _render_note(note, status, **{form_name: form}))


@bp.post("/visits/<int:note_id>/send")
@login_required
def send_note(note_id: int) -> Any:
    return _note_step(note_id, can.can_work_on_note, "button_form", EmptyForm(), services.send_note,
                      lambda note: f"Sent to {note.school.name}. They have until "
                                   f"{format_date(note.response_due_on)} to respond.")


@bp.post("/visits/<int:note_id>/respond")
@login_required
def respond_to_note(note_id: int) -> Any:
    return _note_step(note_id, can.can_answer_note, "response_form", ResponseForm(), services.respond_to_note,
                      lambda note: "Thank you: your response has been sent to the adviser")


@bp.post("/visits/<int:note_id>/reply")
@login_required
def reply_to_response(note_id: int) -> Any:
    return _note_step(note_id, can.can_work_on_note, "reply_form", CommentForm(prefix="reply"),
                      services.reply_to_response, lambda note: "Reply added")


@bp.post("/visits/<int:note_id>/finalise")
@login_required
def finalise_note(note_id: int) -> Any:
    return _note_step(note_id, can.can_work_on_note, "finalise_form", CommentForm(prefix="finalise"),
                      services.finalise_note, lambda note: "Note of visit finalised")


@bp.post("/visits/<int:note_id>/addenda")
@login_required
def add_addendum(note_id: int) -> Any:
    return _note_step(note_id, can.can_work_on_note, "addendum_form", AddendumForm(), services.add_addendum,
                      lambda note: "Addendum added")


@bp.post("/visits/actions/<int:action_id>/status")
@login_required
def set_action_status(action_id: int) -> Any:
    action = get_or_404(AgreedAction, action_id)
    require(can.can_view_note(current_user, action.note) and can.can_record_visit(current_user))
    form = ActionStatusForm()
    return process_form(form, lambda: services.set_action_status(current_user, action, **form.to_kwargs()),
                        done=lambda _action: flash_and_redirect("Action updated",
                                                                url_for("casework.show_note", note_id=action.note_id)),
                        again=lambda status: _render_note(action.note, status, action_form=form))

