"""Benchmark figures for lea-support: `make bench`.

1. How long a 50,000-row GIAS file takes to import (SQLite, fresh migrated database).
2. Server time for every main page: the school list (with filters), a school page with its
   timeline, a link adviser's caseload (and the authority overview, timed at most 30 times), the
   plans dashboard, a published Joint LEA/School Review, and the governor portal (signed in as a
   governor of two schools), a school's profile of national data beside its LA's and England's
   figures, and the SIA's tier-review queue. First at 600 schools with one year of history, then at 25,000 with
   ten years (as `lea-support demo --scale national` makes them, with the same bench_data
   generator: about a million notes of visit), so that neither more schools nor more history may
   cost more queries. Each page beside /healthz of the same app in the same run, with its SQL
   query count; on SQLite, and on PostgreSQL when a server answers on 127.0.0.1:5432 (in its own
   database, `lea_bench`, never the test suite's).
3. Governor reports (SQLite, fresh database): median render time of a one-page and of a full
   report, bulk generation of 600 reports on 2 worker processes, and each worker's peak memory.
4. PDFs (SQLite, fresh database): median render time of a note of visit at the largest size the
   forms allow (100 agreed actions, every text field about 2,000 characters), through the render
   pool as a request makes it; and how long a render killed at its time limit takes to give its
   CPU back (from the limit passing to its worker process being gone). `--only-pdf` runs this alone.
5. National data (SQLite, fresh database, a register of every school in the files): importing the
   national census file (23,942 rows) and the national absence file, each first (every value new)
   and again (every value unchanged), from ../shared/data when it is there. `--only-data` runs this
   alone.

Requests go through Flask's test client in-process, each signed in through the real sign-in form
(an administrator, and a governor for the governor portal), each request in its own application
context as on a server. Timing targets are printed beside the figures as PASS or FAIL; they are
not tests.
"""
from __future__ import annotations

import argparse
import logging
import re
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, event, func, make_url, select, text
from sqlalchemy.engine import Engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lea_support import create_app  # noqa: E402
from lea_support.config import Config  # noqa: E402
from lea_support.core.limits import LONG_TEXT, MAX_AGREED_ACTIONS, MEDIUM_TEXT, SHORT_TEXT  # noqa: E402
from lea_support.extensions import db  # noqa: E402

PG_SERVER = ("127.0.0.1", 5432)
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/lea_bench"
ADMIN_EMAIL, ADMIN_PASSWORD = "admin@bench.invalid", "timing-run-sign-in-2026"
GOVERNOR_PASSWORD = ADMIN_PASSWORD
SMALL, LARGE = 600, 25_000
# Years of history at each scale: the caseload and the school pages must cost the same with ten.
YEARS = {SMALL: 1, LARGE: 10}
SCHOOLS_PER_ADVISER = 50
IMPORT_ROWS = 50_000
IMPORT_TARGET_S = 60.0
DATA_IMPORT_TARGET_S = 10.0  # issue 15: each national data file on SQLite
NATIONAL_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
NATIONAL_FILES = ("census/census-2018-19-england.csv", "absence/absence-2018-19-england.csv")
LIST_RATIO_TARGET = 10.0
PAGE_RATIO_TARGET = 15.0  # issue 7's target for every main page at national scale
P95_TARGET_S = 0.050  # issue 7: every main page's p95 at national scale
OVERVIEW_REQUESTS = 30  # the authority overview is timed this many times at most
LIST_PAGES = [
    "/schools",
    "/schools?tier=significant&level=4",
    "/schools?q=park",
    "/schools?phase=Primary&sort=pupils&dir=desc",
]
# The plans dashboard: every open plan, and one filtered to those with overdue actions.
PLAN_PAGES = ["/plans", "/plans?overdue=1"]
EVIDENCE_PROMPTS = 300  # open tier-review prompts added with each stage
# Issue 19, item 4: an LA-wide programme at the MITA case study's size is seeded with each stage
# (44 of its schools, 600 participants, 40 sessions, 200 review reports) and its pages timed; off
# with --no-programme.
PROGRAMME = {"on": True, "schools": 44}
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def bench_config(url: str) -> type[Config]:
    class BenchConfig(Config):
        ENV_NAME = "bench"
        SECRET_KEY = "bench-only-not-secret"
        SQLALCHEMY_DATABASE_URI = url
        GIAS_LA_CODES: list[str] = []
        # The timed staff sign in with a password alone: a second factor is not what is measured.
        MFA_REQUIRED_FOR_STAFF = False

    return BenchConfig


