"""Raising Achievement Plans: drafting (from scratch or from a published review), objectives,
success criteria, actions, resources and adviser time; days used; submission and amendments
(sign-off and agreement are in agreement.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from difflib import ndiff
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ...auth.models import Role, User
from ...core.audit import record_audit, snapshot
from ...core.errors import DomainError
from ...core.limits import (
    MAX_ACTIONS_PER_OBJECTIVE,
    MAX_CRITERIA,
    MAX_OBJECTIVES,
    MAX_PLAN_ACTIONS,
    MAX_TIME_ALLOCATIONS,
    MAX_TIME_ENTRIES,
)
from ...core.locking import AlreadyChanged, claim_edit, lock_for_update
from ...core.models import utcnow
from ...core.terms import format_date, require_term, term_label
from ...evidence.outcomes import bind_criterion, parse_target
from ...extensions import db
from ...notifications.services import notify, school_people
from ...reviews.models import JointReview, ReviewFinding
from ...schools.services import record_school_event
from ..models import (
    ACTION_STATUSES,
    PlanAction,
    PlanObjective,
    RaisingAchievementPlan,
    SuccessCriterion,
    TimeAllocation,
    TimeUsed,
)
from ..permissions import can_own_action

if TYPE_CHECKING:
    from ...schools.models import School

PLAN_FIELDS = ("sip_reference", "standards_fund", "professional_development", "midpoint_review_on")
CRITERION_FIELDS = ("objective_id", "measure", "baseline", "target", "by_when")
# What an amendment carries over besides: the binding to a measure and the outcome so far.
CRITERION_OUTCOME_FIELDS = ("measure_id", "baseline_value", "baseline_year", "target_value", "actual",
                            "actual_value", "actual_year", "met", "met_source")
ALLOCATION_FIELDS = ("user_id", "term", "days")
# Passed for a value the caller leaves as it is.
UNCHANGED: Any = object()


def _claim(record: Any, expected_version: int | None, what: str) -> None:
    """Claim the record's edit counter (the plan's records keep theirs in `version_id`), or refuse
    with EditConflict if someone else saved it since this copy was opened."""
    claim_edit(record, expected_version, what, column="version_id")


def _require_draft(plan: RaisingAchievementPlan) -> None:
    if plan.status == "agreed":
        raise DomainError("This plan has been agreed and is frozen: make changes as an amendment")
    if plan.status != "draft":
        raise DomainError("Only a draft plan can be changed")


def _clean(text: str | None) -> str:
    return (text or "").strip()


def record_plan_audit(actor: "User", action: str, plan: RaisingAchievementPlan, **kw: Any) -> None:
    """Write an audit entry about the plan (any stage's change to it)."""
    record_audit(actor, action, "raising_achievement_plan", plan.id, school_id=plan.school_id, **kw)


def plans_for_school(school: "School") -> list[RaisingAchievementPlan]:
    return list(db.session.scalars(select(RaisingAchievementPlan).where(RaisingAchievementPlan.school_id == school.id)
                                   .options(joinedload(RaisingAchievementPlan.drafted_by))
                                   .order_by(RaisingAchievementPlan.id.desc())))


def load_plan(plan_id: int) -> RaisingAchievementPlan | None:
    """A plan with everything its page shows, in a fixed number of queries (not one per
    objective, action or allocation)."""
    objectives = selectinload(RaisingAchievementPlan.objectives)
    return db.session.scalars(select(RaisingAchievementPlan).where(RaisingAchievementPlan.id == plan_id).options(
        objectives.selectinload(PlanObjective.criteria),
        objectives.selectinload(PlanObjective.actions).joinedload(PlanAction.owner),
        selectinload(RaisingAchievementPlan.allocations).selectinload(TimeAllocation.usage),
        selectinload(RaisingAchievementPlan.allocations).joinedload(TimeAllocation.user),
        joinedload(RaisingAchievementPlan.drafted_by),
    )).unique().one_or_none()


def plan_versions(plan: RaisingAchievementPlan) -> list[RaisingAchievementPlan]:
    root = plan.series_id
    return list(db.session.scalars(select(RaisingAchievementPlan).where(
        or_(RaisingAchievementPlan.id == root, RaisingAchievementPlan.root_id == root))
        .order_by(RaisingAchievementPlan.version)))


def versions_in_force(plans: list[RaisingAchievementPlan]) -> dict[int, RaisingAchievementPlan]:
    """The agreed version of each plan series among these versions, by series id (one at most:
    agreeing an amendment supersedes the version before it)."""
    return {p.series_id: p for p in plans if p.status == "agreed"}


def more_effective_findings(review: JointReview) -> list[ReviewFinding]:
    return list(db.session.scalars(select(ReviewFinding).where(
        ReviewFinding.review_id == review.id, ReviewFinding.kind == "more_effective").order_by(ReviewFinding.position)))


def draft_plan(actor: "User", school: "School", *, sip_reference: str = "", review: JointReview | None = None,
               finding_ids: list[int] | None = None) -> RaisingAchievementPlan:
    """Start a draft plan for a school, from scratch or from a published review whose chosen
    "can be made more effective" points become draft objectives, each keeping its link."""
    objectives: list[PlanObjective] = []
    if review is not None:
        if review.school_id != school.id:
            raise DomainError("That review is of another school", field="review_id")
        if review.stage != "published":
            raise DomainError("A plan can only be drafted from a published review", field="review_id")
        findings = more_effective_findings(review)
        chosen = set(finding_ids) if finding_ids is not None else {f.id for f in findings}
        objectives = [PlanObjective(position=i, text=f.text, source_finding_id=f.id)
                      for i, f in enumerate((f for f in findings if f.id in chosen), start=1)]
        if len(objectives) > MAX_OBJECTIVES:
            raise DomainError(f"A plan can have up to {MAX_OBJECTIVES} objectives: choose up to {MAX_OBJECTIVES} of "
                              "the review's points, and add others to an objective later", field="finding_ids")
    plan = RaisingAchievementPlan(school_id=school.id, drafted_by_id=actor.id,
                                  source_review_id=review.id if review else None, version=1, status="draft",
                                  sip_reference=_clean(sip_reference), professional_development="",
                                  objectives=objectives)
    db.session.add(plan)
    db.session.flush()
    record_plan_audit(actor, "plan.draft", plan, after={"source_review_id": plan.source_review_id,
                                             "objectives": [o.text for o in objectives]})
    record_school_event(school, "plan_drafted", "Raising Achievement Plan drafted", actor, audience="school")
    return plan


def parse_money(value: Any, label: str = "Standards Fund amount", field: str = "standards_fund") -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip().replace(",", "").lstrip("£")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise DomainError(f"{label} must be an amount in pounds, like 2500 or 2500.50", field=field) from None
    if not amount.is_finite():
        raise DomainError(f"{label} must be an amount in pounds, like 2500 or 2500.50", field=field)
    if amount < 0:
        raise DomainError(f"{label} cannot be negative", field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise DomainError(f"{label} must be in pounds and pence, like 2500.50", field=field)
    if amount >= Decimal("100000000"):
        raise DomainError(f"{label} must be less than £100,000,000", field=field)
    return amount.quantize(Decimal("0.01"))


def update_plan(actor: "User", plan: RaisingAchievementPlan, *, sip_reference: str, standards_fund: Any,
                professional_development: str, midpoint_review_on: date | None = UNCHANGED,
                expected_version: int | None = None) -> RaisingAchievementPlan:
    """Change a draft plan's references, resources and proposed mid-point review date (checked
    against the window when the plan is agreed). Refuses with EditConflict if someone else saved
    it after this copy was opened."""
    _require_draft(plan)
    _claim(plan, expected_version, "plan")
    amount = parse_money(standards_fund)
    before = snapshot(plan, PLAN_FIELDS)
    plan.sip_reference = _clean(sip_reference)
    plan.standards_fund = amount
    plan.professional_development = _clean(professional_development)
    if midpoint_review_on is not UNCHANGED:
        plan.midpoint_review_on = midpoint_review_on
    db.session.flush()
    record_plan_audit(actor, "plan.update", plan, before=before, after=snapshot(plan, PLAN_FIELDS))
    return plan


def _objective_text(text: str | None) -> str:
    text = _clean(text)
    if not text:
        raise DomainError("Enter the objective", field="text")
    return text


def add_objective(actor: "User", plan: RaisingAchievementPlan, text: str) -> PlanObjective:
    """Add an objective at the end of a draft plan."""
    _require_draft(plan)
    text = _objective_text(text)
    if len(plan.objectives) >= MAX_OBJECTIVES:
        raise DomainError(f"A plan can have up to {MAX_OBJECTIVES} objectives: combine this one with an objective "
                          "the plan already has, or delete one first", field="text")
    objective = PlanObjective(text=text, position=max((o.position for o in plan.objectives), default=0) + 1)
    plan.objectives.append(objective)
    db.session.flush()
    record_plan_audit(actor, "plan.objective.add", plan, after={"objective_id": objective.id, "text": text})
    return objective


def delete_objective(actor: "User", objective: PlanObjective) -> None:
    """Remove an objective (and its criteria and actions) from a draft plan."""
    plan = objective.plan
    _require_draft(plan)
    before = {"objective_id": objective.id, "text": objective.text}
    plan.objectives.remove(objective)
    db.session.flush()
    _renumber(plan)
    record_plan_audit(actor, "plan.objective.delete", plan, before=before)


def update_objective(actor: "User", objective: PlanObjective, *, text: str,
                     expected_version: int | None = None) -> PlanObjective:
    """Change an objective's wording on a draft plan. Refuses with EditConflict if someone else
    changed the objective (or one of its success criteria) after this copy was opened."""
    plan = objective.plan
    _require_draft(plan)
    _claim(objective, expected_version, "objective")
    text = _objective_text(text)
    before = {"objective_id": objective.id, "text": objective.text}
    objective.text = text
    db.session.flush()
    record_plan_audit(actor, "plan.objective.update", plan, before=before, after={"objective_id": objective.id, "text": text})
    return objective


def _renumber(plan: RaisingAchievementPlan, ordered: list[PlanObjective] | None = None) -> None:
    """Number the plan's objectives 1, 2, 3... in the given order (their present order by default).
    A move claims no edit counter: it is not an edit of the objective, so someone changing its
    wording meanwhile is not told it was changed."""
    ordered = ordered if ordered is not None else sorted(plan.objectives, key=lambda o: o.position)
    for position, objective in enumerate(ordered, start=1):
        objective.position = position
    plan.objectives.sort(key=lambda o: o.position)


def move_objective(actor: "User", objective: PlanObjective, direction: str) -> PlanObjective:
    """Move an objective of a draft plan one place up or down (the plan's objectives are numbered
    in this order)."""
    plan = objective.plan
    _require_draft(plan)
    if direction not in {"up", "down"}:
        raise DomainError("Choose to move the objective up or down")
    ordered = sorted(plan.objectives, key=lambda o: o.position)
    index = ordered.index(objective)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        raise DomainError(f"Objective {index + 1} is already the {'first' if direction == 'up' else 'last'}: "
                          f"it cannot move {direction}")
    before = [o.id for o in ordered]
    ordered[index], ordered[other] = ordered[other], ordered[index]
    _renumber(plan, ordered)
    record_plan_audit(actor, "plan.objective.move", plan, before={"order": before}, after={"order": [o.id for o in ordered]})
    return objective


def add_criterion(actor: "User", objective: PlanObjective, *, measure: str, baseline: str, target: str,
                  by_when: date | None) -> SuccessCriterion:
    """Add a success criterion (measure, baseline, target, by when) to an objective of a draft plan."""
    _require_draft(objective.plan)
    if len(objective.criteria) >= MAX_CRITERIA:
        raise DomainError(f"An objective can have up to {MAX_CRITERIA} success criteria: combine some, or delete one "
                          "first", field="measure")
    criterion = SuccessCriterion(**_criterion_values(measure, baseline, target, by_when))
    objective.criteria.append(criterion)
    db.session.flush()
    record_plan_audit(actor, "plan.criterion.add", objective.plan, after=snapshot(criterion, CRITERION_FIELDS))
    return criterion


def _criterion_values(measure: str, baseline: str, target: str, by_when: date | None) -> dict[str, Any]:
    measure, baseline, target = _clean(measure), _clean(baseline), _clean(target)
    if not measure:
        raise DomainError("Enter the measure", field="measure")
    if not target:
        raise DomainError("Enter the target", field="target")
    if by_when is None:
        raise DomainError("Enter the date the target is to be met by", field="by_when")
    return {"measure": measure, "baseline": baseline, "target": target, "by_when": by_when}


def update_criterion(actor: "User", criterion: SuccessCriterion, *, measure: str, baseline: str, target: str,
                     by_when: date | None, expected_version: int | None = None) -> SuccessCriterion:
    """Change a success criterion on a draft plan. It is locked with its objective: refuses with
    EditConflict if the objective or any of its criteria changed after this copy was opened."""
    objective = criterion.objective
    _require_draft(objective.plan)
    _claim(objective, expected_version, "objective")
    values = _criterion_values(measure, baseline, target, by_when)
    before = snapshot(criterion, CRITERION_FIELDS)
    for name, value in values.items():
        setattr(criterion, name, value)
    db.session.flush()
    record_plan_audit(actor, "plan.criterion.update", objective.plan, before=before,
           after=snapshot(criterion, CRITERION_FIELDS))
    return criterion


BINDING_FIELDS = ("measure_id", "baseline", "baseline_value", "baseline_year", "target", "target_value")


def bind_criterion_to_measure(actor: "User", criterion: SuccessCriterion, *, measure_code: str, target: str | None,
                              expected_version: int | None = None) -> SuccessCriterion:
    """Bind a success criterion of a draft plan to a measure of the national data: the baseline is
    the school's latest value, the target as typed; the actual value and met / not met are filled
    in when newer data arrive. Locked with its objective, like any change to a criterion."""
    objective = criterion.objective
    _require_draft(objective.plan)
    _claim(objective, expected_version, "objective")
    if not (measure_code or "").strip():
        raise DomainError("Choose the measure", field="measure_code")
    value = parse_target(target)
    before = snapshot(criterion, BINDING_FIELDS)
    try:
        bind_criterion(criterion, objective.plan.school_id, measure_code, value)
    except DomainError as error:
        raise DomainError(str(error), field="measure_code") from None
    db.session.flush()
    record_plan_audit(actor, "plan.criterion.bind", objective.plan, before=before,
                      after=snapshot(criterion, BINDING_FIELDS))
    return criterion


def delete_criterion(actor: "User", criterion: SuccessCriterion) -> None:
    """Remove a success criterion from a draft plan."""
    objective = criterion.objective
    _require_draft(objective.plan)
    before = snapshot(criterion, CRITERION_FIELDS)
    objective.criteria.remove(criterion)
    db.session.flush()
    record_plan_audit(actor, "plan.criterion.delete", objective.plan, before=before)


def delete_action(actor: "User", action: PlanAction) -> None:
    """Remove an action from a draft plan."""
    objective = action.objective
    _require_draft(objective.plan)
    before = snapshot(action, ACTION_FIELDS)
    objective.actions.remove(action)
    db.session.flush()
    record_plan_audit(actor, "plan.action.delete", objective.plan, before=before)


@dataclass
class ActionData:
    what: str
    owner_id: int | None
    owner_role: str
    starts_on: date | None
    due_on: date | None
    status: str = "not_started"
    notes: str = ""
    evidence: str = ""


ACTION_FIELDS = ("objective_id", "what", "owner_id", "owner_role", "starts_on", "due_on", "status", "notes",
                 "evidence")


def add_action(actor: "User", objective: PlanObjective, data: ActionData) -> PlanAction:
    """Add an action (what, owner: a user or a named role at the school, start, due, evidence) to a
    draft plan."""
    _require_draft(objective.plan)
    _check_room_for_action(objective)
    action = PlanAction(**_action_values(data, objective.plan))
    objective.actions.append(action)
    db.session.flush()
    record_plan_audit(actor, "plan.action.add", objective.plan, after=snapshot(action, ACTION_FIELDS))
    return action


def _check_room_for_action(objective: PlanObjective) -> None:
    if len(objective.actions) >= MAX_ACTIONS_PER_OBJECTIVE:
        raise DomainError(f"An objective can have up to {MAX_ACTIONS_PER_OBJECTIVE} actions: combine some, or put "
                          "this one under another objective", field="what")
    if sum(len(o.actions) for o in objective.plan.objectives) >= MAX_PLAN_ACTIONS:
        raise DomainError(f"A plan can have up to {MAX_PLAN_ACTIONS} actions: combine some, or delete actions that "
                          "are no longer needed first", field="what")


def update_action(actor: "User", action: PlanAction, data: ActionData, *,
                  expected_version: int | None = None) -> PlanAction:
    """Change an action on a draft plan. Refuses with EditConflict if someone else changed it after
    this copy was opened."""
    _require_draft(action.objective.plan)
    _claim(action, expected_version, "action")
    values = _action_values(data, action.objective.plan)
    before = snapshot(action, ACTION_FIELDS)
    for name, value in values.items():
        setattr(action, name, value)
    db.session.flush()
    record_plan_audit(actor, "plan.action.update", action.objective.plan, before=before, after=snapshot(action, ACTION_FIELDS))
    return action


def _action_values(data: ActionData, plan: RaisingAchievementPlan) -> dict[str, Any]:
    what, role = _clean(data.what), _clean(data.owner_role)
    if not what:
        raise DomainError("Enter what is to be done", field="what")
    if data.owner_id and role:
        raise DomainError("Choose a person or name a role at the school as the owner, not both", field="owner_role")
    if not data.owner_id and not role:
        raise DomainError("Choose a person or name a role at the school as the owner", field="owner_id")
    if data.owner_id:
        owner = db.session.get(User, data.owner_id)
        if owner is None or not owner.is_active:
            raise DomainError("Choose an active person as the owner", field="owner_id")
        if not can_own_action(owner, plan):
            raise DomainError(f"{owner.name} cannot own an action of this plan: choose a member of the LA's staff "
                              "or one of the school's own leaders, or name a role at the school", field="owner_id")
    if data.starts_on is None:
        raise DomainError("Enter the start date", field="starts_on")
    if data.due_on is None:
        raise DomainError("Enter the due date", field="due_on")
    if data.due_on < data.starts_on:
        raise DomainError("The due date must be on or after the start date", field="due_on")
    if data.status not in ACTION_STATUSES:
        raise DomainError("Choose the action's status", field="status")
    return {"what": what, "owner_id": data.owner_id or None, "owner_role": role or None, "starts_on": data.starts_on,
            "due_on": data.due_on, "status": data.status, "notes": _clean(data.notes),
            "evidence": _clean(data.evidence)}


def parse_days(value: Any, label: str, field: str) -> Decimal:
    try:
        days = Decimal(str(value).strip())
    except (InvalidOperation, AttributeError):
        raise DomainError(f"{label} must be a number of days, like 2 or 0.5", field=field) from None
    if not days.is_finite():
        raise DomainError(f"{label} must be a number of days, like 2 or 0.5", field=field)
    if days < 0:
        raise DomainError(f"{label} cannot be negative", field=field)
    if days == 0:
        raise DomainError(f"{label} must be more than 0", field=field)
    if days != days.quantize(Decimal("0.1")):
        raise DomainError(f"{label} must be in whole or tenths of days, like 1.5", field=field)
    if days >= 1000:
        raise DomainError(f"{label} must be less than 1000", field=field)
    return days


def allocate_time(actor: "User", plan: RaisingAchievementPlan, *, user_id: int | None, term: str,
                  days: Any) -> TimeAllocation:
    """Allocate an adviser's or consultant's days in a term to a draft plan."""
    _require_draft(plan)
    if len(plan.allocations) >= MAX_TIME_ALLOCATIONS:
        raise DomainError(f"A plan can have up to {MAX_TIME_ALLOCATIONS} allocations of time: add the days to an "
                          "existing allocation for the same person and term instead", field="user_id")
    allocation = TimeAllocation(**_allocation_values(user_id, term, days))
    plan.allocations.append(allocation)
    db.session.flush()
    record_plan_audit(actor, "plan.time.allocate", plan, after=snapshot(allocation, ALLOCATION_FIELDS))
    return allocation


def _allocation_values(user_id: int | None, term: str, days: Any) -> dict[str, Any]:
    person = db.session.get(User, user_id) if user_id else None
    if person is None or not person.is_la_staff:
        raise DomainError("Choose the adviser or consultant", field="user_id")
    return {"user_id": person.id, "term": require_term(term).slug, "days": parse_days(days, "Days allocated", "days")}


def update_allocation(actor: "User", allocation: TimeAllocation, *, user_id: int | None, term: str, days: Any,
                      expected_version: int | None = None) -> TimeAllocation:
    """Change who, which term or how many days an allocation on a draft plan is. It is locked with
    the plan: refuses with EditConflict if the plan changed after this copy was opened."""
    plan = allocation.plan
    _require_draft(plan)
    _claim(plan, expected_version, "plan")
    values = _allocation_values(user_id, term, days)
    before = snapshot(allocation, ALLOCATION_FIELDS)
    for name, value in values.items():
        setattr(allocation, name, value)
    db.session.flush()
    record_plan_audit(actor, "plan.time.update", plan, before={"allocation_id": allocation.id, **before},
           after={"allocation_id": allocation.id, **snapshot(allocation, ALLOCATION_FIELDS)})
    return allocation


# Adviser and consultant time is counted in adviser days: nobody works more than one on one date,
# however many plans it is spread across.
MAX_DAYS_PER_PERSON_PER_DATE = Decimal("1")


def log_time_used(actor: "User", allocation: TimeAllocation, *, used_on: date | None, days: Any,
                  note: str = "", today: date | None = None) -> TimeUsed:
    """Log days used against an allocation of the agreed plan in force (this is delivery, not the
    plan): dated from the day the plan was first agreed to today, and at most one day for the
    allocation's person on one date, across every plan in force."""
    plan = allocation.plan
    today = today or date.today()
    if plan.status == "superseded":
        raise DomainError("This version of the plan has been replaced by a later one: log time against the "
                          "version in force")
    if plan.status != "agreed":
        raise DomainError("Time used can only be logged once the plan has been agreed")
    if used_on is None:
        raise DomainError("Enter the date the time was used", field="used_on")
    if len(allocation.usage) >= MAX_TIME_ENTRIES:
        raise DomainError(f"Up to {MAX_TIME_ENTRIES} entries of days used can be logged against one allocation: "
                          "log several days in one entry instead", field="days")
    if used_on > today:
        raise DomainError("The date the time was used cannot be in the future", field="used_on")
    agreed_on = db.session.scalar(select(func.min(RaisingAchievementPlan.agreed_on)).where(
        or_(RaisingAchievementPlan.id == plan.series_id, RaisingAchievementPlan.root_id == plan.series_id)))
    if agreed_on is not None and used_on < agreed_on:
        raise DomainError(f"The date must be on or after {format_date(agreed_on)}, when the plan was agreed",
                          field="used_on")
    amount = parse_days(days, "Days used", "days")
    if amount > MAX_DAYS_PER_PERSON_PER_DATE:
        raise DomainError("Days used on one date cannot be more than 1: log each day's time against its own date",
                          field="days")
    # The person's row lock makes two entries for them at once queue, so both cannot pass the
    # check below (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers).
    db.session.execute(select(User.id).where(User.id == allocation.user_id).with_for_update())
    # Versions in force only: an amendment's draft holds copies of the days used so far.
    logged = Decimal(str(db.session.scalar(
        select(func.coalesce(func.sum(TimeUsed.days), 0)).join(TimeUsed.allocation).join(TimeAllocation.plan)
        .where(TimeAllocation.user_id == allocation.user_id, TimeUsed.used_on == used_on,
               RaisingAchievementPlan.status == "agreed")))).quantize(Decimal("0.1"))
    if logged + amount > MAX_DAYS_PER_PERSON_PER_DATE:
        raise DomainError(f"{allocation.user.name} already has {logged} days logged on "
                          f"{format_date(used_on)}: no more than 1 day can be logged for one person on one date",
                          field="days")
    entry = TimeUsed(used_on=used_on, days=amount, note=_clean(note), logged_by_id=actor.id)
    allocation.usage.append(entry)
    db.session.flush()
    record_plan_audit(actor, "plan.time.used", allocation.plan,
           after={"allocation_id": allocation.id, **snapshot(entry, ("used_on", "days", "note"))})
    return entry


def submit_plan(actor: "User", plan: RaisingAchievementPlan) -> RaisingAchievementPlan:
    """The SIA submits a draft for agreement: it needs objectives, each with success criteria and actions."""
    lock_for_update(plan)
    if plan.status == "submitted":
        raise AlreadyChanged("This plan has already been submitted for agreement: reload the page to see it")
    _require_draft(plan)
    if not plan.objectives:
        raise DomainError("Add at least one objective before submitting the plan")
    problems = []
    for i, objective in enumerate(plan.objectives, start=1):
        missing = [name for name, items in (("success criteria", objective.criteria), ("actions", objective.actions))
                   if not items]
        if missing:
            problems.append(f"objective {i} (\u201c{objective.text[:60]}\u201d) needs {' and '.join(missing)}")
    if problems:
        raise DomainError("The plan cannot be submitted yet: " + "; ".join(problems))
    plan.status = "submitted"
    plan.submitted_at = utcnow()
    db.session.flush()
    record_plan_audit(actor, "plan.submit", plan, before={"status": "draft"}, after={"status": "submitted"})
    version = f" (version {plan.version})" if plan.version > 1 else ""
    notify([*school_people(plan.school_id, Role.SCHOOL_LEADER), plan.drafted_by, plan.la_signed_by], "plan_submitted",
           f"Raising Achievement Plan to sign: {plan.school.name}{version}",
           f"The Raising Achievement Plan for {plan.school.name}{version} has been submitted for agreement by "
           f"{actor.name}. Read it, then sign it off (the school's leader and the LA each sign).",
           f"/plans/{plan.id}", about=("raising_achievement_plan", plan.id), key=f"plan_submitted:{plan.id}",
           actor=actor, action="read and sign it")
    return plan


def amend_plan(actor: "User", plan: RaisingAchievementPlan, *, reason: str) -> RaisingAchievementPlan:
    """Start an amendment of an agreed plan: a new draft version copying its content, with a reason.
    The agreed version is left unchanged."""
    reason = _clean(reason)
    # The version being amended is locked, so a second click waits and then finds the amendment made.
    lock_for_update(plan)
    if plan.status != "agreed":
        raise DomainError("Only an agreed plan can be amended; edit the draft instead")
    latest = plan_versions(plan)[-1]
    if latest.id != plan.id:
        raise AlreadyChanged(f"Version {latest.version} of this plan already exists: reload the page to see it, "
                             "or amend the latest version")
    if not reason:
        raise DomainError("Enter the reason for the amendment", field="reason")
    new = RaisingAchievementPlan(
        school_id=plan.school_id, drafted_by_id=actor.id, source_review_id=plan.source_review_id,
        root_id=plan.series_id, version=plan.version + 1, amendment_reason=reason, status="draft",
        sip_reference=plan.sip_reference, standards_fund=plan.standards_fund,
        professional_development=plan.professional_development, midpoint_review_on=plan.midpoint_review_on)
    for o in plan.objectives:
        new.objectives.append(PlanObjective(
            position=o.position, text=o.text, source_finding_id=o.source_finding_id,
            criteria=[SuccessCriterion(measure=c.measure, baseline=c.baseline, target=c.target, by_when=c.by_when,
                                       **{f: getattr(c, f) for f in CRITERION_OUTCOME_FIELDS})
                      for c in o.criteria],
            actions=[PlanAction(what=a.what, **_carried_owner(a, plan), starts_on=a.starts_on,
                                due_on=a.due_on, status=a.status, notes=a.notes, evidence=a.evidence,
                                carried_from_id=a.id) for a in o.actions]))
    for a in plan.allocations:
        new.allocations.append(TimeAllocation(
            user_id=a.user_id, term=a.term, days=a.days, carried_from_id=a.id,
            usage=[TimeUsed(used_on=u.used_on, days=u.days, note=u.note, logged_by_id=u.logged_by_id)
                   for u in a.usage]))
    db.session.add(new)
    db.session.flush()
    record_plan_audit(actor, "plan.amend", new, after={"amends": plan.id, "version": new.version, "reason": reason})
    record_school_event(plan.school, "plan_amended",
                        f"Raising Achievement Plan amendment started (version {new.version})", actor,
                        audience="school")
    return new


def _carried_owner(action: PlanAction, plan: RaisingAchievementPlan) -> dict[str, Any]:
    """An action's owner as an amendment copies it: someone who may no longer own the plan's actions
    (a head who has moved to another school) is kept by name only, as free text."""
    if action.owner is not None and not can_own_action(action.owner, plan):
        return {"owner_id": None, "owner_role": action.owner.name[:200]}
    return {"owner_id": action.owner_id, "owner_role": action.owner_role}


def plan_lines(plan: RaisingAchievementPlan) -> list[str]:
    """The plan's content as lines of text, for comparing versions."""
    midpoint = plan.midpoint_review_on
    lines = [f"SIP / post-Ofsted action plan: {plan.sip_reference}",
             f"Standards Fund: {'' if plan.standards_fund is None else f'£{plan.standards_fund:,.2f}'}",
             f"Professional development: {plan.professional_development}",
             f"Mid-point review: {format_date(midpoint)}"]
    for i, o in enumerate(plan.objectives, start=1):
        lines.append(f"Objective {i}: {o.text}")
        for c in o.criteria:
            lines.append(f"  Success criterion: {c.measure}; baseline {c.baseline}; target {c.target}; "
                         f"by {format_date(c.by_when)}")
        for a in o.actions:
            lines.append(f"  Action: {a.what}; owner {a.owner_name}; {format_date(a.starts_on)} to "
                         f"{format_date(a.due_on)}; {a.status_name}" + (f"; notes: {a.notes}" if a.notes else "")
                         + (f"; evidence: {a.evidence}" if a.evidence else ""))
    for a in plan.allocations:
        lines.append(f"Time: {a.user.name}, {term_label(a.term)}, {a.days} days")
    return lines


def compare_versions(a: RaisingAchievementPlan, b: RaisingAchievementPlan) -> list[tuple[str, str]]:
    """Lines of two versions side by side: (" ", line) in both, ("-", line) only in a, ("+", line) only in b."""
    out: list[tuple[str, str]] = []
    for line in ndiff(plan_lines(a), plan_lines(b)):
        if line[:1] in {" ", "-", "+"}:
            out.append((line[:1], line[2:]))
    return out
