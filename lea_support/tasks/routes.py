"""The home page of tasks (the page after sign-in) and the list behind each count."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user, login_required

from ..core.web import page_arg, require
from . import permissions as can
from . import services

bp = Blueprint("tasks", __name__, template_folder="templates")


@bp.get("/")
@login_required
def home() -> Any:
    tasks, stalled, ctx = services.home_tasks(current_user)
    return render_template("tasks/home.html", tasks=tasks, stalled=stalled, today=ctx.today,
                           has_kinds=bool(services.kinds_for(current_user)))


@bp.get("/tasks/<code>")
@login_required
def task_list(code: str) -> Any:
    kind = services.BY_CODE.get(code)
    if kind is None:
        abort(404)
    require(can.can_see_tasks(current_user, kind))
    everyone = request.args.get("scope") == "la" and kind.la_total
    per_page = current_app.config["PER_PAGE"]
    page = page_arg(request.args)
    rows, total = services.task_rows(kind, current_user, page=page, per_page=per_page, everyone=everyone)
    return render_template("tasks/list.html", kind=kind, rows=rows, total=total, page=page, per_page=per_page,
                           everyone=everyone, today=services.today())
