"""Two doors: the account pages where a person makes and revokes their API tokens (`api_tokens`,
with sessions and CSRF like every page), and the JSON API itself at /api/v1 (`api`: a bearer token
on every request, no cookies, no CSRF, errors as problem details)."""
from __future__ import annotations

import base64
import binascii
import json as stdjson
import time
from typing import Any, Callable

from flask import Blueprint, Response, current_app, g, render_template, request, url_for
from flask_login import current_user
from limits import parse as parse_limit
from limits.errors import StorageError
from sqlalchemy import update
from sqlalchemy.orm import selectinload

from ..auth.models import User
from ..core.csv_export import csv_response
from ..core.forms import EmptyForm
from ..core.models import utcnow
from ..core.web import flash_and_redirect, get_or_404, permission_required, process_form, require
from ..extensions import db, limiter
from . import services
from .forms import TokenForm
from .models import PersonalAccessToken
from .openapi import DEFAULT_LIMIT, MAX_LIMIT, item_path, openapi_document
from .permissions import can_manage_api_tokens, can_revoke_api_token
from .problems import PROBLEM_TYPES, problem
from .resources import RESOURCES, BadFilter, Resource

account_bp = Blueprint("api_tokens", __name__, template_folder="templates")
bp = Blueprint("api", __name__, url_prefix="/api/v1", template_folder="templates")


# --- the account pages ---------------------------------------------------------------------------------

@account_bp.route("/account/tokens", methods=["GET", "POST"])
@permission_required(can_manage_api_tokens)
def tokens() -> Any:
    form = TokenForm(services.scopes_for(current_user))

    def page(status: int = 200) -> Any:
        return render_template("api/tokens.html", form=form, tokens=services.tokens_of(current_user),
                               now=utcnow(), max_days=services.MAX_LIFETIME_DAYS), status

    def made(result: tuple[PersonalAccessToken, str]) -> Any:
        token, secret = result
        # Shown in this response only (not flashed: flashes live in the session cookie); the page
        # is never stored (Cache-Control: no-store, as every signed-in page).
        return render_template("api/token_made.html", token=token, secret=secret), 201

    if request.method == "GET":
        return page()
    return process_form(form, lambda: services.create_token(current_user, form.to_data()), done=made, again=page)


@account_bp.route("/account/tokens/<int:token_id>/revoke", methods=["GET", "POST"])
@permission_required(can_manage_api_tokens)
def revoke_token(token_id: int) -> Any:
    token: PersonalAccessToken = get_or_404(PersonalAccessToken, token_id)
    require(can_revoke_api_token(current_user, token))
    back = url_for(".tokens")
    form = EmptyForm()

    def page(status: int = 200) -> Any:
        return render_template(
            "confirm.html", title=f"Revoke the token {token.name}", form=form,
            question=f"Revoke the token “{token.name}”?",
            details=["Anything using it (a report, a spreadsheet, a program) stops getting data at once.",
                     "You cannot undo this: make a new token if you need one again."],
            action=url_for(".revoke_token", token_id=token.id), button="Revoke token", cancel_url=back), status

    if request.method == "GET":
        return page()
    return process_form(form, lambda: services.revoke_token(current_user, token), again=page,
                        done=lambda t: flash_and_redirect(f"The token “{t.name}” is revoked: it no longer works",
                                                          back))


# --- the API: a token on every request -----------------------------------------------------------------

@bp.before_request
def _no_cookies() -> None:
    # The API is answered by token only: whatever cookie comes with a request, none is set.
    g.no_session_cookie = True


@bp.after_request
def _save_last_use(response: Response) -> Response:
    # A GET's transaction is never committed at the edge (core/web.py), so the token's last use is
    # written here, once the answer is made, as one UPDATE (the answer's objects are not needed again).
    used = g.pop("api_token_used", None)
    if used is not None:
        db.session.execute(update(PersonalAccessToken).where(PersonalAccessToken.id == used)
                           .values(last_used_at=utcnow()))
        db.session.commit()
    response.headers["Vary"] = "Authorization"
    return response


def _unauthorised(detail: str, *, token_sent: bool) -> Response:
    challenge = 'Bearer realm="LEA Support API"' + (', error="invalid_token"' if token_sent else "")
    return problem(401, detail, headers={"WWW-Authenticate": challenge})


