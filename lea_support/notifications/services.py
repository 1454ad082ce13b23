"""Telling people: `notify` stores a notification for each person a step hands work to and, for
those who chose "immediately", e-mails it once the step is saved; the in-app list and its unread
count; each person's choices; the e-mails that could not be sent. The daily digest is in
reminders.py.

The e-mail's fate is written on the notification after the commit, in a short transaction of its
own: a failed e-mail never undoes the step it announces."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable

from flask import current_app
from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from ..auth.models import User
from ..core.audit import record_audit
from ..core.errors import DomainError
from ..core.mail import new_message, send_after_commit
from ..core.models import utcnow
from ..core.transactions import after_commit
from ..extensions import db
from .models import (
    DEFAULT_MODE,
    KINDS_BY_CODE,
    MODES,
    NOTIFICATION_KINDS,
    Notification,
    NotificationKind,
    NotificationPreference,
)

_OUTCOMES = "lea_support.notification_outcomes"
FOOTER = "This message was sent automatically; replies are not read."
FAILED_EMAIL_DAYS = 30


def public_url(path: str) -> str:
    """The address of a page for an e-mail ("" when PUBLIC_BASE_URL is not set)."""
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    return f"{base}{path}" if base else ""


def email_body(user: User, body: str, link: str, action: str) -> str:
    """The e-mail of one notification: the greeting, what happened, where to see it, and how to
    choose how often to hear."""
    url = public_url(link)
    where = f"Sign in to {action}: {url}" if url else f"Sign in to LEA Support to {action}."
    choose = public_url("/account/notifications")
    choices = (f"To choose how you hear of these (straight away, in a daily e-mail, or not by e-mail): {choose}"
               if choose else "To choose how you hear of these, open \u201cNotifications\u201d on your account in LEA Support.")
    return f"Dear {user.name},\n\n{body.rstrip()}\n\n{where}\n\n{choices}\n\n{FOOTER}\n"


def modes_for(user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """How each of these people chose to hear of this kind (immediate when they never chose)."""
    ids = list(user_ids)
    chosen = dict(db.session.execute(select(NotificationPreference.user_id, NotificationPreference.mode)
                                     .where(NotificationPreference.user_id.in_(ids),
                                            NotificationPreference.kind == kind)).all()) if ids else {}
    return {user_id: chosen.get(user_id, DEFAULT_MODE) for user_id in ids}


def _insert_ignoring_duplicates(values: dict[str, Any]) -> int | None:
    """Insert one notification unless its recipient already has one with its key: its id, or None."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = (dialect.insert(Notification).values(**values)
                 .on_conflict_do_nothing(index_elements=["user_id", "dedupe_key"]).returning(Notification.id))
    return db.session.scalar(statement)


def notify(recipients: Iterable[User | None], kind: str, subject: str, body: str, link: str, *,
           about: tuple[str, int] | None = None, key: str | None = None, actor: User | None = None,
           action: str = "see it") -> list[int]:
    """Tell each recipient (not the person whose step it is, nor disabled accounts) of a step: a
    notification each, made once per `key`, and an e-mail after the commit to those who hear of
    this kind immediately. Returns the ids of the notifications made."""
    if kind not in KINDS_BY_CODE:
        raise ValueError(f"unknown notification kind {kind!r}")
    if not link.startswith("/") or link.startswith("//"):
        raise ValueError("a notification links to a page of this service: a path such as /visits/1")
    people = {user.id: user for user in recipients
              if user is not None and not user.is_disabled and (actor is None or user.id != actor.id)}
    if not people:
        return []
    about_type, about_id = about if about else (None, None)
    key = key or f"{kind}:{about_type}:{about_id}"
    modes = modes_for(people, kind)
    made: list[int] = []
    for user_id, user in people.items():
        mode = modes[user_id]
        notification_id = _insert_ignoring_duplicates(dict(
            user_id=user_id, kind=kind, subject=subject[:300], body=body, link=link[:500], about_type=about_type,
            about_id=about_id, dedupe_key=key[:200], created_at=utcnow(), delivery=mode,
            email_state="queued" if mode == "immediate" else "not_sent"))
        if notification_id is None:
            continue  # already told
        made.append(notification_id)
        if mode == "immediate":
            message = new_message(to=user.email, subject=subject, body=email_body(user, body, link, action))
            send_after_commit(message, on_outcome=_outcome_recorder(notification_id))
    if made:
        _record_outcomes_after_commit()
    return made


def _outcome_recorder(notification_id: int) -> Any:
    outcomes = db.session().info.setdefault(_OUTCOMES, [])

    def record(error: str | None) -> None:
        outcomes.append({"n_id": notification_id, "n_state": "failed" if error else "sent", "n_error": error,
                         "n_at": utcnow()})

    return record


