"""Accounts, passwords, server-side sessions and sign-in throttling."""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import joinedload

from ..core.audit import record_audit, snapshot
from ..core.errors import DomainError
from ..core.limits import MAX_USER_SCHOOLS, SHORT_TEXT, too_long
from ..core.locking import claim_edit
from ..core.models import utcnow
from ..extensions import db
from ..schools.models import School
from .models import ROLES, SCHOOL_ROLES, LoginAttempt, User, UserSession

MIN_PASSWORD_LENGTH = 12
# Argon2 parameter sets by name (PASSWORD_HASH_PROFILE): RFC 9106's low-memory profile in every
# real environment; the test suite uses argon2-cffi's CHEAPEST profile, as its authors intend, so
# that hundreds of accounts made by the tests do not cost a fifth of a second each.
_PROFILES = {"rfc_9106_low_memory": profiles.RFC_9106_LOW_MEMORY, "cheapest": profiles.CHEAPEST}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
USER_FIELDS = ("email", "name", "role", "is_disabled")


class SignInThrottled(Exception):
    """Too many failed sign-ins for this e-mail address or network address."""


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).parent / "data" / "common_passwords.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why a password is unacceptable, or None if it will do."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be {MIN_PASSWORD_LENGTH} characters or more"
    lowered = password.lower()
    core = re.sub(r"[\d\W_]+", "", lowered)
    common = _common_passwords()
    if lowered in common or (core and core in common) or len(set(lowered)) < 4:
        return "Password is too common or easy to guess: choose a longer, less predictable one"
    local_part = email.split("@")[0].lower()
    if (local_part and len(local_part) >= 4 and local_part in lowered) or (
        name and len(name) >= 4 and name.lower().replace(" ", "") in lowered.replace(" ", "")
    ):
        return "Password must not contain your name or email address"
    return None


@lru_cache(maxsize=None)
def _hasher_for(profile: str) -> tuple[PasswordHasher, str]:
    """The hasher for a profile, and a hash to verify against when the e-mail is unknown (so that
    both failures take the same time)."""
    hasher = PasswordHasher.from_parameters(_PROFILES[profile])
    return hasher, hasher.hash("not-a-real-password-" + secrets.token_hex(8))


def _hasher() -> PasswordHasher:
    return _hasher_for(current_app.config.get("PASSWORD_HASH_PROFILE", "rfc_9106_low_memory"))[0]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def _normalise_email(email: str) -> str:
    return email.strip().lower()


def _schools_by_urn(urns: list[int] | list[str]) -> list[School]:
    wanted = {int(u) for u in urns}
    if len(wanted) > MAX_USER_SCHOOLS:
        raise DomainError(f"A school leader or governor can belong to up to {MAX_USER_SCHOOLS} schools: list "
                          "fewer URNs", field="schools")
    found = db.session.scalars(select(School).where(School.urn.in_(wanted))).all() if wanted else []
    missing = wanted - {s.urn for s in found}
    if missing:
        raise DomainError(
            "No school with URN " + ", ".join(str(u) for u in sorted(missing)) + " is on the register",
            field="schools",
        )
    return list(found)


def _check_role_and_schools(role: str, schools: list[School]) -> None:
    if role not in ROLES:
        raise DomainError("Choose a role from the list", field="role")
    if role in SCHOOL_ROLES and not schools:
        raise DomainError(f"A {ROLES[role].lower()} must belong to at least one school", field="schools")
    if role not in SCHOOL_ROLES and schools:
        raise DomainError(f"Only school leaders and governors belong to schools, not a {ROLES[role].lower()}", field="schools")


def _check_name(name: str) -> None:
    if not name:
        raise DomainError("Enter the person's full name", field="name")
    if len(name) > SHORT_TEXT:
        raise DomainError(too_long("Full name", SHORT_TEXT), field="name")


def create_user(
    actor: User | None, *, email: str, name: str, role: str, password: str, school_urns: list | None = None
) -> User:
    """Create an account. School leaders and governors must name their schools by URN."""
    email = _normalise_email(email)
    name = name.strip()
    if not _EMAIL.match(email):
        raise DomainError("Enter an email address in the correct format, like name@example.org", field="email")
    _check_name(name)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise DomainError("A user with this email address already exists", field="email")
    schools = _schools_by_urn(school_urns or [])
    _check_role_and_schools(role, schools)
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise DomainError(problem, field="password")
    user = User(email=email, name=name, role=role, password_hash=hash_password(password), schools=schools)
    db.session.add(user)
    db.session.flush()
    record_audit(actor, "user.create", "user", user.id,
                 after={**snapshot(user, USER_FIELDS), "schools": sorted(s.urn for s in schools)})
    return user


