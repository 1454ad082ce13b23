"""A school's plans, drafting, the plan page, editing a draft, agreement, amendments, comparison."""
from __future__ import annotations

from datetime import date
from typing import Any, Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ...auth.models import User
from ...core.errors import DomainError
from ...core.forms import EmptyForm, apply_domain_error
from ...core.web import first_or_404, get_or_404, permission_required, require
from ...extensions import db
from ...reviews.models import JointReview
from ...schools.models import School
from .. import permissions as can
from .. import services
from ..forms import (
    ActionForm,
    AllocationForm,
    AmendForm,
    CriterionForm,
    DraftPlanForm,
    ObjectiveForm,
    PlanDetailsForm,
    TimeUsedForm,
)
from ..models import (
    RAG_LABELS,
    PlanAction,
    PlanObjective,
    RaisingAchievementPlan,
    SuccessCriterion,
    TimeAllocation,
)
from . import bp


def _school(urn: int) -> School:
    return first_or_404(select(School).where(School.urn == urn))


def _plan(plan_id: int) -> RaisingAchievementPlan:
    plan = services.load_plan(plan_id)
    if plan is None:
        abort(404)
    require(can.can_view_plan(current_user, plan))
    return plan


def _editable_plan(plan_id: int) -> RaisingAchievementPlan:
    plan = _plan(plan_id)
    require(can.can_edit_plan(current_user, plan))
    return plan


def _objective(plan: RaisingAchievementPlan, objective_id: int) -> PlanObjective:
    objective = get_or_404(PlanObjective, objective_id)
    if objective.plan_id != plan.id:
        abort(404)
    return objective


def _la_people() -> list[User]:
    return list(db.session.scalars(select(User).where(User.is_disabled.is_(False)).order_by(User.name)))


def _status(form: Any) -> int:
    return 422 if form is not None and form.errors else 200


@bp.get("/schools/<int:urn>/plans")
@login_required
def school_plans(urn: int) -> Any:
    school = _school(urn)
    require(can.can_view_school_plans(current_user, school))
    return render_template("rap/list.html", school=school, can=can, plans=services.plans_for_school(school))


@bp.route("/schools/<int:urn>/plans/new", methods=["GET", "POST"])
@permission_required(can.can_draft_plan)
def draft_plan(urn: int) -> Any:
    school = _school(urn)
    review = None
    if request.args.get("review"):
        review = get_or_404(JointReview, request.args.get("review", type=int) or 0)
    form = DraftPlanForm()
    findings = services.more_effective_findings(review) if review is not None else []
    form.finding_ids.choices = [(f.id, f.text) for f in findings]
    if request.method == "GET":
        form.finding_ids.data = [f.id for f in findings]
    if form.validate_on_submit():
        try:
            plan = services.draft_plan(current_user, school, sip_reference=form.sip_reference.data or "",
                                       review=review, finding_ids=list(form.finding_ids.data or []))
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            flash("Draft Raising Achievement Plan started", "success")
            return redirect(url_for("rap.edit_plan", plan_id=plan.id))
    return render_template("rap/new.html", form=form, school=school, review=review), _status(form)


def _render_plan(plan: RaisingAchievementPlan, status: int = 200, **forms: Any) -> Any:
    forms.setdefault("button_form", EmptyForm())
    forms.setdefault("amend_form", AmendForm())
    forms.setdefault("used_form", TimeUsedForm())
    form = next((f for f in forms.values() if f.errors), None)
    return render_template("rap/show.html", plan=plan, can=can, form=form, today=date.today(),
                           rag_labels=RAG_LABELS, versions=services.plan_versions(plan),
                           used_for=(request.view_args or {}).get("allocation_id"), **forms), status


@bp.get("/plans/<int:plan_id>")
@login_required
def show_plan(plan_id: int) -> Any:
    return _render_plan(_plan(plan_id))


def _details_form(plan: RaisingAchievementPlan) -> PlanDetailsForm:
    form = PlanDetailsForm(formdata=None, obj=plan)
    form.version_id.data = str(plan.version_id)
    form.standards_fund.data = "" if plan.standards_fund is None else str(plan.standards_fund)
    return form


