"""The second step of a password sign-in, setting up an authenticator app and recovery codes,
and setting a new password through an e-mailed link. Routes of the auth blueprint."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from ..core.forms import EmptyForm
from ..core.models import utcnow
from ..core.web import (
    flash_and_redirect,
    flash_refusal_and_redirect,
    get_or_404,
    mark_refused,
    permission_required,
    process_form,
)
from ..extensions import db
from . import mfa, password_reset, services
from .mfa_forms import (
    ForgottenPasswordForm,
    ResetPasswordForm,
    SetUpAuthenticatorForm,
    SignInCodeForm,
    TurnOffAuthenticatorForm,
)
from .models import User
from .permissions import can_administer, can_manage_own_sign_in
from .routes import ADDRESS_LIMIT_MESSAGE, _client_ip, begin_session, bp

# The session's keys: whose password was right, and when (the code must follow within
# MFA_PENDING_TIME); that this session must set up an app before anything else; the secret of an
# app being set up (encrypted: the session cookie is signed, not secret).
PENDING_USER, PENDING_SINCE = "pending_user_id", "pending_since"
ENROL_FIRST = "enrol_second_factor"
SETUP_SECRET = "totp_setup_secret"

# What a session that must set up an app first may still reach.
ENROL_FIRST_ENDPOINTS = frozenset({"auth.set_up_authenticator", "auth.sign_out", "static", "govuk_assets",
                                   "govuk_js", "healthz"})


# --- signing in -----------------------------------------------------------------------------------

def after_password(user: User, next_url: str | None) -> Any:
    """The password was right: sign in, or first ask for the code of the user's second factor."""
    if mfa.has_second_factor(user):
        session.clear()  # nothing from before survives (session fixation)
        session[PENDING_USER] = user.id
        session[PENDING_SINCE] = utcnow().timestamp()
        if next_url:
            session["next_url"] = next_url
        db.session.commit()  # the attempt forgiven (services.check_sign_in)
        return redirect(url_for("auth.enter_code"))
    return _complete_sign_in(user, next_url)


def _complete_sign_in(user: User, next_url: str | None) -> Any:
    if next_url:
        session["next_url"] = next_url
    landing = begin_session(user)  # a fresh session: nothing from before survives (session fixation)
    must_enrol = mfa.is_required(user) and not mfa.has_second_factor(user)
    db.session.commit()
    if must_enrol:
        session[ENROL_FIRST] = True
        if next_url:
            session["next_url"] = next_url
        flash("Set up an authenticator app to finish signing in: your role needs a second factor", "info")
        return redirect(url_for("auth.set_up_authenticator"))
    return redirect(landing)


def _pending_user() -> User | None:
    """The user whose password was right in this session, if that was recently enough."""
    user_id, since = session.get(PENDING_USER), session.get(PENDING_SINCE)
    if not isinstance(user_id, int) or not isinstance(since, (int, float)):
        return None
    started = datetime.fromtimestamp(since, timezone.utc)
    if started + current_app.config["MFA_PENDING_TIME"] < utcnow():
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.is_active else None


