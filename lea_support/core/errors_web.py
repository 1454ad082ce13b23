"""Error pages in the service's own layout."""
from __future__ import annotations

import re
from typing import Any, Callable

from flask import Flask, current_app, g, render_template, request, session
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..extensions import db
from .db import SAFE_METHODS

TITLES = {
    400: "Sorry, there is a problem with the request",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "Sorry, that action is not allowed here",
    413: "The file is too big",
    429: "Too many requests",
    500: "Sorry, there is a problem with the service",
}
# A save that failed in the database: the whole request is rolled back and the user is told so.
SAVE_ERRORS = (DBAPIError, StaleDataError)
# Form fields never echoed back on the "not saved" page: secrets, and the form's own plumbing.
_NOT_ECHOED = {"csrf_token", "version", "version_id", "next", "submit"}
_SECRET = re.compile(r"password|token|secret", re.IGNORECASE)


def what_was_typed() -> list[dict[str, Any]]:
    """The text fields of the submitted form, labelled from their names, so that a page saying
    "not saved" can give the user back what they typed. Files are named, not echoed."""
    if request.method in SAFE_METHODS:
        return []
    try:
        form, files = request.form, request.files
    except HTTPException:  # the body itself could not be read (too big, malformed): nothing to give back
        return []
    typed = []
    for name in form:
        if name in _NOT_ECHOED or _SECRET.search(name):
            continue
        values = [v for v in form.getlist(name) if v.strip()]
        if values:
            text = " ".join(values) if all(len(v) <= 4 for v in values) else "\n".join(values)  # a date's boxes
            typed.append({"id": f"typed-{len(typed) + 1}", "label": _label(name), "text": text})
    for name in files:
        for upload in files.getlist(name):
            if upload.filename:
                typed.append({"id": f"typed-{len(typed) + 1}", "label": _label(name), "text": upload.filename,
                              "file": True})
    return typed


def _label(name: str) -> str:
    # "actions-0-description" -> "Actions 1 description"
    words = [str(int(part) + 1) if part.isdigit() else part.replace("_", " ") for part in name.split("-")]
    text = " ".join(words).strip()
    return text[:1].upper() + text[1:]


