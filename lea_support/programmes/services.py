"""LA-wide programmes: enrolling schools and their participants, baselines and progress against the
programme's criteria, training sessions and attendance, the reviewer pool and its review visits
(whose reports are notes of visit), termly monitoring returns, and the figures the pages and the
report read. Every page's figures come from grouped queries: their number does not grow with the
programme's schools, people, sessions or reviews."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from ..auth.models import ROLES, Role, User
from ..casework.models import NoteOfVisit
from ..core.audit import record_audit
from ..core.errors import DomainError
from ..core.limits import LONG_TEXT, MEDIUM_TEXT, SHORT_TEXT, too_long
from ..core.models import utcnow
from ..core.terms import Term, format_date, format_days
from ..enhanced.services import parse_days
from ..extensions import db
from ..schools.models import School
from ..schools.services import record_school_event
from .models import (
    ATTENDANCE,
    LEVELS,
    QUESTION_KINDS,
    Attendance,
    BaselineLevel,
    MonitoringReturn,
    Participant,
    Programme,
    ProgrammeCriterion,
    ProgrammeSchool,
    ReturnAnswer,
    ReturnQuestion,
    ReviewAssignment,
    Reviewer,
    ReviewLevel,
    TrainingSession,
)

PROGRAMME_REVIEW_TYPE = "programme_review"
# Reviewers write up visits through the notes of visit: advisers and LA consultants can.
REVIEWER_ROLES = frozenset({Role.ADMIN, Role.SIA, Role.LINK_ADVISER, Role.CONSULTANT})
MAX_CRITERIA = 20
MAX_QUESTIONS = 30
MAX_PARTICIPANTS_PER_SCHOOL = 200
MAX_SCHOOLS = 500


def _text(value: str | None, *, field: str, what: str, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(f"Enter {what}", field=field)
    if len(value) > limit:
        raise DomainError(too_long(what[0].upper() + what[1:], limit), field=field)
    return value


def _level(value: Any, *, field: str, required: bool = True) -> int | None:
    text = str(value or "").strip()
    if not text:
        if required:
            raise DomainError("Choose a level", field=field)
        return None
    if text not in {str(n) for n in LEVELS}:
        raise DomainError("Choose one of the levels", field=field)
    return int(text)


# --- programmes, criteria and questions ------------------------------------------------------------

def create_programme(actor: User, *, name: str, aims: str, funder: str, participant_title: str,
                     starts_on: date | None, ends_on: date | None) -> Programme:
    """Set up a programme: its name, aims, funder, who takes part and when it runs."""
    name = _text(name, field="name", what="the programme's name", limit=SHORT_TEXT)
    if db.session.scalar(select(Programme.id).where(func.lower(Programme.name) == name.lower())) is not None:
        raise DomainError(f"There is already a programme called {name}: give this one another name", field="name")
    if starts_on is None:
        raise DomainError("Enter the date the programme starts", field="starts_on")
    if ends_on is None:
        raise DomainError("Enter the date the programme ends", field="ends_on")
    if ends_on < starts_on:
        raise DomainError("The programme must end on or after the day it starts", field="ends_on")
    programme = Programme(
        name=name, aims=_text(aims, field="aims", what="the programme's aims", limit=LONG_TEXT),
        funder=_text(funder, field="funder", what="the funder", limit=SHORT_TEXT, required=False),
        participant_title=_text(participant_title, field="participant_title", what="who takes part at each school",
                                limit=SHORT_TEXT),
        starts_on=starts_on, ends_on=ends_on, created_by_id=actor.id)
    db.session.add(programme)
    db.session.flush()
    record_audit(actor, "programme.create", "programme", programme.id,
                 after={"name": name, "starts_on": starts_on, "ends_on": ends_on})
    return programme


def add_criterion(actor: User, programme: Programme, *, text: str) -> ProgrammeCriterion:
    """Add one of the criteria each school is judged on at its baseline and at each review."""
    if len(programme.criteria) >= MAX_CRITERIA:
        raise DomainError(f"A programme can have up to {MAX_CRITERIA} criteria", field="text")
    criterion = ProgrammeCriterion(programme_id=programme.id, position=len(programme.criteria) + 1,
                                   text=_text(text, field="text", what="the criterion", limit=MEDIUM_TEXT))
    programme.criteria.append(criterion)
    db.session.flush()
    record_audit(actor, "programme.criterion", "programme", programme.id, after={"criterion": criterion.text})
    return criterion


def add_question(actor: User, programme: Programme, *, text: str, hint: str, kind: str) -> ReturnQuestion:
    """Add a question to the programme's termly monitoring return."""
    if kind not in QUESTION_KINDS:
        raise DomainError("Choose how the question is answered", field="kind")
    if len(programme.questions) >= MAX_QUESTIONS:
        raise DomainError(f"A return can have up to {MAX_QUESTIONS} questions", field="text")
    question = ReturnQuestion(programme_id=programme.id, position=len(programme.questions) + 1, kind=kind,
                              text=_text(text, field="text", what="the question", limit=MEDIUM_TEXT),
                              hint=_text(hint, field="hint", what="the hint", limit=MEDIUM_TEXT, required=False))
    programme.questions.append(question)
    db.session.flush()
    record_audit(actor, "programme.question", "programme", programme.id, after={"question": question.text})
    return question


