"""Enhanced support plans and the consultants deployed on them."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.limits import LONG_TEXT, MEDIUM_TEXT, length_check
from ..core.models import UTCDateTime, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..auth.models import User
    from ..schools.models import School


class SupportPlan(db.Model):
    """A school's enhanced support for one academic year: the specific purposes it is for, the
    outcome hoped for and, at the end, the outcome reached."""

    __tablename__ = "support_plans"
    __table_args__ = (
        UniqueConstraint("school_id", "academic_year", name="uq_support_plans_school_year"),
        length_check("purposes", LONG_TEXT),
        length_check("outcome_hoped", LONG_TEXT),
        length_check("outcome_reached", LONG_TEXT),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="RESTRICT"))
    academic_year: Mapped[str] = mapped_column(String(7))
    purposes: Mapped[str] = mapped_column(Text)
    outcome_hoped: Mapped[str] = mapped_column(Text)
    outcome_reached: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Optimistic lock (core/locking.py) for the plan's form.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    school: Mapped["School"] = relationship(lazy="joined")
    deployments: Mapped[list["ConsultantDeployment"]] = relationship(
        back_populates="plan", order_by="ConsultantDeployment.id", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<SupportPlan {self.id} school={self.school_id} {self.academic_year}>"


class ConsultantDeployment(db.Model):
    """A consultant deployed on a support plan: for what purpose and for how many days. Their
    support visits at the school are recorded against it (`NoteOfVisit.deployment_id`)."""

    __tablename__ = "consultant_deployments"
    __table_args__ = (
        CheckConstraint("days_allocated > 0 AND days_allocated <= 200", name="days_in_range"),
        length_check("purpose", MEDIUM_TEXT),
        # "Where is this consultant deployed?": their schools, from the index alone.
        Index("ix_consultant_deployments_consultant", "consultant_id", "school_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("support_plans.id", ondelete="CASCADE"), index=True)
    # The plan's school, kept here so that a consultant's schools are one index range.
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="RESTRICT"))
    consultant_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    purpose: Mapped[str] = mapped_column(Text)
    days_allocated: Mapped[Decimal] = mapped_column(Numeric(4, 1))

    plan: Mapped[SupportPlan] = relationship(back_populates="deployments")
    consultant: Mapped["User"] = relationship(lazy="joined")

    @property
    def label(self) -> str:
        return f"{self.consultant.name}: {self.purpose}"

    def __repr__(self) -> str:
        return f"<ConsultantDeployment {self.id} plan={self.plan_id} consultant={self.consultant_id}>"
