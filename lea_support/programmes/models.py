"""LA-wide programmes (the MITA case study): the schools enrolled and their people, the programme's
criteria with each school's baseline and progress, training sessions and attendance, the reviewer
pool and its review visits, and the termly monitoring returns schools fill in."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
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

# How far a school has come on one of the programme's criteria: the baseline and each review
# visit judge it on this scale (the TA Review Toolkit's four steps).
LEVELS = {1: "Not yet in place", 2: "Developing", 3: "Established", 4: "Embedded"}
ATTENDANCE = {"present": "Present", "absent": "Absent", "apologies": "Apologies sent"}
ENROLMENT_STATUSES = {"enrolled": "Enrolled", "withdrawn": "Withdrawn"}
QUESTION_KINDS = {"text": "Written answer", "level": "Level reached (1 to 4)"}
RETURN_STATUSES = {"draft": "Started", "submitted": "Submitted"}



class Programme(db.Model):
    """An LA-wide programme: what it is for, who funds it and when it runs."""

    __tablename__ = "programmes"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        length_check("name", SHORT_TEXT),
        length_check("aims", LONG_TEXT),
        length_check("funder", SHORT_TEXT),
        length_check("participant_title", SHORT_TEXT),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(SHORT_TEXT), unique=True)
    aims: Mapped[str] = mapped_column(Text, default="")
    funder: Mapped[str] = mapped_column(String(SHORT_TEXT), default="")
    # Who takes part at each school ("Teaching assistant"): the people the sessions train.
    participant_title: Mapped[str] = mapped_column(String(SHORT_TEXT))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    criteria: Mapped[list["ProgrammeCriterion"]] = relationship(
        back_populates="programme", order_by="ProgrammeCriterion.position", cascade="all, delete-orphan")
    questions: Mapped[list["ReturnQuestion"]] = relationship(
        back_populates="programme", order_by="ReturnQuestion.position", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Programme {self.id} {self.name!r}>"


class ProgrammeCriterion(db.Model):
    """One thing the programme sets out to change, judged per school at the baseline and at each review."""

    __tablename__ = "programme_criteria"
    __table_args__ = (length_check("text", MEDIUM_TEXT),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)

    programme: Mapped[Programme] = relationship(back_populates="criteria")

    def __repr__(self) -> str:
        return f"<ProgrammeCriterion {self.id} programme={self.programme_id}>"


class ProgrammeSchool(db.Model):
    """A school enrolled on a programme, with its baseline (recorded once, then read by every review)."""

    __tablename__ = "programme_schools"
    __table_args__ = (
        UniqueConstraint("programme_id", "school_id", name="uq_programme_schools_school"),
        CheckConstraint(f"status IN ({sql_values(ENROLMENT_STATUSES)})", name="status_known"),
        length_check("baseline_summary", LONG_TEXT),
        # "Which programmes is this school on?" (the school's page, the leader's reminders).
        Index("ix_programme_schools_school", "school_id", "programme_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="RESTRICT"))
    enrolled_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="enrolled")
    baseline_on: Mapped[date | None] = mapped_column(Date)
    baseline_summary: Mapped[str] = mapped_column(Text, default="")

    programme: Mapped[Programme] = relationship()
    school: Mapped["School"] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<ProgrammeSchool {self.id} programme={self.programme_id} school={self.school_id}>"


class BaselineLevel(db.Model):
    """A school's level on one criterion when it joined the programme."""

    __tablename__ = "programme_baselines"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 4", name="level_in_range"),)

    enrolment_id: Mapped[int] = mapped_column(ForeignKey("programme_schools.id", ondelete="CASCADE"),
                                              primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("programme_criteria.id", ondelete="CASCADE"),
                                              primary_key=True)
    level: Mapped[int] = mapped_column(Integer)

    def __repr__(self) -> str:
        return f"<BaselineLevel enrolment={self.enrolment_id} criterion={self.criterion_id} {self.level}>"


class Participant(db.Model):
    """A person at an enrolled school who takes part (a teaching assistant): not an account."""

    __tablename__ = "programme_participants"
    __table_args__ = (
        length_check("name", SHORT_TEXT),
        length_check("job_title", SHORT_TEXT),
        Index("ix_programme_participants_enrolment", "enrolment_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("programme_schools.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(SHORT_TEXT))
    job_title: Mapped[str] = mapped_column(String(SHORT_TEXT), default="")

    enrolment: Mapped[ProgrammeSchool] = relationship()

    def __repr__(self) -> str:
        return f"<Participant {self.id} enrolment={self.enrolment_id}>"


class TrainingSession(db.Model):
    """A training session of the programme; a mandatory one is followed up with everyone absent."""

    __tablename__ = "programme_sessions"
    __table_args__ = (
        length_check("title", SHORT_TEXT),
        length_check("venue", SHORT_TEXT),
        Index("ix_programme_sessions_programme_date", "programme_id", "held_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(SHORT_TEXT))
    held_on: Mapped[date] = mapped_column(Date)
    venue: Mapped[str] = mapped_column(String(SHORT_TEXT), default="")
    mandatory: Mapped[bool] = mapped_column(Boolean, default=False)

    programme: Mapped[Programme] = relationship()

    def __repr__(self) -> str:
        return f"<TrainingSession {self.id} programme={self.programme_id} {self.held_on}>"


class Attendance(db.Model):
    """Whether a participant came to a session; an absence from a mandatory one is followed up."""

    __tablename__ = "programme_attendance"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_values(ATTENDANCE)})", name="status_known"),
        length_check("follow_up", MEDIUM_TEXT),
        # The programme's absences still to follow up, from the index.
        Index("ix_programme_attendance_open", "programme_id", "status", "followed_up_at"),
        Index("ix_programme_attendance_participant", "participant_id"),
    )

    session_id: Mapped[int] = mapped_column(ForeignKey("programme_sessions.id", ondelete="CASCADE"),
                                            primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("programme_participants.id", ondelete="CASCADE"),
                                                primary_key=True)
    # The session's programme, kept here so that a programme's absences are one index range.
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10))
    follow_up: Mapped[str] = mapped_column(Text, default="")
    followed_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    def __repr__(self) -> str:
        return f"<Attendance session={self.session_id} participant={self.participant_id} {self.status}>"