def load_programme(programme_id: int) -> Programme | None:
    return db.session.scalars(select(Programme).where(Programme.id == programme_id)
                              .options(selectinload(Programme.criteria), selectinload(Programme.questions))).first()


@dataclass
class ProgrammeLine:
    programme: Programme
    schools: int
    participants: int
    sessions: int


def programme_lines() -> list[ProgrammeLine]:
    """Every programme, latest first, with its counts of schools, participants and sessions. Four queries."""
    programmes = list(db.session.scalars(select(Programme).order_by(Programme.starts_on.desc(), Programme.id)))
    ids = [p.id for p in programmes]

    def counts(model: Any) -> dict[int, int]:
        if not ids:
            return {}
        return dict(db.session.execute(select(model.programme_id, func.count()).where(model.programme_id.in_(ids))
                                       .group_by(model.programme_id)).all())

    schools, people, sessions = counts(ProgrammeSchool), counts(Participant), counts(TrainingSession)
    return [ProgrammeLine(p, schools.get(p.id, 0), people.get(p.id, 0), sessions.get(p.id, 0)) for p in programmes]


# --- schools and participants ----------------------------------------------------------------------

def enrol_school(actor: User, programme: Programme, *, urn: str | None) -> ProgrammeSchool:
    """Enrol a school on the programme, by URN."""
    text = (urn or "").strip()
    if not text:
        raise DomainError("Enter the school's URN", field="urn")
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        raise DomainError("Enter the URN as a number, like 100001", field="urn")
    school = db.session.scalar(select(School).where(School.urn == int(text)))
    if school is None:
        raise DomainError(f"No school has the URN {text}: check it in the school register", field="urn")
    if school.status == "Closed":
        raise DomainError(f"{school.name} is closed", field="urn")
    if db.session.scalar(select(ProgrammeSchool.id).where(ProgrammeSchool.programme_id == programme.id,
                                                          ProgrammeSchool.school_id == school.id)) is not None:
        raise DomainError(f"{school.name} is already enrolled on {programme.name}", field="urn")
    if (db.session.scalar(select(func.count()).where(ProgrammeSchool.programme_id == programme.id)) or 0) >= MAX_SCHOOLS:
        raise DomainError(f"A programme can enrol up to {MAX_SCHOOLS} schools", field="urn")
    enrolment = ProgrammeSchool(programme_id=programme.id, school_id=school.id, enrolled_on=date.today(),
                                status="enrolled")
    db.session.add(enrolment)
    db.session.flush()
    record_audit(actor, "programme.enrol", "programme", programme.id, school_id=school.id)
    record_school_event(school, "programme", f"Enrolled on the programme {programme.name}", actor, audience="school")
    return enrolment


def add_participants(actor: User, enrolment: ProgrammeSchool, *, names: str, job_title: str) -> list[Participant]:
    """Add the school's participants, one name a line, all with the same job title."""
    lines = [line.strip() for line in (names or "").splitlines() if line.strip()]
    if not lines:
        raise DomainError("Enter the participants' names, one a line", field="names")
    for line in lines:
        if len(line) > SHORT_TEXT:
            raise DomainError(too_long(f"The name starting \"{line[:20]}\"", SHORT_TEXT), field="names")
    title = _text(job_title, field="job_title", what="their job title", limit=SHORT_TEXT, required=False)
    have = db.session.scalar(select(func.count()).where(Participant.enrolment_id == enrolment.id)) or 0
    if have + len(lines) > MAX_PARTICIPANTS_PER_SCHOOL:
        raise DomainError(f"A school can have up to {MAX_PARTICIPANTS_PER_SCHOOL} participants; it has {have}",
                          field="names")
    people = [Participant(programme_id=enrolment.programme_id, enrolment_id=enrolment.id, name=line, job_title=title)
              for line in lines]
    db.session.add_all(people)
    db.session.flush()
    record_audit(actor, "programme.participants", "programme", enrolment.programme_id, school_id=enrolment.school_id,
                 after={"added": len(people)})
    return people


def remove_participant(actor: User, participant: Participant) -> None:
    """Take a participant off (someone who left the school); their attendance goes with them."""
    record_audit(actor, "programme.participant_removed", "programme", participant.programme_id,
                 school_id=participant.enrolment.school_id, before={"name": participant.name})
    db.session.delete(participant)
    db.session.flush()


def participants_of(enrolment_id: int) -> list[Participant]:
    return list(db.session.scalars(select(Participant).where(Participant.enrolment_id == enrolment_id)
                                   .order_by(Participant.name, Participant.id)))


def load_enrolment(enrolment_id: int) -> ProgrammeSchool | None:
    return db.session.scalars(select(ProgrammeSchool).where(ProgrammeSchool.id == enrolment_id)
                              .options(selectinload(ProgrammeSchool.programme).selectinload(Programme.criteria),
                                       selectinload(ProgrammeSchool.programme).selectinload(Programme.questions))
                              ).first()


def school_choices(programme: Programme) -> list[tuple[str, str]]:
    """The programme's enrolled schools as a form's choices (enrolment id, name). One query."""
    return [(str(eid), name) for eid, name in db.session.execute(
        select(ProgrammeSchool.id, School.name).join(School, School.id == ProgrammeSchool.school_id)
        .where(ProgrammeSchool.programme_id == programme.id, ProgrammeSchool.status == "enrolled")
        .order_by(School.name))]


