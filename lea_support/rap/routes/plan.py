"""A school's plans, drafting, the plan page, editing a draft, agreement, amendments, comparison."""
from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any, Callable

from flask import abort, current_app, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ...auth.models import User
from ...core.forms import EmptyForm
from ...core.terms import format_date, term_label
from ...core.web import (
    flash_and_redirect,
    get_or_404,
    id_arg,
    permission_required,
    process_form,
    require,
)
from ...evidence.models import Measure
from ...evidence.outcomes import binding_choices
from ...extensions import db
from ...pdf import PdfDocument, pdf_response, render_pdf
from ...pdf.stored import stored_pdf
from ...privacy.reads import record_read
from ...reviews.models import JointReview
from ...schools.web import school_or_404
from .. import permissions as can
from .. import services
from ..charts import rag_chart
from ..documents import plan_document
from ..forms import (
    ActionEditForm,
    ActionForm,
    AllocationEditForm,
    AllocationForm,
    AmendForm,
    CriterionEditForm,
    CriterionForm,
    CriterionMeasureForm,
    DraftPlanForm,
    ObjectiveEditForm,
    ObjectiveForm,
    PlanDetailsForm,
    SignOffForm,
    TimeUsedForm,
)
from ..models import (
    RAG_LABELS,
    MidpointReview,
    PlanAction,
    PlanObjective,
    ProjectTeam,
    RaisingAchievementPlan,
    SuccessCriterion,
    TimeAllocation,
)
from . import bp


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


@bp.get("/schools/<int:urn>/plans")
@login_required
def school_plans(urn: int) -> Any:
    school = school_or_404(urn)
    require(can.can_view_school_plans(current_user, school))
    plans = services.plans_for_school(school)
    return render_template("rap/list.html", school=school, plans=plans,
                           in_force=services.versions_in_force(plans))


@bp.route("/schools/<int:urn>/plans/new", methods=["GET", "POST"])
@permission_required(can.can_draft_plan)
def draft_plan(urn: int) -> Any:
    school = school_or_404(urn)
    review = None
    if request.args.get("review"):
        review = get_or_404(JointReview, id_arg(request.args, "review") or 0)
    form = DraftPlanForm()
    findings = services.more_effective_findings(review) if review is not None else []
    form.finding_ids.choices = [(f.id, f.text) for f in findings]
    if request.method == "GET":
        form.finding_ids.data = [f.id for f in findings]
        return render_template("rap/new.html", form=form, school=school, review=review)
    return process_form(
        form, lambda: services.draft_plan(current_user, school, review=review, **form.to_kwargs()),
        done=lambda plan: flash_and_redirect("Draft Raising Achievement Plan started",
                                             url_for("rap.edit_plan", plan_id=plan.id)),
        again=lambda status: (render_template("rap/new.html", form=form, school=school, review=review), status))


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


def plan_next_step(plan: RaisingAchievementPlan, team: ProjectTeam | None,
                   reviews: list[MidpointReview]) -> dict[str, str] | None:
    """The one thing to do next on the plan, for the signed-in user: a step that posts ("post":
    the form's action; "sign_off": the sign-off form) or a page to go to; None when there is none."""
    if can.can_edit_plan(current_user, plan):
        if services.ready_to_submit(plan) and can.can_submit_plan(current_user, plan):
            return {"text": "Submit for agreement", "post": url_for("rap.submit_plan", plan_id=plan.id)}
        return {"text": "Edit the draft", "href": url_for("rap.edit_plan", plan_id=plan.id)}
    if can.can_sign_off_plan(current_user, plan):
        return {"text": "Sign off the plan", "sign_off": "yes"}
    if plan.status != "agreed":
        return None
    due = services.open_midpoint_review(reviews)
    if due is not None and can.can_record_midpoint_review(current_user, due) and (
            due.scheduled_on - date.today()).days <= MIDPOINT_SOON_DAYS:
        name = "mid-point review" if due.sequence == 1 else "further review"
        return {"text": f"Record the {name}",
                "href": url_for("rap.record_midpoint_review", plan_id=plan.id, review_id=due.id)}
    if team is not None and can.can_record_meeting(current_user, team):
        return {"text": "Record a project team meeting", "href": url_for("rap.record_meeting", plan_id=plan.id)}
    return None


