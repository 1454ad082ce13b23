"""LA-wide programmes: the programme's page, its schools and their participants, baselines and
progress, sessions and attendance, reviewers and review visits, monitoring returns and the report."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user, login_required

from ..core.forms import EmptyForm
from ..core.web import flash_and_redirect, get_or_404, id_arg, permission_required, process_form, require
from ..pdf import pdf_response
from ..schools.web import school_or_404
from . import permissions as can
from . import services
from .documents import programme_report_pdf
from .forms import (
    AssignmentForm,
    AttendanceForm,
    BaselineForm,
    CriterionForm,
    EnrolForm,
    FollowUpForm,
    ParticipantsForm,
    ProgrammeForm,
    QuestionForm,
    ReturnForm,
    ReviewerForm,
    ReviewLevelsForm,
    SessionForm,
)
from .models import ATTENDANCE, LEVELS, Participant, Programme, ProgrammeSchool, ReviewAssignment, TrainingSession

bp = Blueprint("programmes", __name__, template_folder="templates")


def _programme(programme_id: int) -> Programme:
    programme = services.load_programme(programme_id)
    if programme is None:
        abort(404)
    require(can.can_view_programmes(current_user))
    return programme


def _enrolment(enrolment_id: int) -> ProgrammeSchool:
    enrolment = services.load_enrolment(enrolment_id)
    if enrolment is None:
        abort(404)
    require(can.can_view_enrolment(current_user, enrolment))
    return enrolment


def _managing() -> None:
    require(can.can_manage_programmes(current_user))


# --- programmes ------------------------------------------------------------------------------------

@bp.get("/programmes")
@permission_required(can.can_view_programmes)
def list_programmes() -> Any:
    return render_template("programmes/list.html", lines=services.programme_lines())


@bp.route("/programmes/new", methods=["GET", "POST"])
@permission_required(can.can_manage_programmes)
def new_programme() -> Any:
    form = ProgrammeForm()
    if request.method == "GET":
        return render_template("programmes/new.html", form=form)
    return process_form(form, lambda: services.create_programme(current_user, **form.to_kwargs()),
                        done=lambda p: flash_and_redirect("Programme set up: add its criteria and enrol its schools",
                                                          url_for("programmes.show_programme", programme_id=p.id)),
                        again=lambda status: (render_template("programmes/new.html", form=form), status))


def _render_programme(programme: Programme, status: int = 200, **forms: Any) -> Any:
    enrol_form = forms.get("enrol_form") or EnrolForm(formdata=None)
    criterion_form = forms.get("criterion_form") or CriterionForm(formdata=None)
    question_form = forms.get("question_form") or QuestionForm(formdata=None)
    failed = next((f for f in (enrol_form, criterion_form, question_form) if f.errors), None)
    term = services.current_return_term(programme)
    lines = services.school_lines(programme, term)
    return render_template("programmes/programme.html", programme=programme, lines=lines, term=term,
                           figures=services.programme_figures(programme), levels=LEVELS,
                           criteria_progress=services.progress_by_criterion(
                               programme, {line.enrolment.id: line.progress for line in lines}),
                           enrol_form=enrol_form, criterion_form=criterion_form, question_form=question_form,
                           form=failed), status


@bp.get("/programmes/<int:programme_id>")
@login_required
def show_programme(programme_id: int) -> Any:
    return _render_programme(_programme(programme_id))


def _programme_post(programme_id: int, form_name: str, form: Any, action: Any, message: str, anchor: str) -> Any:
    programme = _programme(programme_id)
    _managing()
    return process_form(form, lambda: action(programme),
                        done=lambda _r: flash_and_redirect(
                            message, url_for("programmes.show_programme", programme_id=programme.id) + anchor),
                        again=lambda status: _render_programme(programme, status, **{form_name: form}))


@bp.post("/programmes/<int:programme_id>/schools")
@login_required
def enrol_school(programme_id: int) -> Any:
    form = EnrolForm()
    return _programme_post(programme_id, "enrol_form", form,
                           lambda p: services.enrol_school(current_user, p, **form.to_kwargs()), "School enrolled",
                           "#schools")


@bp.post("/programmes/<int:programme_id>/criteria")
@login_required
def add_criterion(programme_id: int) -> Any:
    form = CriterionForm()
    return _programme_post(programme_id, "criterion_form", form,
                           lambda p: services.add_criterion(current_user, p, **form.to_kwargs()), "Criterion added",
                           "#criteria")


@bp.post("/programmes/<int:programme_id>/questions")
@login_required
def add_question(programme_id: int) -> Any:
    form = QuestionForm()
    return _programme_post(programme_id, "question_form", form,
                           lambda p: services.add_question(current_user, p, **form.to_kwargs()),
                           "Question added to the return", "#questions")


# --- a school on a programme -----------------------------------------------------------------------

def _render_enrolment(enrolment: ProgrammeSchool, status: int = 200, *, participants_form: Any = None,
                      baseline_form: BaselineForm | None = None) -> Any:
    participants_form = participants_form or ParticipantsForm(formdata=None)
    if baseline_form is None:
        baseline_form = BaselineForm(formdata=None, baseline_on=enrolment.baseline_on,
                                     baseline_summary=enrolment.baseline_summary)
    failed = next((f for f in (participants_form, baseline_form) if f.errors), None)
    programme = enrolment.programme
    baseline = services.baseline_levels(enrolment.id)
    typed = request.form if baseline_form.errors else {}
    return render_template(
        "programmes/enrolment.html", enrolment=enrolment, programme=programme, school=enrolment.school,
        participants=services.participants_of(enrolment.id), baseline=baseline, typed=typed, levels=LEVELS,
        progress=services.progress_by_enrolment(programme.id, [enrolment.id]).get(enrolment.id, services.Progress()),
        assignments=services.assignment_lines(programme, enrolment_id=enrolment.id),
        terms=services.return_terms(programme), returns=_returns_by_term(enrolment),
        participants_form=participants_form, baseline_form=baseline_form, button_form=EmptyForm(),
        form=failed), status


def _returns_by_term(enrolment: ProgrammeSchool) -> dict[str, str]:
    from sqlalchemy import select

    from ..extensions import db
    from .models import MonitoringReturn

    return dict(db.session.execute(select(MonitoringReturn.term, MonitoringReturn.status)
                                   .where(MonitoringReturn.enrolment_id == enrolment.id)).all())


@bp.get("/programme-schools/<int:enrolment_id>")
@login_required
def show_enrolment(enrolment_id: int) -> Any:
    return _render_enrolment(_enrolment(enrolment_id))


@bp.post("/programme-schools/<int:enrolment_id>/participants")
@login_required
def add_participants(enrolment_id: int) -> Any:
    enrolment = _enrolment(enrolment_id)
    require(can.can_manage_participants(current_user, enrolment))
    form = ParticipantsForm()
    return process_form(form, lambda: services.add_participants(current_user, enrolment, **form.to_kwargs()),
                        done=lambda people: flash_and_redirect(
                            f"{len(people)} participant{'s' if len(people) != 1 else ''} added",
                            url_for("programmes.show_enrolment", enrolment_id=enrolment.id) + "#participants"),
                        again=lambda status: _render_enrolment(enrolment, status, participants_form=form))


@bp.post("/programme-participants/<int:participant_id>/remove")
@login_required
def remove_participant(participant_id: int) -> Any:
    participant = get_or_404(Participant, participant_id)
    enrolment = _enrolment(participant.enrolment_id)
    require(can.can_manage_participants(current_user, enrolment))
    form = EmptyForm()
    return process_form(form, lambda: services.remove_participant(current_user, participant),
                        done=lambda _r: flash_and_redirect(
                            f"{participant.name} taken off the programme",
                            url_for("programmes.show_enrolment", enrolment_id=enrolment.id) + "#participants"),
                        again=lambda status: _render_enrolment(enrolment, status))


@bp.post("/programme-schools/<int:enrolment_id>/baseline")
@login_required
def record_baseline(enrolment_id: int) -> Any:
    enrolment = _enrolment(enrolment_id)
    _managing()
    form = BaselineForm()
    return process_form(form, lambda: services.record_baseline(current_user, enrolment, **form.to_kwargs()),
                        done=lambda _e: flash_and_redirect(
                            "Baseline saved", url_for("programmes.show_enrolment", enrolment_id=enrolment.id)),
                        again=lambda status: _render_enrolment(enrolment, status, baseline_form=form))


@bp.get("/schools/<int:urn>/programmes")
@login_required
def school_programmes(urn: int) -> Any:
    school = school_or_404(urn)
    require(can.can_view_school_programmes(current_user, school.id))
    return render_template("programmes/school_programmes.html", school=school,
                           enrolments=services.enrolments_of_school(school.id))


# --- monitoring returns ----------------------------------------------------------------------------

def _render_return(enrolment: ProgrammeSchool, term: Any, form: ReturnForm, status: int = 200) -> Any:
    found = services.find_return(enrolment, term)
    saved = {a.question_id: (a.level if a.level is not None else a.answer) for a in (found.answers if found else [])}
    typed = {q.id: request.form.get(f"answer-{q.id}", "") for q in enrolment.programme.questions} \
        if request.method == "POST" else saved
    return render_template("programmes/return.html", enrolment=enrolment, programme=enrolment.programme,
                           school=enrolment.school, term=term, found=found, typed=typed, levels=LEVELS,
                           return_form=form, form=form if form.errors else None), status


@bp.route("/programme-schools/<int:enrolment_id>/returns/<term>", methods=["GET", "POST"])
@login_required
def fill_in_return(enrolment_id: int, term: str) -> Any:
    enrolment = _enrolment(enrolment_id)
    chosen = services.term_of(enrolment.programme, term)
    if chosen is None:
        abort(404)
    form = ReturnForm()
    if request.method == "GET":
        return _render_return(enrolment, chosen, form)
    require(can.can_fill_in_return(current_user, enrolment))
    return process_form(form, lambda: services.save_return(current_user, enrolment, chosen, **form.to_kwargs()),
                        done=lambda r: flash_and_redirect(
                            f"Return for {chosen.label} " + ("submitted: thank you" if r.status == "submitted"
                                                             else "saved: submit it when it is complete"),
                            url_for("programmes.fill_in_return", enrolment_id=enrolment.id, term=chosen.slug)),
                        again=lambda status: _render_return(enrolment, chosen, form, status))


@bp.get("/programmes/<int:programme_id>/returns")
@login_required
def returns_summary(programme_id: int) -> Any:
    programme = _programme(programme_id)
    term = services.term_of(programme, request.args.get("term", "")) or services.current_return_term(programme)
    return render_template("programmes/returns.html", programme=programme, levels=LEVELS,
                           terms=services.return_terms(programme),
                           summary=services.returns_summary(programme, term))


# --- sessions and attendance -----------------------------------------------------------------------

def _render_sessions(programme: Programme, status: int = 200, form: SessionForm | None = None) -> Any:
    form = form or SessionForm(formdata=None)
    return render_template("programmes/sessions.html", programme=programme, lines=services.session_lines(programme),
                           session_form=form, form=form if form.errors else None), status


@bp.get("/programmes/<int:programme_id>/sessions")
@login_required
def sessions(programme_id: int) -> Any:
    return _render_sessions(_programme(programme_id))


@bp.post("/programmes/<int:programme_id>/sessions")
@login_required
def add_session(programme_id: int) -> Any:
    programme = _programme(programme_id)
    _managing()
    form = SessionForm()
    return process_form(form, lambda: services.create_session(current_user, programme, **form.to_kwargs()),
                        done=lambda s: flash_and_redirect(
                            "Session added: record attendance on the day",
                            url_for("programmes.session_attendance", session_id=s.id)),
                        again=lambda status: _render_sessions(programme, status, form))


def _render_attendance(session: TrainingSession, form: AttendanceForm, status: int = 200) -> Any:
    programme = _programme(session.programme_id)
    chosen = id_arg(request.args, "school")
    rows = services.attendance_rows(session, chosen)
    typed = request.form if request.method == "POST" else {}
    return render_template("programmes/attendance.html", programme=programme, session=session, rows=rows,
                           choices=ATTENDANCE, typed=typed, chosen=str(chosen or ""), attendance_form=form,
                           schools=services.school_choices(programme),
                           form=form if form.errors else None), status


@bp.route("/programme-sessions/<int:session_id>", methods=["GET", "POST"])
@login_required
def session_attendance(session_id: int) -> Any:
    session = get_or_404(TrainingSession, session_id)
    require(can.can_view_programmes(current_user))
    form = AttendanceForm()
    if request.method == "GET":
        return _render_attendance(session, form)
    _managing()
    return process_form(form, lambda: services.record_attendance(current_user, session, form.to_marks()),
                        done=lambda n: flash_and_redirect(
                            f"Attendance saved for {n} participant{'s' if n != 1 else ''}", request.full_path),
                        again=lambda status: _render_attendance(session, form, status))


@bp.get("/programmes/<int:programme_id>/absences")
@login_required
def absences(programme_id: int) -> Any:
    programme = _programme(programme_id)
    rows, total = services.absences_to_follow_up(programme)
    return render_template("programmes/absences.html", programme=programme, rows=rows, total=total,
                           choices=ATTENDANCE, follow_up_form=FollowUpForm(formdata=None))


@bp.post("/programme-sessions/<int:session_id>/absences/<int:participant_id>")
@login_required
def follow_up_absence(session_id: int, participant_id: int) -> Any:
    session = get_or_404(TrainingSession, session_id)
    participant = get_or_404(Participant, participant_id)
    programme = _programme(session.programme_id)
    _managing()
    form = FollowUpForm()

    def again(status: int) -> Any:
        rows, total = services.absences_to_follow_up(programme)
        return render_template("programmes/absences.html", programme=programme, rows=rows, total=total,
                               choices=ATTENDANCE, follow_up_form=form, form=form,
                               failed=(session.id, participant.id)), status

    return process_form(form, lambda: services.follow_up_absence(current_user, session, participant,
                                                                 **form.to_kwargs()),
                        done=lambda _r: flash_and_redirect(
                            f"{participant.name}'s absence followed up",
                            url_for("programmes.absences", programme_id=programme.id)),
                        again=again)


# --- reviewers and review visits -------------------------------------------------------------------

def _render_reviewers(programme: Programme, status: int = 200, *, reviewer_form: ReviewerForm | None = None,
                      assignment_form: AssignmentForm | None = None) -> Any:
    reviewer_form = reviewer_form or ReviewerForm(formdata=None)
    assignment_form = assignment_form or AssignmentForm(formdata=None)
    lines = services.reviewer_lines(programme)
    reviewer_form.user_id.choices = [("", "Choose a person")] + [
        (str(user_id), label) for user_id, label in services.reviewer_candidates()]
    assignment_form.reviewer_id.choices = [("", "Choose a reviewer")] + [
        (str(line.reviewer.id), f"{line.reviewer.user.name} ({services.format_days(line.left) or '0'} days left)")
        for line in lines]
    assignment_form.enrolment_id.choices = [("", "Choose a school")] + services.school_choices(programme)
    failed = next((f for f in (reviewer_form, assignment_form) if f.errors), None)
    return render_template("programmes/reviewers.html", programme=programme, lines=lines,
                           figures=services.programme_figures(programme),
                           assignments=services.assignment_lines(programme), reviewer_form=reviewer_form,
                           assignment_form=assignment_form, form=failed), status


@bp.get("/programmes/<int:programme_id>/reviewers")
@login_required
def reviewers(programme_id: int) -> Any:
    return _render_reviewers(_programme(programme_id))


@bp.post("/programmes/<int:programme_id>/reviewers")
@login_required
def add_reviewer(programme_id: int) -> Any:
    programme = _programme(programme_id)
    _managing()
    form = ReviewerForm()
    return process_form(form, lambda: services.add_reviewer(current_user, programme, **form.to_kwargs()),
                        done=lambda r: flash_and_redirect(f"{r.user.name} added to the reviewer pool",
                                                          url_for("programmes.reviewers", programme_id=programme.id)),
                        again=lambda status: _render_reviewers(programme, status, reviewer_form=form))


@bp.post("/programmes/<int:programme_id>/assignments")
@login_required
def assign_review(programme_id: int) -> Any:
    programme = _programme(programme_id)
    _managing()
    form = AssignmentForm()
    return process_form(form, lambda: services.assign_review(current_user, programme, **form.to_kwargs()),
                        done=lambda a: flash_and_redirect(
                            f"Review visit to {a.enrolment.school.name} assigned to {a.reviewer.user.name}",
                            url_for("programmes.reviewers", programme_id=programme.id) + "#visits"),
                        again=lambda status: _render_reviewers(programme, status, assignment_form=form))


def _assignment(assignment_id: int) -> ReviewAssignment:
    assignment = get_or_404(ReviewAssignment, assignment_id)
    require(can.can_view_enrolment(current_user, assignment.enrolment))
    return assignment


def _render_review(assignment: ReviewAssignment, form: ReviewLevelsForm, status: int = 200) -> Any:
    enrolment = services.load_enrolment(assignment.enrolment_id)
    assert enrolment is not None
    found = services.review_levels(assignment)
    typed = request.form if request.method == "POST" else {f"level-{k}": str(v) for k, v in found.items()}
    note = services.review_report(assignment)
    return render_template("programmes/review.html", assignment=assignment, enrolment=enrolment,
                           programme=enrolment.programme, school=enrolment.school, note=note, levels=LEVELS,
                           baseline=services.baseline_levels(enrolment.id), found=found, typed=typed,
                           levels_form=form, button_form=EmptyForm(), form=form if form.errors else None), status


@bp.route("/programme-reviews/<int:assignment_id>", methods=["GET", "POST"])
@login_required
def show_review(assignment_id: int) -> Any:
    assignment = _assignment(assignment_id)
    form = ReviewLevelsForm()
    if request.method == "GET":
        return _render_review(assignment, form)
    require(can.can_record_review(current_user, assignment))
    return process_form(form, lambda: services.record_review_levels(current_user, assignment, **form.to_kwargs()),
                        done=lambda _a: flash_and_redirect(
                            "Levels saved against the baseline",
                            url_for("programmes.show_review", assignment_id=assignment.id)),
                        again=lambda status: _render_review(assignment, form, status))


@bp.post("/programme-reviews/<int:assignment_id>/report")
@login_required
def start_report(assignment_id: int) -> Any:
    assignment = _assignment(assignment_id)
    require(can.can_record_review(current_user, assignment))
    form = EmptyForm()
    return process_form(form, lambda: services.start_review_report(current_user, assignment),
                        done=lambda note: flash_and_redirect(
                            "Write up the review visit: its report is a note of visit",
                            url_for("casework.edit_note", note_id=note.id)),
                        again=lambda status: _render_review(assignment, ReviewLevelsForm(formdata=None), status))


# --- the report ------------------------------------------------------------------------------------

@bp.get("/programmes/<int:programme_id>/report.pdf")
@login_required
def report_pdf(programme_id: int) -> Any:
    return pdf_response(programme_report_pdf(_programme(programme_id)))