def _size_words(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB" if n >= 1024 * 1024 else f"{n / 1024:g} KB"


def not_saved_response(err: BaseException) -> Any:
    """Roll back the request's transaction after the database failed, and say plainly that nothing
    was saved, giving back what was typed."""
    current_app.logger.exception("Database error: request rolled back (%s %s)", request.method, request.path,
                                 exc_info=err)
    if isinstance(err, StaleDataError):
        return not_saved_page(409, "Sorry, your changes were not saved",
                              "Someone else saved the same record at the same moment. Nothing you just submitted "
                              "has been saved. Open the page again to see their changes, then make yours again.")
    status = 503 if isinstance(err, OperationalError) else 500
    if request.method in SAFE_METHODS:
        return not_saved_page(status, "Sorry, the service is unavailable",
                              "There was a problem with the service's database. Try again in a few minutes.")
    return not_saved_page(status, "Sorry, your changes were not saved",
                          "There was a problem with the service's database. Nothing you just submitted has been "
                          "saved. Try again in a few minutes.")


def not_saved_page(status: int, title: str, detail: str) -> Any:
    """The page for a request whose transaction is abandoned: rolled back, with what was typed
    given back. It needs nothing from the database, which may be what failed."""
    db.session.rollback()
    # The rollback expired the signed-in user, and the database may not answer to load them again:
    # for the rest of this request (this page and its headers) treat them as signed out. Their
    # session is untouched.
    g._login_user = current_app.login_manager.anonymous_user()
    session.pop("_flashes", None)  # a "saved" message queued before the failure is untrue
    back = request.referrer if (request.referrer or "").startswith(request.host_url) else None
    response = current_app.make_response((render_template(
        "errors/not_saved.html", title=title, detail=detail, typed=what_was_typed(), back=back), status))
    response.headers["Cache-Control"] = "no-store"  # it may hold what the user typed
    if status == 503:
        response.headers["Retry-After"] = "60"
    return response


ErrorFormat = Callable[[HTTPException | None, int], Any]


def register_error_format(app: Flask, prefix: str, render: ErrorFormat) -> None:
    """Errors of requests under `prefix` (a machine-facing part of the service, such as the JSON
    API) are answered by `render(err, status)` instead of the HTML error pages."""
    app.extensions.setdefault("error_formats", []).append((prefix, render))


def _own_format(err: HTTPException | None, status: int) -> Any | None:
    for prefix, render in current_app.extensions.get("error_formats", []):
        if request.path.startswith(prefix):
            db.session.rollback()
            return render(err, status)
    return None


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(err: CSRFError) -> Any:
        return render_template("errors/error.html", title="Your form expired",
                               detail="Go back, reload the page and try again. This protects you from forged requests."), 400

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(err: RequestEntityTooLarge) -> Any:
        limit = app.config.get("MAX_CONTENT_LENGTH")
        size = f" The limit is {_size_words(limit)}." if limit else ""
        return render_template("errors/error.html", title=TITLES[413],
                               detail=f"What you sent was too big to accept, so nothing has been saved.{size} "
                                      "Go back and choose a smaller file."), 413

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException) -> Any:
        code = err.code or 500
        if (answer := _own_format(err, code)) is not None:
            return answer
        return render_template("errors/error.html", title=TITLES.get(code, err.name), detail=None), code

    @app.errorhandler(DBAPIError)
    def _database(err: DBAPIError) -> Any:
        if (answer := _own_format(None, 503 if isinstance(err, OperationalError) else 500)) is not None:
            current_app.logger.exception("Database error (%s %s)", request.method, request.path, exc_info=err)
            return answer
        return not_saved_response(err)

    @app.errorhandler(StaleDataError)
    def _stale(err: StaleDataError) -> Any:
        return not_saved_response(err)

    _register_pdf_refusals(app)

    @app.errorhandler(500)
    def _server(err: Any) -> Any:
        if (answer := _own_format(None, 500)) is not None:
            return answer
        if request.method not in SAFE_METHODS:
            return not_saved_page(500, "Sorry, your changes were not saved",
                                  "There is a problem with the service. Nothing you just submitted has been saved. "
                                  "Try again later.")
        return render_template("errors/error.html", title=TITLES[500],
                               detail="Nothing you just submitted was saved. Try again later."), 500


def _register_pdf_refusals(app: Flask) -> None:
    """Every route that makes a PDF: a document beyond the limits is a 422 page saying why and what
    to do, a full renderer a 503 with Retry-After; never a 500."""
    from ..pdf import PdfBusy, PdfRenderError, PdfTooLarge

    @app.errorhandler(PdfBusy)
    def _pdf_busy(err: PdfBusy) -> Any:
        title = "The service is busy making other documents"
        detail = "Try again in a minute. Nothing has been lost."
        if request.method not in SAFE_METHODS:  # nothing was saved: give back what was typed
            return not_saved_page(503, title, "Nothing you just submitted has been saved. Try again in a minute.")
        response = current_app.make_response((render_template("errors/error.html", title=title, detail=detail), 503))
        response.headers["Retry-After"] = "60"
        return response

    @app.errorhandler(PdfRenderError)
    def _pdf_refused(err: PdfRenderError) -> Any:
        current_app.logger.warning("PDF refused for %s %s: %s", request.method, request.path, err)
        db.session.rollback()
        if isinstance(err, PdfTooLarge):
            title = "This document is too large to make as PDF"
            detail = (f"It cannot be made because {err.why}. Make it shorter (fewer agreed actions, or less text in "
                      "its longest fields) and try again, or ask your service administrator for a copy.")
        else:
            title = "This document could not be made as PDF"
            detail = "Try again later. If it happens again, tell your service administrator which document it was."
        return render_template("errors/error.html", title=title, detail=detail), 422