# A review due within this many days is the SIA's next step on the plan (sooner than the team's meeting).
MIDPOINT_SOON_DAYS = 14


def plan_task_links(plan: RaisingAchievementPlan, team: ProjectTeam | None,
                    reviews: list[MidpointReview]) -> dict[str, str]:
    """Where each part of the plan's task list is worked on (or read, once it is done)."""
    here = url_for("rap.show_plan", plan_id=plan.id)
    if can.can_edit_plan(current_user, plan):
        edit = url_for("rap.edit_plan", plan_id=plan.id)
        links = {"objectives": edit + "#objectives", "criteria": edit + "#objectives", "actions": edit + "#objectives",
                 "resources": edit + "#time"}
    else:
        links = {"objectives": here + "#objectives", "criteria": here + "#objectives",
                 "actions": here + "#objectives", "resources": here + "#time-heading"}
    links["sign_offs"] = here + "#sign-offs"
    if team is not None and can.can_view_team(current_user, team):
        links["project_team"] = url_for("rap.show_team", plan_id=plan.id)
    review = services.open_midpoint_review(reviews) or (reviews[-1] if reviews else None)
    if review is not None and can.can_view_midpoint_review(current_user, review):
        links["midpoint"] = url_for("rap.show_midpoint_review", plan_id=plan.id, review_id=review.id)
    return links


def _render_plan(plan: RaisingAchievementPlan, status: int = 200, **forms: Any) -> Any:
    forms.setdefault("button_form", EmptyForm())
    forms.setdefault("amend_form", AmendForm())
    forms.setdefault("used_form", TimeUsedForm())
    forms["sign_off_form"] = _sign_off_form(plan, forms.get("sign_off_form"))
    form = next((f for f in forms.values() if f.errors), None)
    versions = services.plan_versions(plan)
    team = services.team_for_plan(plan)
    monitoring = services.monitoring_for_plan(plan)
    return render_template("rap/show.html", plan=plan, form=form, today=date.today(),
                           rag_labels=RAG_LABELS, versions=versions, midpoint_on=services.midpoint_review_date(plan),
                           in_force=services.versions_in_force(versions).get(plan.series_id),
                           asks_midpoint=plan.version == 1 and services.signature_agrees(current_user, plan),
                           used_for=(request.view_args or {}).get("allocation_id"),
                           project_team=team, monitoring=monitoring,
                           tasks=services.plan_tasks(plan, team, monitoring.reviews),
                           task_links=plan_task_links(plan, team, monitoring.reviews),
                           next_step=plan_next_step(plan, team, monitoring.reviews), rag_chart=rag_chart(plan, versions), **forms), status


@bp.get("/plans/<int:plan_id>")
@login_required
def show_plan(plan_id: int) -> Any:
    plan = _plan(plan_id)
    record_read("plan", plan.id)
    return _render_plan(plan)


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
        (str(u.id), u.name_and_role) for u in _la_people() if u.is_la_staff]
    forms.setdefault("button_form", EmptyForm())
    form = next((f for f in forms.values() if f.errors), None)
    return render_template("rap/edit.html", plan=plan, form=form, conflict=conflict, **forms), status


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@login_required
def edit_plan(plan_id: int) -> Any:
    plan = _editable_plan(plan_id)
    if request.method == "GET":
        return _render_edit(plan)
    form = PlanDetailsForm()

    def again(status: int) -> Any:
        # After a conflict, the details saved by the other person are shown beside what was typed.
        return _render_edit(plan, status, conflict=_fresh(plan, form) if status == 409 else None, details_form=form)

    return process_form(
        form, lambda: services.update_plan(current_user, plan, **form.to_kwargs(sets_midpoint=plan.version == 1)),
        done=lambda _plan: flash_and_redirect("Plan details saved", url_for("rap.edit_plan", plan_id=plan_id)),
        again=again)


def _fresh(record: Any, form: Any) -> Any:
    """After an edit conflict: the record as it is now saved (read afresh: another request saved it
    after this one read it), and the form carrying its version, so that saving again is a
    deliberate choice to keep what was typed."""
    db.session.expire_all()
    form.version_id.data = str(record.version_id)
    return record


