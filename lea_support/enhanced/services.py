"""Enhanced support plans: purposes, outcomes, the consultants deployed and the days their support
visits have used."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from ..auth.models import Role, User
from ..casework.models import NoteOfVisit
from ..core.audit import record_audit, snapshot
from ..core.errors import DomainError
from ..core.limits import LONG_TEXT, MEDIUM_TEXT, too_long
from ..core.locking import claim_edit
from ..core.terms import academic_year_for, format_days, parse_academic_year
from ..extensions import db
from ..schools.services import record_school_event
from .models import ConsultantDeployment, SupportPlan

if TYPE_CHECKING:
    from ..schools.models import School

ENHANCED_TIER = "enhanced"
# A consultant's support visit uses at most this many days.
MAX_VISIT_DAYS = Decimal(5)
MAX_DEPLOYMENTS = 30


def parse_days(value: Any, *, field: str, what: str, most: Decimal) -> Decimal:
    """Days as typed, to one decimal place, more than 0 and at most `most`."""
    try:
        days = Decimal(str(value).strip()).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise DomainError(f"Enter {what} as a number, like 0.5 or 2", field=field) from None
    if not Decimal(0) < days <= most:
        raise DomainError(f"{what[0].upper()}{what[1:]} must be more than 0 and at most {format_days(most)}",
                          field=field)
    return days


# --- where consultants are deployed ----------------------------------------------------------------

def is_deployed_at(user: User, school_id: int) -> bool:
    """Whether a support plan at the school deploys this consultant. One query, on an index."""
    return db.session.scalar(select(ConsultantDeployment.id).where(
        ConsultantDeployment.consultant_id == user.id, ConsultantDeployment.school_id == school_id).limit(1)) is not None


def deployments_of(consultant_id: int, school_id: int) -> list[ConsultantDeployment]:
    """The consultant's deployments at the school, latest plan first."""
    return list(db.session.scalars(
        select(ConsultantDeployment).join(SupportPlan)
        .where(ConsultantDeployment.consultant_id == consultant_id, ConsultantDeployment.school_id == school_id)
        .order_by(SupportPlan.academic_year.desc(), ConsultantDeployment.id)))


def check_visit_deployment(author: User, school_id: int, deployment_id: int | None, days_spent: Any,
                           *, written_up: bool) -> tuple[int | None, Decimal | None]:
    """The deployment and days of a note of visit, checked for its author: a consultant's written-up
    visit names one of their deployments at the school and the days it used; an adviser's names none."""
    if author.role != Role.CONSULTANT:
        if deployment_id is not None:
            raise DomainError("Only an LA consultant's visit is recorded against a deployment", field="deployment_id")
        return None, None
    if deployment_id is None:
        if written_up:
            raise DomainError("Choose the support plan deployment this visit was for", field="deployment_id")
        return None, None
    if deployment_id not in {d.id for d in deployments_of(author.id, school_id)}:
        raise DomainError("Choose one of your deployments at this school", field="deployment_id")
    if days_spent in (None, ""):
        raise DomainError("Enter the days this visit used, like 0.5 or 1", field="days_spent")
    return deployment_id, parse_days(days_spent, field="days_spent", what="days used", most=MAX_VISIT_DAYS)


# --- days used ------------------------------------------------------------------------------------

def days_used_by_deployment(deployment_ids: list[int]) -> dict[int, Decimal]:
    """Days used by the written-up support visits of each deployment. One query."""
    if not deployment_ids:
        return {}
    rows = db.session.execute(
        select(NoteOfVisit.deployment_id, func.sum(NoteOfVisit.days_spent))
        .where(NoteOfVisit.deployment_id.in_(deployment_ids), NoteOfVisit.status != "planned")
        .group_by(NoteOfVisit.deployment_id)).all()
    return {deployment_id: Decimal(total or 0) for deployment_id, total in rows if deployment_id is not None}


