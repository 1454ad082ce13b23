"""Bulk generation: draft the term's governor report for every school (or those chosen) in
parallel worker processes, each with its own app and database session: local processes of the
machine that starts the run, or RQ workers on any machine, over Redis (see docs/scale-out.md).

A run is recorded as a BulkRun whose counts move on as each school is done, so the admin page
can show its progress; the command line shows a progress bar over the same run. Each PDF written
to the output folder goes to a temporary name first and is renamed into place, so a reader never
sees half a file. A school is done once its draft is saved (and, with an output folder, its file
is there): a run that is killed and started again skips those and finishes the rest, with no
duplicates. Leftover temporary files from a killed run are removed when the next one starts.

Each worker renders outside any database transaction (SQLite admits one writer at a time, and a
render takes far longer than saving it) and saves the draft in a short transaction of its own.
"""
from __future__ import annotations

import logging
import os
import pickle
import resource
import socket
import threading
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

from flask import Flask, current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..core.audit import record_audit
from ..core.errors import DomainError
from ..core.models import utcnow
from ..core.transactions import after_commit
from ..extensions import db
from ..schools.models import School, SupportTier
from .models import BulkRun, GovernorReport, GovernorReportVersion
from .terms import report_term

LOGGER = logging.getLogger(__name__)
# A run that has not moved on for this long is taken to have died with its process.
STALE_AFTER = timedelta(minutes=15)
_THREADS: dict[int, threading.Thread] = {}


def report_file_name(urn: int, term: str) -> str:
    return f"governor-report-{urn}-{term}.pdf"


def _partial_name(final: Path) -> Path:
    return final.with_name(f".{final.name}.{os.getpid()}.tmp")


