"""Engine set-up: SQLite pragmas and write transactions that queue instead of failing."""
from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

# Every id column is a 32-bit integer on PostgreSQL (and SQLite refuses anything past 64 bits): a
# number beyond this names nothing, and is refused before it reaches the database.
MAX_ID = 2**31 - 1
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """Foreign keys on, WAL, a busy timeout, and BEGIN IMMEDIATE for anything that may write.

    pysqlite's own BEGIN is deferred: two writers both read, then both try to upgrade their
    lock, and one fails at once with "database is locked" whatever the busy timeout. Taking
    the write lock at BEGIN makes the second writer wait its turn instead. Reads (GET requests)
    keep deferred BEGIN so that they never queue behind writers (WAL lets them run alongside).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if has_request_context() and request.method in SAFE_METHODS:
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
