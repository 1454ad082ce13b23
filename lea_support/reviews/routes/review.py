"""Planning a review, the review's page, its team, its stages, the pre-review and key questions."""
from __future__ import annotations

from typing import Any, Callable

from flask import abort, render_template, request, url_for
from flask_login import current_user, login_required

from ...auth.models import Role
from ...core.forms import EmptyForm
from ...core.terms import format_date
from ...core.web import (
    flash_and_redirect,
    get_or_404,
    permission_required,
    process_form,
    require,
)
from ...rap import permissions as rap_can
from ...schools.models import School
from ...schools.web import school_or_404
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


def review_to_view(review_id: int) -> JointReview:
    """The review (404 if there is none) that the signed-in user may see (else 403)."""
    review = get_or_404(JointReview, review_id)
    require(can.can_view_review(current_user, review))
    return review


@bp.get("/schools/<int:urn>/reviews")
@login_required
def school_reviews(urn: int) -> Any:
    school = school_or_404(urn)
    require(can.can_view_school_reviews(current_user, school))
    published_only = not current_user.is_la_staff
    return render_template("reviews/list.html", school=school,
                           reviews=services.reviews_for_school(school, published_only=published_only,
                                                               participant=current_user))


def _plan_choices(form: PlanReviewForm, school: School) -> None:
    form.lead_id.choices = [("", "Choose the lead SIA")] + [
        (str(u.id), u.name) for u in services.active_users((Role.SIA,))]
    form.link_adviser_id.choices = [("", "No link adviser")] + [
        (str(u.id), u.name) for u in services.active_users((Role.LINK_ADVISER,))]
    form.la_team.choices = [(u.id, u.name_and_role) for u in services.active_users(services.TEAM_USER_ROLES)]
    form.school_users.choices = [(u.id, u.name) for u in services.school_leaders(school)]


@bp.route("/schools/<int:urn>/reviews/new", methods=["GET", "POST"])
@permission_required(can.can_plan_review)
def plan_review(urn: int) -> Any:
    school = school_or_404(urn)
    form = PlanReviewForm()
    _plan_choices(form, school)
    if request.method == "GET":
        form.lead_id.data = current_user.id if current_user.role == Role.SIA else None
        form.link_adviser_id.data = school.link_adviser_id
        return render_template("reviews/new.html", form=form, school=school)
    return process_form(
        form, lambda: services.plan_review(current_user, school, **form.to_kwargs()),
        done=lambda review: flash_and_redirect(f"Joint LEA/School Review of {school.name} planned for "
                                               f"{format_date(review.starts_on)}",
                                               url_for("reviews.show_review", review_id=review.id)),
        again=lambda status: (render_template("reviews/new.html", form=form, school=school), status))


@bp.get("/reviews/<int:review_id>")
@login_required
def show_review(review_id: int) -> Any:
    return render_review(review_to_view(review_id))


def _team_choices(form: TeamMemberForm, review: JointReview) -> None:
    on_team = {m.user_id for m in review.team}
    form.user_id.choices = [("", "Choose a person")] + [
        (str(u.id), u.name_and_role)
        for u in services.active_users(services.TEAM_USER_ROLES) + services.school_leaders(review.school)
        if u.id not in on_team]


def next_step(review: JointReview) -> dict[str, str] | None:
    """The one thing to do next on the review, for the signed-in user: a stage to move on to (a
    button that posts) or a page to go to; None when there is nothing for them to do."""
    editable = can.can_edit_review(current_user, review)
    leads = can.can_lead_review(current_user, review)
    stage = review.stage
    if stage == "published":
        if rap_can.can_draft_plan(current_user):
            return {"text": "Draft a Raising Achievement Plan from this review",
                    "href": url_for("rap.draft_plan", urn=review.school.urn, review=review.id)}
        if can.can_read_published_report(current_user, review):
            return {"text": "Read the published report", "href": url_for("reviews.show_report", review_id=review.id)}
        return None
    if not editable:
        return None
    if leads and (to := services.next_stage(review)) is not None:
        return {"text": NEXT_STAGE_BUTTONS[to], "stage": to}
    if stage in ("planned", "pre_review"):
        return {"text": "Edit the pre-review", "href": url_for("reviews.pre_review", review_id=review.id)}
    if stage == "fieldwork":
        return {"text": "Record fieldwork evidence", "href": url_for("reviews.show_review", review_id=review.id)
                + "#evidence"}
    if stage == "evaluation" and review.overall_grade is None:
        return {"text": "Record the evaluation", "href": url_for("reviews.evaluation", review_id=review.id)}
    if stage == "report_drafted" and leads:
        return {"text": "Check and publish the report", "href": url_for("reviews.report_draft", review_id=review.id)}
    return {"text": "Draft the report", "href": url_for("reviews.report_draft", review_id=review.id)}


NEXT_STAGE_BUTTONS = {"pre_review": "Start the pre-review", "fieldwork": "Start fieldwork",
                      "evaluation": "Start the evaluation with the school's leaders"}