def _edit_step(plan: RaisingAchievementPlan, form_name: str, form: Any, action: Callable[[], Any],
               done: str) -> Any:
    """One change posted from the edit page: a refusal shows the page again with what was typed."""
    return process_form(
        form, action, done=lambda _result: flash_and_redirect(done, url_for("rap.edit_plan", plan_id=plan.id)),
        again=lambda status: _render_edit(plan, status, **{form_name: form}))


@bp.post("/plans/<int:plan_id>/objectives")
@login_required
def add_objective(plan_id: int) -> Any:
    plan = _editable_plan(plan_id)
    form = ObjectiveForm(prefix="objective")
    return _edit_step(plan, "objective_form", form,
                      lambda: services.add_objective(current_user, plan, **form.to_kwargs()), "Objective added")


@bp.post("/plans/<int:plan_id>/allocations")
@login_required
def allocate_time(plan_id: int) -> Any:
    plan = _editable_plan(plan_id)
    form = AllocationForm(prefix="allocation")
    form.user_id.choices = []
    return _edit_step(plan, "allocation_form", form,
                      lambda: services.allocate_time(current_user, plan, **form.to_kwargs()), "Time allocated")


def _render_objective(plan: RaisingAchievementPlan, objective: PlanObjective, status: int = 200,
                      **forms: Any) -> Any:
    forms.setdefault("criterion_form", CriterionForm(prefix="criterion"))
    forms.setdefault("action_form", ActionForm(prefix="action"))
    forms["action_form"].owner_id.choices = _owner_choices(plan)
    forms.setdefault("button_form", EmptyForm())
    form = next((f for f in forms.values() if f.errors), None)
    return render_template("rap/objective.html", plan=plan, objective=objective, form=form,
                           today=date.today(), rag_labels=RAG_LABELS, **forms), status


@bp.get("/plans/<int:plan_id>/objectives/<int:objective_id>")
@login_required
def show_objective(plan_id: int, objective_id: int) -> Any:
    plan = _editable_plan(plan_id)
    return _render_objective(plan, _objective(plan, objective_id))


def _objective_step(plan: RaisingAchievementPlan, objective: PlanObjective, form_name: str, form: Any,
                    action: Callable[[], Any], done: str) -> Any:
    """One change posted from an objective's page: a refusal shows the page again with what was typed."""
    return process_form(
        form, action,
        done=lambda _result: flash_and_redirect(done, url_for("rap.show_objective", plan_id=plan.id,
                                                              objective_id=objective.id)),
        again=lambda status: _render_objective(plan, objective, status, **{form_name: form}))


@bp.post("/plans/<int:plan_id>/objectives/<int:objective_id>/criteria")
@login_required
def add_criterion(plan_id: int, objective_id: int) -> Any:
    plan = _editable_plan(plan_id)
    objective = _objective(plan, objective_id)
    form = CriterionForm(prefix="criterion")
    return _objective_step(plan, objective, "criterion_form", form,
                           lambda: services.add_criterion(current_user, objective, **form.to_kwargs()),
                           "Success criterion added")


@bp.post("/plans/<int:plan_id>/objectives/<int:objective_id>/actions")
@login_required
def add_action(plan_id: int, objective_id: int) -> Any:
    plan = _editable_plan(plan_id)
    objective = _objective(plan, objective_id)
    form = ActionForm(prefix="action")
    form.owner_id.choices = []
    return _objective_step(plan, objective, "action_form", form,
                           lambda: services.add_action(current_user, objective, form.to_data()), "Action added")


@bp.post("/plans/<int:plan_id>/objectives/<int:objective_id>/delete")
@login_required
def delete_objective(plan_id: int, objective_id: int) -> Any:
    plan = _editable_plan(plan_id)
    objective = _objective(plan, objective_id)
    return _edit_step(plan, "button_form", EmptyForm(),
                      lambda: services.delete_objective(current_user, objective), "Objective removed")


@bp.post("/plans/<int:plan_id>/objectives/<int:objective_id>/criteria/<int:criterion_id>/delete")
@login_required
def delete_criterion(plan_id: int, objective_id: int, criterion_id: int) -> Any:
    plan = _editable_plan(plan_id)
    objective = _objective(plan, objective_id)
    criterion = _child(SuccessCriterion, criterion_id, objective.id, "objective_id")
    return _objective_step(plan, objective, "button_form", EmptyForm(),
                           lambda: services.delete_criterion(current_user, criterion), "Success criterion removed")


