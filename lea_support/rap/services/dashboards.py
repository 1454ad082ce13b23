"""The plans dashboard: every open plan with its overdue actions, RAG summary, next mid-point review
and adviser days used against allocated, in a fixed number of queries however many plans there are."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import contains_eager

from ...extensions import db
from ...schools.models import School
from ..models import (
    MidpointReview,
    PlanAction,
    PlanObjective,
    RaisingAchievementPlan,
    TimeAllocation,
    TimeUsed,
    rag_expression,
)

if TYPE_CHECKING:
    from ...auth.models import User

RAG_ORDER = ("red", "amber", "green", "complete")


@dataclass
class DashboardFilters:
    q: str = ""
    overdue_only: bool = False
    mine: bool = False  # only schools the signed-in adviser links to
    # A school leader's own schools (None: every school the user may see).
    school_ids: list[int] | None = None


@dataclass
class PlanRow:
    plan: RaisingAchievementPlan
    rag: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RAG_ORDER, 0))
    overdue: int = 0
    next_review_on: date | None = None
    days_allocated: Decimal = Decimal("0")
    days_used: Decimal = Decimal("0")

    @property
    def actions(self) -> int:
        return sum(self.rag.values())


@dataclass
class DashboardSummary:
    plans: int
    with_overdue: int
    reviews_due_soon: int
    reviews_overdue: int


def _for_schools(query: Select, filters: DashboardFilters, user: "User | None") -> Select:
    query = query.where(School.support_tier == "significant")
    if filters.q:
        query = query.where(func.lower(School.name).like(f"%{filters.q.strip().lower()}%"))
    if filters.school_ids is not None:
        query = query.where(School.id.in_(filters.school_ids))
    if filters.mine and user is not None:
        query = query.where(School.link_adviser_id == user.id)
    return query


def open_plans(filters: DashboardFilters, user: "User | None" = None) -> Select:
    """Plans open for schools in significant support: the version in force, or the first draft
    of a plan not yet agreed (an amendment in progress does not hide the version in force)."""
    query = (select(RaisingAchievementPlan).join(RaisingAchievementPlan.school)
             .options(contains_eager(RaisingAchievementPlan.school))
             .where(or_(RaisingAchievementPlan.status == "agreed",
                        and_(RaisingAchievementPlan.status.in_(("draft", "submitted")),
                             RaisingAchievementPlan.root_id.is_(None)))))
    query = _for_schools(query, filters, user)
    if filters.overdue_only:
        query = query.where(RaisingAchievementPlan.first_open_due_on < date.today())
    return query


def dashboard_rows(query: Select, *, page: int, per_page: int, today: date | None = None) -> list[PlanRow]:
    """One page of open plans with their figures: the page, then one grouped query per figure."""
    today = today or date.today()
    plans = list(db.session.scalars(query.order_by(School.name, RaisingAchievementPlan.id)
                                    .limit(per_page).offset((page - 1) * per_page)))
    rows = {p.id: PlanRow(plan=p) for p in plans}
    if not rows:
        return []
    rag = rag_expression(today)
    for plan_id, colour, n in db.session.execute(
            select(PlanObjective.plan_id, rag, func.count()).select_from(PlanAction).join(PlanObjective)
            .where(PlanObjective.plan_id.in_(rows), PlanAction.status != "dropped")
            .group_by(PlanObjective.plan_id, rag)):
        rows[plan_id].rag[colour] = n
    for row in rows.values():
        row.overdue = row.rag["red"]
    series = {p.series_id: p.id for p in plans}
    for series_id, due in db.session.execute(
            select(MidpointReview.plan_id, func.min(MidpointReview.scheduled_on))
            .where(MidpointReview.plan_id.in_(series), MidpointReview.held_on.is_(None))
            .group_by(MidpointReview.plan_id)):
        rows[series[series_id]].next_review_on = due
    for plan_id, days in db.session.execute(
            select(TimeAllocation.plan_id, func.sum(TimeAllocation.days))
            .where(TimeAllocation.plan_id.in_(rows)).group_by(TimeAllocation.plan_id)):
        rows[plan_id].days_allocated = Decimal(days or 0)
    for plan_id, days in db.session.execute(
            select(TimeAllocation.plan_id, func.sum(TimeUsed.days)).join(TimeUsed)
            .where(TimeAllocation.plan_id.in_(rows)).group_by(TimeAllocation.plan_id)):
        rows[plan_id].days_used = Decimal(days or 0)
    return [rows[p.id] for p in plans]


def dashboard_summary(filters: DashboardFilters, user: "User | None" = None,
                      today: date | None = None) -> DashboardSummary:
    """Totals over every open plan the filters select (not just the page shown), from the plans'
    kept summaries and indexed dates, never by counting every action."""
    today = today or date.today()
    notice = current_app.config["MIDPOINT_NOTICE_DAYS"]
    plans, with_overdue = db.session.execute(open_plans(filters, user).order_by(None).with_only_columns(
        func.count(), func.count().filter(RaisingAchievementPlan.first_open_due_on < today))).one()
    # Reviews not yet held, due by the end of the notice window: the index on (held_on,
    # scheduled_on) narrows them before the school filters apply.
    due_soon, overdue = db.session.execute(_for_schools(
        select(func.count().filter(MidpointReview.scheduled_on >= today),
               func.count().filter(MidpointReview.scheduled_on < today))
        .join(School, School.id == MidpointReview.school_id)
        .where(MidpointReview.held_on.is_(None), MidpointReview.scheduled_on <= today + timedelta(days=notice)),
        filters, user)).one()
    return DashboardSummary(plans=plans, with_overdue=with_overdue or 0,
                            reviews_due_soon=due_soon or 0, reviews_overdue=overdue or 0)


def parse_filters(args: Any) -> DashboardFilters:
    return DashboardFilters(q=(args.get("q") or "").strip()[:100], overdue_only=args.get("overdue") == "1",
                            mine=args.get("mine") == "1")
