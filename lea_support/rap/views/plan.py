"""A school's plans, drafting, the plan page, editing a draft, agreement, amendments, comparison."""
from __future__ import annotations

from datetime import date
from typing import Any, Callable

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ...auth.models import User
from ...core.errors import DomainError
from ...core.forms import EmptyForm, apply_domain_error, refuse
from ...core.terms import format_date
from ...core.web import first_or_404, get_or_404, id_arg, permission_required, require
from ...extensions import db
from ...reviews.models import JointReview
from ...schools.models import School
from .. import permissions as can
from .. import services
from ..forms import (
    ActionEditForm,
    ActionForm,
    AllocationEditForm,
    AllocationForm,
    AmendForm,
    CriterionEditForm,
    CriterionForm,
    DraftPlanForm,
    ObjectiveEditForm,
    ObjectiveForm,
    PlanDetailsForm,
    SignOffForm,
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


def _version(form: Any) -> int:
    """The version the form was opened at (0, never a real version, if it is missing or garbled)."""
    value = form.version_id.data or ""
    return int(value) if value.isdigit() else 0


@bp.get("/schools/<int:urn>/plans")
@login_required
def school_plans(urn: int) -> Any:
    school = _school(urn)
    require(can.can_view_school_plans(current_user, school))
    plans = services.plans_for_school(school)
    return render_template("rap/list.html", school=school, can=can, plans=plans,
                           in_force=services.versions_in_force(plans))


@bp.route("/schools/<int:urn>/plans/new", methods=["GET", "POST"])
@permission_required(can.can_draft_plan)
def draft_plan(urn: int) -> Any:
    school = _school(urn)
    review = None
    if request.args.get("review"):
        review = get_or_404(JointReview, id_arg(request.args, "review") or 0)
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


def _sign_off_form(plan: RaisingAchievementPlan, form: SignOffForm | None = None) -> SignOffForm:
    """The sign-off button; for the signature that agrees version 1, with the mid-point review date
    (prefilled from the plan) and the window it must fall in if the plan is agreed today."""
    if form is None:
        form = SignOffForm(formdata=None, midpoint_review_on=plan.midpoint_review_on)
    earliest, latest = services.midpoint_window(date.today())
    low, high = current_app.config["MIDPOINT_WINDOW_WEEKS"]
    form.midpoint_review_on.description = (f"{low} to {high} weeks after agreement: between "
                                           f"{format_date(earliest)} and {format_date(latest)} if agreed today")
    return form


def _render_plan(plan: RaisingAchievementPlan, status: int = 200, **forms: Any) -> Any:
    forms.setdefault("button_form", EmptyForm())
    forms.setdefault("amend_form", AmendForm())
    forms.setdefault("used_form", TimeUsedForm())
    forms["sign_off_form"] = _sign_off_form(plan, forms.get("sign_off_form"))
    form = next((f for f in forms.values() if f.errors), None)
    versions = services.plan_versions(plan)
    return render_template("rap/show.html", plan=plan, can=can, form=form, today=date.today(),
                           rag_labels=RAG_LABELS, versions=versions, midpoint_on=services.midpoint_review_date(plan),
                           in_force=services.versions_in_force(versions).get(plan.series_id),
                           asks_midpoint=plan.version == 1 and services.signature_agrees(current_user, plan),
                           used_for=(request.view_args or {}).get("allocation_id"),
                           monitoring=services.monitoring_for_plan(plan), **forms), status


@bp.get("/plans/<int:plan_id>")
@login_required
def show_plan(plan_id: int) -> Any:
    return _render_plan(_plan(plan_id))


def _details_form(plan: RaisingAchievementPlan) -> PlanDetailsForm:
    form = PlanDetailsForm(formdata=None, obj=plan)
    form.midpoint_review_on.data = plan.midpoint_review_on
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
                                 # Only the first version's agreement sets the mid-point review.
                                 midpoint_review_on=form.midpoint_review_on.data if plan.version == 1
                                 else services.UNCHANGED,
                                 expected_version=_version(form))
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
    forms["action_form"].owner_id.choices = _owner_choices(plan)
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
            notes=f.notes.data or "", evidence=f.evidence.data or "")),
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
    status = 422
    if form.validate_on_submit():
        try:
            result = step(plan, form)
        except DomainError as err:
            status = refuse(form, err)
        else:
            flash(done(result), "success")
            target = result.id if isinstance(result, RaisingAchievementPlan) else plan_id
            return redirect(url_for("rap.show_plan", plan_id=target))
    return _render_plan(_plan(plan_id), status, **{form_name: form})


