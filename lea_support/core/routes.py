"""The admin index, the audit log, term dates, bank holidays and the letterhead every PDF is printed on."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from sqlalchemy import func, select
from wtforms import BooleanField, StringField, SubmitField, TextAreaField

from ..auth.models import User
from ..auth.permissions import can_administer, can_view_audit_log
from ..extensions import db
from ..pdf.letterhead import LOGO_MAX_BYTES, LetterheadData, current_letterhead, save_letterhead
from ..schools.models import School
from . import audit_log as audit_log_lines
from . import calendar_services, working_days
from .calendar import ClosureDay, TermDate
from .forms import DateInputField, EditVersionField, MaxLength, TermField
from .limits import SHORT_TEXT
from .models import AuditEntry
from .navigation import admin_pages
from .terms import Term, format_date
from .web import (
    date_arg,
    flash_and_redirect,
    get_or_404,
    id_arg,
    page_arg,
    permission_required,
    process_form,
    require,
)

bp = Blueprint("core", __name__, template_folder="templates")


class AuditFilterForm(FlaskForm):
    """The audit log's search, sent in the query string (nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    urn = StringField("School URN", widget=GovTextInput(), validators=[MaxLength(20)])
    user = StringField("Person's email address", widget=GovTextInput(), validators=[MaxLength(SHORT_TEXT)],
                       description="All or part of it")
    from_date = DateInputField("From", description="For example, 23 11 2026")
    to_date = DateInputField("To", description="For example, 30 11 2026")


@bp.get("/admin/audit")
@permission_required(can_view_audit_log)
def audit_log() -> Any:
    args = request.args
    form = AuditFilterForm(formdata=args if args else None)
    form.validate()
    query = select(AuditEntry).order_by(AuditEntry.occurred_at.desc(), AuditEntry.id.desc())
    errors: list[str] = [message for messages in form.errors.values() for message in messages]
    if (form.urn.data or "").strip():
        if (urn := id_arg(args, "urn")) is not None:
            query = query.join(School, School.id == AuditEntry.school_id).where(School.urn == urn)
        else:
            form.urn.errors = ["A URN is a number, like 100000"]
            errors.append(form.urn.errors[0])
    if user_email := (form.user.data or "").strip():
        query = query.join(User, User.id == AuditEntry.user_id).where(func.lower(User.email).contains(user_email.lower()))
    # Links written before the date boxes (?from=2026-11-23) still work.
    date_from, date_to = form.from_date.data or date_arg(args.get("from")), form.to_date.data or date_arg(args.get("to"))
    if args.get("from") and not date_arg(args.get("from")) or args.get("to") and not date_arg(args.get("to")):
        errors.append("Enter dates as YYYY-MM-DD, like 2026-11-23")
    if date_from:
        query = query.where(AuditEntry.occurred_at >= datetime.combine(date_from, time.min, UTC))
    if date_to:
        query = query.where(AuditEntry.occurred_at < datetime.combine(date_to + timedelta(days=1), time.min, UTC))
    page = page_arg(args)
    per_page = 50
    rows = db.session.scalars(query.limit(per_page + 1).offset((page - 1) * per_page)).all() if not errors else []
    return render_template("core/audit.html", lines=audit_log_lines.describe(list(rows[:per_page])),
                           filter_form=form, errors=errors, page=page, has_next=len(rows) > per_page)


# --- term dates and closure days (administrators) ------------------------------------------------
# Their forms live here beside their only routes; move them to core/forms.py if another area needs them.
class _CalendarForm(FlaskForm):
    # Two of these share a page, so they carry prefixes; CSRFProtect checks every POST's token
    # (sent as the plain `csrf_token` field), so the forms need no token field of their own.
    class Meta:
        csrf = False


def _calendar_terms() -> tuple[Term, Term]:
    start_year = Term.current().start_year
    return Term("autumn", start_year - 1), Term("summer", start_year + 3)


class TermDateForm(_CalendarForm):
    # This academic year's terms, the year before's (to fill in a gap) and the next two years'.
    term = TermField("Term", span=_calendar_terms, prompt="Choose a term")
    starts_on = DateInputField("First day", required=True, description="For example, 2 9 2026")
    ends_on = DateInputField("Last day", required=True, description="For example, 18 12 2026")
    submit = SubmitField("Add term", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"term": self.term.data or "", "starts_on": self.starts_on.data, "ends_on": self.ends_on.data}


