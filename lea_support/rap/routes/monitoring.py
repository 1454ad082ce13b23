"""Monitoring improvement: the mid-point review and further reviews, Improvement Notices (and
their PDF letter), and the escalation watch."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...auth.models import Role
from ...core.terms import format_date
from ...core.web import flash_and_redirect, get_or_404, permission_required, process_form, require
from ...evidence.outcomes import criteria_met
from ...extensions import db
from ...pdf import PdfDocument, pdf_response, render_pdf
from ...reviews.services import active_users, current_scale
from ...schools.models import SupportDecision
from ...schools.web import school_or_404
from .. import permissions as can
from .. import services
from ..documents import improvement_notice_document
from ..forms import (
    NoticeForm,
    NoticeStatusForm,
    RescheduleReviewForm,
    midpoint_record_form,
)
from ..models import ImprovementNotice, MidpointReview, RaisingAchievementPlan
from . import bp


def _review(plan_id: int, review_id: int) -> tuple[RaisingAchievementPlan, MidpointReview]:
    """The review, reached from any version of its plan."""
    plan = get_or_404(RaisingAchievementPlan, plan_id)
    review = services.load_midpoint_review(review_id)
    if review is None or review.plan_id != plan.series_id:
        abort(404)
    require(can.can_view_midpoint_review(current_user, review))
    return plan, review


def _review_page(review: MidpointReview) -> str:
    return url_for("rap.show_midpoint_review", plan_id=review.plan_id, review_id=review.id)


def midpoint_task_links(plan: RaisingAchievementPlan, review: MidpointReview, following: MidpointReview | None,
                        notices: list[ImprovementNotice]) -> dict[str, str]:
    """Where each part of the review is worked on: the record form until it is held, then this page."""
    here = _review_page(review)
    links = {"progress": here + "#progress-heading", "judgement": here + "#review-summary",
             "outcome": here + "#review-summary"}
    if not review.is_held:
        links = {}
        if can.can_reschedule_midpoint_review(current_user, review):
            links["date"] = here + "#reschedule"
        if can.can_record_midpoint_review(current_user, review):
            record = url_for("rap.record_midpoint_review", plan_id=plan.id, review_id=review.id)
            links.update(progress=record + "#progress", judgement=record + "#judgement", outcome=record + "#outcome")
    elif following is not None:
        links["follow_up"] = _review_page(following)
    elif notices:
        links["follow_up"] = url_for("rap.show_notice", notice_id=notices[0].id)
    return links


def midpoint_next_step(plan: RaisingAchievementPlan, review: MidpointReview, following: MidpointReview | None,
                       notices: list[ImprovementNotice]) -> dict[str, str] | None:
    """The one next step on the review's page: record it (for its SIA), then go on to what it brought."""
    if not review.is_held:
        if can.can_record_midpoint_review(current_user, review):
            return {"text": "Record the review",
                    "href": url_for("rap.record_midpoint_review", plan_id=plan.id, review_id=review.id)}
        return None
    if following is not None and not following.is_held:
        return {"text": f"Go to further review {following.sequence - 1}", "href": _review_page(following)}
    if notices and can.can_view_notice(current_user, notices[0]):
        return {"text": "Read the Improvement Notice", "href": url_for("rap.show_notice", notice_id=notices[0].id)}
    return None


def _render_review(plan: RaisingAchievementPlan, review: MidpointReview, status: int = 200,
                   reschedule_form: RescheduleReviewForm | None = None) -> Any:
    if reschedule_form is None:
        reschedule_form = RescheduleReviewForm(formdata=None, data={"version_id": str(review.version_id),
                                                                   "scheduled_on": review.scheduled_on})
    monitoring = services.monitoring_for_plan(review.plan)
    # The criteria counted are those of the version in force, which the review judges.
    in_force = services.plan_in_force(review.plan_id) or plan
    earliest = latest = None
    if review.sequence == 1 and review.plan.agreed_on is not None:
        earliest, latest = services.midpoint_window(review.plan.agreed_on)
    notices = [n for n in monitoring.notices if n.midpoint_review_id == review.id]
    following = next((r for r in monitoring.reviews if r.sequence == review.sequence + 1), None)
    return render_template(
        "rap/midpoint.html", plan=plan, review=review, reviews=monitoring.reviews, notices=notices,
        tasks=services.midpoint_tasks(review, following, bool(notices)),
        task_links=midpoint_task_links(plan, review, following, notices),
        next_step=midpoint_next_step(plan, review, following, notices),
        scale=services.review_scale(review) if review.is_held else None,
        decision=db.session.get(SupportDecision, review.decision_id) if review.decision_id else None,
        earliest=earliest, latest=latest, today=date.today(), criteria=criteria_met(in_force.id),
        reschedule_form=reschedule_form, form=reschedule_form if reschedule_form.errors else None), status


@bp.get("/plans/<int:plan_id>/midpoint-reviews/<int:review_id>")
@login_required
def show_midpoint_review(plan_id: int, review_id: int) -> Any:
    return _render_review(*_review(plan_id, review_id))


def _fresh(record: Any, form: Any) -> None:
    """After an edit conflict: read the record afresh (another request saved it after this one read
    it) and carry its version in the form, so that saving again is a deliberate choice, made
    knowing what the other person saved."""
    db.session.expire_all()
    form.version_id.data = str(record.version_id)