def consultant_visit_days(school_id: int, starts: date, ends: date) -> Decimal:
    """Days used by consultants' written-up support visits at the school between two dates. One query."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(NoteOfVisit.days_spent), 0))
        .where(NoteOfVisit.school_id == school_id, NoteOfVisit.deployment_id.is_not(None),
               NoteOfVisit.status != "planned", NoteOfVisit.visit_date >= starts, NoteOfVisit.visit_date <= ends))
    return Decimal(total or 0)


@dataclass
class DeploymentDays:
    """A deployment on a school's support plan, with the days its consultant's support visits used
    in a term and in the academic year up to that term's end."""
    deployment: ConsultantDeployment
    used_in_term: Decimal
    used_in_year: Decimal


def support_plan_days(school_id: int, academic_year: str, *, year_starts: date, term_starts: date,
                      term_ends: date) -> list[DeploymentDays]:
    """The deployments on the school's support plan for the year (with their consultants) and the
    days their written-up support visits used, in the term and in the year to its end. Two queries."""
    deployments = list(db.session.scalars(
        select(ConsultantDeployment).join(SupportPlan)
        .where(SupportPlan.school_id == school_id, SupportPlan.academic_year == academic_year)
        .order_by(ConsultantDeployment.id)))
    if not deployments:
        return []
    in_term = case((NoteOfVisit.visit_date >= term_starts, NoteOfVisit.days_spent), else_=0)
    used = {deployment_id: (Decimal(term or 0), Decimal(year or 0)) for deployment_id, term, year in db.session.execute(
        select(NoteOfVisit.deployment_id, func.sum(in_term), func.sum(NoteOfVisit.days_spent))
        .where(NoteOfVisit.deployment_id.in_([d.id for d in deployments]), NoteOfVisit.status != "planned",
               NoteOfVisit.visit_date >= year_starts, NoteOfVisit.visit_date <= term_ends)
        .group_by(NoteOfVisit.deployment_id))}
    return [DeploymentDays(d, *used.get(d.id, (Decimal(0), Decimal(0)))) for d in deployments]


@dataclass
class DeploymentLine:
    deployment: ConsultantDeployment
    days_used: Decimal

    @property
    def days_left(self) -> Decimal:
        return self.deployment.days_allocated - self.days_used


def plan_lines(plan: SupportPlan) -> list[DeploymentLine]:
    used = days_used_by_deployment([d.id for d in plan.deployments])
    return [DeploymentLine(d, used.get(d.id, Decimal(0))) for d in plan.deployments]


def plans_for_school(school: "School") -> list[SupportPlan]:
    """The school's support plans, latest year first, with their deployments and consultants."""
    return list(db.session.scalars(
        select(SupportPlan).where(SupportPlan.school_id == school.id)
        .options(selectinload(SupportPlan.deployments))
        .order_by(SupportPlan.academic_year.desc())))


def load_plan(plan_id: int) -> SupportPlan | None:
    return db.session.scalars(select(SupportPlan).where(SupportPlan.id == plan_id)
                              .options(selectinload(SupportPlan.deployments))).first()


def consultants() -> list[User]:
    """The LA consultants who may be deployed, by name."""
    return list(db.session.scalars(select(User).where(User.role == Role.CONSULTANT, User.is_disabled.is_(False))
                                   .order_by(User.name, User.id)))


# --- changing plans -------------------------------------------------------------------------------