class ClosureDayForm(_CalendarForm):
    name = StringField("What it is", widget=GovTextInput(), validators=[MaxLength(SHORT_TEXT, "The name")],
                       description="For example, Autumn half-term, Early May bank holiday or Training day")
    starts_on = DateInputField("First day", required=True)
    ends_on = DateInputField("Last day", required=True, description="The same as the first day for a single day")
    submit = SubmitField("Add closure", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"name": self.name.data or "", "starts_on": self.starts_on.data, "ends_on": self.ends_on.data}


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
    return process_form(form, lambda: calendar_services.add_term(current_user, **form.to_kwargs()),
                        done=lambda term: flash_and_redirect(f"{term.label} added", url_for("core.term_dates")),
                        again=lambda _status: _render_term_dates(term_form=form))


@bp.route("/admin/term-dates/<int:term_id>/delete", methods=["GET", "POST"])
@permission_required(can_administer)
def delete_term(term_id: int) -> Any:
    term = get_or_404(TermDate, term_id)
    if request.method == "GET":
        return render_template(
            "confirm.html", title=f"Delete {term.label}", question=f"Delete the dates of {term.label}?",
            details=[f"{term.label} runs from {format_date(term.starts_on)} to {format_date(term.ends_on)}.",
                     "Without them, working-day deadlines and caseloads count every weekday of that term as a "
                     "school day until its dates are entered again."],
            action=url_for("core.delete_term", term_id=term.id), button=f"Delete {term.label}",
            cancel_url=url_for("core.term_dates"))
    calendar_services.delete_term(current_user, term)
    flash(f"{term.label} deleted", "success")
    return redirect(url_for("core.term_dates"))


@bp.post("/admin/closures")
@permission_required(can_administer)
def add_closure() -> Any:
    form = ClosureDayForm(prefix="closure")
    return process_form(form, lambda: calendar_services.add_closure(current_user, **form.to_kwargs()),
                        done=lambda closure: flash_and_redirect(f"{closure.name} added", url_for("core.term_dates")),
                        again=lambda _status: _render_term_dates(closure_form=form))


@bp.route("/admin/closures/<int:closure_id>/delete", methods=["GET", "POST"])
@permission_required(can_administer)
def delete_closure(closure_id: int) -> Any:
    closure = get_or_404(ClosureDay, closure_id)
    if request.method == "GET":
        dates = (format_date(closure.starts_on) if closure.ends_on == closure.starts_on
                 else f"{format_date(closure.starts_on)} to {format_date(closure.ends_on)}")
        return render_template(
            "confirm.html", title=f"Delete {closure.name}", question=f"Delete {closure.name}?",
            details=[f"{closure.name}: {dates}.", "Its days will count as school days in working-day deadlines."],
            action=url_for("core.delete_closure", closure_id=closure.id), button=f"Delete {closure.name}",
            cancel_url=url_for("core.term_dates"))
    calendar_services.delete_closure(current_user, closure)
    flash(f"{closure.name} deleted", "success")
    return redirect(url_for("core.term_dates"))


# --- bank holidays of England and Wales (administrators) ----------------------------------------------
class BankHolidayForm(FlaskForm):
    falls_on = DateInputField("Date", required=True, required_message="Enter the date of the bank holiday",
                              description="The weekday it is given on, for example 8 5 2023")
    name = StringField("Name", widget=GovTextInput(), validators=[MaxLength(SHORT_TEXT, "The name")],
                       description="For example, Bank holiday for the coronation of King Charles III")
    submit = SubmitField("Add bank holiday", widget=GovSubmitInput())

    def to_kwargs(self) -> dict[str, Any]:
        return {"falls_on": self.falls_on.data, "name": self.name.data or ""}


def _render_bank_holidays(form: BankHolidayForm | None = None, status: int = 200) -> Any:
    return render_template("core/bank_holidays.html", holidays=working_days.bank_holidays(),
                           add_form=form or BankHolidayForm(formdata=None),
                           form=form if form is not None and form.errors else None), status