@bp.route("/sign-in/code", methods=["GET", "POST"])
def enter_code() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("tasks.home"))
    user = _pending_user()
    if user is None:
        had_pending = PENDING_USER in session
        session.pop(PENDING_USER, None)
        session.pop(PENDING_SINCE, None)
        if had_pending:
            minutes = int(current_app.config["MFA_PENDING_TIME"].total_seconds() // 60)
            flash(f"Sign in again: the code must follow your password within {minutes} minutes", "info")
        return redirect(url_for("auth.sign_in"))
    form = SignInCodeForm()
    status = 200
    if form.validate_on_submit():
        # Counted like a password, before it is checked (auth/services.py): wrong codes are failures.
        attempt = services.claim_sign_in_attempt(user.email)
        db.session.commit()
        kind = mfa.check_second_step(attempt, user, form.code.data or "") if attempt.checkable else None
        if kind is None:
            within_address_limit = services.count_failed_sign_in_from(_client_ip())
            db.session.commit()  # keep the count, a lock, and the lock's e-mail
            message = attempt.refusal or (services.locked_message(attempt.locked_until) if attempt.locked_until
                                          else mfa.WRONG_CODE)
            throttled = bool(attempt.refusal or attempt.locked_until)
            if not throttled and not within_address_limit:
                message, throttled = ADDRESS_LIMIT_MESSAGE, True
            form.code.errors.append(message)
            form.code.data = ""  # a code is not worth keeping; the next one is different
            if throttled:
                headers = {"Retry-After": str(attempt.retry_after)} if attempt.retry_after else {}
                return render_template("auth/enter_code.html", form=form), 429, headers
            status = 401
        else:
            left = mfa.recovery_codes_left(user) if kind == "recovery" else None
            response = _complete_sign_in(user, session.get("next_url"))
            if left is not None:  # told in the new session
                flash(f"You used a recovery code: {left} of them left. If you have lost your authenticator app, "
                      "set up a new one from your account page.", "info")
            return response
    elif form.is_submitted():
        status = 422
    return render_template("auth/enter_code.html", form=form), status


@bp.before_app_request
def _second_factor_first() -> Any:
    """Staff who must have a second factor and signed in with a password without one: nothing but
    setting it up (or signing out) until they have."""
    if not session.get(ENROL_FIRST) or request.endpoint in ENROL_FIRST_ENDPOINTS:
        return None
    if not current_user.is_authenticated or mfa.has_second_factor(current_user):
        session.pop(ENROL_FIRST, None)
        return None
    return redirect(url_for("auth.set_up_authenticator"))


# --- the account's second factor ------------------------------------------------------------------

def _security_page(status: int = 200, *, turn_off: TurnOffAuthenticatorForm | None = None) -> Any:
    credential = mfa.credential_of(current_user)
    return render_template("auth/account_security.html", credential=credential,
                           required=mfa.is_required(current_user),
                           codes_left=mfa.recovery_codes_left(current_user) if credential else 0,
                           codes_given=mfa.RECOVERY_CODE_COUNT,
                           turn_off=turn_off or TurnOffAuthenticatorForm(), button=EmptyForm(),
                           form=turn_off), status


@bp.get("/account/security")
@permission_required(can_manage_own_sign_in)
def account_security() -> Any:
    return _security_page()


def _setup_secret() -> str:
    """The secret of the app being set up in this session: made on the first visit and kept until
    the app is confirmed, so that reloading the page does not change the QR code under the person."""
    stored = session.get(SETUP_SECRET)
    secret = mfa.decrypt_secret(stored) if isinstance(stored, str) else None
    if secret is None:
        secret = mfa.new_secret()
        session[SETUP_SECRET] = mfa.encrypt_secret(secret)
    return secret


@bp.route("/account/security/authenticator", methods=["GET", "POST"])
@permission_required(can_manage_own_sign_in)
def set_up_authenticator() -> Any:
    form = SetUpAuthenticatorForm()
    secret = _setup_secret()

    def page(status: int = 200) -> Any:
        uri = mfa.provisioning_uri(current_user, secret)
        return render_template("auth/set_up_authenticator.html", form=form, qr_code=mfa.qr_code_svg(uri),
                               secret=mfa.grouped(secret), replacing=mfa.has_second_factor(current_user),
                               must_enrol=bool(session.get(ENROL_FIRST))), status

    def done(codes: list[str]) -> Any:
        session.pop(SETUP_SECRET, None)
        forced = session.pop(ENROL_FIRST, None)
        next_url = (session.pop("next_url", None) if forced else None) or url_for("tasks.home")
        return render_template("auth/recovery_codes.html", codes=codes, set_up=True, next_url=next_url)

    if request.method == "GET":
        return page()
    return process_form(form, lambda: mfa.enrol_totp(current_user, secret, form.code.data or ""),
                        done=done, again=page)


@bp.post("/account/security/recovery-codes")
@permission_required(can_manage_own_sign_in)
def renew_recovery_codes() -> Any:
    form = EmptyForm()
    return process_form(form, lambda: mfa.regenerate_recovery_codes(current_user),
                        done=lambda codes: render_template("auth/recovery_codes.html", codes=codes, set_up=False,
                                                           next_url=url_for("auth.account_security")),
                        again=lambda _status: flash_refusal_and_redirect(form, url_for("auth.account_security")))


@bp.post("/account/security/authenticator/turn-off")
@permission_required(can_manage_own_sign_in)
def turn_off_authenticator() -> Any:
    form = TurnOffAuthenticatorForm()
    return process_form(form, lambda: mfa.turn_off_second_factor(current_user, form.code.data or ""),
                        done=lambda _none: flash_and_redirect(
                            "You no longer use a second factor: you sign in with your password alone",
                            url_for("auth.account_security")),
                        again=lambda status: _security_page(status, turn_off=form))


@bp.post("/admin/users/<int:user_id>/second-factor/reset")
@permission_required(can_administer)
def reset_second_factor(user_id: int) -> Any:
    user = get_or_404(User, user_id)
    form = EmptyForm()
    user_page = url_for("auth.edit_user", user_id=user.id)
    return process_form(form, lambda: mfa.reset_second_factor(current_user, user),
                        done=lambda _none: flash_and_redirect(
                            f"{user.name}'s second factor is reset and their sessions ended: they set up a new "
                            "authenticator app when they next sign in", user_page),
                        again=lambda _status: flash_refusal_and_redirect(form, user_page, "info"))


# --- a new password by e-mail ---------------------------------------------------------------------

def _base_url() -> str:
    """Where the e-mailed link points. Never the request's own Host header in production: anyone
    could ask for a reset with their own host, and receive the link's secret."""
    configured = current_app.config.get("PUBLIC_BASE_URL") or ""
    if configured or current_app.config["ENV_NAME"] == "production":
        return configured
    return request.host_url


@bp.route("/sign-in/forgotten-password", methods=["GET", "POST"])
def forgotten_password() -> Any:
    form = ForgottenPasswordForm()
    if request.method == "GET":
        return render_template("auth/forgotten_password.html", form=form)
    if not form.validate_on_submit():
        mark_refused()
        return render_template("auth/forgotten_password.html", form=form), 422
    base_url = _base_url()
    if base_url:
        password_reset.request_password_reset(form.email.data or "", base_url)
    else:
        current_app.logger.error("PUBLIC_BASE_URL is not set, so no password reset link can be e-mailed")
    # The same page whether or not the address has an account.
    return render_template("auth/reset_link_sent.html", email=form.email.data,
                           minutes=int(current_app.config["PASSWORD_RESET_TIME"].total_seconds() // 60))


@bp.route("/sign-in/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Any:
    if password_reset.live_reset(token) is None:
        mark_refused()
        return render_template("auth/reset_link_not_working.html", message=password_reset.LINK_NOT_WORKING), 404
    form = ResetPasswordForm()

    def page(status: int = 200) -> Any:
        return render_template("auth/reset_password.html", form=form), status

    def done(_user: User) -> Any:
        logout_user()
        session.clear()
        return flash_and_redirect("Your new password is set, and you are signed out everywhere: sign in with it",
                                  url_for("auth.sign_in"))

    if request.method == "GET":
        return page()
    return process_form(form, lambda: password_reset.reset_password(token, form.password.data or ""),
                        done=done, again=page)
