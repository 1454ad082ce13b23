"""Raising Achievement Plans: drafting (from scratch or from a published review), objectives,
success criteria, actions, resources and adviser time; submission, sign-off, amendments."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from ...core.audit import record_audit, snapshot
from ...core.errors import DomainError
from ...extensions import db
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

if TYPE_CHECKING:
    from ...auth.models import User
    from ...schools.models import School

PLAN_FIELDS = ("sip_reference", "standards_fund", "professional_development")
TERM_SEASONS = ("autumn", "spring", "summer")


class EditConflict(DomainError):
    """Someone else saved the plan since this copy was opened."""

    def __init__(self, plan: RaisingAchievementPlan):
        super().__init__("This plan was changed by someone else since you opened it. Your changes are still in "
                         "the form: check the plan, then save again to keep yours.")
        self.plan = plan


def _require_draft(plan: RaisingAchievementPlan) -> None:
    if plan.status == "agreed":
        raise DomainError("This plan has been agreed and is frozen: make changes as an amendment")
    if plan.status != "draft":
        raise DomainError("Only a draft plan can be changed")


def _clean(text: str | None) -> str:
    return (text or "").strip()


def _audit(actor: "User", action: str, plan: RaisingAchievementPlan, **kw: Any) -> None:
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
    plan = RaisingAchievementPlan(school_id=school.id, drafted_by_id=actor.id,
                                  source_review_id=review.id if review else None, version=1, status="draft",
                                  sip_reference=_clean(sip_reference), professional_development="",
                                  objectives=objectives)
    db.session.add(plan)
    db.session.flush()
    _audit(actor, "plan.draft", plan, after={"source_review_id": plan.source_review_id,
                                             "objectives": [o.text for o in objectives]})
    record_school_event(school, "plan_drafted", "Raising Achievement Plan drafted", actor)
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
                professional_development: str, expected_version: int | None = None) -> RaisingAchievementPlan:
    """Change a draft plan's references and resources. Refuses with EditConflict if someone else
    saved it after this copy was opened."""
    _require_draft(plan)
    if expected_version is not None and plan.version_id != expected_version:
        raise EditConflict(plan)
    amount = parse_money(standards_fund)
    before = snapshot(plan, PLAN_FIELDS)
    plan.sip_reference = _clean(sip_reference)
    plan.standards_fund = amount
    plan.professional_development = _clean(professional_development)
    db.session.flush()
    _audit(actor, "plan.update", plan, before=before, after=snapshot(plan, PLAN_FIELDS))
    return plan


def add_objective(actor: "User", plan: RaisingAchievementPlan, text: str) -> PlanObjective:
    """Add an objective at the end of a draft plan."""
    _require_draft(plan)
    text = _clean(text)
    if not text:
        raise DomainError("Enter the objective", field="text")
    objective = PlanObjective(text=text, position=max((o.position for o in plan.objectives), default=0) + 1)
    plan.objectives.append(objective)
    db.session.flush()
    _audit(actor, "plan.objective.add", plan, after={"objective_id": objective.id, "text": text})
    return objective


def delete_objective(actor: "User", objective: PlanObjective) -> None:
    """Remove an objective (and its criteria and actions) from a draft plan."""
    plan = objective.plan
    _require_draft(plan)
    before = {"objective_id": objective.id, "text": objective.text}
    plan.objectives.remove(objective)
    db.session.flush()
    _audit(actor, "plan.objective.delete", plan, before=before)


def add_criterion(actor: "User", objective: PlanObjective, *, measure: str, baseline: str, target: str,
                  by_when: date | None) -> SuccessCriterion:
    """Add a success criterion (measure, baseline, target, by when) to an objective of a draft plan."""
    _require_draft(objective.plan)
    measure, baseline, target = _clean(measure), _clean(baseline), _clean(target)
    if not measure:
        raise DomainError("Enter the measure", field="measure")
    if not target:
        raise DomainError("Enter the target", field="target")
    if by_when is None:
        raise DomainError("Enter the date the target is to be met by", field="by_when")
    criterion = SuccessCriterion(measure=measure, baseline=baseline, target=target, by_when=by_when)
    objective.criteria.append(criterion)
    db.session.flush()
    _audit(actor, "plan.criterion.add", objective.plan,
           after=snapshot(criterion, ("objective_id", "measure", "baseline", "target", "by_when")))
    return criterion


def delete_criterion(actor: "User", criterion: SuccessCriterion) -> None:
    """Remove a success criterion from a draft plan."""
    objective = criterion.objective
    _require_draft(objective.plan)
    before = snapshot(criterion, ("objective_id", "measure", "baseline", "target", "by_when"))
    objective.criteria.remove(criterion)
    db.session.flush()
    _audit(actor, "plan.criterion.delete", objective.plan, before=before)


def delete_action(actor: "User", action: PlanAction) -> None:
    """Remove an action from a draft plan."""
    objective = action.objective
    _require_draft(objective.plan)
    before = snapshot(action, ACTION_FIELDS)
    objective.actions.remove(action)
    db.session.flush()
    _audit(actor, "plan.action.delete", objective.plan, before=before)


@dataclass
class ActionData:
    what: str
    owner_id: int | None
    owner_role: str
    starts_on: date | None
    due_on: date | None
    status: str = "not_started"
    notes: str = ""


ACTION_FIELDS = ("objective_id", "what", "owner_id", "owner_role", "starts_on", "due_on", "status", "notes")


def add_action(actor: "User", objective: PlanObjective, data: ActionData) -> PlanAction:
    """Add an action (what, owner: a user or a named role at the school, start, due) to a draft plan."""
    from ...auth.models import User

    _require_draft(objective.plan)
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
    if data.starts_on is None:
        raise DomainError("Enter the start date", field="starts_on")
    if data.due_on is None:
        raise DomainError("Enter the due date", field="due_on")
    if data.due_on < data.starts_on:
        raise DomainError("The due date must be on or after the start date", field="due_on")
    if data.status not in ACTION_STATUSES:
        raise DomainError("Choose the action's status", field="status")
    action = PlanAction(what=what, owner_id=data.owner_id or None, owner_role=role or None,
                        starts_on=data.starts_on, due_on=data.due_on, status=data.status, notes=_clean(data.notes))
    objective.actions.append(action)
    db.session.flush()
    _audit(actor, "plan.action.add", objective.plan, after=snapshot(action, ACTION_FIELDS))
    return action


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


def check_term(term: str) -> str:
    term = _clean(term).lower()
    season, _, year = term.partition("-")
    if season not in TERM_SEASONS or not (year.isdigit() and len(year) == 4):
        raise DomainError("Enter the term like autumn-2026, spring-2027 or summer-2027", field="term")
    return term


def allocate_time(actor: "User", plan: RaisingAchievementPlan, *, user_id: int | None, term: str,
                  days: Any) -> TimeAllocation:
    """Allocate an adviser's or consultant's days in a term to a draft plan."""
    from ...auth.models import User

    _require_draft(plan)
    person = db.session.get(User, user_id) if user_id else None
    if person is None or not person.is_la_staff:
        raise DomainError("Choose the adviser or consultant", field="user_id")
    term = check_term(term)
    allocation = TimeAllocation(user_id=person.id, term=term, days=parse_days(days, "Days allocated", "days"))
    plan.allocations.append(allocation)
    db.session.flush()
    _audit(actor, "plan.time.allocate", plan, after=snapshot(allocation, ("user_id", "term", "days")))
    return allocation


def log_time_used(actor: "User", allocation: TimeAllocation, *, used_on: date | None, days: Any,
                  note: str = "") -> TimeUsed:
    """Log days used against an allocation (allowed on an agreed plan: this is delivery, not the plan)."""
    if used_on is None:
        raise DomainError("Enter the date the time was used", field="used_on")
    entry = TimeUsed(used_on=used_on, days=parse_days(days, "Days used", "days"), note=_clean(note),
                     logged_by_id=actor.id)
    allocation.usage.append(entry)
    db.session.flush()
    _audit(actor, "plan.time.used", allocation.plan,
           after={"allocation_id": allocation.id, **snapshot(entry, ("used_on", "days", "note"))})
    return entry


def submit_plan(actor: "User", plan: RaisingAchievementPlan) -> RaisingAchievementPlan:
    """The SIA submits a draft for agreement: it needs objectives, each with success criteria and actions."""
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
    from ...core.models import utcnow

    plan.status = "submitted"
    plan.submitted_at = utcnow()
    db.session.flush()
    _audit(actor, "plan.submit", plan, before={"status": "draft"}, after={"status": "submitted"})
    return plan


def sign_off_plan(actor: "User", plan: RaisingAchievementPlan, *, on: date | None = None) -> RaisingAchievementPlan:
    """The school's leader or the LA (an SIA or administrator) signs off a submitted plan; when
    both have, the plan is agreed on that date and frozen."""
    on = on or date.today()
    if plan.status != "submitted":
        raise DomainError("Only a plan submitted for agreement can be signed off")
    if actor.role == "school_leader" and plan.school_id in actor.school_ids:
        if plan.school_signed_by_id is not None:
            raise DomainError("The school has already signed off this plan")
        plan.school_signed_by_id, plan.school_signed_on, side = actor.id, on, "school"
    elif actor.role in {"sia", "admin"}:
        if plan.la_signed_by_id is not None:
            raise DomainError("The LA has already signed off this plan")
        plan.la_signed_by_id, plan.la_signed_on, side = actor.id, on, "la"
    else:
        raise DomainError("Only the school's leader or the LA can sign off this plan")
    _audit(actor, "plan.sign_off", plan, after={"side": side, "on": on})
    if plan.school_signed_by_id is not None and plan.la_signed_by_id is not None:
        plan.status, plan.agreed_on = "agreed", on
        _audit(actor, "plan.agree", plan, before={"status": "submitted"}, after={"status": "agreed", "agreed_on": on})
        what = "Raising Achievement Plan agreed" if plan.version == 1 else \
            f"Raising Achievement Plan version {plan.version} agreed (amendment)"
        record_school_event(plan.school, "plan_agreed", what, actor)
    db.session.flush()
    return plan


def amend_plan(actor: "User", plan: RaisingAchievementPlan, *, reason: str) -> RaisingAchievementPlan:
    """Start an amendment of an agreed plan: a new draft version copying its content, with a reason.
    The agreed version is left unchanged."""
    reason = _clean(reason)
    if plan.status != "agreed":
        raise DomainError("Only an agreed plan can be amended; edit the draft instead")
    latest = plan_versions(plan)[-1]
    if latest.id != plan.id:
        raise DomainError(f"Version {latest.version} of this plan already exists: amend the latest version")
    if not reason:
        raise DomainError("Enter the reason for the amendment", field="reason")
    new = RaisingAchievementPlan(
        school_id=plan.school_id, drafted_by_id=actor.id, source_review_id=plan.source_review_id,
        root_id=plan.series_id, version=plan.version + 1, amendment_reason=reason, status="draft",
        sip_reference=plan.sip_reference, standards_fund=plan.standards_fund,
        professional_development=plan.professional_development)
    for o in plan.objectives:
        new.objectives.append(PlanObjective(
            position=o.position, text=o.text, source_finding_id=o.source_finding_id,
            criteria=[SuccessCriterion(measure=c.measure, baseline=c.baseline, target=c.target, by_when=c.by_when)
                      for c in o.criteria],
            actions=[PlanAction(what=a.what, owner_id=a.owner_id, owner_role=a.owner_role, starts_on=a.starts_on,
                                due_on=a.due_on, status=a.status, notes=a.notes) for a in o.actions]))
    for a in plan.allocations:
        new.allocations.append(TimeAllocation(
            user_id=a.user_id, term=a.term, days=a.days,
            usage=[TimeUsed(used_on=u.used_on, days=u.days, note=u.note, logged_by_id=u.logged_by_id)
                   for u in a.usage]))
    db.session.add(new)
    db.session.flush()
    _audit(actor, "plan.amend", new, after={"amends": plan.id, "version": new.version, "reason": reason})
    record_school_event(plan.school, "plan_amended",
                        f"Raising Achievement Plan amendment started (version {new.version})", actor)
    return new


def plan_lines(plan: RaisingAchievementPlan) -> list[str]:
    """The plan's content as lines of text, for comparing versions."""
    lines = [f"SIP / post-Ofsted action plan: {plan.sip_reference}",
             f"Standards Fund: {'' if plan.standards_fund is None else f'£{plan.standards_fund:,.2f}'}",
             f"Professional development: {plan.professional_development}"]
    for i, o in enumerate(plan.objectives, start=1):
        lines.append(f"Objective {i}: {o.text}")
        for c in o.criteria:
            lines.append(f"  Success criterion: {c.measure}; baseline {c.baseline}; target {c.target}; "
                         f"by {c.by_when.isoformat()}")
        for a in o.actions:
            lines.append(f"  Action: {a.what}; owner {a.owner_name}; {a.starts_on.isoformat()} to "
                         f"{a.due_on.isoformat()}; {a.status_name}" + (f"; notes: {a.notes}" if a.notes else ""))
    for a in plan.allocations:
        lines.append(f"Time: {a.user.name}, {a.term}, {a.days} days")
    return lines


def compare_versions(a: RaisingAchievementPlan, b: RaisingAchievementPlan) -> list[tuple[str, str]]:
    """Lines of two versions side by side: (" ", line) in both, ("-", line) only in a, ("+", line) only in b."""
    import difflib

    out: list[tuple[str, str]] = []
    for line in difflib.ndiff(plan_lines(a), plan_lines(b)):
        if line[:1] in {" ", "-", "+"}:
            out.append((line[:1], line[2:]))
    return out
