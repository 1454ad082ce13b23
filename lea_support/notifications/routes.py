"""The list of one's notifications (and the unread count in the header), the account page that
chooses how to hear of each kind, and the administrators' list of e-mails that could not be sent."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from ..core.forms import EmptyForm
from ..core.web import (
    flash_and_redirect,
    flash_refusal_and_redirect,
    get_or_404,
    page_arg,
    permission_required,
    process_form,
    require,
)
from ..extensions import db
from . import permissions as can
from . import services
from .forms import preferences_form
from .models import MODES, Notification

bp = Blueprint("notifications", __name__, template_folder="templates")


@bp.get("/notifications")
@permission_required(can.can_see_notifications)
def list_notifications() -> Any:
    page = db.paginate(services.notifications_for(current_user), page=page_arg(request.args),
                       per_page=current_app.config["PER_PAGE"], error_out=False, count=True)
    return render_template("notifications/list.html", page=page, button=EmptyForm())


@bp.post("/notifications/<int:notification_id>/open")
@permission_required(can.can_see_notifications)
def open_notification(notification_id: int) -> Any:
    notification: Notification = get_or_404(Notification, notification_id)
    require(can.can_open_notification(current_user, notification))
    form = EmptyForm()
    return process_form(form, lambda: services.open_notification(current_user, notification),
                        done=lambda opened: redirect(opened.link),
                        again=lambda _status: flash_refusal_and_redirect(form, url_for(".list_notifications")))


@bp.post("/notifications/read")
@permission_required(can.can_see_notifications)
def mark_all_read() -> Any:
    form = EmptyForm()
    return process_form(form, lambda: services.mark_all_read(current_user),
                        done=lambda n: flash_and_redirect(
                            f"{n} notification{'s' if n != 1 else ''} marked as read" if n else "Nothing was unread",
                            url_for(".list_notifications")),
                        again=lambda _status: flash_refusal_and_redirect(form, url_for(".list_notifications")))


@bp.route("/account/notifications", methods=["GET", "POST"])
@permission_required(can.can_see_notifications)
def preferences() -> Any:
    kinds = services.kinds_for(current_user)
    form = preferences_form(kinds, services.preferences(current_user))

    def page(status: int = 200) -> Any:
        return render_template("notifications/preferences.html", form=form, kinds=kinds, modes=MODES), status

    if request.method == "GET":
        return page()
    return process_form(form, lambda: services.set_preferences(current_user, form.to_data()),
                        done=lambda _chosen: flash_and_redirect("Your choices are saved",
                                                                url_for(".preferences")),
                        again=page)


@bp.get("/admin/notifications/failed")
@permission_required(can.can_view_failed_emails)
def failed_emails() -> Any:
    page = db.paginate(services.failed_emails(), page=page_arg(request.args),
                       per_page=current_app.config["PER_PAGE"], error_out=False, count=True)
    return render_template("notifications/failed.html", page=page, days=services.FAILED_EMAIL_DAYS)