class Reviewer(db.Model):
    """A member of the programme's reviewer pool and the days they can give it."""

    __tablename__ = "programme_reviewers"
    __table_args__ = (
        UniqueConstraint("programme_id", "user_id", name="uq_programme_reviewers_user"),
        CheckConstraint("capacity_days > 0 AND capacity_days <= 366", name="capacity_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    capacity_days: Mapped[Decimal] = mapped_column(Numeric(4, 1))

    user: Mapped["User"] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Reviewer {self.id} programme={self.programme_id} user={self.user_id}>"


class ReviewAssignment(db.Model):
    """A review visit to an enrolled school, assigned to a reviewer for a number of days. Its report
    is a note of visit (`NoteOfVisit.programme_assignment_id`), judged against the school's baseline."""

    __tablename__ = "programme_review_assignments"
    __table_args__ = (
        CheckConstraint("days > 0 AND days <= 5", name="days_in_range"),
        Index("ix_programme_review_assignments_programme", "programme_id", "visit_on"),
        Index("ix_programme_review_assignments_enrolment", "enrolment_id", "visit_on"),
        Index("ix_programme_review_assignments_reviewer", "reviewer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("programme_schools.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("programme_reviewers.id", ondelete="RESTRICT"))
    visit_on: Mapped[date] = mapped_column(Date)
    days: Mapped[Decimal] = mapped_column(Numeric(3, 1))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enrolment: Mapped[ProgrammeSchool] = relationship(lazy="joined")
    reviewer: Mapped[Reviewer] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<ReviewAssignment {self.id} enrolment={self.enrolment_id} {self.visit_on}>"


class ReviewLevel(db.Model):
    """The level a review visit found on one criterion (progress from the baseline)."""

    __tablename__ = "programme_review_levels"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 4", name="level_in_range"),)

    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("programme_review_assignments.id", ondelete="CASCADE", name="fk_programme_review_levels_assignment"),
        primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("programme_criteria.id", ondelete="CASCADE"),
                                              primary_key=True)
    level: Mapped[int] = mapped_column(Integer)

    def __repr__(self) -> str:
        return f"<ReviewLevel assignment={self.assignment_id} criterion={self.criterion_id} {self.level}>"


class ReturnQuestion(db.Model):
    """A question of the programme's termly monitoring return."""

    __tablename__ = "programme_return_questions"
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_values(QUESTION_KINDS)})", name="kind_known"),
        length_check("text", MEDIUM_TEXT),
        length_check("hint", MEDIUM_TEXT),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    hint: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(10), default="text")

    programme: Mapped[Programme] = relationship(back_populates="questions")

    def __repr__(self) -> str:
        return f"<ReturnQuestion {self.id} programme={self.programme_id}>"


class MonitoringReturn(db.Model):
    """A school's monitoring return for one term of a programme: started, then submitted."""

    __tablename__ = "programme_returns"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "term", name="uq_programme_returns_term"),
        CheckConstraint(f"status IN ({sql_values(RETURN_STATUSES)})", name="status_known"),
        Index("ix_programme_returns_programme_term", "programme_id", "term", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("programme_schools.id", ondelete="CASCADE"))
    term: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    answers: Mapped[list["ReturnAnswer"]] = relationship(cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<MonitoringReturn {self.id} enrolment={self.enrolment_id} {self.term} {self.status}>"


class ReturnAnswer(db.Model):
    """A school's answer to one question of a return: words, or a level."""

    __tablename__ = "programme_return_answers"
    __table_args__ = (
        CheckConstraint("level IS NULL OR level BETWEEN 1 AND 4", name="level_in_range"),
        length_check("answer", LONG_TEXT),
    )

    return_id: Mapped[int] = mapped_column(ForeignKey("programme_returns.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("programme_return_questions.id", ondelete="CASCADE",
                                                        name="fk_programme_return_answers_question"),
                                             primary_key=True)
    answer: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[int | None] = mapped_column(Integer)

    def __repr__(self) -> str:
        return f"<ReturnAnswer return={self.return_id} question={self.question_id}>"
