"""The home page (which sends each role where it works) and the audit log."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ..auth.models import User
from ..auth.permissions import can_view_audit_log, can_view_school_list, is_governor
from ..extensions import db
from .models import AuditEntry
from .web import date_arg, id_arg, page_arg, permission_required

bp = Blueprint("core", __name__, template_folder="templates")


@bp.get("/")
@login_required
def home() -> Any:
    if current_user.role == "link_adviser":
        return redirect(url_for("casework.caseload"))
    if can_view_school_list(current_user):
        return redirect(url_for("schools.list_schools"))
    if is_governor(current_user):
        return redirect(url_for("governor_reports.governor_home"))
    return redirect(url_for("schools.my_schools"))


@bp.get("/admin/audit")
@permission_required(can_view_audit_log)
def audit_log() -> Any:
    from ..schools.models import School

    args = request.args
    query = select(AuditEntry).order_by(AuditEntry.occurred_at.desc(), AuditEntry.id.desc())
    errors: list[str] = []
    if args.get("urn", "").strip():
        if (urn := id_arg(args, "urn")) is not None:
            query = query.join(School, School.id == AuditEntry.school_id).where(School.urn == urn)
        else:
            errors.append("A URN is a number, like 100000")
    if user_email := args.get("user", "").strip():
        query = query.join(User, User.id == AuditEntry.user_id).where(func.lower(User.email).contains(user_email.lower()))
    date_from, date_to = date_arg(args.get("from")), date_arg(args.get("to"))
    if args.get("from") and not date_from or args.get("to") and not date_to:
        errors.append("Enter dates as YYYY-MM-DD, like 2026-11-23")
    if date_from:
        query = query.where(AuditEntry.occurred_at >= datetime.combine(date_from, time.min, UTC))
    if date_to:
        query = query.where(AuditEntry.occurred_at < datetime.combine(date_to + timedelta(days=1), time.min, UTC))
    page = page_arg(args)
    per_page = 50
    rows = db.session.scalars(query.limit(per_page + 1).offset((page - 1) * per_page)).all() if not errors else []
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_({r.user_id for r in rows if r.user_id}))).all()}
    schools = {s.id: s for s in db.session.scalars(select(School).where(School.id.in_({r.school_id for r in rows if r.school_id}))).all()}
    return render_template(
        "core/audit.html", rows=rows[:per_page], users=users, schools=schools, errors=errors,
        page=page, has_next=len(rows) > per_page, args=args,
    )


# --- term dates and closure days (administrators) ------------------------------------------------
# Forms live here beside their only views; move them to core/forms.py if another area needs them.

from flask import flash  # noqa: E402
from flask_wtf import FlaskForm  # noqa: E402
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput  # noqa: E402
from wtforms import StringField, SubmitField  # noqa: E402

from ..auth.permissions import can_administer  # noqa: E402
from . import calendar_services  # noqa: E402
from .calendar import ClosureDay, TermDate  # noqa: E402
from .errors import DomainError  # noqa: E402
from .forms import DateInputField, MaxLength, apply_domain_error  # noqa: E402
from .limits import SHORT_TEXT  # noqa: E402
from .web import get_or_404  # noqa: E402


class _CalendarForm(FlaskForm):
    # Two of these share a page, so they carry prefixes; CSRFProtect checks every POST's token
    # (sent as the plain `csrf_token` field), so the forms need no token field of their own.
    class Meta:
        csrf = False


class TermDateForm(_CalendarForm):
    term = StringField("Term", widget=GovTextInput(), validators=[MaxLength(20)],
                       description="Its season and the calendar year it falls in, like autumn-2026, spring-2027 or summer-2027")
    starts_on = DateInputField("First day", required=True, description="For example, 2 9 2026")
    ends_on = DateInputField("Last day", required=True, description="For example, 18 12 2026")
    submit = SubmitField("Add term", widget=GovSubmitInput())


class ClosureDayForm(_CalendarForm):
    name = StringField("What it is", widget=GovTextInput(), validators=[MaxLength(SHORT_TEXT, "The name")],
                       description="For example, Autumn half-term, Early May bank holiday or Training day")
    starts_on = DateInputField("First day", required=True)
    ends_on = DateInputField("Last day", required=True, description="The same as the first day for a single day")
    submit = SubmitField("Add closure", widget=GovSubmitInput())


def _render_term_dates(term_form: TermDateForm | None = None, closure_form: ClosureDayForm | None = None) -> Any:
    failed = next((f for f in (term_form, closure_form) if f is not None and f.errors), None)
    return render_template(
        "core/term_dates.html", terms=calendar_services.term_dates(), closures=calendar_services.closure_days(),
        term_form=term_form or TermDateForm(prefix="term", formdata=None),
        closure_form=closure_form or ClosureDayForm(prefix="closure", formdata=None),
        form=failed,
    ), 422 if failed else 200


@bp.route("/admin/term-dates", methods=["GET", "POST"])
@permission_required(can_administer)
def term_dates() -> Any:
    if request.method == "GET":
        return _render_term_dates()
    form = TermDateForm(prefix="term")
    if form.validate_on_submit():
        try:
            term = calendar_services.add_term(current_user, term=form.term.data, starts_on=form.starts_on.data,
                                              ends_on=form.ends_on.data)
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            flash(f"{term.label} added", "success")
            return redirect(url_for("core.term_dates"))
    return _render_term_dates(term_form=form)


@bp.post("/admin/term-dates/<int:term_id>/delete")
@permission_required(can_administer)
def delete_term(term_id: int) -> Any:
    term = get_or_404(TermDate, term_id)
    calendar_services.delete_term(current_user, term)
    flash(f"{term.label} deleted", "success")
    return redirect(url_for("core.term_dates"))


@bp.post("/admin/closures")
@permission_required(can_administer)
def add_closure() -> Any:
    form = ClosureDayForm(prefix="closure")
    if form.validate_on_submit():
        try:
            closure = calendar_services.add_closure(current_user, name=form.name.data, starts_on=form.starts_on.data,
                                                    ends_on=form.ends_on.data)
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            flash(f"{closure.name} added", "success")
            return redirect(url_for("core.term_dates"))
    return _render_term_dates(closure_form=form)


@bp.post("/admin/closures/<int:closure_id>/delete")
@permission_required(can_administer)
def delete_closure(closure_id: int) -> Any:
    closure = get_or_404(ClosureDay, closure_id)
    calendar_services.delete_closure(current_user, closure)
    flash(f"{closure.name} deleted", "success")
    return redirect(url_for("core.term_dates"))
