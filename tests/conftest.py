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
from jinja2 import BytecodeCache, Environment, FileSystemBytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.exc import DBAPIError
from werkzeug.serving import make_server

from lea_support import create_app
from lea_support.config import TestConfig
from lea_support.extensions import db as _db

PASSWORD = "correct-horse-staple-42"
PG_URL = os.environ.get("TEST_DATABASE_URL") or ""
ON_POSTGRES = PG_URL.startswith("postgresql")
# Reference data loaded by the migrations; kept between tests.
REFERENCE_TABLES = {"alembic_version", "bank_holidays", "change_counters", "support_tiers", "tier_levels",
                    "visit_types", "judgement_scales", "retention_rules",
                    "scale_grades", "review_frameworks", "review_aspects"}
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class SharedTemplateCache(BytecodeCache):
    """Compiled templates shared by every app the run makes. Each test makes an app of its own,
    whose Jinja environment would compile every template it renders again (a quarter of the
    run's time); this keeps each compiled template in memory for the next app, and in a folder
    of the run's for the other xdist workers. Keyed as Jinja keys its own bytecode caches (the
    template's name and file, and a checksum of its source, so an edited template is compiled
    afresh) and by the environment's compiling settings."""

    def __init__(self) -> None:
        self.compiled: dict[tuple[str, str], Any] = {}
        self.folder: FileSystemBytecodeCache | None = None

    def share_through(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.folder = FileSystemBytecodeCache(str(directory))

    def get_bucket(self, environment: Environment, name: str, filename: str | None, source: str) -> Bucket:
        settings = repr((environment.block_start_string, environment.block_end_string,
                         environment.variable_start_string, environment.variable_end_string,
                         environment.comment_start_string, environment.comment_end_string,
                         environment.line_statement_prefix, environment.line_comment_prefix,
                         environment.trim_blocks, environment.lstrip_blocks, environment.newline_sequence,
                         environment.keep_trailing_newline, sorted(environment.extensions),
                         environment.optimized, environment.finalize is None, environment.is_async,
                         getattr(environment.autoescape, "__qualname__", environment.autoescape)))
        key = self.get_cache_key(name + "\0" + settings, filename)
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.compiled.get((bucket.key, bucket.checksum))
        if code is None and self.folder is not None:
            self.folder.load_bytecode(bucket)  # sets bucket.code only if the checksum matches
            code = bucket.code
            if code is not None:
                self.compiled[bucket.key, bucket.checksum] = code
        bucket.code = code

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key, bucket.checksum] = bucket.code
        if self.folder is not None:
            self.folder.dump_bytecode(bucket)


TEMPLATE_CACHE = SharedTemplateCache()


@pytest.fixture(scope="session", autouse=True)
def shared_template_cache(tmp_path_factory: pytest.TempPathFactory) -> SharedTemplateCache:
    """The compiled templates' folder: one for the whole run, shared by its xdist workers."""
    run_root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        run_root = run_root.parent  # each worker's basetemp is a folder of the run's
    TEMPLATE_CACHE.share_through(run_root / "jinja-bytecode")
    return TEMPLATE_CACHE


def make_app(database_url: str, **overrides: Any) -> Flask:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(Config)
    app.config.update(overrides)
    app.jinja_env.bytecode_cache = TEMPLATE_CACHE  # the PDF renderer's overlay of it inherits this
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
            with _db.engine.begin() as conn:
                empty_postgres_tables(conn)
        yield app
        _db.session.remove()
        _db.engine.dispose()


def empty_postgres_tables(conn: Any) -> None:
    """Empty every table but the reference data's, and restart their ids, for the next test on
    the run's PostgreSQL database: what `TRUNCATE <all of them> RESTART IDENTITY CASCADE` does,
    but that takes a second or more (new files for some fifty tables and their indexes), while
    a DELETE from the few tables a test wrote to takes milliseconds. Tables whose triggers refuse
    a DELETE (the audit log, published governor reports) are truncated, alone."""
    tables = [t for t in _db.metadata.sorted_tables if t.name not in REFERENCE_TABLES]
    written = set(conn.scalars(text(" UNION ALL ".join(
        f"SELECT '{t.name}' WHERE EXISTS (SELECT FROM {t.name})" for t in tables))))
    refusing = set(conn.scalars(text(  # tables with a trigger of their own on DELETE
        "SELECT c.relname FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid "
        "WHERE NOT tg.tgisinternal AND tg.tgtype & 8 <> 0 AND c.relnamespace = current_schema()::regnamespace")))
    try:
        with conn.begin_nested():
            if written & refusing:
                conn.execute(text(f"TRUNCATE {', '.join(sorted(written & refusing))} CASCADE"))
            for table in reversed(tables):  # each table before those it refers to
                if table.name in written - refusing:
                    conn.execute(table.delete())
    except DBAPIError:  # whatever else refuses: all of them, as before
        conn.execute(text(f"TRUNCATE {', '.join(t.name for t in tables)} RESTART IDENTITY CASCADE"))
        return
    names = ", ".join(f"'{t.name}'" for t in tables)
    conn.execute(text(  # setval in place: ALTER SEQUENCE ... RESTART would make each a new file too
        "SELECT setval(format('%I.%I', s.schemaname, s.sequencename), s.start_value, false) "
        "FROM pg_sequences s JOIN pg_namespace n ON n.nspname = s.schemaname "
        "JOIN pg_class seq ON seq.relname = s.sequencename AND seq.relnamespace = n.oid "
        "JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = seq.oid AND d.deptype IN ('a', 'i') "
        "JOIN pg_class t ON t.oid = d.refobjid "
        f"WHERE s.schemaname = current_schema() AND s.last_value IS NOT NULL AND t.relname IN ({names})"))


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