def _record_outcomes_after_commit() -> None:
    """After every e-mail of the commit (registered after them): their outcomes in one transaction."""
    session = db.session()
    after_commit(lambda: record_email_outcomes(session.info.pop(_OUTCOMES, [])), last_of="notification-outcomes")


def record_email_outcomes(outcomes: list[dict[str, Any]]) -> None:
    """Write what became of notifications' e-mails, in a transaction of its own (the step that sent
    them is already committed; this runs after it)."""
    if not outcomes:
        return
    with db.engine.begin() as connection:
        connection.execute(update(Notification.__table__).where(Notification.__table__.c.id == bindparam("n_id"))
                           .values(email_state=bindparam("n_state"), email_error=bindparam("n_error"),
                                   emailed_at=bindparam("n_at")), outcomes)


# --- the in-app list -----------------------------------------------------------------------------

def unread_count(user: User) -> int:
    """How many of the person's notifications are unread: one indexed count."""
    return db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def notifications_for(user: User) -> Select[Any]:
    """The person's notifications, newest first."""
    return (select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))


def load_notification(notification_id: int) -> Notification | None:
    return db.session.get(Notification, notification_id)


def open_notification(actor: User, notification: Notification) -> Notification:
    """The person opens a notification of theirs: it is read from now on. Returns it (for its link)."""
    if notification.user_id != actor.id:
        raise DomainError("This notification is someone else's")
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    return notification


def mark_all_read(actor: User) -> int:
    """Every unread notification of the person's marked read: how many."""
    result = db.session.execute(update(Notification)
                                .where(Notification.user_id == actor.id, Notification.read_at.is_(None))
                                .values(read_at=utcnow()).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --- each person's choices -------------------------------------------------------------------------

def kinds_for(user: User) -> list[NotificationKind]:
    """The kinds of notification this person can receive (and so chooses how to hear of)."""
    return [kind for kind in NOTIFICATION_KINDS if user.role in kind.roles]


def preferences(user: User) -> dict[str, str]:
    """How the person hears of each kind they can receive."""
    chosen = dict(db.session.execute(select(NotificationPreference.kind, NotificationPreference.mode)
                                     .where(NotificationPreference.user_id == user.id)).all())
    return {kind.code: chosen.get(kind.code, DEFAULT_MODE) for kind in kinds_for(user)}


@dataclass
class PreferencesData:
    modes: dict[str, str]  # kind code -> immediate | digest | off


def set_preferences(actor: User, data: PreferencesData) -> dict[str, str]:
    """The person's choices saved (one row per kind they changed from the default or before)."""
    allowed = {kind.code for kind in kinds_for(actor)}
    unknown = [code for code, mode in data.modes.items() if code not in allowed or mode not in MODES]
    if unknown:
        raise DomainError("Choose how you hear of each kind of notification")
    before = preferences(actor)
    rows = {p.kind: p for p in db.session.scalars(select(NotificationPreference)
                                                  .where(NotificationPreference.user_id == actor.id))}
    for code, mode in data.modes.items():
        if code in rows:
            rows[code].mode = mode
        elif mode != DEFAULT_MODE:
            db.session.add(NotificationPreference(user_id=actor.id, kind=code, mode=mode))
    db.session.flush()
    after = preferences(actor)
    if after != before:
        record_audit(actor, "notifications.preferences", "user", actor.id, before=before, after=after)
    return after


# --- administrators: e-mails that could not be sent ------------------------------------------------

def failed_since(now: datetime | None = None) -> datetime:
    return (now or utcnow()) - timedelta(days=FAILED_EMAIL_DAYS)


def failed_emails() -> Select[Any]:
    """Notifications whose e-mail could not be sent in the last 30 days, newest first, with whom."""
    return (select(Notification).options(joinedload(Notification.user))
            .where(Notification.email_state == "failed", Notification.created_at >= failed_since())
            .order_by(Notification.created_at.desc(), Notification.id.desc()))



# --- who is told ------------------------------------------------------------------------------------

def school_people(school_id: int, role: str) -> list[User]:
    """The active accounts of this role that belong to the school (its leaders, its governors)."""
    from ..auth.models import user_schools

    return list(db.session.scalars(
        select(User).join(user_schools, user_schools.c.user_id == User.id)
        .where(user_schools.c.school_id == school_id, User.role == role, User.is_disabled.is_(False))
        .order_by(User.id)))


def team_accounts(team: Any) -> list[User]:
    """A project team's members who have accounts (named people without one cannot be told), and
    its coordinator."""
    people = [member.user for member in team.members if member.left_on is None and member.user is not None]
    if team.coordinator is not None:
        people.append(team.coordinator)
    return people
