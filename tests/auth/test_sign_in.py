"""Sign-in, sessions, CSRF and security headers, through the real routes (throttling: test_throttling.py)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lea_support.auth.models import FailedSignIns, UserSession
from tests.conftest import PASSWORD, csrf_token, sign_in, submit


@pytest.mark.parametrize("role", ["link_adviser", "sia", "admin", "project_team", "school_leader", "governor"])
def test_sign_in_lands_on_the_home_page_of_tasks(client, create_user, create_school, role):
    user = create_user(role, schools=[create_school()] if role in {"school_leader", "governor"} else None)
    response = sign_in(client, user.email)
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "What needs you now" in home.get_data(as_text=True)


def test_wrong_password_and_unknown_user_get_the_same_answer(client, create_user):
    user = create_user("sia")
    wrong = sign_in(client, user.email, "not-the-password-at-all")
    unknown = sign_in(client, "nobody@example.org", "not-the-password-at-all")
    assert wrong.status_code == unknown.status_code == 401
    message = "Enter a correct email address and password"
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    # The email typed is kept in the form.
    assert f'value="{user.email}"' in wrong.get_data(as_text=True)


def test_success_clears_the_failure_count(client, create_user, db):
    user = create_user("admin")
    for _ in range(2):
        sign_in(client, user.email, "wrong-password-again")
    assert sign_in(client, user.email).status_code == 302
    row = db.session.scalars(select(FailedSignIns).where(FailedSignIns.email == user.email)).one()
    assert (row.failures, row.last_failed_at, row.locked_until) == (0, None, None)


def test_session_is_renewed_at_sign_in(client, create_user):
    user = create_user("admin")
    client.get("/sign-in")
    with client.session_transaction() as before:
        before["planted"] = "by an attacker"
    sign_in(client, user.email)
    with client.session_transaction() as after:
        assert "planted" not in after
        assert after.get("sid")


def test_sign_out_ends_the_session_on_the_server(client, create_user, db):
    user = create_user("admin")
    sign_in(client, user.email)
    with client.session_transaction() as s:
        stolen = dict(s)
    token = csrf_token(client, "/schools")
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0
    # Replaying the old cookie contents does not bring the session back.
    with client.session_transaction() as s:
        s.update(stolen)
    assert client.get("/schools").status_code == 302


def test_disabling_a_user_ends_their_sessions(app, client, create_user, db):
    admin = create_user("admin")
    victim = create_user("link_adviser")
    other = app.test_client()
    assert sign_in(other, victim.email).status_code == 302
    assert other.get("/schools").status_code == 200
    sign_in(client, admin.email)
    response = submit(client, f"/admin/users/{victim.id}/edit",
                      {"name": victim.name, "role": "link_adviser", "schools": "", "is_disabled": "y"})
    assert response.status_code == 302
    assert other.get("/schools").status_code == 302
    assert sign_in(other, victim.email).status_code == 401


def test_idle_sessions_expire(client, create_user, app):
    user = create_user("admin")
    sign_in(client, user.email)
    with client.session_transaction() as s:
        s["seen"] -= (app.config["SESSION_IDLE_TIMEOUT"] + timedelta(seconds=5)).total_seconds()
    response = client.get("/schools")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_state_changing_requests_need_a_csrf_token(client, create_user):
    user = create_user("admin")
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Your form expired" in response.get_data(as_text=True)


def test_security_headers_on_every_response(client, create_user):
    anonymous = client.get("/sign-in")
    csp = anonymous.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert anonymous.headers["X-Content-Type-Options"] == "nosniff"
    assert anonymous.headers["Referrer-Policy"]
    user = create_user("admin")
    sign_in(client, user.email)
    signed_in = client.get("/schools")
    assert signed_in.headers["Cache-Control"] == "no-store"
    # The one inline script (GOV.UK's js-enabled class) carries this response's nonce.
    nonce = signed_in.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in signed_in.get_data(as_text=True)


def test_session_cookie_flags(client, create_user):
    user = create_user("admin")
    response = sign_in(client, user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_get_never_changes_state(client, create_user, db):
    from lea_support.core.models import AuditEntry

    user = create_user("admin")
    sign_in(client, user.email)
    count = db.session.scalar(select(func.count()).select_from(AuditEntry))
    for url in ["/", "/schools", "/admin/users", "/admin/audit", "/allocations"]:
        client.get(url)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == count