def _text(value: str, *, field: str, what: str, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(f"Enter {what}", field=field)
    if len(value) > limit:
        raise DomainError(too_long(what[0].upper() + what[1:], limit), field=field)
    return value


def create_support_plan(actor: User, school: "School", *, academic_year: str, purposes: str,
                        outcome_hoped: str) -> SupportPlan:
    """Start a school's enhanced support plan for a year: what the support is for and the outcome hoped for."""
    if school.support_tier != ENHANCED_TIER:
        raise DomainError(f"{school.name} is not in enhanced support: change its support tier first")
    try:
        parse_academic_year(academic_year or "")
    except (ValueError, DomainError):
        raise DomainError("Enter the academic year like 2026/27", field="academic_year") from None
    if db.session.scalar(select(SupportPlan.id).where(SupportPlan.school_id == school.id,
                                                      SupportPlan.academic_year == academic_year)) is not None:
        raise DomainError(f"{school.name} already has a support plan for {academic_year}: edit that one",
                          field="academic_year")
    plan = SupportPlan(school_id=school.id, academic_year=academic_year, created_by_id=actor.id,
                       purposes=_text(purposes, field="purposes", what="the specific purposes of the support",
                                      limit=LONG_TEXT),
                       outcome_hoped=_text(outcome_hoped, field="outcome_hoped", what="the outcome hoped for",
                                           limit=LONG_TEXT))
    db.session.add(plan)
    db.session.flush()
    record_audit(actor, "support_plan.create", "support_plan", plan.id, school_id=school.id,
                 after=snapshot(plan, ("academic_year", "purposes", "outcome_hoped")))
    record_school_event(school, "support_plan", f"Enhanced support plan for {academic_year} started", actor,
                        audience="school")
    return plan


def update_support_plan(actor: User, plan: SupportPlan, *, purposes: str, outcome_hoped: str, outcome_reached: str,
                        expected_version: int | None) -> SupportPlan:
    """Change a plan's purposes and outcomes (the outcome reached is written as the support ends)."""
    fields = ("purposes", "outcome_hoped", "outcome_reached")
    values = {"purposes": _text(purposes, field="purposes", what="the specific purposes of the support", limit=LONG_TEXT),
              "outcome_hoped": _text(outcome_hoped, field="outcome_hoped", what="the outcome hoped for", limit=LONG_TEXT),
              "outcome_reached": _text(outcome_reached, field="outcome_reached", what="the outcome reached",
                                       limit=LONG_TEXT, required=False)}
    claim_edit(plan, expected_version, "support plan", column="version")
    before = snapshot(plan, fields)
    for name, value in values.items():
        setattr(plan, name, value)
    db.session.flush()
    record_audit(actor, "support_plan.update", "support_plan", plan.id, school_id=plan.school_id,
                 before=before, after=snapshot(plan, fields))
    if values["outcome_reached"] and not before["outcome_reached"]:
        record_school_event(plan.school, "support_plan", f"Outcome of the enhanced support plan for "
                            f"{plan.academic_year} recorded", actor, audience="school")
    return plan


def deploy_consultant(actor: User, plan: SupportPlan, *, consultant_id: int | None, purpose: str,
                      days_allocated: Any) -> ConsultantDeployment:
    """Deploy an LA consultant on the plan for a purpose and a number of days."""
    consultant = db.session.get(User, consultant_id) if consultant_id else None
    if consultant is None or consultant.role != Role.CONSULTANT or consultant.is_disabled:
        raise DomainError("Choose an LA consultant from the list", field="consultant_id")
    if len(plan.deployments) >= MAX_DEPLOYMENTS:
        raise DomainError(f"A plan can deploy up to {MAX_DEPLOYMENTS} consultants")
    deployment = ConsultantDeployment(
        plan_id=plan.id, school_id=plan.school_id, consultant_id=consultant.id,
        purpose=_text(purpose, field="purpose", what="the purpose of the deployment", limit=MEDIUM_TEXT),
        days_allocated=parse_days(days_allocated, field="days_allocated", what="days allocated", most=Decimal(200)))
    db.session.add(deployment)
    db.session.flush()
    record_audit(actor, "support_plan.deploy", "support_plan", plan.id, school_id=plan.school_id,
                 after={"consultant": consultant.id, "purpose": deployment.purpose,
                        "days_allocated": deployment.days_allocated})
    record_school_event(plan.school, "support_plan",
                        f"{consultant.name} ({consultant.specialism_name} consultant) deployed for "
                        f"{format_days(deployment.days_allocated)} days: {deployment.purpose}", actor,
                        audience="school")
    return deployment


def remove_deployment(actor: User, deployment: ConsultantDeployment) -> None:
    """Take a consultant off a plan, while no visit is recorded against the deployment."""
    if db.session.scalar(select(NoteOfVisit.id).where(NoteOfVisit.deployment_id == deployment.id).limit(1)):
        raise DomainError(f"{deployment.consultant.name} has recorded visits for this deployment: it cannot be removed")
    plan = deployment.plan
    record_audit(actor, "support_plan.undeploy", "support_plan", plan.id, school_id=plan.school_id,
                 before={"consultant": deployment.consultant_id, "purpose": deployment.purpose})
    plan.deployments.remove(deployment)
    db.session.flush()


def current_academic_year() -> str:
    return academic_year_for(date.today())