@bp.route("/admin/bank-holidays", methods=["GET", "POST"])
@permission_required(can_administer)
def bank_holidays() -> Any:
    if request.method == "GET":
        return _render_bank_holidays()
    form = BankHolidayForm()
    return process_form(form, lambda: working_days.add_bank_holiday(current_user, **form.to_kwargs()),
                        done=lambda holiday: flash_and_redirect(
                            f"{holiday.name} on {format_date(holiday.falls_on)} added", url_for("core.bank_holidays")),
                        again=lambda status: _render_bank_holidays(form, status))


@bp.route("/admin/bank-holidays/<int:holiday_id>/remove", methods=["GET", "POST"])
@permission_required(can_administer)
def remove_bank_holiday(holiday_id: int) -> Any:
    holiday = get_or_404(working_days.BankHoliday, holiday_id)
    when = format_date(holiday.falls_on)
    if request.method == "GET":
        return render_template(
            "confirm.html", title=f"Remove {holiday.name}", question=f"Remove the bank holiday of {when}?",
            details=[f"{holiday.name}: {when}.",
                     "It will count as a working day in statutory deadlines, such as a governing body's time to "
                     "make representations on a warning notice, including those of notices already given."],
            action=url_for("core.remove_bank_holiday", holiday_id=holiday.id), button="Remove the bank holiday",
            cancel_url=url_for("core.bank_holidays"))
    working_days.remove_bank_holiday(current_user, holiday)
    flash(f"{holiday.name} on {when} removed", "success")
    return redirect(url_for("core.bank_holidays"))


@bp.get("/admin")
@login_required
def admin_index() -> Any:
    pages = admin_pages(current_user)
    require(bool(pages))
    return render_template("core/admin_index.html", pages=pages)


# --- the letterhead on every PDF (administrators) -------------------------------------------------
class LetterheadForm(FlaskForm):
    version_id = EditVersionField()
    authority_name = StringField("Authority's name", widget=GovTextInput(), validators=[MaxLength(200)],
                                 description="As it heads every letter and report, like Fictional Borough Council")
    address = TextAreaField("Address", widget=GovTextArea(), validators=[MaxLength(500)])
    contact = StringField("How to get in touch", widget=GovTextInput(), validators=[MaxLength(300)],
                          description="A telephone number and e-mail address, printed under the address")
    signatory_name = StringField("Who signs letters", widget=GovTextInput(), validators=[MaxLength(200)],
                                 description="The named person who signs for the authority")
    signatory_role = StringField("Their job title", widget=GovTextInput(), validators=[MaxLength(200)])
    logo = FileField("Logo (optional)", widget=GovFileInput(),
                     description=f"A PNG or SVG image, smaller than {LOGO_MAX_BYTES // 1024} KB. An SVG may only draw: "
                                 "no scripts, links or images inside it.")
    remove_logo = BooleanField("Remove the logo", widget=GovCheckboxInput())
    submit = SubmitField("Save the letterhead", widget=GovSubmitInput())

    def to_data(self) -> LetterheadData:
        upload = self.logo.data
        logo = upload.read(LOGO_MAX_BYTES + 1) if upload and getattr(upload, "filename", "") else None
        return LetterheadData(authority_name=self.authority_name.data or "", address=self.address.data or "",
                              contact=self.contact.data or "", signatory_name=self.signatory_name.data or "",
                              signatory_role=self.signatory_role.data or "", logo=logo,
                              remove_logo=bool(self.remove_logo.data))


def _render_letterhead(form: LetterheadForm | None = None, status: int = 200) -> Any:
    current = current_letterhead()
    if form is None:
        form = LetterheadForm(formdata=None, obj=current) if current else LetterheadForm(formdata=None)
    return render_template("core/letterhead.html", form=form, current=current), status


@bp.route("/admin/letterhead", methods=["GET", "POST"])
@permission_required(can_administer)
def letterhead() -> Any:
    if request.method == "GET":
        return _render_letterhead()
    form = LetterheadForm()
    return process_form(form, lambda: save_letterhead(current_user, form.to_data(),
                                                      expected_version=form.version_id.expected),
                        done=lambda _saved: flash_and_redirect("Letterhead saved: every PDF made from now on uses it",
                                                               url_for("core.letterhead")),
                        again=lambda status: _render_letterhead(form, status))
