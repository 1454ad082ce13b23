"""A second factor for password sign-in: time-based codes (TOTP, RFC 6238) from an authenticator
app, and single-use recovery codes for the day the app is not to hand.

The app's secret is kept encrypted (Fernet, with a key derived from SECRET_KEY): a copy of the
database alone does not give anyone the codes. Changing SECRET_KEY therefore makes every stored
secret unreadable; people then sign in with a recovery code, or an administrator resets their
second factor and they set it up again."""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
from datetime import datetime
from functools import lru_cache

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from markupsafe import Markup
from sqlalchemy import delete, func, select, update

from ..core.audit import record_audit
from ..core.errors import DomainError
from ..core.models import utcnow
from ..extensions import db
from . import services
from .models import LA_ROLES, RecoveryCode, TotpCredential, User

LOGGER = logging.getLogger(__name__)

ISSUER = "LEA Support"
RECOVERY_CODE_COUNT = 10
# Letters and digits nobody misreads on paper (no 0/o, 1/l/i): 10 of them are 49 bits.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 10
_TOTP_CODE = re.compile(r"^\d{6}$")
# Codes of the step before and after the server's clock are accepted too: a phone's clock a little
# out, or a code typed as it changed.
_STEPS_EITHER_SIDE = 1

WRONG_CODE = "Enter the code your authenticator app shows now, or one of your recovery codes"


# --- the secret, at rest and on the page ----------------------------------------------------------

@lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"lea-support totp secret").derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(secret: str) -> str:
    return _fernet(current_app.config["SECRET_KEY"]).encrypt(secret.encode()).decode()


def decrypt_secret(token: str) -> str | None:
    """The secret, or None if it cannot be read (SECRET_KEY has changed since it was stored)."""
    try:
        return _fernet(current_app.config["SECRET_KEY"]).decrypt(token.encode()).decode()
    except InvalidToken:
        return None


def new_secret() -> str:
    """A fresh 160-bit secret, in the base 32 the apps take typed in."""
    return pyotp.random_base32()


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_svg(uri: str) -> Markup:
    """The set-up link as a QR code, an SVG drawn here (no request leaves the server)."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, border=4, dark="#0b0c0c", light="#ffffff",
                                                title="QR code to scan with your authenticator app")
    # segno's own markup: the link (with the user's e-mail address) is drawn as modules, never
    # written as text; the only text is our title.
    return Markup(svg)  # nosec B704  # markup made here, with no text of anyone's in it


# --- who must have one ----------------------------------------------------------------------------

def is_required(user: User) -> bool:
    """Administrators and LA staff signing in with a password must have a second factor (unless the
    configuration says otherwise); governors and school leaders may choose to."""
    return bool(current_app.config.get("MFA_REQUIRED_FOR_STAFF", True)) and user.role in LA_ROLES


def credential_of(user: User) -> TotpCredential | None:
    return db.session.get(TotpCredential, user.id)


def has_second_factor(user: User) -> bool:
    return credential_of(user) is not None


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode)
                             .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def users_with_second_factor() -> set[int]:
    """The ids of the users who have set up an authenticator app."""
    return set(db.session.scalars(select(TotpCredential.user_id)))


# --- codes ----------------------------------------------------------------------------------------

def _normalise(code: str) -> str:
    return re.sub(r"[\s-]+", "", code or "").lower()


def _matching_step(secret: str, code: str, *, after: int, now: datetime) -> int | None:
    """The time step whose code this is, if it is one of the steps around now and later than `after`."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    found = None
    for step in range(current - _STEPS_EITHER_SIDE, current + _STEPS_EITHER_SIDE + 1):
        if step > after and hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def _recovery_hash(salt: str, code: str) -> str:
    # The codes are random (49 bits) and each guess is throttled like a password: a salted SHA-256
    # is enough, and keeps checking ten of them cheap.
    return hashlib.sha256(f"{salt}:{_normalise(code)}".encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODE_COUNT new ones, returned to be shown once."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        code = f"{raw[:5]}-{raw[5:]}"
        salt = secrets.token_hex(16)
        db.session.add(RecoveryCode(user_id=user.id, salt=salt, code_hash=_recovery_hash(salt, code)))
        codes.append(code)
    return codes


# --- the services ---------------------------------------------------------------------------------

def enrol_totp(user: User, secret: str, code: str) -> list[str]:
    """Set up an authenticator app, once a code from it proves it holds `secret`; any app set up
    before is replaced. Returns new recovery codes, to be shown once (the old ones stop working)."""
    code = _normalise(code)
    if not _TOTP_CODE.match(code):
        raise DomainError("Enter the 6-digit code your authenticator app shows", field="code")
    step = _matching_step(secret, code, after=-1, now=utcnow())
    if step is None:
        raise DomainError("That code is not right: enter the code the app shows now for LEA Support "
                          "(if it is refused again, check the time on your phone is set automatically)", field="code")
    replaced = credential_of(user)
    if replaced is not None:
        db.session.delete(replaced)
        db.session.flush()
    db.session.add(TotpCredential(user_id=user.id, secret_encrypted=encrypt_secret(secret), last_used_step=step))
    codes = _new_recovery_codes(user)
    record_audit(user, "user.second_factor_set_up", "user", user.id, after={"replaced": replaced is not None})
    db.session.flush()
    return codes


def regenerate_recovery_codes(user: User) -> list[str]:
    """New recovery codes for the user, to be shown once; the old ones stop working."""
    if not has_second_factor(user):
        raise DomainError("Set up an authenticator app first: recovery codes go with it")
    codes = _new_recovery_codes(user)
    record_audit(user, "user.recovery_codes_renewed", "user", user.id)
    db.session.flush()
    return codes


def verify_second_factor(user: User, code: str) -> str | None:
    """Check a code from the user's authenticator app ("totp") or one of their recovery codes
    ("recovery"), and use it up: no code is accepted twice, even by two requests at once (each
    update below only succeeds for the first). None if the code is wrong or already used."""
    credential = credential_of(user)
    if credential is None:
        return None
    code = _normalise(code)
    now = utcnow()
    if _TOTP_CODE.match(code):
        secret = decrypt_secret(credential.secret_encrypted)
        if secret is None:
            LOGGER.warning("The authenticator secret of user %s cannot be read (has SECRET_KEY changed?): they "
                           "can sign in with a recovery code, or an administrator can reset it", user.id)
            return None
        step = _matching_step(secret, code, after=credential.last_used_step, now=now)
        if step is None:
            return None
        taken = db.session.execute(update(TotpCredential)
                                   .where(TotpCredential.user_id == user.id, TotpCredential.last_used_step < step)
                                   .values(last_used_step=step))
        return "totp" if taken.rowcount == 1 else None  # type: ignore[attr-defined]  # a CursorResult
    unused = db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                           RecoveryCode.used_at.is_(None))).all()
    match = None
    for row in unused:  # every one compared, so the time taken does not say which matched
        if hmac.compare_digest(row.code_hash, _recovery_hash(row.salt, code)):
            match = row
    if match is None:
        return None
    taken = db.session.execute(update(RecoveryCode).where(RecoveryCode.id == match.id, RecoveryCode.used_at.is_(None))
                               .values(used_at=now))
    if taken.rowcount != 1:  # type: ignore[attr-defined]  # a CursorResult
        return None
    record_audit(user, "user.recovery_code_used", "user", user.id)
    return "recovery"


