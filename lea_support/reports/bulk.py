"""Bulk generation: draft the term's governor report for every school (or those chosen) in
parallel worker processes, each with its own app and database session.

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
import multiprocessing
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

from flask import Flask, current_app
from sqlalchemy import select

from ..core.audit import record_audit
from ..core.errors import DomainError
from ..core.models import utcnow
from ..extensions import db
from ..schools.models import School
from .models import BulkRun, GovernorReport, GovernorReportVersion
from .terms import report_term

LOGGER = logging.getLogger(__name__)
TIER_CODES = ("light_touch", "enhanced", "significant")
# A run that has not moved on for this long is taken to have died with its process.
STALE_AFTER = timedelta(minutes=15)
_THREADS: dict[int, threading.Thread] = {}


def report_file_name(urn: int, term: str) -> str:
    return f"governor-report-{urn}-{term}.pdf"


def _partial_name(final: Path) -> Path:
    return final.with_name(f".{final.name}.{os.getpid()}.tmp")


def write_atomically(path: Path, data: bytes) -> None:
    """Write the whole file under a temporary name in the same folder, then rename it into place."""
    partial = _partial_name(path)
    with open(partial, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(partial, path)


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
    if tier and tier not in TIER_CODES:
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
            run.error = "Stopped before it finished (its process ended). Start a new run to finish the rest."
        else:
            running = run
    return running


def start_bulk_run(actor: Any, *, term: str, tier: str | None = None, urns: str | list[int] | None = None,
                   jobs: int | None = None) -> BulkRun:
    """Record a bulk run of the term's draft reports (not yet started): which schools, how many."""
    code = report_term(term).code
    urn_list = parse_urns(urns)
    schools = select_schools(urns=urn_list or None, tier=tier or None)
    if not schools:
        raise DomainError("No open school matches: choose another tier or other URNs", field="tier")
    if run_in_progress(code) is not None:
        raise DomainError(f"A run for the {code} reports is already in progress: wait for it to finish", field="term")
    jobs = jobs or int(current_app.config.get("REPORTS_BULK_JOBS", 2))
    if not 1 <= jobs <= 64:
        raise DomainError("Use between 1 and 64 worker processes", field="jobs")
    run = BulkRun(term=code, tier=tier or None, urns=urn_list or None, jobs=jobs, status="queued",
                  started_by_id=actor.id if actor else None, total=len(schools), failures=[],
                  updated_at=utcnow(), runner_host="", runner_pid=None)
    db.session.add(run)
    db.session.flush()
    record_audit(actor, "governor_report.bulk_run", "report_bulk_run", run.id,
                 after={"term": code, "tier": tier, "urns": urn_list, "schools": len(schools), "jobs": jobs})
    return run


def queue_bulk_run(actor: Any, *, term: str, tier: str | None = None, urns: str | None = None) -> BulkRun:
    """Record a bulk run and have it start in the background once it is saved (the admin page's
    way in); its PDFs are kept in the database, and also written to REPORTS_OUT_DIR if set."""
    run = start_bulk_run(actor, term=term, tier=tier, urns=urns)
    launch_after_commit(run, out_dir=current_app.config.get("REPORTS_OUT_DIR"))
    return run


def launch_after_commit(run: BulkRun, *, out_dir: str | None = None) -> None:
    """Start the run in a background thread of this process once the transaction that recorded
    it commits (the admin page's way in)."""
    from .mail import call_after_commit

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    run_id = run.id

    def launch() -> None:
        thread = threading.Thread(target=_run_in_thread, args=(app, run_id, out_dir), name=f"bulk-run-{run_id}",
                                  daemon=True)
        _THREADS[run_id] = thread
        thread.start()

    call_after_commit(launch)


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
    context = multiprocessing.get_context("forkserver")
    # Workers fork from a server that has imported the app and WeasyPrint once, not each for itself.
    context.set_forkserver_preload(["lea_support.reports.bulk", "lea_support.reports.services"])
    return context


def _done_school_ids(term: str, school_ids: list[int]) -> set[int]:
    if not school_ids:
        return set()
    return set(db.session.scalars(
        select(GovernorReport.school_id).join(GovernorReportVersion, GovernorReportVersion.report_id == GovernorReport.id)
        .where(GovernorReport.term == term, GovernorReport.school_id.in_(school_ids))))


def execute_bulk_run(run_id: int, *, out_dir: str | Path | None = None, redraft: bool = False,
                     on_result: Callable[[SchoolResult], None] | None = None) -> BulkSummary:
    """Do a recorded run: skip schools already done, draft the rest in worker processes, keep the
    run's counts up to date (committing as it goes: this is a job, not a request), and return the
    summary. Call it in an app context."""
    started = time.perf_counter()
    run = db.session.get(BulkRun, run_id)
    if run is None:
        raise DomainError(f"There is no bulk run {run_id}")
    term = run.term
    out = Path(out_dir) if out_dir else None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        remove_partial_files(out)
    schools = select_schools(urns=run.urns, tier=run.tier)
    done = _done_school_ids(term, [s[0] for s in schools])
    run.status, run.started_at, run.updated_at = "running", utcnow(), utcnow()
    run.runner_host, run.runner_pid = socket.gethostname(), os.getpid()
    run.total, run.made, run.skipped, run.failed, run.failures = len(schools), 0, 0, 0, []
    actor_id, jobs = run.started_by_id, run.jobs
    db.session.commit()

    summary = BulkSummary(run_id=run_id, total=len(schools))
    pending: list[tuple[int, int, str]] = []
    for school_id, urn, name in schools:
        file_there = out is None or (out / report_file_name(urn, term)).exists()
        if school_id in done and not redraft and file_there:
            _count(summary, SchoolResult(school_id, urn, name, "skipped", "already drafted"), on_result)
        else:
            pending.append((school_id, urn, name))
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
    started = time.perf_counter()
    with _WORKER_APP.app_context():
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
            write_atomically(final, pdf)
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
        write_atomically(final, rendered.data)
    return "made", "", urn, name
