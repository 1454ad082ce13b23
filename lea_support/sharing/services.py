"""Sharing4Success: nominating good practice, the school's agreement, the directory, partnerships
between schools, and the four aspects of LA support counted across the authority."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, and_, case, cast, func, or_, select

from ..casework.models import SUPPORT_ASPECTS, NoteOfVisit
from ..core.audit import record_audit
from ..core.db import MAX_ID
from ..core.errors import DomainError
from ..core.limits import LONG_TEXT, MEDIUM_TEXT, SHORT_TEXT, too_long
from ..core.locking import AlreadyChanged, lock_for_update
from ..core.models import utcnow
from ..core.terms import academic_year_for, parse_academic_year
from ..extensions import db
from ..reviews.models import JointReview, ReviewFinding
from ..schools.models import School
from ..schools.services import record_school_event
from .models import THEMES, GoodPractice, Partnership

if TYPE_CHECKING:
    from ..auth.models import User

DIRECTORY_PAGE = 50
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _text(value: str | None, *, field: str, what: str, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(f"Enter {what}", field=field)
    if len(value) > limit:
        raise DomainError(too_long(what[0].upper() + what[1:], limit), field=field)
    return value


def _choice(value: str | None, choices: dict[str, str], *, field: str, what: str) -> str:
    if value not in choices:
        raise DomainError(f"Choose {what} from the list", field=field)
    return str(value)


# --- nominating and agreeing --------------------------------------------------------------------

def _nominate(actor: "User", school_id: int, *, title: str, summary: str, theme: str, aspect: str,
              **source: int) -> GoodPractice:
    entry = GoodPractice(
        school_id=school_id, nominated_by_id=actor.id, status="nominated",
        title=_text(title, field="title", what="a title", limit=SHORT_TEXT),
        summary=_text(summary, field="summary", what="what the practice is and why it works", limit=LONG_TEXT),
        theme=_choice(theme, THEMES, field="theme", what="a theme"),
        aspect=_choice(aspect, SUPPORT_ASPECTS, field="aspect", what="an aspect of LA support"), **source)
    db.session.add(entry)
    db.session.flush()
    record_audit(actor, "good_practice.nominate", "good_practice", entry.id, school_id=school_id,
                 after={"title": entry.title, "theme": entry.theme, "aspect": entry.aspect, **source})
    school = db.session.get(School, school_id)
    assert school is not None
    record_school_event(school, "good_practice", f"Good practice nominated for the directory: {entry.title}", actor,
                        audience="school")
    return entry


def nominate_from_note(actor: "User", note: NoteOfVisit, **data: Any) -> GoodPractice:
    """Nominate a strength seen on a visit for the directory; the school is asked to agree."""
    if note.status == "planned" or not note.strengths.strip():
        raise DomainError("Only a written-up note with strengths recorded can be the source of good practice")
    return _nominate(actor, note.school_id, note_id=note.id, **data)


def nominate_from_finding(actor: "User", finding: ReviewFinding, **data: Any) -> GoodPractice:
    """Nominate a review's "what works well" finding for the directory; the school is asked to agree."""
    if finding.kind != "works_well":
        raise DomainError("Only a \"what works well\" finding can be the source of good practice")
    return _nominate(actor, review_school_id(finding.review_id), finding_id=finding.id, **data)


def review_school_id(review_id: int) -> int:
    school_id = db.session.scalar(select(JointReview.school_id).where(JointReview.id == review_id))
    assert school_id is not None
    return int(school_id)


