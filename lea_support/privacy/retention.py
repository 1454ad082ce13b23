"""The retention schedule applied: for each active rule, the records past their period are deleted
or anonymised by a few bulk statements (children before parents, so every foreign key holds), and
the kept summaries and stored files follow. The CLI commits each kind on its own."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, func, select, update

from ..auth.models import FailedSignIns
from ..casework.models import NoteAmendment, NoteEvent, NoteOfVisit, VisitAttachment
from ..core.audit import record_audit
from ..core.errors import DomainError
from ..core.models import utcnow
from ..core.transactions import after_commit
from ..extensions import db
from ..notifications.models import Notification
from ..pdf.models import StoredDocument
from .models import PERIOD_UNITS, RETENTION_ACTIONS, RecordRead, RetentionRule, RetentionRun

# What an anonymised text field says instead.
REMOVED = "[Removed under the retention schedule]"


@dataclass(frozen=True)
class RetentionKind:
    """A kind of record the schedule can cover: its name, the dates it may count from, and
    what may happen to it."""

    label: str
    model: Any
    date_fields: dict[str, str]
    actions: tuple[str, ...]


KINDS: dict[str, RetentionKind] = {
    "note_of_visit": RetentionKind("Finalised notes of visit, with their actions, responses and files", NoteOfVisit,
                                   {"finalised_at": "when the note was finalised", "visit_date": "the date of the visit"},
                                   ("delete", "anonymise")),
    "read_audit": RetentionKind("Read audit (who viewed or downloaded what)", RecordRead,
                                {"occurred_at": "when the record was read"}, ("delete",)),
    "failed_sign_ins": RetentionKind("Failed sign-ins", FailedSignIns,
                                     {"last_failed_at": "the last failed sign-in"}, ("delete",)),
    "notifications": RetentionKind("Notifications", Notification,
                                   {"created_at": "when the notification was made", "read_at": "when it was read"},
                                   ("delete", "anonymise")),
}


def _months_before(moment: datetime, months: int) -> datetime:
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    for day in range(moment.day, 27, -1):  # 31 March less a month is 28 or 29 February
        try:
            return moment.replace(year=year, month=month + 1, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month + 1, day=min(moment.day, 28))


def cutoff(rule: RetentionRule, now: datetime) -> datetime:
    """The moment before which a record of the rule's kind is past its period."""
    if rule.period_unit == "days":
        return now - timedelta(days=rule.period)
    return _months_before(now, rule.period * (12 if rule.period_unit == "years" else 1))


def _due(rule: RetentionRule, now: datetime) -> ColumnElement[bool]:
    kind = KINDS[rule.kind]
    column = getattr(kind.model, rule.date_field)
    moment = cutoff(rule, now)
    due = column < (moment.date() if rule.date_field == "visit_date" else moment)
    if rule.kind == "note_of_visit":
        due = due & (NoteOfVisit.status == "finalised")
        if rule.action == "anonymise":
            due = due & (NoteOfVisit.discussion != REMOVED)
    elif rule.kind == "failed_sign_ins":  # a lock still running is not forgotten
        due = due & ((FailedSignIns.locked_until.is_(None)) | (FailedSignIns.locked_until < now))
    elif rule.kind == "notifications" and rule.action == "anonymise":
        due = due & (Notification.body != REMOVED)
    return due


def _ids(rule: RetentionRule, now: datetime) -> Select[Any]:
    return select(KINDS[rule.kind].model.id).where(_due(rule, now))


def count_due(rule: RetentionRule, now: datetime) -> int:
    """How many records the rule would delete or anonymise now."""
    return db.session.scalar(select(func.count()).select_from(_ids(rule, now).subquery())) or 0


