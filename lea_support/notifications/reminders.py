"""The daily digest (`lea-support reminders send`): one e-mail per person with what is waiting for
them (the home page's counts) and the notifications they chose to hear of in the digest.

Idempotent: each e-mail is claimed by a `reminders_sent` row keyed by (person, day) and committed
before it is sent, so a second run the same day (or two runs at once) passes them by; a person
is e-mailed at most once a day, whatever happens. Fast: the people, what was already sent today and
every waiting digest notification are read in three queries, and everyone's task counts in one
query per kind of task (tasks.services.count_tasks_for_everyone, the home page's questions asked of
every person at once); rows are written and committed a batch of people at a time."""
from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from typing import Any, Callable

from flask import current_app
from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..auth.models import User
from ..core.mail import build_message, deliver, mail_settings
from ..core.models import utcnow
from ..core.terms import format_date
from ..extensions import db
from ..tasks.services import TaskCount, count_tasks_for_everyone, today
from .models import Notification, ReminderSent
from .services import FOOTER, public_url

BATCH_SIZE = 200


@dataclass(frozen=True)
class Person:
    """What the digest needs of an account, read once for everyone (not ORM objects: they would
    be expired, and read again one by one, by each batch's commit)."""

    id: int
    email: str
    name: str
    role: str
    previous_sign_in_at: Any


@dataclass(frozen=True)
class Waiting:
    id: int
    user_id: int
    subject: str
    link: str
    created_at: Any


@dataclass
class Digest:
    user: Person
    tasks: list[TaskCount]
    notifications: list[Waiting]

    def summary(self) -> str:
        parts = [f"{sum(t.count for t in self.tasks)} task{'s' if sum(t.count for t in self.tasks) != 1 else ''} "
                 f"({', '.join(f'{t.kind.title}: {t.count}' for t in self.tasks)})" if self.tasks else "",
                 f"{len(self.notifications)} notification{'s' if len(self.notifications) != 1 else ''}"
                 if self.notifications else ""]
        return "; ".join(p for p in parts if p)


@dataclass
class RemindersRun:
    on: date
    dry_run: bool
    people: int = 0
    sent: int = 0
    failed: int = 0
    already_sent: int = 0
    nothing_due: int = 0
    seconds: float = 0.0
    lines: list[str] = field(default_factory=list)


def digest_text(digest: Digest, on: date) -> str:
    lines = [f"Dear {digest.user.name},", ""]
    if digest.tasks:
        lines += [f"What is waiting for you in LEA Support on {format_date(on)}:", ""]
        for task in digest.tasks:
            due = f", the earliest {task.kind.due_word.lower()} {format_date(task.earliest_due)}" \
                if task.earliest_due and not task.kind.same_due else ""
            url = public_url(f"/tasks/{task.kind.code}")
            lines.append(f"- {task.kind.title}: {task.count}{due}" + (f"\n  {url}" if url else ""))
        lines.append("")
    if digest.notifications:
        lines += ["What happened since your last daily e-mail:", ""]
        for notification in digest.notifications:
            url = public_url(notification.link)
            lines.append(f"- {notification.subject} ({format_date(notification.created_at)})"
                         + (f"\n  {url}" if url else ""))
        lines.append("")
    home = public_url("/")
    lines += [f"Sign in to see it all: {home}" if home else "Sign in to LEA Support to see it all.", "", FOOTER]
    return "\n".join(lines) + "\n"


def _digest_notifications() -> dict[int, list[Waiting]]:
    waiting: dict[int, list[Waiting]] = defaultdict(list)
    for row in db.session.execute(select(Notification.id, Notification.user_id, Notification.subject,
                                         Notification.link, Notification.created_at)
                                  .where(Notification.delivery == "digest", Notification.email_state == "not_sent")
                                  .order_by(Notification.created_at, Notification.id)):
        waiting[row.user_id].append(Waiting(*row))
    return waiting


def _claim(rows: list[dict[str, Any]]) -> set[int]:
    """Insert the day's reminder rows unless another run has: the people this run e-mails."""
    if not rows:
        return set()
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    claimed = db.session.scalars(dialect.insert(ReminderSent).values(rows)
                                 .on_conflict_do_nothing(index_elements=["user_id", "sent_on"])
                                 .returning(ReminderSent.user_id))
    return set(claimed)


