"""The national data upload page and the school profile."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..core.web import first_or_404, flash_and_redirect, permission_required, process_form, require
from ..schools.models import School
from . import imports, services
from .catalogue import KINDS, MEASURES
from .forms import DataImportForm
from .permissions import can_import_data, can_view_school_profile

bp = Blueprint("evidence", __name__, template_folder="templates")


@bp.route("/admin/data-imports", methods=["GET", "POST"])
@permission_required(can_import_data)
def import_data() -> Any:
    form = DataImportForm()
    refused: dict[str, Any] = {}

    def action() -> imports.ImportResult:
        try:
            return imports.import_file(current_user, form.to_data())
        except imports.DataFileError as err:
            refused["problems"] = err.problems  # listed under the form; the headline goes on the file field
            raise

    def again(status: int) -> Any:
        return render_template("evidence/import.html", form=form, problems=refused.get("problems", []),
                               history=imports.recent_imports(), kinds=KINDS, measures=MEASURES), status

    if form.is_submitted():
        return process_form(form, action, again=again,
                            done=lambda result: flash_and_redirect(result.message, url_for("evidence.import_data")))
    return again(200)


@bp.get("/schools/<int:urn>/profile")
@login_required
def school_profile(urn: int) -> Any:
    school = first_or_404(select(School).where(School.urn == urn))
    require(can_view_school_profile(current_user, school))
    return render_template("evidence/profile.html", profile=services.school_profile(school), school=school)
