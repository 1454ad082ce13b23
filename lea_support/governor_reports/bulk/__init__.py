"""Bulk generation: draft the term's governor report for every school (or those chosen) in
parallel, each school in a worker process with its own app and database session.

One design, by concern:
- runs.py: the run's record (`BulkRun`) and its lifecycle: choosing the schools, starting it (one
  run of a term at a time), planning it (schools already done are skipped, so a run that was
  killed and started again finishes the rest with no duplicates), its counts as each school is
  done, and a run whose process died given up;
- drafting.py: one school, as every worker does it (render outside any transaction, save the
  draft in a short one, then write its file);
- pool.py: local worker processes of the machine that starts the run (the command line, and the
  admin page when no report queue is configured: in the request, never a thread of the web process);
- rq_jobs.py: RQ workers on any machine, over Redis (see docs/scale-out.md);
- files.py (over core/files.py): each PDF written to a temporary name and renamed into place, so
  a reader never sees half a file.

Below: the admin page's way in.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from flask import current_app

from ..models import BulkRun
from . import pool, rq_jobs
from .runs import start_bulk_run


@dataclass
class BulkRunData:
    """What the admin page asks for: the term, a tier ("" for every tier), URNs as typed."""

    term: str
    tier: str
    urns: str


def bulk_backend(config: Any) -> str:
    """Where runs are done: "local" (worker processes of this machine; from the admin page, in the
    request that starts the run) or "rq" (the report queue's workers)."""
    backend = (config.get("REPORTS_BACKEND") or os.environ.get("REPORTS_BACKEND") or "local").lower()
    if backend not in {"local", "rq"}:
        raise RuntimeError(f"REPORTS_BACKEND is {backend!r}: use local or rq")
    return backend


def start_from_page(actor: Any, data: BulkRunData) -> BulkRun:
    """Record a bulk run asked for on the admin page. With the report queue (REPORTS_BACKEND rq),
    its planning job goes on the queue once the run is saved (DomainError now if the queue does
    not answer); otherwise `finish_from_page` does it in the request. Its PDFs are kept in the
    database, and also written to REPORTS_OUT_DIR if set."""
    backend = bulk_backend(current_app.config)
    run = start_bulk_run(actor, term=data.term, tier=data.tier or None, urns=data.urns)
    if backend == "rq":
        rq_jobs.queue_after_commit(run, out_dir=current_app.config.get("REPORTS_OUT_DIR"))
    return run


def finish_from_page(run: BulkRun) -> None:
    """With no report queue, do the run the admin page recorded now, in its request, on local
    worker processes (committing as it goes); with the queue, nothing: the workers do it."""
    if bulk_backend(current_app.config) != "rq":
        pool.run_now(run.id, out_dir=current_app.config.get("REPORTS_OUT_DIR"))
