"""Joint LEA/School Reviews: the versioned framework and 7-point scale, the review team and its
stages, pre-review evidence, key questions, fieldwork evidence with judgements, the evaluation
agreed with the school's leaders, findings, and the published reports."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.limits import LONG_TEXT, MEDIUM_TEXT, SHORT_TEXT, length_check, sql_values
from ..core.models import UTCDateTime, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..auth.models import User
    from ..schools.models import School

STAGES = {
    "planned": "Planned",
    "pre_review": "Pre-review",
    "fieldwork": "Fieldwork",
    "evaluation": "Evaluation",
    "report_drafted": "Report drafted",
    "published": "Published",
}
STAGE_ORDER = list(STAGES)
TEAM_ROLES = {
    "lead": "SIA (lead)",
    "link_adviser": "Link adviser",
    "la_team": "LA team member",
    "school": "School participant",
}
PRE_REVIEW_KINDS = {
    "performance_data": "Achievement and performance data",
    "sip": "School Improvement Plan",
    "notes_of_visit": "LA notes of visit",
    "ofsted_report": "Latest Ofsted report",
    "self_review": "The school's self-review",
}
PRE_REVIEW_STATUSES = {"pending": "Not yet looked at", "seen": "Seen", "not_available": "Not available"}
EVIDENCE_KINDS = {
    "lesson_observation": "Lesson observation",
    "discussion": "Discussion",
    "work_scrutiny": "Scrutiny of pupils' work",
}
DISCUSSION_WITH = {"staff": "Staff", "pupils": "Pupils", "governors": "Governors"}
FINDING_KINDS = {"works_well": "What works well", "more_effective": "What can be made more effective"}



class JudgementScale(db.Model):
    """A version of the grading scale (e.g. the 7-point scale, 1 excellent to 7 very poor)."""

    __tablename__ = "judgement_scales"
    __table_args__ = (UniqueConstraint("code", "version", name="uq_judgement_scales_code_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    is_current: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    grades: Mapped[list["ScaleGrade"]] = relationship(order_by="ScaleGrade.grade", lazy="selectin")

    def label(self, grade: int | None) -> str:
        return next((g.label for g in self.grades if g.grade == grade), "") if grade else ""

    def __repr__(self) -> str:
        return f"<JudgementScale {self.code} v{self.version}>"


class ScaleGrade(db.Model):
    __tablename__ = "scale_grades"
    __table_args__ = (CheckConstraint("grade BETWEEN 1 AND 7", name="grade_on_scale"),)

    scale_id: Mapped[int] = mapped_column(ForeignKey("judgement_scales.id", ondelete="RESTRICT"), primary_key=True)
    grade: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(60))
    # Grades at or above this need a written rationale (5-7, "less than satisfactory").
    needs_rationale: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    def __repr__(self) -> str:
        return f"<ScaleGrade {self.scale_id}:{self.grade} {self.label}>"


class ReviewFramework(db.Model):
    """A version of the review framework: the aspects a review judges."""

    __tablename__ = "review_frameworks"
    __table_args__ = (UniqueConstraint("version", name="uq_review_frameworks_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    is_current: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    aspects: Mapped[list["ReviewAspect"]] = relationship(order_by="ReviewAspect.sort_order", lazy="selectin")

    def __repr__(self) -> str:
        return f"<ReviewFramework v{self.version}>"


class ReviewAspect(db.Model):
    __tablename__ = "review_aspects"
    __table_args__ = (UniqueConstraint("framework_id", "code", name="uq_review_aspects_framework_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("review_frameworks.id", ondelete="RESTRICT"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    sort_order: Mapped[int] = mapped_column(Integer)

    def __repr__(self) -> str:
        return f"<ReviewAspect {self.code}>"


class JointReview(db.Model):
    """One Joint LEA/School Review of a school, judged on the framework and scale it began with."""

    __tablename__ = "joint_reviews"
    __table_args__ = (
        CheckConstraint(f"stage IN ({sql_values(STAGES)})", name="stage_known"),
        CheckConstraint("overall_grade IS NULL OR overall_grade BETWEEN 1 AND 7", name="overall_on_scale"),
        length_check("pre_review_commentary", LONG_TEXT),
        length_check("overall_rationale", LONG_TEXT),
        Index("ix_joint_reviews_school", "school_id", "starts_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="RESTRICT"))
    framework_id: Mapped[int] = mapped_column(ForeignKey("review_frameworks.id", ondelete="RESTRICT"))
    scale_id: Mapped[int] = mapped_column(ForeignKey("judgement_scales.id", ondelete="RESTRICT"))
    lead_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    stage: Mapped[str] = mapped_column(String(20), default="planned")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    pre_review_commentary: Mapped[str] = mapped_column(Text, default="")
    # The school's national data as they stood when the review moved past pre-review (the
    # "achievement and performance data" item shows this, not today's figures, from then on).
    performance_snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    performance_snapshot_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overall_grade: Mapped[int | None] = mapped_column(Integer)
    overall_rationale: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Optimistic locks (core/locking.py) for the two whole-review forms: the evaluation with the
    # school's leaders, and the report's findings.
    evaluation_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    findings_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The review is joint: the school's participants read the evaluation once the lead shares it.
    evaluation_shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    evaluation_shared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    school: Mapped["School"] = relationship(lazy="joined")
    lead: Mapped["User"] = relationship(lazy="joined", foreign_keys=[lead_id])
    framework: Mapped[ReviewFramework] = relationship(lazy="joined")
    scale: Mapped[JudgementScale] = relationship(lazy="joined")
    team: Mapped[list["ReviewTeamMember"]] = relationship(order_by="ReviewTeamMember.id", cascade="all, delete-orphan")
    pre_review_items: Mapped[list["PreReviewItem"]] = relationship(order_by="PreReviewItem.id", cascade="all, delete-orphan")
    key_questions: Mapped[list["KeyQuestion"]] = relationship(order_by="KeyQuestion.position", cascade="all, delete-orphan")
    evidence: Mapped[list["FieldworkEvidence"]] = relationship(order_by="(FieldworkEvidence.occurred_on, FieldworkEvidence.id)")
    evaluations: Mapped[list["AspectEvaluation"]] = relationship(order_by="AspectEvaluation.id")
    school_views: Mapped[list["SchoolAspectView"]] = relationship(order_by="SchoolAspectView.id")
    findings: Mapped[list["ReviewFinding"]] = relationship(order_by="(ReviewFinding.kind, ReviewFinding.position)")
    reports: Mapped[list["PublishedReviewReport"]] = relationship(order_by="PublishedReviewReport.version")
    stage_changes: Mapped[list["ReviewStageChange"]] = relationship(order_by="ReviewStageChange.id")

    @property
    def stage_name(self) -> str:
        return STAGES.get(self.stage, self.stage)

    def __repr__(self) -> str:
        return f"<JointReview {self.id} school={self.school_id} {self.stage}>"


class ReviewTeamMember(db.Model):
    """Someone on the review: an LA user, or a named school participant without an account."""

    __tablename__ = "review_team_members"
    __table_args__ = (
        CheckConstraint(f"team_role IN ({sql_values(TEAM_ROLES)})", name="team_role_known"),
        CheckConstraint("user_id IS NOT NULL OR name <> ''", name="someone"),
        length_check("name", SHORT_TEXT),
        length_check("job_title", SHORT_TEXT),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("joint_reviews.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(SHORT_TEXT), default="")
    team_role: Mapped[str] = mapped_column(String(20))
    job_title: Mapped[str] = mapped_column(String(SHORT_TEXT), default="")

    user: Mapped["User | None"] = relationship(lazy="joined")

    @property
    def display_name(self) -> str:
        return self.user.name if self.user else self.name

    def __repr__(self) -> str:
        return f"<ReviewTeamMember review={self.review_id} {self.team_role}>"


class ReviewStageChange(db.Model):
    """Each move between stages; moving back needs a reason."""

    __tablename__ = "review_stage_changes"
    __table_args__ = (length_check("reason", MEDIUM_TEXT),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("joint_reviews.id", ondelete="CASCADE"), index=True)
    from_stage: Mapped[str] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    changed_by: Mapped["User | None"] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<ReviewStageChange {self.from_stage}->{self.to_stage}>"


class PreReviewItem(db.Model):
    """One item of initial evidence on the pre-review checklist."""

    __tablename__ = "pre_review_items"
    __table_args__ = (
        UniqueConstraint("review_id", "kind", name="uq_pre_review_items_review_kind"),
        CheckConstraint(f"kind IN ({sql_values(PRE_REVIEW_KINDS)})", name="kind_known"),
        CheckConstraint(f"status IN ({sql_values(PRE_REVIEW_STATUSES)})", name="status_known"),
        length_check("notes", MEDIUM_TEXT),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("joint_reviews.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    notes: Mapped[str] = mapped_column(Text, default="")

    @property
    def kind_name(self) -> str:
        return PRE_REVIEW_KINDS.get(self.kind, self.kind)

    def __repr__(self) -> str:
        return f"<PreReviewItem {self.kind} {self.status}>"


class KeyQuestion(db.Model):
    __tablename__ = "key_questions"
    __table_args__ = (length_check("text", MEDIUM_TEXT),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("joint_reviews.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<KeyQuestion {self.id}>"


class FieldworkEvidence(db.Model):
    """First-hand evidence: a lesson observation, a discussion, or a scrutiny of pupils' work."""

    __tablename__ = "fieldwork_evidence"
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_values(EVIDENCE_KINDS)})", name="kind_known"),
        CheckConstraint(f"discussion_with IS NULL OR discussion_with IN ({sql_values(DISCUSSION_WITH)})",
                        name="discussion_with_known"),
        length_check("year_group", SHORT_TEXT),
        length_check("subject", SHORT_TEXT),
        length_check("summary", LONG_TEXT),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("joint_reviews.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    occurred_on: Mapped[date] = mapped_column(Date)
    year_group: Mapped[str] = mapped_column(String(SHORT_TEXT), default="")
    subject: Mapped[str] = mapped_column(String(SHORT_TEXT), default="")
    joint_with_school_leader: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    discussion_with: Mapped[str | None] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Optimistic lock for people editing it through a form (core/locking.py).
    edit_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    judgements: Mapped[list["EvidenceJudgement"]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    answers: Mapped[list["EvidenceAnswer"]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    recorded_by: Mapped["User | None"] = relationship(lazy="joined")

    @property
    def kind_name(self) -> str:
        return EVIDENCE_KINDS.get(self.kind, self.kind)

    def __repr__(self) -> str:
        return f"<FieldworkEvidence {self.id} {self.kind}>"


class EvidenceAnswer(db.Model):
    """What a piece of evidence says about one key question."""

    __tablename__ = "evidence_answers"
    __table_args__ = (
        UniqueConstraint("evidence_id", "key_question_id", name="uq_evidence_answers_pair"),
        length_check("answer", LONG_TEXT),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("fieldwork_evidence.id", ondelete="CASCADE"))
    key_question_id: Mapped[int] = mapped_column(ForeignKey("key_questions.id", ondelete="CASCADE"), index=True)
    answer: Mapped[str] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<EvidenceAnswer evidence={self.evidence_id} question={self.key_question_id}>"


class EvidenceJudgement(db.Model):
    """A grade on one aspect from one piece of evidence, on the review's scale."""

    __tablename__ = "evidence_judgements"
    __table_args__ = (
        UniqueConstraint("evidence_id", "aspect_id", name="uq_evidence_judgements_pair"),
        ForeignKeyConstraint(["scale_id", "grade"], ["scale_grades.scale_id", "scale_grades.grade"],
                             name="fk_evidence_judgements_grade", ondelete="RESTRICT"),
        CheckConstraint("grade BETWEEN 1 AND 7", name="grade_on_scale"),
        length_check("rationale", LONG_TEXT),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("fieldwork_evidence.id", ondelete="CASCADE"))
    aspect_id: Mapped[int] = mapped_column(ForeignKey("review_aspects.id", ondelete="RESTRICT"), index=True)
    scale_id: Mapped[int] = mapped_column(Integer)
    grade: Mapped[int] = mapped_column(Integer)
    rationale: Mapped[str] = mapped_column(Text, default="")

    aspect: Mapped[ReviewAspect] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<EvidenceJudgement aspect={self.aspect_id} grade={self.grade}>"


class AspectEvaluation(db.Model):
    """The evaluation of one aspect with the school's leaders: proposed and agreed judgement,
    and the school's view where it disagreed."""

    __tablename__ = "aspect_evaluations"
    __table_args__ = (
        UniqueConstraint("review_id", "aspect_id", name="uq_aspect_evaluations_pair"),
        CheckConstraint("proposed_grade IS NULL OR proposed_grade BETWEEN 1 AND 7", name="proposed_on_scale"),
        CheckConstraint("agreed_grade IS NULL OR agreed_grade BETWEEN 1 AND 7", name="agreed_on_scale"),
        length_check("rationale", LONG_TEXT),
        length_check("school_view", LONG_TEXT),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("joint_reviews.id", ondelete="CASCADE"))
    aspect_id: Mapped[int] = mapped_column(ForeignKey("review_aspects.id", ondelete="RESTRICT"))
    scale_id: Mapped[int] = mapped_column(ForeignKey("judgement_scales.id", ondelete="RESTRICT"))
    proposed_grade: Mapped[int | None] = mapped_column(Integer)
    agreed_grade: Mapped[int | None] = mapped_column(Integer)
    rationale: Mapped[str] = mapped_column(Text, default="")
    school_disagreed: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    school_view: Mapped[str] = mapped_column(Text, default="")

    aspect: Mapped[ReviewAspect] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<AspectEvaluation review={self.review_id} aspect={self.aspect_id}>"


class SchoolAspectView(db.Model):
    """The school's own view of one aspect, recorded by its participants on the review: kept
    apart from the judgement the SIA records as agreed."""

    __tablename__ = "school_aspect_views"
    __table_args__ = (
        UniqueConstraint("review_id", "aspect_id", name="uq_school_aspect_views_pair"),
        CheckConstraint("grade IS NULL OR grade BETWEEN 1 AND 7", name="grade_on_scale"),
        length_check("comment", LONG_TEXT),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("joint_reviews.id", ondelete="CASCADE"))
    aspect_id: Mapped[int] = mapped_column(ForeignKey("review_aspects.id", ondelete="RESTRICT"))
    scale_id: Mapped[int] = mapped_column(ForeignKey("judgement_scales.id", ondelete="RESTRICT"))
    grade: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    recorded_by: Mapped["User | None"] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<SchoolAspectView review={self.review_id} aspect={self.aspect_id} grade={self.grade}>"


class ReviewFinding(db.Model):
    """A point in the post-review report. Its id is its identity: a Raising Achievement Plan
    objective taken from a "can be made more effective" point refers back to it."""

    __tablename__ = "review_findings"
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_values(FINDING_KINDS)})", name="kind_known"),
        length_check("text", LONG_TEXT),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("joint_reviews.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    aspect_id: Mapped[int | None] = mapped_column(ForeignKey("review_aspects.id", ondelete="RESTRICT"))

    def __repr__(self) -> str:
        return f"<ReviewFinding {self.id} {self.kind}>"


class PublishedReviewReport(db.Model):
    """A published post-review report: the PDF and the data it was made from, never changed.
    A correction is a new version with a reason; every version stays readable."""

    __tablename__ = "published_review_reports"
    __table_args__ = (
        UniqueConstraint("review_id", "version", name="uq_published_review_reports_version"),
        length_check("reason", MEDIUM_TEXT),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("joint_reviews.id", ondelete="RESTRICT"))
    version: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    reason: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Deferred: listing reports must not read every PDF's bytes.
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    pdf_sha256: Mapped[str] = mapped_column(String(64))

    published_by: Mapped["User | None"] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<PublishedReviewReport review={self.review_id} v{self.version}>"