def enrolments_of_school(school_id: int) -> list[ProgrammeSchool]:
    return list(db.session.scalars(select(ProgrammeSchool).where(ProgrammeSchool.school_id == school_id)
                                   .options(selectinload(ProgrammeSchool.programme))
                                   .order_by(ProgrammeSchool.enrolled_on.desc())))


# --- baselines and progress ------------------------------------------------------------------------

def record_baseline(actor: User, enrolment: ProgrammeSchool, *, levels: dict[int, Any], summary: str,
                    baseline_on: date | None) -> ProgrammeSchool:
    """Record (or correct) the school's baseline: its level on each criterion when it joined."""
    criteria = enrolment.programme.criteria
    if not criteria:
        raise DomainError("Add the programme's criteria before recording a baseline")
    if baseline_on is None:
        raise DomainError("Enter the date of the baseline", field="baseline_on")
    if baseline_on > date.today():
        raise DomainError("The baseline date cannot be in the future", field="baseline_on")
    chosen = {c.id: _level(levels.get(c.id), field=f"level-{c.id}") for c in criteria}
    enrolment.baseline_summary = _text(summary, field="baseline_summary", what="the baseline summary",
                                       limit=LONG_TEXT, required=False)
    first = enrolment.baseline_on is None
    enrolment.baseline_on = baseline_on
    existing = {b.criterion_id: b for b in db.session.scalars(
        select(BaselineLevel).where(BaselineLevel.enrolment_id == enrolment.id))}
    for criterion_id, level in chosen.items():
        if criterion_id in existing:
            existing[criterion_id].level = level  # type: ignore[assignment]  # required: never None
        else:
            db.session.add(BaselineLevel(enrolment_id=enrolment.id, criterion_id=criterion_id, level=level))
    db.session.flush()
    record_audit(actor, "programme.baseline", "programme", enrolment.programme_id, school_id=enrolment.school_id,
                 after={"levels": {str(k): v for k, v in chosen.items()}, "baseline_on": baseline_on})
    if first:
        record_school_event(enrolment.school, "programme",
                            f"Baseline recorded for the programme {enrolment.programme.name}", actor, audience="school")
    return enrolment


@dataclass
class Progress:
    """A school's baseline and latest reviewed level on each criterion (criterion id -> level)."""

    baseline: dict[int, int] = field(default_factory=dict)
    latest: dict[int, int] = field(default_factory=dict)
    latest_on: date | None = None

    @staticmethod
    def _mean(values: Any) -> float | None:
        values = list(values)
        return sum(values) / len(values) if values else None

    @property
    def baseline_mean(self) -> float | None:
        return self._mean(self.baseline.values())

    @property
    def latest_mean(self) -> float | None:
        return self._mean(self.latest.values())


def progress_by_enrolment(programme_id: int, enrolment_ids: list[int] | None = None) -> dict[int, Progress]:
    """Each school's baseline and latest reviewed level per criterion. Two queries."""
    progress: dict[int, Progress] = defaultdict(Progress)
    base = select(BaselineLevel.enrolment_id, BaselineLevel.criterion_id, BaselineLevel.level).join(
        ProgrammeSchool, ProgrammeSchool.id == BaselineLevel.enrolment_id).where(
        ProgrammeSchool.programme_id == programme_id)
    reviews = (select(ReviewAssignment.enrolment_id, ReviewAssignment.visit_on, ReviewAssignment.id,
                      ReviewLevel.criterion_id, ReviewLevel.level)
               .join(ReviewAssignment, ReviewAssignment.id == ReviewLevel.assignment_id)
               .where(ReviewAssignment.programme_id == programme_id)
               .order_by(ReviewAssignment.visit_on, ReviewAssignment.id))
    if enrolment_ids is not None:
        base = base.where(BaselineLevel.enrolment_id.in_(enrolment_ids))
        reviews = reviews.where(ReviewAssignment.enrolment_id.in_(enrolment_ids))
    for enrolment_id, criterion_id, level in db.session.execute(base):
        progress[enrolment_id].baseline[criterion_id] = level
    for enrolment_id, visit_on, _id, criterion_id, level in db.session.execute(reviews):
        line = progress[enrolment_id]
        line.latest[criterion_id] = level  # in visit order: the last one read is the latest
        line.latest_on = visit_on
    return progress


@dataclass
class CriterionProgress:
    criterion: ProgrammeCriterion
    baseline: float | None
    latest: float | None
    schools: int  # schools with both a baseline and a reviewed level


def progress_by_criterion(programme: Programme, progress: dict[int, Progress]) -> list[CriterionProgress]:
    """Across the schools that have both: the mean baseline and latest level on each criterion."""
    lines = []
    for criterion in programme.criteria:
        pairs = [(p.baseline[criterion.id], p.latest[criterion.id]) for p in progress.values()
                 if criterion.id in p.baseline and criterion.id in p.latest]
        lines.append(CriterionProgress(
            criterion, sum(b for b, _ in pairs) / len(pairs) if pairs else None,
            sum(latest for _, latest in pairs) / len(pairs) if pairs else None, len(pairs)))
    return lines


@dataclass
class SchoolLine:
    enrolment: ProgrammeSchool
    participants: int
    reviews_done: int
    progress: Progress
    return_status: str | None  # this term's return: None, "draft" or "submitted"