@bp.post("/plans/<int:plan_id>/objectives/<int:objective_id>/actions/<int:action_id>/delete")
@login_required
def delete_action(plan_id: int, objective_id: int, action_id: int) -> Any:
    plan = _editable_plan(plan_id)
    objective = _objective(plan, objective_id)
    action = _child(PlanAction, action_id, objective.id, "objective_id")
    return _objective_step(plan, objective, "button_form", EmptyForm(),
                           lambda: services.delete_action(current_user, action), "Action removed")


def _plan_step(plan_id: int, allowed: Callable[[Any, RaisingAchievementPlan], bool], form_name: str, form: Any,
               action: Callable[[RaisingAchievementPlan], Any], done: Callable[[Any], str]) -> Any:
    """A step posted from the plan page: check permission, then the form and the service; a refusal
    shows the plan page again with the message and what was typed. A step that makes a new version
    (an amendment) goes on to show it."""
    plan = _plan(plan_id)
    require(allowed(current_user, plan))

    def shown(result: Any) -> Any:
        target = result.id if isinstance(result, RaisingAchievementPlan) else plan_id
        return flash_and_redirect(done(result), url_for("rap.show_plan", plan_id=target))

    return process_form(form, lambda: action(plan), done=shown,
                        again=lambda status: _render_plan(plan, status, **{form_name: form}))


@bp.post("/plans/<int:plan_id>/submit")
@login_required
def submit_plan(plan_id: int) -> Any:
    return _plan_step(plan_id, can.can_submit_plans_of, "button_form", EmptyForm(),
                      lambda plan: services.submit_plan(current_user, plan),
                      lambda plan: "Plan submitted for agreement")


@bp.post("/plans/<int:plan_id>/sign-off")
@login_required
def sign_off_plan(plan_id: int) -> Any:
    form = SignOffForm()
    return _plan_step(plan_id, can.can_sign_plans_of, "sign_off_form", form,
                      lambda plan: services.sign_off_plan(current_user, plan, **form.to_kwargs()),
                      lambda plan: f"Plan agreed on {format_date(plan.agreed_on)}" if plan.status == "agreed"
                      else "Signed off")


@bp.post("/plans/<int:plan_id>/amend")
@login_required
def amend_plan(plan_id: int) -> Any:
    form = AmendForm()
    return _plan_step(plan_id, can.can_amend_plans_of, "amend_form", form,
                      lambda plan: services.amend_plan(current_user, plan, **form.to_kwargs()),
                      lambda plan: f"Version {plan.version} started as a draft amendment")


@bp.post("/plans/<int:plan_id>/allocations/<int:allocation_id>/used")
@login_required
def log_time_used(plan_id: int, allocation_id: int) -> Any:
    allocation = _child(TimeAllocation, allocation_id, plan_id, "plan_id")
    form = TimeUsedForm()
    return _plan_step(plan_id, can.can_log_time, "used_form", form,
                      lambda plan: services.log_time_used(current_user, allocation, **form.to_kwargs()),
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
        (str(u.id), u.name_and_role) for u in _la_people() if can.can_own_action(u, plan)]


def _edit_in_place(plan: RaisingAchievementPlan, form: Any, record: Any, *, heading: str,
                   fields: list[tuple[str, dict]], save: Callable[[], Any], saved: Callable[[], list[tuple[str, Any]]],
                   done: str, back: str) -> Any:
    """Change one part of a draft where it stands. The form carries the version of `record` (the
    part itself, or what it is locked with) it was opened at; a save made after someone else's is
    refused (409) with their version shown beside what was typed, which is kept: saving again is
    then a deliberate choice to keep it."""

    def page(status: int, conflict: Any = None) -> Any:
        return render_template("rap/plan_edit_item.html", plan=plan, form=form, heading=heading, fields=fields,
                               conflict=conflict, back=back), status

    if request.method == "GET":
        form.version_id.data = str(record.version_id)
        return page(200)
    def again(status: int) -> Any:
        if status != 409:
            return page(status)
        _fresh(record, form)
        return page(status, saved())

    return process_form(form, save, done=lambda _result: flash_and_redirect(done, back), again=again)


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
        plan, form, objective, heading="Change the objective", fields=[("text", {"rows": 4})],
        save=lambda: services.update_objective(current_user, objective, **form.to_kwargs()),
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
        plan, form, objective, heading="Change the success criterion",
        fields=[("measure", {}), ("baseline", {"classes": "govuk-input--width-20"}),
                ("target", {"classes": "govuk-input--width-20"}), ("by_when", {})],
        save=lambda: services.update_criterion(current_user, criterion, **form.to_kwargs()),
        saved=lambda: [("Measure", criterion.measure), ("Baseline", criterion.baseline),
                       ("Target", criterion.target), ("By when", format_date(criterion.by_when))],
        done="Success criterion saved",
        back=url_for("rap.show_objective", plan_id=plan_id, objective_id=objective_id))