def apply_rule(rule: RetentionRule, now: datetime) -> int:
    """Delete or anonymise what the rule says is past its period, in bulk; the count."""
    count = count_due(rule, now)
    if count == 0:
        return 0
    ids = _ids(rule, now).scalar_subquery()
    sync = {"synchronize_session": False}
    session = db.session
    if rule.kind == "note_of_visit":
        _apply_to_notes(rule, ids)
    elif rule.action == "delete":
        model = KINDS[rule.kind].model
        session.execute(delete(model).where(model.id.in_(ids)), execution_options=sync)
    else:  # notifications, anonymised
        session.execute(update(Notification).where(Notification.id.in_(ids))
                        .values(subject=REMOVED[:300], body=REMOVED, email_error=None), execution_options=sync)
    return count


def _apply_to_notes(rule: RetentionRule, ids: Any) -> None:
    from ..casework.attachments import attachment_path
    from ..casework.summaries import refresh_school_tallies

    session = db.session
    sync = {"synchronize_session": False}
    # The PDF of a note holds its text: it goes either way (made again, from what is left, if asked for).
    session.execute(delete(StoredDocument).where(StoredDocument.kind == "note_of_visit",
                                                 StoredDocument.object_id.in_(ids)), execution_options=sync)
    if rule.action == "anonymise":
        session.execute(update(NoteAmendment).where(NoteAmendment.note_id.in_(ids))
                        .values(before_text=REMOVED, after_text=REMOVED), execution_options=sync)
        session.execute(update(NoteEvent).where(NoteEvent.note_id.in_(ids)).values(comment="", reason=""),
                        execution_options=sync)
        session.execute(update(NoteOfVisit).where(NoteOfVisit.id.in_(ids)).values(
            purpose=REMOVED, people_met=REMOVED, discussion=REMOVED, strengths=REMOVED,
            areas_for_development=REMOVED), execution_options=sync)
        return
    from ..casework.models import AgreedAction

    school_ids = set(session.scalars(select(NoteOfVisit.school_id).where(NoteOfVisit.id.in_(ids)).distinct()))
    files = [attachment_path(a) for a in session.scalars(select(VisitAttachment).where(VisitAttachment.note_id.in_(ids)))]
    for child in (NoteAmendment, NoteEvent, AgreedAction, VisitAttachment):
        session.execute(delete(child).where(child.note_id.in_(ids)), execution_options=sync)
    session.execute(delete(NoteOfVisit).where(NoteOfVisit.id.in_(ids)), execution_options=sync)
    refresh_school_tallies(session.connection(), school_ids)
    for path in files:
        after_commit(partial(path.unlink, missing_ok=True))


def active_rules() -> list[RetentionRule]:
    return list(db.session.scalars(select(RetentionRule).where(RetentionRule.is_active).order_by(RetentionRule.kind)))


def record_run(results: dict[str, Any], started_at: datetime) -> RetentionRun:
    """Keep what a run did, when."""
    run = RetentionRun(started_at=started_at, finished_at=utcnow(), results=results)
    db.session.add(run)
    db.session.flush()
    return run


def update_retention_rule(actor: Any, rule: RetentionRule, *, date_field: str, period: int, period_unit: str,
                          action: str, is_active: bool) -> RetentionRule:
    """Change how long one kind of record is kept, from when, and what then happens to it."""
    kind = KINDS[rule.kind]
    if date_field not in kind.date_fields:
        raise DomainError("Choose the date the period counts from", field="date_field")
    if action not in kind.actions or action not in RETENTION_ACTIONS:
        raise DomainError(f"{kind.label} can only be " + " or ".join(a + "d" for a in kind.actions), field="action")
    if period_unit not in PERIOD_UNITS:
        raise DomainError("Choose days, months or years", field="period_unit")
    if not 1 <= period <= 1200:
        raise DomainError("Enter a period between 1 and 1200", field="period")
    fields = ("date_field", "period", "period_unit", "action", "is_active")
    before = {f: getattr(rule, f) for f in fields}
    rule.date_field, rule.period, rule.period_unit, rule.action, rule.is_active = (
        date_field, period, period_unit, action, is_active)
    record_audit(actor, "retention_rule.update", "retention_rule", rule.kind, before=before,
                 after={f: getattr(rule, f) for f in fields})
    db.session.flush()
    return rule
