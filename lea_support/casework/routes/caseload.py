"""Caseloads (an adviser's own, or another's for SIAs and administrators) and the authority overview."""
from __future__ import annotations

import re
from typing import Any

from flask import abort, render_template, request
from flask_login import current_user

from ...auth.models import User
from ...core.csv_export import csv_response
from ...core.web import get_or_404, id_arg, page_arg, permission_required, require
from ...schools.services import support_tiers
from .. import caseload as service
from .. import charts
from ..permissions import (
    can_view_authority_overview,
    can_view_caseload,
    can_view_other_caseloads,
)
from . import bp


def _adviser_from_args(args: Any) -> User:
    """Whose caseload: the signed-in user's, or (for those allowed) the one asked for."""
    wanted = args.get("adviser", "").strip()
    if not wanted:
        return current_user._get_current_object()
    adviser_id = id_arg(args, "adviser")
    if adviser_id is None:
        abort(404)
    if adviser_id == current_user.id:
        return current_user._get_current_object()
    require(can_view_other_caseloads(current_user))
    adviser = get_or_404(User, adviser_id)
    if adviser.role not in service.CASELOAD_ROLES:
        abort(404)
    return adviser


def _filters_from_args(args: Any) -> service.CaseloadFilters:
    flags = set(args.getlist("flag"))
    sort = args.get("sort", "name")
    return service.CaseloadFilters(
        tier=args.get("tier", "")[:20], not_visited="not_visited" in flags, overdue="overdue" in flags,
        awaiting="awaiting" in flags, sort=sort if sort in service.CASELOAD_SORTS else "name",
        descending=args.get("dir") == "desc")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "adviser"


@bp.get("/caseload")
@permission_required(can_view_caseload)
def caseload() -> Any:
    adviser = _adviser_from_args(request.args)
    filters = _filters_from_args(request.args)
    result = service.caseload(adviser, on=service.today())
    rows = service.filter_caseload(result.rows, filters)
    if request.args.get("format") == "csv":
        header, body = service.caseload_csv_rows(rows)
        return csv_response(f"caseload-{_slug(adviser.name)}-{result.today.isoformat()}.csv", header, body)
    others = can_view_other_caseloads(current_user)
    return render_template(
        "casework/caseload.html", caseload=result, rows=rows, filters=filters, tiers=support_tiers(),
        flags=service.CASELOAD_FLAGS, own=adviser.id == current_user.id,
        advisers=service.caseload_advisers() if others else [],
    )


@bp.get("/overview")
@permission_required(can_view_authority_overview)
def overview() -> Any:
    result = service.authority_overview(on=service.today(), page=page_arg(request.args),
                                        adviser_page=page_arg(request.args, "advisers"))
    return render_template("casework/overview.html", overview=result,
                           tier_allocation_chart=charts.tier_allocation(result.tiers, result.year.code),
                           tier_movements_chart=charts.tier_movements(result.year))
