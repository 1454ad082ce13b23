"""Two app servers on one database serve a user's session interchangeably: nothing that matters
lives in one process. The session is a cookie signed with the shared SECRET_KEY naming a
server-side session record; the CSRF token is signed with the same key; sign-in throttling counts
failures per account in the database; attachments are files in the shared ATTACHMENTS_DIR."""
from __future__ import annotations

import re
import uuid
from http.cookiejar import CookieJar
from typing import Any, Iterator
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, ProxyHandler, Request, build_opener

import pytest
from flask import Flask
from sqlalchemy import select

from lea_support.extensions import db as _db
from tests.conftest import PASSWORD, make_app, serving

_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class _NoRedirects(HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the test looks at each redirect itself


class Browser:
    """One person's browser: one cookie jar for every server it talks to (cookies belong to the
    host, 127.0.0.1, whatever the port), redirects shown rather than followed."""

    def __init__(self) -> None:
        self.jar = CookieJar()
        self.opener = build_opener(ProxyHandler({}), HTTPCookieProcessor(self.jar), _NoRedirects)

    def request(self, url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, Any, str]:
        _db.session.commit()  # the test's own session lets go of the database (SQLite: its write lock)
        try:
            with self.opener.open(Request(url, data=data, headers=headers or {}), timeout=60) as response:
                return response.status, response.headers, response.read().decode("utf-8", "replace")
        except HTTPError as err:
            with err:
                return err.code, err.headers, err.read().decode("utf-8", "replace")

    def get(self, url: str) -> tuple[int, Any, str]:
        return self.request(url)

    def get_bytes(self, url: str) -> tuple[int, bytes]:
        _db.session.commit()
        with self.opener.open(url, timeout=60) as response:
            return response.status, response.read()

    def csrf_token(self, url: str) -> str:
        status, _headers, page = self.get(url)
        match = _CSRF.search(page)
        assert status == 200 and match, f"no CSRF token on {url} ({status})"
        return match.group(1)

    def post(self, url: str, fields: dict[str, str]) -> tuple[int, Any, str]:
        return self.request(url, urlencode(fields).encode(), {"Content-Type": "application/x-www-form-urlencoded"})

    def post_file(self, url: str, fields: dict[str, str], name: str, filename: str, content: bytes) -> tuple[int, Any, str]:
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                 for k, v in fields.items()]
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request(url, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def sign_in(self, base: str, email: str, password: str = PASSWORD) -> int:
        token = self.csrf_token(f"{base}/sign-in")
        return self.post(f"{base}/sign-in", {"email": email, "password": password, "csrf_token": token})[0]


def another_instance(app: Flask, **overrides: Any) -> Flask:
    """A second app process as it would be deployed: its own app and engine, the same database,
    secret key and file storage as the first."""
    return make_app(app.config["SQLALCHEMY_DATABASE_URI"], ATTACHMENTS_DIR=app.config["ATTACHMENTS_DIR"],
                    OUTBOX_DIR=app.config["OUTBOX_DIR"], **overrides)


@pytest.fixture
def servers(app: Flask) -> Iterator[tuple[str, str]]:
    """Servers A (the test's app) and B (another instance) on one database."""
    other = another_instance(app)
    try:
        with serving(app) as a, serving(other) as b:
            yield a, b
    finally:
        with other.app_context():
            _db.engine.dispose()


def test_a_session_started_on_one_server_carries_on_on_the_other_posts_included(app, db, servers, create_user,
                                                                              create_note):
    from lea_support.auth.models import User
    from lea_support.casework.models import VisitAttachment

    a, b = servers
    admin = create_user("admin", name="Ada Admin")
    note = create_note(adviser=admin)
    browser = Browser()
    assert browser.sign_in(a, admin.email) == 302

    status, _headers, page = browser.get(f"{b}/admin/users")  # signed in on A, recognised on B
    assert status == 200 and "Ada Admin" in page

    # A form fetched from A (its CSRF token) is posted to B, and what B saved shows on A.
    token = browser.csrf_token(f"{a}/admin/users/new")
    status, headers, page = browser.post(f"{b}/admin/users/new", {
        "email": "gwen@example.org", "name": "Gwen Governor-Two", "role": "admin", "schools": "",
        "password": "a-long-enough-passphrase-91", "csrf_token": token})
    assert status == 302, page
    assert "Gwen Governor-Two" in browser.get(f"{a}/admin/users")[2]
    db.session.rollback()
    assert db.session.scalar(select(User.name).where(User.email == "gwen@example.org")) == "Gwen Governor-Two"

    # A file uploaded through A is downloaded through B, from the storage both are configured with.
    content = b"%PDF-1.4\n% a visit handout\n" + bytes(range(256)) * 4
    token = browser.csrf_token(f"{a}/visits/{note.id}/attachments")
    status, _headers, page = browser.post_file(f"{a}/visits/{note.id}/attachments", {"csrf_token": token},
                                               "attachment", "handout.pdf", content)
    assert status == 302, page
    db.session.rollback()
    attachment_id = db.session.scalar(select(VisitAttachment.id).where(VisitAttachment.note_id == note.id))
    assert browser.get_bytes(f"{b}/visits/{note.id}/attachments/{attachment_id}") == (200, content)

    # Signing out on B ends the session for A too: it is a record in the database, not a process's memory.
    token = browser.csrf_token(f"{b}/admin/users/new")
    assert browser.post(f"{b}/sign-out", {"csrf_token": token})[0] == 302
    status, headers, _page = browser.get(f"{a}/admin/users")
    assert status == 302 and "/sign-in" in headers["Location"]


def test_a_session_is_not_honoured_by_a_server_with_another_secret_key(app, db, servers, create_user):
    a, _b = servers
    admin = create_user("admin")
    browser = Browser()
    assert browser.sign_in(a, admin.email) == 302
    stranger = another_instance(app, SECRET_KEY="some-other-secret")
    try:
        with serving(stranger) as c:
            status, headers, _page = browser.get(f"{c}/admin/users")
    finally:
        with stranger.app_context():
            _db.engine.dispose()
    assert status == 302 and "/sign-in" in headers["Location"]  # why every instance needs the same SECRET_KEY


def test_sign_in_throttling_counts_failures_on_every_server(app, db, servers, create_user):
    a, b = servers
    user = create_user("link_adviser")
    assert app.config["LOGIN_MAX_FAILURES"] == 5
    browser = Browser()
    for base in (a, b, a):  # spread over both servers, as a load balancer would
        assert browser.sign_in(base, user.email, "not-the-password") == 401
    for base in (b, a):  # too soon after the third: counted on either server, not checked
        assert browser.sign_in(base, user.email, "not-the-password") == 429
    assert browser.sign_in(b, user.email) == 429  # locked: even the right password, on the other server
    assert Browser().sign_in(a, user.email) == 429  # and from a fresh browser, on either
