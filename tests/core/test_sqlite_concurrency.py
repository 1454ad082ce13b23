"""Concurrent writers on the embedded SQLite database queue instead of failing with
"database is locked": write transactions take the lock at BEGIN (BEGIN IMMEDIATE)."""
from __future__ import annotations

import re
import threading

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lea_support.core.models import AuditEntry
from lea_support.extensions import db as _db
from lea_support.schools import services
from lea_support.schools.models import SupportAllocation
from tests.conftest import ON_POSTGRES, PASSWORD

WRITERS, WRITES_EACH = 4, 8
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _token(client: FlaskClient, url: str) -> str:
    return _CSRF.search(client.get(url).get_data(as_text=True)).group(1)


def test_concurrent_http_writers_all_succeed(app, create_school, create_user, db):
    school = create_school()
    emails = [create_user("sia").email for _ in range(WRITERS)]
    url = f"/allocations/2026-27/{school.urn}"
    db.session.commit()  # let go of the test's own lock before the writers start
    statuses: list[int] = []
    errors: list[BaseException] = []
    ready = threading.Barrier(WRITERS)

    def writer(email: str, n: int) -> None:
        try:
            # A plain client in a fresh thread: each request has its own context and connection.
            client = FlaskClient(app, app.response_class, use_cookies=True)
            client.post("/sign-in", data={"email": email, "password": PASSWORD,
                                          "csrf_token": _token(client, "/sign-in")})
            token = _token(client, url)
            ready.wait()
            for i in range(WRITES_EACH):
                response = client.post(url, data={"csrf_token": token, "link_visits": str(n * 10 + i),
                                                  "consultant_days": "1", "reason": f"writer {n} write {i}"})
                statuses.append(response.status_code)
        except BaseException as exc:  # reported below, with the thread's own message
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(email, n)) for n, email in enumerate(emails)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert statuses == [302] * (WRITERS * WRITES_EACH)
    adjustments = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "allocation.adjust"))
    assert adjustments == WRITERS * WRITES_EACH
    assert db.session.scalar(select(func.count()).select_from(SupportAllocation)) == 1


@pytest.mark.sqlite_only
def test_concurrent_service_writers_outside_requests(app, create_school, create_user, db):
    """The CLI and background jobs write outside any request: they queue too."""
    if ON_POSTGRES:
        pytest.skip("SQLite behaviour")
    school_ids = [create_school().id for _ in range(WRITERS)]
    actor_id = create_user("admin").id
    db.session.commit()
    errors: list[BaseException] = []
    ready = threading.Barrier(WRITERS)

    def writer(n: int) -> None:
        try:
            with app.app_context():
                from lea_support.auth.models import User
                from lea_support.schools.models import School

                ready.wait()
                for i in range(WRITES_EACH):
                    actor = _db.session.get(User, actor_id)
                    # Read first, then write: the pattern deferred transactions get wrong.
                    _db.session.scalar(select(func.count()).select_from(AuditEntry))
                    school = _db.session.get(School, school_ids[(n + i) % WRITERS])
                    services.adjust_allocation(actor, school, "2026/27", link_visits=i, consultant_days=1,
                                               reason=f"{n}-{i}")
                    _db.session.commit()
                _db.session.remove()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "allocation.adjust")) == WRITERS * WRITES_EACH
