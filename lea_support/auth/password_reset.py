"""Setting a new password through a link e-mailed to the account's address: the link works for
PASSWORD_RESET_TIME, once, and only the SHA-256 of its secret is stored. Asking for one answers the
same whether or not the address has an account."""
from __future__ import annotations

import hashlib
import logging
import secrets
import threading
from email.message import EmailMessage

from flask import current_app, url_for
from sqlalchemy import func, select, update

from ..core.audit import record_audit
from ..core.errors import DomainError
from ..core.mail import deliver, mail_settings, new_message
from ..core.models import utcnow
from ..core.terms import format_date
from ..core.transactions import after_commit
from ..extensions import db
from . import services
from .models import PasswordReset, User

LOGGER = logging.getLogger(__name__)

# Links that may be live for one account at once: enough for a message that went astray, few
# enough that nobody can fill a person's inbox by asking again and again.
MAX_LIVE_LINKS = 3
LINK_NOT_WORKING = ("This link to set a new password has expired or has already been used. "
                    "Ask for a new one.")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_password_reset(email: str, base_url: str) -> None:
    """E-mail a link to set a new password to the active account with this address, if there is
    one. Nothing tells the caller whether there was: no error, no message, the same answer."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active:
        return
    now = utcnow()
    live = db.session.scalar(select(func.count()).select_from(PasswordReset).where(
        PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None), PasswordReset.expires_at > now)) or 0
    if live >= MAX_LIVE_LINKS:
        LOGGER.info("Not sending another password reset link to user %s: %s are still live", user.id, live)
        return
    token = secrets.token_urlsafe(32)
    reset = PasswordReset(user_id=user.id, token_hash=_token_hash(token), created_at=now,
                          expires_at=now + current_app.config["PASSWORD_RESET_TIME"])
    db.session.add(reset)
    db.session.flush()
    record_audit(None, "user.password_reset_requested", "user", user.id)
    link = base_url.rstrip("/") + url_for("auth.reset_password", token=token)
    body = (
        f"Dear {user.name},\n\n"
        f"Someone asked to set a new password for your LEA Support account ({user.email}). "
        "To choose a new password, open this link:\n\n"
        f"{link}\n\n"
        f"The link works once, until {format_date(reset.expires_at, 'datetime')}. Setting a new password "
        "signs you out everywhere you are signed in.\n\n"
        "If you did not ask for this, you can ignore this e-mail: your password stays as it is.\n"
    )
    _send_quietly(new_message(to=user.email, subject="Set a new password for LEA Support", body=body))


def _send_quietly(message: EmailMessage) -> None:
    """Send once the link is saved, telling the person on the page nothing (which would say that
    the account exists). Through an SMTP server the message goes from a thread of its own, so that
    the answer does not take longer for an address that has an account."""
    settings = mail_settings(current_app)

    def send() -> None:
        try:
            deliver(message, settings)
        except Exception:  # the link is saved; a failed e-mail must not turn into an error page
            LOGGER.exception("Could not send the password reset e-mail")

    if settings.server:
        after_commit(lambda: threading.Thread(target=send, name="password-reset-mail", daemon=True).start())
    else:
        after_commit(send)


def live_reset(token: str) -> PasswordReset | None:
    """The unused, unexpired reset of an active account that this link's secret names, or None."""
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == _token_hash(token)))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow() or not reset.user.is_active:
        return None
    return reset


def reset_password(token: str, password: str) -> User:
    """Set the new password of the link's account, if the link still works, and use the link up
    (and every other link of the account). All the account's sessions end; any sign-in lock is
    lifted, as whoever holds the link holds the account's e-mail."""
    reset = live_reset(token)
    if reset is None:
        raise DomainError(LINK_NOT_WORKING)
    user = reset.user
    services.set_password(user, user, password)
    now = utcnow()
    # Only the first of two requests with one link gets here: the other finds it used.
    taken = db.session.execute(update(PasswordReset).where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
                               .values(used_at=now))
    if taken.rowcount != 1:  # type: ignore[attr-defined]  # a CursorResult
        raise DomainError(LINK_NOT_WORKING)
    db.session.execute(update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
                       .values(used_at=now))
    services.clear_failures(user.email)
    record_audit(user, "user.password_reset", "user", user.id)
    db.session.flush()
    return user
