"""Council sign-in (OpenID Connect), the signed-out page that offers the council's sign-out, and
the administrators' page mapping the council's groups to roles. On the auth blueprint."""
from __future__ import annotations

import logging
from typing import Any

from authlib.common.errors import AuthlibBaseError
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from joserfc.errors import JoseError
from requests import RequestException
from sqlalchemy import select

from ..core.web import flash_and_redirect, get_or_404, permission_required, process_form
from ..extensions import db
from . import oidc
from .oidc_forms import SignInGroupForm
from .oidc_models import CouncilSession, SignInGroup
from .permissions import can_administer
from .routes import begin_session, bp

LOGGER = logging.getLogger(__name__)

# What goes wrong between the service and the provider: the provider unreachable or answering
# badly, a callback this browser did not start (state), a token that fails its checks.
# (Authlib's errors, OAuthError among them; joserfc's, for the ID token's checks; requests'.)
PROVIDER_ERRORS = (AuthlibBaseError, JoseError, RequestException, ValueError, RuntimeError)
START_AGAIN = "Start again from the sign-in page."


@bp.app_template_global()
def council_sign_in_on() -> bool:
    """Whether the sign-in page offers the council's sign-in."""
    return oidc.is_configured()


def _refused(message: str, status: int) -> Any:
    return render_template("auth/council_refused.html", message=message, title="You cannot sign in"), status


@bp.get("/sign-in/council")
def council_sign_in() -> Any:
    """Off to the council's provider (a link, not a form: a form's redirect to another site is
    refused by our Content-Security-Policy's form-action)."""
    if not oidc.is_configured():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("tasks.home"))
    try:
        return oidc.client().authorize_redirect(url_for("auth.council_callback", _external=True))
    except PROVIDER_ERRORS:
        LOGGER.exception("Could not start a council sign-in at %s", oidc.issuer())
        return _refused("The council's sign-in service cannot be reached just now. Try again in a few minutes; "
                        "if it goes on, tell your council's IT team.", 503)


@bp.get("/sign-in/council/callback")
def council_callback() -> Any:
    """Back from the council's provider: check what it says, decide who may come in, sign them in."""
    if not oidc.is_configured():
        abort(404)
    if request.args.get("error"):
        # The person cancelled, or the provider would not sign them in: nothing to exchange.
        LOGGER.info("Council sign-in ended by the provider: %s %s", request.args.get("error"),
                    request.args.get("error_description"))
        return _refused(f"The council's sign-in service did not sign you in. {START_AGAIN}", 401)
    council = oidc.client()
    try:
        token = council.authorize_access_token()
        claims = oidc.claims_of(token)
    except oidc.CouncilSignInRefused as refusal:
        return _refused(refusal.message, 403)
    except PROVIDER_ERRORS as err:
        LOGGER.warning("Council sign-in failed its checks: %r", err)
        return _refused(f"Your sign-in with your council account could not be checked. {START_AGAIN}", 400)
    try:
        signed_in = oidc.sign_in_with_council(claims)
    except oidc.CouncilSignInRefused as refusal:
        db.session.commit()  # the refusal's audit entry, and nothing else
        return _refused(refusal.message, 403)
    next_url = begin_session(signed_in.user)
    oidc.remember_id_token(signed_in.user, session["sid"], token["id_token"])
    db.session.commit()
    return redirect(next_url)


@bp.get("/signed-out")
def signed_out() -> Any:
    """After signing out of a session the council's sign-in began: offer the council's sign-out,
    and say so when the person comes back from it."""
    if current_user.is_authenticated:
        return redirect(url_for("tasks.home"))
    council_session_id = session.get("council_signed_out")
    state = request.args.get("state")
    if council_session_id and state and state == session.get("council_sign_out_state"):
        oidc.forget_council_session(council_session_id)
        db.session.commit()
        session.pop("council_signed_out", None)
        session.pop("council_sign_out_state", None)
        return render_template("auth/signed_out.html", title="You have signed out", provider_done=True)
    provider_url = None
    council_session = db.session.get(CouncilSession, council_session_id) if council_session_id else None
    if council_session is not None:
        try:
            made = oidc.provider_sign_out_url(council_session, url_for("auth.signed_out", _external=True))
        except PROVIDER_ERRORS:
            LOGGER.exception("Could not make the council sign-out link")
            made = None
        if made is not None:
            provider_url, session["council_sign_out_state"] = made
    return render_template("auth/signed_out.html", title="You have signed out", provider_url=provider_url)


# --- the administrators' mapping of groups to roles --------------------------------------------

def _groups_page(form: SignInGroupForm | None = None, status: int = 200) -> Any:
    groups = db.session.scalars(select(SignInGroup).order_by(SignInGroup.group_name)).all()
    form = form or SignInGroupForm(roles=oidc.STAFF_ROLES)
    return render_template("auth/sign_in_groups.html", title="Sign-in groups", groups=groups, form=form,
                           roles=dict(oidc.STAFF_ROLES), configured=oidc.is_configured()), status


@bp.route("/admin/sign-in-groups", methods=["GET", "POST"])
@permission_required(can_administer)
def sign_in_groups() -> Any:
    if request.method == "GET":
        return _groups_page()
    form = SignInGroupForm(roles=oidc.STAFF_ROLES)
    return process_form(form, lambda: oidc.add_sign_in_group(current_user, **form.to_kwargs()),
                        done=lambda group: flash_and_redirect(
                            f"Members of {group.group_name} now sign in as {dict(oidc.STAFF_ROLES)[group.role]}",
                            url_for("auth.sign_in_groups")),
                        again=lambda status: _groups_page(form, status))


@bp.route("/admin/sign-in-groups/<int:group_id>/remove", methods=["GET", "POST"])
@permission_required(can_administer)
def remove_sign_in_group(group_id: int) -> Any:
    group = get_or_404(SignInGroup, group_id)
    if request.method == "GET":
        return render_template(
            "confirm.html", title=f"Remove {group.group_name}", question=f"Remove the group {group.group_name}?",
            details=[f"Its members sign in as {dict(oidc.STAFF_ROLES)[group.role]} today.",
                     "Once it is removed, they can sign in with their council account only through another "
                     "group that gives a role; those already signed in keep their role until they next sign in."],
            action=url_for("auth.remove_sign_in_group", group_id=group.id), button="Remove group",
            cancel_url=url_for("auth.sign_in_groups"))
    name = group.group_name
    oidc.remove_sign_in_group(current_user, group)
    flash(f"{name} removed: it no longer gives a role", "success")
    return redirect(url_for("auth.sign_in_groups"))
