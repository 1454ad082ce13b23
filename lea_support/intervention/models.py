"""Statutory intervention: warning notices to maintained schools (Education and Inspections Act
2006, s60), the powers the LA uses once a school is eligible for intervention, and, for academies
and free schools (over which the LA has no such powers), referrals of a concern to the DfE's
regional director."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.limits import LONG_TEXT, length_check, sql_values
from ..core.models import UTCDateTime, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..auth.models import User
    from ..schools.models import School

# The three grounds of s60(2), as the Act words them (the letter quotes them).
GROUNDS = {
    "standards": "The standards of performance of pupils at the school are unacceptably low and are likely to "
                 "remain so unless the authority exercises its powers",
    "leadership": "There has been a serious breakdown in the way the school is managed or governed which is "
                  "prejudicing, or likely to prejudice, such standards of performance",
    "safety": "The safety of pupils or staff of the school is threatened (whether by a breakdown of discipline "
              "or otherwise)",
}
GROUND_NAMES = {"standards": "Unacceptably low standards of performance",
                "leadership": "Serious breakdown in management or governance",
                "safety": "Safety of pupils or staff threatened"}
WARNING_STATUSES = {"issued": "Issued", "complied": "Complied with"}
# The powers of ss63-66 the brief names (s63, arrangements with another body, is not offered yet).
POWERS = {"additional_governors": "Appoint additional governors (s64)",
          "interim_executive_board": "Replace the governing body with an Interim Executive Board (s65)",
          "suspend_budget": "Suspend the school's delegated budget (s66)"}
# The governing body's time to make representations to Ofsted's chief inspector, in working days.
REPRESENTATION_WORKING_DAYS = 15



class WarningNotice(db.Model):
    """A warning notice given to a maintained school's governing body: on which grounds, what it
    must do, by when (the compliance period), who gave it and when."""

    __tablename__ = "warning_notices"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_values(WARNING_STATUSES)})", name="status_known"),
        CheckConstraint("ground_standards OR ground_leadership OR ground_safety", name="a_ground"),
        CheckConstraint("comply_by > issued_on", name="comply_after_issue"),
        length_check("reasons", LONG_TEXT),
        length_check("required_action", LONG_TEXT),
        length_check("status_reason", LONG_TEXT),
        Index("ix_warning_notices_status_comply_by", "status", "comply_by"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="RESTRICT"), index=True)
    issued_on: Mapped[date] = mapped_column(Date)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    ground_standards: Mapped[bool] = mapped_column(Boolean, default=False)
    ground_leadership: Mapped[bool] = mapped_column(Boolean, default=False)
    ground_safety: Mapped[bool] = mapped_column(Boolean, default=False)
    # The matters the LA's conclusion rests on, and what the governing body must do.
    reasons: Mapped[str] = mapped_column(Text)
    required_action: Mapped[str] = mapped_column(Text)
    # The end of the compliance period: the last day to take the action required.
    comply_by: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="issued")
    status_changed_on: Mapped[date | None] = mapped_column(Date)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # core.locking.claim_edit's counter for the forms that change the notice.
    version_id: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    school: Mapped["School"] = relationship()
    issued_by: Mapped["User"] = relationship()
    powers: Mapped[list["InterventionPower"]] = relationship(
        back_populates="notice", order_by="InterventionPower.decided_on, InterventionPower.id")

    @property
    def grounds(self) -> list[str]:
        """The codes of the grounds the notice is given on (GROUNDS), in the Act's order."""
        return [code for code in GROUNDS if getattr(self, f"ground_{code}")]

    @property
    def status_name(self) -> str:
        return WARNING_STATUSES[self.status]

    def __repr__(self) -> str:
        return f"<WarningNotice {self.id} school={self.school_id} {self.status}>"


class InterventionPower(db.Model):
    """A power the LA used once the school became eligible for intervention: which, decided and in
    force from when (until when, if known), and the documents behind it (a note of them)."""

    __tablename__ = "intervention_powers"
    __table_args__ = (
        CheckConstraint(f"power IN ({sql_values(POWERS)})", name="power_known"),
        CheckConstraint("takes_effect_on >= decided_on", name="effect_after_decision"),
        CheckConstraint("ends_on IS NULL OR ends_on > takes_effect_on", name="ends_after_effect"),
        length_check("documents", LONG_TEXT),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("warning_notices.id", ondelete="RESTRICT"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="RESTRICT"), index=True)
    power: Mapped[str] = mapped_column(String(40))
    decided_on: Mapped[date] = mapped_column(Date)
    takes_effect_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    documents: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    notice: Mapped[WarningNotice] = relationship(back_populates="powers")
    recorded_by: Mapped["User"] = relationship()

    @property
    def power_name(self) -> str:
        return POWERS[self.power]

    def __repr__(self) -> str:
        return f"<InterventionPower {self.id} notice={self.notice_id} {self.power}>"


class DfeReferral(db.Model):
    """A concern about an academy or free school referred to the DfE's regional director: the LA
    cannot give it a notice, but it can say what worries it, on what evidence."""

    __tablename__ = "dfe_referrals"
    __table_args__ = (
        length_check("grounds", LONG_TEXT),
        length_check("evidence", LONG_TEXT),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="RESTRICT"), index=True)
    referred_on: Mapped[date] = mapped_column(Date)
    referred_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    grounds: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    school: Mapped["School"] = relationship()
    referred_by: Mapped["User"] = relationship()

    def __repr__(self) -> str:
        return f"<DfeReferral {self.id} school={self.school_id} {self.referred_on}>"
