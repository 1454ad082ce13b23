"""The adviser's calendar feed: the secret .ics URL, and the account page that issues it."""
from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...core.web import permission_required
from .. import calendar_feed
from ..permissions import can_manage_calendar_feed
from . import bp


@bp.get("/calendar/<token>.ics")
def calendar_feed_ics(token: str) -> Any:
    # No sign-in: calendar apps cannot sign in, so the unguessable token is the credential.
    user = calendar_feed.user_for_calendar_token(token)
    if user is None:
        abort(404)
    response = Response(calendar_feed.calendar_for(user), content_type="text/calendar; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = 'inline; filename="planned-visits.ics"'
    return response


@bp.get("/account/calendar")
@permission_required(can_manage_calendar_feed)
def calendar_settings() -> Any:
    return render_template("casework/calendar_feed.html", has_feed=current_user.calendar_token_hash is not None,
                           feed_url=None)


@bp.post("/account/calendar/renew")
@permission_required(can_manage_calendar_feed)
def renew_calendar_feed() -> Any:
    token = calendar_feed.renew_calendar_token(current_user, current_user)
    # Shown in this response only (not flashed: flashes live in the session cookie). The page is
    # sent with Cache-Control: no-store, as every signed-in page is.
    return render_template("casework/calendar_feed.html", has_feed=True,
                           feed_url=url_for("casework.calendar_feed_ics", token=token, _external=True))


@bp.route("/account/calendar/revoke", methods=["GET", "POST"])
@permission_required(can_manage_calendar_feed)
def revoke_calendar_feed() -> Any:
    if request.method == "GET":
        if not current_user.calendar_token_hash:
            return redirect(url_for("casework.calendar_settings"))
        return render_template(
            "confirm.html", title="Turn off your calendar feed", question="Turn off your calendar feed?",
            details=["Your planned visits will stop appearing in the calendar apps that use its link, and the link "
                     "will no longer work.", "You can make a new link later, but you will have to add it to "
                     "your calendar apps again."],
            action=url_for("casework.revoke_calendar_feed"), button="Turn off the calendar feed",
            cancel_url=url_for("casework.calendar_settings"))
    if calendar_feed.revoke_calendar_token(current_user, current_user):
        flash("Your calendar feed is turned off. Its link no longer works.", "success")
    return redirect(url_for("casework.calendar_settings"))