def agree_entry(actor: "User", entry: GoodPractice, *, contact_name: str, contact_email: str) -> GoodPractice:
    """The school agrees to share its practice, and says whom other schools should contact."""
    lock_for_update(entry)
    if entry.status == "agreed":
        raise AlreadyChanged("This practice has already been agreed: reload the page to see it")
    name = _text(contact_name, field="contact_name", what="the name of the person other schools should contact",
                 limit=SHORT_TEXT)
    email = _text(contact_email, field="contact_email", what="their email address", limit=SHORT_TEXT)
    if not _EMAIL.match(email):
        raise DomainError("Enter an email address in the correct format, like name@example.org", field="contact_email")
    entry.status, entry.contact_name, entry.contact_email = "agreed", name, email
    entry.decided_by_id, entry.decided_at, entry.decline_reason = actor.id, utcnow(), ""
    db.session.flush()
    record_audit(actor, "good_practice.agree", "good_practice", entry.id, school_id=entry.school_id,
                 after={"contact_name": name, "contact_email": email})
    record_school_event(entry.school, "good_practice", f"Good practice shared with other schools: {entry.title}",
                        actor, audience="school")
    return entry


def decline_entry(actor: "User", entry: GoodPractice, *, reason: str) -> GoodPractice:
    """The school would rather not share this practice (now): it stays out of the directory."""
    lock_for_update(entry)
    if entry.status != "nominated":
        raise AlreadyChanged(f"This practice is already {entry.status_name.lower()}: reload the page to see it")
    entry.status, entry.decided_by_id, entry.decided_at = "declined", actor.id, utcnow()
    entry.decline_reason = _text(reason, field="reason", what="a reason", limit=MEDIUM_TEXT, required=False)
    db.session.flush()
    record_audit(actor, "good_practice.decline", "good_practice", entry.id, school_id=entry.school_id,
                 after={"reason": entry.decline_reason})
    return entry


# --- the directory -----------------------------------------------------------------------------

@dataclass
class DirectoryFilters:
    theme: str = ""
    phase: str = ""
    aspect: str = ""
    page: int = 1


def directory(filters: DirectoryFilters) -> tuple[list[GoodPractice], int]:
    """Agreed entries matching the filters, newest first, a page at a time, and how many match."""
    query = select(GoodPractice).join(School, School.id == GoodPractice.school_id).where(GoodPractice.status == "agreed")
    if filters.theme:
        query = query.where(GoodPractice.theme == filters.theme)
    if filters.aspect:
        query = query.where(GoodPractice.aspect == filters.aspect)
    if filters.phase:
        query = query.where(School.phase == filters.phase)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    entries = list(db.session.scalars(query.order_by(GoodPractice.decided_at.desc(), GoodPractice.id.desc())
                                      .limit(DIRECTORY_PAGE).offset((max(filters.page, 1) - 1) * DIRECTORY_PAGE)))
    return entries, total


def phases() -> list[str]:
    """The phases of schools with agreed entries (for the directory's filter)."""
    return [p for p in db.session.scalars(
        select(School.phase).join(GoodPractice, GoodPractice.school_id == School.id)
        .where(GoodPractice.status == "agreed").distinct().order_by(School.phase)) if p]


def school_entries(school: School) -> list[GoodPractice]:
    return list(db.session.scalars(select(GoodPractice).where(GoodPractice.school_id == school.id)
                                   .order_by(GoodPractice.nominated_at.desc(), GoodPractice.id.desc())))


def school_partnerships(school: School) -> list[Partnership]:
    return list(db.session.scalars(
        select(Partnership).where(or_(Partnership.lead_school_id == school.id, Partnership.partner_school_id == school.id))
        .order_by(Partnership.starts_on.desc(), Partnership.id.desc())))


# --- partnerships ------------------------------------------------------------------------------