def update_user(actor: User, user: User, *, name: str, role: str, school_urns: list, is_disabled: bool,
                expected_version: int | None = None) -> User:
    """Change a user's name, role, schools or disabled state. Disabling ends their sessions.
    Refuses with EditConflict if another administrator saved the account after this copy was opened."""
    name = name.strip()
    _check_name(name)
    schools = _schools_by_urn(school_urns)
    _check_role_and_schools(role, schools)
    if user.id == actor.id and (is_disabled or role != "admin"):
        raise DomainError("You cannot disable yourself or remove your own administrator role", field="role")
    claim_edit(user, expected_version, "account")
    before = {**snapshot(user, USER_FIELDS), "schools": sorted(s.urn for s in user.schools)}
    user.name, user.role, user.schools, user.is_disabled = name, role, schools, is_disabled
    after = {**snapshot(user, USER_FIELDS), "schools": sorted(s.urn for s in schools)}
    if before != after:
        record_audit(actor, "user.update", "user", user.id, before=before, after=after)
    if is_disabled:
        end_all_sessions(user)
    db.session.flush()
    return user


def set_password(actor: User | None, user: User, password: str) -> None:
    """Give a user a new password and end their other sessions."""
    problem = password_problem(password, email=user.email, name=user.name)
    if problem:
        raise DomainError(problem, field="password")
    user.password_hash = hash_password(password)
    end_all_sessions(user)
    record_audit(actor, "user.password", "user", user.id)


# --- sign-in -------------------------------------------------------------------------------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_sign_in_allowed(email: str, ip_address: str | None) -> None:
    """Raise SignInThrottled if this e-mail or address has failed too often lately."""
    cfg = current_app.config
    since = utcnow() - cfg["LOGIN_FAILURE_WINDOW"]
    conditions = [LoginAttempt.email == _normalise_email(email)]
    if ip_address:
        conditions.append(LoginAttempt.ip_address == ip_address)
    failures = db.session.scalar(
        select(func.count()).select_from(LoginAttempt)
        .where(LoginAttempt.attempted_at >= since, or_(*conditions))
    )
    if failures >= cfg["LOGIN_MAX_FAILURES"]:
        raise SignInThrottled()


def authenticate(email: str, password: str, ip_address: str | None) -> User | None:
    """The active user with these credentials, or None; failures are recorded for throttling.
    An unknown e-mail and a wrong password cost the same time and look the same."""
    check_sign_in_allowed(email, ip_address)
    email = _normalise_email(email)
    user = db.session.scalar(select(User).where(User.email == email))
    try:
        hasher, dummy_hash = _hasher_for(current_app.config.get("PASSWORD_HASH_PROFILE", "rfc_9106_low_memory"))
        hasher.verify(user.password_hash if user else dummy_hash, password)
        ok = user is not None and user.is_active
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        db.session.add(LoginAttempt(email=email[:254], ip_address=ip_address))
        return None
    assert user is not None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))
    return user


def start_session(user: User, ip_address: str | None) -> str:
    """Record a new server-side session for a user who has just signed in; return its token."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(token_hash=_token_hash(token), user_id=user.id, ip_address=ip_address))
    user.last_sign_in_at = utcnow()
    record_audit(user, "user.sign_in", "user", user.id)
    return token


def load_session_user(user_id: str, token: str | None) -> User | None:
    """The user of a live session, or None if it has ended, expired or the user is disabled."""
    if not token or not user_id.isdigit():
        return None
    row = db.session.scalar(
        select(UserSession).options(joinedload(UserSession.user).selectinload(User.schools)).where(UserSession.token_hash == _token_hash(token), UserSession.user_id == int(user_id))
    )
    if row is None or not row.user.is_active:
        return None
    if row.created_at + current_app.config["SESSION_MAX_AGE"] < utcnow():
        return None
    return row.user


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(delete(UserSession).where(UserSession.token_hash == _token_hash(token)))


def end_all_sessions(user: User) -> None:
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))


def session_is_idle(last_seen: float | None, now: datetime | None = None) -> bool:
    if last_seen is None:
        return True
    now = now or utcnow()
    return now.timestamp() - last_seen > current_app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