def school_lines(programme: Programme, term: Term | None = None) -> list[SchoolLine]:
    """The programme's schools by name, with their participants, reviews done, progress and this
    term's return. Six queries, however many schools."""
    term = term or current_return_term(programme)
    enrolments = list(db.session.scalars(
        select(ProgrammeSchool).join(School, School.id == ProgrammeSchool.school_id)
        .where(ProgrammeSchool.programme_id == programme.id).order_by(School.name, ProgrammeSchool.id)))
    people = dict(db.session.execute(
        select(Participant.enrolment_id, func.count()).where(Participant.programme_id == programme.id)
        .group_by(Participant.enrolment_id)).all())
    done = dict(db.session.execute(
        select(ReviewAssignment.enrolment_id, func.count())
        .join(NoteOfVisit, NoteOfVisit.programme_assignment_id == ReviewAssignment.id)
        .where(ReviewAssignment.programme_id == programme.id, NoteOfVisit.status != "planned")
        .group_by(ReviewAssignment.enrolment_id)).all())
    returns = dict(db.session.execute(
        select(MonitoringReturn.enrolment_id, MonitoringReturn.status)
        .where(MonitoringReturn.programme_id == programme.id, MonitoringReturn.term == term.slug)).all())
    progress = progress_by_enrolment(programme.id)
    return [SchoolLine(e, people.get(e.id, 0), done.get(e.id, 0), progress.get(e.id, Progress()), returns.get(e.id))
            for e in enrolments]


# --- training sessions and attendance --------------------------------------------------------------

def create_session(actor: User, programme: Programme, *, title: str, held_on: date | None, venue: str,
                   mandatory: bool) -> TrainingSession:
    """Add a training session to the programme (mandatory ones have their absences followed up)."""
    if held_on is None:
        raise DomainError("Enter the date of the session", field="held_on")
    session = TrainingSession(programme_id=programme.id, held_on=held_on, mandatory=mandatory,
                              title=_text(title, field="title", what="the session's title", limit=SHORT_TEXT),
                              venue=_text(venue, field="venue", what="the venue", limit=SHORT_TEXT, required=False))
    db.session.add(session)
    db.session.flush()
    record_audit(actor, "programme.session", "programme", programme.id,
                 after={"title": session.title, "held_on": held_on, "mandatory": mandatory})
    return session


@dataclass
class SessionLine:
    session: TrainingSession
    counts: Counter[str]

    @property
    def recorded(self) -> int:
        return sum(self.counts.values())


def session_lines(programme: Programme) -> list[SessionLine]:
    """The programme's sessions by date, with how many were present, absent or sent apologies. Two queries."""
    sessions = list(db.session.scalars(select(TrainingSession).where(TrainingSession.programme_id == programme.id)
                                       .order_by(TrainingSession.held_on, TrainingSession.id)))
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for session_id, status, n in db.session.execute(
            select(Attendance.session_id, Attendance.status, func.count())
            .where(Attendance.programme_id == programme.id).group_by(Attendance.session_id, Attendance.status)):
        counts[session_id][status] = n
    return [SessionLine(s, counts[s.id]) for s in sessions]


@dataclass
class AttendanceRow:
    participant: Participant
    school_name: str
    status: str  # "" for not recorded


def attendance_rows(session: TrainingSession, enrolment_id: int | None = None) -> list[AttendanceRow]:
    """The programme's participants (of one school, if given) with what is recorded for the session. One query."""
    query = (select(Participant, School.name, Attendance.status)
             .join(ProgrammeSchool, ProgrammeSchool.id == Participant.enrolment_id)
             .join(School, School.id == ProgrammeSchool.school_id)
             .outerjoin(Attendance, (Attendance.participant_id == Participant.id)
                        & (Attendance.session_id == session.id))
             .where(Participant.programme_id == session.programme_id)
             .order_by(School.name, Participant.name, Participant.id))
    if enrolment_id is not None:
        query = query.where(Participant.enrolment_id == enrolment_id)
    return [AttendanceRow(p, name, status or "") for p, name, status in db.session.execute(query)]


def record_attendance(actor: User, session: TrainingSession, marks: dict[int, str]) -> int:
    """Record the attendance of many participants at once (participant id -> present, absent,
    apologies, or "" for not recorded). Returns how many were recorded. Three queries and the writes."""
    if not marks:
        raise DomainError("Choose present, absent or apologies for at least one participant")
    if any(status not in ATTENDANCE and status != "" for status in marks.values()):
        raise DomainError("Choose present, absent or apologies for each participant")
    if session.held_on > date.today():
        raise DomainError(f"The session is on {format_date(session.held_on)}: record attendance on the day or after")
    known = set(db.session.scalars(select(Participant.id).where(Participant.programme_id == session.programme_id,
                                                                Participant.id.in_(list(marks)))))
    if known != set(marks):
        raise DomainError("Some of those people are not on this programme: reload the page and try again")
    existing = {a.participant_id: a for a in db.session.scalars(
        select(Attendance).where(Attendance.session_id == session.id, Attendance.participant_id.in_(list(marks))))}
    changed = 0
    for participant_id, status in marks.items():
        row = existing.get(participant_id)
        if not status:
            if row is not None:
                db.session.delete(row)
                changed += 1
        elif row is None:
            db.session.add(Attendance(session_id=session.id, participant_id=participant_id,
                                      programme_id=session.programme_id, status=status, recorded_by_id=actor.id))
            changed += 1
        elif row.status != status:
            row.status = status
            row.recorded_by_id = actor.id
            if status == "present":  # nothing to follow up any more
                row.follow_up, row.followed_up_at = "", None
            changed += 1
    db.session.flush()
    record_audit(actor, "programme.attendance", "programme_session", session.id, after={"changed": changed})
    return sum(1 for status in marks.values() if status)


