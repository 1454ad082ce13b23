"""Benchmark figures for lea-support: `make bench`.

1. How long a 50,000-row GIAS file takes to import (SQLite, fresh migrated database).
2. Server time for the school list (with filters) and the school page at 600 and at 25,000
   schools, beside /healthz of the same app in the same run, and the SQL queries per page;
   on SQLite, and on PostgreSQL when a server answers on 127.0.0.1:5432 (in its own database,
   `lea_bench`, never the test suite's).
3. A link adviser's caseload of 60 schools (and the authority overview) with one year and with
   ten years of visits: server time beside /healthz, and a query count that must not grow.
4. Governor reports (SQLite, fresh database): median render time of a one-page and of a full
   report, bulk generation of 600 reports on 2 worker processes, and each worker's peak memory.

Requests go through Flask's test client in-process, signed in as an administrator through the
real sign-in form, each in its own application context as on a server. Timing targets are
printed beside the figures as PASS or FAIL; they are not tests.
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
from sqlalchemy import create_engine, event, make_url, select, text
from sqlalchemy.engine import Engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lea_support import create_app  # noqa: E402
from lea_support.config import Config  # noqa: E402
from lea_support.extensions import db  # noqa: E402

PG_SERVER = ("127.0.0.1", 5432)
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/lea_bench"
ADMIN_EMAIL, ADMIN_PASSWORD = "admin@bench.invalid", "timing-run-sign-in-2026"
SMALL, LARGE = 600, 25_000
IMPORT_ROWS = 50_000
IMPORT_TARGET_S = 60.0
LIST_RATIO_TARGET = 10.0
PAGE_RATIO_TARGET = 15.0  # issue 7's target for every main page at national scale
LIST_PAGES = [
    "/schools",
    "/schools?tier=significant&level=4",
    "/schools?q=park",
    "/schools?phase=Primary&sort=pupils&dir=desc",
]
# The plans dashboard: every open plan, and one filtered to those with overdue actions.
PLAN_PAGES = ["/plans", "/plans?overdue=1"]
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def bench_config(url: str) -> type[Config]:
    class BenchConfig(Config):
        ENV_NAME = "bench"
        SECRET_KEY = "bench-only-not-secret"
        SQLALCHEMY_DATABASE_URI = url
        GIAS_LA_CODES: list[str] = []

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


def signed_in_client(app: Flask) -> Any:
    client = app.test_client()
    page = client.get("/sign-in")
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, "no CSRF token on the sign-in page"
    response = client.post("/sign-in", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD,
                                              "csrf_token": match.group(1)})
    assert response.status_code == 302, f"sign-in failed: {response.status_code}"
    return client


def measure(app: Flask, meter: SqlMeter, urls: list[str], requests: int, warmup: int) -> dict[str, PageFigures]:
    """Each URL `requests` times, round-robin so that any noise falls on every page alike."""
    client = signed_in_client(app)
    figures = {url: PageFigures(url) for url in urls}
    for round_number in range(warmup + requests):
        for url in urls:
            meter.reset()
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, f"{url}: {response.status_code}"
            if round_number >= warmup:
                figures[url].times.append(elapsed)
                figures[url].sql_times.append(meter.seconds)
                figures[url].queries.add(meter.count)
    return figures


# --- the runs ----------------------------------------------------------------------------

def run_import(workdir: Path, rows: int) -> dict[str, Any] | None:
    """Generate a GIAS file and import it twice (new schools, then all unchanged); None if the
    importer is not there yet."""
    try:
        from lea_support.schools.gias import import_gias
        from lea_support.schools.gias_sample import write_gias_file
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


def run_pages(engine_name: str, workdir: Path, requests: int, warmup: int
              ) -> tuple[dict[Any, dict[str, PageFigures]], dict[int, dict[str, PageFigures]]]:
    from lea_support.auth.services import create_user
    from lea_support.bench_data import seed_schools

    results: dict[Any, dict[str, PageFigures]] = {}
    with database(engine_name, workdir) as url:
        app = create_app(bench_config(url))
        with app.app_context():
            create_user(None, email=ADMIN_EMAIL, name="Alex Admin", role="admin", password=ADMIN_PASSWORD)
            started = time.perf_counter()
            first = seed_schools(SMALL, seed=0)
            plans = seed_significant_plans(100001, SMALL, seed=0)
            db.session.commit()
            seeded = time.perf_counter() - started
            tidy_postgres_statistics(engine_name)
            engine = db.engine
        # The same school (one with a support history and a timeline) at both sizes.
        urls = ["/healthz", *LIST_PAGES, f"/schools/{first.busy_urns[0]}", *PLAN_PAGES]
        with SqlMeter(engine) as meter:
            results[SMALL] = measure(app, meter, urls, requests, warmup)
            with app.app_context():
                started = time.perf_counter()
                more = seed_schools(LARGE - SMALL, seed=1, start_urn=100001 + SMALL)
                plans += seed_significant_plans(100001 + SMALL, LARGE - SMALL, seed=1)
                db.session.commit()
                seeded += time.perf_counter() - started
                tidy_postgres_statistics(engine_name)
            results[LARGE] = measure(app, meter, urls, requests, warmup)
            caseload = measure_caseload_history(app, meter, requests, warmup)
        with app.app_context():
            db.engine.dispose()
    print(f"  [{engine_name}] seeded {LARGE:,} schools, {first.decisions + more.decisions:,} support decisions, "
          f"{first.events + more.events:,} timeline entries and {plans:,} agreed plans in {seeded:.1f} s "
          "(Core bulk inserts)")
    return results, caseload


def seed_significant_plans(start_urn: int, n: int, *, seed: int) -> int:
    """An agreed plan for every school in significant support among the `n` from `start_urn`."""
    from lea_support.bench_data import seed_plans
    from lea_support.schools.models import School

    ids = list(db.session.scalars(select(School.id).where(
        School.urn >= start_urn, School.urn < start_urn + n, School.support_tier == "significant")))
    return seed_plans(ids, seed=seed)


def measure_caseload_history(app: Flask, meter: SqlMeter, requests: int, warmup: int
                             ) -> dict[int, dict[str, PageFigures]]:
    """An adviser's caseload of 60 schools with one year of visits, then (the same 60 schools
    taken over by an adviser) with ten years: the page beside /healthz, and its query count."""
    from lea_support.bench_data import seed_caseload_history

    results: dict[int, dict[str, PageFigures]] = {}
    for years in (1, 10):
        with app.app_context():
            adviser_id = seed_caseload_history(
                n_schools=60, years=years, email=f"caseload{years}@bench.invalid", name=f"Adviser {years}")
            db.session.commit()
        results[years] = measure(app, meter, ["/healthz", f"/caseload?adviser={adviser_id}", "/overview"],
                                 requests, warmup)
    return results


def print_caseload(engine_name: str, results: dict[int, dict[str, PageFigures]]) -> list[tuple[str, bool]]:
    print(f"\n== Caseload of 60 schools on {engine_name}, with 1 and 10 years of visits ==")
    counts: dict[str, list[int]] = {}
    for years, figures in results.items():
        health = figures["/healthz"].median
        for url, page in figures.items():
            label = "/caseload" if url.startswith("/caseload") else url
            counts.setdefault(label, []).append(page.query_count)
            print(f"{label:14} {years:>2} years  median {ms(page.median)} ms  p95 {ms(page.p95)} ms  "
                  f"{page.median / health:5.1f}x /healthz  {page.query_count:>3} queries")
    same = all(len(set(c)) == 1 for c in counts.values())
    print(f"  Query counts with 1 and 10 years of history are {'IDENTICAL' if same else 'NOT identical'}: {verdict(same)}")
    return [(f"{engine_name}: caseload and overview query counts do not grow with 10 years of history", same)]


# --- printing ----------------------------------------------------------------------------

def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f}"


def print_pages(engine_name: str, results: dict[Any, dict[str, PageFigures]]) -> list[tuple[str, bool]]:
    targets: list[tuple[str, bool]] = []
    print(f"\n== Page server time on {engine_name} (ms; ratio = median / median of /healthz, same run) ==")
    header = f"{'page':46} {'schools':>7} {'median':>8} {'p95':>8} {'ratio':>7} {'SQL ms':>8} {'queries':>7}  target"
    print(header)
    print("-" * len(header))
    for key, figures in results.items():
        size = key
        health = figures["/healthz"].median
        for url, page in figures.items():
            ratio = page.median / health
            mark = ""
            if (url == "/schools" or url.startswith("/schools?")) and size == LARGE:
                ok = ratio < LIST_RATIO_TARGET
                mark = f"{verdict(ok)} (< {LIST_RATIO_TARGET:g}x)"
                targets.append((f"{engine_name}: {url} median at {LARGE:,} < {LIST_RATIO_TARGET:g}x /healthz "
                                f"({ratio:.1f}x)", ok))
            elif url in PLAN_PAGES and size == LARGE:
                ok = ratio < PAGE_RATIO_TARGET
                mark = f"{verdict(ok)} (< {PAGE_RATIO_TARGET:g}x)"
                targets.append((f"{engine_name}: {url} median at {LARGE:,} < {PAGE_RATIO_TARGET:g}x /healthz "
                                f"({ratio:.1f}x)", ok))
            print(f"{url[:46]:46} {size:>7,} {ms(page.median)} {ms(page.p95)} {ratio:6.1f}x {ms(page.sql_median)} "
                  f"{page.query_count:>7}  {mark}")
        print()
    small, large = results[SMALL], results[LARGE]
    print(f"Queries per page, {SMALL:,} -> {LARGE:,} schools:")
    all_same = True
    for url in small:
        same = small[url].queries == large[url].queries
        all_same &= same
        print(f"  {url[:60]:60} {small[url].query_count:>5} -> {large[url].query_count:<5} "
              f"{'identical' if same else 'DIFFERENT'}")
    print(f"  Query counts at {SMALL:,} and {LARGE:,} schools are "
          f"{'IDENTICAL' if all_same else 'NOT identical'}: {verdict(all_same)}")
    targets.append((f"{engine_name}: same query count per page at {SMALL:,} and {LARGE:,} schools", all_same))
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


def run_reports(workdir: Path, n: int, jobs: int) -> dict[str, Any]:
    from lea_support.reports.bench import bench_reports

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page (default 200)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests per page first (default 10)")
    parser.add_argument("--import-rows", type=int, default=IMPORT_ROWS)
    parser.add_argument("--no-import", action="store_true")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--reports", type=int, default=600, help="governor reports in the bulk run (default 600)")
    parser.add_argument("--no-reports", action="store_true")
    parser.add_argument("--strict", action="store_true", help="exit 1 if any target fails")
    args = parser.parse_args(argv)

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
        for engine_name in engines:
            print(f"\nMeasuring pages on {engine_name}: {args.requests} requests each after {args.warmup} warm-up...")
            results, caseload = run_pages(engine_name, workdir, args.requests, args.warmup)
            targets += print_pages(engine_name, results)
            targets += print_caseload(engine_name, caseload)
        if not args.no_reports:
            print(f"\nMeasuring governor reports: renders, then {args.reports} in bulk on 2 processes...")
            targets += print_reports(run_reports(workdir, args.reports, jobs=2))

    print("\n== Targets ==")
    for label, ok in targets:
        print(f"  {verdict(ok)}  {label}")
    print(f"\nbench finished in {time.perf_counter() - began:.0f} s (Python {sys.version.split()[0]})")
    return 1 if args.strict and not all(ok for _, ok in targets) else 0


if __name__ == "__main__":
    sys.exit(main())
