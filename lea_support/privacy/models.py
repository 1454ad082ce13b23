"""The read audit, the retention schedule (as data) and the record of each retention run."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..core.limits import sql_values
from ..core.models import UTCDateTime, utcnow
from ..extensions import db

# The records whose reading is audited: what they are called on the admin page.
READ_KINDS: dict[str, str] = {
    "note_of_visit": "Note of visit",
    "visit_attachment": "File attached to a note of visit",
    "review_report": "Published review report",
    "plan": "Raising Achievement Plan",
    "governor_report": "Report to governors",
}
READ_HOWS: dict[str, str] = {"view": "Viewed", "download": "Downloaded"}
RETENTION_ACTIONS: dict[str, str] = {"delete": "Delete", "anonymise": "Anonymise"}
PERIOD_UNITS: dict[str, str] = {"days": "days", "months": "months", "years": "years"}



class RecordRead(db.Model):
    """One person viewing or downloading one record. Written in one batch at the end of the
    request (privacy/reads.py), never one row per query."""

    __tablename__ = "read_audit"
    __table_args__ = (
        CheckConstraint(f"record_kind IN ({sql_values(READ_KINDS)})", name="kind_known"),
        CheckConstraint(f"how IN ({sql_values(READ_HOWS)})", name="how_known"),
        Index("ix_read_audit_user_occurred", "user_id", "occurred_at"),
        Index("ix_read_audit_record", "record_kind", "record_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    record_kind: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[int] = mapped_column(Integer)
    how: Mapped[str] = mapped_column(String(10), default="view")

    user: Mapped[User] = relationship(lazy="raise")

    @property
    def kind_name(self) -> str:
        return READ_KINDS.get(self.record_kind, self.record_kind)

    def __repr__(self) -> str:
        return f"<RecordRead {self.user_id} {self.how} {self.record_kind}:{self.record_id}>"


class RetentionRule(db.Model):
    """How long one kind of record is kept, counted from which of its dates, and what then
    happens to it. The kinds and the dates each may count from are fixed in privacy/retention.py;
    the periods, actions and whether a rule applies at all are the authority's to set."""

    __tablename__ = "retention_rules"
    __table_args__ = (
        CheckConstraint(f"action IN ({sql_values(RETENTION_ACTIONS)})", name="action_known"),
        CheckConstraint(f"period_unit IN ({sql_values(PERIOD_UNITS)})", name="unit_known"),
        CheckConstraint("period BETWEEN 1 AND 1200", name="period_in_range"),
    )

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    date_field: Mapped[str] = mapped_column(String(40))
    period: Mapped[int] = mapped_column(Integer)
    period_unit: Mapped[str] = mapped_column(String(10))
    action: Mapped[str] = mapped_column(String(10))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")

    @property
    def period_words(self) -> str:
        unit = self.period_unit[:-1] if self.period == 1 else self.period_unit
        return f"{self.period} {unit}"

    def __repr__(self) -> str:
        return f"<RetentionRule {self.kind} {self.period} {self.period_unit} {self.action}>"


class RetentionRun(db.Model):
    """One run of `lea-support retention apply`: when, and per kind what it did to how many
    records (a dry run changes nothing, this table included)."""

    __tablename__ = "retention_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    results: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    def __repr__(self) -> str:
        return f"<RetentionRun {self.id} {self.started_at:%Y-%m-%d}>"