def task_links(review: JointReview) -> dict[str, str]:
    """Where each part of the task list is worked on (a part that cannot start yet is not linked)."""
    here = url_for("reviews.show_review", review_id=review.id)
    links = {"team": here + "#team-heading", "pre_review": here + "#pre-review-heading",
             "fieldwork": here + "#evidence", "evaluation": url_for("reviews.evaluation", review_id=review.id),
             "report": url_for("reviews.report_draft", review_id=review.id),
             "publish": url_for("reviews.report_draft", review_id=review.id)}
    if review.stage == "published":
        links["report"] = links["publish"] = url_for("reviews.show_report", review_id=review.id)
    elif not can.can_edit_review(current_user, review):
        del links["report"], links["publish"]  # the draft is worked on by the team only
    return links


def render_review(review: JointReview, status: int = 200, **forms: Any) -> Any:
    """The review's page; `forms` are the ones posted (with what was typed and any refusal)."""
    forms.setdefault("stage_form", StageForm())
    forms.setdefault("team_form", TeamMemberForm())
    forms.setdefault("question_form", KeyQuestionForm())
    forms.setdefault("button_form", EmptyForm())
    _team_choices(forms["team_form"], review)
    here = STAGE_ORDER.index(review.stage)
    # The form moves the review back (forward is the page's one button, one stage at a time).
    forms["stage_form"].stage.choices = [(code, name) for code, name in STAGES.items()
                                         if STAGE_ORDER.index(code) < here]
    form = next((f for f in forms.values() if f.errors), None)
    return render_template("reviews/show.html", review=review, form=form, stages=STAGES,
                           team_roles=TEAM_ROLES, pre_review_statuses=PRE_REVIEW_STATUSES,
                           discussion_with=DISCUSSION_WITH, tasks=services.review_tasks(review),
                           task_links=task_links(review),
                           next_step=next_step(review),
                           evidence_stages=services.EVIDENCE_STAGES, **forms), status


def _review_step(review: JointReview, form_name: str, form: Any, action: Callable[[], Any], done: str) -> Any:
    """A change posted from the review's page (permission already checked): on a refusal the
    review page is shown again with the message and what was typed."""
    return process_form(
        form, action, done=lambda _result: flash_and_redirect(done, url_for("reviews.show_review", review_id=review.id)),
        again=lambda status: render_review(review, status, **{form_name: form}))


@bp.post("/reviews/<int:review_id>/team")
@login_required
def add_team_member(review_id: int) -> Any:
    review = review_to_view(review_id)
    require(can.can_edit_review(current_user, review))
    form = TeamMemberForm()
    return _review_step(review, "team_form", form,
                        lambda: services.add_team_member(current_user, review, **form.to_kwargs()),
                        "Added to the review team")


@bp.post("/reviews/<int:review_id>/team/<int:member_id>/remove")
@login_required
def remove_team_member(review_id: int, member_id: int) -> Any:
    review = review_to_view(review_id)
    require(can.can_edit_review(current_user, review))
    member = get_or_404(ReviewTeamMember, member_id)
    if member.review_id != review.id:
        abort(404)
    return _review_step(review, "button_form", EmptyForm(),
                        lambda: services.remove_team_member(current_user, review, member),
                        "Removed from the review team")


@bp.post("/reviews/<int:review_id>/stage")
@login_required
def change_stage(review_id: int) -> Any:
    review = review_to_view(review_id)
    require(can.can_lead_review(current_user, review))
    form = StageForm()
    return _review_step(review, "stage_form", form,
                        lambda: services.change_stage(current_user, review, **form.to_kwargs()), "Stage changed")


@bp.route("/reviews/<int:review_id>/pre-review", methods=["GET", "POST"])
@login_required
def pre_review(review_id: int) -> Any:
    review = review_to_view(review_id)
    require(can.can_edit_review(current_user, review))
    form = pre_review_form(review, formdata=request.method == "POST")

    def page(status: int = 200) -> Any:
        return render_template("reviews/pre_review.html", form=form, review=review,
                               notes_of_visit=services.recent_notes_of_visit(review)), status

    if request.method == "GET":
        return page()
    return process_form(form, lambda: services.update_pre_review(current_user, review, **form.to_kwargs()),
                        done=lambda _review: flash_and_redirect("Pre-review saved",
                                                                url_for("reviews.show_review", review_id=review.id)),
                        again=page)


@bp.post("/reviews/<int:review_id>/key-questions")
@login_required
def add_key_question(review_id: int) -> Any:
    review = review_to_view(review_id)
    require(can.can_edit_review(current_user, review))
    form = KeyQuestionForm()
    return _review_step(review, "question_form", form,
                        lambda: services.add_key_question(current_user, review, **form.to_kwargs()),
                        "Key question added")


@bp.post("/reviews/<int:review_id>/key-questions/<int:question_id>/delete")
@login_required
def delete_key_question(review_id: int, question_id: int) -> Any:
    review = review_to_view(review_id)
    require(can.can_edit_review(current_user, review))
    question = get_or_404(KeyQuestion, question_id)
    if question.review_id != review.id:
        abort(404)
    return _review_step(review, "button_form", EmptyForm(),
                        lambda: services.delete_key_question(current_user, review, question),
                        "Key question deleted")
