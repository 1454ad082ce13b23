"""The read audit: views call `record_read` for each audited record they show or send; the reads
of a request are written at its end in one INSERT, committed after the request's own work (on the
request's session: on SQLite every transaction holds the write lock from its start, so a second
connection would wait for the request's own), so reading a page costs one statement more whatever
it shows, and a failure to write the audit is logged rather than failing the page the person
already has."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, g
from flask_login import current_user
from sqlalchemy import insert
from sqlalchemy.exc import SQLAlchemyError

from ..core.models import utcnow
from ..extensions import db
from .models import READ_HOWS, READ_KINDS, RecordRead

LOGGER = logging.getLogger(__name__)
_READS = "privacy_reads"
_READER = "privacy_reader"


def record_read(kind: str, record_id: int, how: str = "view") -> None:
    """Note that the signed-in person is viewing (or downloading) this record; written when the
    request ends, if it succeeds."""
    if kind not in READ_KINDS or how not in READ_HOWS:
        raise ValueError(f"unknown read {how} {kind}")
    reads: dict[tuple[str, int, str], None] = g.setdefault(_READS, {})
    reads[(kind, record_id, how)] = None  # the same record read twice in one request is one read
    # Taken now: after the request's commit, reading the user again would open a transaction.
    g.setdefault(_READER, current_user.id)


def write_reads(user_id: int, reads: list[tuple[str, int, str]]) -> None:
    """One multi-row INSERT of the reads, committed: after the request's commit (a change) or in
    place of it (a page read, which changes nothing else)."""
    now = utcnow()
    rows = [{"occurred_at": now, "user_id": user_id, "record_kind": kind, "record_id": record_id, "how": how}
            for kind, record_id, how in reads]
    try:
        db.session.execute(insert(RecordRead).values(rows))
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        raise


def install_read_audit(app: Flask) -> None:
    @app.after_request
    def _write_reads(response: Any) -> Any:
        reads, reader = g.pop(_READS, None), g.pop(_READER, None)
        if not reads or reader is None or response.status_code >= 400:
            return response
        try:
            write_reads(reader, list(reads))
        except SQLAlchemyError:  # the page is already made: say so in the log, never fail it
            LOGGER.exception("Could not write the read audit of %s reads", len(reads))
        return response