def _render_edit(plan: RaisingAchievementPlan, status: int = 200, conflict: Any = None, **forms: Any) -> Any:
    if "details_form" not in forms:
        forms["details_form"] = _details_form(plan)
    forms.setdefault("objective_form", ObjectiveForm(prefix="objective", formdata=None))
    forms.setdefault("allocation_form", AllocationForm(prefix="allocation", formdata=None))
    forms["allocation_form"].user_id.choices = [("", "Choose a person")] + [
        (str(u.id), f"{u.name} ({u.role_name})") for u in _la_people() if u.is_la_staff]
    forms.setdefault("button_form", EmptyForm())
    form = next((f for f in forms.values() if f.errors), None)
    return render_template("rap/edit.html", plan=plan, can=can, form=form, conflict=conflict, **forms), status


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@login_required
def edit_plan(plan_id: int) -> Any:
    plan = _editable_plan(plan_id)
    if request.method == "GET":
        return _render_edit(plan)
    form = PlanDetailsForm()
    conflict = None
    if form.validate_on_submit():
        try:
            services.update_plan(current_user, plan, sip_reference=form.sip_reference.data or "",
                                 standards_fund=form.standards_fund.data,
                                 professional_development=form.professional_development.data or "",
                                 expected_version=int(form.version_id.data or 0))
        except services.EditConflict as err:
            apply_domain_error(form, err)
            plan = _plan(plan_id)
            conflict = plan
            # Saving again from here is a deliberate choice to keep these details.
            form.version_id.data = str(plan.version_id)
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            flash("Plan details saved", "success")
            return redirect(url_for("rap.edit_plan", plan_id=plan_id))
    return _render_edit(_plan(plan_id), 409 if conflict else 422, conflict=conflict, details_form=form)


def _edit_step(plan_id: int, form_name: str, form: Any, step: Callable[[RaisingAchievementPlan, Any], Any],
               done: str) -> Any:
    """One change posted from the edit page: a refusal shows the page again with what was typed."""
    plan = _editable_plan(plan_id)
    if form.validate_on_submit():
        try:
            step(plan, form)
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            flash(done, "success")
            return redirect(url_for("rap.edit_plan", plan_id=plan_id))
    return _render_edit(_plan(plan_id), 422, **{form_name: form})


@bp.post("/plans/<int:plan_id>/objectives")
@login_required
def add_objective(plan_id: int) -> Any:
    return _edit_step(plan_id, "objective_form", ObjectiveForm(prefix="objective"),
                      lambda plan, form: services.add_objective(current_user, plan, form.text.data or ""),
                      "Objective added")


@bp.post("/plans/<int:plan_id>/allocations")
@login_required
def allocate_time(plan_id: int) -> Any:
    form = AllocationForm(prefix="allocation")
    form.user_id.choices = []
    return _edit_step(plan_id, "allocation_form", form,
                      lambda plan, f: services.allocate_time(current_user, plan, user_id=f.user_id.data,
                                                             term=f.term.data or "", days=f.days.data),
                      "Time allocated")


def _render_objective(plan: RaisingAchievementPlan, objective: PlanObjective, status: int = 200,
                      **forms: Any) -> Any:
    forms.setdefault("criterion_form", CriterionForm(prefix="criterion"))
    forms.setdefault("action_form", ActionForm(prefix="action"))
    forms["action_form"].owner_id.choices = [("", "No person: a named role at the school")] + [
        (str(u.id), f"{u.name} ({u.role_name})") for u in _la_people()
        if u.is_la_staff or plan.school_id in u.school_ids and u.role == "school_leader"]
    forms.setdefault("button_form", EmptyForm())
    form = next((f for f in forms.values() if f.errors), None)
    return render_template("rap/objective.html", plan=plan, objective=objective, can=can, form=form,
                           today=date.today(), rag_labels=RAG_LABELS, **forms), status


@bp.get("/plans/<int:plan_id>/objectives/<int:objective_id>")
@login_required
def show_objective(plan_id: int, objective_id: int) -> Any:
    plan = _editable_plan(plan_id)
    return _render_objective(plan, _objective(plan, objective_id))


def _objective_step(plan_id: int, objective_id: int, form_name: str, form: Any,
                    step: Callable[[PlanObjective, Any], Any], done: str) -> Any:
    plan = _editable_plan(plan_id)
    objective = _objective(plan, objective_id)
    if form.validate_on_submit():
        try:
            step(objective, form)
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            flash(done, "success")
            return redirect(url_for("rap.show_objective", plan_id=plan_id, objective_id=objective_id))
    plan = _plan(plan_id)
    return _render_objective(plan, _objective(plan, objective_id), 422, **{form_name: form})


@bp.post("/plans/<int:plan_id>/objectives/<int:objective_id>/criteria")
@login_required
def add_criterion(plan_id: int, objective_id: int) -> Any:
    return _objective_step(
        plan_id, objective_id, "criterion_form", CriterionForm(prefix="criterion"),
        lambda o, f: services.add_criterion(current_user, o, measure=f.measure.data or "",
                                            baseline=f.baseline.data or "", target=f.target.data or "",
                                            by_when=f.by_when.data),
        "Success criterion added")


