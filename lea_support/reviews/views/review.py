"""Planning a review, the review's page, its team, its stages, the pre-review and key questions."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ...auth.models import User
from ...core.errors import DomainError
from ...core.forms import EmptyForm, apply_domain_error, refuse
from ...core.terms import format_date
from ...core.web import first_or_404, get_or_404, permission_required, require
from ...extensions import db
from ...schools.models import School
from .. import permissions as can
from .. import services
from ..forms import (
    KeyQuestionForm,
    PlanReviewForm,
    StageForm,
    TeamMemberForm,
    pre_review_form,
)
from ..models import (
    DISCUSSION_WITH,
    PRE_REVIEW_STATUSES,
    STAGE_ORDER,
    STAGES,
    TEAM_ROLES,
    JointReview,
    KeyQuestion,
    ReviewTeamMember,
)
from . import bp


def _school(urn: int) -> School:
    return first_or_404(select(School).where(School.urn == urn))


def _review(review_id: int) -> JointReview:
    review = get_or_404(JointReview, review_id)
    require(can.can_view_review(current_user, review))
    return review


def _user(user_id: int | None) -> User | None:
    return db.session.get(User, user_id) if user_id else None


@bp.get("/schools/<int:urn>/reviews")
@login_required
def school_reviews(urn: int) -> Any:
    school = _school(urn)
    require(can.can_view_school_reviews(current_user, school))
    published_only = not current_user.is_la_staff
    return render_template("reviews/list.html", school=school, can=can,
                           reviews=services.reviews_for_school(school, published_only=published_only))


def _plan_choices(form: PlanReviewForm, school: School) -> None:
    form.lead_id.choices = [("", "Choose the lead SIA")] + [
        (str(u.id), u.name) for u in services.active_users(("sia",))]
    form.link_adviser_id.choices = [("", "No link adviser")] + [
        (str(u.id), u.name) for u in services.active_users(("link_adviser",))]
    form.la_team.choices = [(u.id, f"{u.name} ({u.role_name})") for u in services.active_users(services.TEAM_USER_ROLES)]
    form.school_users.choices = [(u.id, u.name) for u in services.school_leaders(school)]


@bp.route("/schools/<int:urn>/reviews/new", methods=["GET", "POST"])
@permission_required(can.can_plan_review)
def plan_review(urn: int) -> Any:
    school = _school(urn)
    form = PlanReviewForm()
    _plan_choices(form, school)
    if request.method == "GET":
        form.lead_id.data = current_user.id if current_user.role == "sia" else None
        form.link_adviser_id.data = school.link_adviser_id
    if form.validate_on_submit():
        try:
            review = services.plan_review(
                current_user, school, lead=_user(form.lead_id.data), starts_on=form.starts_on.data,
                ends_on=form.ends_on.data, link_adviser=_user(form.link_adviser_id.data),
                la_team=[u for u in (_user(i) for i in form.la_team.data or []) if u],
                school_users=[u for u in (_user(i) for i in form.school_users.data or []) if u],
                school_participants=services.parse_participants(form.school_participants.data or ""))
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            flash(f"Joint LEA/School Review of {school.name} planned for "
                  f"{format_date(review.starts_on)}", "success")
            return redirect(url_for("reviews.show_review", review_id=review.id))
    return render_template("reviews/new.html", form=form, school=school), 422 if form.errors else 200


@bp.get("/reviews/<int:review_id>")
@login_required
def show_review(review_id: int) -> Any:
    return _render_review(_review(review_id))


def _team_choices(form: TeamMemberForm, review: JointReview) -> None:
    on_team = {m.user_id for m in review.team}
    form.user_id.choices = [("", "Choose a person")] + [
        (str(u.id), f"{u.name} ({u.role_name})")
        for u in services.active_users(services.TEAM_USER_ROLES) + services.school_leaders(review.school)
        if u.id not in on_team]


def _render_review(review: JointReview, status: int = 200, **forms: Any) -> Any:
    forms.setdefault("stage_form", StageForm())
    forms.setdefault("team_form", TeamMemberForm())
    forms.setdefault("question_form", KeyQuestionForm())
    forms.setdefault("button_form", EmptyForm())
    _team_choices(forms["team_form"], review)
    here = STAGE_ORDER.index(review.stage)
    forms["stage_form"].stage.choices = [
        (code, name) for code, name in STAGES.items()
        if code != "published" and code != review.stage and STAGE_ORDER.index(code) <= here + 1]
    form = next((f for f in forms.values() if f.errors), None)
    return render_template("reviews/show.html", review=review, can=can, form=form, stages=STAGES,
                           team_roles=TEAM_ROLES, pre_review_statuses=PRE_REVIEW_STATUSES,
                           discussion_with=DISCUSSION_WITH,
                           evidence_stages=services.EVIDENCE_STAGES, **forms), status


def _review_step(review_id: int, allowed: Any, form_name: str, form: Any, step: Any, done: str) -> Any:
    """A change posted from the review's page: check permission, the form, then the service; a
    refusal shows the review page again with the message and what was typed."""
    review = _review(review_id)
    require(allowed(current_user, review))
    status = 422
    if form.validate_on_submit():
        try:
            step(review, form)
        except DomainError as err:
            status = refuse(form, err)
        else:
            flash(done, "success")
            return redirect(url_for("reviews.show_review", review_id=review_id))
    return _render_review(_review(review_id), status, **{form_name: form})


@bp.post("/reviews/<int:review_id>/team")
@login_required
def add_team_member(review_id: int) -> Any:
    return _review_step(
        review_id, can.can_edit_review, "team_form", TeamMemberForm(),
        lambda review, form: services.add_team_member(
            current_user, review, team_role=form.team_role.data or "", user=_user(form.user_id.data),
            name=form.name.data or "", job_title=form.job_title.data or ""),
        "Added to the review team")


@bp.post("/reviews/<int:review_id>/team/<int:member_id>/remove")
@login_required
def remove_team_member(review_id: int, member_id: int) -> Any:
    review = _review(review_id)
    require(can.can_edit_review(current_user, review))
    member = get_or_404(ReviewTeamMember, member_id)
    if member.review_id != review.id:
        abort(404)
    return _review_step(review_id, can.can_edit_review, "button_form", EmptyForm(),
                        lambda review, form: services.remove_team_member(current_user, review, member),
                        "Removed from the review team")


@bp.post("/reviews/<int:review_id>/stage")
@login_required
def change_stage(review_id: int) -> Any:
    return _review_step(
        review_id, can.can_lead_review, "stage_form", StageForm(),
        lambda review, form: services.change_stage(current_user, review, form.stage.data or "",
                                                   reason=form.reason.data or ""),
        "Stage changed")


@bp.route("/reviews/<int:review_id>/pre-review", methods=["GET", "POST"])
@login_required
def pre_review(review_id: int) -> Any:
    review = _review(review_id)
    require(can.can_edit_review(current_user, review))
    form = pre_review_form(review, formdata=request.method == "POST")
    if form.validate_on_submit():
        try:
            services.update_pre_review(
                current_user, review, commentary=form.commentary.data or "",
                items={kind: (status.data or "", notes.data or "") for kind, _name, status, notes in form.items})
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            flash("Pre-review saved", "success")
            return redirect(url_for("reviews.show_review", review_id=review.id))
    return render_template("reviews/pre_review.html", form=form, review=review,
                           notes_of_visit=services.recent_notes_of_visit(review)), 422 if form.errors else 200


@bp.post("/reviews/<int:review_id>/key-questions")
@login_required
def add_key_question(review_id: int) -> Any:
    return _review_step(
        review_id, can.can_edit_review, "question_form", KeyQuestionForm(),
        lambda review, form: services.add_key_question(current_user, review, form.text.data or ""),
        "Key question added")


@bp.post("/reviews/<int:review_id>/key-questions/<int:question_id>/delete")
@login_required
def delete_key_question(review_id: int, question_id: int) -> Any:
    review = _review(review_id)
    require(can.can_edit_review(current_user, review))
    question = get_or_404(KeyQuestion, question_id)
    if question.review_id != review.id:
        abort(404)
    return _review_step(review_id, can.can_edit_review, "button_form", EmptyForm(),
                        lambda review, form: services.delete_key_question(current_user, review, question),
                        "Key question deleted")