@bp.route("/plans/<int:plan_id>/objectives/<int:objective_id>/criteria/<int:criterion_id>/measure",
          methods=["GET", "POST"])
@login_required
def bind_criterion(plan_id: int, objective_id: int, criterion_id: int) -> Any:
    plan = _editable_plan(plan_id)
    objective = _objective(plan, objective_id)
    criterion = _child(SuccessCriterion, criterion_id, objective.id, "objective_id")
    form = CriterionMeasureForm() if request.method == "POST" else CriterionMeasureForm(formdata=None)
    choices = binding_choices(plan.school_id)
    form.measure_code.choices = [("", "Choose a measure")] + [(c.code, c.text) for c in choices]
    if request.method == "GET" and criterion.measure_id is not None:
        form.measure_code.data = db.session.scalar(select(Measure.code).where(Measure.id == criterion.measure_id))
        form.target.data = "" if criterion.target_value is None else f"{criterion.target_value:g}"
    return _edit_in_place(
        plan, form, objective, heading=f"Measure \u201c{criterion.measure}\u201d from the data",
        fields=[("measure_code", {}), ("target", {"classes": "govuk-input--width-10"})],
        save=lambda: services.bind_criterion_to_measure(current_user, criterion, **form.to_kwargs()),
        saved=lambda: [("Baseline", criterion.baseline), ("Target", criterion.target)],
        done="Success criterion bound to the measure",
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
        plan, form, action, heading="Change the action",
        fields=[("what", {"rows": 2}), ("owner_id", {}), ("owner_role", {}), ("starts_on", {}), ("due_on", {}),
                ("status", {}), ("notes", {"rows": 2}), ("evidence", {"rows": 2})],
        save=lambda: services.update_action(current_user, action, form.to_data(),
                                            expected_version=form.expected_version),
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
        (str(u.id), u.name_and_role) for u in _la_people() if u.is_la_staff]
    if request.method == "GET":
        form.days.data = str(allocation.days)
    return _edit_in_place(
        plan, form, plan, heading="Change the time allocated",
        fields=[("user_id", {}), ("term", {}),
                ("days", {"classes": "govuk-input--width-5"})],
        save=lambda: services.update_allocation(current_user, allocation, **form.to_kwargs()),
        saved=lambda: [("Adviser or consultant", allocation.user.name), ("Term", term_label(allocation.term)),
                       ("Days allocated", allocation.days)],
        done="Time allocated saved", back=url_for("rap.edit_plan", plan_id=plan_id))


@bp.post("/plans/<int:plan_id>/objectives/<int:objective_id>/move-<any(up, down):direction>")
@login_required
def move_objective(plan_id: int, objective_id: int, direction: str) -> Any:
    plan = _editable_plan(plan_id)
    objective = _objective(plan, objective_id)
    return _edit_step(plan, "button_form", EmptyForm(),
                      lambda: services.move_objective(current_user, objective, direction),
                      f"Objective moved {direction}")


@bp.get("/plans/<int:plan_id>/pdf")
@login_required
def plan_pdf(plan_id: int) -> Any:
    plan = get_or_404(RaisingAchievementPlan, plan_id)
    require(can.can_view_plan(current_user, plan))
    record_read("plan", plan.id, "download")
    document = plan_document(plan)
    # An agreed version is frozen: made once, then served from the store.
    make = partial(stored_pdf, "plan", plan.id) if document["content"]["is_agreed"] else render_pdf
    pdf = make(document["template"], title=document["title"], author=document["author"],
               context={"doc": document["content"]})
    return pdf_response(PdfDocument(pdf, document["filename"]))
