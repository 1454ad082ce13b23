"""Sign-in, sign-out and user administration."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from ..core.forms import EmptyForm
from ..core.models import utcnow
from ..core.web import (
    flash_and_redirect,
    flash_refusal_and_redirect,
    get_or_404,
    permission_required,
    process_form,
)
from ..extensions import db, login_manager
from . import mfa, oidc, services
from .forms import SignInForm, UserForm
from .models import ROLES, User
from .permissions import can_administer

bp = Blueprint("auth", __name__, template_folder="templates")


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    return services.load_session_user(user_id, session.get("sid"))


login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Sign in to continue"
login_manager.login_message_category = "info"
login_manager.session_protection = None  # our server-side sessions do this job


@bp.before_app_request
def _idle_timeout() -> Any:
    if "sid" not in session:
        return None
    now = utcnow()
    if services.session_is_idle(session.get("seen"), now):
        services.end_session(session.get("sid"))
        db.session.commit()
        logout_user()
        session.clear()
        flash("You were signed out because you had not done anything for a while", "info")
        return None
    session["seen"] = now.timestamp()
    return None


def _client_ip() -> str | None:
    return request.remote_addr


ADDRESS_LIMIT_MESSAGE = ("Too many wrong passwords have been entered from your network. "
                         "Enter a correct email address and password, or try again later.")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("tasks.home"))
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        attempt = services.claim_sign_in_attempt(form.email.data)
        # The attempt is counted and saved before the password is checked: concurrent attempts for
        # one e-mail address take turns on its count, so no more than LOGIN_MAX_FAILURES are checked.
        db.session.commit()
        user = services.check_sign_in(attempt, form.password.data) if attempt.checkable else None
        if user is None:
            within_address_limit = services.count_failed_sign_in_from(_client_ip())
            db.session.commit()  # keep the count, a lock, and the lock's e-mail to the account's owner
            message = services.failed_sign_in_message(attempt)
            throttled = bool(attempt.refusal or attempt.locked_until)
            if not throttled and not within_address_limit:
                message, throttled = ADDRESS_LIMIT_MESSAGE, True
            form.email.errors.append(message)
            if throttled:
                headers = {"Retry-After": str(attempt.retry_after)} if attempt.retry_after else {}
                return render_template("auth/sign_in.html", form=form), 429, headers
            status = 401
        elif not oidc.password_sign_in_allowed(user):
            form.email.errors.append(oidc.STAFF_USE_COUNCIL_ACCOUNT)
            return render_template("auth/sign_in.html", form=form), 403
        else:
            # The limit per network address never blocks a correct password (issue 13): only failures
            # are counted against the address, and when it is over its limit the password is still
            # checked and a correct one signs in; only wrong ones are answered 429. So one person's
            # mistakes, or an attacker sharing a school's or an office's address, cannot lock the
            # others out. Guessing is held back by the count per account, which every address shares.
            # Signed in now, or first asked for the code of a second factor (auth/mfa_routes.py).
            return mfa_routes.after_password(user, session.get("next_url"))
    elif form.is_submitted():
        status = 422
    return render_template("auth/sign_in.html", form=form), status


def begin_session(user: User) -> str:
    """Sign the person in on a fresh session (nothing from before survives: session fixation),
    whether they gave a password or came from the council's sign-in; where to go next."""
    next_url = session.get("next_url")
    session.clear()
    session["sid"] = services.start_session(user, _client_ip())
    session["seen"] = utcnow().timestamp()
    login_user(user)
    return next_url or url_for("tasks.home")


@bp.post("/sign-out")
def sign_out() -> Any:
    council_session = oidc.council_session_of(session.get("sid"))
    services.end_session(session.get("sid"))
    logout_user()
    session.clear()
    if council_session is not None:  # the signed-out page offers the council's sign-out too
        session["council_signed_out"] = council_session.id
        return redirect(url_for("auth.signed_out"))
    flash("You have signed out", "info")
    return redirect(url_for("auth.sign_in"))


@bp.get("/admin/users")
@permission_required(can_administer)
def list_users() -> Any:
    users = db.session.scalars(select(User).order_by(User.name)).all()
    return render_template("auth/users.html", users=users, roles=ROLES, locks=services.account_locks(),
                           with_second_factor=mfa.users_with_second_factor())


@bp.route("/admin/users/new", methods=["GET", "POST"])
@permission_required(can_administer)
def create_user() -> Any:
    form = UserForm()
    del form.is_disabled

    def page(status: int = 200) -> Any:
        return render_template("auth/user_form.html", form=form, user=None), status

    if request.method == "GET":
        return page()
    return process_form(form, lambda: services.create_user(current_user, **form.to_new_account()),
                        done=lambda user: flash_and_redirect(f"User {user.name} created", url_for("auth.list_users")),
                        again=page)


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@permission_required(can_administer)
def edit_user(user_id: int) -> Any:
    user = get_or_404(User, user_id)
    form = UserForm(obj=user)
    del form.email

    def page(status: int = 200) -> Any:
        return render_template("auth/user_form.html", form=form, user=user,
                               locked_until=services.account_locks().get(user.email),
                               second_factor=mfa.credential_of(user)), status

    def save() -> User:
        services.update_user(current_user, user, **form.to_changes())
        if form.password.data:
            services.set_password(current_user, user, form.password.data)
        return user

    if request.method == "GET":
        form.schools.data = " ".join(str(s.urn) for s in user.schools)
        return page()
    return process_form(form, save, again=page,
                        done=lambda user: flash_and_redirect(f"Changes to {user.name} saved", url_for("auth.list_users")))


@bp.post("/admin/users/<int:user_id>/unlock")
@permission_required(can_administer)
def unlock_user(user_id: int) -> Any:
    user = get_or_404(User, user_id)
    form = EmptyForm()
    user_page = url_for("auth.edit_user", user_id=user.id)
    return process_form(form, lambda: services.unlock_account(current_user, user),
                        done=lambda _none: flash_and_redirect(f"{user.name}'s account is unlocked: they can sign in now",
                                                              user_page),
                        again=lambda _status: flash_refusal_and_redirect(form, user_page, "info"))


# The second factor's and the password reset's routes, and council sign-in's, on this blueprint
# (imported after `bp` and the helpers they share are defined).
from . import mfa_routes, oidc_routes  # noqa: E402, F401
