"""Notifications, each person's choice of how to hear of each kind, and the daily reminders sent."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import Role, User
from ..core.models import UTCDateTime, utcnow
from ..extensions import db


@dataclass(frozen=True)
class NotificationKind:
    code: str
    label: str  # "A note of visit sent to your school"
    roles: frozenset[str]  # who can receive it (and so is offered the choice)


# The steps that hand work to someone. One list: the preferences page, notify() and the tests read it.
NOTIFICATION_KINDS: tuple[NotificationKind, ...] = (
    NotificationKind("note_sent", "A note of visit sent to your school to check", frozenset({Role.SCHOOL_LEADER})),
    NotificationKind("note_response", "A school's response to your note of visit",
                     frozenset({Role.LINK_ADVISER, Role.SIA, Role.ADMIN, Role.CONSULTANT})),
    NotificationKind("plan_submitted", "A Raising Achievement Plan submitted for your signature",
                     frozenset({Role.SCHOOL_LEADER, Role.SIA, Role.ADMIN})),
    NotificationKind("plan_agreed", "A Raising Achievement Plan your project team delivers agreed",
                     frozenset({Role.ADMIN, Role.LINK_ADVISER, Role.SIA, Role.PROJECT_TEAM, Role.SCHOOL_LEADER})),
    NotificationKind("team_meeting", "Minutes of a project team meeting recorded",
                     frozenset({Role.ADMIN, Role.LINK_ADVISER, Role.SIA, Role.PROJECT_TEAM, Role.SCHOOL_LEADER})),
    NotificationKind("governor_report", "A report to governors published", frozenset({Role.GOVERNOR})),
)
KINDS_BY_CODE = {kind.code: kind for kind in NOTIFICATION_KINDS}

MODES = {"immediate": "Straight away, by e-mail", "digest": "In the daily e-mail of what is due",
         "off": "Not by e-mail (only in the list of notifications)"}
DEFAULT_MODE = "immediate"
EMAIL_STATES = ("not_sent", "queued", "sent", "failed")

_kinds = ", ".join(f"'{k.code}'" for k in NOTIFICATION_KINDS)
_modes = ", ".join(f"'{m}'" for m in MODES)
_states = ", ".join(f"'{s}'" for s in EMAIL_STATES)


class Notification(db.Model):
    """One thing one person was told, kept for the in-app list; `delivery` is how the person had
    chosen to hear of its kind when it was made, `email_state` what became of the e-mail."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "dedupe_key"),  # the same notice is never made twice
        CheckConstraint(f"kind IN ({_kinds})", name="kind_known"),
        CheckConstraint(f"delivery IN ({_modes})", name="delivery_known"),
        CheckConstraint(f"email_state IN ({_states})", name="email_state_known"),
        # The header's unread count, and the list newest first.
        Index("ix_notifications_user_read", "user_id", "read_at"),
        Index("ix_notifications_user_created", "user_id", "created_at"),
        # The digest's and the administrators' (failed e-mails) questions.
        Index("ix_notifications_state_delivery", "email_state", "delivery", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(500))
    about_type: Mapped[str | None] = mapped_column(String(40))
    about_id: Mapped[int | None] = mapped_column(Integer)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivery: Mapped[str] = mapped_column(String(10))
    email_state: Mapped[str] = mapped_column(String(10), default="not_sent")
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_error: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(lazy="raise")

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} user={self.user_id} {self.email_state}>"


class NotificationPreference(db.Model):
    """How one person hears of one kind of notification; no row means immediately."""

    __tablename__ = "notification_preferences"
    __table_args__ = (
        UniqueConstraint("user_id", "kind"),
        CheckConstraint(f"mode IN ({_modes})", name="mode_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    mode: Mapped[str] = mapped_column(String(10), default=DEFAULT_MODE)

    def __repr__(self) -> str:
        return f"<NotificationPreference user={self.user_id} {self.kind}={self.mode}>"


class ReminderSent(db.Model):
    """The daily digest e-mailed to one person on one day: at most one (the unique key makes a second
    run of `reminders send` pass them by), with what it was about."""

    __tablename__ = "reminders_sent"
    __table_args__ = (
        UniqueConstraint("user_id", "sent_on"),
        CheckConstraint(f"email_state IN ({_states})", name="email_state_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    sent_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # {"tasks": {kind code: count}, "notifications": [ids]}
    about: Mapped[dict[str, Any]] = mapped_column(JSON)
    email_state: Mapped[str] = mapped_column(String(10), default="queued")
    email_error: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<ReminderSent user={self.user_id} {self.sent_on} {self.email_state}>"
