"""Fault injection for the fault tests: a database that fails on cue, for requests only (the
test's own set-up and checks still reach it)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

import pytest
from flask import has_request_context, request
from sqlalchemy import event


@dataclass
class DatabaseFault:
    """What to break. `statement`: a pattern for the SQL that fails when a request runs it;
    `commit`: the COMMIT of a POST fails; `error`: the DB-API exception class name raised."""

    statement: str | None = None
    commit: bool = False
    error: str = "OperationalError"
    message: str = "server closed the connection unexpectedly"
    tripped: int = 0

    def clear(self) -> None:
        self.statement, self.commit = None, False


@pytest.fixture
def db_fault(app: Any, db: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[DatabaseFault]:
    fault = DatabaseFault()
    engine = db.engine
    dbapi = engine.dialect.loaded_dbapi

    def fail() -> None:
        fault.tripped += 1
        # The driver's own exception, as a real failure raises it: SQLAlchemy wraps it as it would.
        raise getattr(dbapi, fault.error)(fault.message)

    def before_cursor_execute(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if fault.statement and has_request_context() and re.search(fault.statement, statement, re.IGNORECASE):
            fail()

    real_commit = engine.dialect.do_commit

    def do_commit(dbapi_connection: Any) -> None:
        if fault.commit and has_request_context() and request.method == "POST":
            fail()
        real_commit(dbapi_connection)

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    monkeypatch.setattr(engine.dialect, "do_commit", do_commit)
    try:
        yield fault
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)
