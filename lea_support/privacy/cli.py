"""`lea-support retention apply`, `lea-support sar` and `lea-support users anonymise`."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..extensions import db


@click.group()
def retention() -> None:
    """Apply the retention schedule (Admin > Retention schedule)."""


@retention.command("apply")
@click.option("--dry-run", is_flag=True, help="Say what would be deleted or anonymised, and change nothing")
@with_appcontext
def apply_command(dry_run: bool) -> None:
    """Delete or anonymise the records past their retention period, one transaction per kind."""
    from ..core.models import utcnow
    from .retention import KINDS, active_rules, apply_rule, count_due, record_run

    now = utcnow()
    results: dict[str, dict[str, object]] = {}
    for rule in active_rules():
        kind, action = rule.kind, rule.action
        label = KINDS[kind].label
        if dry_run:
            count = count_due(rule, now)
            click.echo(f"{label}: would {action} {count}")
        else:
            count = apply_rule(rule, now)
            db.session.commit()
            click.echo(f"{label}: {action + 'd'} {count}")
        results[kind] = {"action": action, "count": count}
    if dry_run:
        db.session.rollback()
        click.echo("Dry run: nothing was changed.")
        return
    record_run(results, now)
    db.session.commit()


@click.command("sar")
@click.option("--email", required=True, help="The e-mail address of the person asking")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The folder to write into (made if missing)")
@with_appcontext
def sar_command(email: str, out: Path) -> None:
    """Write every record naming a person (JSON per kind, the PDFs they wrote, an index)."""
    from ..core.errors import DomainError
    from .sar import export_subject_access

    try:
        export = export_subject_access(email, out)
    except DomainError as err:
        raise click.ClickException(err.message) from None
    finally:
        db.session.rollback()
    total = sum(export.counts.values())
    click.echo(f"Wrote {total} records of {len(export.counts)} kinds to {out} (see index.html)")


@click.command("anonymise")
@click.option("--email", required=True, help="The e-mail address of the member of staff who has left")
@with_appcontext
def anonymise_user_command(email: str) -> None:
    """Anonymise a departed member of staff: their records stay, their name goes."""
    from sqlalchemy import select

    from ..auth.models import User
    from ..core.errors import DomainError
    from .services import anonymise_user

    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No one has the e-mail address {email}")
    try:
        anonymise_user(None, user)
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from None
    db.session.commit()
    click.echo(f"Anonymised: now {user.name}")
