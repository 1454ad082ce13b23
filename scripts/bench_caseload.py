"""Benchmark support for caseloads: ten years of visit history for one link adviser, and timing
of GET /caseload (and /overview) on it.

Used by `scripts/bench.py`:

    from bench_caseload import seed_caseload_history, measure_caseload
    with app.app_context():
        adviser_id = seed_caseload_history(email=..., password=...)   # schools must exist already
        db.session.commit()
    figures = measure_caseload(app, email=..., password=...)

or on its own (`python scripts/bench_caseload.py`): a fresh SQLite database (and the
`lea_bench_caseload` PostgreSQL database with --postgres), 600 fictional schools, the history,
then medians and query counts for the pages, printed. Timing figures are not tests.

Every row is fictional and goes in with SQLAlchemy Core bulk inserts (one executemany per chunk):
the services would write an audit entry per note, which is right for users and wrong here.
"""
from __future__ import annotations

import argparse
import logging
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time as clock_time, timedelta
from pathlib import Path
from typing import Any, Iterator, Sequence

from sqlalchemy import event, insert, select, text, update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lea_support.casework.models import AgreedAction, NoteOfVisit  # noqa: E402
from lea_support.core.terms import academic_year_for  # noqa: E402
from lea_support.extensions import db  # noqa: E402
from lea_support.schools.models import School  # noqa: E402

CASELOAD_EMAIL = "caseload.adviser@bench.invalid"
CASELOAD_PASSWORD = "caseload-bench-sign-in-2026"
CHUNK_SIZE = 2000
VISIT_TYPES = ["core_support", "core_support", "core_support", "target_setting", "enhanced_support",
               "la_theme", "review_follow_up"]
ACTIONS = ["Review the phonics scheme with the English lead", "Share the attendance analysis with governors",
           "Plan moderation of writing with a partner school", "Update the SIP's reading priority",
           "Observe maths lessons with the deputy head", "Set up pupil progress meetings each half-term"]
OWNERS = ["Headteacher", "Deputy headteacher", "English lead", "Maths lead", "SENCo", "Chair of governors",
          "Link adviser"]
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _chunks(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK_SIZE):
        yield rows[start:start + CHUNK_SIZE]


