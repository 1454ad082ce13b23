"""The record of a bulk run (`BulkRun`) and its lifecycle: which schools it covers, starting it
(one run of a term at a time), planning it (the schools already done are skipped), its counts
moving on as each school is done, and a run whose process died given up so that the next one can
finish its work. The local pool (pool.py) and the report queue (rq_jobs.py) both keep it here."""
from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...core.audit import record_audit
from ...core.errors import DomainError
from ...core.models import utcnow
from ...extensions import db
from ...schools.models import School, SupportTier
from ..models import BulkRun, GovernorReport, GovernorReportVersion
from ..terms import report_term
from .files import remove_partial_reports, report_file_name

# A run that has not moved on for this long is taken to have died with its process.
STALE_AFTER = timedelta(minutes=15)


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
    return rows  # type: ignore[return-value]  # Row objects read as the tuple type


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


def fail_run(run_id: int, error: str) -> None:
    """Mark a run that stopped as failed, with why, unless it is already over. Commits (a run is
    a job, not a request)."""
    db.session.rollback()
    run = db.session.get(BulkRun, run_id)
    if run is not None and run.status in {"queued", "running"}:
        run.status, run.error, run.finished_at = "failed", error[:2000], utcnow()
        db.session.commit()


# --- the outcome of each school -------------------------------------------------------------------------


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


def school_label(school_id: int) -> tuple[int, str]:
    """A school's URN and name, to report its outcome by (reads, then lets go of the database)."""
    row = db.session.execute(select(School.urn, School.name).where(School.id == school_id)).first()
    db.session.rollback()
    return (row[0], row[1]) if row else (0, f"school {school_id}")


def _done_school_ids(term: str, school_ids: list[int]) -> set[int]:
    if not school_ids:
        return set()
    return set(db.session.scalars(
        select(GovernorReport.school_id).join(GovernorReportVersion, GovernorReportVersion.report_id == GovernorReport.id)
        .where(GovernorReport.term == term, GovernorReport.school_id.in_(school_ids))))


def plan_run(run_id: int, out: Path | None, redraft: bool,
             on_result: Callable[[SchoolResult], None] | None) -> tuple[BulkRun, BulkSummary, list[tuple[int, int, str]]]:
    """The run, its summary with the schools already done counted as skipped, and the schools
    still to do. Clears leftover temporary files from the output folder first."""
    run = db.session.get(BulkRun, run_id)
    if run is None:
        raise DomainError(f"There is no bulk run {run_id}")
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        remove_partial_reports(out)
    schools = select_schools(urns=run.urns, tier=run.tier)
    done = _done_school_ids(run.term, [s[0] for s in schools])
    summary = BulkSummary(run_id=run_id, total=len(schools))
    pending: list[tuple[int, int, str]] = []
    for school_id, urn, name in schools:
        file_there = out is None or (out / report_file_name(urn, run.term)).exists()
        if school_id in done and not redraft and file_there:
            count_result(summary, SchoolResult(school_id, urn, name, "skipped", "already drafted"), on_result)
        else:
            pending.append((school_id, urn, name))
    return run, summary, pending


def count_result(summary: BulkSummary, result: SchoolResult,
                 on_result: Callable[[SchoolResult], None] | None) -> None:
    setattr(summary, result.outcome, getattr(summary, result.outcome) + 1)
    if result.outcome == "failed":
        summary.failures.append({"urn": result.urn, "school": result.name, "reason": result.reason})
    if result.pid:
        summary.worker_maxrss_kb[result.pid] = max(summary.worker_maxrss_kb.get(result.pid, 0), result.maxrss_kb)
    if result.outcome == "made" and result.seconds:
        summary.render_seconds.append(result.seconds)
    if on_result is not None:
        on_result(result)


def save_progress(run_id: int, summary: BulkSummary) -> None:
    """The run's counts as the summary has them (one process keeps them). Commits."""
    run = db.session.get(BulkRun, run_id)
    assert run is not None
    run.made, run.skipped, run.failed = summary.made, summary.skipped, summary.failed
    run.failures = list(summary.failures)
    run.updated_at = utcnow()
    db.session.commit()


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