def check_second_step(attempt: services.SignInAttempt, user: User, code: str) -> str | None:
    """The second step of a password sign-in, counted like a password (`claim_sign_in_attempt`
    first): a wrong code is a failure, and the right one clears the count. What kind of code it
    was, or None."""
    assert attempt.checkable
    kind = verify_second_factor(user, code) if user.is_active else None
    if kind is None:
        if attempt.locked_until is not None:
            services.tell_owner_of_lock(attempt.email, attempt.locked_until)
        return None
    services.clear_failures(attempt.email)
    return kind


def _remove(user: User) -> None:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(TotpCredential).where(TotpCredential.user_id == user.id))


def turn_off_second_factor(user: User, code: str) -> None:
    """A governor or school leader stops using a second factor, proving it with a current code."""
    if is_required(user):
        raise DomainError(f"A {user.role_name.lower()} must use a second factor to sign in with a password")
    if not has_second_factor(user):
        raise DomainError("You have not set up an authenticator app")
    if verify_second_factor(user, code) is None:
        raise DomainError(WRONG_CODE, field="code")
    _remove(user)
    record_audit(user, "user.second_factor_removed", "user", user.id)


def reset_second_factor(actor: User | None, user: User) -> None:
    """An administrator (or the `lea-support users reset-second-factor` command, actor None) takes
    away a user's authenticator app and recovery codes (a lost phone) and ends their sessions:
    they sign in again with their password and set up a new one."""
    if actor is not None and user.id == actor.id:
        raise DomainError("You cannot reset your own second factor here: set up a new app from your account page")
    has_codes = db.session.scalar(select(func.count()).select_from(RecoveryCode)
                                  .where(RecoveryCode.user_id == user.id))
    if not has_second_factor(user) and not has_codes:
        raise DomainError(f"{user.name} has not set up a second factor")
    _remove(user)
    services.end_all_sessions(user)
    record_audit(actor, "user.second_factor_reset", "user", user.id)