def migrate(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app(bench_config(url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


def postgres_answers() -> bool:
    try:
        socket.create_connection(PG_SERVER, 1).close()
    except OSError:
        return False
    return True


def fresh_postgres(url: str) -> None:
    """Create the bench database if missing, and empty it: the test suite's database is never touched."""
    target = make_url(url)
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}) is None:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        server.dispose()
    bench = create_engine(target, isolation_level="AUTOCOMMIT")
    try:
        with bench.connect() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        bench.dispose()


@contextmanager
def database(engine_name: str, workdir: Path) -> Iterator[str]:
    """A fresh database migrated to head: a new SQLite file, or the emptied `lea_bench`."""
    if engine_name == "sqlite":
        path = workdir / f"bench-{time.monotonic_ns()}.db"
        url = f"sqlite:///{path}"
    else:
        url = PG_URL
        fresh_postgres(url)
    migrate(url)
    yield url


def tidy_postgres_statistics(engine_name: str) -> None:
    """After a bulk load, what autovacuum would soon do on a live server: fresh planner
    statistics and a visibility map (so that index-only scans are possible)."""
    if engine_name != "postgresql":
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


# --- measuring ---------------------------------------------------------------------------

class SqlMeter:
    """Counts the statements (and the time spent in them) of each request on one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.count = 0
        self.seconds = 0.0
        self._started: list[float] = []

    def _before(self, *_: Any) -> None:
        self.count += 1
        self._started.append(time.perf_counter())

    def _after(self, *_: Any) -> None:
        if self._started:
            self.seconds += time.perf_counter() - self._started.pop()

    def reset(self) -> None:
        self.count, self.seconds, self._started = 0, 0.0, []

    def __enter__(self) -> "SqlMeter":
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *_: Any) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)


@dataclass
class PageFigures:
    label: str
    url: str
    times: list[float] = field(default_factory=list)
    sql_times: list[float] = field(default_factory=list)
    queries: set[int] = field(default_factory=set)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.times, n=20, method="inclusive")[18]

    @property
    def sql_median(self) -> float:
        return statistics.median(self.sql_times)

    @property
    def query_count(self) -> str:
        low, high = min(self.queries), max(self.queries)
        return str(low) if low == high else f"{low}-{high}"


def signed_in_client(app: Flask, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> Any:
    client = app.test_client()
    page = client.get("/sign-in")
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, "no CSRF token on the sign-in page"
    response = client.post("/sign-in", data={"email": email, "password": password, "csrf_token": match.group(1)})
    assert response.status_code == 302, f"sign-in as {email} failed: {response.status_code}"
    return client


@dataclass
class Page:
    """A page to measure: its label (the same at both scales), its URL at this scale, and who asks."""

    label: str
    url: str
    client: Any
    # At most this many timed requests (an authority-wide report that is slow at national scale
    # would otherwise take most of the run).
    most: int | None = None


def measure(meter: SqlMeter, pages: list[Page], requests: int, warmup: int) -> dict[str, PageFigures]:
    """Each page `requests` times, round-robin so that any noise falls on every page alike."""
    figures = {page.label: PageFigures(page.label, page.url) for page in pages}
    for round_number in range(warmup + requests):
        for page in pages:
            if page.most is not None and round_number >= warmup + page.most:
                continue
            meter.reset()
            started = time.perf_counter()
            response = page.client.get(page.url)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, f"{page.url}: {response.status_code}"
            if round_number >= warmup:
                figures[page.label].times.append(elapsed)
                figures[page.label].sql_times.append(meter.seconds)
                figures[page.label].queries.add(meter.count)
    return figures


# --- the runs ----------------------------------------------------------------------------

def run_import(workdir: Path, rows: int) -> dict[str, Any] | None:
    """Generate a GIAS file and import it twice (new schools, then all unchanged); None if the
    importer is not there yet."""
    try:
        from lea_support.schools.gias import import_gias
        from tools.gias_sample import write_gias_file
    except ImportError:
        return None
    result: dict[str, Any] = {"rows": rows}
    try:
        started = time.perf_counter()
        path = write_gias_file(workdir / "edubasealldata-bench.csv", rows, la_codes=("999",), seed=0)
        result.update(generate_s=time.perf_counter() - started, mb=path.stat().st_size / 1e6)
        with database("sqlite", workdir) as url:
            app = create_app(bench_config(url))
            try:
                for label in ("first", "again"):
                    with app.app_context():
                        started = time.perf_counter()
                        with path.open("rb") as stream:
                            summary = import_gias(None, stream, filename=path.name, la_codes=None)
                        db.session.commit()
                        result[f"{label}_s"] = time.perf_counter() - started
                        result[f"{label}_summary"] = summary
            finally:
                with app.app_context():
                    db.engine.dispose()
    except Exception as err:  # a figure for the pages is still worth having
        result["error"] = f"{type(err).__name__}: {err}".splitlines()[0][:300]
    return result


@dataclass
class Stage:
    """What one scale's seeding made that the pages need."""

    schools: int
    years: int
    seconds: float
    counts: list[tuple[str, int]]
    busy_urn: int
    adviser_id: int
    review_id: int
    governor_email: str
    governor_urns: list[int]
    adviser_email: str = ""
    head_email: str = ""
    programme: Any = None  # tools.programme_data.SeededProgramme, unless --no-programme


def seed_stage(n: int, start_urn: int, *, years: int, seed: int, advisers_before: int) -> Stage:
    """`n` schools from `start_urn` with `years` of history, as `lea-support demo --scale` makes
    them, shared by their own link advisers (about fifty schools each); a review published through
    the services (with its fieldwork evidence and PDF), and a governor of two of the schools."""
    from lea_support.auth.models import User
    from lea_support.auth.services import create_user
    from lea_support.demo import _seed_review
    from lea_support.schools.models import School
    from tools.bench_data import bench_users, seed_evidence, seed_history, seed_schools

    started = time.perf_counter()
    advisers = advisers_before + max(1, n // SCHOOLS_PER_ADVISER)
    *every_adviser, sia_id = bench_users(advisers)
    adviser_ids = every_adviser[advisers_before:]
    made = seed_schools(n, seed=seed, start_urn=start_urn, adviser_ids=adviser_ids, sia_id=sia_id)
    history = seed_history(start_urn, n, years=years, seed=seed, adviser_ids=adviser_ids, sia_id=sia_id)
    in_stage = (School.urn >= start_urn) & (School.urn < start_urn + n) & (School.status != "Closed")
    significant = db.session.scalars(select(School).where(in_stage, School.support_tier == "significant",
                                                          School.link_adviser_id.is_not(None))
                                     .order_by(School.urn)).first()
    other = db.session.scalars(select(School).where(in_stage, School.support_tier != "significant")
                               .order_by(School.urn)).first()
    sia = db.session.get(User, sia_id)
    review = _seed_review(significant, sia, db.session.get(User, significant.link_adviser_id))
    governor_email = f"governor{n}@bench.invalid"
    create_user(None, email=governor_email, name="Gill Governor", role="governor", password=GOVERNOR_PASSWORD,
                school_urns=[significant.urn, other.urn])
    head_email = f"leader{n}@bench.invalid"
    create_user(None, email=head_email, name="Chris Head", role="school_leader", password=GOVERNOR_PASSWORD,
                school_urns=[significant.urn])
    # Each home page is timed as its person sees it: the advisers' and the SIA's accounts get the
    # bench's own password (bench_data made them with one only they know).
    from lea_support.auth.services import hash_password

    adviser = db.session.get(User, adviser_ids[0])
    for person in (adviser, sia):
        person.password_hash = hash_password(GOVERNOR_PASSWORD)
    db.session.commit()
    # National data (issue 15): the busy school's profile over the stage's years, beside its LA's
    # and England's figures, and a queue of tier-review prompts for the SIA.
    evidence = seed_evidence(start_urn, n, busy_urn=made.busy_urns[0], years=years, prompts=EVIDENCE_PROMPTS,
                             seed=seed)
    programme = seed_stage_programme(n, in_stage, seed=seed) if PROGRAMME["on"] else None
    return Stage(schools=n, years=years, seconds=time.perf_counter() - started,
                 counts=history.items(made) + list(evidence.items()),
                 busy_urn=made.busy_urns[0], adviser_id=adviser_ids[0], review_id=review.id,
                 governor_email=governor_email, governor_urns=[significant.urn, other.urn],
                 adviser_email=adviser.email, head_email=head_email, programme=programme)


def seed_stage_programme(n: int, in_stage: Any, *, seed: int) -> Any:
    """A MITA-sized programme on the first open schools of the stage, with its own reviewer pool."""
    from lea_support.schools.models import School
    from tools.programme_data import reviewer_accounts, seed_programme

    schools = list(db.session.scalars(select(School.id).where(in_stage).order_by(School.urn)
                                      .limit(PROGRAMME["schools"])))
    reviewers = reviewer_accounts(15, prefix=f"reviewer{n}-")
    return seed_programme(schools, reviewers, name=f"MITA (stage of {n:,} schools)", seed=seed)


REMINDER_USERS = 2_500
REMINDER_RESULTS: dict[str, dict[str, Any]] = {}
REMINDERS_TARGET_S = 60.0  # issue 16, item 7: `reminders send` for 25,000 schools and 2,500 users


def add_reminder_users(total: int = REMINDER_USERS) -> int:
    """School leaders (one per open school, from the first) until there are `total` active
    accounts: each is counted for, as the advisers and the SIA are, and some have work waiting."""
    from lea_support.auth.models import User, user_schools
    from lea_support.schools.models import School
    from tools.bench_data import _bulk_insert

    have = db.session.scalar(select(func.count()).select_from(User)) or 0
    wanted = max(0, total - have)
    schools = db.session.scalars(select(School.id).where(School.status != "Closed").order_by(School.id)
                                 .limit(wanted)).all()
    password_hash = db.session.scalar(select(User.password_hash).limit(1))
    _bulk_insert(User, [{"email": f"head{k}@bench.invalid", "name": f"Head {k}", "role": "school_leader",
                         "password_hash": password_hash} for k in range(len(schools))])
    ids = dict(db.session.execute(select(User.email, User.id).where(User.email.like("head%@bench.invalid"))).all())
    db.session.execute(user_schools.insert(), [{"user_id": ids[f"head{k}@bench.invalid"], "school_id": school_id}
                                               for k, school_id in enumerate(schools)])
    db.session.commit()
    return len(schools)


def run_reminders(app: Flask, workdir: Path) -> dict[str, Any]:
    """`lea-support reminders send` over the national database: every active user's digest."""
    from lea_support.notifications.reminders import send_reminders

    app.config["OUTBOX_DIR"] = str(workdir / "reminder-outbox")
    with app.app_context():
        added = add_reminder_users()
        run = send_reminders()
        again = send_reminders()
    return {"users": run.people, "added": added, "sent": run.sent, "seconds": run.seconds,
            "again_sent": again.sent, "again_seconds": again.seconds}


def print_reminders(engine_name: str, result: dict[str, Any]) -> list[tuple[str, bool]]:
    ok = result["seconds"] < REMINDERS_TARGET_S
    print(f"  [{engine_name}] reminders send: {result['users']:,} users ({result['added']:,} school leaders added), "
          f"{result['sent']:,} e-mailed in {result['seconds']:.1f} s; run again: {result['again_sent']} e-mailed "
          f"in {result['again_seconds']:.1f} s")
    return [(f"{engine_name}: reminders send, {LARGE:,} schools and {result['users']:,} users, "
             f"{result['seconds']:.1f} s < {REMINDERS_TARGET_S:.0f} s", ok),
            (f"{engine_name}: reminders send run twice e-mails nobody twice", result["again_sent"] == 0)]


def stage_pages(app: Flask, stage: Stage) -> list[Page]:
    admin = signed_in_client(app)
    governor = signed_in_client(app, stage.governor_email, GOVERNOR_PASSWORD)
    adviser = signed_in_client(app, stage.adviser_email, GOVERNOR_PASSWORD)
    sia = signed_in_client(app, "sia@bench.invalid", GOVERNOR_PASSWORD)
    head = signed_in_client(app, stage.head_email, GOVERNOR_PASSWORD)
    return [
        Page("/healthz", "/healthz", admin),
        Page("home: administrator", "/", admin),
        Page("home: link adviser", "/", adviser),
        Page("home: SIA (with stalled cases)", "/", sia),
        Page("home: school leader", "/", head),
        Page("home: governor", "/", governor),
        *(Page(url, url, admin) for url in LIST_PAGES),
        Page("school page (timeline)", f"/schools/{stage.busy_urn}", admin),
        Page("caseload (one adviser)", f"/caseload?adviser={stage.adviser_id}", admin),
        Page("/overview", "/overview", admin, most=OVERVIEW_REQUESTS),
        *(Page(url, url, admin) for url in PLAN_PAGES),
        Page("published review", f"/reviews/{stage.review_id}", admin),
        Page("governor home", "/governor", governor),
        Page("governor: school page", f"/governor/schools/{stage.governor_urns[0]}", governor),
        Page("school profile (national data)", f"/schools/{stage.busy_urn}/profile", admin),
        Page("tier-review queue (SIA)", "/tier-reviews", sia),
        *programme_pages(admin, stage),
    ]


def programme_pages(admin: Any, stage: Stage) -> list[Page]:
    from tools.programme_data import programme_urls

    if stage.programme is None:
        return []
    return [Page(name, url, admin) for name, url in programme_urls(stage.programme)]


def run_pages(engine_name: str, workdir: Path, requests: int, warmup: int
              ) -> tuple[dict[int, dict[str, PageFigures]], dict[int, Stage]]:
    from lea_support.auth.services import create_user

    results: dict[int, dict[str, PageFigures]] = {}
    stages: dict[int, Stage] = {}
    with database(engine_name, workdir) as url:
        app = create_app(bench_config(url))
        with app.app_context():
            create_user(None, email=ADMIN_EMAIL, name="Alex Admin", role="admin", password=ADMIN_PASSWORD)
            db.session.commit()
        advisers = 0
        for size, start_urn, added in ((SMALL, 100001, SMALL), (LARGE, 100001 + SMALL, LARGE - SMALL)):
            with app.app_context():
                stages[size] = seed_stage(added, start_urn, years=YEARS[size], seed=size, advisers_before=advisers)
                advisers += max(1, added // SCHOOLS_PER_ADVISER)
                tidy_postgres_statistics(engine_name)
            print(f"  [{engine_name}] {size:,} schools: added {added:,} with {YEARS[size]} year(s) of history in "
                  f"{stages[size].seconds:.1f} s (" + ", ".join(f"{count:,} {name}" for name, count
                                                                in stages[size].counts) + ")", flush=True)
            # The pages are served by an app built afresh on the seeded database, as a server
            # process starts on one: create_app() then freezes what it built out of the garbage
            # collector (GC_FREEZE_AT_START), as it does in production, and the seeding's own
            # objects are not the server's to carry.
            server = create_app(bench_config(url))
            with server.app_context():
                engine = db.engine
            with SqlMeter(engine) as meter:
                results[size] = measure(meter, stage_pages(server, stages[size]), requests, warmup)
            engine.dispose()
            if size == LARGE:
                REMINDER_RESULTS[engine_name] = run_reminders(create_app(bench_config(url)), workdir)
        with app.app_context():
            db.engine.dispose()
    return results, stages


# --- printing ----------------------------------------------------------------------------

def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f}"


def print_pages(engine_name: str, results: dict[int, dict[str, PageFigures]]) -> list[tuple[str, bool]]:
    targets: list[tuple[str, bool]] = []
    print(f"\n== Page server time on {engine_name} (ms; ratio = median / median of /healthz, same run) ==")
    header = (f"{'page':44} {'schools':>7} {'years':>5} {'median':>8} {'p95':>8} {'ratio':>7} {'SQL ms':>8} "
              f"{'queries':>7}  target")
    print(header)
    print("-" * len(header))
    for size, figures in results.items():
        health = figures["/healthz"].median
        for label, page in figures.items():
            ratio = page.median / health
            mark = ""
            if size == LARGE and label != "/healthz":
                limit = LIST_RATIO_TARGET if label.startswith("/schools") else PAGE_RATIO_TARGET
                ok_ratio, ok_p95 = ratio < limit, page.p95 < P95_TARGET_S
                mark = f"{verdict(ok_ratio)} (< {limit:g}x), p95 {verdict(ok_p95)}"
                targets.append((f"{engine_name}: {label} median at {LARGE:,} < {limit:g}x /healthz ({ratio:.1f}x)",
                                ok_ratio))
                targets.append((f"{engine_name}: {label} p95 at {LARGE:,} < {P95_TARGET_S * 1000:g} ms "
                                f"({page.p95 * 1000:.1f} ms)", ok_p95))
            print(f"{label[:44]:44} {size:>7,} {YEARS[size]:>5} {ms(page.median)} {ms(page.p95)} {ratio:6.1f}x "
                  f"{ms(page.sql_median)} {page.query_count:>7}  {mark}")
        print()
    small, large = results[SMALL], results[LARGE]
    print(f"Queries per page, {SMALL:,} schools ({YEARS[SMALL]} year) -> {LARGE:,} schools ({YEARS[LARGE]} years):")
    all_same = True
    for label in small:
        same = small[label].queries == large[label].queries
        all_same &= same
        print(f"  {label[:44]:44} {small[label].query_count:>5} -> {large[label].query_count:<5} "
              f"{'identical' if same else 'DIFFERENT'}")
    print(f"  Query counts at both scales are {'IDENTICAL' if all_same else 'NOT identical'}: {verdict(all_same)}")
    targets.append((f"{engine_name}: same query count per page at {SMALL:,} schools ({YEARS[SMALL]} year) and "
                    f"{LARGE:,} ({YEARS[LARGE]} years)", all_same))
    return targets


def print_import(result: dict[str, Any] | None) -> list[tuple[str, bool]]:
    print("\n== GIAS import (SQLite, fresh migrated database) ==")
    if result is None:
        print("import: not available (lea_support.schools.gias / gias_sample cannot be imported yet)")
        return []
    if "mb" in result:
        print(f"file: {result['rows']:,} rows, {result['mb']:.1f} MB, generated in {result['generate_s']:.1f} s")
    if "first_s" in result:
        ok = result["first_s"] < IMPORT_TARGET_S
        print(f"import:    {result['first_s']:6.1f} s  ({result['first_summary'].message})  "
              f"target < {IMPORT_TARGET_S:g} s: {verdict(ok)}")
    if "again_s" in result:
        print(f"re-import: {result['again_s']:6.1f} s  ({result['again_summary'].message})")
    if "error" in result:
        print(f"import: FAILED with {result['error']}")
        return [(f"import of {result['rows']:,} rows < {IMPORT_TARGET_S:g} s (failed: {result['error'][:80]})", False)]
    return [(f"import of {result['rows']:,} rows < {IMPORT_TARGET_S:g} s ({result['first_s']:.1f} s)", ok)]


SIGNAL_SCHOOLS = 25_000
SIGNALS_TARGET_S = 30.0


def run_national_data(workdir: Path) -> dict[str, Any] | None:
    """Import the national census and absence files into a register of every school in them,
    twice each; None when ../shared/data is not here."""
    import csv

    from sqlalchemy import insert

    from lea_support.evidence.imports import import_data
    from lea_support.schools.models import School

    paths = [NATIONAL_DATA / name for name in NATIONAL_FILES]
    if not all(p.is_file() for p in paths):
        return None
    result: dict[str, Any] = {"files": []}
    try:
        urns: set[int] = set()
        for path in paths:
            with path.open(encoding="utf-8-sig", newline="") as f:
                urns.update(int(row["URN"]) for row in csv.DictReader(f) if (row["URN"] or "").isdigit())
        # The register: every URN of the files, made up to SIGNAL_SCHOOLS for the signals' pass.
        spare = iter(range(900000, 1000000))
        while len(urns) < SIGNAL_SCHOOLS:
            urns.add(next(u for u in spare if u not in urns))
        result["schools"] = len(urns)
        with database("sqlite", workdir) as url:
            app = create_app(bench_config(url))
            try:
                with app.app_context():
                    db.session.execute(insert(School), [{"urn": u, "la_code": "999", "name": f"School {u}"}
                                                        for u in sorted(urns)])
                    db.session.commit()
                for path in paths:
                    raw = path.read_bytes()
                    figures: dict[str, Any] = {"name": path.name, "rows": raw.count(b"\n") - 1 + (not raw.endswith(b"\n"))}
                    for label in ("first", "again"):
                        with app.app_context():
                            started = time.perf_counter()
                            outcome = import_data(None, raw, filename=path.name)
                            db.session.commit()
                            figures[f"{label}_s"] = time.perf_counter() - started
                            figures[f"{label}_message"] = outcome.message
                    result["files"].append(figures)
                # Risk signals over the whole register (issue 15, item 7): every rule, one pass.
                with app.app_context():
                    from lea_support.evidence.models import SchoolSignal
                    from lea_support.evidence.signals import recompute_signals

                    db.session.execute(SchoolSignal.__table__.delete())  # every signal new: the worst case
                    db.session.commit()
                    schools = db.session.scalar(select(func.count()).select_from(School))
                    started = time.perf_counter()
                    done = recompute_signals()
                    db.session.commit()
                    result["signals"] = {"schools": schools, "s": time.perf_counter() - started, "rules": done.rules,
                                         "flagged": done.flagged, "new": done.new, "prompts": done.prompts}
                    started = time.perf_counter()
                    again = recompute_signals()
                    db.session.commit()
                    result["signals"]["again_s"] = time.perf_counter() - started
                    result["signals"]["again_new"] = again.new + again.changed + again.cleared
            finally:
                with app.app_context():
                    db.engine.dispose()
    except Exception as err:
        result["error"] = f"{type(err).__name__}: {err}".splitlines()[0][:300]
    return result


def print_national_data(result: dict[str, Any] | None) -> list[tuple[str, bool]]:
    print("\n== National data imports (SQLite, fresh migrated database) ==")
    if result is None:
        print(f"skipped: {NATIONAL_DATA} does not have {' and '.join(NATIONAL_FILES)}")
        return []
    if "schools" in result:
        print(f"register: {result['schools']:,} schools (every URN of the files)")
    targets = []
    for f in result["files"]:
        ok = f["first_s"] < DATA_IMPORT_TARGET_S
        print(f"{f['name']} ({f['rows']:,} rows)")
        print(f"  import:    {f['first_s']:6.2f} s  target < {DATA_IMPORT_TARGET_S:g} s: {verdict(ok)}  ({f['first_message']})")
        print(f"  re-import: {f['again_s']:6.2f} s  ({f['again_message']})")
        targets.append((f"import of {f['name']} ({f['rows']:,} rows) < {DATA_IMPORT_TARGET_S:g} s "
                        f"({f['first_s']:.1f} s)", ok))
    if "signals" in result:
        sig = result["signals"]
        ok = sig["s"] < SIGNALS_TARGET_S
        print(f"risk signals, {sig['rules']} rules over {sig['schools']:,} schools: {sig['s']:6.2f} s  target < "
              f"{SIGNALS_TARGET_S:g} s: {verdict(ok)}  ({sig['flagged']:,} signals, {sig['prompts']:,} tier-review "
              f"prompts); again, nothing new: {sig['again_s']:.2f} s ({sig['again_new']} changes)")
        targets.append((f"risk signals for {sig['schools']:,} schools < {SIGNALS_TARGET_S:g} s ({sig['s']:.1f} s)", ok))
    if "error" in result:
        print(f"national data: FAILED with {result['error']}")
        targets.append((f"national data imports (failed: {result['error'][:80]})", False))
    return targets


def run_reports(workdir: Path, n: int, jobs: int) -> dict[str, Any]:
    from tools.report_bench import bench_reports

    with database("sqlite", workdir) as url:
        app = create_app(bench_config(url))
        try:
            return bench_reports(app, n=n, jobs=jobs)
        except Exception as err:  # the page figures are still worth having
            return {"error": f"{type(err).__name__}: {err}".splitlines()[0][:300]}
        finally:
            with app.app_context():
                db.engine.dispose()


def print_reports(result: dict[str, Any]) -> list[tuple[str, bool]]:
    print("\n== Governor reports (SQLite; WeasyPrint) ==")
    if "error" in result:
        print(f"reports: FAILED with {result['error']}")
        return [(f"governor reports bench ran (failed: {result['error'][:80]})", False)]
    for label in ("one_page", "full"):
        if f"render_{label}_median_s" in result:
            print(f"render, {label.replace('_', '-')} report: median {ms(result[f'render_{label}_median_s'])} ms "
                  f"({result[f'render_{label}_pages']} pages)")
    n, jobs, seconds = result["bulk_reports"], result["bulk_jobs"], result["bulk_seconds"]
    target = result["bulk_target_s"] * n / 600
    ok = bool(result["bulk_within_target"]) and not result["bulk_failed"]
    print(f"bulk: {n} reports on {jobs} processes in {seconds:.1f} s ({result['bulk_seconds_per_report']:.3f} s each; "
          f"made {result['bulk_made']}, failed {result['bulk_failed']})  target < {target:g} s: {verdict(ok)}")
    for failure in result["bulk_failures"]:
        print(f"  failed: {failure}")
    print(f"peak memory per worker: {result['worker_peak_rss_mb_each']} MB (largest {result['worker_peak_rss_mb']} MB)")
    return [(f"bulk generation of {n} reports on {jobs} cores < {target:g} s ({seconds:.1f} s)", ok)]


# The largest note the forms allow (issue 13): every list and text at its limit (core/limits.py).
PDF_NOTE_FIELDS = {"purpose": MEDIUM_TEXT, "people_met": MEDIUM_TEXT, "discussion": LONG_TEXT,
                   "strengths": LONG_TEXT, "areas_for_development": LONG_TEXT}
PDF_RENDERS = 5
PDF_KILLS = 3
PDF_KILL_LIMIT_S = 1.0  # the time limit for the killed renders: well inside the large note's render time
PDF_GONE_TARGET_S = 1.0


def _words(rng: Any, chars: int) -> str:
    vocabulary = ("reading", "phonics", "pupils", "governors", "attendance", "the", "and", "curriculum", "Year",
                  "writing", "assessment", "leaders", "progress", "disadvantaged", "teaching", "of", "to", "in")
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < chars:
        words.append(rng.choice(vocabulary))
    return " ".join(words)[:chars]


def _largest_note(rng: Any) -> int:
    """A note of visit at the largest size the forms allow, stored directly; its id."""
    from datetime import date

    from lea_support.auth.services import create_user
    from lea_support.casework.models import AgreedAction, NoteOfVisit
    from lea_support.schools.models import School

    school = School(urn=990999, la_code="999", la_name="Bench LA", establishment_number="9999",
                    name="Bench Largest Note Primary School", type_name="Community school", phase="Primary",
                    status="Open")
    db.session.add(school)
    adviser = create_user(None, email="pdf-adviser@bench.invalid", name="Pat Adviser", role="link_adviser",
                          password=ADMIN_PASSWORD, school_urns=[])
    db.session.flush()
    note = NoteOfVisit(school_id=school.id, adviser_id=adviser.id, visit_date=date(2026, 11, 10),
                       visit_type_code="core_support", status="sent", support_aspects=["support4success"],
                       minutes_spent=180, **{field: _words(rng, chars) for field, chars in PDF_NOTE_FIELDS.items()})
    db.session.add(note)
    db.session.flush()
    db.session.add_all(AgreedAction(note_id=note.id, position=i, description=_words(rng, MEDIUM_TEXT),
                                    owner=_words(rng, SHORT_TEXT), due_on=date(2027, 2, 1), status="open")
                       for i in range(MAX_AGREED_ACTIONS))
    db.session.commit()
    return note.id


def run_pdf(workdir: Path) -> dict[str, Any]:
    """The largest note's median render time (and pages) through the render pool; and, for renders
    killed at a 1 s limit, the time from the limit passing to the worker process being gone."""
    import os
    import random

    from lea_support.casework.documents import NOTE_PDF_TEMPLATE, note_of_visit_document
    from lea_support.casework.models import NoteOfVisit
    from lea_support.pdf import render as pdf

    def gone(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False

    with database("sqlite", workdir) as url:
        app = create_app(bench_config(url))
        try:
            with app.app_context():
                note_id = _largest_note(random.Random(13))
                limit = float(app.config["PDF_RENDER_TIMEOUT_SECONDS"])

                def render() -> Any:
                    # As the note's PDF route makes it: plain data and HTML here, the layout in the pool.
                    document = note_of_visit_document(db.session.get(NoteOfVisit, note_id))
                    db.session.rollback()
                    return pdf.render_document(NOTE_PDF_TEMPLATE, title=document["title"], author=document["author"],
                                               context={"note": document["note"]})

                app.config["PDF_RENDER_TIMEOUT_SECONDS"] = 600  # time the render, however long it takes
                pages = render().pages  # warms the pool: a worker process started, WeasyPrint imported
                times = []
                for _ in range(PDF_RENDERS):
                    started = time.perf_counter()
                    render()
                    times.append(time.perf_counter() - started)
                # The CPU one render costs (made once in this process, where it can be counted): on a
                # busy machine the wall-clock figures above are this much work waiting for a core.
                with pdf.rendering_in_process():
                    cpu_started = time.process_time()
                    render()
                    cpu = time.process_time() - cpu_started

                # Killed at a 1 s limit: from the limit passing to the process being gone (the pool
                # measures it around the kill; the check that its pid has gone is made here).
                app.config["PDF_RENDER_TIMEOUT_SECONDS"] = PDF_KILL_LIMIT_S
                pool = pdf.render_pool()
                kills = []
                for _ in range(PDF_KILLS):
                    try:
                        render()
                    except pdf.PdfTooLarge:
                        pid, seconds = pool.killed[-1]
                        if not gone(pid):
                            return {"error": f"the killed render process {pid} is still there"}
                        kills.append(seconds)
                    else:
                        return {"error": f"the largest note rendered within {PDF_KILL_LIMIT_S:g} s: no render to kill"}
        except Exception as err:  # the other figures are still worth having
            return {"error": f"{type(err).__name__}: {err}".splitlines()[0][:300]}
        finally:
            with app.app_context():
                db.engine.dispose()
    return {"pages": pages, "render_median_s": statistics.median(times), "render_max_s": max(times),
            "render_cpu_s": cpu, "limit_s": limit, "kill_limit_s": PDF_KILL_LIMIT_S, "gone_median_s": statistics.median(kills),
            "gone_max_s": max(kills)}


def print_pdf(result: dict[str, Any]) -> list[tuple[str, bool]]:
    print("\n== PDFs (SQLite; WeasyPrint in the render pool) ==")
    if "error" in result:
        print(f"pdf: FAILED with {result['error']}")
        return [(f"PDF bench ran (failed: {result['error'][:80]})", False)]
    within = result["render_max_s"] < result["limit_s"]
    print(f"note of visit at the largest size ({MAX_AGREED_ACTIONS} actions, every text at its limit, "
          f"{result['pages']} pages): median {result['render_median_s']:.2f} s over {PDF_RENDERS} renders "
          f"(slowest {result['render_max_s']:.2f} s; limit {result['limit_s']:g} s: {verdict(within)}); "
          f"{result['render_cpu_s']:.2f} s of CPU per render")
    back = result["gone_max_s"] < PDF_GONE_TARGET_S
    print(f"a render killed at its {result['kill_limit_s']:g} s limit gives its CPU back in: median "
          f"{ms(result['gone_median_s'])} ms, worst {ms(result['gone_max_s'])} ms (limit passed -> process gone; "
          f"target < {PDF_GONE_TARGET_S:g} s: {verdict(back)})")
    return [(f"largest note of visit renders within the {result['limit_s']:g} s limit "
             f"({result['render_max_s']:.1f} s)", within),
            (f"killed render's process gone < {PDF_GONE_TARGET_S:g} s after its limit "
             f"({result['gone_max_s'] * 1000:.0f} ms)", back)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page (default 200)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests per page first (default 10)")
    parser.add_argument("--import-rows", type=int, default=IMPORT_ROWS)
    parser.add_argument("--no-import", action="store_true")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--reports", type=int, default=600, help="governor reports in the bulk run (default 600)")
    parser.add_argument("--no-reports", action="store_true")
    parser.add_argument("--no-pdf", action="store_true")
    parser.add_argument("--only-pdf", action="store_true", help="only the PDF figures (largest note, killed render)")
    parser.add_argument("--no-data", action="store_true", help="skip the national data imports")
    parser.add_argument("--only-data", action="store_true", help="only the national data imports (census, absence)")
    parser.add_argument("--no-programme", action="store_true",
                        help="skip the MITA-sized programme and its pages (issue 19, item 4)")
    parser.add_argument("--strict", action="store_true", help="exit 1 if any target fails")
    args = parser.parse_args(argv)
    PROGRAMME["on"] = not args.no_programme
    if args.only_pdf:
        args.no_import = args.no_reports = args.no_data = True
    if args.only_data:
        args.no_import = args.no_reports = args.no_pdf = True

    # Alembic's INFO lines on every migration would bury the figures.
    logging.disable(logging.INFO)
    began = time.perf_counter()
    targets: list[tuple[str, bool]] = []
    engines = ["sqlite"]
    if not args.no_postgres:
        if postgres_answers():
            engines.append("postgresql")
        else:
            print(f"No PostgreSQL server answers on {PG_SERVER[0]}:{PG_SERVER[1]}: PostgreSQL run skipped.")
    with tempfile.TemporaryDirectory(prefix="lea-bench-") as tmp:
        workdir = Path(tmp)
        if not args.no_import:
            targets += print_import(run_import(workdir, args.import_rows))
        if not args.no_data:
            targets += print_national_data(run_national_data(workdir))
        for engine_name in ([] if args.only_pdf or args.only_data else engines):
            print(f"\nMeasuring pages on {engine_name}: {args.requests} requests each after {args.warmup} warm-up...")
            results, _stages = run_pages(engine_name, workdir, args.requests, args.warmup)
            targets += print_pages(engine_name, results)
            if engine_name in REMINDER_RESULTS:
                targets += print_reminders(engine_name, REMINDER_RESULTS[engine_name])
        if not args.no_reports:
            print(f"\nMeasuring governor reports: renders, then {args.reports} in bulk on 2 processes...")
            targets += print_reports(run_reports(workdir, args.reports, jobs=2))
        if not args.no_pdf:
            print(f"\nMeasuring PDFs: the largest note of visit {PDF_RENDERS} times, then {PDF_KILLS} renders killed "
                  "at their time limit...")
            targets += print_pdf(run_pdf(workdir))

    print("\n== Targets ==")
    for label, ok in targets:
        print(f"  {verdict(ok)}  {label}")
    print(f"\nbench finished in {time.perf_counter() - began:.0f} s (Python {sys.version.split()[0]})")
    return 1 if args.strict and not all(ok for _, ok in targets) else 0


if __name__ == "__main__":
    sys.exit(main())