@dataclass
class Absence:
    session: TrainingSession
    participant: Participant
    school_name: str
    urn: int
    status: str


def absences_to_follow_up(programme: Programme, *, limit: int = 500) -> tuple[list[Absence], int]:
    """Absences from the programme's mandatory sessions not yet followed up, by school, and how
    many there are in all. Two queries."""
    where = (Attendance.programme_id == programme.id, Attendance.status != "present",
             Attendance.followed_up_at.is_(None), TrainingSession.mandatory.is_(True))
    total = db.session.scalar(select(func.count()).select_from(Attendance)
                              .join(TrainingSession, TrainingSession.id == Attendance.session_id).where(*where)) or 0
    rows = db.session.execute(
        select(TrainingSession, Participant, School.name, School.urn, Attendance.status)
        .select_from(Attendance)
        .join(TrainingSession, TrainingSession.id == Attendance.session_id)
        .join(Participant, Participant.id == Attendance.participant_id)
        .join(ProgrammeSchool, ProgrammeSchool.id == Participant.enrolment_id)
        .join(School, School.id == ProgrammeSchool.school_id)
        .where(*where).order_by(School.name, Participant.name, TrainingSession.held_on).limit(limit))
    return [Absence(s, p, name, urn, status) for s, p, name, urn, status in rows], total


def follow_up_absence(actor: User, session: TrainingSession, participant: Participant, *, note: str) -> Attendance:
    """Record how an absence from a mandatory session was followed up (a mop-up session booked, the school told)."""
    row = db.session.get(Attendance, (session.id, participant.id))
    if row is None or row.status == "present":
        raise DomainError(f"{participant.name} is not recorded as absent from {session.title}")
    if row.followed_up_at is not None:
        raise DomainError(f"{participant.name}'s absence has already been followed up")
    row.follow_up = _text(note, field="note", what="how the absence was followed up", limit=MEDIUM_TEXT)
    row.followed_up_at = utcnow()
    db.session.flush()
    record_audit(actor, "programme.absence_followed_up", "programme_session", session.id,
                 school_id=participant.enrolment.school_id, after={"participant": participant.id, "note": row.follow_up})
    return row


# --- the reviewer pool and review visits -----------------------------------------------------------

def reviewer_candidates() -> list[tuple[int, str]]:
    """Staff who may join a reviewer pool (they write up visits as notes of visit), by name: each
    as (id, "Name (role)"), read as plain columns, for an authority's hundreds of staff."""
    rows = db.session.execute(select(User.id, User.name, User.role)
                              .where(User.role.in_(list(REVIEWER_ROLES)), User.is_disabled.is_(False))
                              .order_by(User.name, User.id))
    return [(user_id, f"{name} ({ROLES.get(role, role)})") for user_id, name, role in rows]


def add_reviewer(actor: User, programme: Programme, *, user_id: int | None, capacity_days: Any) -> Reviewer:
    """Add someone to the programme's reviewer pool with the days they can give it."""
    user = db.session.get(User, user_id) if user_id else None
    if user is None or user.role not in REVIEWER_ROLES or user.is_disabled:
        raise DomainError("Choose a reviewer from the list", field="user_id")
    if db.session.scalar(select(Reviewer.id).where(Reviewer.programme_id == programme.id,
                                                   Reviewer.user_id == user.id)) is not None:
        raise DomainError(f"{user.name} is already in the reviewer pool", field="user_id")
    reviewer = Reviewer(programme_id=programme.id, user_id=user.id,
                        capacity_days=parse_days(capacity_days, field="capacity_days", what="days available",
                                                 most=Decimal(366)))
    db.session.add(reviewer)
    db.session.flush()
    record_audit(actor, "programme.reviewer", "programme", programme.id,
                 after={"reviewer": user.id, "capacity_days": reviewer.capacity_days})
    return reviewer


@dataclass
class ReviewerLine:
    reviewer: Reviewer
    assigned: Decimal
    used: Decimal
    visits: int

    @property
    def left(self) -> Decimal:
        return self.reviewer.capacity_days - self.assigned


def reviewer_lines(programme: Programme) -> list[ReviewerLine]:
    """The pool by name, with the days assigned, the days used (visits written up) and the visits. Two queries."""
    reviewers = list(db.session.scalars(select(Reviewer).join(User, User.id == Reviewer.user_id)
                                        .where(Reviewer.programme_id == programme.id).order_by(User.name, Reviewer.id)))
    written = case((NoteOfVisit.status.is_not(None) & (NoteOfVisit.status != "planned"), ReviewAssignment.days),
                   else_=0)
    sums = {rid: (Decimal(a or 0), Decimal(u or 0), n) for rid, a, u, n in db.session.execute(
        select(ReviewAssignment.reviewer_id, func.sum(ReviewAssignment.days), func.sum(written), func.count())
        .outerjoin(NoteOfVisit, NoteOfVisit.programme_assignment_id == ReviewAssignment.id)
        .where(ReviewAssignment.programme_id == programme.id).group_by(ReviewAssignment.reviewer_id))}
    return [ReviewerLine(r, *sums.get(r.id, (Decimal(0), Decimal(0), 0))) for r in reviewers]


