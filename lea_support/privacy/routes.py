"""The privacy notice (public), the read audit, the retention schedule and anonymising staff."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from ..auth.models import User
from ..core.forms import EmptyForm
from ..core.web import (
    flash_and_redirect,
    get_or_404,
    id_arg,
    page_arg,
    permission_required,
    process_form,
    require,
)
from ..extensions import db
from . import permissions as can
from . import retention, services
from .forms import ReadFilterForm, RetentionRuleForm
from .models import READ_HOWS, RecordRead, RetentionRule, RetentionRun

bp = Blueprint("privacy", __name__, template_folder="templates")
PER_PAGE = 50


@bp.get("/privacy")
def privacy_notice() -> Any:
    rules = db.session.scalars(select(RetentionRule).order_by(RetentionRule.kind)).all()
    return render_template("privacy/notice.html", rules=rules, kinds=retention.KINDS)


@bp.get("/admin/reads")
@permission_required(can.can_view_read_audit)
def read_audit() -> Any:
    args = request.args
    form = ReadFilterForm(formdata=args if args else None)
    form.validate()
    errors = [message for messages in form.errors.values() for message in messages]
    query = (select(RecordRead).options(joinedload(RecordRead.user))
             .order_by(RecordRead.occurred_at.desc(), RecordRead.id.desc()))
    if person := (form.person.data or "").strip().lower():
        query = query.join(User, User.id == RecordRead.user_id).where(
            or_(func.lower(User.email).contains(person, autoescape=True),
                func.lower(User.name).contains(person, autoescape=True)))
    if form.kind.data:
        query = query.where(RecordRead.record_kind == form.kind.data)
    if (form.record.data or "").strip():
        if (record_id := id_arg(args, "record")) is None:
            form.record.errors = ["A record number is a number, like 42"]
            errors.append(form.record.errors[0])
        else:
            query = query.where(RecordRead.record_id == record_id)
    if form.from_date.data:
        query = query.where(RecordRead.occurred_at >= datetime.combine(form.from_date.data, time.min, UTC))
    if form.to_date.data:
        query = query.where(RecordRead.occurred_at < datetime.combine(form.to_date.data + timedelta(days=1), time.min, UTC))
    if form.from_date.data and form.to_date.data and form.from_date.data > form.to_date.data:
        errors.append("The date in From must be on or before the date in To")
    page = page_arg(args)
    rows = db.session.scalars(query.limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)).all() if not errors else []
    return render_template("privacy/reads.html", reads=rows[:PER_PAGE], filter_form=form, errors=errors,
                           page=page, has_next=len(rows) > PER_PAGE, hows=READ_HOWS)


@bp.get("/admin/retention")
@permission_required(can.can_manage_retention)
def retention_schedule() -> Any:
    rules = db.session.scalars(select(RetentionRule).order_by(RetentionRule.kind)).all()
    runs = db.session.scalars(select(RetentionRun).order_by(RetentionRun.started_at.desc()).limit(10)).all()
    return render_template("privacy/retention.html", rules=rules, runs=runs, kinds=retention.KINDS)


@bp.route("/admin/retention/<kind>", methods=["GET", "POST"])
@permission_required(can.can_manage_retention)
def edit_retention_rule(kind: str) -> Any:
    rule = get_or_404(RetentionRule, kind)
    if rule.kind not in retention.KINDS:
        abort(404)
    form = RetentionRuleForm(obj=rule if request.method == "GET" else None).for_rule(rule)

    def page(status: int = 200) -> Any:
        return render_template("privacy/retention_rule.html", form=form, rule=rule,
                               kind=retention.KINDS[rule.kind]), status

    if request.method == "GET":
        return page()
    return process_form(form, lambda: retention.update_retention_rule(current_user, rule, **form.to_kwargs()),
                        again=page, done=lambda rule: flash_and_redirect(
                            f"Retention of {retention.KINDS[rule.kind].label.lower()} saved",
                            url_for("privacy.retention_schedule")))


@bp.route("/admin/users/<int:user_id>/anonymise", methods=["GET", "POST"])
@login_required
def anonymise_user(user_id: int) -> Any:
    user = get_or_404(User, user_id)
    require(can.can_anonymise_user(current_user, user))
    cancel = url_for("auth.edit_user", user_id=user.id)
    form = EmptyForm()

    def confirm(status: int = 200) -> Any:
        return render_template(
            "confirm.html", title=f"Anonymise {user.name}", question=f"Anonymise {user.name}?", form=form,
            details=[f"Their name becomes “{services.former_staff_name(user)}” everywhere and their e-mail address "
                     "is replaced. They can no longer sign in.",
                     "The notes, reviews, plans and actions they worked on stay, credited to the new name.",
                     "This cannot be undone."],
            action=url_for("privacy.anonymise_user", user_id=user.id), button="Anonymise", cancel_url=cancel), status

    if request.method == "GET":
        return confirm()
    return process_form(form, lambda: services.anonymise_user(current_user, user), again=confirm,
                        done=lambda user: flash_and_redirect(f"Anonymised: the account is now {user.name}",
                                                             url_for("auth.list_users")))
