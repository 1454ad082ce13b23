"""Raising Achievement Plans: objectives, success criteria, actions, resources and adviser time."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    case,
    literal,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.limits import LONG_TEXT, MEDIUM_TEXT, SHORT_TEXT, length_check, sql_values
from ..core.models import UTCDateTime, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..auth.models import User
    from ..reviews.models import JointReview, ReviewFinding
    from ..schools.models import School

PLAN_STATUSES = {"draft": "Draft", "submitted": "Submitted for agreement", "agreed": "Agreed",
                 "superseded": "Agreed, since replaced by a later version", "closed": "Closed"}
ACTION_STATUSES = {"not_started": "Not started", "in_progress": "In progress", "done": "Done", "dropped": "Dropped"}
RAG_LABELS = {"complete": "Complete", "red": "Red", "amber": "Amber", "green": "Green"}
# An action due within this many days that is not yet under way is amber.
AMBER_WINDOW_DAYS = 14



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


def rag_expression(today: date) -> Any:
    """The same rule as `rag_status`, as SQL over plan_actions, for counting RAG across many plans
    in one query (a test keeps the two in step)."""
    a = PlanAction
    return case(
        (a.status == "done", literal("complete")),
        (a.due_on < today, literal("red")),
        ((a.starts_on < today) & (a.status == "not_started"), literal("amber")),
        ((a.due_on <= today + timedelta(days=AMBER_WINDOW_DAYS)) & (a.status != "in_progress"), literal("amber")),
        else_=literal("green"),
    )


class RaisingAchievementPlan(db.Model):
    """One version of a school's plan. An amendment is a new version (same `root_id`) with a reason;
    an agreed version is frozen and stays readable."""

    __tablename__ = "raising_achievement_plans"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_values(PLAN_STATUSES)})", name="status_known"),
        CheckConstraint("standards_fund IS NULL OR standards_fund >= 0", name="standards_fund_not_negative"),
        CheckConstraint("version >= 1", name="version_positive"),
        length_check("amendment_reason", MEDIUM_TEXT),
        length_check("sip_reference", MEDIUM_TEXT),
        length_check("professional_development", LONG_TEXT),
        length_check("closure_outcome", LONG_TEXT),
        CheckConstraint("(status = 'closed') = (closed_on IS NOT NULL)", name="closed_with_date"),
        # The plans dashboard counts the open plans of significant-support schools, and those with
        # an overdue action, from this index alone.
        Index("ix_raising_achievement_plans_school_open", "school_id", "status", "root_id", "first_open_due_on"),
        # One version N of a series: two amendments started at once cannot both be version 2.
        Index("uq_raising_achievement_plans_series_version", "root_id", "version", unique=True),
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
    # The mid-point review date, agreed in the plan; checked against the window when the plan is agreed.
    midpoint_review_on: Mapped[date | None] = mapped_column(Date)
    # Kept up to date with the plan's actions (see summaries.py): the earliest due date of an
    # action not yet done or dropped. The plan has overdue actions when this is before today,
    # so dashboards find them through an index instead of counting every action.
    first_open_due_on: Mapped[date | None] = mapped_column(Date, index=True)
    # A plan is closed (no longer in force) when the school leaves significant support; the
    # outcome says how (e.g. de-escalated after adequate improvement at the mid-point review).
    closed_on: Mapped[date | None] = mapped_column(Date)
    closure_outcome: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The edit counter of core.locking.claim_edit (column="version_id"): moved only by edits made
    # through a form, never by the system's own changes.
    version_id: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

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
    __table_args__ = (length_check("text", LONG_TEXT),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("raising_achievement_plans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    # The review's "can be made more effective" point this objective was drafted from.
    source_finding_id: Mapped[int | None] = mapped_column(ForeignKey("review_findings.id", ondelete="RESTRICT"))
    # The edit counter of core.locking.claim_edit (column="version_id"): moved only by edits made
    # through a form, never by the system's own changes.
    version_id: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

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
    __table_args__ = (
        Index("ix_plan_success_criteria_measure", "measure_id"),
        length_check("measure", MEDIUM_TEXT),
        length_check("baseline", MEDIUM_TEXT),
        length_check("target", MEDIUM_TEXT),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("plan_objectives.id", ondelete="CASCADE"), index=True)
    measure: Mapped[str] = mapped_column(Text)
    baseline: Mapped[str] = mapped_column(Text, default="")
    target: Mapped[str] = mapped_column(Text)
    by_when: Mapped[date] = mapped_column(Date)
    # Bound to a measure of the national data (evidence_measures): the baseline read from the data,
    # a target, and the actual value filled in when new data arrive (met_source "data"). A criterion
    # without a measure gets its actual value and met / not met from the SIA at the mid-point review
    # (met_source "sia").
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_measures.id", ondelete="SET NULL"))
    baseline_value: Mapped[float | None] = mapped_column(Float)
    baseline_year: Mapped[str] = mapped_column(String(7), default="", server_default="")
    target_value: Mapped[float | None] = mapped_column(Float)
    actual: Mapped[str] = mapped_column(String(200), default="", server_default="")
    actual_value: Mapped[float | None] = mapped_column(Float)
    actual_year: Mapped[str] = mapped_column(String(7), default="", server_default="")
    met: Mapped[bool | None] = mapped_column(Boolean)
    met_source: Mapped[str] = mapped_column(String(10), default="", server_default="")

    objective: Mapped[PlanObjective] = relationship(back_populates="criteria")

    @property
    def met_name(self) -> str:
        return "not yet measured" if self.met is None else "met" if self.met else "not met"

    def __repr__(self) -> str:
        return f"<SuccessCriterion {self.id} objective={self.objective_id}>"


class PlanAction(db.Model):
    __tablename__ = "plan_actions"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_values(ACTION_STATUSES)})", name="status_known"),
        CheckConstraint("(owner_id IS NULL) <> (owner_role IS NULL)", name="one_owner"),
        CheckConstraint("due_on >= starts_on", name="due_after_start"),
        length_check("what", MEDIUM_TEXT),
        length_check("owner_role", SHORT_TEXT),
        length_check("notes", LONG_TEXT),
        length_check("evidence", MEDIUM_TEXT),
        Index("ix_plan_actions_owner", "owner_id", "status", "due_on"),  # "My actions"
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("plan_objectives.id", ondelete="CASCADE"), index=True)
    what: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    # A named role at the school ("Headteacher", "English lead") when the owner is not a user.
    owner_role: Mapped[str | None] = mapped_column(String(SHORT_TEXT))
    starts_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="not_started")
    notes: Mapped[str] = mapped_column(Text, default="")
    # What shows the action was done: a description, document reference or link as text.
    evidence: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The action in the previous version this one was copied from by an amendment; its delivery
    # (status, notes, evidence) carries on across versions.
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("plan_actions.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, onupdate=utcnow)
    # The edit counter of core.locking.claim_edit (column="version_id"): moved only by edits made
    # through a form, never by the system's own changes.
    version_id: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

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
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("plan_time_allocations.id", ondelete="SET NULL"))

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
    __table_args__ = (CheckConstraint("days > 0", name="days_positive"), length_check("note", MEDIUM_TEXT))

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


# --- Stage 3: the project team -------------------------------------------------------------------

TEAM_ROLES = {
    "link_adviser": "Link adviser (coordinator)",
    "school_slt": "School senior leadership",
    "lead_consultant": "Lead consultant",
    "consultant": "Consultant",
    "sia": "School Improvement Adviser",
    "access_inclusion": "Access & Inclusion",
    "other_officer": "Other LA officer",
}


class ProjectTeam(db.Model):
    """The team that delivers a plan, formed when its first version is agreed. The link adviser
    coordinates it, taking the lead over from the SIA (the handover is kept here)."""

    __tablename__ = "project_teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The plan series (its first version's id): the team outlives amendments.
    plan_id: Mapped[int] = mapped_column(ForeignKey("raising_achievement_plans.id", ondelete="RESTRICT"), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="RESTRICT"), index=True)
    formed_on: Mapped[date] = mapped_column(Date)
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    handed_over_from_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_meeting_on: Mapped[date | None] = mapped_column(Date)
    # The edit counter of core.locking.claim_edit (column="version_id"): moved only by edits made
    # through a form, never by the system's own changes.
    version_id: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    plan: Mapped[RaisingAchievementPlan] = relationship()
    school: Mapped["School"] = relationship()
    coordinator: Mapped["User | None"] = relationship(foreign_keys=[coordinator_id])
    handed_over_from: Mapped["User | None"] = relationship(foreign_keys=[handed_over_from_id])
    members: Mapped[list["ProjectTeamMember"]] = relationship(
        back_populates="team", cascade="all, delete-orphan", order_by="ProjectTeamMember.id")
    meetings: Mapped[list["TeamMeeting"]] = relationship(
        back_populates="team", cascade="all, delete-orphan", order_by="TeamMeeting.held_on.desc()")

    def __repr__(self) -> str:
        return f"<ProjectTeam {self.id} plan={self.plan_id}>"


class ProjectTeamMember(db.Model):
    """A member of a project team: a user of the service, or someone named (a governor, an
    officer without an account)."""

    __tablename__ = "project_team_members"
    __table_args__ = (
        CheckConstraint(f"team_role IN ({sql_values(TEAM_ROLES)})", name="team_role_known"),
        CheckConstraint("user_id IS NOT NULL OR name <> ''", name="user_or_name"),
        UniqueConstraint("team_id", "user_id", name="uq_project_team_members_user"),
        length_check("name", SHORT_TEXT),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("project_teams.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(SHORT_TEXT), default="")
    team_role: Mapped[str] = mapped_column(String(30))
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)

    team: Mapped[ProjectTeam] = relationship(back_populates="members")
    user: Mapped["User | None"] = relationship(lazy="joined")

    @property
    def display_name(self) -> str:
        return self.user.name if self.user is not None else self.name

    @property
    def role_name(self) -> str:
        return TEAM_ROLES[self.team_role]

    def __repr__(self) -> str:
        return f"<ProjectTeamMember {self.id} team={self.team_id} {self.team_role}>"


meeting_attendance = db.Table(
    "project_team_meeting_attendance",
    db.Column("meeting_id", ForeignKey("project_team_meetings.id", ondelete="CASCADE"), primary_key=True),
    db.Column("member_id", ForeignKey("project_team_members.id", ondelete="RESTRICT"), primary_key=True),
)


class TeamMeeting(db.Model):
    """A project team meeting: who came, minutes, decisions, the next date. New actions agreed in
    it are added to the plan as an amendment (`amendment_plan_id`)."""

    __tablename__ = "project_team_meetings"
    __table_args__ = (
        Index("ix_project_team_meetings_team_held", "team_id", "held_on"),
        length_check("minutes", LONG_TEXT),
        length_check("decisions", LONG_TEXT),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("project_teams.id", ondelete="CASCADE"))
    held_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[str] = mapped_column(Text, default="")
    decisions: Mapped[str] = mapped_column(Text, default="")
    next_meeting_on: Mapped[date | None] = mapped_column(Date)
    amendment_plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("raising_achievement_plans.id", ondelete="RESTRICT"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[ProjectTeam] = relationship(back_populates="meetings")
    attendees: Mapped[list[ProjectTeamMember]] = relationship(secondary=meeting_attendance,
                                                              order_by="ProjectTeamMember.id")
    recorded_by: Mapped["User"] = relationship()
    action_updates: Mapped[list["ActionUpdate"]] = relationship(back_populates="meeting",
                                                                order_by="ActionUpdate.id")

    def __repr__(self) -> str:
        return f"<TeamMeeting {self.id} team={self.team_id} {self.held_on}>"


class ActionUpdate(db.Model):
    """One change of an action's delivery status (at a meeting, or a quick update by its owner):
    the history behind "actions completed" in the governors' report."""

    __tablename__ = "plan_action_updates"
    __table_args__ = (
        CheckConstraint(f"status_from IN ({sql_values(ACTION_STATUSES)})", name="status_from_known"),
        CheckConstraint(f"status_to IN ({sql_values(ACTION_STATUSES)})", name="status_to_known"),
        Index("ix_plan_action_updates_action", "action_id", "updated_at"),
        length_check("note", MEDIUM_TEXT),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("plan_actions.id", ondelete="CASCADE"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("project_team_meetings.id", ondelete="SET NULL"),
                                                   index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="RESTRICT"), index=True)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_from: Mapped[str] = mapped_column(String(20))
    status_to: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")

    action: Mapped[PlanAction] = relationship()
    meeting: Mapped[TeamMeeting | None] = relationship(back_populates="action_updates")
    updated_by: Mapped["User"] = relationship()

    def __repr__(self) -> str:
        return f"<ActionUpdate {self.id} action={self.action_id} {self.status_from}->{self.status_to}>"


