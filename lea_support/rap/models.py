"""Raising Achievement Plans: objectives, success criteria, actions, resources and adviser time."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import UTCDateTime, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..auth.models import User
    from ..reviews.models import JointReview, ReviewFinding
    from ..schools.models import School

PLAN_STATUSES = {"draft": "Draft", "submitted": "Submitted for agreement", "agreed": "Agreed"}
ACTION_STATUSES = {"not_started": "Not started", "in_progress": "In progress", "done": "Done", "dropped": "Dropped"}
RAG_LABELS = {"complete": "Complete", "red": "Red", "amber": "Amber", "green": "Green"}
# An action due within this many days that is not yet under way is amber.
AMBER_WINDOW_DAYS = 14


def _in(values: Any) -> str:
    return ", ".join(f"'{v}'" for v in values)


def rag_status(status: str, starts_on: date | None, due_on: date | None, today: date) -> str:
    """An action's RAG status, derived from its dates and status (never stored or typed)."""
    if status == "done":
        return "complete"
    if due_on is not None and due_on < today:
        return "red"
    if starts_on is not None and starts_on < today and status == "not_started":
        return "amber"
    if due_on is not None and due_on <= today + timedelta(days=AMBER_WINDOW_DAYS) and status != "in_progress":
        return "amber"
    return "green"


class RaisingAchievementPlan(db.Model):
    """One version of a school's plan. An amendment is a new version (same `root_id`) with a reason;
    an agreed version is frozen and stays readable."""

    __tablename__ = "raising_achievement_plans"
    __table_args__ = (
        CheckConstraint(f"status IN ({_in(PLAN_STATUSES)})", name="status_known"),
        CheckConstraint("standards_fund IS NULL OR standards_fund >= 0", name="standards_fund_not_negative"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="RESTRICT"), index=True)
    drafted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    source_review_id: Mapped[int | None] = mapped_column(ForeignKey("joint_reviews.id", ondelete="RESTRICT"))
    # The first version's id for every later version (None on the first version itself).
    root_id: Mapped[int | None] = mapped_column(ForeignKey("raising_achievement_plans.id", ondelete="RESTRICT"),
                                                index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    amendment_reason: Mapped[str | None] = mapped_column(Text)
    sip_reference: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    standards_fund: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    professional_development: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    school_signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    school_signed_on: Mapped[date | None] = mapped_column(Date)
    la_signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    la_signed_on: Mapped[date | None] = mapped_column(Date)
    agreed_on: Mapped[date | None] = mapped_column(Date)
    version_id: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__: dict[str, Any] = {"version_id_col": version_id}

    school: Mapped["School"] = relationship(lazy="joined")
    drafted_by: Mapped["User"] = relationship(foreign_keys=[drafted_by_id])
    school_signed_by: Mapped["User | None"] = relationship(foreign_keys=[school_signed_by_id])
    la_signed_by: Mapped["User | None"] = relationship(foreign_keys=[la_signed_by_id])
    source_review: Mapped["JointReview | None"] = relationship()
    objectives: Mapped[list["PlanObjective"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanObjective.position")
    allocations: Mapped[list["TimeAllocation"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="TimeAllocation.id")

    @property
    def series_id(self) -> int:
        return self.root_id or self.id

    @property
    def status_name(self) -> str:
        return PLAN_STATUSES[self.status]

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    def __repr__(self) -> str:
        return f"<RaisingAchievementPlan {self.id} school={self.school_id} v{self.version} {self.status}>"


class PlanObjective(db.Model):
    __tablename__ = "plan_objectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("raising_achievement_plans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    # The review's "can be made more effective" point this objective was drafted from.
    source_finding_id: Mapped[int | None] = mapped_column(ForeignKey("review_findings.id", ondelete="RESTRICT"))

    plan: Mapped[RaisingAchievementPlan] = relationship(back_populates="objectives")
    source_finding: Mapped["ReviewFinding | None"] = relationship()
    criteria: Mapped[list["SuccessCriterion"]] = relationship(
        back_populates="objective", cascade="all, delete-orphan", order_by="SuccessCriterion.id")
    actions: Mapped[list["PlanAction"]] = relationship(
        back_populates="objective", cascade="all, delete-orphan", order_by="PlanAction.id")

    def __repr__(self) -> str:
        return f"<PlanObjective {self.id} plan={self.plan_id}>"


class SuccessCriterion(db.Model):
    __tablename__ = "plan_success_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("plan_objectives.id", ondelete="CASCADE"), index=True)
    measure: Mapped[str] = mapped_column(Text)
    baseline: Mapped[str] = mapped_column(Text, default="")
    target: Mapped[str] = mapped_column(Text)
    by_when: Mapped[date] = mapped_column(Date)

    objective: Mapped[PlanObjective] = relationship(back_populates="criteria")

    def __repr__(self) -> str:
        return f"<SuccessCriterion {self.id} objective={self.objective_id}>"


class PlanAction(db.Model):
    __tablename__ = "plan_actions"
    __table_args__ = (
        CheckConstraint(f"status IN ({_in(ACTION_STATUSES)})", name="status_known"),
        CheckConstraint("(owner_id IS NULL) <> (owner_role IS NULL)", name="one_owner"),
        CheckConstraint("due_on >= starts_on", name="due_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("plan_objectives.id", ondelete="CASCADE"), index=True)
    what: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    # A named role at the school ("Headteacher", "English lead") when the owner is not a user.
    owner_role: Mapped[str | None] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="not_started")
    notes: Mapped[str] = mapped_column(Text, default="")

    objective: Mapped[PlanObjective] = relationship(back_populates="actions")
    owner: Mapped["User | None"] = relationship()

    @property
    def owner_name(self) -> str:
        return self.owner.name if self.owner is not None else (self.owner_role or "")

    @property
    def status_name(self) -> str:
        return ACTION_STATUSES[self.status]

    def rag(self, today: date | None = None) -> str:
        return rag_status(self.status, self.starts_on, self.due_on, today or date.today())

    def __repr__(self) -> str:
        return f"<PlanAction {self.id} {self.status}>"


class TimeAllocation(db.Model):
    """Adviser or consultant days allocated to the plan for one person in one term."""

    __tablename__ = "plan_time_allocations"
    __table_args__ = (CheckConstraint("days > 0", name="days_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("raising_achievement_plans.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    term: Mapped[str] = mapped_column(String(20))
    days: Mapped[Decimal] = mapped_column(Numeric(5, 1))

    plan: Mapped[RaisingAchievementPlan] = relationship(back_populates="allocations")
    user: Mapped["User"] = relationship()
    usage: Mapped[list["TimeUsed"]] = relationship(
        back_populates="allocation", cascade="all, delete-orphan", order_by="TimeUsed.used_on")

    @property
    def days_used(self) -> Decimal:
        return sum((u.days for u in self.usage), Decimal("0"))

    def __repr__(self) -> str:
        return f"<TimeAllocation {self.id} user={self.user_id} {self.term} {self.days}>"


class TimeUsed(db.Model):
    __tablename__ = "plan_time_used"
    __table_args__ = (CheckConstraint("days > 0", name="days_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("plan_time_allocations.id", ondelete="CASCADE"),
                                               index=True)
    used_on: Mapped[date] = mapped_column(Date)
    days: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    note: Mapped[str] = mapped_column(Text, default="")
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    allocation: Mapped[TimeAllocation] = relationship(back_populates="usage")

    def __repr__(self) -> str:
        return f"<TimeUsed {self.id} allocation={self.allocation_id} {self.days}>"
