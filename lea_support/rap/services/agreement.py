"""Agreeing a plan: the two signatures (the school's and the LA's), and what agreement brings: the
first version forms the project team and schedules the mid-point review; an amendment supersedes
the version before it. It sits between teams (a meeting's new actions are agreed through it) and
plans and monitoring, which it uses."""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select

from ...auth.models import Role
from ...core.audit import record_audit
from ...core.errors import DomainError
from ...core.locking import AlreadyChanged, lock_for_update
from ...core.models import utcnow
from ...core.terms import format_date
from ...extensions import db
from ...notifications.services import notify, team_accounts
from ...reviews.services import school_leaders
from ...schools.services import record_school_event
from ..models import ProjectTeam, ProjectTeamMember, RaisingAchievementPlan, TimeUsed
from .monitoring import check_midpoint_date, schedule_first_midpoint_review
from .plans import plan_versions, record_plan_audit

if TYPE_CHECKING:
    from ...auth.models import User


def signature_agrees(actor: "User", plan: RaisingAchievementPlan) -> bool:
    """Whether this person's sign-off would be the second, agreeing the plan."""
    if actor.role == Role.SCHOOL_LEADER and plan.school_id in actor.school_ids:
        return plan.school_signed_by_id is None and plan.la_signed_by_id is not None
    if actor.role in {Role.SIA, Role.ADMIN}:
        return plan.la_signed_by_id is None and plan.school_signed_by_id is not None
    return False


def sign_off_plan(actor: "User", plan: RaisingAchievementPlan, *, on: date | None = None,
                  midpoint_review_on: date | None = None) -> RaisingAchievementPlan:
    """The school's leader or the LA (an SIA or administrator) signs off a submitted plan; when
    both have, the plan is agreed on that date and frozen. The first agreement checks the mid-point
    review date against the window (the signer may set a new date), forms the project team and
    schedules the review; an amendment's agreement supersedes the version before it."""
    on = on or date.today()
    # The school and the LA signing at the same moment queue here: the second sees the first's
    # signature and agrees the plan (rather than both signing and neither agreeing it).
    lock_for_update(plan)
    if plan.status in {"agreed", "superseded"}:
        raise AlreadyChanged("This plan has already been agreed: reload the page to see it")
    if plan.status != "submitted":
        raise DomainError("Only a plan submitted for agreement can be signed off")
    if actor.role == Role.SCHOOL_LEADER and plan.school_id in actor.school_ids:
        if plan.school_signed_by_id is not None:
            raise AlreadyChanged("The school has already signed off this plan: reload the page to see it")
        side = "school"
    elif actor.role in {Role.SIA, Role.ADMIN}:
        if plan.la_signed_by_id is not None:
            raise AlreadyChanged("The LA has already signed off this plan: reload the page to see it")
        side = "la"
    else:
        raise DomainError("Only the school's leader or the LA can sign off this plan")
    other_signed = plan.la_signed_by_id if side == "school" else plan.school_signed_by_id
    agrees = other_signed is not None
    midpoint = midpoint_review_on or plan.midpoint_review_on
    if agrees and plan.version == 1:
        # Checked before anything changes: a refused date saves nothing, not even the signature.
        midpoint = check_midpoint_date(on, midpoint)
    if side == "school":
        plan.school_signed_by_id, plan.school_signed_on = actor.id, on
    else:
        plan.la_signed_by_id, plan.la_signed_on = actor.id, on
    if midpoint is not None and midpoint != plan.midpoint_review_on:
        plan.midpoint_review_on = midpoint
    record_plan_audit(actor, "plan.sign_off", plan, after={"side": side, "on": on})
    if agrees:
        agree_plan(actor, plan, on)
        db.session.flush()
        _tell_the_team(actor, plan, on)
    db.session.flush()
    return plan


