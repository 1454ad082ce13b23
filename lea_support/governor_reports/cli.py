"""`lea-support reports ...`: bulk generation of governor reports from the command line."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from ..core.errors import DomainError
from ..extensions import db


@click.group("reports")
def reports() -> None:
    """Governor reports and other documents."""


@reports.command("generate")
@click.option("--term", required=True, help="The term, like autumn-2026")
@click.option("--school", "schools", multiple=True, type=int, help="URN of a school to draft (repeatable); default: every open school")
@click.option("--tier", help="Only schools in this support tier (its code, e.g. significant)")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Also write each PDF into this folder")
@click.option("--jobs", type=click.IntRange(1, 64), help="Worker processes (default REPORTS_BULK_JOBS, 2)")
@click.option("--redraft", is_flag=True, help="Make open drafts again from the records (checked and published reports are never touched)")
@click.option("--backend", type=click.Choice(["local", "rq"]),
              help="local: worker processes here; rq: jobs on the report queue for `lea-support reports worker` "
                   "(default REPORTS_BACKEND, local)")
@click.option("--queue-url", help="Redis for the report queue (default REPORT_QUEUE_URL, redis://127.0.0.1:6379/0)")
@click.option("--queue", "queue_name", help="The report queue's name (default REPORT_QUEUE_NAME, lea-reports)")
@click.option("--chunk-size", type=click.IntRange(1, 1000), default=1, show_default=True,
              help="rq: schools to a job")
@click.option("--wait", is_flag=True, help="rq: follow the run until the workers have finished it")
@click.option("-v", "--verbose", is_flag=True, help="A line per school as it is done")
@with_appcontext
def generate_command(term: str, schools: tuple[int, ...], tier: str | None, out_dir: str | None, jobs: int | None,
                     redraft: bool, backend: str | None, queue_url: str | None, queue_name: str | None,
                     chunk_size: int, wait: bool, verbose: bool) -> None:
    """Draft the term's report for every school (or those chosen), in parallel; a run that was
    stopped finishes the rest when started again."""
    from .bulk import bulk_backend
    from .bulk.pool import execute_bulk_run
    from .bulk.runs import start_bulk_run

    backend = backend or bulk_backend(current_app.config)
    try:
        run = start_bulk_run(None, term=term, tier=tier, urns=list(schools), jobs=jobs)
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from None
    db.session.commit()
    run_id, total = run.id, run.total
    out_dir = out_dir or None
    if backend == "rq":
        _queue_run(run_id, out_dir=out_dir, redraft=redraft, url=queue_url, name=queue_name, chunk_size=chunk_size,
                   wait=wait)
        return
    click.echo(f"Drafting {total} {run.term} report{'s' if total != 1 else ''} with {run.jobs} worker"
               f"{'s' if run.jobs != 1 else ''} (run {run_id})" + (f" into {out_dir}" if out_dir else ""))
    with click.progressbar(length=total, label="Reports", show_pos=True, file=sys.stderr) as bar:
        def progress(result):  # type: ignore[no-untyped-def]  # a multiprocessing callback
            bar.update(1)
            if verbose:
                line = f"{result.outcome} {result.urn} {result.name}"
                click.echo(line + (f": {result.reason}" if result.reason else ""))
        summary = execute_bulk_run(run_id, out_dir=out_dir, redraft=redraft, on_result=progress)
    click.echo(f"Done in {summary.seconds:.1f} s: {summary.message}")
    if summary.failed:
        current_app.logger.warning("Bulk run %s: %s failed", run_id, summary.failed)
        sys.exit(1)


def _queue_run(run_id: int, *, out_dir: str | None, redraft: bool, url: str | None, name: str | None,
               chunk_size: int, wait: bool) -> None:
    from .bulk.rq_jobs import enqueue_bulk_run, queue_settings, report_queue, safe_queue_url

    queue = report_queue(url, name)
    try:
        queued = enqueue_bulk_run(run_id, queue=queue, out_dir=out_dir, redraft=redraft, chunk_size=chunk_size)
    except DomainError as err:
        db.session.rollback()
        _give_up(run_id, err.message)
        raise click.ClickException(err.message) from None
    finally:
        queue.connection.close()
    where = f"{queued.queue_name} at {safe_queue_url(url or queue_settings(current_app.config)[0])}"
    summary = queued.summary
    click.echo(f"Run {run_id}: {summary.skipped} of {summary.total} already done; {queued.schools} queued in "
               f"{len(queued.job_ids)} job{'s' if len(queued.job_ids) != 1 else ''} on {where}"
               + (f", into {out_dir}" if out_dir else ""))
    if not queued.schools:
        click.echo(f"Done: {summary.message}")
        return
    if not wait:
        click.echo("Workers take them from there (`lea-support reports worker`); the admin page shows the progress.")
        return
    _follow_run(run_id)


def _give_up(run_id: int, reason: str) -> None:
    from .bulk.runs import fail_run

    fail_run(run_id, reason)


def _follow_run(run_id: int) -> None:
    """Show a queued run's progress from its record until it is over; exit 1 if a school failed."""
    import time

    from .bulk.runs import run_in_progress
    from .models import BulkRun

    with click.progressbar(length=db.session.get(BulkRun, run_id).total, label="Reports", show_pos=True,
                           file=sys.stderr) as bar:
        shown = 0
        while True:
            db.session.rollback()  # a fresh read of the record each time
            run = db.session.get(BulkRun, run_id)
            bar.update(run.done - shown)
            shown = run.done
            if run.status not in {"queued", "running"}:
                break
            run_in_progress(run.term)  # gives the run up if no worker has moved it on for a long while
            db.session.commit()
            time.sleep(1)
    failures = "".join(f"\n  failed: URN {f['urn']} {f['school']}: {f['reason']}" for f in run.failures or [])
    click.echo(f"Run {run_id} {run.status}: {run.made} made, {run.skipped} skipped, {run.failed} failed "
               f"(of {run.total}){failures}" + (f"\n{run.error}" if run.error else ""))
    db.session.rollback()
    if run.failed or run.status != "finished":
        sys.exit(1)


