"""Fixtures: a migrated database per test (SQLite file, or PostgreSQL when TEST_DATABASE_URL
is set), the app, a client, sign-in through the real form, and small factories."""
from __future__ import annotations

import contextvars
import itertools
import os
import re
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, make_url, text
from werkzeug.serving import make_server

from lea_support import create_app
from lea_support.config import TestConfig
from lea_support.extensions import db as _db

PASSWORD = "correct-horse-staple-42"
PG_URL = os.environ.get("TEST_DATABASE_URL") or ""
ON_POSTGRES = PG_URL.startswith("postgresql")
# Reference data loaded by the migrations; kept between tests.
REFERENCE_TABLES = {"alembic_version", "support_tiers", "tier_levels", "visit_types", "judgement_scales",
                    "scale_grades", "review_frameworks", "review_aspects"}
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def make_app(database_url: str, **overrides: Any) -> Flask:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(Config)
    app.config.update(overrides)
    return app


def migrate_to_head(database_url: str) -> None:
    from flask_migrate import upgrade

    app = make_app(database_url)
    with app.app_context():
        upgrade()
        _db.engine.dispose()


@contextmanager
def private_postgres_database(url: str, suffix: str = "") -> Iterator[str]:
    """A fresh database beside the one named in TEST_DATABASE_URL, for this run only, so that
    concurrent runs on one server never trample each other's schema."""
    base = make_url(url)
    name = f"{base.database}_{os.getpid()}{suffix}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield base.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated to head once per run: a SQLite file to copy, or a private PG database."""
    if ON_POSTGRES:
        with private_postgres_database(PG_URL) as url:
            migrate_to_head(url)
            yield url
        return
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate_to_head(f"sqlite:///{path}")
    yield str(path)


@pytest.fixture
def database_url(template_database: str, tmp_path: Path) -> str:
    if ON_POSTGRES:
        return template_database
    path = tmp_path / "test.db"
    shutil.copyfile(template_database, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Any:
    app = make_app(database_url, ATTACHMENTS_DIR=str(tmp_path / "attachments"), OUTBOX_DIR=str(tmp_path / "outbox"))
    app.test_client_class = IsolatedClient
    with app.app_context():
        if ON_POSTGRES:
            tables = [t.name for t in _db.metadata.sorted_tables if t.name not in REFERENCE_TABLES]
            with _db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app: Flask) -> Any:
    return _db


class IsolatedClient(FlaskClient):
    """A test client whose requests run as they would on a server: in their own application
    context (so `g` and the database session are per request, not shared with the test).

    Before each request the test's own session commits what the test set up and lets go of
    SQLite's write lock; its objects are expired, so they read back what the request saved.
    """

    def open(self, *args: Any, stream: bool = False, **kwargs: Any) -> Any:
        """`stream=True` hands back a streamed body (a CSV download) unread, to be read a chunk at a
        time; otherwise it is read whole here, as a browser would, and the request ends."""
        if has_app_context():  # not when following a redirect, which runs inside the request's run
            _db.session.commit()
        context = contextvars.Context()
        response = context.run(super().open, *args, **kwargs)
        if not isinstance(response.response, (list, tuple, _InContext)):
            # A streamed body (stream_with_context) is written as it is read, and its request ends
            # when it is closed: both in the request's own context, never in the test's.
            response.response = _InContext(context, response.response)
            if not stream:
                response.make_sequence()
                response.close()
        return response


class _InContext:
    """A response body read, and closed, inside the context its request ran in."""

    def __init__(self, context: contextvars.Context, body: Any) -> None:
        self.context, self.body, self.iterator = context, body, iter(body)

    def __iter__(self) -> "_InContext":
        return self

    def __next__(self) -> Any:
        return self.context.run(next, self.iterator)

    def close(self) -> None:
        if hasattr(self.body, "close"):
            self.context.run(self.body.close)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@contextmanager
def recorded_statements() -> Iterator[list[str]]:
    """Every SQL statement run inside the block, for tests that a page's query count is fixed."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    event.listen(_db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(_db.engine, "before_cursor_execute", record)


def count_queries(client: FlaskClient, url: str) -> int:
    """How many SQL statements a GET of the page runs (which must answer 200)."""
    with recorded_statements() as seen:
        assert client.get(url).status_code == 200
    return len(seen)


def csrf_token(client: FlaskClient, url: str = "/sign-in") -> str:
    """The CSRF token a user's browser would have from the form page."""
    page = client.get(url)
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url} ({page.status_code})"
    return match.group(1)


def submit(client: FlaskClient, url: str, data: dict[str, Any], *, form_url: str | None = None, **kw: Any) -> Any:
    """Post a form as a browser would: fetch the page for its CSRF token, then submit."""
    token = csrf_token(client, form_url or url)
    return client.post(url, data={**data, "csrf_token": token}, **kw)


_counter = itertools.count(1)


@pytest.fixture
def create_school(db: Any) -> Callable[..., Any]:
    from lea_support.schools.models import School

    def make(**kw: Any) -> School:
        n = next(_counter)
        values = dict(urn=800000 + n, la_code="999", la_name="Test LA", establishment_number=str(1000 + n),
                      name=f"Test School {n}", type_name="Community school", phase="Primary", status="Open")
        values.update(kw)
        school = School(**values)
        db.session.add(school)
        db.session.commit()
        return school

    return make