@bp.post("/plans/<int:plan_id>/objectives/<int:objective_id>/actions")
@login_required
def add_action(plan_id: int, objective_id: int) -> Any:
    form = ActionForm(prefix="action")
    form.owner_id.choices = []
    return _objective_step(
        plan_id, objective_id, "action_form", form,
        lambda o, f: services.add_action(current_user, o, services.ActionData(
            what=f.what.data or "", owner_id=f.owner_id.data, owner_role=f.owner_role.data or "",
            starts_on=f.starts_on.data, due_on=f.due_on.data, status=f.status.data or "not_started",
            notes=f.notes.data or "")),
        "Action added")


@bp.post("/plans/<int:plan_id>/objectives/<int:objective_id>/delete")
@login_required
def delete_objective(plan_id: int, objective_id: int) -> Any:
    return _edit_step(plan_id, "button_form", EmptyForm(),
                      lambda plan, f: services.delete_objective(current_user, _objective(plan, objective_id)),
                      "Objective removed")


@bp.post("/plans/<int:plan_id>/objectives/<int:objective_id>/criteria/<int:criterion_id>/delete")
@login_required
def delete_criterion(plan_id: int, objective_id: int, criterion_id: int) -> Any:
    def step(objective: PlanObjective, form: Any) -> None:
        criterion = get_or_404(SuccessCriterion, criterion_id)
        if criterion.objective_id != objective.id:
            abort(404)
        services.delete_criterion(current_user, criterion)

    return _objective_step(plan_id, objective_id, "button_form", EmptyForm(), step, "Success criterion removed")


@bp.post("/plans/<int:plan_id>/objectives/<int:objective_id>/actions/<int:action_id>/delete")
@login_required
def delete_action(plan_id: int, objective_id: int, action_id: int) -> Any:
    def step(objective: PlanObjective, form: Any) -> None:
        action = get_or_404(PlanAction, action_id)
        if action.objective_id != objective.id:
            abort(404)
        services.delete_action(current_user, action)

    return _objective_step(plan_id, objective_id, "button_form", EmptyForm(), step, "Action removed")


def _plan_step(plan_id: int, allowed: Callable[[Any, RaisingAchievementPlan], bool], form_name: str, form: Any,
               step: Callable[[RaisingAchievementPlan, Any], Any], done: Callable[[Any], str]) -> Any:
    """A step posted from the plan page: check permission, the form, then the service; a refusal
    shows the plan page again with the message and what was typed."""
    plan = _plan(plan_id)
    require(allowed(current_user, plan))
    if form.validate_on_submit():
        try:
            result = step(plan, form)
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            flash(done(result), "success")
            target = result.id if isinstance(result, RaisingAchievementPlan) else plan_id
            return redirect(url_for("rap.show_plan", plan_id=target))
    return _render_plan(_plan(plan_id), 422, **{form_name: form})


@bp.post("/plans/<int:plan_id>/submit")
@login_required
def submit_plan(plan_id: int) -> Any:
    return _plan_step(plan_id, can.can_submit_plan, "button_form", EmptyForm(),
                      lambda plan, form: services.submit_plan(current_user, plan),
                      lambda plan: "Plan submitted for agreement")


@bp.post("/plans/<int:plan_id>/sign-off")
@login_required
def sign_off_plan(plan_id: int) -> Any:
    return _plan_step(plan_id, can.can_sign_off_plan, "button_form", EmptyForm(),
                      lambda plan, form: services.sign_off_plan(current_user, plan),
                      lambda plan: f"Plan agreed on {plan.agreed_on:%d %B %Y}" if plan.status == "agreed"
                      else "Signed off")


@bp.post("/plans/<int:plan_id>/amend")
@login_required
def amend_plan(plan_id: int) -> Any:
    return _plan_step(plan_id, can.can_amend_plan, "amend_form", AmendForm(),
                      lambda plan, form: services.amend_plan(current_user, plan, reason=form.reason.data or ""),
                      lambda plan: f"Version {plan.version} started as a draft amendment")


@bp.post("/plans/<int:plan_id>/allocations/<int:allocation_id>/used")
@login_required
def log_time_used(plan_id: int, allocation_id: int) -> Any:
    allocation = get_or_404(TimeAllocation, allocation_id)
    if allocation.plan_id != plan_id:
        abort(404)
    return _plan_step(plan_id, can.can_log_time, "used_form", TimeUsedForm(),
                      lambda plan, f: services.log_time_used(current_user, allocation, used_on=f.used_on.data,
                                                             days=f.days.data, note=f.note.data or ""),
                      lambda entry: "Days used logged")


@bp.get("/plans/<int:plan_id>/compare")
@login_required
def compare_plans(plan_id: int) -> Any:
    plan = _plan(plan_id)
    versions = {v.version: v for v in services.plan_versions(plan)}
    a, b = request.args.get("a", type=int), request.args.get("b", type=int)
    if a not in versions or b not in versions:
        abort(404)
    return render_template("rap/compare.html", plan=plan, a=versions[a], b=versions[b],
                           lines=services.compare_versions(versions[a], versions[b]))