@reports.command("worker")
@click.option("--queue-url", help="Redis for the report queue (default REPORT_QUEUE_URL, redis://127.0.0.1:6379/0)")
@click.option("--queue", "queue_name", help="The report queue's name (default REPORT_QUEUE_NAME, lea-reports)")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty")
@click.option("--no-fork", is_flag=True, help="Run each job in this process (RQ's SimpleWorker), not a child of it")
@with_appcontext
def worker_command(queue_url: str | None, queue_name: str | None, burst: bool, no_fork: bool) -> None:
    """Take governor report jobs off the report queue (from `generate --backend rq` or the admin
    page with REPORTS_BACKEND=rq) and draft them; start as many as the machines can carry."""
    from .bulk.rq_jobs import run_report_worker

    run_report_worker(url=queue_url, name=queue_name, burst=burst, fork=not no_fork)


@reports.command("allocation-letters")
@click.argument("academic_year")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="The folder for the letters")
@with_appcontext
def allocation_letters_command(academic_year: str, out_dir: str) -> None:
    """Write every school's Annual Support Allocation letter for the year (e.g. 2026/27) as a PDF;
    letters already in the folder are kept, so a stopped run can be started again."""
    from ..core.terms import parse_academic_year
    from ..schools.documents import allocations_for_year, write_allocation_letters

    try:
        parse_academic_year(academic_year)
    except ValueError as err:
        raise click.BadParameter(str(err)) from None
    total = len(allocations_for_year(academic_year))
    if not total:
        raise click.ClickException(f"No allocations are issued for {academic_year}: run issue-allocations first")
    with click.progressbar(length=total, label="Letters", show_pos=True, file=sys.stderr) as bar:
        written, skipped = write_allocation_letters(academic_year, out_dir, on_letter=lambda _a: bar.update(1))
    db.session.rollback()
    click.echo(f"{written} letters written, {skipped} already there, in {out_dir}")
