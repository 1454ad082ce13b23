"""Request plumbing shared by every area: transactions, security headers, permission checks."""
from __future__ import annotations

import secrets
from datetime import date
from functools import wraps
from typing import Any, Callable, TypeVar

from flask import Flask, abort, flash, g, redirect, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.routing import IntegerConverter

from ..extensions import db, login_manager
from .db import MAX_ID, SAFE_METHODS
from .errors import DomainError
from .errors_web import SAVE_ERRORS, not_saved_response
from .forms import refuse
from .terms import MAX_YEAR, MIN_YEAR

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

# Far beyond the last page of any list, and small enough that (page - 1) * per_page is an offset
# both databases take.
MAX_PAGE = 1_000_000


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` in every route: digits that fit an id column, or the URL matches nothing (404).
    Werkzeug's own accepts any number of digits, which the database then fails on (a 500)."""

    def __init__(self, map: Any, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=MAX_ID if max is None else max, signed=signed)


def id_arg(args: Any, name: str) -> int | None:
    """A query argument that names a record by id (or URN): its number, or None if it is missing,
    not a plain number, or larger than any id can be."""
    text = (args.get(name) or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10 or int(text) > MAX_ID:
        return None
    return int(text)


def page_arg(args: Any, name: str = "page") -> int:
    """The page number asked for in a query argument: 1 if it is missing or not a page number."""
    text = (args.get(name) or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 7:
        return 1
    return min(max(int(text), 1), MAX_PAGE)


def date_arg(text: str | None) -> date | None:
    """An ISO date (2026-11-23) from a query argument, or None if it is missing, malformed or
    outside the years the service deals in."""
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        return None
    return day if MIN_YEAR <= day.year <= MAX_YEAR else None


def require(allowed: bool) -> None:
    """Refuse the request with 403 unless a permission predicate allowed it."""
    if not allowed:
        abort(403)


def get_or_404(model: type, ident: Any) -> Any:
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


def first_or_404(statement: Any) -> Any:
    obj = db.session.scalars(statement).first()
    if obj is None:
        abort(404)
    return obj


def permission_required(predicate: Callable[..., bool]) -> Callable[[F], F]:
    """Guard a view with a user-only predicate such as `can_administer`. Object-level
    predicates are checked in the view with `require(...)` once the object is loaded."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            require(predicate(current_user))
            return view(*args, **kwargs)

        wrapped.permission = predicate  # type: ignore[attr-defined]  # read by the access-table test
        return wrapped  # type: ignore[return-value]  # wraps keeps the signature of F

    return decorate


# --- the one shape of a form POST ------------------------------------------------------------------

def process_form(form: FlaskForm, action: Callable[[], T], *, done: Callable[[T], Any],
                 again: Callable[[int], Any]) -> Any:
    """Validate the form, then call the service (`action`, one business operation) in a savepoint.
    Success: `done(result)`, usually `flash_and_redirect`. A refusal (`DomainError`): its message is
    shown on the form, the savepoint is rolled back (the page reads back what is saved, and nothing
    of the operation is kept), the request is marked refused so the edge commits nothing, and
    `again(status)` renders the page with what was typed (422; 409 for an edit conflict). Invalid
    input: `again(422)` without calling the service."""
    status = 422
    if form.validate_on_submit():
        try:
            with db.session.begin_nested():
                result = action()
        except DomainError as err:
            status = refuse(form, err, rolled_back=True)
        else:
            return done(result)
    mark_refused()
    return again(status)


def flash_and_redirect(message: str, location: str) -> Any:
    """Tell the user what happened, then show them where it happened (post/redirect/get)."""
    flash(message, "success")
    return redirect(location)


def flash_refusal_and_redirect(form: FlaskForm, location: str, category: str = "error") -> Any:
    """The `again` of a button whose page is elsewhere (a file's Remove on the note's page): the
    refusal is told as a message on the page it returns to."""
    for messages in form.errors.values():
        for message in messages:
            flash(message, category)
    return redirect(location)


def mark_refused() -> None:
    """Nothing of this request is to be saved, whatever its status."""
    g.request_refused = True


class SessionCookieUnlessRefused(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except that a request which set `g.no_session_cookie`
    (one answered by token, such as the JSON API's) neither sets nor clears the cookie, whatever
    happened to the session while it ran."""

    def save_session(self, app: Flask, session: Any, response: Any) -> None:
        if g.get("no_session_cookie"):
            return
        super().save_session(app, session, response)


def install_request_plumbing(app: Flask) -> None:
    app.session_interface = SessionCookieUnlessRefused()

    @app.before_request
    def _nonce() -> None:
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.after_request
    def _security_headers(response: Any) -> Any:
        nonce = g.get("csp_nonce", "")
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            "style-src 'self'; img-src 'self' data:; font-src 'self'; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if current_user and current_user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
        return response

    # Registered after the security headers so that it runs before them (Flask runs after-request
    # functions in reverse): a "not saved" page that replaces the response gets the headers too.
    @app.after_request
    def _commit(response: Any) -> Any:
        # One request, one transaction: state-changing requests that succeeded are
        # committed here, at the edge; anything else is rolled back at teardown.
        if request.method not in SAFE_METHODS and response.status_code < 400 and not g.get("request_refused"):
            try:
                db.session.commit()
            except SAVE_ERRORS as err:  # the commit itself failed: nothing was saved, and the user is told
                return not_saved_response(err)
        return response

    @app.teardown_request
    def _rollback(exc: BaseException | None) -> None:
        if exc is not None:
            db.session.rollback()