def _rate_limited(token: PersonalAccessToken) -> Response | None:
    """429 once the token has made more requests than API_RATE_LIMIT allows (counted per token,
    in Flask-Limiter's storage: Redis when REDIS_URL is set, so every server counts together)."""
    limit = parse_limit(current_app.config["API_RATE_LIMIT"])
    try:
        if limiter.limiter.hit(limit, "api-token", str(token.id)):
            return None
        reset, _remaining = limiter.limiter.get_window_stats(limit, "api-token", str(token.id))
    except StorageError:  # the count is unreachable: answer rather than refuse everyone
        current_app.logger.warning("API rate limit storage unreachable", exc_info=True)
        return None
    wait = max(1, int(reset - time.time()) + 1)
    return problem(429, f"This token may make {limit.amount} requests per {limit.get_expiry()} seconds. "
                        f"Wait {wait} seconds.", headers={"Retry-After": str(wait)})


def _authorise(scope: str) -> PersonalAccessToken | Response:
    """The request's live token, counted against its limit and holding `scope`; or the refusal."""
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if not header:
        return _unauthorised("Send a personal access token: 'Authorization: Bearer lea_pat_...'. Make one on your "
                             "account page.", token_sent=False)
    if scheme.lower() != "bearer":
        return _unauthorised("Send the token as 'Authorization: Bearer lea_pat_...'.", token_sent=True)
    found = services.authenticate(secret.strip())
    if isinstance(found, services.Refusal):
        return _unauthorised(found.detail, token_sent=True)
    if (refused := _rate_limited(found)) is not None:
        return refused
    if services.note_use(found):
        g.api_token_used = found.id
    if scope not in found.scope_list:
        return problem(403, f"This endpoint needs a token with the scope {scope}; this one has "
                            f"{', '.join(found.scope_list)}.", "insufficient-scope",
                       headers={"WWW-Authenticate": f'Bearer realm="LEA Support API", error="insufficient_scope", '
                                                    f'scope="{scope}"'})
    return found


def _not_acceptable(mimetype: str) -> Response | None:
    # No Accept header accepts anything (RFC 9110).
    if request.accept_mimetypes and request.accept_mimetypes.best_match([mimetype]) is None:
        return problem(406, f"This answer is {mimetype}, which the request's Accept header does not accept.")
    return None


def _json(body: Any) -> Any:
    """JSON with a strong ETag of its bytes; a request that sent the same ETag gets 304."""
    response = Response(stdjson.dumps(body, ensure_ascii=False, separators=(",", ":")), mimetype="application/json")
    response.add_etag()
    # Private: what a token reads depends on whose it is. Kept, but checked again before each use.
    response.headers["Cache-Control"] = "private, no-cache"
    return response.make_conditional(request)


def encode_cursor(after: int) -> str:
    return base64.urlsafe_b64encode(stdjson.dumps({"after": after}).encode()).decode().rstrip("=")


def decode_cursor(text: str) -> int:
    """The key a page starts after; ValueError for anything not made by `encode_cursor`."""
    try:
        value = stdjson.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError) as err:
        raise ValueError("cursor is not one this API made: copy it from a page's links.next") from err
    after = value.get("after") if isinstance(value, dict) else None
    if not isinstance(after, int) or isinstance(after, bool) or not 0 <= after < 2**31:
        raise ValueError("cursor is not one this API made: copy it from a page's links.next")
    return after


def _printable(text: str) -> bool:
    return text.isprintable()


def _list_arguments(resource: Resource) -> tuple[dict[str, Any], int | None, int]:
    """The filters, cursor and limit asked for; ValueError with what to fix."""
    args = request.args
    text = args.get("limit", "")
    limit = DEFAULT_LIMIT
    if text:
        if not (text.isascii() and text.isdigit()) or not 1 <= int(text[:6]) <= MAX_LIMIT:
            raise ValueError(f"limit must be a whole number from 1 to {MAX_LIMIT}")
        limit = int(text)
    after = decode_cursor(args["cursor"]) if "cursor" in args else None
    filters = {}
    for flt in resource.filters:
        if flt.name in args:
            if not _printable(args[flt.name]):
                raise BadFilter(f"{flt.name} must be plain text, without control characters")
            filters[flt.name] = flt.parse(args[flt.name])
    return filters, after, limit


