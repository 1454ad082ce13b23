"""Accounts, passwords, server-side sessions and sign-in throttling."""
from __future__ import annotations

import hashlib
import logging
import math
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from limits import RateLimitItem
from limits import parse as parse_limit
from limits.errors import StorageError
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from ..core.audit import record_audit, snapshot
from ..core.errors import DomainError
from ..core.limits import MAX_USER_SCHOOLS, SHORT_TEXT, too_long
from ..core.locking import claim_edit
from ..core.mail import deliver, mail_settings, new_message
from ..core.models import utcnow
from ..core.terms import LOCAL_TZ, format_date
from ..core.transactions import after_commit
from ..extensions import db, limiter
from ..schools.models import School
from .models import ROLES, SCHOOL_ROLES, SPECIALISMS, FailedSignIns, Role, TotpCredential, User, UserSession

LOGGER = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 12
# Argon2 parameter sets by name (PASSWORD_HASH_PROFILE): RFC 9106's low-memory profile in every
# real environment; the test suite uses argon2-cffi's CHEAPEST profile, as its authors intend, so
# that hundreds of accounts made by the tests do not cost a fifth of a second each.
_PROFILES = {"rfc_9106_low_memory": profiles.RFC_9106_LOW_MEMORY, "cheapest": profiles.CHEAPEST}
# The services' own check is looser than the form's (WTForms' Email, which is email-validator): the
# demo and the bench make accounts at the reserved .invalid domain (RFC 2606), which email-validator
# refuses as undeliverable, and no page can create one.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
USER_FIELDS = ("email", "name", "role", "specialism", "is_disabled")
SIGN_IN_ERROR = "Enter a correct email address and password"


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


def _specialism(role: str, specialism: str | None) -> str | None:
    """A consultant's specialism (required); None for every other role, whatever was chosen."""
    if role != Role.CONSULTANT:
        return None
    if not specialism or specialism not in SPECIALISMS:
        raise DomainError("Choose the consultant's specialism", field="specialism")
    return specialism


def _check_name(name: str) -> None:
    if not name:
        raise DomainError("Enter the person's full name", field="name")
    if len(name) > SHORT_TEXT:
        raise DomainError(too_long("Full name", SHORT_TEXT), field="name")


def create_user(
    actor: User | None, *, email: str, name: str, role: str, password: str, school_urns: list | None = None,
    specialism: str | None = None,
) -> User:
    """Create an account. School leaders and governors must name their schools by URN; an LA
    consultant has a specialism."""
    email = _normalise_email(email)
    name = name.strip()
    if not _EMAIL.match(email):
        raise DomainError("Enter an email address in the correct format, like name@example.org", field="email")
    _check_name(name)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise DomainError("A user with this email address already exists", field="email")
    schools = _schools_by_urn(school_urns or [])
    _check_role_and_schools(role, schools)
    specialism = _specialism(role, specialism)
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise DomainError(problem, field="password")
    user = User(email=email, name=name, role=role, specialism=specialism, password_hash=hash_password(password),
                schools=schools)
    db.session.add(user)
    db.session.flush()
    record_audit(actor, "user.create", "user", user.id,
                 after={**snapshot(user, USER_FIELDS), "schools": sorted(s.urn for s in schools)})
    return user


def update_user(actor: User, user: User, *, name: str, role: str, school_urns: list, is_disabled: bool,
                expected_version: int | None = None, specialism: str | None = None) -> User:
    """Change a user's name, role, schools or disabled state. Disabling ends their sessions.
    Refuses with EditConflict if another administrator saved the account after this copy was opened."""
    name = name.strip()
    _check_name(name)
    schools = _schools_by_urn(school_urns)
    _check_role_and_schools(role, schools)
    specialism = _specialism(role, specialism)
    if user.id == actor.id and (is_disabled or role != Role.ADMIN):
        raise DomainError("You cannot disable yourself or remove your own administrator role", field="role")
    claim_edit(user, expected_version, "account")
    before = {**snapshot(user, USER_FIELDS), "schools": sorted(s.urn for s in user.schools)}
    user.name, user.role, user.schools, user.is_disabled = name, role, schools, is_disabled
    user.specialism = specialism
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


@dataclass(frozen=True)
class SignInAttempt:
    """One sign-in attempt, counted against its e-mail address before the password is checked.
    `refusal` says why it is refused unchecked (the account is locked, or the try came before the
    delay after earlier failures had passed); `failures` counts this attempt as a failure until
    the password proves right; `locked_until` is set when this attempt, if wrong, locks the account."""

    email: str
    failures: int
    locked_until: datetime | None = None
    refusal: str | None = None
    retry_after: int = 0

    @property
    def checkable(self) -> bool:
        return self.refusal is None


