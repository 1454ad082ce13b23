"""An adviser's planned visits as an iCalendar feed at a secret URL.

Calendar apps cannot sign in, so the URL's token is the credential. Only its SHA-256 is stored
(User.calendar_token_hash): the full URL is shown once, when it is made, and a database leak
does not reveal working feed URLs. Renewing replaces the token; revoking clears it.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import date, datetime, timedelta, timezone

from icalendar import Calendar, Event
from sqlalchemy import select

from ..auth.models import User
from ..core.audit import record_audit
from ..core.errors import DomainError
from ..extensions import db
from .models import NoteOfVisit
from .permissions import can_manage_calendar_feed

TOKEN_BYTES = 32
# What secrets.token_urlsafe(32) produces; anything else is not worth a database lookup.
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43,128}$")
UID_DOMAIN = "lea-support"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def renew_calendar_token(actor: "User", user: "User") -> str:
    """Issue a new secret feed token for an adviser, replacing any old one (whose URL stops
    working). Returns the token: the only time it exists outside the adviser's calendar app."""
    if not can_manage_calendar_feed(user):
        raise DomainError("Only link advisers and SIAs have a calendar feed")
    had_feed = user.calendar_token_hash is not None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    user.calendar_token_hash = _hash(token)
    record_audit(actor, "calendar_feed.renew", "user", user.id,
                 before={"has_calendar_feed": had_feed}, after={"has_calendar_feed": True})
    db.session.flush()
    return token


def revoke_calendar_token(actor: "User", user: "User") -> bool:
    """Turn off an adviser's calendar feed; its URL stops working. False if there was none."""
    if user.calendar_token_hash is None:
        return False
    user.calendar_token_hash = None
    record_audit(actor, "calendar_feed.revoke", "user", user.id,
                 before={"has_calendar_feed": True}, after={"has_calendar_feed": False})
    db.session.flush()
    return True


def user_for_calendar_token(token: str) -> User | None:
    """The adviser whose feed this token opens, or None (unknown, revoked, disabled, or no
    longer in a role that has a feed)."""
    if not _TOKEN_SHAPE.match(token or ""):
        return None
    user = db.session.scalar(select(User).where(User.calendar_token_hash == _hash(token)))
    if user is None or not can_manage_calendar_feed(user):
        return None
    return user


def planned_visits(user: "User", today: date) -> list[NoteOfVisit]:
    """The adviser's planned visits from today on, soonest first."""
    return list(db.session.scalars(
        select(NoteOfVisit)
        .where(NoteOfVisit.adviser_id == user.id, NoteOfVisit.status == "planned", NoteOfVisit.visit_date >= today)
        .order_by(NoteOfVisit.visit_date, NoteOfVisit.id)))


def calendar_for(user: "User", today: date | None = None) -> bytes:
    """The adviser's planned visits as an iCalendar (RFC 5545) document of all-day events."""
    calendar = Calendar()
    calendar.add("prodid", "-//LEA Support//Planned visits//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Planned visits: {user.name}")
    now = datetime.now(timezone.utc).replace(microsecond=0)
    for note in planned_visits(user, today or date.today()):
        event = Event()
        event.add("uid", f"note-{note.id}@{UID_DOMAIN}")
        event.add("dtstamp", now)
        event.add("last-modified", note.updated_at.astimezone(timezone.utc).replace(microsecond=0))
        event.add("dtstart", note.visit_date)
        event.add("dtend", note.visit_date + timedelta(days=1))  # all-day: DTEND is exclusive
        event.add("summary", f"Visit: {note.school.name}")
        visit_type = note.visit_type.name if note.visit_type else note.visit_type_code
        event.add("description", f"{visit_type}\n\n{note.purpose}".strip())
        calendar.add_component(event)
    return calendar.to_ical()