def _list_view(resource: Resource) -> Callable[[], Any]:
    def view() -> Any:
        token = _authorise(resource.scope)
        if isinstance(token, Response):
            return token
        fmt = request.args.get("format", "json")
        if fmt not in {"json", "csv"}:
            return problem(400, "format must be json or csv")
        if (refused := _not_acceptable("text/csv" if fmt == "csv" else "application/json")) is not None:
            return refused
        try:
            filters, after, limit = _list_arguments(resource)
        except ValueError as err:
            return problem(400, str(err))
        user = token.user
        if fmt == "csv":
            return _csv(resource, user, filters, after)
        rows = resource.page(user, filters, after, limit)
        more = len(rows) > limit
        rows = rows[:limit]
        next_link = None
        if more:
            next_link = url_for(request.endpoint or "", **{**request.args.to_dict(), "cursor": encode_cursor(
                resource.cursor_of(rows[-1]))}, _external=True)
        return _json({"data": [m.model_dump(mode="json") for m in resource.serialise(user, rows)],
                      "links": {"self": request.url, "next": next_link}})

    return view


CSV_CHUNK = 500


def _columns(shape: dict[str, Any], prefix: str = "") -> list[str]:
    columns: list[str] = []
    for name, inner in shape.items():
        path = f"{prefix}{name}"
        columns += _columns(inner, f"{path}.") if inner else [path]
    return columns


def _cells(shape: dict[str, Any], record: dict[str, Any]) -> list[Any]:
    """A record's cells in the order of `_columns`: nested objects spread out (blank when null),
    lists and mappings as JSON text in one cell."""
    cells: list[Any] = []
    for name, inner in shape.items():
        value = record.get(name)
        if inner:
            cells += _cells(inner, value if isinstance(value, dict) else {})
        elif isinstance(value, (list, dict)):
            cells.append(stdjson.dumps(value, ensure_ascii=False) if value else "")
        else:
            cells.append("" if value is None else value)
    return cells


def _csv(resource: Resource, user: Any, filters: dict[str, Any], after: int | None) -> Response:
    """Every record matching the filters, a page at a time: nested objects as dotted columns
    ("support.tier"), lists as JSON text in one cell. Streamed: the file is written as it is read."""
    shape = _shape(resource.schema)
    user_id = user.id

    def rows() -> Any:
        # Made as the body is written, after the request's session has let its objects go: the
        # reader is read afresh here.
        reader = db.session.get(User, user_id, options=[selectinload(User.schools)])
        start = after
        while True:
            page = resource.page(reader, filters, start, CSV_CHUNK)
            for record in resource.serialise(reader, page[:CSV_CHUNK]):
                yield _cells(shape, record.model_dump(mode="json"))
            if len(page) <= CSV_CHUNK:
                return
            start = resource.cursor_of(page[CSV_CHUNK - 1])

    return csv_response(f"{resource.name}.csv", _columns(shape), rows)


def _shape(model: Any) -> dict[str, Any]:
    """The columns of a schema: its fields, nested models' fields under dotted names."""
    shape: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        inner = next((a for a in (getattr(info.annotation, "__args__", None) or (info.annotation,))
                      if isinstance(a, type) and hasattr(a, "model_fields")), None)
        shape[name] = _shape(inner) if inner is not None else None
    return shape


def _item_view(resource: Resource) -> Callable[..., Any]:
    def view(**kwargs: Any) -> Any:
        token = _authorise(resource.scope)
        if isinstance(token, Response):
            return token
        if (refused := _not_acceptable("application/json")) is not None:
            return refused
        key = kwargs[resource.key_name]
        if isinstance(key, str) and not _printable(key):
            return problem(404, f"There is no such record among the {resource.title.lower()}.")
        row = resource.item(key)
        if row is None:
            return problem(404, f"There is no such record among the {resource.title.lower()}.")
        if not resource.allowed(token.user, row):
            return problem(403, "Your role does not see this record in the service, so your token does not either.")
        [record] = resource.serialise(token.user, [row])
        return _json(record.model_dump(mode="json"))

    return view


for _resource in RESOURCES:
    _suffix = _resource.name.replace("-", "_")
    bp.add_url_rule(f"/{_resource.name}", endpoint=f"list_{_suffix}", view_func=_list_view(_resource))
    _converter = "int" if _resource.key_type == "int" else "string(maxlength=40)"
    bp.add_url_rule(item_path(_resource).replace("{", f"<{_converter}:").replace("}", ">"),
                    endpoint=f"get_{_suffix}", view_func=_item_view(_resource))


@bp.get("/openapi.json")
def openapi() -> Any:
    return _json(openapi_document(url_for("api.docs", _external=True)))


@bp.get("/docs")
def docs() -> Any:
    document = openapi_document(url_for("api.docs", _external=True))
    return render_template("api/docs.html", resources=RESOURCES, document=document, scopes=services.SCOPES,
                           problems=PROBLEM_TYPES, default_limit=DEFAULT_LIMIT, max_limit=MAX_LIMIT,
                           rate_limit=current_app.config["API_RATE_LIMIT"], item_path=item_path)