def _tell_the_team(actor: "User", plan: RaisingAchievementPlan, on: date) -> None:
    team = db.session.scalars(select(ProjectTeam).where(ProjectTeam.plan_id == plan.series_id)).one_or_none()
    version = f" (version {plan.version})" if plan.version > 1 else ""
    notify(team_accounts(team) if team else [], "plan_agreed",
           f"Raising Achievement Plan agreed: {plan.school.name}{version}",
           f"The Raising Achievement Plan for {plan.school.name}{version} was agreed on {format_date(on)}. "
           "Your project team delivers it: see its actions, owners and due dates.",
           f"/plans/{plan.id}", about=("raising_achievement_plan", plan.id), key=f"plan_agreed:{plan.id}",
           actor=actor, action="read it")


def agree_plan(actor: "User", plan: RaisingAchievementPlan, on: date) -> None:
    """Agree a version signed by both sides: the first version forms the project team and schedules
    the mid-point review; an amendment supersedes the version before it, taking over its delivery."""
    plan.status, plan.agreed_on = "agreed", on
    record_plan_audit(actor, "plan.agree", plan, before={"status": "submitted"}, after={"status": "agreed", "agreed_on": on})
    if plan.version == 1:
        record_school_event(plan.school, "plan_agreed", "Raising Achievement Plan agreed", actor, audience="school")
        db.session.flush()
        form_project_team(actor, plan, on=on)
        schedule_first_midpoint_review(actor, plan)
        return
    for previous in plan_versions(plan):
        if previous.status == "agreed" and previous.id != plan.id:
            previous.status = "superseded"
            _carry_delivery(previous, plan)
    record_school_event(plan.school, "plan_agreed",
                        f"Raising Achievement Plan version {plan.version} agreed (amendment: "
                        f"{plan.amendment_reason})", actor, audience="school")  # the school agreed it


def _carry_delivery(previous: RaisingAchievementPlan, plan: RaisingAchievementPlan) -> None:
    """Delivery went on against the version in force while the amendment was drafted: bring the
    actions' status, notes and evidence, and the days used, across to the new version."""
    actions = {a.id: a for o in previous.objectives for a in o.actions}
    for objective in plan.objectives:
        for action in objective.actions:
            source = actions.get(action.carried_from_id or 0)
            if source is not None:
                action.status, action.notes, action.evidence = source.status, source.notes, source.evidence
    allocations = {a.id: a for a in previous.allocations}
    for allocation in plan.allocations:
        source = allocations.get(allocation.carried_from_id or 0)
        if source is not None:
            allocation.usage = [TimeUsed(used_on=u.used_on, days=u.days, note=u.note, logged_by_id=u.logged_by_id)
                                for u in source.usage]


def form_project_team(actor: "User", plan: RaisingAchievementPlan, *, on: date) -> ProjectTeam:
    """Form the project team when a plan is first agreed: the school's link adviser coordinates it,
    taking the lead over from the SIA who drafted the plan (the handover is recorded); the SIA, the
    link adviser and the school leaders who signed are its first members."""
    school = plan.school
    coordinator = school.link_adviser
    team = ProjectTeam(plan_id=plan.series_id, school_id=plan.school_id, formed_on=on,
                       coordinator_id=coordinator.id if coordinator else None,
                       handed_over_from_id=plan.drafted_by_id, handed_over_at=utcnow())
    seen: set[int] = set()

    def add(user_id: int | None, role: str) -> None:
        if user_id is not None and user_id not in seen:
            seen.add(user_id)
            team.members.append(ProjectTeamMember(user_id=user_id, team_role=role, joined_on=on))

    add(team.coordinator_id, "link_adviser")
    add(plan.drafted_by_id, "sia")
    for leader in school_leaders(school):
        add(leader.id, "school_slt")
    db.session.add(team)
    db.session.flush()
    record_audit(actor, "project_team.form", "project_team", team.id, school_id=plan.school_id,
                 after={"plan_id": plan.series_id, "coordinator_id": team.coordinator_id,
                        "handed_over_from_id": team.handed_over_from_id,
                        "members": [m.user_id for m in team.members]})
    if coordinator is not None:
        summary = (f"Project team formed: {coordinator.name} (link adviser) takes the lead over from "
                   f"{plan.drafted_by.name} (SIA)")
    else:
        summary = "Project team formed: no link adviser is assigned to lead it yet"
    record_school_event(school, "project_team_formed", summary, actor, audience="school")
    return team
