"""With REDIS_URL set, failed sign-ins per network address are counted in Redis, so every app
server (and a restarted one) counts them together; in memory, each process would start afresh."""
from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from flask import Flask
from limits import parse

from lea_support import create_app
from lea_support.config import TestConfig
from lea_support.extensions import db as _db
from lea_support.extensions import limiter
from tests.conftest import sign_in

LIMIT = "2 per 15 minutes"


def _server(database_url: str, tmp_path: Path, redis_url: str) -> Flask:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        RATELIMIT_STORAGE_URI = redis_url  # what REDIS_URL sets outside the tests
        LOGIN_MAX_PER_ADDRESS = LIMIT
        OUTBOX_DIR = str(tmp_path / "outbox")

    return create_app(Config)


def _wrong_password_from(server: Flask, address: str, n: int) -> int:
    browser = server.test_client()
    browser.environ_base["REMOTE_ADDR"] = address
    return sign_in(browser, f"guess{n}@example.org", "not-the-password-at-all").status_code


def test_failures_per_address_are_counted_across_app_servers(app: Any, db: Any, database_url: str, tmp_path: Path,
                                                            redis_url: str) -> None:
    address = f"test-{uuid.uuid4().hex}"  # this test's own key, whatever else uses the Redis database
    db.session.commit()
    servers = [_server(database_url, tmp_path, redis_url)]
    try:
        assert [_wrong_password_from(servers[0], address, n) for n in range(2)] == [401, 401]
        servers.append(_server(database_url, tmp_path, redis_url))  # another server process, or this one restarted
        assert _wrong_password_from(servers[1], address, 3) == 429
    finally:
        limiter.limiter.clear(parse(LIMIT), "sign-in-failures", address)
        for server in servers:
            with server.app_context():
                _db.engine.dispose()
