"""The `lea-support` command: Flask's CLI over the app factory, plus the project's own commands.
Each command is a thin wrapper over a service function and commits once."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from .extensions import db


def _create_app() -> Flask:
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """Manage lea-support: run the server, migrate the database, import schools, add users."""


def register_commands(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(import_gias_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(issue_allocations_command)
    from .evidence.cli import import_data_command

    app.cli.add_command(import_data_command)
    app.cli.add_command(reminders)
    from .governor_reports.cli import reports

    app.cli.add_command(reports)
    from .privacy.cli import anonymise_user_command, retention, sar_command

    app.cli.add_command(retention)
    app.cli.add_command(sar_command)
    users.add_command(anonymise_user_command)


@click.group()
def users() -> None:
    """Create and manage user accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, help="admin, link_adviser, sia, project_team, school_leader or governor")
@click.option("--school", "schools", multiple=True, type=int, help="URN of the user's school (repeatable)")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input")
@with_appcontext
def create_user_command(email: str, name: str, role: str, schools: tuple[int, ...], password_stdin: bool) -> None:
    """Create a user; the password comes from a prompt or standard input."""
    from .auth.services import create_user
    from .core.errors import DomainError

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(None, email=email, name=name, role=role, password=password, school_urns=list(schools))
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from None
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}")


@users.command("reset-second-factor")
@click.argument("email")
@with_appcontext
def reset_second_factor_command(email: str) -> None:
    """Take away a user's authenticator app and recovery codes (for an administrator who has lost
    theirs, with no other administrator to do it): they set up a new one at their next sign-in."""
    from sqlalchemy import select

    from .auth.mfa import reset_second_factor
    from .auth.models import User
    from .core.errors import DomainError

    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"There is no user with the email address {email}")
    try:
        reset_second_factor(None, user)
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from None
    db.session.commit()
    click.echo(f"Reset the second factor of {user.email}; their sessions are ended")


@click.command("import-gias")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--la", "la_codes", multiple=True, help="Keep only this LA code (repeatable); default: every LA")
@with_appcontext
def import_gias_command(file: str, la_codes: tuple[str, ...]) -> None:
    """Import (upsert by URN) the DfE GIAS establishment CSV."""
    from .schools.gias import GiasFileError, import_gias

    with open(file, "rb") as stream:
        try:
            summary = import_gias(None, stream, filename=file, la_codes=list(la_codes) or None)
        except GiasFileError as err:
            db.session.rollback()
            click.echo(f"Rejected {file}: {err.headline}. Nothing was imported.", err=True)
            for problem in err.problems:
                click.echo(f"  {problem}", err=True)
            sys.exit(1)
    db.session.commit()
    click.echo(summary.message)


def _scale_demo() -> tuple[dict[str, int], int, Any]:
    """The scale demo from the project checkout's tools/ (not part of the installed package)."""
    checkout = Path(__file__).resolve().parents[1]
    if not (checkout / "tools" / "scale_demo.py").is_file():
        raise click.UsageError("--scale needs the project checkout: run it from a clone of lea-support")
    if str(checkout) not in sys.path:
        sys.path.insert(0, str(checkout))
    from tools.scale_demo import SCALE_YEARS, SCALES, seed_scale

    return SCALES, SCALE_YEARS, seed_scale


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing if the database already has schools")
@click.option("--scale", type=click.Choice(["la", "national"]),
              help="Instead of the small demo: an authority of about 600 schools (la) or a country of about "
                   "25,000 (national), with ten years of history, loaded in bulk")
@click.option("--schools", type=click.IntRange(min=2), hidden=True, help="With --scale: this many schools instead")
@click.option("--years", type=click.IntRange(min=1, max=30), hidden=True, help="With --scale: years of history")
@with_appcontext
def demo_command(if_empty: bool, scale: str | None, schools: int | None, years: int | None) -> None:
    """Seed a fictional demo authority with schools in every tier and a user for every role."""
    from .demo import DEMO_PASSWORD, DEMO_USERS, seed_demo

    if scale is None and (schools is not None or years is not None):
        raise click.UsageError("--schools and --years go with --scale")
    if scale is None:
        made = seed_demo(if_empty=if_empty)
    else:
        SCALES, SCALE_YEARS, seed_scale = _scale_demo()
        n = schools or SCALES[scale]
        click.echo(f"Generating {n:,} fictional schools with {years or SCALE_YEARS} years of history...")
        made = seed_scale(n, years=years or SCALE_YEARS, if_empty=if_empty)
    db.session.commit()
    if made is None:
        click.echo("The database already has schools; demo data not added.")
    else:
        if scale is not None:
            for name, count in made.counts:
                click.echo(f"  {name:<20} {count:>10,}")
            click.echo(f"Generated in {made.seconds:.1f} s.")
        click.echo("Demo authority ready. Sign in with any of these (password for all: " + DEMO_PASSWORD + "):")
    for email, _name, role, _school in DEMO_USERS:
        click.echo(f"  {role:<14} {email}")


@click.command("issue-allocations")
@click.argument("academic_year")
@with_appcontext
def issue_allocations_command(academic_year: str) -> None:
    """Issue the Annual Support Allocation (e.g. 2026/27) to every school without one."""
    from .core.terms import parse_academic_year
    from .schools.services import issue_annual_allocations

    try:
        parse_academic_year(academic_year)
    except ValueError as err:
        raise click.BadParameter(str(err)) from None
    created = issue_annual_allocations(None, academic_year)
    db.session.commit()
    click.echo(f"{created} allocations issued for {academic_year}")


@click.group()
def reminders() -> None:
    """The daily e-mail of what is due (run it once a day: cron or RQ's scheduler)."""


@reminders.command("send")
@click.option("--dry-run", is_flag=True, help="Say who would get what, and send and change nothing")
@click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), hidden=True,
              help="The day to work out what is due for (default today)")
@with_appcontext
def send_reminders_command(dry_run: bool, on: Any) -> None:
    """E-mail each active person what is waiting for them, and the notifications they chose to hear
    of daily: once a day each, however many times it runs."""
    from .notifications.reminders import send_reminders

    run = send_reminders(on.date() if on else None, dry_run=dry_run, say=click.echo)
    verb = "would be e-mailed" if dry_run else "e-mailed"
    click.echo(f"{run.sent} {verb}, {run.failed} could not be sent, {run.already_sent} already e-mailed today, "
               f"{run.nothing_due} with nothing due ({run.people} people, {run.seconds:.1f} s).")
    if run.failed:
        sys.exit(1)
