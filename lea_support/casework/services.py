"""Notes of visit: planning, recording and editing (with conflict detection), the school's
factual-accuracy check, the adviser's reply, finalisation and addenda."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import contains_eager

from ..auth.models import LA_ROLES, Role, User, user_schools
from ..core.audit import record_audit
from ..core.calendar import add_working_days
from ..core.errors import DomainError
from ..core.limits import MAX_AGREED_ACTIONS
from ..core.locking import AlreadyChanged, claim_edit, lock_for_update
from ..core.models import utcnow
from ..core.terms import format_date
from ..enhanced.services import check_visit_deployment
from ..extensions import db
from ..notifications.services import notify, school_people
from ..schools.models import School
from ..schools.services import record_school_event
from .models import (
    ACTION_STATUSES,
    AMENDABLE_FIELDS,
    SUPPORT_ASPECTS,
    AgreedAction,
    NoteAmendment,
    NoteEvent,
    NoteOfVisit,
    VisitType,
)

NOTE_FIELDS = ("visit_date", "visit_type_code", "purpose", "support_aspects", "people_met", "discussion",
               "strengths", "areas_for_development", "next_visit_date", "minutes_spent", "deployment_id", "days_spent")


@dataclass
class ActionData:
    description: str
    owner: str  # the name shown; typed for someone without an account
    due_on: date | None = None
    status: str = "open"
    owner_id: int | None = None  # the owner's account, when they have one


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
    # An LA consultant's support visit: their deployment on the school's support plan, and the days
    # used (as typed; checked by enhanced.services.check_visit_deployment).
    deployment_id: int | None = None
    days_spent: Any = None


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


# Who may own an agreed action as an account: the authority's staff who deliver support, and the
# school's own leaders.
ACTION_OWNER_ROLES = LA_ROLES - {Role.ADMIN}


def action_owner_candidates(school_id: int) -> list[User]:
    """The accounts an agreed action at this school may be given to: its leaders and LA staff."""
    leads = select(user_schools.c.user_id).where(user_schools.c.school_id == school_id)
    return list(db.session.scalars(select(User).where(
        User.is_disabled.is_(False),
        or_(User.role.in_([str(r) for r in ACTION_OWNER_ROLES]),
            and_(User.role == Role.SCHOOL_LEADER, User.id.in_(leads))))
        .order_by(User.name, User.id)))


def _owner_names(school_id: int, data: NoteData) -> dict[int, str]:
    """The names of the accounts the actions are given to (shown as the owner, whatever was typed);
    refuses one that may not own them."""
    wanted = {a.owner_id for a in data.actions if a.owner_id is not None}
    if not wanted:
        return {}
    names = {u.id: u.name for u in action_owner_candidates(school_id) if u.id in wanted}
    for number, action in enumerate(data.actions, start=1):
        if action.owner_id is not None and action.owner_id not in names:
            raise DomainError(f"Agreed action {number}: choose an owner from the school's leaders and LA staff, "
                              "or type a name", field="actions")
    return names


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
        if not action.description.strip() or not (action.owner.strip() or action.owner_id):
            raise DomainError(f"Agreed action {number}: enter what is to be done and who will do it", field="actions")
        if action.status not in ACTION_STATUSES:
            raise DomainError(f"Agreed action {number}: choose a status", field="actions")
        if action.due_on is not None and action.due_on < data.visit_date:
            raise DomainError(f"Agreed action {number}: the date must be on or after the visit", field="actions")
    data.purpose = data.purpose.strip()
    return data


def _apply(note: NoteOfVisit, data: NoteData, school_id: int) -> None:
    owners = _owner_names(school_id, data)
    for name in NOTE_FIELDS:
        value = getattr(data, name)
        setattr(note, name, value.strip() if isinstance(value, str) else value)
    note.support_aspects = sorted(set(data.support_aspects))
    note.actions = [AgreedAction(position=i, description=a.description.strip(),
                                 owner=owners[a.owner_id] if a.owner_id else a.owner.strip(), owner_id=a.owner_id,
                                 due_on=a.due_on, status=a.status) for i, a in enumerate(data.actions)]


def plan_visit(actor: "User", school: School, *, visit_date: date | None, visit_type_code: str,
               purpose: str) -> NoteOfVisit:
    """Put a future visit in the diary (it appears in the adviser's calendar feed)."""
    if visit_date is None:
        raise DomainError("Enter the date of the visit", field="visit_date")
    if visit_date < date.today():
        raise DomainError("A planned visit must be today or later; record a past visit instead", field="visit_date")
    data = _clean(NoteData(visit_date=visit_date, visit_type_code=visit_type_code, purpose=purpose))
    note = NoteOfVisit(school_id=school.id, adviser_id=actor.id, status="planned", support_aspects=[])
    _apply(note, data, school.id)
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


def record_visit(actor: "User", school: School, data: NoteData) -> NoteOfVisit:
    """Write up a visit as a draft note (a consultant's against their deployment at the school)."""
    data = _clean(data)
    _not_in_future(data)
    data.deployment_id, data.days_spent = check_visit_deployment(actor, school.id, data.deployment_id,
                                                                 data.days_spent, written_up=True)
    note = NoteOfVisit(school_id=school.id, adviser_id=actor.id, status="draft")
    _apply(note, data, school.id)
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
    written_up = note.status != "planned" or bool(data.discussion.strip())
    if written_up:  # (a planned visit becomes a draft)
        _not_in_future(data)
    if note.programme_assignment_id is None:
        data.deployment_id, data.days_spent = check_visit_deployment(note.adviser, note.school_id, data.deployment_id,
                                                                     data.days_spent, written_up=written_up)
    else:  # a programme review visit: its days are the assignment's, from the reviewer's capacity
        data.deployment_id, data.days_spent = None, None
    before = {name: getattr(note, name) for name in NOTE_FIELDS}
    _apply(note, data, note.school_id)
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


def finalise_refusal(note: NoteOfVisit, today: date | None = None) -> str | None:
    """Why the note cannot be finalised now, or None if it can: it must have been sent, and, before
    the school has responded, its deadline must have passed."""
    today = today or date.today()
    if note.status not in {"sent", "responded"}:
        return "Only a note that has been sent to the school can be finalised"
    if note.status == "sent" and note.response_due_on and today <= note.response_due_on:
        return (f"The school has until {format_date(note.response_due_on)} to check the note; "
                "finalise it once they respond or the deadline passes")
    return None


def can_be_finalised(note: NoteOfVisit, today: date | None = None) -> bool:
    """Whether finalise_note would accept the note now (the page offers "Finalise" only then)."""
    return finalise_refusal(note, today) is None


def finalise_note(actor: "User", note: NoteOfVisit, *, comment: str = "", today: date | None = None) -> NoteOfVisit:
    """Lock the note. Before the school has responded, only once its deadline has passed."""
    today = today or date.today()
    lock_for_update(note)
    if note.status == "finalised":
        raise AlreadyChanged("This note has already been finalised: reload the page to see it")
    refusal = finalise_refusal(note, today)
    if refusal:
        raise DomainError(refusal)
    note.status = "finalised"
    note.finalised_at = utcnow()
    _event(actor, note, "finalised", comment=(comment or "").strip())
    db.session.flush()
    record_audit(actor, "visit.finalise", "note_of_visit", note.id, school_id=note.school_id)
    record_school_event(note.school, "visit_finalised",
                        f"Note of visit on {format_date(note.visit_date)} finalised", actor, audience="school")
    return note


def school_response(note: NoteOfVisit) -> NoteEvent | None:
    """The school's latest factual-accuracy response to the note (marked accurate or inaccurate)."""
    responses = [e for e in note.events if e.kind in {"marked_accurate", "marked_inaccurate"}]
    return responses[-1] if responses else None


def school_responses(note_ids: list[int]) -> dict[int, bool]:
    """For each of these notes that the school has answered: whether its latest answer was
    "accurate" (one query, for lists of notes)."""
    if not note_ids:
        return {}
    rows = db.session.execute(
        select(NoteEvent.note_id, NoteEvent.kind)
        .where(NoteEvent.note_id.in_(note_ids), NoteEvent.kind.in_(["marked_accurate", "marked_inaccurate"]))
        .order_by(NoteEvent.id))
    return {note_id: kind == "marked_accurate" for note_id, kind in rows}


def amendable_response(note: NoteOfVisit) -> NoteEvent | None:
    """The school's "marked inaccurate" comment that an amendment would answer, if the note can be
    amended now (responded, not yet finalised, and the school's latest answer was "inaccurate")."""
    if note.status != "responded":
        return None
    response = school_response(note)
    return response if response is not None and response.kind == "marked_inaccurate" else None


def note_tag(note: NoteOfVisit, reader: "User", accurate: bool | None) -> tuple[str, str]:
    """The note's tag for this reader, saying what they must do: (text, GOV.UK tag colour).
    `accurate` is the school's latest answer (None: not answered)."""
    is_school = reader.role == Role.SCHOOL_LEADER
    if note.status == "sent":
        return ("Awaiting your response", "orange") if is_school else (note.status_name, "yellow")
    if note.status == "responded":
        if is_school:
            return ("Response sent", "blue")
        return ("Confirmed accurate", "green") if accurate else ("Marked inaccurate", "red")
    if note.status == "finalised":
        return note.status_name, "green"
    return note.status_name, "grey"


@dataclass
class AmendmentData:
    """The note's body as the adviser amends it (the fields of AMENDABLE_FIELDS)."""

    purpose: str = ""
    people_met: str = ""
    discussion: str = ""
    strengths: str = ""
    areas_for_development: str = ""


def amend_note(actor: "User", note: NoteOfVisit, data: AmendmentData, *,
               expected_version: int | None) -> list[NoteAmendment]:
    """Correct the note's body, after the school marked it inaccurate and before it is finalised:
    each changed field is kept as an amendment (before, after, the school's comment it answers)."""
    lock_for_update(note)
    if note.status == "finalised":
        raise AlreadyChanged("This note has been finalised since you opened it: add an addendum instead")
    response = amendable_response(note)
    if response is None:
        raise DomainError("A note can be amended only after the school has marked it inaccurate, and before it "
                          "is finalised")
    claim_edit(note, expected_version, "note of visit", column="version",
               message=_conflict_message(note, expected_version))
    changed = {name: (getattr(note, name), (getattr(data, name) or "").strip()) for name in AMENDABLE_FIELDS}
    changed = {name: pair for name, pair in changed.items() if pair[0] != pair[1]}
    if not changed:
        raise DomainError("Nothing has been changed: correct the note where the school says it is inaccurate")
    if not (note.discussion if "discussion" not in changed else changed["discussion"][1]):
        raise DomainError("The discussion cannot be left empty", field="discussion")
    amendments = []
    for name, (before, after) in changed.items():
        setattr(note, name, after)
        amendment = NoteAmendment(note_id=note.id, field=name, before_text=before, after_text=after,
                                  answers_event_id=response.id, user_id=actor.id)
        db.session.add(amendment)
        amendments.append(amendment)
    db.session.flush()
    record_audit(actor, "visit.amend", "note_of_visit", note.id, school_id=note.school_id,
                 before={name: pair[0] for name, pair in changed.items()},
                 after={name: pair[1] for name, pair in changed.items()})
    return amendments


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


def owned_actions(user: Any) -> ColumnElement[bool]:
    """The agreed actions a person owns, as they may see them (a query joined to NoteOfVisit): a
    school leader's only on notes shared with one of their schools; none for governors."""
    mine = AgreedAction.owner_id == user.id
    if user.role == Role.SCHOOL_LEADER:
        mine_at = select(user_schools.c.school_id).where(user_schools.c.user_id == user.id)
        return and_(mine, NoteOfVisit.status.in_(["sent", "responded", "finalised"]),
                    NoteOfVisit.school_id.in_(mine_at))
    if user.role in LA_ROLES:
        return and_(mine, NoteOfVisit.status != "planned")
    return false()


def agreed_actions_owned_by(user: Any) -> list[AgreedAction]:
    """The open agreed actions of visits that the person owns, soonest due first (undated last)."""
    return list(db.session.scalars(
        select(AgreedAction).join(AgreedAction.note).join(NoteOfVisit.school)
        .where(owned_actions(user), AgreedAction.status == "open")
        .options(contains_eager(AgreedAction.note).contains_eager(NoteOfVisit.school))
        .order_by(AgreedAction.due_on.is_(None), AgreedAction.due_on, School.name, AgreedAction.id)))


def notes_for_school(school: School, *, shared_only: bool = False) -> list[NoteOfVisit]:
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