def write_atomically(path: Path, data: bytes) -> None:
    """Write the whole file under a temporary name in the same folder, then rename it into place.
    If the write fails (a full disk), the temporary file is removed and any file already at
    `path` is left as it was."""
    partial = _partial_name(path)
    try:
        with open(partial, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def remove_partial_files(out_dir: Path) -> int:
    """Remove temporary files a killed run left behind (only ours, by their pattern)."""
    removed = 0
    for partial in out_dir.glob(".governor-report-*.pdf.*.tmp"):
        partial.unlink(missing_ok=True)
        removed += 1
    return removed


# --- choosing the schools and recording the run ----------------------------------------------------------


def parse_urns(text: str | list[int] | tuple[int, ...] | None) -> list[int]:
    if text is None:
        return []
    if isinstance(text, (list, tuple)):
        return [int(u) for u in text]
    parts = [p for p in text.replace(",", " ").split() if p]
    bad = [p for p in parts if not p.isdigit()]
    if bad:
        raise DomainError(f"A URN is a number: {bad[0]!r} is not one", field="urns")
    return [int(p) for p in parts]


def select_schools(*, urns: list[int] | None, tier: str | None) -> list[tuple[int, int, str]]:
    """The open schools a run covers: (id, URN, name), by name. DomainError names a URN that is not
    an open school's."""
    if tier and db.session.get(SupportTier, tier) is None:
        raise DomainError("Choose a support tier from the list", field="tier")
    query = select(School.id, School.urn, School.name).where(School.status != "Closed")
    if urns:
        query = query.where(School.urn.in_(urns))
    if tier:
        query = query.where(School.support_tier == tier)
    rows = [tuple(r) for r in db.session.execute(query.order_by(School.name, School.id))]
    if urns:
        found = {r[1] for r in rows}
        missing = [u for u in dict.fromkeys(urns) if u not in found]
        if missing and not tier:
            raise DomainError(f"No open school has URN {missing[0]}", field="urns")
    return rows  # type: ignore[return-value]


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def _is_over(run: BulkRun) -> bool:
    """A queued or running run whose process has gone: killed (on this machine, its pid is not
    there) or silent for longer than STALE_AFTER (anywhere)."""
    if run.runner_pid and run.runner_host == socket.gethostname() and not _process_alive(run.runner_pid):
        return True
    return (run.updated_at or run.created_at) < utcnow() - STALE_AFTER


def run_in_progress(term: str) -> BulkRun | None:
    """The term's run that is still going, if any. Runs whose process was killed are marked as
    stopped on the way (so that the run started next can finish their work)."""
    running = None
    for run in db.session.scalars(select(BulkRun).where(BulkRun.term == term,
                                                        BulkRun.status.in_(["queued", "running"]))):
        if _is_over(run):
            run.status, run.finished_at = "failed", utcnow()
            if run.runner_host.startswith("rq:"):
                run.error = (f"Stopped before it finished (no report worker moved it on for "
                             f"{int(STALE_AFTER.total_seconds() // 60)} minutes: is "
                             "`lea-support reports worker` running?). Start a new run to finish the rest.")
            else:
                run.error = "Stopped before it finished (its process ended). Start a new run to finish the rest."
        else:
            running = run
    return running


def start_bulk_run(actor: Any, *, term: str, tier: str | None = None, urns: str | list[int] | None = None,
                   jobs: int | None = None) -> BulkRun:
    """Record a bulk run of the term's draft reports (not yet started): which schools, how many."""
    covered = report_term(term)
    code = covered.code
    urn_list = parse_urns(urns)
    schools = select_schools(urns=urn_list or None, tier=tier or None)
    if not schools:
        raise DomainError("No open school matches: choose another tier or other URNs", field="tier")
    if run_in_progress(code) is not None:
        raise DomainError(f"A run for the {covered.name.lower()} reports is already in progress: wait for it to finish",
                          field="term")
    jobs = jobs or int(current_app.config.get("REPORTS_BULK_JOBS", 2))
    if not 1 <= jobs <= 64:
        raise DomainError("Use between 1 and 64 worker processes", field="jobs")
    run = BulkRun(term=code, tier=tier or None, urns=urn_list or None, jobs=jobs, status="queued",
                  started_by_id=actor.id if actor else None, total=len(schools), failures=[],
                  updated_at=utcnow(), runner_host="", runner_pid=None)
    try:
        with db.session.begin_nested():  # the unique index on a term's active run: another was started just now
            db.session.add(run)
    except IntegrityError:
        raise DomainError(f"A run for the {code} reports has just been started: wait for it to finish",
                          field="term") from None
    record_audit(actor, "governor_report.bulk_run", "report_bulk_run", run.id,
                 after={"term": code, "tier": tier, "urns": urn_list, "schools": len(schools), "jobs": jobs})
    return run


def queue_bulk_run(actor: Any, *, term: str, tier: str | None = None, urns: str | None = None) -> BulkRun:
    """Record a bulk run and have it start in the background once it is saved (the admin page's
    way in): in this process, or on the report queue's workers when REPORTS_BACKEND is rq. Its
    PDFs are kept in the database, and also written to REPORTS_OUT_DIR if set."""
    backend = bulk_backend(current_app.config)
    run = start_bulk_run(actor, term=term, tier=tier, urns=urns)
    if backend == "rq":
        queue_after_commit(run, out_dir=current_app.config.get("REPORTS_OUT_DIR"))
    else:
        launch_after_commit(run, out_dir=current_app.config.get("REPORTS_OUT_DIR"))
    return run


def launch_after_commit(run: BulkRun, *, out_dir: str | None = None) -> None:
    """Start the run in a background thread of this process once the transaction that recorded
    it commits (the admin page's way in)."""

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    run_id = run.id

    def launch() -> None:
        thread = threading.Thread(target=_run_in_thread, args=(app, run_id, out_dir), name=f"bulk-run-{run_id}",
                                  daemon=True)
        _THREADS[run_id] = thread
        thread.start()

    after_commit(launch)


def _run_in_thread(app: Flask, run_id: int, out_dir: str | None) -> None:
    with app.app_context():
        try:
            execute_bulk_run(run_id, out_dir=out_dir)
        except Exception as err:  # the page must show that the run stopped, and why
            LOGGER.exception("Bulk run %s stopped", run_id)
            db.session.rollback()
            run = db.session.get(BulkRun, run_id)
            if run is not None:
                run.status, run.error, run.finished_at = "failed", f"{type(err).__name__}: {err}"[:2000], utcnow()
                db.session.commit()
        finally:
            db.session.remove()


def wait_for_run(run_id: int, timeout: float | None = None) -> bool:
    """Wait for a run started in this process to finish; True if it has."""
    thread = _THREADS.get(run_id)
    if thread is None:
        return True
    thread.join(timeout)
    return not thread.is_alive()


# --- running it -------------------------------------------------------------------------------------------


@dataclass
class SchoolResult:
    school_id: int
    urn: int
    name: str
    outcome: str  # made, skipped or failed
    reason: str = ""
    seconds: float = 0.0
    maxrss_kb: int = 0
    pid: int = 0


@dataclass
class BulkSummary:
    run_id: int
    total: int
    made: int = 0
    skipped: int = 0
    failed: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    # Peak resident memory of each worker process (kB, from its own ru_maxrss), by pid.
    worker_maxrss_kb: dict[int, int] = field(default_factory=dict)
    render_seconds: list[float] = field(default_factory=list)

    @property
    def message(self) -> str:
        text = f"{self.made} made, {self.skipped} skipped, {self.failed} failed (of {self.total})"
        return text + "".join(f"\n  failed: URN {f['urn']} {f['school']}: {f['reason']}" for f in self.failures)


def _worker_config(app: Flask) -> dict[str, Any]:
    """The app's settings that a worker process needs to build the same app (all that pickle)."""
    config = {}
    for key, value in app.config.items():
        try:
            pickle.dumps(value)
        except Exception:
            continue
        config[key] = value
    return config


def _context() -> Any:
    from ..pdf.render import process_context

    # Workers fork from a server that has imported the app and WeasyPrint once, not each for itself
    # (the same forkserver as the PDF render processes').
    return process_context()


def _done_school_ids(term: str, school_ids: list[int]) -> set[int]:
    if not school_ids:
        return set()
    return set(db.session.scalars(
        select(GovernorReport.school_id).join(GovernorReportVersion, GovernorReportVersion.report_id == GovernorReport.id)
        .where(GovernorReport.term == term, GovernorReport.school_id.in_(school_ids))))


def _plan_run(run_id: int, out: Path | None, redraft: bool,
              on_result: Callable[[SchoolResult], None] | None) -> tuple[BulkRun, BulkSummary, list[tuple[int, int, str]]]:
    """The run, its summary with the schools already done counted as skipped, and the schools
    still to do. Clears leftover temporary files from the output folder first."""
    run = db.session.get(BulkRun, run_id)
    if run is None:
        raise DomainError(f"There is no bulk run {run_id}")
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        remove_partial_files(out)
    schools = select_schools(urns=run.urns, tier=run.tier)
    done = _done_school_ids(run.term, [s[0] for s in schools])
    summary = BulkSummary(run_id=run_id, total=len(schools))
    pending: list[tuple[int, int, str]] = []
    for school_id, urn, name in schools:
        file_there = out is None or (out / report_file_name(urn, run.term)).exists()
        if school_id in done and not redraft and file_there:
            _count(summary, SchoolResult(school_id, urn, name, "skipped", "already drafted"), on_result)
        else:
            pending.append((school_id, urn, name))
    return run, summary, pending


def execute_bulk_run(run_id: int, *, out_dir: str | Path | None = None, redraft: bool = False,
                     on_result: Callable[[SchoolResult], None] | None = None) -> BulkSummary:
    """Do a recorded run: skip schools already done, draft the rest in worker processes, keep the
    run's counts up to date (committing as it goes: this is a job, not a request), and return the
    summary. Call it in an app context."""
    started = time.perf_counter()
    out = Path(out_dir) if out_dir else None
    run, summary, pending = _plan_run(run_id, out, redraft, on_result)
    term, actor_id, jobs = run.term, run.started_by_id, run.jobs
    run.status, run.started_at, run.updated_at = "running", utcnow(), utcnow()
    run.runner_host, run.runner_pid = socket.gethostname(), os.getpid()
    run.total, run.made, run.skipped, run.failed, run.failures = summary.total, 0, 0, 0, []
    db.session.commit()
    _save_progress(run_id, summary)

    if pending:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        with ProcessPoolExecutor(max_workers=min(jobs, len(pending)), mp_context=_context(),
                                 initializer=_init_worker, initargs=(_worker_config(app),)) as pool:
            futures = {pool.submit(_draft_in_worker, school_id, term, str(out) if out else None, actor_id,
                                   redraft): (school_id, urn, name) for school_id, urn, name in pending}
            for future in as_completed(futures):
                school_id, urn, name = futures[future]
                try:
                    result = SchoolResult(**future.result())
                except BrokenProcessPool:
                    result = SchoolResult(school_id, urn, name, "failed", "its worker process stopped")
                except Exception as err:
                    result = SchoolResult(school_id, urn, name, "failed", f"{type(err).__name__}: {err}")
                _count(summary, result, on_result)
                _save_progress(run_id, summary)

    summary.seconds = time.perf_counter() - started
    run = db.session.get(BulkRun, run_id)
    assert run is not None
    run.status, run.finished_at = "finished", utcnow()
    db.session.commit()
    return summary


def _count(summary: BulkSummary, result: SchoolResult, on_result: Callable[[SchoolResult], None] | None) -> None:
    setattr(summary, result.outcome, getattr(summary, result.outcome) + 1)
    if result.outcome == "failed":
        summary.failures.append({"urn": result.urn, "school": result.name, "reason": result.reason})
    if result.pid:
        summary.worker_maxrss_kb[result.pid] = max(summary.worker_maxrss_kb.get(result.pid, 0), result.maxrss_kb)
    if result.outcome == "made" and result.seconds:
        summary.render_seconds.append(result.seconds)
    if on_result is not None:
        on_result(result)


def _save_progress(run_id: int, summary: BulkSummary) -> None:
    run = db.session.get(BulkRun, run_id)
    assert run is not None
    run.made, run.skipped, run.failed = summary.made, summary.skipped, summary.failed
    run.failures = list(summary.failures)
    run.updated_at = utcnow()
    db.session.commit()


# --- in the worker processes ---------------------------------------------------------------------------------

_WORKER_APP: Flask | None = None


def _init_worker(config: dict[str, Any]) -> None:
    global _WORKER_APP
    from .. import create_app

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    _WORKER_APP = create_app(config)


def _draft_in_worker(school_id: int, term: str, out_dir: str | None, actor_id: int | None,
                     redraft: bool) -> dict[str, Any]:
    assert _WORKER_APP is not None, "the worker was not initialised"
    return _draft_school(_WORKER_APP, school_id, term, out_dir, actor_id, redraft)


def _draft_school(app: Flask, school_id: int, term: str, out_dir: str | None, actor_id: int | None,
                  redraft: bool) -> dict[str, Any]:
    """Draft one school's report in an app context of its own (so a database session of its own);
    a failure is returned as the outcome, with its reason, never raised."""
    from ..pdf.render import rendering_in_process

    started = time.perf_counter()
    # This is a worker process (or an RQ job) already: it renders itself rather than through a pool.
    with app.app_context(), rendering_in_process():
        try:
            outcome, reason, urn, name = _draft_one(school_id, term, Path(out_dir) if out_dir else None, actor_id,
                                                    redraft)
        except DomainError as err:
            db.session.rollback()
            outcome, reason, urn, name = "failed", err.message, *_school_label(school_id)
        except Exception as err:  # one school's failure must not stop the run: it is reported
            db.session.rollback()
            LOGGER.error("Drafting the report of school %s failed:\n%s", school_id, traceback.format_exc())
            outcome, reason, urn, name = "failed", f"{type(err).__name__}: {err}", *_school_label(school_id)
        finally:
            db.session.remove()
    return {"school_id": school_id, "urn": urn, "name": name, "outcome": outcome, "reason": reason,
            "seconds": time.perf_counter() - started, "pid": os.getpid(),
            "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


def _school_label(school_id: int) -> tuple[int, str]:
    row = db.session.execute(select(School.urn, School.name).where(School.id == school_id)).first()
    db.session.rollback()
    return (row[0], row[1]) if row else (0, f"school {school_id}")


def _draft_one(school_id: int, term: str, out: Path | None, actor_id: int | None,
               redraft: bool) -> tuple[str, str, int, str]:
    from ..auth.models import User
    from .services import _latest, prepare_draft, report_for, store_draft

    school = db.session.get(School, school_id)
    if school is None:
        raise DomainError("the school no longer exists")
    urn, name = school.urn, school.name
    final = out / report_file_name(urn, term) if out else None
    latest = _latest(report_for(school, term))
    if latest is not None and (not redraft or latest.status != "draft"):
        # Done already (or checked or published, which a bulk run never redrafts): at most the
        # file is missing, because the run that saved the draft was stopped before writing it.
        if final is not None and not final.exists():
            pdf = db.session.scalar(select(GovernorReportVersion.pdf).where(GovernorReportVersion.id == latest.id))
            db.session.rollback()
            _write_report_file(final, pdf)
            return "made", "file written from the saved draft", urn, name
        db.session.rollback()
        return "skipped", "already drafted" if latest.status == "draft" else f"already {latest.status}", urn, name
    prepared = prepare_draft(school, term, render=False)
    db.session.rollback()  # the records are read: let other writers in while the PDF is made
    rendered = prepared.render()
    school = db.session.get(School, school_id)
    assert school is not None
    actor = db.session.get(User, actor_id) if actor_id else None
    store_draft(actor, school, prepared)
    db.session.commit()
    if final is not None:
        _write_report_file(final, rendered.data)
    return "made", "", urn, name


def _write_report_file(final: Path, data: bytes) -> None:
    try:
        write_atomically(final, data)
    except OSError as err:  # a full disk, say: the draft is saved, the file can be written by running again
        raise DomainError(f"the draft is saved but its PDF could not be written to {final.parent}: "
                          f"{err.strerror or err}. Run again to write it") from err


# --- on RQ workers ---------------------------------------------------------------------------------------
#
# With several app servers, a run need not be done by the process that started it: the run is
# recorded and planned here as above, then each school (or chunk of schools) is a job on a Redis
# queue that any `lea-support reports worker` (or `rq worker`) on any machine can take. Each job
# drafts its schools exactly as a local worker process does (same temporary-name-then-rename
# files, same skipping of schools already done) and adds its results to the run record under a
# row lock, so the admin page shows the progress whichever worker did the work; the job that
# records the last school marks the run finished.

QUEUE_URL = "redis://127.0.0.1:6379/0"
QUEUE_NAME = "lea-reports"
# Seconds a job may take per school before its worker stops it (a render is limited to
# PDF_RENDER_TIMEOUT_SECONDS; this covers reading the records and saving the draft too).
JOB_SECONDS_PER_SCHOOL = 120


def queue_settings(config: Any) -> tuple[str, str]:
    """The Redis URL and queue name for report jobs: REPORT_QUEUE_URL (or REDIS_URL) and
    REPORT_QUEUE_NAME, from the app's settings or the environment."""
    url = (config.get("REPORT_QUEUE_URL") or config.get("REDIS_URL") or os.environ.get("REPORT_QUEUE_URL")
           or os.environ.get("REDIS_URL") or QUEUE_URL)
    name = config.get("REPORT_QUEUE_NAME") or os.environ.get("REPORT_QUEUE_NAME") or QUEUE_NAME
    return url, name


def bulk_backend(config: Any) -> str:
    """Where runs started from the admin page are done: "local" (a thread and worker processes of
    the app server) or "rq" (the report queue's workers)."""
    backend = (config.get("REPORTS_BACKEND") or os.environ.get("REPORTS_BACKEND") or "local").lower()
    if backend not in {"local", "rq"}:
        raise RuntimeError(f"REPORTS_BACKEND is {backend!r}: use local or rq")
    return backend


def report_queue(url: str | None = None, name: str | None = None) -> Any:
    """The RQ queue for report jobs (settings as queue_settings; arguments override them). Close
    its connection (`queue.connection.close()`) when done with it."""
    from redis import Redis
    from rq import Queue

    default_url, default_name = queue_settings(current_app.config)
    return Queue(name or default_name, connection=Redis.from_url(url or default_url))


def safe_queue_url(url: str) -> str:
    """The queue's URL fit to print: any password is hidden."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _check_queue(queue: Any) -> None:
    from redis.exceptions import RedisError

    try:
        queue.connection.ping()
    except RedisError as err:
        raise DomainError(f"The report queue does not answer ({type(err).__name__}): start Redis, or run "
                          "the reports here instead") from None


@dataclass
class QueuedRun:
    """What was put on the queue: the run's summary so far (the schools already done, skipped)
    and the jobs that will draft the rest."""

    summary: BulkSummary
    queue_name: str
    schools: int = 0
    job_ids: list[str] = field(default_factory=list)


def enqueue_bulk_run(run_id: int, *, queue: Any, out_dir: str | Path | None = None, redraft: bool = False,
                     chunk_size: int = 1, on_result: Callable[[SchoolResult], None] | None = None) -> QueuedRun:
    """Plan a recorded run and put its schools on the report queue, `chunk_size` to a job; the run
    record is committed before any job can start. `out_dir` must be a folder every worker sees at
    the same path. Call it in an app context."""
    if chunk_size < 1:
        raise DomainError("A job has at least one school", field="chunk_size")
    _check_queue(queue)
    out = Path(out_dir).resolve() if out_dir else None
    run, summary, pending = _plan_run(run_id, out, redraft, on_result)
    term, actor_id = run.term, run.started_by_id
    now = utcnow()
    run.status = "queued" if pending else "finished"
    run.started_at, run.updated_at, run.finished_at = now, now, None if pending else now
    run.runner_host, run.runner_pid = f"rq:{queue.name}"[:255], None
    run.total, run.made, run.skipped, run.failed = summary.total, summary.made, summary.skipped, summary.failed
    run.failures = list(summary.failures)
    db.session.commit()

    queued = QueuedRun(summary=summary, queue_name=queue.name, schools=len(pending))
    if not pending:
        return queued
    from rq import Callback, Queue

    chunks = [pending[i:i + chunk_size] for i in range(0, len(pending), chunk_size)]
    job_datas = [Queue.prepare_data(
        run_queued_schools, args=(run_id, [s[0] for s in chunk], term, str(out) if out else None, actor_id, redraft),
        timeout=JOB_SECONDS_PER_SCHOOL * len(chunk), result_ttl=24 * 3600, failure_ttl=7 * 24 * 3600,
        description=f"Governor reports {term}, run {run_id}: URN {', '.join(str(s[1]) for s in chunk)}",
        meta={"run_id": run_id, "done": []}, on_failure=Callback(record_job_failure))
        for chunk in chunks]
    try:
        jobs = queue.enqueue_many(job_datas)  # in one pipeline: all of the run's jobs or none
    except Exception as err:
        run = db.session.get(BulkRun, run_id)
        assert run is not None
        run.status, run.finished_at = "failed", utcnow()
        run.error = f"Its jobs could not be queued: {type(err).__name__}: {err}"[:2000]
        db.session.commit()
        raise
    queued.job_ids = [job.id for job in jobs]
    return queued


def _job_app() -> Flask:
    """The app a job runs in: the worker's own (`lea-support reports worker` runs in one), or one
    made once per process from the environment (a plain `rq worker`)."""
    global _WORKER_APP
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    if _WORKER_APP is None:
        from .. import create_app

        logging.getLogger("weasyprint").setLevel(logging.ERROR)
        _WORKER_APP = create_app()
    return _WORKER_APP


def run_queued_schools(run_id: int, school_ids: list[int], term: str, out_dir: str | None, actor_id: int | None,
                       redraft: bool) -> dict[str, int]:
    """The job: draft these schools of a run and add each result to the run record. Does nothing
    if the run has been given up (it was stopped, and a newer run does the work)."""
    from rq import get_current_job

    app = _job_app()
    job = get_current_job()
    counts = {"made": 0, "skipped": 0, "failed": 0}
    for school_id in school_ids:
        with app.app_context():
            status = db.session.scalar(select(BulkRun.status).where(BulkRun.id == run_id))
            db.session.rollback()
        if status not in {"queued", "running"}:
            LOGGER.warning("Bulk run %s is %s: its job for schools %s does nothing", run_id, status, school_ids)
            break
        result = _draft_school(app, school_id, term, out_dir, actor_id, redraft)
        with app.app_context():
            record_school_result(run_id, SchoolResult(**result))
        counts[result["outcome"]] += 1
        if job is not None:  # so that a job stopped part-way counts only the schools it had not done as failed
            job.meta.setdefault("done", []).append(school_id)
            job.save_meta()
    return counts


def record_school_result(run_id: int, result: SchoolResult) -> None:
    """Add one school's outcome to the run record, under the run's row lock (jobs on several
    workers finish at once), and mark the run finished when it was the last. Commits."""
    run = db.session.scalars(select(BulkRun).where(BulkRun.id == run_id).with_for_update()).first()
    if run is None:
        db.session.rollback()
        return
    setattr(run, result.outcome, getattr(run, result.outcome) + 1)
    if result.outcome == "failed":
        run.failures = [*(run.failures or []), {"urn": result.urn, "school": result.name, "reason": result.reason}]
    now = utcnow()
    if run.status == "queued":
        run.status = "running"
    run.updated_at = now
    if run.status == "running" and run.done >= run.total:
        run.status, run.finished_at = "finished", now
    db.session.commit()


def record_job_failure(job: Any, connection: Any, exc_type: Any, exc_value: Any, tb: Any) -> None:
    """RQ's failure callback: a job stopped (timed out, or its worker died) before drafting all
    its schools; those it had not done are failures of the run, with the reason."""
    run_id, school_ids = job.args[0], job.args[1]
    done = set(job.meta.get("done", []))
    reason = f"its worker stopped: {getattr(exc_type, '__name__', exc_type)}: {exc_value}"[:500]
    app = _job_app()
    for school_id in school_ids:
        if school_id in done:
            continue
        with app.app_context():
            urn, name = _school_label(school_id)
            record_school_result(run_id, SchoolResult(school_id, urn, name, "failed", reason))


def plan_queued_run(run_id: int, out_dir: str | None, redraft: bool = False) -> dict[str, int]:
    """The job that the admin page queues: plan the run on a worker and queue its schools on the
    same queue (the web request only records the run)."""
    from rq import Queue, get_current_job

    job = get_current_job()
    assert job is not None, "plan_queued_run runs as an RQ job"
    app = _job_app()
    with app.app_context():
        try:
            queued = enqueue_bulk_run(run_id, queue=Queue(job.origin, connection=job.connection), out_dir=out_dir,
                                      redraft=redraft)
        except Exception as err:
            db.session.rollback()
            run = db.session.get(BulkRun, run_id)
            if run is not None and run.status in {"queued", "running"}:
                run.status, run.error, run.finished_at = "failed", f"{type(err).__name__}: {err}"[:2000], utcnow()
                db.session.commit()
            raise
    return {"skipped": queued.summary.skipped, "queued": queued.schools}


def queue_after_commit(run: BulkRun, *, out_dir: str | None = None) -> None:
    """Put the run's planning job on the report queue once the transaction that recorded it
    commits (the admin page's way in when REPORTS_BACKEND is rq)."""

    queue = report_queue()
    try:
        _check_queue(queue)
    except DomainError:
        queue.connection.close()
        raise
    run_id = run.id
    run.runner_host = f"rq:{queue.name}"[:255]

    def enqueue() -> None:
        try:
            queue.enqueue_call(plan_queued_run, args=(run_id, out_dir), timeout=600, result_ttl=24 * 3600,
                               description=f"Plan governor reports run {run_id}")
        except Exception:  # the run is recorded; with no job it is given up as stopped after STALE_AFTER
            LOGGER.exception("Bulk run %s could not be queued", run_id)
        finally:
            queue.connection.close()

    after_commit(enqueue)


def run_report_worker(*, url: str | None = None, name: str | None = None, burst: bool = False,
                      fork: bool = True) -> bool:
    """Take report jobs off the queue until stopped (or, with `burst`, until it is empty). With
    `fork`, each job runs in a child process, as RQ does by default: a render that leaks memory or
    hangs past its timeout takes only that child with it. Call it in an app context."""
    from .rq_worker import ReportSimpleWorker, ReportWorker

    queue = report_queue(url, name)
    if fork:
        # A child must not share its parent's database connections: it opens its own.
        engine = db.engine
        os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    worker_class = ReportWorker if fork else ReportSimpleWorker
    try:
        worker = worker_class([queue], connection=queue.connection)
        return bool(worker.work(burst=burst))
    finally:
        queue.connection.close()