@bp.post("/plans/<int:plan_id>/midpoint-reviews/<int:review_id>/reschedule")
@login_required
def reschedule_midpoint_review(plan_id: int, review_id: int) -> Any:
    plan, review = _review(plan_id, review_id)
    require(can.can_reschedule_midpoint_review(current_user, review))
    form = RescheduleReviewForm()

    def again(status: int) -> Any:
        if status == 409:
            _fresh(review, form)
        return _render_review(plan, review, status, reschedule_form=form)

    return process_form(
        form, lambda: services.reschedule_midpoint_review(current_user, review, **form.to_kwargs()),
        done=lambda _review: flash_and_redirect(f"Review rescheduled for {format_date(review.scheduled_on)}",
                                                _review_page(review)),
        again=again)


def _record_form(review: MidpointReview, *, formdata: bool) -> Any:
    plan = services.plan_in_force(review.plan_id)
    if plan is None:
        abort(404)
    leaders = active_users((Role.SIA, Role.ADMIN))
    return midpoint_record_form(review, list(plan.objectives), current_scale(), leaders, formdata=formdata,
                                default_leader=current_user.id if current_user.role == Role.SIA else None), plan


@bp.route("/plans/<int:plan_id>/midpoint-reviews/<int:review_id>/record", methods=["GET", "POST"])
@login_required
def record_midpoint_review(plan_id: int, review_id: int) -> Any:
    plan, review = _review(plan_id, review_id)
    require(can.can_record_midpoint_review(current_user, review))
    if request.method == "GET" and review.is_held:
        flash(f"This review has been recorded as held on {format_date(review.held_on)}", "info")
        return redirect(_review_page(review))
    form, in_force = _record_form(review, formdata=request.method == "POST")

    def page(status: int) -> Any:
        window = services.midpoint_window(review.plan.agreed_on) \
            if review.sequence == 1 and review.plan.agreed_on is not None else None
        return render_template("rap/midpoint_record.html", form=form, plan=plan, review=review, in_force=in_force,
                               conflict=status == 409, scale=current_scale(), window=window), status

    if request.method == "GET":
        return page(200)

    def again(status: int) -> Any:
        nonlocal in_force
        if status == 409:
            _fresh(review, form)
            in_force = services.plan_in_force(review.plan_id) or in_force
        return page(status)

    return process_form(
        form, lambda: services.record_midpoint_review(current_user, review, form.to_data(),
                                                      expected_version=form.expected_version),
        done=lambda _review: flash_and_redirect(f"Review recorded: {review.outcome_name}", _review_page(review)),
        again=again)


# --- Improvement Notices -------------------------------------------------------------------------


def _notice(notice_id: int, *, letter: bool = False) -> ImprovementNotice:
    notice = services.load_improvement_notice(notice_id)
    if notice is None:
        abort(404)
    require(can.can_read_notice_letter(current_user, notice) if letter else can.can_view_notice(current_user, notice))
    return notice


@bp.get("/schools/<int:urn>/notices")
@login_required
def school_notices(urn: int) -> Any:
    school = school_or_404(urn)
    require(can.can_view_school_notices(current_user, school))
    return render_template("rap/notice_list.html", school=school, notices=services.notices_for_school(school))


@bp.route("/schools/<int:urn>/notices/new", methods=["GET", "POST"])
@permission_required(can.can_issue_notice)
def issue_notice(urn: int) -> Any:
    school = school_or_404(urn)
    form = NoticeForm()

    def page(status: int) -> Any:
        return render_template("rap/notice_new.html", form=form, school=school,
                               follow_up=services.notice_follow_up(school)), status

    if request.method == "GET":
        return page(200)
    return process_form(
        form, lambda: services.issue_improvement_notice(current_user, school, **form.to_kwargs()),
        done=lambda notice: flash_and_redirect("Improvement Notice issued",
                                               url_for("rap.show_notice", notice_id=notice.id)),
        again=page)


def _render_notice(notice: ImprovementNotice, status: int = 200, status_form: NoticeStatusForm | None = None,
                   conflict: bool = False) -> Any:
    if status_form is None:
        status_form = NoticeStatusForm(formdata=None, data={"version_id": str(notice.version_id)})
    return render_template("rap/notice.html", notice=notice, status_form=status_form, conflict=conflict,
                           form=status_form if status_form.errors else None), status


@bp.get("/notices/<int:notice_id>")
@login_required
def show_notice(notice_id: int) -> Any:
    return _render_notice(_notice(notice_id))


@bp.get("/notices/<int:notice_id>.pdf")
@login_required
def notice_pdf(notice_id: int) -> Any:
    document = improvement_notice_document(_notice(notice_id, letter=True))
    pdf = render_pdf(document["template"], title=document["title"], author=document["author"],
                     context={"doc": document["content"]})
    return pdf_response(PdfDocument(pdf, document["filename"]))


@bp.post("/notices/<int:notice_id>/status")
@login_required
def change_notice_status(notice_id: int) -> Any:
    notice = _notice(notice_id)
    require(can.can_change_notice_status(current_user, notice))
    form = NoticeStatusForm()

    def again(status: int) -> Any:
        if status == 409:
            _fresh(notice, form)
        return _render_notice(notice, status, status_form=form, conflict=status == 409)

    return process_form(
        form, lambda: services.change_notice_status(current_user, notice, **form.to_kwargs()),
        done=lambda _notice: flash_and_redirect(f"Improvement Notice marked {notice.status_name.lower()}",
                                                url_for("rap.show_notice", notice_id=notice_id)),
        again=again)


# --- the escalation watch ------------------------------------------------------------------------

@bp.get("/escalation-watch")
@permission_required(can.can_view_escalation_watch)
def escalation_watch() -> Any:
    return render_template("rap/escalation_watch.html", rows=services.escalation_watch(date.today()))