@pytest.fixture
def create_user(db: Any) -> Callable[..., Any]:
    from lea_support.auth.services import create_user as create

    def make(role: str = "admin", *, schools: list[Any] | None = None, email: str | None = None,
             name: str | None = None, password: str = PASSWORD) -> Any:
        n = next(_counter)
        user = create(None, email=email or f"{role}{n}@example.org", name=name or f"{role.title()} {n}",
                      role=role, password=password, school_urns=[s.urn for s in schools or []])
        db.session.commit()
        return user

    return make


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    return submit(client, "/sign-in", {"email": email, "password": password})


@pytest.fixture
def login_as(client: FlaskClient, create_user: Callable[..., Any]) -> Callable[..., Any]:
    """Create a user of a role and sign them in through the sign-in form."""

    def login(role: str, *, schools: list[Any] | None = None) -> Any:
        user = create_user(role, schools=schools)
        response = sign_in(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return login


@pytest.fixture
def create_note(db: Any, create_school: Callable[..., Any], create_user: Callable[..., Any]) -> Callable[..., Any]:
    """A note of visit stored directly (status, school and adviser as given)."""
    from datetime import date

    from lea_support.casework.models import NoteOfVisit

    def make(*, school: Any = None, adviser: Any = None, status: str = "draft", **kw: Any) -> NoteOfVisit:
        values = dict(visit_date=date(2026, 11, 10), visit_type_code="core_support", status=status,
                      purpose="Review progress on reading", discussion="Discussed phonics",
                      support_aspects=["support4success"], minutes_spent=120)
        values.update(kw)
        note = NoteOfVisit(school_id=(school or create_school()).id, adviser_id=(adviser or create_user("link_adviser")).id,
                           **values)
        db.session.add(note)
        db.session.commit()
        return note

    return make


@pytest.fixture
def create_review(db: Any, create_school: Callable[..., Any], create_user: Callable[..., Any]) -> Callable[..., Any]:
    """A Joint LEA/School Review stored directly, on the current framework and scale, with its lead
    on the team (and any `team` of (user, team_role) pairs)."""
    from datetime import date

    from sqlalchemy import select

    from lea_support.reviews.models import JointReview, JudgementScale, ReviewFramework, ReviewTeamMember

    def make(*, school: Any = None, lead: Any = None, stage: str = "planned", team: list | None = None,
             **kw: Any) -> JointReview:
        lead = lead or create_user("sia")
        framework = db.session.scalars(select(ReviewFramework).where(ReviewFramework.is_current.is_(True))).one()
        scale = db.session.scalars(select(JudgementScale).where(JudgementScale.is_current.is_(True))).one()
        review = JointReview(school_id=(school or create_school(support_tier="significant", mcs_level=3)).id,
                             framework_id=framework.id, scale_id=scale.id, lead_id=lead.id, stage=stage,
                             starts_on=kw.pop("starts_on", date(2026, 11, 16)), **kw)
        review.team = [ReviewTeamMember(user_id=lead.id, team_role="lead")] + [
            ReviewTeamMember(user_id=u.id, team_role=role) for u, role in (team or [])]
        db.session.add(review)
        db.session.commit()
        return review

    return make


@pytest.fixture
def create_plan(db: Any, create_school: Callable[..., Any], create_user: Callable[..., Any]) -> Callable[..., Any]:
    """A Raising Achievement Plan made through the services: objectives (each with a success
    criterion and an action owned by the school's English lead), in the status asked for. An
    agreed plan has its project team and its mid-point review scheduled 10 weeks after `agreed_on`."""
    from datetime import date, timedelta

    from lea_support.rap import services

    def make(*, school: Any = None, sia: Any = None, head: Any = None, status: str = "agreed",
             agreed_on: date = date(2026, 12, 10), objectives: int = 2, link_adviser: Any = None) -> Any:
        if school is None:
            link_adviser = link_adviser or create_user("link_adviser")
            school = create_school(support_tier="significant", mcs_level=3, link_adviser_id=link_adviser.id)
        sia = sia or create_user("sia")
        head = head or create_user("school_leader", schools=[school])
        plan = services.draft_plan(sia, school, sip_reference="SIP 2026-27")
        for i in range(1, objectives + 1):
            objective = services.add_objective(sia, plan, f"Objective {i}: raise attainment")
            services.add_criterion(sia, objective, measure=f"Measure {i}", baseline="50%", target="70%",
                                   by_when=agreed_on + timedelta(weeks=30))
            services.add_action(sia, objective, services.ActionData(
                what=f"Action for objective {i}", owner_id=None, owner_role="English lead",
                starts_on=agreed_on, due_on=agreed_on + timedelta(weeks=8)))
        if status in {"submitted", "agreed"}:
            services.submit_plan(sia, plan)
        if status == "agreed":
            services.sign_off_plan(head, plan, on=agreed_on)
            services.sign_off_plan(sia, plan, on=agreed_on, midpoint_review_on=agreed_on + timedelta(weeks=10))
        db.session.commit()
        return plan

    return make


# --- real browser --------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """The app on 127.0.0.1 at a free port, one thread per request (as Chromium opens several
    connections at once). Shut down and every request thread joined afterwards."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=f"server-{server.server_port}")
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()  # joins the request threads and closes the listening socket


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The test app served on 127.0.0.1 for a browser test."""
    with serving(app) as url:
        yield url


@pytest.fixture
def browser_page() -> Iterator[Any]:
    """A fresh page in headless Chromium, with the console errors it logs."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.console_errors = []  # type: ignore[attr-defined]
            page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
            page.on("pageerror", lambda err: page.console_errors.append(str(err)))
            yield page
        finally:
            browser.close()
