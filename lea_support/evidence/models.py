"""National data about schools: the catalogue of measures, the comparators (LA and England totals),
each import, and every value keyed by (school or comparator, measure, academic year).

Values are narrow rows, so that a signal over every school and year is one scan of the index on
(measure, year), and one school's history one range of the index on (school, measure).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import UTCDateTime, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..auth.models import User

VALUE_STATES = ("value", "suppressed", "not_available", "not_applicable")


class Measure(db.Model):
    """One measure of the catalogue (reference data, defaults in `evidence.catalogue`)."""

    __tablename__ = "evidence_measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    area: Mapped[str] = mapped_column(String(80))
    unit: Mapped[str] = mapped_column(String(20))
    # None: neither (context, such as the number on roll).
    higher_is_better: Mapped[bool | None] = mapped_column(Boolean)
    charted: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(String(400), default="")

    sources: Mapped[list["MeasureSource"]] = relationship(back_populates="measure", lazy="raise")

    def __repr__(self) -> str:
        return f"<Measure {self.code}>"


class MeasureSource(db.Model):
    """Where a measure is read from: the column of a kind of file, in the releases from
    `first_year` to `last_year` (blank: open-ended)."""

    __tablename__ = "evidence_measure_sources"
    __table_args__ = (
        UniqueConstraint("measure_id", "kind", "column_name", "first_year", name="uq_evidence_measure_sources"),
        Index("ix_evidence_measure_sources_kind", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("evidence_measures.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    column_name: Mapped[str] = mapped_column(String(200))
    date_column: Mapped[str] = mapped_column(String(200), default="")
    first_year: Mapped[str] = mapped_column(String(7), default="")
    last_year: Mapped[str] = mapped_column(String(7), default="")

    measure: Mapped[Measure] = relationship(back_populates="sources", lazy="raise")

    def __repr__(self) -> str:
        return f"<MeasureSource {self.kind}:{self.column_name}>"


class Comparator(db.Model):
    """A total a school is compared with: an LA's or England's, for a group of schools
    (state-funded, all schools, or a phase)."""

    __tablename__ = "evidence_comparators"
    __table_args__ = (
        UniqueConstraint("level", "la_code", "school_group", name="uq_evidence_comparators"),
        CheckConstraint("level IN ('la', 'national')", name="level_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[str] = mapped_column(String(10))
    la_code: Mapped[str] = mapped_column(String(10), default="")  # blank for England
    school_group: Mapped[str] = mapped_column(String(40))

    @property
    def label(self) -> str:
        where = "England" if self.level == "national" else f"LA {self.la_code}"
        return f"{where} ({self.school_group})"

    def __repr__(self) -> str:
        return f"<Comparator {self.level} {self.la_code} {self.school_group}>"


class DataImport(db.Model):
    """One imported file: what it was, who brought it in, and what it did."""

    __tablename__ = "evidence_imports"
    __table_args__ = (Index("ix_evidence_imports_imported_at", "imported_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    # Blank when the file spans several years (Ofsted: each inspection's own year).
    academic_year: Mapped[str] = mapped_column(String(7), default="")
    rows: Mapped[int] = mapped_column(Integer, default=0)
    # Values by outcome (inserted, updated, unchanged) and rows by outcome (schools, comparators,
    # not in the register, skipped).
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    not_in_register: Mapped[int] = mapped_column(Integer, default=0)

    imported_by: Mapped["User | None"] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<DataImport {self.id} {self.kind} {self.filename}>"


class MeasureValue(db.Model):
    """One value: a school's (or a comparator's) measure for an academic year. A code that stands in
    for a number (SUPP, NE, NA, ...) is kept as its own state with the code, never as 0."""

    __tablename__ = "evidence_values"
    __table_args__ = (
        CheckConstraint("(school_id IS NULL) <> (comparator_id IS NULL)", name="school_or_comparator"),
        CheckConstraint("state IN ('value', 'suppressed', 'not_available', 'not_applicable')", name="state_known"),
        # Natural keys; NULLs are distinct, so each covers its own kind of row.
        UniqueConstraint("school_id", "measure_id", "academic_year", name="uq_evidence_values_school"),
        UniqueConstraint("comparator_id", "measure_id", "academic_year", name="uq_evidence_values_comparator"),
        # Every school's value of a measure in a year, in one scan (signals over the country).
        Index("ix_evidence_values_measure_year", "measure_id", "academic_year"),
        Index("ix_evidence_values_import", "import_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    comparator_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_comparators.id", ondelete="CASCADE"))
    measure_id: Mapped[int] = mapped_column(ForeignKey("evidence_measures.id", ondelete="CASCADE"))
    academic_year: Mapped[str] = mapped_column(String(7))
    state: Mapped[str] = mapped_column(String(16), default="value")
    code: Mapped[str] = mapped_column(String(40), default="")
    number: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str | None] = mapped_column(String(200))
    day: Mapped[date | None] = mapped_column(Date)
    import_id: Mapped[int] = mapped_column(ForeignKey("evidence_imports.id", ondelete="RESTRICT"))

    def __repr__(self) -> str:
        return f"<MeasureValue m={self.measure_id} {self.academic_year} {self.state} {self.number or self.text}>"


class ValueChange(db.Model):
    """A value a later import replaced: before and after, and the import that did it."""

    __tablename__ = "evidence_value_changes"
    __table_args__ = (Index("ix_evidence_value_changes_import", "import_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("evidence_imports.id", ondelete="CASCADE"))
    value_id: Mapped[int] = mapped_column(ForeignKey("evidence_values.id", ondelete="CASCADE"))
    before: Mapped[dict[str, Any]] = mapped_column(JSON)
    after: Mapped[dict[str, Any]] = mapped_column(JSON)

    def __repr__(self) -> str:
        return f"<ValueChange import={self.import_id} value={self.value_id}>"


# --- risk signals and tier-review prompts ------------------------------------------------------------

RULE_KINDS = ("below_england", "threshold", "judgement_in", "no_inspection", "gias_status", "gias_change")
PROMPT_STATUSES = ("open", "accepted", "dismissed")


class SignalRule(db.Model):
    """A rule that flags schools from the data (defaults in `evidence.signals.DEFAULT_RULES`).
    `kind` names the test; `params` its parameters (measure codes, points, years, values...);
    `min_tier` the lowest support tier that reflects a school flagged by it (blank: it never
    prompts a tier review, it is shown only)."""

    __tablename__ = "signal_rules"
    __table_args__ = (CheckConstraint(
        "kind IN ('below_england', 'threshold', 'judgement_in', 'no_inspection', 'gias_status', 'gias_change')",
        name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    min_tier: Mapped[str] = mapped_column(String(20), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    edit_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<SignalRule {self.code}>"


class SchoolSignal(db.Model):
    """A rule flagging a school now: the values behind it, when it was first seen, and a key of
    its evidence (the same values give the same key; new evidence a new one)."""

    __tablename__ = "school_signals"
    __table_args__ = (
        UniqueConstraint("school_id", "rule_id", name="uq_school_signals_school_rule"),
        Index("ix_school_signals_rule", "rule_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    rule_id: Mapped[int] = mapped_column(ForeignKey("signal_rules.id", ondelete="CASCADE"))
    values: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [[label, shown], ...]
    evidence_key: Mapped[str] = mapped_column(String(64))
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rule: Mapped[SignalRule] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<SchoolSignal school={self.school_id} rule={self.rule_id}>"


class TierReviewPrompt(db.Model):
    """A signal on a school whose tier does not reflect it, waiting for an SIA: accepted (the
    support decision form opened with the signal cited) or dismissed with a reason. One per
    (school, rule, evidence key): a dismissed prompt does not come back for the same evidence."""

    __tablename__ = "tier_review_prompts"
    __table_args__ = (
        UniqueConstraint("school_id", "rule_id", "evidence_key", name="uq_tier_review_prompts_evidence"),
        CheckConstraint("status IN ('open', 'accepted', 'dismissed')", name="status_known"),
        Index("ix_tier_review_prompts_status_raised", "status", "raised_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    rule_id: Mapped[int] = mapped_column(ForeignKey("signal_rules.id", ondelete="CASCADE"))
    evidence_key: Mapped[str] = mapped_column(String(64))
    # The signal as it stood when raised: "label: value; value" (cited in the decision's evidence).
    evidence: Mapped[str] = mapped_column(String(2000))
    tier_at_raise: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="open")
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    dismiss_reason: Mapped[str] = mapped_column(String(2000), default="")

    rule: Mapped[SignalRule] = relationship(lazy="joined")
    resolved_by: Mapped["User | None"] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<TierReviewPrompt {self.id} {self.status}>"
