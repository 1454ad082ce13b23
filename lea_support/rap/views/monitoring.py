"""Monitoring improvement: the mid-point review and further reviews, Improvement Notices (and
their PDF letter), and the escalation watch."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ...core.errors import DomainError
from ...core.forms import apply_domain_error
from ...core.terms import format_date
from ...core.web import first_or_404, get_or_404, permission_required, require
from ...extensions import db
from ...pdf import PdfDocument, pdf_response, render_pdf
from ...reviews.services import active_users, current_scale
from ...schools.models import School, SupportDecision
from .. import permissions as can
from .. import services
from ..forms import (
    NoticeForm,
    NoticeStatusForm,
    RescheduleReviewForm,
    midpoint_record_form,
    yes_no,
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


def _render_review(plan: RaisingAchievementPlan, review: MidpointReview, status: int = 200,
                   reschedule_form: RescheduleReviewForm | None = None) -> Any:
    if reschedule_form is None:
        reschedule_form = RescheduleReviewForm(formdata=None, data={"version_id": str(review.version_id),
                                                                   "scheduled_on": review.scheduled_on})
    monitoring = services.monitoring_for_plan(review.plan)
    earliest = latest = None
    if review.sequence == 1 and review.plan.agreed_on is not None:
        earliest, latest = services.midpoint_window(review.plan.agreed_on)
    return render_template(
        "rap/midpoint.html", plan=plan, review=review, reviews=monitoring.reviews,
        notices=[n for n in monitoring.notices if n.midpoint_review_id == review.id],
        scale=services.review_scale(review) if review.is_held else None,
        decision=db.session.get(SupportDecision, review.decision_id) if review.decision_id else None,
        earliest=earliest, latest=latest, today=date.today(),
        reschedule_form=reschedule_form, form=reschedule_form if reschedule_form.errors else None), status


@bp.get("/plans/<int:plan_id>/midpoint-reviews/<int:review_id>")
@login_required
def show_midpoint_review(plan_id: int, review_id: int) -> Any:
    return _render_review(*_review(plan_id, review_id))


@bp.post("/plans/<int:plan_id>/midpoint-reviews/<int:review_id>/reschedule")
@login_required
def reschedule_midpoint_review(plan_id: int, review_id: int) -> Any:
    plan, review = _review(plan_id, review_id)
    require(can.can_reschedule_midpoint_review(current_user, review))
    form = RescheduleReviewForm()
    status = 422
    if form.validate_on_submit():
        try:
            services.reschedule_midpoint_review(current_user, review, scheduled_on=form.scheduled_on.data,
                                                expected_version=int(form.version_id.data or 0))
        except services.ReviewConflict as err:
            apply_domain_error(form, err)
            status = 409
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            flash(f"Review rescheduled for {format_date(review.scheduled_on)}", "success")
            return redirect(_review_page(review))
    plan, review = _review(plan_id, review_id)
    form.version_id.data = str(review.version_id)
    return _render_review(plan, review, status, reschedule_form=form)


def _record_form(review: MidpointReview, *, formdata: bool) -> Any:
    plan = services.plan_in_force(review.plan_id)
    if plan is None:
        abort(404)
    leaders = active_users(("sia", "admin"))
    return midpoint_record_form(review, list(plan.objectives), current_scale(), leaders, formdata=formdata,
                                default_leader=current_user.id if current_user.role == "sia" else None), plan


def _record_data(form: Any) -> services.MidpointRecord:
    return services.MidpointRecord(
        held_on=form.held_on.data, led_by_id=form.led_by_id.data,
        progress={o.id: services.ObjectiveJudgement(progress=p.data or None, evidence=e.data or "")
                  for o, p, e in form.objective_fields},
        capacity_grade=form.capacity_grade.data, adequate_improvement=yes_no(form.adequate_improvement.data),
        summary=form.summary.data or "", outcome=form.outcome.data or None,
        further_review_on=form.further_review_on.data, improvements=form.improvements.data or "",
        comply_by=form.comply_by.data)


@bp.route("/plans/<int:plan_id>/midpoint-reviews/<int:review_id>/record", methods=["GET", "POST"])
@login_required
def record_midpoint_review(plan_id: int, review_id: int) -> Any:
    plan, review = _review(plan_id, review_id)
    require(can.can_record_midpoint_review(current_user, review))
    if request.method == "GET" and review.is_held:
        flash(f"This review has been recorded as held on {format_date(review.held_on)}", "info")
        return redirect(_review_page(review))
    form, in_force = _record_form(review, formdata=request.method == "POST")
    conflict = False
    if form.validate_on_submit():
        try:
            services.record_midpoint_review(current_user, review, _record_data(form),
                                            expected_version=int(form.version_id.data or 0))
        except services.ReviewConflict as err:
            apply_domain_error(form, err)
            conflict = True
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            flash(f"Review recorded: {review.outcome_name}", "success")
            return redirect(_review_page(review))
        plan, review = _review(plan_id, review_id)
        in_force = services.plan_in_force(review.plan_id) or in_force
        # Saving again from here is a deliberate choice, made knowing what the other person saved.
        form.version_id.data = str(review.version_id)
    status = 409 if conflict else 422 if form.errors else 200
    return render_template("rap/midpoint_record.html", form=form, plan=plan, review=review, in_force=in_force,
                           conflict=conflict, scale=current_scale()), status


# --- Improvement Notices -------------------------------------------------------------------------

def _school(urn: int) -> School:
    return first_or_404(select(School).where(School.urn == urn))


def _notice(notice_id: int) -> ImprovementNotice:
    notice = services.load_improvement_notice(notice_id)
    if notice is None:
        abort(404)
    require(can.can_view_notice(current_user, notice))
    return notice


@bp.get("/schools/<int:urn>/notices")
@login_required
def school_notices(urn: int) -> Any:
    school = _school(urn)
    require(can.can_view_school_notices(current_user, school))
    return render_template("rap/notice_list.html", school=school, notices=services.notices_for_school(school))


@bp.route("/schools/<int:urn>/notices/new", methods=["GET", "POST"])
@permission_required(can.can_issue_notice)
def issue_notice(urn: int) -> Any:
    school = _school(urn)
    form = NoticeForm()
    if form.validate_on_submit():
        try:
            notice = services.issue_improvement_notice(current_user, school, improvements=form.improvements.data or "",
                                                       comply_by=form.comply_by.data, issued_on=form.issued_on.data)
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            flash("Improvement Notice issued", "success")
            return redirect(url_for("rap.show_notice", notice_id=notice.id))
        school = _school(urn)
    return render_template("rap/notice_new.html", form=form, school=school), 422 if form.errors else 200


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
    document = services.improvement_notice_document(_notice(notice_id))
    pdf = render_pdf(services.NOTICE_PDF_TEMPLATE, title=document["title"], author=document["author"],
                     context={"notice": document["notice"]})
    return pdf_response(PdfDocument(pdf, document["filename"]))


@bp.post("/notices/<int:notice_id>/status")
@login_required
def change_notice_status(notice_id: int) -> Any:
    notice = _notice(notice_id)
    require(can.can_change_notice_status(current_user, notice))
    form = NoticeStatusForm()
    conflict = False
    if form.validate_on_submit():
        try:
            services.change_notice_status(current_user, notice, status=form.status.data or "", on=form.on.data,
                                          reason=form.reason.data or "",
                                          expected_version=int(form.version_id.data or 0))
        except services.NoticeConflict as err:
            apply_domain_error(form, err)
            conflict = True
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            flash(f"Improvement Notice marked {notice.status_name.lower()}", "success")
            return redirect(url_for("rap.show_notice", notice_id=notice_id))
    notice = _notice(notice_id)
    form.version_id.data = str(notice.version_id)
    return _render_notice(notice, 409 if conflict else 422, status_form=form, conflict=conflict)


# --- the escalation watch ------------------------------------------------------------------------

@bp.get("/escalation-watch")
@permission_required(can.can_view_escalation_watch)
def escalation_watch() -> Any:
    return render_template("rap/escalation_watch.html", rows=services.escalation_watch(date.today()))
