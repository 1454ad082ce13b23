"""Personal access tokens: made, listed, revoked, and checked on each API request.

A token is `lea_pat_` and 43 random URL-safe characters. The prefix says what it is (so secret
scanners and people can recognise one pasted somewhere it should not be); only the SHA-256 of the
whole token is stored, and the token itself exists once, in the response that made it."""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..auth.models import FailedSignIns, Role, User
from ..core.audit import record_audit
from ..core.errors import DomainError
from ..core.limits import SHORT_TEXT, too_long
from ..core.models import utcnow
from ..core.terms import LOCAL_TZ, format_date
from ..extensions import db
from .models import PersonalAccessToken
from .permissions import can_revoke_api_token

TOKEN_PREFIX = "lea_pat_"
_TOKEN_SHAPE = re.compile(r"^lea_pat_[A-Za-z0-9_-]{43}$")
# What a person sees to tell their tokens apart: the prefix and the first characters of the secret.
DISPLAY_CHARS = len(TOKEN_PREFIX) + 6
MAX_LIFETIME_DAYS = 366
MAX_LIVE_TOKENS = 20
# A token's last use is written at most this often: not a database write on every request.
LAST_USED_GRANULARITY = timedelta(minutes=5)

SCOPES: dict[str, str] = {
    "schools:read": "Schools: details, support tier, level, concern flags, link adviser and support decisions",
    "casework:read": "Notes of visit: summaries and agreed actions",
    "reviews:read": "Joint LEA/School Reviews and their judgements",
    "plans:read": "Raising Achievement Plans: objectives, success criteria, actions and RAG",
    "data:read": "National data: the measures and each school's values",
}
# Scopes that open nothing to a role (their pages show them none of it) are not offered to it.
_NOT_FOR = {Role.GOVERNOR: {"casework:read", "plans:read"}}


def scopes_for(user: User) -> dict[str, str]:
    """The scopes a person may give their tokens."""
    hidden = _NOT_FOR.get(Role(user.role), set())
    return {code: label for code, label in SCOPES.items() if code not in hidden}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class TokenData:
    name: str
    scopes: list[str]
    expires_on: date | None


def create_token(user: User, data: TokenData, *, today: date | None = None) -> tuple[PersonalAccessToken, str]:
    """Make a token for `user`; returns the record and the token itself (shown once, never stored)."""
    today = today or date.today()
    name = (data.name or "").strip()
    if not name:
        raise DomainError("Enter a name for the token, such as the report or program that uses it", "name")
    if len(name) > SHORT_TEXT:
        raise DomainError(too_long("The name", SHORT_TEXT), "name")
    offered = scopes_for(user)
    if not data.scopes:
        raise DomainError("Choose what the token may read", "scopes")
    if unknown := [s for s in data.scopes if s not in offered]:
        raise DomainError(f"Your tokens cannot have the scope {unknown[0]}: choose from the list", "scopes")
    if data.expires_on is None:
        raise DomainError("Enter the date the token stops working", "expires_on")
    if data.expires_on <= today:
        raise DomainError("The date the token stops working must be in the future", "expires_on")
    latest = today + timedelta(days=MAX_LIFETIME_DAYS)
    if data.expires_on > latest:
        raise DomainError(f"The date the token stops working must be on or before {format_date(latest)} "
                          "(a token lasts a year at most)", "expires_on")
    now = utcnow()
    live = db.session.scalar(select(func.count(PersonalAccessToken.id)).where(
        PersonalAccessToken.user_id == user.id, PersonalAccessToken.revoked_at.is_(None),
        PersonalAccessToken.expires_at > now))
    if (live or 0) >= MAX_LIVE_TOKENS:
        raise DomainError(f"You have {MAX_LIVE_TOKENS} tokens that work: revoke one you no longer use first", "name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    # It stops working at the end of the day chosen, the authority's day.
    expires_at = datetime.combine(data.expires_on, time(23, 59, 59), tzinfo=LOCAL_TZ)
    scopes = [s for s in SCOPES if s in data.scopes]  # the catalogue's order, no repeats
    token = PersonalAccessToken(user_id=user.id, name=name, scopes=" ".join(scopes), token_hash=_hash(secret),
                                display_prefix=secret[:DISPLAY_CHARS], created_at=now, expires_at=expires_at)
    db.session.add(token)
    db.session.flush()
    record_audit(user, "api_token.create", "api_token", token.id,
                 after={"name": name, "scopes": scopes, "expires_at": expires_at})
    return token, secret


def tokens_of(user: User) -> list[PersonalAccessToken]:
    """A person's tokens, newest first, revoked and expired ones included (so they can see what was)."""
    return list(db.session.scalars(select(PersonalAccessToken).where(PersonalAccessToken.user_id == user.id)
                                   .order_by(PersonalAccessToken.created_at.desc(), PersonalAccessToken.id.desc())))


def revoke_token(actor: User, token: PersonalAccessToken) -> PersonalAccessToken:
    """Stop a token working, at once and for good."""
    if not can_revoke_api_token(actor, token):
        raise DomainError("You can revoke only your own tokens")
    if token.revoked_at is not None:
        raise DomainError(f"The token “{token.name}” was already revoked")
    token.revoked_at = utcnow()
    record_audit(actor, "api_token.revoke", "api_token", token.id, after={"revoked_at": token.revoked_at})
    db.session.flush()
    return token


@dataclass(frozen=True)
class Refusal:
    """Why a token was refused: said in the 401's detail, never which part of it was wrong."""

    detail: str


def authenticate(secret: str, now: datetime | None = None) -> PersonalAccessToken | Refusal:
    """The live token for this secret, its user (with their schools) loaded; or why not. A token of
    a disabled account, or of one locked after wrong passwords, is refused while it is so."""
    now = now or utcnow()
    if not _TOKEN_SHAPE.match(secret or ""):
        return Refusal("The token is not one this service issues. Send 'Authorization: Bearer lea_pat_...'.")
    row = db.session.execute(
        select(PersonalAccessToken, FailedSignIns.locked_until)
        .join(User, User.id == PersonalAccessToken.user_id)
        .outerjoin(FailedSignIns, FailedSignIns.email == User.email)
        .options(selectinload(PersonalAccessToken.user).selectinload(User.schools))
        .where(PersonalAccessToken.token_hash == _hash(secret))).first()
    if row is None:
        return Refusal("The token is not known. Check you copied all of it, or make a new one on your account page.")
    token, locked_until = row
    if token.revoked_at is not None:
        return Refusal("The token has been revoked. Make a new one on your account page.")
    if token.expires_at <= now:
        return Refusal(f"The token expired on {format_date(token.expires_at)}. Make a new one on your account page.")
    if not token.user.is_active:
        return Refusal("The account this token belongs to is disabled.")
    if locked_until is not None and locked_until > now:
        return Refusal("The account this token belongs to is locked after wrong passwords. "
                       "It works again once the account is unlocked.")
    return token


def note_use(token: PersonalAccessToken, now: datetime | None = None) -> bool:
    """Record that the token was used, at most every few minutes; True if there is something to save."""
    now = now or utcnow()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_GRANULARITY:
        return False
    token.last_used_at = now
    return True
