"""Notes of visit, their agreed actions, the factual-accuracy loop, attachments, visit types."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.limits import LONG_TEXT, MEDIUM_TEXT, SHORT_TEXT, length_check, sql_values
from ..core.models import UTCDateTime, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..auth.models import User
    from ..enhanced.models import ConsultantDeployment
    from ..schools.models import School

# The four aspects of LA support in Support4Success.
SUPPORT_ASPECTS = {
    "support4success": "Support4Success",
    "sharing4success": "Sharing4Success",
    "leading4success": "Leading4Success",
    "thirst4success": "Thirst4Success",
}
NOTE_STATUSES = {
    "planned": "Planned",
    "draft": "Draft",
    "sent": "Sent to school",
    "responded": "School responded",
    "finalised": "Finalised",
}
ACTION_STATUSES = {"open": "Open", "done": "Done", "dropped": "No longer needed"}
EVENT_KINDS = {
    "sent": "Sent to the school for a factual-accuracy check",
    "marked_accurate": "Marked accurate by the school",
    "marked_inaccurate": "Marked inaccurate by the school",
    "adviser_reply": "Adviser replied",
    "finalised": "Finalised",
    "addendum": "Addendum",
}



class VisitType(db.Model):
    """A kind of visit (reference data an authority may extend)."""

    __tablename__ = "visit_types"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    sort_order: Mapped[int] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")

    def __repr__(self) -> str:
        return f"<VisitType {self.code}>"


class NoteOfVisit(db.Model):
    """A link adviser's visit: planned, then written up, checked by the school and finalised."""

    __tablename__ = "notes_of_visit"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_values(NOTE_STATUSES)})", name="status_known"),
        CheckConstraint("minutes_spent IS NULL OR minutes_spent BETWEEN 0 AND 1440", name="minutes_in_a_day"),
        # A consultant's support visit is recorded against their deployment, with the days it used.
        CheckConstraint("days_spent IS NULL OR (days_spent > 0 AND days_spent <= 5)", name="days_spent_in_range"),
        CheckConstraint("deployment_id IS NULL OR days_spent IS NOT NULL", name="deployment_days_given"),
        length_check("purpose", MEDIUM_TEXT),
        length_check("people_met", MEDIUM_TEXT),
        length_check("discussion", LONG_TEXT),
        length_check("strengths", LONG_TEXT),
        length_check("areas_for_development", LONG_TEXT),
        Index("ix_notes_of_visit_school_date", "school_id", "visit_date"),
        # An adviser's visits in a date range, counted from the index alone (with the status).
        Index("ix_notes_of_visit_adviser_date", "adviser_id", "visit_date", "status"),
        Index("ix_notes_of_visit_status", "status"),
        # A caseload's notes awaiting the school's response, found through its schools (with the
        # date, so that counting visits by school reads the index alone).
        Index("ix_notes_of_visit_school_status", "school_id", "status", "visit_date"),
        # An adviser's notes at one stage, soonest response due first (the home page of tasks).
        Index("ix_notes_of_visit_adviser_status", "adviser_id", "status", "response_due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="RESTRICT"))
    adviser_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    visit_date: Mapped[date] = mapped_column(Date)
    visit_type_code: Mapped[str] = mapped_column(ForeignKey("visit_types.code", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    purpose: Mapped[str] = mapped_column(Text, default="")
    support_aspects: Mapped[list[str]] = mapped_column(JSON, default=list)
    people_met: Mapped[str] = mapped_column(Text, default="")
    discussion: Mapped[str] = mapped_column(Text, default="")
    strengths: Mapped[str] = mapped_column(Text, default="")
    areas_for_development: Mapped[str] = mapped_column(Text, default="")
    next_visit_date: Mapped[date | None] = mapped_column(Date)
    minutes_spent: Mapped[int | None] = mapped_column(Integer)
    # A consultant's support visit: the deployment (enhanced/models.py) it served and the days it
    # used, counted against the school's consultant days rather than its link adviser visits.
    deployment_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultant_deployments.id", ondelete="RESTRICT"), index=True)
    days_spent: Mapped[Decimal | None] = mapped_column(Numeric(3, 1))
    # A programme review visit's report (programmes/models.py): the assignment it reports on, judged
    # against the school's baseline on the programme; its days are the assignment's, from the
    # reviewer's capacity, not the school's allocation.
    programme_assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme_review_assignments.id", ondelete="RESTRICT", name="fk_notes_of_visit_programme_assignment"),
        unique=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_due_on: Mapped[date | None] = mapped_column(Date)
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Optimistic lock (core/locking.py): each save by the adviser claims it; a save from an older copy is refused.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    school: Mapped["School"] = relationship(lazy="joined")
    adviser: Mapped["User"] = relationship(lazy="joined")
    visit_type: Mapped[VisitType] = relationship(lazy="joined")
    deployment: Mapped["ConsultantDeployment | None"] = relationship()
    actions: Mapped[list["AgreedAction"]] = relationship(
        back_populates="note", order_by="AgreedAction.position", cascade="all, delete-orphan")
    events: Mapped[list["NoteEvent"]] = relationship(
        back_populates="note", order_by="(NoteEvent.occurred_at, NoteEvent.id)")
    attachments: Mapped[list["VisitAttachment"]] = relationship(
        back_populates="note", order_by="VisitAttachment.uploaded_at")
    amendments: Mapped[list["NoteAmendment"]] = relationship(
        back_populates="note", order_by="(NoteAmendment.amended_at, NoteAmendment.id)")

    @property
    def status_name(self) -> str:
        return NOTE_STATUSES.get(self.status, self.status)

    @property
    def support_aspect_names(self) -> list[str]:
        return [SUPPORT_ASPECTS.get(a, a) for a in self.support_aspects]

    @property
    def is_locked(self) -> bool:
        return self.status == "finalised"

    @property
    def is_editable(self) -> bool:
        return self.status in {"planned", "draft"}

    def __repr__(self) -> str:
        return f"<NoteOfVisit {self.id} school={self.school_id} {self.visit_date} {self.status}>"


class AgreedAction(db.Model):
    """An action agreed at a visit: what, who, by when, and its status."""

    __tablename__ = "visit_actions"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_values(ACTION_STATUSES)})", name="status_known"),
        length_check("description", MEDIUM_TEXT),
        length_check("owner", SHORT_TEXT),
        Index("ix_visit_actions_due_status", "due_on", "status"),
        Index("ix_visit_actions_owner", "owner_id", "status", "due_on"),  # "My actions"
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes_of_visit.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(SHORT_TEXT))
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    # The owner's account when they have one (then "My actions" lists it for them); `owner` stays the
    # name shown, typed for people without an account.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    note: Mapped[NoteOfVisit] = relationship(back_populates="actions")
    owner_user: Mapped["User | None"] = relationship()

    def is_overdue(self, today: date) -> bool:
        return self.status == "open" and self.due_on is not None and self.due_on < today

    def __repr__(self) -> str:
        return f"<AgreedAction {self.id} note={self.note_id} {self.status}>"