def _school_by_urn(urn: Any, *, field: str, what: str) -> School:
    text = str(urn or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10 or int(text) > MAX_ID:
        raise DomainError(f"Enter the URN of the {what}, like 100000", field=field)
    school = db.session.scalars(select(School).where(School.urn == int(text))).first()
    if school is None:
        raise DomainError(f"No school with URN {text} is on the register", field=field)
    return school


def create_partnership(actor: "User", *, lead_urn: Any, partner_urn: Any, purpose: str, aspect: str,
                       starts_on: date | None, ends_on: date | None) -> Partnership:
    """Record that a lead school supports a partner school for a purpose, from a date."""
    lead = _school_by_urn(lead_urn, field="lead_urn", what="lead school")
    partner = _school_by_urn(partner_urn, field="partner_urn", what="partner school")
    if lead.id == partner.id:
        raise DomainError("The lead and partner schools must be different schools", field="partner_urn")
    if starts_on is None:
        raise DomainError("Enter the date the partnership starts", field="starts_on")
    if ends_on is not None and ends_on < starts_on:
        raise DomainError("The partnership must end on or after the day it starts", field="ends_on")
    partnership = Partnership(lead_school_id=lead.id, partner_school_id=partner.id, starts_on=starts_on,
                              ends_on=ends_on, created_by_id=actor.id,
                              purpose=_text(purpose, field="purpose", what="the purpose of the partnership",
                                            limit=MEDIUM_TEXT),
                              aspect=_choice(aspect, SUPPORT_ASPECTS, field="aspect", what="an aspect of LA support"))
    db.session.add(partnership)
    db.session.flush()
    record_audit(actor, "partnership.create", "partnership", partnership.id, school_id=partner.id,
                 after={"lead": lead.urn, "partner": partner.urn, "purpose": partnership.purpose})
    for school, other, role in ((lead, partner, "supports"), (partner, lead, "is supported by")):
        record_school_event(school, "partnership", f"{school.name} {role} {other.name}: {partnership.purpose}", actor,
                            audience="school")
    return partnership


def update_partnership(actor: "User", partnership: Partnership, *, ends_on: date | None, outcomes: str) -> Partnership:
    """Record the partnership's end and outcomes."""
    if ends_on is not None and ends_on < partnership.starts_on:
        raise DomainError("The partnership must end on or after the day it starts", field="ends_on")
    before = {"ends_on": partnership.ends_on, "outcomes": partnership.outcomes}
    partnership.ends_on = ends_on
    partnership.outcomes = _text(outcomes, field="outcomes", what="the outcomes", limit=LONG_TEXT, required=False)
    db.session.flush()
    record_audit(actor, "partnership.update", "partnership", partnership.id, school_id=partnership.partner_school_id,
                 before=before, after={"ends_on": partnership.ends_on, "outcomes": partnership.outcomes})
    return partnership


# --- the four aspects across the authority ------------------------------------------------------------

@dataclass
class AspectFigures:
    code: str
    name: str
    visits: int
    partnerships: int
    good_practice: int


def _year_bounds(academic_year: str) -> tuple[date, date]:
    start = parse_academic_year(academic_year)
    return date(start, 9, 1), date(start + 1, 8, 31)


def aspects_report(academic_year: str | None = None) -> tuple[str, list[AspectFigures]]:
    """How many visits done, partnerships running and good practice agreed served each of the four
    aspects of LA support in an academic year. Three queries, whatever the number of visits."""
    year = academic_year or academic_year_for(date.today())
    starts, ends = _year_bounds(year)
    # The note's aspects are a JSON list of codes: a quoted code is found in its text the same way
    # on SQLite and PostgreSQL (no code is part of another).
    text = cast(NoteOfVisit.support_aspects, String)
    visits = db.session.execute(select(*(
        func.coalesce(func.sum(case((text.like(f'%"{code}"%'), 1), else_=0)), 0) for code in SUPPORT_ASPECTS))
        .where(NoteOfVisit.status != "planned", NoteOfVisit.visit_date >= starts, NoteOfVisit.visit_date <= ends)).one()
    partnerships = dict(db.session.execute(
        select(Partnership.aspect, func.count()).where(
            Partnership.starts_on <= ends, or_(Partnership.ends_on.is_(None), Partnership.ends_on >= starts))
        .group_by(Partnership.aspect)).all())
    practice = dict(db.session.execute(
        select(GoodPractice.aspect, func.count()).where(and_(GoodPractice.status == "agreed"))
        .group_by(GoodPractice.aspect)).all())
    return year, [AspectFigures(code, name, int(count), int(partnerships.get(code, 0)), int(practice.get(code, 0)))
                  for (code, name), count in zip(SUPPORT_ASPECTS.items(), visits, strict=True)]
