"""Termly governor reports, their versions (draft, checked, published) and bulk generation runs."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.limits import REPORT_NOTE_TEXT, length_check, sql_values
from ..core.models import UTCDateTime, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..auth.models import User
    from ..schools.models import School

REPORT_STATUSES = {"draft": "Draft", "checked": "Checked by the link adviser", "published": "Published"}
# A light-touch school gets a one-page summary; every other school the full report.
REPORT_LAYOUTS = {"summary": "One-page summary", "full": "Full report"}
BULK_STATUSES = {"queued": "Waiting to start", "running": "Running", "finished": "Finished",
                 "failed": "Stopped with an error"}



class GovernorReport(db.Model):
    """A school's termly report to its governors: one per school per term, in versions."""

    __tablename__ = "governor_reports"
    __table_args__ = (
        UniqueConstraint("school_id", "term", name="uq_governor_reports_school_term"),
        Index("ix_governor_reports_term", "term"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="RESTRICT"))
    term: Mapped[str] = mapped_column(String(20))
    academic_year: Mapped[str] = mapped_column(String(7))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    school: Mapped["School"] = relationship(lazy="joined")
    versions: Mapped[list["GovernorReportVersion"]] = relationship(
        back_populates="report", order_by="GovernorReportVersion.version")

    def __repr__(self) -> str:
        return f"<GovernorReport {self.id} school={self.school_id} {self.term}>"


class GovernorReportVersion(db.Model):
    """One version of a report: generated as a draft, checked by the link adviser (who may add a
    covering note), then published. A published version's PDF, hash and publisher never change
    (database triggers refuse it); a re-issue is a new version with a reason."""

    __tablename__ = "governor_report_versions"
    __table_args__ = (
        UniqueConstraint("report_id", "version", name="uq_governor_report_versions_version"),
        CheckConstraint(f"status IN ({sql_values(REPORT_STATUSES)})", name="status_known"),
        CheckConstraint(f"layout IN ({sql_values(REPORT_LAYOUTS)})", name="layout_known"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("status = 'draft' OR checked_at IS NOT NULL", name="checked_has_date"),
        CheckConstraint("(status = 'published') = (published_at IS NOT NULL)", name="published_has_date"),
        length_check("reason", REPORT_NOTE_TEXT),
        length_check("covering_note", REPORT_NOTE_TEXT),
        # At most one version of a report is being worked on (draft or checked) at a time.
        Index("uq_governor_report_versions_open", "report_id", unique=True,
              sqlite_where=text("status <> 'published'"), postgresql_where=text("status <> 'published'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("governor_reports.id", ondelete="RESTRICT"))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    layout: Mapped[str] = mapped_column(String(10))
    # Why this version re-issues the one before it ("" for the first version).
    reason: Mapped[str] = mapped_column(Text, default="")
    # The report as plain data: what the PDF was made from, and what publishing makes it from again.
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The PDF itself, in the database so that every app server shares it. Deferred: lists never read it.
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pdf_pages: Mapped[int] = mapped_column(Integer)
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    covering_note: Mapped[str] = mapped_column(Text, default="")
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    # The edit counter (core.locking.claim_edit, column="version_id"): moved by each draft made in
    # place, each check and the publication, so that a page opened before one of them is refused.
    version_id: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    report: Mapped[GovernorReport] = relationship(back_populates="versions")
    generated_by: Mapped["User | None"] = relationship(foreign_keys=[generated_by_id])
    checked_by: Mapped["User | None"] = relationship(foreign_keys=[checked_by_id])
    published_by: Mapped["User | None"] = relationship(foreign_keys=[published_by_id])

    @property
    def status_name(self) -> str:
        return REPORT_STATUSES[self.status]

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    def __repr__(self) -> str:
        return f"<GovernorReportVersion report={self.report_id} v{self.version} {self.status}>"


class BulkRun(db.Model):
    """One run of bulk generation (from the command line or the admin page), with its counts kept
    up to date as schools are done, so that the admin page can show its progress."""

    __tablename__ = "report_bulk_runs"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_values(BULK_STATUSES)})", name="status_known"),
        CheckConstraint("made >= 0 AND skipped >= 0 AND failed >= 0 AND total >= 0", name="counts_not_negative"),
        # One run of a term's reports at a time, even when two are started at the same instant.
        Index("uq_report_bulk_runs_term_active", "term", unique=True,
              sqlite_where=text("status IN ('queued', 'running')"),
              postgresql_where=text("status IN ('queued', 'running')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(20))
    tier: Mapped[str | None] = mapped_column(String(20))
    # The URNs asked for (None: every open school, or every one in `tier`).
    urns: Mapped[list[int] | None] = mapped_column(JSON)
    jobs: Mapped[int] = mapped_column(Integer, default=2)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Each school done moves this on: a run whose process died stops looking "in progress".
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The process doing the run, so that a run whose process was killed is known to be over.
    runner_host: Mapped[str] = mapped_column(String(255), default="")
    runner_pid: Mapped[int | None] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer, default=0)
    made: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    # [{"urn": ..., "school": ..., "reason": ...}] for each school that failed.
    failures: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    error: Mapped[str] = mapped_column(Text, default="")

    started_by: Mapped["User | None"] = relationship()

    @property
    def done(self) -> int:
        return self.made + self.skipped + self.failed

    @property
    def status_name(self) -> str:
        return BULK_STATUSES[self.status]

    def __repr__(self) -> str:
        return f"<BulkRun {self.id} {self.term} {self.status}>"