def send_reminders(on: date | None = None, *, dry_run: bool = False, batch_size: int = BATCH_SIZE,
                   say: Callable[[str], None] | None = None) -> RemindersRun:
    """E-mail every active person their digest for the day, once. With `dry_run`, say who would
    get what and change nothing. Commits (a batch at a time): for the CLI and the scheduler."""
    started = time.perf_counter()
    on = on or today()
    run = RemindersRun(on, dry_run)
    settings = mail_settings(current_app)
    people = [Person(*row) for row in db.session.execute(
        select(User.id, User.email, User.name, User.role, User.previous_sign_in_at)
        .where(User.is_disabled.is_(False)).order_by(User.id))]
    run.people = len(people)
    done_today = set(db.session.scalars(select(ReminderSent.user_id).where(ReminderSent.sent_on == on)))
    waiting = _digest_notifications()
    to_do = [user for user in people if user.id not in done_today]
    run.already_sent = len(people) - len(to_do)
    everyone = count_tasks_for_everyone(on)
    for start in range(0, len(to_do), batch_size):
        digests = []
        for user in to_do[start:start + batch_size]:
            tasks = sorted(everyone.get(user.id, []), key=lambda t: (not t.overdue(on), t.earliest_due or date.max))
            digest = Digest(user, tasks, waiting.get(user.id, []))
            if not digest.tasks and not digest.notifications:
                run.nothing_due += 1
                continue
            digests.append(digest)
        if dry_run:
            for digest in digests:
                line = f"{digest.user.email}: {digest.summary()}"
                run.lines.append(line)
                if say:
                    say(line)
            run.sent += len(digests)
            continue
        _send_batch(digests, on, settings, run)
    if dry_run:
        db.session.rollback()
    run.seconds = time.perf_counter() - started
    return run


def _send_batch(digests: list[Digest], on: date, settings: Any, run: RemindersRun) -> None:
    messages: dict[int, EmailMessage] = {}
    rows = []
    for digest in digests:
        rows.append({"user_id": digest.user.id, "sent_on": on, "created_at": utcnow(), "email_state": "queued",
                     "about": {"tasks": {t.kind.code: t.count for t in digest.tasks},
                               "notifications": [n.id for n in digest.notifications]}})
        messages[digest.user.id] = build_message(settings, to=digest.user.email,
                                                 subject=f"LEA Support: what is due, {format_date(on)}",
                                                 body=digest_text(digest, on))
    claimed = _claim(rows)
    ours = [d for d in digests if d.user.id in claimed]
    notification_ids = [n.id for d in ours for n in d.notifications]
    if notification_ids:
        db.session.execute(update(Notification).where(Notification.id.in_(notification_ids),
                                                      Notification.email_state == "not_sent")
                           .values(email_state="queued").execution_options(synchronize_session=False))
    db.session.commit()  # claimed before anything is sent: a second run never sends these again
    outcomes: list[dict[str, Any]] = []
    for digest in ours:
        try:
            deliver(messages[digest.user.id], settings)
        except Exception as err:  # one person's e-mail failing must not stop everyone else's
            current_app.logger.exception("Could not send the daily reminder to %s", digest.user.email)
            error: str | None = f"{type(err).__name__}: {err}"[:1000]
            run.failed += 1
        else:
            error = None
            run.sent += 1
        outcomes.append({"u_id": digest.user.id, "state": "failed" if error else "sent", "error": error,
                         "at": utcnow(), "ids": [n.id for n in digest.notifications]})
    if outcomes:
        table = ReminderSent.__table__
        db.session.execute(update(table).where(table.c.user_id == bindparam("u_id"), table.c.sent_on == on)
                           .values(email_state=bindparam("state"), email_error=bindparam("error")),
                           [{"u_id": o["u_id"], "state": o["state"], "error": o["error"]} for o in outcomes])
        sent_notes = [{"n_id": i, "state": o["state"], "error": o["error"], "at": o["at"]}
                      for o in outcomes for i in o["ids"]]
        if sent_notes:
            notes = Notification.__table__
            db.session.execute(update(notes).where(notes.c.id == bindparam("n_id"))
                               .values(email_state=bindparam("state"), email_error=bindparam("error"),
                                       emailed_at=bindparam("at")), sent_notes)
        db.session.commit()
