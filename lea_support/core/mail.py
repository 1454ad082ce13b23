"""E-mail, with the standard library: SMTP when MAIL_SERVER is set, otherwise .eml files in an
outbox folder (development and tests). Services queue messages with `send_after_commit`, so a
message goes only once what it announces has been saved: a transaction that rolls back sends
nothing (core/transactions.py)."""
from __future__ import annotations

import logging
import os
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any, Callable

from flask import Flask, current_app, flash, g, has_request_context

from .transactions import after_commit

LOGGER = logging.getLogger(__name__)
# CRLF line ends, and headers kept on one line (a 998-character line is within RFC 5322): the
# standard 78-column folding breaks a long subject straight after "Subject:".
MESSAGE_POLICY = policy.SMTP.clone(max_line_length=998)


@dataclass(frozen=True)
class MailSettings:
    """The mail settings of the app, read when the message is queued (the commit that sends it
    may run where the app context has gone)."""

    server: str | None
    port: int
    use_tls: bool
    use_ssl: bool
    username: str | None
    password: str | None
    sender: str
    timeout: float
    outbox: Path


def mail_settings(app: Flask) -> MailSettings:
    config = app.config
    outbox = config.get("OUTBOX_DIR") or os.path.join(app.instance_path, "outbox")
    return MailSettings(server=config.get("MAIL_SERVER"), port=int(config.get("MAIL_PORT", 587)),
                        use_tls=bool(config.get("MAIL_USE_TLS", True)), use_ssl=bool(config.get("MAIL_USE_SSL", False)),
                        username=config.get("MAIL_USERNAME"), password=config.get("MAIL_PASSWORD"),
                        sender=config.get("MAIL_DEFAULT_SENDER") or "LEA Support <no-reply@lea-support.invalid>",
                        timeout=float(config.get("MAIL_TIMEOUT_SECONDS", 10)), outbox=Path(outbox))


def _one_line(text: str) -> str:
    # A header never carries a line break (header injection), whatever a school is called.
    return " ".join(str(text).split())


def build_message(settings: MailSettings, *, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage(policy=MESSAGE_POLICY)
    message["From"] = settings.sender
    message["To"] = _one_line(to)
    message["Subject"] = _one_line(subject)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="lea-support.invalid")
    message.set_content(body)
    return message


def deliver(message: EmailMessage, settings: MailSettings) -> None:
    """Send one message now: by SMTP, or into the outbox folder as an .eml file."""
    if settings.server:
        context = ssl.create_default_context()
        smtp_class = smtplib.SMTP_SSL if settings.use_ssl else smtplib.SMTP
        kwargs: dict[str, Any] = {"timeout": settings.timeout}
        if settings.use_ssl:
            kwargs["context"] = context
        with smtp_class(settings.server, settings.port, **kwargs) as smtp:
            if settings.use_tls and not settings.use_ssl:
                smtp.starttls(context=context)
            if settings.username:
                smtp.login(settings.username, settings.password or "")
            smtp.send_message(message)
        return
    settings.outbox.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.eml"
    partial = settings.outbox / f".{name}.tmp"
    try:
        partial.write_bytes(bytes(message))
        os.replace(partial, settings.outbox / name)  # a reader of the outbox never sees half a message
    except OSError:
        partial.unlink(missing_ok=True)  # e.g. the disk filled up: leave no half-written message behind
        raise


def send_after_commit(message: EmailMessage, settings: MailSettings | None = None, *,
                      on_outcome: Callable[[str | None], None] | None = None) -> None:
    """Queue a message to go once the current transaction commits. In a request, the person whose
    change sent it is then told what happened: how many e-mails went, and which could not.
    `on_outcome(error)` is then called with None if it went, or the reason it could not."""
    settings = settings or mail_settings(current_app)

    def send() -> None:
        outcomes = g.setdefault("mail_outcomes", []) if has_request_context() else []
        try:
            deliver(message, settings)
        except Exception as err:  # the change is saved; a failed e-mail must not undo or hide it
            LOGGER.exception("Could not send the e-mail %r to %s", message["Subject"], message["To"])
            outcomes.append((str(message["To"]), False))
            if on_outcome is not None:
                on_outcome(f"{type(err).__name__}: {err}"[:1000])
        else:
            outcomes.append((str(message["To"]), True))
            if on_outcome is not None:
                on_outcome(None)

    after_commit(send)
    if has_request_context():  # once, after every message this commit sends
        after_commit(_report_outcomes, last_of="mail-outcomes")


def _report_outcomes() -> None:
    outcomes = g.pop("mail_outcomes", [])
    failed = [to for to, ok in outcomes if not ok]
    if failed:
        flash(f"Saved, but {len(failed)} of {len(outcomes)} e-mail{'s' if len(outcomes) != 1 else ''} could not be "
              f"sent (to {', '.join(failed)}). Tell {'them' if len(failed) > 1 else 'the person'} another way; "
              "the reason is in the service's log.", "warning")
    elif outcomes:
        flash(f"E-mailed {len(outcomes)} {'person' if len(outcomes) == 1 else 'people'} to tell them.", "success")


def new_message(*, to: str, subject: str, body: str) -> EmailMessage:
    return build_message(mail_settings(current_app), to=to, subject=subject, body=body)