# The factories, as plain functions for fixtures that build data outside a test (in an app
# context); tests use them through the create_* fixtures below.

def new_school(**kw: Any) -> Any:
    from lea_support.schools.models import School

    n = next(_counter)
    values = dict(urn=800000 + n, la_code="999", la_name="Test LA", establishment_number=str(1000 + n),
                  name=f"Test School {n}", type_name="Community school", phase="Primary", status="Open")
    values.update(kw)
    school = School(**values)
    _db.session.add(school)
    _db.session.commit()
    return school


def new_user(role: str = "admin", *, schools: list[Any] | None = None, email: str | None = None,
             name: str | None = None, password: str = PASSWORD) -> Any:
    from lea_support.auth.services import create_user as create

    n = next(_counter)
    user = create(None, email=email or f"{role}{n}@example.org", name=name or f"{role.title()} {n}",
                  role=role, password=password, school_urns=[s.urn for s in schools or []],
                  specialism="literacy" if role == "consultant" else None)
    _db.session.commit()
    return user


def new_note(*, school: Any = None, adviser: Any = None, status: str = "draft", **kw: Any) -> Any:
    """A note of visit stored directly (status, school and adviser as given)."""
    from datetime import date

    from lea_support.casework.models import NoteOfVisit

    values = dict(visit_date=date(2026, 11, 10), visit_type_code="core_support", status=status,
                  purpose="Review progress on reading", discussion="Discussed phonics",
                  support_aspects=["support4success"], minutes_spent=120)
    values.update(kw)
    note = NoteOfVisit(school_id=(school or new_school()).id, adviser_id=(adviser or new_user("link_adviser")).id,
                       **values)
    _db.session.add(note)
    _db.session.commit()
    return note


def new_review(*, school: Any = None, lead: Any = None, stage: str = "planned", team: list | None = None,
               **kw: Any) -> Any:
    """A Joint LEA/School Review stored directly, on the current framework and scale, with its lead
    on the team (and any `team` of (user, team_role) pairs)."""
    from datetime import date

    from sqlalchemy import select

    from lea_support.reviews.models import JointReview, JudgementScale, ReviewFramework, ReviewTeamMember

    lead = lead or new_user("sia")
    framework = _db.session.scalars(select(ReviewFramework).where(ReviewFramework.is_current.is_(True))).one()
    scale = _db.session.scalars(select(JudgementScale).where(JudgementScale.is_current.is_(True))).one()
    review = JointReview(school_id=(school or new_school(support_tier="significant", mcs_level=3)).id,
                         framework_id=framework.id, scale_id=scale.id, lead_id=lead.id, stage=stage,
                         starts_on=kw.pop("starts_on", date(2026, 11, 16)), **kw)
    review.team = [ReviewTeamMember(user_id=lead.id, team_role="lead")] + [
        ReviewTeamMember(user_id=u.id, team_role=role) for u, role in (team or [])]
    _db.session.add(review)
    _db.session.commit()
    return review


@pytest.fixture
def create_school(db: Any) -> Callable[..., Any]:
    return new_school


@pytest.fixture
def create_user(db: Any) -> Callable[..., Any]:
    return new_user


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
def create_note(db: Any) -> Callable[..., Any]:
    """A note of visit stored directly (status, school and adviser as given)."""
    return new_note


@pytest.fixture
def create_review(db: Any) -> Callable[..., Any]:
    """A Joint LEA/School Review stored directly, on the current framework and scale, with its lead
    on the team (and any `team` of (user, team_role) pairs)."""
    return new_review


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


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the run (for each xdist worker), started when a test first
    needs it: each test has a browser context of its own in it (browser_page)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[Any]:
    """A fresh page in headless Chromium, in a browser context of its own (no cookies, storage or
    cache from another test), with the console errors it logs."""
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.console_errors = []  # type: ignore[attr-defined]
        page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
        page.on("pageerror", lambda err: page.console_errors.append(str(err)))
        yield page
    finally:
        context.close()


def make_review_happen(review: Any, *, grade: int = 3) -> Any:
    """Give a review stored directly what publishing needs of a review that happened: every
    pre-review item seen, a key question, and fieldwork evidence (on its first day) that answers
    it and judges every aspect no evidence judges yet. Stored directly, like `new_review`."""
    from sqlalchemy import select

    from lea_support.reviews.models import (
        PRE_REVIEW_KINDS,
        EvidenceAnswer,
        EvidenceJudgement,
        FieldworkEvidence,
        KeyQuestion,
        PreReviewItem,
    )

    items = {i.kind: i for i in review.pre_review_items}
    for kind in PRE_REVIEW_KINDS:
        item = items.get(kind) or PreReviewItem(review_id=review.id, kind=kind)
        item.status, item.notes = "seen", "Read before the review"
        _db.session.add(item)
    question = review.key_questions[0] if review.key_questions else KeyQuestion(
        review_id=review.id, position=1, text="How well do pupils learn to read?")
    _db.session.add(question)
    _db.session.flush()
    judged = set(_db.session.scalars(select(EvidenceJudgement.aspect_id).join(FieldworkEvidence).where(
        FieldworkEvidence.review_id == review.id)))
    evidence = FieldworkEvidence(review_id=review.id, kind="work_scrutiny", occurred_on=review.starts_on,
                                 summary="Books scrutinised with the school's leaders")
    evidence.judgements = [EvidenceJudgement(aspect_id=a.id, scale_id=review.scale_id, grade=grade, rationale="Seen")
                           for a in review.framework.aspects if a.id not in judged]
    evidence.answers = [EvidenceAnswer(key_question_id=question.id, answer="Well, in most classes")]
    _db.session.add(evidence)
    _db.session.commit()
    _db.session.expire(review)
    return review