@bp.post("/plans/<int:plan_id>/submit")
@login_required
def submit_plan(plan_id: int) -> Any:
    return _plan_step(plan_id, can.can_submit_plans_of, "button_form", EmptyForm(),
                      lambda plan, form: services.submit_plan(current_user, plan),
                      lambda plan: "Plan submitted for agreement")


@bp.post("/plans/<int:plan_id>/sign-off")
@login_required
def sign_off_plan(plan_id: int) -> Any:
    return _plan_step(plan_id, can.can_sign_plans_of, "sign_off_form", SignOffForm(),
                      lambda plan, form: services.sign_off_plan(
                          current_user, plan, midpoint_review_on=form.midpoint_review_on.data),
                      lambda plan: f"Plan agreed on {format_date(plan.agreed_on)}" if plan.status == "agreed"
                      else "Signed off")


@bp.post("/plans/<int:plan_id>/amend")
@login_required
def amend_plan(plan_id: int) -> Any:
    return _plan_step(plan_id, can.can_amend_plans_of, "amend_form", AmendForm(),
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


# --- editing a draft in place -----------------------------------------------------------------

def _child(model: type, ident: int, parent_id: int, parent: str) -> Any:
    record = get_or_404(model, ident)
    if getattr(record, parent) != parent_id:
        abort(404)
    return record


def _owner_choices(plan: RaisingAchievementPlan) -> list[tuple[str, str]]:
    return [("", "No person: a named role at the school")] + [
        (str(u.id), f"{u.name} ({u.role_name})") for u in _la_people() if can.can_own_action(u, plan)]


def _edit_in_place(plan: RaisingAchievementPlan, form: Any, *, heading: str, fields: list[tuple[str, dict]],
                   version: Callable[[], int], save: Callable[[int], Any], saved: Callable[[], list[tuple[str, Any]]],
                   done: str, back: str) -> Any:
    """Change one part of a draft where it stands. The form carries the version it was opened at;
    a save made after someone else's is refused (409) with their version shown beside what was
    typed, which is kept: saving again is then a deliberate choice to keep it."""
    conflict = None
    if request.method == "GET":
        form.version_id.data = str(version())
    elif form.validate_on_submit():
        try:
            save(_version(form))
        except services.EditConflict as err:
            apply_domain_error(form, err)
            conflict = saved()
            form.version_id.data = str(version())
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            flash(done, "success")
            return redirect(back)
    status = 409 if conflict else (422 if form.errors else 200)
    return render_template("rap/plan_edit_item.html", plan=plan, form=form, heading=heading, fields=fields,
                           conflict=conflict, back=back), status


def _form(form_class: type, record: Any, **data: Any) -> Any:
    """An edit form: filled from the record when the page is opened, from what was typed when posted."""
    if request.method == "GET":
        return form_class(obj=record, **data)
    return form_class()


@bp.route("/plans/<int:plan_id>/objectives/<int:objective_id>/edit", methods=["GET", "POST"])
@login_required
def edit_objective(plan_id: int, objective_id: int) -> Any:
    plan = _editable_plan(plan_id)
    objective = _objective(plan, objective_id)
    form = _form(ObjectiveEditForm, objective)
    return _edit_in_place(
        plan, form, heading="Change the objective", fields=[("text", {"rows": 4})],
        version=lambda: objective.version_id,
        save=lambda v: services.update_objective(current_user, objective, text=form.text.data or "",
                                                 expected_version=v),
        saved=lambda: [("Objective", objective.text)], done="Objective saved",
        back=url_for("rap.show_objective", plan_id=plan_id, objective_id=objective_id))


@bp.route("/plans/<int:plan_id>/objectives/<int:objective_id>/criteria/<int:criterion_id>/edit",
          methods=["GET", "POST"])
@login_required
def edit_criterion(plan_id: int, objective_id: int, criterion_id: int) -> Any:
    plan = _editable_plan(plan_id)
    objective = _objective(plan, objective_id)
    criterion = _child(SuccessCriterion, criterion_id, objective.id, "objective_id")
    form = _form(CriterionEditForm, criterion)
    return _edit_in_place(
        plan, form, heading="Change the success criterion",
        fields=[("measure", {}), ("baseline", {"classes": "govuk-input--width-20"}),
                ("target", {"classes": "govuk-input--width-20"}), ("by_when", {})],
        version=lambda: objective.version_id,
        save=lambda v: services.update_criterion(
            current_user, criterion, measure=form.measure.data or "", baseline=form.baseline.data or "",
            target=form.target.data or "", by_when=form.by_when.data, expected_version=v),
        saved=lambda: [("Measure", criterion.measure), ("Baseline", criterion.baseline),
                       ("Target", criterion.target), ("By when", format_date(criterion.by_when))],
        done="Success criterion saved",
        back=url_for("rap.show_objective", plan_id=plan_id, objective_id=objective_id))


@bp.route("/plans/<int:plan_id>/objectives/<int:objective_id>/actions/<int:action_id>/edit",
          methods=["GET", "POST"])
@login_required
def edit_action(plan_id: int, objective_id: int, action_id: int) -> Any:
    plan = _editable_plan(plan_id)
    objective = _objective(plan, objective_id)
    action = _child(PlanAction, action_id, objective.id, "objective_id")
    form = _form(ActionEditForm, action)
    form.owner_id.choices = _owner_choices(plan)
    return _edit_in_place(
        plan, form, heading="Change the action",
        fields=[("what", {"rows": 2}), ("owner_id", {}), ("owner_role", {}), ("starts_on", {}), ("due_on", {}),
                ("status", {}), ("notes", {"rows": 2}), ("evidence", {"rows": 2})],
        version=lambda: action.version_id,
        save=lambda v: services.update_action(current_user, action, services.ActionData(
            what=form.what.data or "", owner_id=form.owner_id.data, owner_role=form.owner_role.data or "",
            starts_on=form.starts_on.data, due_on=form.due_on.data, status=form.status.data or "not_started",
            notes=form.notes.data or "", evidence=form.evidence.data or ""), expected_version=v),
        saved=lambda: [("What", action.what), ("Owner", action.owner_name),
                       ("Start date", format_date(action.starts_on)), ("Due date", format_date(action.due_on)),
                       ("Status", action.status_name), ("Notes", action.notes), ("Evidence", action.evidence)],
        done="Action saved", back=url_for("rap.show_objective", plan_id=plan_id, objective_id=objective_id))


@bp.route("/plans/<int:plan_id>/allocations/<int:allocation_id>/edit", methods=["GET", "POST"])
@login_required
def edit_allocation(plan_id: int, allocation_id: int) -> Any:
    plan = _editable_plan(plan_id)
    allocation = _child(TimeAllocation, allocation_id, plan.id, "plan_id")
    form = _form(AllocationEditForm, allocation)
    form.user_id.choices = [("", "Choose a person")] + [
        (str(u.id), f"{u.name} ({u.role_name})") for u in _la_people() if u.is_la_staff]
    if request.method == "GET":
        form.days.data = str(allocation.days)
    return _edit_in_place(
        plan, form, heading="Change the time allocated",
        fields=[("user_id", {}), ("term", {"classes": "govuk-input--width-10"}),
                ("days", {"classes": "govuk-input--width-5"})],
        version=lambda: plan.version_id,
        save=lambda v: services.update_allocation(current_user, allocation, user_id=form.user_id.data,
                                                  term=form.term.data or "", days=form.days.data,
                                                  expected_version=v),
        saved=lambda: [("Adviser or consultant", allocation.user.name), ("Term", allocation.term),
                       ("Days allocated", allocation.days)],
        done="Time allocated saved", back=url_for("rap.edit_plan", plan_id=plan_id))


@bp.post("/plans/<int:plan_id>/objectives/<int:objective_id>/move-<any(up, down):direction>")
@login_required
def move_objective(plan_id: int, objective_id: int, direction: str) -> Any:
    return _edit_step(plan_id, "button_form", EmptyForm(),
                      lambda plan, f: services.move_objective(current_user, _objective(plan, objective_id),
                                                              direction),
                      f"Objective moved {direction}")