def assign_review(actor: User, programme: Programme, *, reviewer_id: int | None, enrolment_id: int | None,
                  visit_on: date | None, days: Any) -> ReviewAssignment:
    """Assign a review visit to a school to a reviewer of the pool, within the days they have left."""
    reviewer = db.session.get(Reviewer, reviewer_id) if reviewer_id else None
    if reviewer is None or reviewer.programme_id != programme.id:
        raise DomainError("Choose a reviewer from the pool", field="reviewer_id")
    enrolment = db.session.get(ProgrammeSchool, enrolment_id) if enrolment_id else None
    if enrolment is None or enrolment.programme_id != programme.id:
        raise DomainError("Choose one of the programme's schools", field="enrolment_id")
    if enrolment.status != "enrolled":
        raise DomainError(f"{enrolment.school.name} has withdrawn from the programme", field="enrolment_id")
    if visit_on is None:
        raise DomainError("Enter the date of the visit", field="visit_on")
    if not programme.starts_on <= visit_on <= programme.ends_on:
        raise DomainError(f"The visit must fall within the programme, {format_date(programme.starts_on)} to "
                          f"{format_date(programme.ends_on)}", field="visit_on")
    days_needed = parse_days(days, field="days", what="days for the visit", most=Decimal(5))
    assigned = db.session.scalar(select(func.coalesce(func.sum(ReviewAssignment.days), 0))
                                 .where(ReviewAssignment.reviewer_id == reviewer.id)) or 0
    left = reviewer.capacity_days - Decimal(assigned)
    if days_needed > left:
        raise DomainError(f"{reviewer.user.name} has {format_days(left) or '0'} of their "
                          f"{format_days(reviewer.capacity_days)} days left: choose another reviewer, or fewer days",
                          field="days")
    assignment = ReviewAssignment(programme_id=programme.id, enrolment_id=enrolment.id, reviewer_id=reviewer.id,
                                  visit_on=visit_on, days=days_needed)
    db.session.add(assignment)
    db.session.flush()
    record_audit(actor, "programme.assign_review", "programme", programme.id, school_id=enrolment.school_id,
                 after={"reviewer": reviewer.user_id, "visit_on": visit_on, "days": days_needed})
    record_school_event(enrolment.school, "programme", f"Review visit for {programme.name} arranged for "
                        f"{format_date(visit_on)}", actor, audience="school")
    return assignment


@dataclass
class AssignmentLine:
    id: int
    visit_on: date
    days: Decimal
    school_name: str
    urn: int
    reviewer_name: str
    note_id: int | None
    note_status: str | None


def assignment_lines(programme: Programme, *, enrolment_id: int | None = None, limit: int = 100) -> list[AssignmentLine]:
    """The programme's review visits, latest first, with their reports' state: plain columns, one query."""
    query = (select(ReviewAssignment.id, ReviewAssignment.visit_on, ReviewAssignment.days, School.name, School.urn,
                    User.name, NoteOfVisit.id, NoteOfVisit.status)
             .join(ProgrammeSchool, ProgrammeSchool.id == ReviewAssignment.enrolment_id)
             .join(School, School.id == ProgrammeSchool.school_id)
             .join(Reviewer, Reviewer.id == ReviewAssignment.reviewer_id)
             .join(User, User.id == Reviewer.user_id)
             .outerjoin(NoteOfVisit, NoteOfVisit.programme_assignment_id == ReviewAssignment.id)
             .where(ReviewAssignment.programme_id == programme.id)
             .order_by(ReviewAssignment.visit_on.desc(), ReviewAssignment.id.desc()).limit(limit))
    if enrolment_id is not None:
        query = query.where(ReviewAssignment.enrolment_id == enrolment_id)
    return [AssignmentLine(*row) for row in db.session.execute(query)]


def review_report(assignment: ReviewAssignment) -> NoteOfVisit | None:
    return db.session.scalar(select(NoteOfVisit).where(NoteOfVisit.programme_assignment_id == assignment.id))


def review_levels(assignment: ReviewAssignment) -> dict[int, int]:
    return dict(db.session.execute(select(ReviewLevel.criterion_id, ReviewLevel.level)
                                   .where(ReviewLevel.assignment_id == assignment.id)).all())


def baseline_levels(enrolment_id: int) -> dict[int, int]:
    return dict(db.session.execute(select(BaselineLevel.criterion_id, BaselineLevel.level)
                                   .where(BaselineLevel.enrolment_id == enrolment_id)).all())


def record_review_levels(actor: User, assignment: ReviewAssignment, *, levels: dict[int, Any]) -> ReviewAssignment:
    """Record the level the visit found on each criterion, read against the school's baseline."""
    enrolment = assignment.enrolment
    if enrolment.baseline_on is None:
        raise DomainError(f"{enrolment.school.name} has no baseline yet: record it first, so that progress "
                          "can be read against it")
    if assignment.visit_on > date.today():
        raise DomainError(f"The visit is on {format_date(assignment.visit_on)}: record what it found on the day or after")
    criteria = db.session.scalars(select(ProgrammeCriterion).where(
        ProgrammeCriterion.programme_id == assignment.programme_id)).all()
    chosen = {c.id: _level(levels.get(c.id), field=f"level-{c.id}") for c in criteria}
    existing = {r.criterion_id: r for r in db.session.scalars(
        select(ReviewLevel).where(ReviewLevel.assignment_id == assignment.id))}
    for criterion_id, level in chosen.items():
        if criterion_id in existing:
            existing[criterion_id].level = level  # type: ignore[assignment]  # required: never None
        else:
            db.session.add(ReviewLevel(assignment_id=assignment.id, criterion_id=criterion_id, level=level))
    db.session.flush()
    record_audit(actor, "programme.review_levels", "programme", assignment.programme_id,
                 school_id=enrolment.school_id, after={"assignment": assignment.id,
                                                       "levels": {str(k): v for k, v in chosen.items()}})
    return assignment


