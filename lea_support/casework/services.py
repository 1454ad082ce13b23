"""Notes of visit: planning, recording and editing (with conflict detection), the school's
factual-accuracy check, the adviser's reply, finalisation and addenda."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import select

from ..auth.models import Role
from ..core.audit import record_audit
from ..core.calendar import add_working_days
from ..core.errors import DomainError
from ..core.limits import MAX_AGREED_ACTIONS
from ..core.locking import AlreadyChanged, claim_edit, lock_for_update
from ..core.models import utcnow
from ..core.terms import format_date
from ..extensions import db
from ..notifications.services import notify, school_people
from ..schools.services import record_school_event
from .models import (
    ACTION_STATUSES,
    SUPPORT_ASPECTS,
    AgreedAction,
    NoteEvent,
    NoteOfVisit,
    VisitType,
)

if TYPE_CHECKING:
    from ..auth.models import User
    from ..schools.models import School

NOTE_FIELDS = ("visit_date", "visit_type_code", "purpose", "support_aspects", "people_met", "discussion",
               "strengths", "areas_for_development", "next_visit_date", "minutes_spent")


@dataclass
class ActionData:
    description: str
    owner: str
    due_on: date | None = None
    status: str = "open"


@dataclass
class NoteData:
    """What an adviser types into a note of visit."""

    visit_date: date | None
    visit_type_code: str
    purpose: str = ""
    support_aspects: list[str] = field(default_factory=list)
    people_met: str = ""
    discussion: str = ""
    strengths: str = ""
    areas_for_development: str = ""
    next_visit_date: date | None = None
    minutes_spent: int | None = None
    actions: list[ActionData] = field(default_factory=list)


def _conflict_message(note: NoteOfVisit, expected_version: int | None) -> str:
    saved = max(note.version, (expected_version or 0) + 1)
    return (f"This note was changed by someone else (it is now version {saved}) since you opened it. "
            "Their version is shown below and your changes are still in the form: compare them, then save again "
            "to keep yours.")


def visit_types() -> list[VisitType]:
    return list(db.session.scalars(select(VisitType).where(VisitType.is_active.is_(True)).order_by(VisitType.sort_order)))


def _event(actor: "User", note: NoteOfVisit, kind: str, comment: str = "", reason: str = "") -> NoteEvent:
    event = NoteEvent(note_id=note.id, kind=kind, user_id=actor.id, comment=comment, reason=reason)
    db.session.add(event)
    return event


def _latest_event_is(note: NoteOfVisit, kind: str, actor: "User", comment: str, reason: str = "") -> bool:
    """Whether the note's latest event is this very one: the same words from the same person, that
    is a second submission of the same form (read under the note's lock, so a double click is seen)."""
    latest = db.session.scalars(select(NoteEvent).where(NoteEvent.note_id == note.id)
                                .order_by(NoteEvent.id.desc()).limit(1)).first()
    return (latest is not None and (latest.kind, latest.user_id, latest.comment, latest.reason)
            == (kind, actor.id, comment, reason))


def _clean(data: NoteData) -> NoteData:
    if data.visit_date is None:
        raise DomainError("Enter the date of the visit", field="visit_date")
    if db.session.get(VisitType, data.visit_type_code or "") is None:
        raise DomainError("Choose the type of visit", field="visit_type_code")
    unknown = set(data.support_aspects) - set(SUPPORT_ASPECTS)
    if unknown:
        raise DomainError("Choose support aspects from the list", field="support_aspects")
    if data.minutes_spent is not None and not 0 <= data.minutes_spent <= 1440:
        raise DomainError("Time spent must be between 0 and 1,440 minutes (one day)", field="minutes_spent")
    if data.next_visit_date is not None and data.next_visit_date <= data.visit_date:
        raise DomainError("The next visit must be after this visit", field="next_visit_date")
    if len(data.actions) > MAX_AGREED_ACTIONS:
        raise DomainError(f"A note can have up to {MAX_AGREED_ACTIONS} agreed actions: remove "
                          f"{len(data.actions) - MAX_AGREED_ACTIONS}, or combine some", field="actions")
    for number, action in enumerate(data.actions, start=1):
        if not action.description.strip() or not action.owner.strip():
            raise DomainError(f"Agreed action {number}: enter what is to be done and who will do it", field="actions")
        if action.status not in ACTION_STATUSES:
            raise DomainError(f"Agreed action {number}: choose a status", field="actions")
        if action.due_on is not None and action.due_on < data.visit_date:
            raise DomainError(f"Agreed action {number}: the date must be on or after the visit", field="actions")
    data.purpose = data.purpose.strip()
    return data


def _apply(note: NoteOfVisit, data: NoteData) -> None:
    for name in NOTE_FIELDS:
        value = getattr(data, name)
        setattr(note, name, value.strip() if isinstance(value, str) else value)
    note.support_aspects = sorted(set(data.support_aspects))
    note.actions = [AgreedAction(position=i, description=a.description.strip(), owner=a.owner.strip(),
                                 due_on=a.due_on, status=a.status) for i, a in enumerate(data.actions)]


def plan_visit(actor: "User", school: "School", *, visit_date: date | None, visit_type_code: str,
               purpose: str) -> NoteOfVisit:
    """Put a future visit in the diary (it appears in the adviser's calendar feed)."""
    if visit_date is None:
        raise DomainError("Enter the date of the visit", field="visit_date")
    if visit_date < date.today():
        raise DomainError("A planned visit must be today or later; record a past visit instead", field="visit_date")
    data = _clean(NoteData(visit_date=visit_date, visit_type_code=visit_type_code, purpose=purpose))
    note = NoteOfVisit(school_id=school.id, adviser_id=actor.id, status="planned", support_aspects=[])
    _apply(note, data)
    db.session.add(note)
    db.session.flush()
    record_audit(actor, "visit.plan", "note_of_visit", note.id, school_id=school.id,
                 after={"visit_date": visit_date, "purpose": data.purpose})
    record_school_event(school, "visit_planned", f"Visit planned for {format_date(visit_date)}", actor,
                        audience="school")
    return note


def _not_in_future(data: NoteData) -> None:
    # The overview's kept summaries count every written-up visit as done: one cannot be dated
    # after the day it is written up.
    if data.visit_date is not None and data.visit_date > date.today():
        raise DomainError("A visit can only be written up on or after the day it happens: correct the date, "
                          "or plan the visit instead", field="visit_date")


def record_visit(actor: "User", school: "School", data: NoteData) -> NoteOfVisit:
    """Write up a visit as a draft note."""
    data = _clean(data)
    _not_in_future(data)
    note = NoteOfVisit(school_id=school.id, adviser_id=actor.id, status="draft")
    _apply(note, data)
    db.session.add(note)
    db.session.flush()
    record_audit(actor, "visit.record", "note_of_visit", note.id, school_id=school.id,
                 after={"visit_date": note.visit_date, "visit_type": note.visit_type_code})
    record_school_event(school, "visit_recorded",
                        f"Visit on {format_date(note.visit_date)} recorded ({note.visit_type.name if note.visit_type else note.visit_type_code})", actor,
                        audience="school", occurred_on=note.visit_date)
    return note


def update_note(actor: "User", note: NoteOfVisit, data: NoteData, *, expected_version: int | None) -> NoteOfVisit:
    """Save changes to a planned or draft note. Refuses with EditConflict if someone else saved
    it after this copy was opened; a planned visit that is written up becomes a draft."""
    if not note.is_editable:
        raise DomainError("Only planned and draft notes can be edited; add an addendum to a finalised note")
    claim_edit(note, expected_version, "note of visit", column="version",
               message=_conflict_message(note, expected_version))
    data = _clean(data)
    if note.status != "planned" or data.discussion.strip():  # written up (a planned visit becomes a draft)
        _not_in_future(data)
    before = {name: getattr(note, name) for name in NOTE_FIELDS}
    _apply(note, data)
    if note.status == "planned" and note.discussion:
        note.status = "draft"
    db.session.flush()
    record_audit(actor, "visit.update", "note_of_visit", note.id, school_id=note.school_id, before=before,
                 after={name: getattr(note, name) for name in NOTE_FIELDS})
    return note


def send_note(actor: "User", note: NoteOfVisit) -> NoteOfVisit:
    """Send a draft to the school for a factual-accuracy check, with a response deadline counted
    in the authority's working days."""
    lock_for_update(note)
    if note.status in {"sent", "responded", "finalised"}:
        raise AlreadyChanged(f"This note has already been sent to the school (it is now: "
                             f"{note.status_name.lower()}): reload the page to see it")
    if note.status != "draft":
        raise DomainError("Only a draft note can be sent to the school")
    if not note.discussion.strip():
        raise DomainError("Write up the discussion before sending the note to the school")
    days = int(current_app.config.get("FACTUAL_ACCURACY_WORKING_DAYS", 10))
    note.status = "sent"
    note.sent_at = utcnow()
    note.response_due_on = add_working_days(date.today(), days)
    _event(actor, note, "sent", comment=f"Response due by {format_date(note.response_due_on)}")
    db.session.flush()
    record_audit(actor, "visit.send", "note_of_visit", note.id, school_id=note.school_id,
                 after={"response_due_on": note.response_due_on})
    record_school_event(note.school, "visit_sent",
                        f"Note of visit on {format_date(note.visit_date)} sent to the school for checking", actor,
                        audience="school")
    notify(school_people(note.school_id, Role.SCHOOL_LEADER), "note_sent",
           f"Note of visit to check: {note.school.name}",
           f"{note.adviser.name} has sent you the note of their visit to {note.school.name} on "
           f"{format_date(note.visit_date)} to check for factual accuracy. Please respond by "
           f"{format_date(note.response_due_on)}.",
           f"/visits/{note.id}", about=("note_of_visit", note.id), key=f"note_sent:{note.id}", actor=actor,
           action="check it")
    return note


def respond_to_note(actor: "User", note: NoteOfVisit, *, accurate: bool | None, comment: str) -> NoteOfVisit:
    """The school marks a sent note accurate, or inaccurate with comments."""
    comment = (comment or "").strip()
    lock_for_update(note)
    if note.status in {"responded", "finalised"}:
        raise AlreadyChanged("The school's response to this note has already been recorded: reload the page to "
                             "see it")
    if note.status != "sent":
        raise DomainError("This note is not waiting for the school's response")
    if accurate is None:
        raise DomainError("Say whether the note is accurate", field="accurate")
    if not accurate and not comment:
        raise DomainError("Say what is inaccurate, so the adviser can correct it", field="comment")
    note.status = "responded"
    _event(actor, note, "marked_accurate" if accurate else "marked_inaccurate", comment=comment)
    db.session.flush()
    record_audit(actor, "visit.respond", "note_of_visit", note.id, school_id=note.school_id,
                 after={"accurate": accurate, "comment": comment})
    record_school_event(note.school, "visit_response",
                        f"School marked the note of visit on {format_date(note.visit_date)} "
                        + ("accurate" if accurate else "inaccurate"), actor, audience="school")
    notify([note.adviser], "note_response",
           f"{note.school.name} marked your note of visit {'accurate' if accurate else 'inaccurate'}",
           f"{actor.name} at {note.school.name} marked your note of the visit on {format_date(note.visit_date)} "
           + ("accurate." if accurate else f"inaccurate: \u201c{comment}\u201d") + " Reply if needed, then finalise it.",
           f"/visits/{note.id}", about=("note_of_visit", note.id), key=f"note_response:{note.id}", actor=actor,
           action="answer it")
    return note


def reply_to_response(actor: "User", note: NoteOfVisit, *, comment: str) -> NoteOfVisit:
    """The adviser answers the school's comments before finalising."""
    comment = (comment or "").strip()
    lock_for_update(note)
    if note.status != "responded":
        raise DomainError("There is no response from the school to reply to")
    if not comment:
        raise DomainError("Enter your reply", field="comment")
    if _latest_event_is(note, "adviser_reply", actor, comment):
        raise AlreadyChanged("This reply has already been saved: reload the page to see it", field="comment")
    _event(actor, note, "adviser_reply", comment=comment)
    db.session.flush()
    record_audit(actor, "visit.reply", "note_of_visit", note.id, school_id=note.school_id, after={"comment": comment})
    return note


def finalise_note(actor: "User", note: NoteOfVisit, *, comment: str = "", today: date | None = None) -> NoteOfVisit:
    """Lock the note. Before the school has responded, only once its deadline has passed."""
    today = today or date.today()
    lock_for_update(note)
    if note.status == "finalised":
        raise AlreadyChanged("This note has already been finalised: reload the page to see it")
    if note.status not in {"sent", "responded"}:
        raise DomainError("Only a note that has been sent to the school can be finalised")
    if note.status == "sent" and note.response_due_on and today <= note.response_due_on:
        raise DomainError(f"The school has until {format_date(note.response_due_on)} to check the note; "
                          "finalise it once they respond or the deadline passes")
    note.status = "finalised"
    note.finalised_at = utcnow()
    _event(actor, note, "finalised", comment=(comment or "").strip())
    db.session.flush()
    record_audit(actor, "visit.finalise", "note_of_visit", note.id, school_id=note.school_id)
    record_school_event(note.school, "visit_finalised",
                        f"Note of visit on {format_date(note.visit_date)} finalised", actor, audience="school")
    return note


def add_addendum(actor: "User", note: NoteOfVisit, *, text: str, reason: str) -> NoteEvent:
    """Correct a finalised note without changing it: an addendum with its reason."""
    text, reason = (text or "").strip(), (reason or "").strip()
    lock_for_update(note)
    if note.status != "finalised":
        raise DomainError("Addenda are for finalised notes; edit the draft instead")
    if not text:
        raise DomainError("Enter the correction or addition", field="text")
    if not reason:
        raise DomainError("Enter why the note needs an addendum", field="reason")
    if _latest_event_is(note, "addendum", actor, text, reason):
        raise AlreadyChanged("This addendum has already been added: reload the page to see it", field="text")
    event = _event(actor, note, "addendum", comment=text, reason=reason)
    db.session.flush()
    record_audit(actor, "visit.addendum", "note_of_visit", note.id, school_id=note.school_id,
                 after={"text": text, "reason": reason})
    return event


def set_action_status(actor: "User", action: AgreedAction, status: str) -> AgreedAction:
    """Mark an agreed action done, or no longer needed, or open again (even on a finalised note)."""
    if status not in ACTION_STATUSES:
        raise DomainError("Choose a status", field="status")
    before = action.status
    action.status = status
    record_audit(actor, "visit.action_status", "visit_action", action.id, school_id=action.note.school_id,
                 before={"status": before}, after={"status": status})
    return action


def notes_for_school(school: "School", *, shared_only: bool = False) -> list[NoteOfVisit]:
    query = select(NoteOfVisit).where(NoteOfVisit.school_id == school.id)
    if shared_only:
        query = query.where(NoteOfVisit.status.in_(["sent", "responded", "finalised"]))
    return list(db.session.scalars(query.order_by(NoteOfVisit.visit_date.desc(), NoteOfVisit.id.desc())))


def note_snapshot(note: NoteOfVisit) -> dict[str, Any]:
    """The stored version of a note, for showing beside a conflicting edit."""
    return {
        "version": note.version,
        "visit_date": note.visit_date, "visit_type": note.visit_type.name if note.visit_type else "",
        "purpose": note.purpose, "support_aspects": [SUPPORT_ASPECTS[a] for a in note.support_aspects],
        "people_met": note.people_met, "discussion": note.discussion, "strengths": note.strengths,
        "areas_for_development": note.areas_for_development, "next_visit_date": note.next_visit_date,
        "minutes_spent": note.minutes_spent,
        "actions": [(a.description, a.owner, a.due_on, ACTION_STATUSES[a.status]) for a in note.actions],
    }
