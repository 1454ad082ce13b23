"""`lea-support import-data`: a thin wrapper over the import engine, one file, one transaction."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from ..extensions import db
from .catalogue import KINDS


@click.command("import-data")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--kind", type=click.Choice(sorted(KINDS)), help="The kind of file; default: recognised from its header")
@click.option("--year", help="The academic year (e.g. 2018/19), when neither the file nor its name says")
@click.option("--dry-run", is_flag=True, help="Check the file and say what would change, saving nothing")
@with_appcontext
def import_data_command(file: str, kind: str | None, year: str | None, dry_run: bool) -> None:
    """Import a national data file: Ofsted MI, KS2 or KS4 performance tables, census or absence."""
    from .imports import DataFileError, import_data

    with open(file, "rb") as stream:
        raw = stream.read()
    try:
        result = import_data(None, raw, filename=file, kind=kind, year=year, dry_run=dry_run)
    except DataFileError as err:
        db.session.rollback()
        click.echo(f"Rejected {file}: {err.headline}", err=True)
        for problem in err.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    click.echo(result.message)
    if result.not_published:
        click.echo(f"Not published in this file's layout: {', '.join(result.not_published)}")