class NoteEvent(db.Model):
    """One step of a note's life after drafting: sent, the school's response, replies,
    finalisation, addenda. Kept in order and never changed."""

    __tablename__ = "visit_note_events"
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_values(EVENT_KINDS)})", name="kind_known"),
        length_check("comment", LONG_TEXT),
        length_check("reason", MEDIUM_TEXT),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes_of_visit.id", ondelete="CASCADE"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    comment: Mapped[str] = mapped_column(Text, default="")
    # For addenda: why the finalised note needed correcting.
    reason: Mapped[str] = mapped_column(Text, default="")

    note: Mapped[NoteOfVisit] = relationship(back_populates="events")
    user: Mapped["User | None"] = relationship(lazy="joined")

    @property
    def kind_name(self) -> str:
        return EVENT_KINDS.get(self.kind, self.kind)

    def __repr__(self) -> str:
        return f"<NoteEvent {self.id} note={self.note_id} {self.kind}>"


# The parts of a note's body the adviser may amend in answer to the school's factual-accuracy
# comments (the same words as the note form's labels).
AMENDABLE_FIELDS = {
    "purpose": "Purpose and focus",
    "people_met": "People met",
    "discussion": "Discussion",
    "strengths": "Strengths",
    "areas_for_development": "Areas for development",
}


