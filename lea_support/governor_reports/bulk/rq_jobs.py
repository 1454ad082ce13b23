"""A run done by RQ workers over Redis (see docs/scale-out.md).

With several app servers, a run need not be done by the process that started it: the run is
recorded and planned as a local run is (runs.py), then each school (or chunk of schools) is a job
on a Redis queue that any `lea-support reports worker` (or `rq worker`) on any machine can take.
Each job drafts its schools exactly as a local worker process does (drafting.py: the same files
written whole, the same skipping of schools already done) and adds its results to the run record
under a row lock, so the admin page shows the progress whichever worker did the work; the job that
records the last school marks the run finished."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from flask import Flask, current_app, has_app_context
from sqlalchemy import select

from ...core.errors import DomainError
from ...core.models import utcnow
from ...core.transactions import after_commit
from ...extensions import db
from ..models import BulkRun
from .drafting import draft_school
from .runs import (
    BulkSummary,
    SchoolResult,
    fail_run,
    plan_run,
    record_school_result,
    school_label,
)

LOGGER = logging.getLogger(__name__)
QUEUE_URL = "redis://127.0.0.1:6379/0"
QUEUE_NAME = "lea-reports"
# Seconds a job may take per school before its worker stops it (a render is limited to
# PDF_RENDER_TIMEOUT_SECONDS; this covers reading the records and saving the draft too).
JOB_SECONDS_PER_SCHOOL = 120


# --- the queue ------------------------------------------------------------------------------------------


def queue_settings(config: Any) -> tuple[str, str]:
    """The Redis URL and queue name for report jobs: REPORT_QUEUE_URL (or REDIS_URL) and
    REPORT_QUEUE_NAME, from the app's settings or the environment."""
    url = (config.get("REPORT_QUEUE_URL") or config.get("REDIS_URL") or os.environ.get("REPORT_QUEUE_URL")
           or os.environ.get("REDIS_URL") or QUEUE_URL)
    name = config.get("REPORT_QUEUE_NAME") or os.environ.get("REPORT_QUEUE_NAME") or QUEUE_NAME
    return url, name


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


def check_queue(queue: Any) -> None:
    """DomainError unless the queue's Redis answers."""
    from redis.exceptions import RedisError

    try:
        queue.connection.ping()
    except RedisError as err:
        raise DomainError(f"The report queue does not answer ({type(err).__name__}): start Redis, or run "
                          "the reports here instead") from None


# --- putting a run on the queue -------------------------------------------------------------------------


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
    check_queue(queue)
    out = Path(out_dir).resolve() if out_dir else None
    run, summary, pending = plan_run(run_id, out, redraft, on_result)
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
        fail_run(run_id, f"Its jobs could not be queued: {type(err).__name__}: {err}")
        raise
    queued.job_ids = [job.id for job in jobs]
    return queued


def queue_after_commit(run: BulkRun, *, out_dir: str | None = None) -> None:
    """Put the run's planning job on the report queue once the transaction that recorded it
    commits (the admin page's way in when the report queue is configured). DomainError now if
    the queue does not answer, so that nothing is recorded."""
    queue = report_queue()
    try:
        check_queue(queue)
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


# --- the jobs, on the workers ---------------------------------------------------------------------------

_JOB_APP: Flask | None = None


def _job_app() -> Flask:
    """The app a job runs in: the worker's own (`lea-support reports worker` runs in one), or one
    made once per process from the environment (a plain `rq worker`)."""
    global _JOB_APP
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]  # LocalProxy's documented accessor
    if _JOB_APP is None:
        from ... import create_app

        logging.getLogger("weasyprint").setLevel(logging.ERROR)
        _JOB_APP = create_app()
    return _JOB_APP


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
            fail_run(run_id, f"{type(err).__name__}: {err}")
            raise
    return {"skipped": queued.summary.skipped, "queued": queued.schools}


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
        result = draft_school(app, school_id, term, out_dir, actor_id, redraft)
        with app.app_context():
            record_school_result(run_id, SchoolResult(**result))
        counts[result["outcome"]] += 1
        if job is not None:  # so that a job stopped part-way counts only the schools it had not done as failed
            job.meta.setdefault("done", []).append(school_id)
            job.save_meta()
    return counts


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
            urn, name = school_label(school_id)
            record_school_result(run_id, SchoolResult(school_id, urn, name, "failed", reason))


def run_report_worker(*, url: str | None = None, name: str | None = None, burst: bool = False,
                      fork: bool = True) -> bool:
    """Take report jobs off the queue until stopped (or, with `burst`, until it is empty). With
    `fork`, each job runs in a child process, as RQ does by default: a render that leaks memory or
    hangs past its timeout takes only that child with it. Call it in an app context."""
    from ..rq_worker import ReportSimpleWorker, ReportWorker

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
