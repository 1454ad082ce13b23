"""Error pages in the service's own layout."""
from __future__ import annotations

from typing import Any

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

TITLES = {
    400: "Sorry, there is a problem with the request",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "Sorry, that action is not allowed here",
    413: "The file is too big",
    429: "Too many requests",
    500: "Sorry, there is a problem with the service",
}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(err: CSRFError) -> Any:
        return render_template("errors/error.html", title="Your form expired",
                               detail="Go back, reload the page and try again. This protects you from forged requests."), 400

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException) -> Any:
        code = err.code or 500
        return render_template("errors/error.html", title=TITLES.get(code, err.name), detail=None), code

    @app.errorhandler(500)
    def _server(err: Any) -> Any:
        return render_template("errors/error.html", title=TITLES[500],
                               detail="Nothing you just submitted was saved. Try again later."), 500