def _bulk_insert(model: type, rows: Sequence[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        db.session.execute(insert(model.__table__), chunk)


def _at(day: date, hour: int = 16) -> datetime:
    return datetime.combine(day, clock_time(hour), UTC)


def _visit_dates(rng: random.Random, year_start: int, visits: int) -> list[date]:
    """`visits` weekdays spread through an academic year's school weeks (early September to mid July)."""
    first, last = date(year_start, 9, 8), date(year_start + 1, 7, 15)
    span = (last - first).days
    days = []
    for k in range(visits):
        day = first + timedelta(days=int(span * (k + rng.random()) / visits))
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        days.append(day)
    return sorted(days)


def _note_row(school_id: int, adviser_id: int, day: date, status: str, rng: random.Random) -> dict[str, Any]:
    sent = _at(day + timedelta(days=rng.randrange(1, 6))) if status in {"sent", "responded", "finalised"} else None
    return {
        "school_id": school_id, "adviser_id": adviser_id, "visit_date": day,
        "visit_type_code": rng.choice(VISIT_TYPES), "status": status,
        "purpose": "Fictional benchmark visit: progress against the school improvement plan",
        "support_aspects": ["support4success"], "people_met": "Headteacher; English lead",
        "discussion": "" if status == "planned" else "Discussed reading outcomes and the next steps agreed.",
        "strengths": "", "areas_for_development": "", "next_visit_date": None,
        "minutes_spent": None if status == "planned" else rng.choice([60, 90, 120, 180]),
        "sent_at": sent, "response_due_on": (day + timedelta(days=21)) if sent else None,
        "finalised_at": _at(day + timedelta(days=rng.randrange(20, 40))) if status == "finalised" else None,
        "created_at": _at(day - timedelta(days=14 if status == "planned" else 0)),
        "updated_at": _at(day), "version": 1,
    }


def _status(day: date, today: date, rng: random.Random) -> str:
    """What stage a note of a visit on `day` is at: recent ones are still in the factual-accuracy
    loop; older ones are finalised, but for the odd one the school never answered."""
    age = (today - day).days
    if age <= 30:
        return rng.choices(["draft", "sent", "responded", "finalised"], weights=[2, 4, 2, 2])[0]
    return "sent" if rng.random() < (0.05 if age <= 365 else 0.005) else "finalised"


def seed_caseload_history(n_schools: int = 60, years: int = 10, visits_per_school_per_year: int = 6,
                          seed: int = 0, *, email: str = CASELOAD_EMAIL, password: str = CASELOAD_PASSWORD,
                          name: str = "Casey Load", today: date | None = None) -> int:
    """Make one link adviser (signing in with `email` and `password`), give them `n_schools`
    of the open schools already in the database, and bulk-insert `years` academic years of notes of
    visit for those schools (up to today: mostly finalised, recent ones sent or in draft, the next
    visit planned) with their agreed actions (mostly done, some open and overdue). Runs inside an
    app context; flushes, never commits. Returns the adviser's id."""
    from lea_support.auth.services import create_user

    rng = random.Random(seed)
    today = today or date.today()
    adviser = create_user(None, email=email, name=name, role="link_adviser", password=password)
    school_ids = list(db.session.scalars(
        select(School.id).where(School.status != "Closed").order_by(School.id).limit(n_schools)))
    if len(school_ids) < n_schools:
        raise ValueError(f"Only {len(school_ids)} open schools in the database; seed schools first")
    db.session.execute(update(School).where(School.id.in_(school_ids)).values(link_adviser_id=adviser.id))

    current = int(academic_year_for(today)[:4])
    notes: list[dict[str, Any]] = []
    for school_id in school_ids:
        for year_start in range(current - years + 1, current + 1):
            planned_one = False
            for day in _visit_dates(rng, year_start, visits_per_school_per_year):
                if day <= today:
                    notes.append(_note_row(school_id, adviser.id, day, _status(day, today, rng), rng))
                elif not planned_one and rng.random() < 0.8:
                    # Only the next visit is in the diary; later ones are not planned yet.
                    notes.append(_note_row(school_id, adviser.id, day, "planned", rng))
                    planned_one = True
    _bulk_insert(NoteOfVisit, notes)

    actions: list[dict[str, Any]] = []
    written = db.session.execute(
        select(NoteOfVisit.id, NoteOfVisit.visit_date)
        .where(NoteOfVisit.adviser_id == adviser.id, NoteOfVisit.status != "planned")
        .order_by(NoteOfVisit.id)).all()
    for note_id, day in written:
        for position in range(rng.choice([0, 1, 1, 2, 2, 3])):
            due = day + timedelta(days=rng.randrange(14, 120))
            if due >= today:
                status = "open"
            else:
                # Recent actions are sometimes still open (overdue); old ones have nearly all been closed.
                still_open = 12 if (today - due).days < 365 else 1
                status = rng.choices(["done", "dropped", "open"], weights=[90 - still_open, 10, still_open])[0]
            actions.append({"note_id": note_id, "position": position, "description": rng.choice(ACTIONS),
                            "owner": rng.choice(OWNERS), "due_on": due, "status": status})
    _bulk_insert(AgreedAction, actions)
    db.session.flush()
    return adviser.id


# --- measuring ----------------------------------------------------------------------------------

@dataclass
class PageFigures:
    url: str
    times: list[float] = field(default_factory=list)
    queries: set[int] = field(default_factory=set)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def signed_in_client(app: Any, email: str, password: str) -> Any:
    """A test client signed in through the real sign-in form."""
    client = app.test_client()
    match = _CSRF.search(client.get("/sign-in").get_data(as_text=True))
    assert match, "no CSRF token on the sign-in page"
    response = client.post("/sign-in", data={"email": email, "password": password, "csrf_token": match.group(1)})
    assert response.status_code == 302, f"sign-in as {email} failed: {response.status_code}"
    return client


def measure_caseload(app: Any, *, email: str = CASELOAD_EMAIL, password: str = CASELOAD_PASSWORD,
                     urls: Sequence[str] = ("/healthz", "/caseload", "/caseload?sort=last_visit&flag=overdue",
                                            "/caseload?format=csv"),
                     requests: int = 50, warmup: int = 5, client: Any = None) -> dict[str, PageFigures]:
    """Server time and SQL statements per request for each URL, signed in as the adviser (or
    with the `client` given), round-robin so that noise falls on every page alike."""
    client = client or signed_in_client(app, email, password)
    with app.app_context():
        engine = db.engine
    count = [0]

    def on_execute(*_: Any) -> None:
        count[0] += 1

    figures = {url: PageFigures(url) for url in urls}
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        for round_number in range(warmup + requests):
            for url in urls:
                count[0] = 0
                started = time.perf_counter()
                response = client.get(url)
                elapsed = time.perf_counter() - started
                assert response.status_code == 200, f"{url}: {response.status_code}"
                if round_number >= warmup:
                    figures[url].times.append(elapsed)
                    figures[url].queries.add(count[0])
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    return figures


def print_figures(label: str, figures: dict[str, PageFigures]) -> None:
    health = figures["/healthz"].median if "/healthz" in figures else None
    print(f"\n== {label} (ms) ==")
    print(f"{'page':44} {'median':>8} {'p95':>8} {'ratio':>7} {'queries':>8}")
    for url, page in figures.items():
        ratio = f"{page.median / health:6.1f}x" if health else ""
        queries = "/".join(str(q) for q in sorted(page.queries))
        print(f"{url[:44]:44} {page.median * 1000:8.2f} {page.p95 * 1000:8.2f} {ratio:>7} {queries:>8}")


# --- standalone run --------------------------------------------------------------------------------

def _config(url: str) -> Any:
    from lea_support.config import Config

    class BenchConfig(Config):
        ENV_NAME = "bench"
        SECRET_KEY = "bench-only-not-secret"
        SQLALCHEMY_DATABASE_URI = url

    return BenchConfig


def _fresh_postgres(url: str) -> None:
    from sqlalchemy import create_engine, make_url

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


def run(url: str, *, schools: int, n_schools: int, years: int, requests: int, warmup: int) -> None:
    from flask_migrate import upgrade

    from lea_support import create_app
    from lea_support.bench_data import BENCH_PASSWORD, seed_schools

    app = create_app(_config(url))
    with app.app_context():
        upgrade()
        seed_schools(schools, seed=0)
        started = time.perf_counter()
        seed_caseload_history(n_schools=n_schools, years=years)
        db.session.commit()
        seeded = time.perf_counter() - started
        notes = db.session.scalar(text("SELECT count(*) FROM notes_of_visit"))
        actions = db.session.scalar(text("SELECT count(*) FROM visit_actions"))
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
    print(f"[{url.split(':')[0]}] {schools} schools; {n_schools} of them in the caseload with {years} years of "
          f"history: {notes:,} notes and {actions:,} actions inserted in {seeded:.1f} s")
    print_figures("GET /caseload as the adviser", measure_caseload(app, requests=requests, warmup=warmup))
    sia = signed_in_client(app, "sia@bench.invalid", BENCH_PASSWORD)
    print_figures("GET /overview as an SIA", measure_caseload(
        app, urls=("/healthz", "/overview", "/overview?page=2"), requests=requests, warmup=warmup, client=sia))
    with app.app_context():
        db.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=600)
    parser.add_argument("--caseload", type=int, default=60, help="schools in the adviser's caseload")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--postgres", nargs="?", const="postgresql+psycopg://postgres@127.0.0.1:5432/lea_bench_caseload",
                        help="also run on PostgreSQL (default database lea_bench_caseload, emptied first)")
    args = parser.parse_args(argv)
    logging.disable(logging.INFO)
    options = dict(schools=args.schools, n_schools=args.caseload, years=args.years, requests=args.requests,
                   warmup=args.warmup)
    with tempfile.TemporaryDirectory(prefix="lea-bench-caseload-") as tmp:
        run(f"sqlite:///{Path(tmp) / 'bench.db'}", **options)
    if args.postgres:
        _fresh_postgres(args.postgres)
        run(args.postgres, **options)
    return 0


if __name__ == "__main__":
    sys.exit(main())