def _delay_after(failures: int) -> timedelta:
    """How long after the last failure the next try may come: nothing for the first few failures
    (LOGIN_DELAY_AFTER_FAILURES), then 2^n seconds after the n-th (8 s after the third, 16 s after
    the fourth)."""
    if failures < current_app.config["LOGIN_DELAY_AFTER_FAILURES"]:
        return timedelta(0)
    return timedelta(seconds=2 ** failures)


def _local_time(moment: datetime) -> str:
    local = moment.astimezone(LOCAL_TZ)
    if local.date() == utcnow().astimezone(LOCAL_TZ).date():
        return f"{local:%H:%M}"
    return format_date(moment, "datetime").replace(" at ", ", ")


def locked_message(until: datetime) -> str:
    return (f"Your account is locked after too many wrong passwords. Try again after {_local_time(until)}, "
            "or ask an administrator to unlock it.")


def _seconds(span: timedelta) -> int:
    return max(1, math.ceil(span.total_seconds()))


def _failure_row(email: str) -> FailedSignIns:
    """The e-mail address's failure count, made if new and locked for this transaction: on
    PostgreSQL with SELECT ... FOR UPDATE; on SQLite every sign-in POST holds the database's write
    lock from BEGIN IMMEDIATE (core/db.py). Either way concurrent attempts for one address take
    turns, each seeing the count the one before it saved."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    db.session.execute(dialect.insert(FailedSignIns).values(email=email, failures=0)
                       .on_conflict_do_nothing(index_elements=["email"]))
    return db.session.scalars(select(FailedSignIns).where(FailedSignIns.email == email)
                              .with_for_update().execution_options(populate_existing=True)).one()


def claim_sign_in_attempt(email: str) -> SignInAttempt:
    """Count a sign-in attempt against its e-mail address before its password is checked, and say
    whether it may be checked. The caller commits this before checking the password (an Argon2
    hash takes a while), so that 31 attempts at once get at most LOGIN_MAX_FAILURES checks.

    Known and unknown addresses are counted alike, so the answers never tell whether an account
    exists. A try made before the delay has passed is refused unchecked and still counts: a person
    told to wait waits; a script that does not reaches the lock sooner, with fewer guesses checked."""
    cfg = current_app.config
    row = _failure_row(_normalise_email(email)[:254])
    now = utcnow()  # once this attempt's turn has come: the one before may have waited as long
    if row.locked_until is not None and row.locked_until > now:
        return SignInAttempt(row.email, row.failures, refusal=locked_message(row.locked_until),
                             retry_after=_seconds(row.locked_until - now))
    if (row.locked_until is not None or row.last_failed_at is None
            or row.last_failed_at <= now - cfg["LOGIN_FAILURE_WINDOW"]):
        row.failures, row.locked_until = 0, None  # a lock that has ended, or old failures: a fresh start
    wait = row.last_failed_at + _delay_after(row.failures) - now if row.failures and row.last_failed_at else timedelta(0)
    row.failures += 1
    row.last_failed_at = now
    if row.failures >= cfg["LOGIN_MAX_FAILURES"]:
        row.locked_until = now + cfg["LOGIN_FAILURE_WINDOW"]
    db.session.flush()
    attempt = SignInAttempt(row.email, row.failures, locked_until=row.locked_until)
    if wait <= timedelta(0):
        return attempt
    if row.locked_until is not None:
        tell_owner_of_lock(row.email, row.locked_until)
        return replace(attempt, refusal=locked_message(row.locked_until),
                       retry_after=_seconds(row.locked_until - now))
    return replace(attempt, refusal=f"Wait {_seconds(wait)} seconds before you try again. "
                                    "Each try before then counts as a wrong password.",
                   retry_after=_seconds(wait))


def check_sign_in(attempt: SignInAttempt, password: str) -> User | None:
    """The active user with these credentials, or None. A claimed attempt's failure is already
    counted; the right password clears the count (and a lock this attempt would have made).
    An unknown e-mail and a wrong password cost the same time and look the same."""
    assert attempt.checkable
    user = db.session.scalar(select(User).where(User.email == attempt.email))
    try:
        hasher, dummy_hash = _hasher_for(current_app.config.get("PASSWORD_HASH_PROFILE", "rfc_9106_low_memory"))
        hasher.verify(user.password_hash if user else dummy_hash, password)
        ok = user is not None and user.is_active
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        if attempt.locked_until is not None:
            tell_owner_of_lock(attempt.email, attempt.locked_until)
        return None
    assert user is not None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if db.session.get(TotpCredential, user.id) is None:
        clear_failures(attempt.email)
    else:  # the failures stand until the second factor is right too (auth/mfa.py)
        _forgive_attempt(attempt)
    return user


def _forgive_attempt(attempt: SignInAttempt) -> None:
    """The right password of an account with a second factor: this attempt was no failure (nor is
    a lock it made), and the code may follow at once; but earlier failures stand until the code is
    right as well, so that someone who knows the password cannot clear the count between guesses
    at the code (each wrong code counts, auth/mfa.py)."""
    row = db.session.scalars(select(FailedSignIns).where(FailedSignIns.email == attempt.email)
                             .with_for_update().execution_options(populate_existing=True)).one()
    row.failures = max(row.failures - 1, 0)
    if attempt.locked_until is not None and row.locked_until == attempt.locked_until:
        row.locked_until = None
    if row.last_failed_at is not None:  # no wait before the code: as if the last failure were that long ago
        row.last_failed_at = min(row.last_failed_at, utcnow() - _delay_after(row.failures))
    db.session.flush()


def failed_sign_in_message(attempt: SignInAttempt) -> str:
    """What a person is told after a wrong password (or an unknown e-mail: the same words)."""
    if attempt.refusal:
        return attempt.refusal
    if attempt.locked_until is not None:
        return locked_message(attempt.locked_until)
    wait = _delay_after(attempt.failures)
    if wait:
        return f"{SIGN_IN_ERROR}. Wait {_seconds(wait)} seconds before you try again."
    return SIGN_IN_ERROR


def _address_limit() -> RateLimitItem:
    return parse_limit(current_app.config["LOGIN_MAX_PER_ADDRESS"])


def count_failed_sign_in_from(ip_address: str | None) -> bool:
    """Count a failed sign-in from a network address (Flask-Limiter's storage: Redis when
    REDIS_URL is set, so every server counts together; memory otherwise). False once the address
    is over LOGIN_MAX_PER_ADDRESS. Only failures count, so an office's people signing in never
    use it up; see the sign-in route for what being over it does, and does not, refuse."""
    if not ip_address:
        return True
    try:
        return limiter.limiter.hit(_address_limit(), "sign-in-failures", ip_address)
    except StorageError:  # Redis is down: the per-account count in the database still holds
        LOGGER.warning("Could not count a failed sign-in from %s: rate limit storage unreachable", ip_address,
                       exc_info=True)
        return True


def clear_failures(email: str) -> None:
    db.session.execute(update(FailedSignIns).where(FailedSignIns.email == email)
                       .values(failures=0, last_failed_at=None, locked_until=None))


def tell_owner_of_lock(email: str, until: datetime) -> None:
    """E-mail the account's owner that it is locked (nobody, for an address with no account).
    Sent once the lock is saved; unlike other e-mails, the person signing in is not told that a
    message went, which would say that the account exists."""
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        return
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    body = (
        f"Dear {user.name},\n\n"
        f"Someone entered the wrong password for your LEA Support account ({user.email}) "
        f"{current_app.config['LOGIN_MAX_FAILURES']} times, so the account is locked until "
        f"{format_date(until, 'datetime')}.\n\n"
        "If this was you, wait until then and sign in again, or ask an administrator to unlock your account.\n\n"
        "If it was not you, tell an administrator: someone may be trying to guess your password.\n"
        + (f"\nSign in: {base}/sign-in\n" if base else "")
    )
    message = new_message(to=user.email, subject="Your LEA Support account is locked", body=body)
    settings = mail_settings(current_app)

    def send() -> None:
        try:
            deliver(message, settings)
        except Exception:  # the lock stands; a failed e-mail must not turn into an error page
            LOGGER.exception("Could not send the account-locked e-mail to %s", message["To"])

    after_commit(send)


def account_locks() -> dict[str, datetime]:
    """Every account locked now, by e-mail address: until when."""
    now = utcnow()
    rows = db.session.execute(select(FailedSignIns.email, FailedSignIns.locked_until)
                              .join(User, User.email == FailedSignIns.email)
                              .where(FailedSignIns.locked_until > now)).all()
    return {email: until for email, until in rows if until is not None}


def unlock_account(actor: User, user: User) -> None:
    """Lift a sign-in lock before it ends by itself; the failure count starts again."""
    until = account_locks().get(user.email)
    if until is None:
        raise DomainError(f"{user.name}'s account is not locked")
    clear_failures(user.email)
    record_audit(actor, "user.unlock", "user", user.id, before={"locked_until": until.isoformat()})


def start_session(user: User, ip_address: str | None) -> str:
    """Record a new server-side session for a user who has just signed in; return its token."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(token_hash=_token_hash(token), user_id=user.id, ip_address=ip_address))
    user.previous_sign_in_at = user.last_sign_in_at
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


def find_session(token: str) -> UserSession | None:
    """The server-side session a session token names, if it has not ended."""
    return db.session.scalar(select(UserSession).where(UserSession.token_hash == _token_hash(token)))


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
