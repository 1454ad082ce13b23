"""Errors of the API as RFC 9457 problem details (`application/problem+json`), never the HTML
error pages: each has a `type` that the documentation page explains."""
from __future__ import annotations

from typing import Any

from flask import Response, g, json, request, url_for
from werkzeug.exceptions import HTTPException

PROBLEM_JSON = "application/problem+json"

# type slug -> (title, what the client should do); the documentation page lists them.
PROBLEM_TYPES: dict[str, tuple[str, str]] = {
    "invalid-token": ("The request needs a valid token",
                      "Send a personal access token as 'Authorization: Bearer lea_pat_...'. Make one on your "
                      "account page; a token stops working when it expires, is revoked, or its account is disabled "
                      "or locked."),
    "insufficient-scope": ("The token's scopes do not include this resource",
                           "Make a token with the scope the endpoint names."),
    "forbidden": ("You do not have permission to see this", "Your role does not see this record in the service."),
    "not-found": ("Not found", "Check the address and the record's id."),
    "bad-request": ("The request is not one the API understands",
                    "Fix the query parameter the detail names: a `limit` from 1 to 200, a `cursor` from a `next` "
                    "link, a filter's value as documented."),
    "not-acceptable": ("The API cannot answer in a format you accept",
                       "Accept application/json (or text/csv with ?format=csv)."),
    "method-not-allowed": ("The API is read-only", "Use GET."),
    "too-many-requests": ("Too many requests with this token",
                          "Wait for the number of seconds in Retry-After, then carry on."),
    "server-error": ("Sorry, there is a problem with the service", "Try again later."),
}
_BY_STATUS = {400: "bad-request", 401: "invalid-token", 403: "forbidden", 404: "not-found", 405: "method-not-allowed",
              406: "not-acceptable", 429: "too-many-requests"}


def problem(status: int, detail: str, kind: str | None = None, headers: dict[str, str] | None = None,
            **extra: Any) -> Response:
    """A problem details response."""
    kind = kind or _BY_STATUS.get(status, "server-error")
    title = PROBLEM_TYPES[kind][0]
    body = {"type": url_for("api.docs", _anchor=f"problem-{kind}"), "title": title, "status": status,
            "detail": detail, "instance": request.path, **extra}
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON, headers=headers or {})
    response.headers["Cache-Control"] = "no-store"
    return response


def http_problem(err: HTTPException | None, status: int) -> Response:
    """An HTTP error raised anywhere under /api/ (a path that matches nothing, a wrong method, a
    database failure) as problem details."""
    g.no_session_cookie = True  # the blueprint's own hook does not run for a path that matched nothing
    details = {404: "There is nothing at this address in the API.",
               405: "The API is read-only: only GET is answered.",
               500: "Nothing was changed. Try again later; if it happens again, tell the service's administrators."}
    detail = details.get(status) or (err.description if err is not None and err.description else "")
    headers = {"Allow": "GET, HEAD, OPTIONS"} if status == 405 else None
    return problem(status, detail or "The request could not be answered.", headers=headers)
