"""A run done by local worker processes of the machine that starts it: the command line's
`reports generate` (with a progress bar), and the admin page's run when no report queue is
configured (in the request that starts it; never a thread of the web process). Each worker
process builds its own app, so has a database session of its own; this process keeps the run's
counts, committing as it goes (a run is a job, not a request)."""
from __future__ import annotations

import logging
import os
import pickle
import socket
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Callable

from flask import Flask, current_app

from ...core.models import utcnow
from ...extensions import db
from ...pdf.render import process_context
from ..models import BulkRun
from .drafting import draft_school
from .runs import (
    BulkSummary,
    SchoolResult,
    count_result,
    fail_run,
    plan_run,
    save_progress,
)

LOGGER = logging.getLogger(__name__)


def execute_bulk_run(run_id: int, *, out_dir: str | Path | None = None, redraft: bool = False,
                     on_result: Callable[[SchoolResult], None] | None = None) -> BulkSummary:
    """Do a recorded run: skip schools already done, draft the rest in worker processes, keep the
    run's counts up to date (committing as it goes: this is a job, not a request), and return the
    summary. Call it in an app context."""
    started = time.perf_counter()
    out = Path(out_dir) if out_dir else None
    run, summary, pending = plan_run(run_id, out, redraft, on_result)
    term, actor_id, jobs = run.term, run.started_by_id, run.jobs
    run.status, run.started_at, run.updated_at = "running", utcnow(), utcnow()
    run.runner_host, run.runner_pid = socket.gethostname(), os.getpid()
    run.total, run.made, run.skipped, run.failed, run.failures = summary.total, 0, 0, 0, []
    db.session.commit()
    save_progress(run_id, summary)

    if pending:
        app = current_app._get_current_object()  # type: ignore[attr-defined]  # LocalProxy's documented accessor
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
                count_result(summary, result, on_result)
                save_progress(run_id, summary)

    summary.seconds = time.perf_counter() - started
    run = db.session.get(BulkRun, run_id)
    assert run is not None
    run.status, run.finished_at = "finished", utcnow()
    db.session.commit()
    return summary


def run_now(run_id: int, *, out_dir: str | None = None) -> None:
    """Do a run recorded in this request, here and now (the admin page with no report queue):
    what the request recorded is committed first, as the run commits as it goes. A run that
    stops is marked failed, with why, for its page to show; nothing is raised."""
    try:
        execute_bulk_run(run_id, out_dir=out_dir)
    except Exception as err:  # the page must show that the run stopped, and why
        LOGGER.exception("Bulk run %s stopped", run_id)
        fail_run(run_id, f"{type(err).__name__}: {err}")


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
    # Workers fork from a server that has imported the app and WeasyPrint once, not each for itself
    # (the same forkserver as the PDF render processes').
    return process_context()


# --- in the worker processes ---------------------------------------------------------------------------------

_WORKER_APP: Flask | None = None


def _init_worker(config: dict[str, Any]) -> None:
    global _WORKER_APP
    from ... import create_app

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    _WORKER_APP = create_app(config)


def _draft_in_worker(school_id: int, term: str, out_dir: str | None, actor_id: int | None,
                     redraft: bool) -> dict[str, Any]:
    assert _WORKER_APP is not None, "the worker was not initialised"
    return draft_school(_WORKER_APP, school_id, term, out_dir, actor_id, redraft)
