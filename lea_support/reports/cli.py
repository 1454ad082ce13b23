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
@click.option("--tier", type=click.Choice(["light_touch", "enhanced", "significant"]), help="Only schools in this tier")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Also write each PDF into this folder")
@click.option("--jobs", type=click.IntRange(1, 64), help="Worker processes (default REPORTS_BULK_JOBS, 2)")
@click.option("--redraft", is_flag=True, help="Make open drafts again from the records (checked and published reports are never touched)")
@click.option("-v", "--verbose", is_flag=True, help="A line per school as it is done")
@with_appcontext
def generate_command(term: str, schools: tuple[int, ...], tier: str | None, out_dir: str | None, jobs: int | None,
                     redraft: bool, verbose: bool) -> None:
    """Draft the term's report for every school (or those chosen), in parallel; a run that was
    stopped finishes the rest when started again."""
    from .bulk import execute_bulk_run, start_bulk_run

    try:
        run = start_bulk_run(None, term=term, tier=tier, urns=list(schools), jobs=jobs)
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from None
    db.session.commit()
    run_id, total = run.id, run.total
    out_dir = out_dir or None
    click.echo(f"Drafting {total} {run.term} report{'s' if total != 1 else ''} with {run.jobs} worker"
               f"{'s' if run.jobs != 1 else ''} (run {run_id})" + (f" into {out_dir}" if out_dir else ""))
    with click.progressbar(length=total, label="Reports", show_pos=True, file=sys.stderr) as bar:
        def progress(result):  # type: ignore[no-untyped-def]
            bar.update(1)
            if verbose:
                line = f"{result.outcome} {result.urn} {result.name}"
                click.echo(line + (f": {result.reason}" if result.reason else ""))
        summary = execute_bulk_run(run_id, out_dir=out_dir, redraft=redraft, on_result=progress)
    click.echo(f"Done in {summary.seconds:.1f} s: {summary.message}")
    if summary.failed:
        current_app.logger.warning("Bulk run %s: %s failed", run_id, summary.failed)
        sys.exit(1)


@reports.command("allocation-letters")
@click.argument("academic_year")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="The folder for the letters")
@with_appcontext
def allocation_letters_command(academic_year: str, out_dir: str) -> None:
    """Write every school's Annual Support Allocation letter for the year (e.g. 2026/27) as a PDF;
    letters already in the folder are kept, so a stopped run can be started again."""
    from ..core.terms import parse_academic_year
    from .documents import allocations_for_year, write_allocation_letters

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