# --- Stage 4: monitoring -------------------------------------------------------------------------

OBJECTIVE_PROGRESS = {"on_track": "On track", "some_progress": "Some progress", "no_progress": "No progress"}
MIDPOINT_OUTCOMES = {
    "continue": "Continue, with a further review",
    "de_escalate": "De-escalate to enhanced support",
    "improvement_notice": "Issue an Improvement Notice",
    "cause_for_concern": "Recommend cause for concern",
}


class MidpointReview(db.Model):
    """The formal mid-point review of a plan (sequence 1), and any further reviews (2, 3, ...).
    Scheduled when the plan is agreed; held and decided by the SIA."""

    __tablename__ = "midpoint_reviews"
    __table_args__ = (
        CheckConstraint(f"outcome IS NULL OR outcome IN ({sql_values(MIDPOINT_OUTCOMES)})", name="outcome_known"),
        CheckConstraint("capacity_grade IS NULL OR capacity_grade BETWEEN 1 AND 7", name="capacity_on_scale"),
        CheckConstraint("(held_on IS NULL) = (outcome IS NULL)", name="held_with_outcome"),
        CheckConstraint("outcome <> 'continue' OR further_review_on IS NOT NULL", name="continue_has_date"),
        CheckConstraint("sequence >= 1", name="sequence_positive"),
        CheckConstraint("adviser_capacity_grade IS NULL OR adviser_capacity_grade BETWEEN 1 AND 7",
                        name="adviser_capacity_on_scale"),
        length_check("summary", LONG_TEXT),
        length_check("off_window_reason", LONG_TEXT),
        UniqueConstraint("plan_id", "sequence", name="uq_midpoint_reviews_plan_sequence"),
        # Reviews due by a date, with their school, from the index alone (the plans dashboard).
        Index("ix_midpoint_reviews_due", "held_on", "scheduled_on", "school_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The plan series (its first version's id).
    plan_id: Mapped[int] = mapped_column(ForeignKey("raising_achievement_plans.id", ondelete="RESTRICT"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="RESTRICT"), index=True)
    sequence: Mapped[int] = mapped_column(Integer, default=1)
    scheduled_on: Mapped[date] = mapped_column(Date)
    held_on: Mapped[date | None] = mapped_column(Date)
    led_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    scale_id: Mapped[int | None] = mapped_column(ForeignKey("judgement_scales.id", ondelete="RESTRICT"))
    # Capacity to improve, judged by both: the SIA (who leads) and the school's link adviser.
    capacity_grade: Mapped[int | None] = mapped_column(Integer)
    adviser_capacity_grade: Mapped[int | None] = mapped_column(Integer)
    link_adviser_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    # Why a mid-point review was held outside the window after the plan was agreed.
    off_window_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    adequate_improvement: Mapped[bool | None] = mapped_column(Boolean)
    summary: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str | None] = mapped_column(String(30))
    further_review_on: Mapped[date | None] = mapped_column(Date)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("support_decisions.id", ondelete="RESTRICT"))
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The edit counter of core.locking.claim_edit (column="version_id"): moved only by edits made
    # through a form, never by the system's own changes.
    version_id: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    plan: Mapped[RaisingAchievementPlan] = relationship()
    school: Mapped["School"] = relationship()
    led_by: Mapped["User | None"] = relationship(foreign_keys=[led_by_id])
    link_adviser: Mapped["User | None"] = relationship(foreign_keys=[link_adviser_id])
    progress: Mapped[list["ObjectiveProgress"]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ObjectiveProgress.id")

    @property
    def is_held(self) -> bool:
        return self.held_on is not None

    @property
    def outcome_name(self) -> str:
        return MIDPOINT_OUTCOMES.get(self.outcome or "", "")

    def __repr__(self) -> str:
        return f"<MidpointReview {self.id} plan={self.plan_id} #{self.sequence} {self.scheduled_on}>"


class ObjectiveProgress(db.Model):
    __tablename__ = "midpoint_objective_progress"
    __table_args__ = (
        CheckConstraint(f"progress IN ({sql_values(OBJECTIVE_PROGRESS)})", name="progress_known"),
        UniqueConstraint("review_id", "objective_id", name="uq_midpoint_objective_progress"),
        length_check("evidence", LONG_TEXT),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("midpoint_reviews.id", ondelete="CASCADE"))
    objective_id: Mapped[int] = mapped_column(ForeignKey("plan_objectives.id", ondelete="RESTRICT"))
    progress: Mapped[str] = mapped_column(String(20))
    evidence: Mapped[str] = mapped_column(Text, default="")

    review: Mapped[MidpointReview] = relationship(back_populates="progress")
    objective: Mapped[PlanObjective] = relationship()

    @property
    def progress_name(self) -> str:
        return OBJECTIVE_PROGRESS[self.progress]

    def __repr__(self) -> str:
        return f"<ObjectiveProgress review={self.review_id} objective={self.objective_id} {self.progress}>"


NOTICE_STATUSES = {"issued": "Issued", "complied": "Complied", "escalated": "Escalated"}


class ImprovementNotice(db.Model):
    """The LA's (non-statutory) notice of what a school must improve and by when."""

    __tablename__ = "improvement_notices"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_values(NOTICE_STATUSES)})", name="status_known"),
        CheckConstraint("comply_by > issued_on", name="comply_after_issue"),
        length_check("improvements", LONG_TEXT),
        length_check("status_reason", LONG_TEXT),
        length_check("capacity_reason", LONG_TEXT),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="RESTRICT"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("raising_achievement_plans.id", ondelete="RESTRICT"))
    midpoint_review_id: Mapped[int | None] = mapped_column(ForeignKey("midpoint_reviews.id", ondelete="RESTRICT"))
    issued_on: Mapped[date] = mapped_column(Date)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    improvements: Mapped[str] = mapped_column(Text)
    comply_by: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="issued")
    status_changed_on: Mapped[date | None] = mapped_column(Date)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    # Why a notice was issued although capacity to improve was judged good or better.
    capacity_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The edit counter of core.locking.claim_edit (column="version_id"): moved only by edits made
    # through a form, never by the system's own changes.
    version_id: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    school: Mapped["School"] = relationship()
    issued_by: Mapped["User"] = relationship()
    midpoint_review: Mapped[MidpointReview | None] = relationship()

    @property
    def status_name(self) -> str:
        return NOTICE_STATUSES[self.status]

    def __repr__(self) -> str:
        return f"<ImprovementNotice {self.id} school={self.school_id} {self.status}>"