def start_review_report(actor: User, assignment: ReviewAssignment) -> NoteOfVisit:
    """Open the visit's report: a note of visit by the reviewer, of the programme review type, that
    the reviewer writes up, sends for the factual-accuracy check and finalises as any other."""
    if review_report(assignment) is not None:
        raise DomainError("This visit already has its report: open it from the visit's page")
    enrolment = assignment.enrolment
    programme = db.session.get(Programme, assignment.programme_id)
    assert programme is not None
    note = NoteOfVisit(school_id=enrolment.school_id, adviser_id=assignment.reviewer.user_id, status="planned",
                       visit_date=assignment.visit_on, visit_type_code=PROGRAMME_REVIEW_TYPE,
                       purpose=f"{programme.name}: review visit, progress against the school's baseline of "
                               f"{format_date(enrolment.baseline_on) or 'its enrolment'}",
                       support_aspects=["support4success"], programme_assignment_id=assignment.id)
    db.session.add(note)
    db.session.flush()
    record_audit(actor, "visit.plan", "note_of_visit", note.id, school_id=enrolment.school_id,
                 after={"visit_date": assignment.visit_on, "programme_assignment": assignment.id})
    return note


def assignment_of_note(note: NoteOfVisit) -> ReviewAssignment | None:
    if note.programme_assignment_id is None:
        return None
    return db.session.get(ReviewAssignment, note.programme_assignment_id)


# --- termly monitoring returns ---------------------------------------------------------------------

def return_terms(programme: Programme) -> list[Term]:
    """The terms the programme runs in: one return per school for each."""
    first, last = Term.current(programme.starts_on), Term.current(programme.ends_on)
    terms = [first]
    while terms[-1] < last and len(terms) < 30:
        terms.append(terms[-1].next())
    return terms


def current_return_term(programme: Programme, today: date | None = None) -> Term:
    """This term's return, or the nearest term the programme runs in."""
    terms = return_terms(programme)
    now = Term.current(today)
    if now < terms[0]:
        return terms[0]
    return now if now in terms else terms[-1]


def term_of(programme: Programme, slug: str) -> Term | None:
    try:
        term = Term.parse(slug)
    except ValueError:
        return None
    return term if term in return_terms(programme) else None


def find_return(enrolment: ProgrammeSchool, term: Term) -> MonitoringReturn | None:
    return db.session.scalars(select(MonitoringReturn).where(MonitoringReturn.enrolment_id == enrolment.id,
                                                             MonitoringReturn.term == term.slug)
                              .options(selectinload(MonitoringReturn.answers))).first()


def save_return(actor: User, enrolment: ProgrammeSchool, term: Term, *, answers: dict[int, Any],
                submit: bool) -> MonitoringReturn:
    """Save the school's return for the term as typed; on submitting, every question must be answered."""
    programme = enrolment.programme
    if not programme.questions:
        raise DomainError("The programme has no questions for its return yet")
    found = find_return(enrolment, term)
    if found is not None and found.status == "submitted":
        raise DomainError(f"The return for {term.label} was submitted: ask the programme team to change it")
    values: dict[int, tuple[str, int | None]] = {}
    missing = []
    for question in programme.questions:
        name = f"answer-{question.id}"
        if question.kind == "level":
            level = _level(answers.get(question.id), field=name, required=False)
            values[question.id] = ("", level)
            if level is None:
                missing.append(question)
        else:
            text = _text(answers.get(question.id), field=name, what="the answer", limit=LONG_TEXT, required=False)
            values[question.id] = (text, None)
            if not text:
                missing.append(question)
    if submit and missing:
        first = missing[0]
        raise DomainError(f"Answer question {first.position} before submitting"
                          + (f" ({len(missing)} questions are unanswered)" if len(missing) > 1 else ""),
                          field=f"answer-{first.id}")
    ret = found or MonitoringReturn(programme_id=programme.id, enrolment_id=enrolment.id, term=term.slug)
    if found is None:
        db.session.add(ret)
        db.session.flush()
    by_question = {a.question_id: a for a in ret.answers}
    for question_id, (text, level) in values.items():
        answer = by_question.get(question_id)
        if answer is None:
            ret.answers.append(ReturnAnswer(question_id=question_id, answer=text, level=level))
        else:
            answer.answer, answer.level = text, level
    if submit:
        ret.status, ret.submitted_at, ret.submitted_by_id = "submitted", utcnow(), actor.id
    db.session.flush()
    record_audit(actor, "programme.return_submit" if submit else "programme.return_save", "programme_return", ret.id,
                 school_id=enrolment.school_id, after={"term": term.slug})
    if submit:
        record_school_event(enrolment.school, "programme", f"Monitoring return for {programme.name}, {term.label}, "
                            "submitted", actor, audience="school")
    return ret


@dataclass
class QuestionSummary:
    question: ReturnQuestion
    levels: Counter[int]
    answers: list[tuple[str, str]]  # (school name, answer), for written answers