class NoteAmendment(db.Model):
    """One change the adviser made to a note's body after the school marked it inaccurate: the
    field, what it said and says now, the school's comment it answers, who and when. Never changed."""

    __tablename__ = "visit_note_amendments"
    __table_args__ = (
        CheckConstraint(f"field IN ({sql_values(AMENDABLE_FIELDS)})", name="field_known"),
        length_check("before_text", LONG_TEXT),
        length_check("after_text", LONG_TEXT),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes_of_visit.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(30))
    before_text: Mapped[str] = mapped_column(Text, default="")
    after_text: Mapped[str] = mapped_column(Text, default="")
    # The school's "marked inaccurate" response that this amendment answers.
    answers_event_id: Mapped[int] = mapped_column(ForeignKey("visit_note_events.id", ondelete="RESTRICT"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    amended_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    note: Mapped[NoteOfVisit] = relationship(back_populates="amendments")
    answers: Mapped[NoteEvent] = relationship(lazy="joined")
    user: Mapped["User"] = relationship(lazy="joined")

    @property
    def field_name(self) -> str:
        return AMENDABLE_FIELDS.get(self.field, self.field)

    def __repr__(self) -> str:
        return f"<NoteAmendment {self.id} note={self.note_id} {self.field}>"


class VisitAttachment(db.Model):
    """A file attached to a visit, stored outside the web root under a server-made name."""

    __tablename__ = "visit_attachments"
    __table_args__ = (CheckConstraint("size_bytes > 0", name="not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes_of_visit.id", ondelete="CASCADE"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    note: Mapped[NoteOfVisit] = relationship(back_populates="attachments")

    def __repr__(self) -> str:
        return f"<VisitAttachment {self.id} {self.original_name!r}>"


# --- summaries kept with the data (casework/summaries.py keeps them; nothing else writes them) ---

class SchoolYearTally(db.Model):
    """One school's figures for one academic year, as the authority overview adds them up: visits
    done, and the link visits of the year's issued allocation. Each row also says the tier and the
    open state it was counted under, so that when they change its share can be taken back out of
    `TierYearTally` exactly."""

    __tablename__ = "school_year_tallies"
    __table_args__ = (
        CheckConstraint("visits_done >= 0", name="visits_not_negative"),
        CheckConstraint("allocated_visits IS NULL OR allocated_visits >= 0", name="allocation_not_negative"),
    )

    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), primary_key=True)
    academic_year: Mapped[str] = mapped_column(String(7), primary_key=True)
    visits_done: Mapped[int] = mapped_column(Integer, default=0)
    allocated_visits: Mapped[int | None] = mapped_column(Integer)  # None: no allocation issued
    tier_code: Mapped[str] = mapped_column(ForeignKey("support_tiers.code", ondelete="RESTRICT"))
    counted: Mapped[bool] = mapped_column(Boolean)  # the school was open: its figures are in the tier's


class TierYearTally(db.Model):
    """The sum of the open schools' `SchoolYearTally` rows for a tier and year."""

    __tablename__ = "tier_year_tallies"

    tier_code: Mapped[str] = mapped_column(ForeignKey("support_tiers.code", ondelete="RESTRICT"), primary_key=True)
    academic_year: Mapped[str] = mapped_column(String(7), primary_key=True)
    visits_done: Mapped[int] = mapped_column(Integer, default=0)
    allocations_issued: Mapped[int] = mapped_column(Integer, default=0)
    allocated_visits_issued: Mapped[int] = mapped_column(Integer, default=0)


class OpenActionTally(db.Model):
    """An open school's open agreed actions by due date, with its link adviser: "overdue by link
    adviser" is a range of these rows, however many years of done actions lie behind them."""

    __tablename__ = "open_action_tallies"
    __table_args__ = (
        CheckConstraint("actions > 0", name="actions_positive"),
        # Covering: a page of advisers' overdue actions and schools are read from the index alone.
        Index("ix_open_action_tallies_adviser_due", "link_adviser_id", "due_on", "school_id", "actions"),
    )

    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), primary_key=True)
    due_on: Mapped[date] = mapped_column(Date, primary_key=True)
    actions: Mapped[int] = mapped_column(Integer)
    link_adviser_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
