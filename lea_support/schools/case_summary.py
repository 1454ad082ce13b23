"""A school's case at a glance, for the top of its page: its support and since when, its link
adviser, the latest review's overall judgement, its plan's RAG and next mid-point review, and
notes of visit still open. Each part is read only for a viewer allowed to see that area, each
in one query, so the page's query count does not grow with the school's history."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from ..casework import permissions as casework_can
from ..casework.models import NoteOfVisit
from ..extensions import db
from ..intervention import permissions as intervention_can
from ..intervention import services as intervention
from ..rap import permissions as rap_can
from ..rap.models import (
    MidpointReview,
    PlanAction,
    PlanObjective,
    RaisingAchievementPlan,
    rag_expression,
)
from ..reviews import permissions as review_can
from ..reviews.models import JointReview, ScaleGrade
from .models import LinkAdviserAssignment, School, SupportDecision

if TYPE_CHECKING:
    from ..auth.models import User

# The plan's RAG is its worst action's.
RAG_ORDER = ("red", "amber", "green", "complete")


@dataclass(frozen=True)
class CaseSummary:
    support_since: datetime | None
    link_adviser_since: date | None
    review: dict[str, Any] | None  # id, starts_on, grade, label
    plan: dict[str, Any] | None  # id, rag, rag_counts, agreed_on
    next_midpoint: date | None
    notes_open: dict[str, int] | None  # status -> count, for those who see the visits
    # The latest warning notice not complied with, and its clocks (intervention.services.NoticeClock).
    warning_notice: dict[str, Any] | None = None


def case_summary(school: School, viewer: "User") -> CaseSummary:
    """What the school page's summary shows to `viewer`."""
    support_since = db.session.scalar(select(func.max(SupportDecision.decided_at))
                                      .where(SupportDecision.school_id == school.id))
    link_since = None
    if school.link_adviser_id:
        link_since = db.session.scalar(
            select(func.max(LinkAdviserAssignment.starts_on))
            .where(LinkAdviserAssignment.school_id == school.id,
                   LinkAdviserAssignment.adviser_id == school.link_adviser_id))
    review = None
    if review_can.can_view_school_reviews(viewer, school):
        row = db.session.execute(
            select(JointReview.id, JointReview.starts_on, JointReview.overall_grade, ScaleGrade.label)
            .outerjoin(ScaleGrade, (ScaleGrade.scale_id == JointReview.scale_id)
                       & (ScaleGrade.grade == JointReview.overall_grade))
            .where(JointReview.school_id == school.id, JointReview.stage == "published")
            .order_by(JointReview.starts_on.desc(), JointReview.id.desc()).limit(1)).first()
        if row is not None:
            review = {"id": row.id, "starts_on": row.starts_on, "grade": row.overall_grade, "label": row.label or ""}
    plan = next_midpoint = None
    if rap_can.can_view_school_plans(viewer, school):
        agreed = db.session.execute(
            select(RaisingAchievementPlan.id, RaisingAchievementPlan.agreed_on)
            .where(RaisingAchievementPlan.school_id == school.id, RaisingAchievementPlan.status == "agreed")
            .order_by(RaisingAchievementPlan.id.desc()).limit(1)).first()
        if agreed is not None:
            rag = rag_expression(date.today())
            counts = dict(db.session.execute(
                select(rag, func.count()).select_from(PlanAction)
                .join(PlanObjective, PlanObjective.id == PlanAction.objective_id)
                .where(PlanObjective.plan_id == agreed.id).group_by(rag)).all())
            worst = next((r for r in RAG_ORDER if counts.get(r)), None)
            plan = {"id": agreed.id, "agreed_on": agreed.agreed_on, "rag": worst,
                    "rag_counts": {r: counts[r] for r in RAG_ORDER if counts.get(r)}}
        next_midpoint = db.session.scalar(
            select(func.min(MidpointReview.scheduled_on))
            .where(MidpointReview.school_id == school.id, MidpointReview.held_on.is_(None)))
    notes_open = None
    if casework_can.can_list_school_notes(viewer, school):
        statuses = ("planned", "draft", "sent", "responded") if viewer.is_la_staff else ("sent",)
        notes_open = dict(db.session.execute(
            select(NoteOfVisit.status, func.count()).where(NoteOfVisit.school_id == school.id,
                                                           NoteOfVisit.status.in_(statuses))
            .group_by(NoteOfVisit.status)).all())
    warning = None
    if school.is_maintained and intervention_can.can_view_intervention(viewer, school):
        notice = intervention.latest_open_warning_notice(school)
        if notice is not None:
            warning = {"id": notice.id, "issued_on": notice.issued_on, "clock": intervention.notice_clock(notice)}
    return CaseSummary(support_since=support_since, link_adviser_since=link_since, review=review, plan=plan,
                       next_midpoint=next_midpoint, notes_open=notes_open, warning_notice=warning)
