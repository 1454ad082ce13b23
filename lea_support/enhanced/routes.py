"""A school's enhanced support plans: purposes, consultants deployed, days allocated and used,
outcomes hoped for and reached."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user, login_required

from ..core.forms import EmptyForm
from ..core.web import flash_and_redirect, get_or_404, permission_required, process_form, require
from ..schools.web import school_or_404
from . import permissions as can
from . import services
from .forms import DeploymentForm, NewPlanForm, PlanForm
from .models import ConsultantDeployment, SupportPlan

bp = Blueprint("enhanced", __name__, template_folder="templates")


def _plan(plan_id: int) -> SupportPlan:
    plan = services.load_plan(plan_id)
    if plan is None:
        abort(404)
    require(can.can_view_support_plans(current_user, plan.school))
    return plan


@bp.get("/schools/<int:urn>/support-plans")
@login_required
def school_plans(urn: int) -> Any:
    school = school_or_404(urn)
    require(can.can_view_support_plans(current_user, school))
    plans = services.plans_for_school(school)
    used = services.days_used_by_deployment([d.id for p in plans for d in p.deployments])
    return render_template("enhanced/school_plans.html", school=school, plans=plans, used=used)


@bp.route("/schools/<int:urn>/support-plans/new", methods=["GET", "POST"])
@permission_required(can.can_manage_support_plans)
def new_plan(urn: int) -> Any:
    school = school_or_404(urn)
    form = NewPlanForm()
    if request.method == "GET":
        form.academic_year.data = services.current_academic_year()

    def page(status: int = 200) -> Any:
        return render_template("enhanced/new_plan.html", form=form, school=school,
                               in_enhanced=school.support_tier == services.ENHANCED_TIER), status

    if request.method == "GET":
        return page()
    return process_form(
        form, lambda: services.create_support_plan(current_user, school, **form.to_kwargs()),
        done=lambda plan: flash_and_redirect("Support plan started: deploy consultants on it",
                                             url_for("enhanced.show_plan", plan_id=plan.id)),
        again=page)


def _render_plan(plan: SupportPlan, status: int = 200, *, form: PlanForm | None = None,
                 deployment_form: DeploymentForm | None = None, button_form: EmptyForm | None = None) -> Any:
    if form is None:
        form = PlanForm(formdata=None, obj=plan, version=str(plan.version))
    if deployment_form is None:
        deployment_form = DeploymentForm(formdata=None)
    deployment_form.consultant_id.choices = [("", "Choose a consultant")] + [
        (str(u.id), f"{u.name} ({u.specialism_name})") for u in services.consultants()]
    button_form = button_form or EmptyForm()
    failed = next((f for f in (form, deployment_form, button_form) if f.errors), None)
    lines = services.plan_lines(plan)
    return render_template("enhanced/plan.html", plan=plan, school=plan.school, lines=lines, plan_form=form,
                           deployment_form=deployment_form, button_form=button_form, form=failed,
                           days_allocated=sum((line.deployment.days_allocated for line in lines), start=0),
                           days_used=sum((line.days_used for line in lines), start=0)), status


@bp.get("/support-plans/<int:plan_id>")
@login_required
def show_plan(plan_id: int) -> Any:
    return _render_plan(_plan(plan_id))


@bp.post("/support-plans/<int:plan_id>")
@login_required
def edit_plan(plan_id: int) -> Any:
    plan = _plan(plan_id)
    require(can.can_manage_support_plans(current_user))
    form = PlanForm()
    return process_form(
        form, lambda: services.update_support_plan(current_user, plan, **form.to_kwargs()),
        done=lambda _plan: flash_and_redirect("Support plan saved", url_for("enhanced.show_plan", plan_id=plan.id)),
        again=lambda status: _render_plan(plan, status, form=form))


@bp.post("/support-plans/<int:plan_id>/deployments")
@login_required
def deploy_consultant(plan_id: int) -> Any:
    plan = _plan(plan_id)
    require(can.can_manage_support_plans(current_user))
    form = DeploymentForm()
    form.consultant_id.choices = []  # checked by the service
    return process_form(
        form, lambda: services.deploy_consultant(current_user, plan, **form.to_kwargs()),
        done=lambda d: flash_and_redirect(f"{d.consultant.name} deployed",
                                          url_for("enhanced.show_plan", plan_id=plan.id)),
        again=lambda status: _render_plan(plan, status, deployment_form=form))


@bp.post("/support-plans/deployments/<int:deployment_id>/remove")
@login_required
def remove_deployment(deployment_id: int) -> Any:
    deployment = get_or_404(ConsultantDeployment, deployment_id)
    plan = _plan(deployment.plan_id)
    require(can.can_manage_support_plans(current_user))
    form = EmptyForm()
    return process_form(
        form, lambda: services.remove_deployment(current_user, deployment),
        done=lambda _none: flash_and_redirect("Consultant taken off the plan",
                                              url_for("enhanced.show_plan", plan_id=plan.id)),
        again=lambda status: _render_plan(plan, status, button_form=form))
