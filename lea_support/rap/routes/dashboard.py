"""The plans dashboard: LA staff see every open plan; a school leader sees their own schools'."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app, render_template, request
from flask_login import current_user

from ...core.web import page_arg, permission_required
from .. import permissions as can
from .. import services
from . import bp


@bp.get("/plans")
@permission_required(can.can_view_plans_dashboard)
def dashboard() -> Any:
    filters = services.parse_filters(request.args)
    if not current_user.is_la_staff:
        filters.school_ids = list(current_user.school_ids)
    per_page = current_app.config["PER_PAGE"]
    page_number = page_arg(request.args)
    query = services.open_plans(filters, current_user)
    summary = services.dashboard_summary(filters, current_user)
    rows = services.dashboard_rows(query, page=page_number, per_page=per_page)
    return render_template("rap/dashboard.html", rows=rows, summary=summary, filters=filters, page=page_number,
                           today=date.today(),
                           pages=max((summary.plans + per_page - 1) // per_page, 1))
