"""The home page (which sends each role where it works) and the audit log."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ..auth.models import User
from ..auth.permissions import can_view_audit_log, can_view_school_list, is_governor
from ..extensions import db
from .models import AuditEntry
from datetime import UTC
from .web import permission_required

bp = Blueprint("core", __name__, template_folder="templates")


@bp.get("/")
@login_required
def home() -> Any:
    if can_view_school_list(current_user):
        return redirect(url_for("schools.list_schools"))
    if is_governor(current_user):
        return redirect(url_for("schools.governor_home"))
    return redirect(url_for("schools.my_schools"))


def _parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@bp.get("/admin/audit")
@permission_required(can_view_audit_log)
def audit_log() -> Any:
    from ..schools.models import School

    args = request.args
    query = select(AuditEntry).order_by(AuditEntry.occurred_at.desc(), AuditEntry.id.desc())
    errors: list[str] = []
    if urn := args.get("urn", "").strip():
        if urn.isdigit():
            query = query.join(School, School.id == AuditEntry.school_id).where(School.urn == int(urn))
        else:
            errors.append("A URN is a number, like 100000")
    if user_email := args.get("user", "").strip():
        query = query.join(User, User.id == AuditEntry.user_id).where(func.lower(User.email).contains(user_email.lower()))
    date_from, date_to = _parse_date(args.get("from")), _parse_date(args.get("to"))
    if args.get("from") and not date_from or args.get("to") and not date_to:
        errors.append("Enter dates as YYYY-MM-DD, like 2026-11-23")
    if date_from:
        query = query.where(AuditEntry.occurred_at >= datetime.combine(date_from, time.min, UTC))
    if date_to:
        query = query.where(AuditEntry.occurred_at < datetime.combine(date_to + timedelta(days=1), time.min, UTC))
    page = max(int(args.get("page", "1")) if args.get("page", "1").isdigit() else 1, 1)
    per_page = 50
    rows = db.session.scalars(query.limit(per_page + 1).offset((page - 1) * per_page)).all() if not errors else []
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_({r.user_id for r in rows if r.user_id}))).all()}
    schools = {s.id: s for s in db.session.scalars(select(School).where(School.id.in_({r.school_id for r in rows if r.school_id}))).all()}
    return render_template(
        "core/audit.html", rows=rows[:per_page], users=users, schools=schools, errors=errors,
        page=page, has_next=len(rows) > per_page, args=args,
    )