@dataclass
class ReturnsSummary:
    term: Term
    schools: int
    submitted: int
    started: int
    questions: list[QuestionSummary]
    not_submitted: list[tuple[str, int, int]]  # (school name, URN, enrolment id)


def returns_summary(programme: Programme, term: Term, *, answers_limit: int = 200) -> ReturnsSummary:
    """The term's returns across the schools: who has submitted, the levels given to each level
    question, and the written answers. Three queries."""
    statuses = db.session.execute(
        select(ProgrammeSchool.id, School.name, School.urn, MonitoringReturn.status)
        .join(School, School.id == ProgrammeSchool.school_id)
        .outerjoin(MonitoringReturn, (MonitoringReturn.enrolment_id == ProgrammeSchool.id)
                   & (MonitoringReturn.term == term.slug))
        .where(ProgrammeSchool.programme_id == programme.id, ProgrammeSchool.status == "enrolled")
        .order_by(School.name)).all()
    summaries = {q.id: QuestionSummary(q, Counter(), []) for q in programme.questions}
    for question_id, level, n in db.session.execute(
            select(ReturnAnswer.question_id, ReturnAnswer.level, func.count())
            .join(MonitoringReturn, MonitoringReturn.id == ReturnAnswer.return_id)
            .where(MonitoringReturn.programme_id == programme.id, MonitoringReturn.term == term.slug,
                   MonitoringReturn.status == "submitted", ReturnAnswer.level.is_not(None))
            .group_by(ReturnAnswer.question_id, ReturnAnswer.level)):
        if question_id in summaries and level is not None:
            summaries[question_id].levels[level] = n
    for question_id, name, answer in db.session.execute(
            select(ReturnAnswer.question_id, School.name, ReturnAnswer.answer)
            .join(MonitoringReturn, MonitoringReturn.id == ReturnAnswer.return_id)
            .join(ProgrammeSchool, ProgrammeSchool.id == MonitoringReturn.enrolment_id)
            .join(School, School.id == ProgrammeSchool.school_id)
            .where(MonitoringReturn.programme_id == programme.id, MonitoringReturn.term == term.slug,
                   MonitoringReturn.status == "submitted", ReturnAnswer.answer != "")
            .order_by(School.name).limit(answers_limit * max(len(summaries), 1))):
        if question_id in summaries and len(summaries[question_id].answers) < answers_limit:
            summaries[question_id].answers.append((name, answer))
    return ReturnsSummary(
        term, len(statuses), sum(1 for *_, s in statuses if s == "submitted"),
        sum(1 for *_, s in statuses if s == "draft"), [summaries[q.id] for q in programme.questions],
        [(name, urn, eid) for eid, name, urn, s in statuses if s != "submitted"])


# --- the whole programme in figures (its page and its report) --------------------------------------

@dataclass
class Figures:
    schools: int
    participants: int
    sessions: int
    mandatory_sessions: int
    attendance: Counter[str]
    mandatory_attendance: Counter[str]
    absences_open: int
    capacity: Decimal
    assigned: Decimal
    used: Decimal
    reviews_done: int

    @staticmethod
    def rate(counts: Counter[str]) -> int | None:
        total = sum(counts.values())
        return round(100 * counts["present"] / total) if total else None


def programme_figures(programme: Programme) -> Figures:
    """The programme's headline figures. Six queries."""
    pid = programme.id
    schools = db.session.scalar(select(func.count()).where(ProgrammeSchool.programme_id == pid,
                                                           ProgrammeSchool.status == "enrolled")) or 0
    people = db.session.scalar(select(func.count()).where(Participant.programme_id == pid)) or 0
    sessions, mandatory = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case((TrainingSession.mandatory.is_(True), 1), else_=0)), 0))
        .where(TrainingSession.programme_id == pid)).one()
    attendance: Counter[str] = Counter()
    mandatory_attendance: Counter[str] = Counter()
    absences = 0
    for status, is_mandatory, followed, n in db.session.execute(
            select(Attendance.status, TrainingSession.mandatory, Attendance.followed_up_at.is_not(None), func.count())
            .join(TrainingSession, TrainingSession.id == Attendance.session_id)
            .where(Attendance.programme_id == pid)
            .group_by(Attendance.status, TrainingSession.mandatory, Attendance.followed_up_at.is_not(None))):
        attendance[status] += n
        if is_mandatory:
            mandatory_attendance[status] += n
            if status != "present" and not followed:
                absences += n
    capacity = db.session.scalar(select(func.coalesce(func.sum(Reviewer.capacity_days), 0))
                                 .where(Reviewer.programme_id == pid)) or 0
    written = case((NoteOfVisit.status.is_not(None) & (NoteOfVisit.status != "planned"), 1), else_=0)
    assigned, used, done = db.session.execute(
        select(func.coalesce(func.sum(ReviewAssignment.days), 0),
               func.coalesce(func.sum(written * ReviewAssignment.days), 0), func.coalesce(func.sum(written), 0))
        .outerjoin(NoteOfVisit, NoteOfVisit.programme_assignment_id == ReviewAssignment.id)
        .where(ReviewAssignment.programme_id == pid)).one()
    return Figures(schools, people, sessions, int(mandatory or 0), attendance, mandatory_attendance, absences,
                   Decimal(capacity), Decimal(assigned), Decimal(used), int(done or 0))
