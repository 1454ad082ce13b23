"""Personal access tokens through the account page: made and shown once, stored hashed, refused
when expired, revoked, or their account is disabled or locked."""
from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from lea_support.api.models import PersonalAccessToken
from lea_support.auth.models import FailedSignIns
from tests.api.conftest import bearer, make_token
from tests.conftest import submit


def _form(name="Power BI tier report", scopes=("schools:read",), expires=None):
    expires = expires or date.today() + timedelta(days=90)
    return {"name": name, "scopes": list(scopes), "expires_on": [str(expires.day), str(expires.month), str(expires.year)]}


def _secret(page: str) -> str:
    start = page.index('id="token-secret"')
    value = page.index('value="', start) + len('value="')
    return page[value:page.index('"', value)]


def test_a_token_is_shown_once_stored_hashed_and_works(client, db, login_as, create_school):
    user = login_as("sia")
    create_school()
    made = submit(client, "/account/tokens", _form())
    assert made.status_code == 201
    secret = _secret(made.get_data(as_text=True))
    assert secret.startswith("lea_pat_") and len(secret) == 51
    token = db.session.scalars(select(PersonalAccessToken)).one()
    assert token.user_id == user.id and token.scopes == "schools:read" and token.name == "Power BI tier report"
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = " ".join(str(v) for v in (token.name, token.scopes, token.display_prefix, token.token_hash))
    assert secret not in stored
    assert made.headers["Cache-Control"] == "no-store"
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert "Power BI tier report" in listing and token.display_prefix in listing and secret not in listing

    answer = client.get("/api/v1/schools", headers=bearer(secret))
    assert answer.status_code == 200 and len(answer.get_json()["data"]) == 1
    db.session.refresh(token)
    assert token.last_used_at is not None


def test_a_token_form_refusal_says_what_to_fix_and_keeps_what_was_typed(client, db, login_as):
    login_as("sia")
    too_late = date.today() + timedelta(days=400)
    for data, message in (
            (_form(expires=date.today() - timedelta(days=1)), "must be in the future"),
            (_form(expires=too_late), "a token lasts a year at most"),
            (_form(scopes=()), "Choose what the token may read"),
            (_form(name=""), "Enter a name for the token")):
        answer = submit(client, "/account/tokens", data, form_url="/account/tokens")
        page = answer.get_data(as_text=True)
        assert answer.status_code == 422, message
        assert message in page
        if data["name"]:
            assert 'value="Power BI tier report"' in page
    assert db.session.scalars(select(PersonalAccessToken)).all() == []


def test_a_governor_is_offered_and_given_only_scopes_that_open_something_to_them(client, db, login_as,
                                                                                  create_school):
    login_as("governor", schools=[create_school()])
    page = client.get("/account/tokens").get_data(as_text=True)
    assert 'value="reviews:read"' in page and 'value="casework:read"' not in page
    refused = submit(client, "/account/tokens", _form(scopes=("casework:read",)))
    assert refused.status_code == 422 and "cannot have the scope casework:read" in refused.get_data(as_text=True)


def test_revoking_asks_first_then_the_token_stops_working(client, db, login_as):
    user = login_as("link_adviser")
    secret = make_token(user)
    token = db.session.scalars(select(PersonalAccessToken)).one()
    assert client.get("/api/v1/schools", headers=bearer(secret)).status_code == 200
    confirm = client.get(f"/account/tokens/{token.id}/revoke")
    assert confirm.status_code == 200 and "Revoke the token “Test token”?" in confirm.get_data(as_text=True)
    assert submit(client, f"/account/tokens/{token.id}/revoke", {}).status_code == 302
    refused = client.get("/api/v1/schools", headers=bearer(secret))
    assert refused.status_code == 401 and "revoked" in refused.get_json()["detail"]
    again = submit(client, f"/account/tokens/{token.id}/revoke", {})
    assert again.status_code == 422 and "already revoked" in again.get_data(as_text=True)


def test_nobody_revokes_anothers_token(client, db, login_as, create_user):
    owner = create_user("sia")
    make_token(owner)
    token = db.session.scalars(select(PersonalAccessToken)).one()
    login_as("admin")
    assert client.get(f"/account/tokens/{token.id}/revoke").status_code == 403
    assert submit(client, f"/account/tokens/{token.id}/revoke", {}, form_url="/account/tokens").status_code == 403
    db.session.refresh(token)
    assert token.revoked_at is None


def test_an_expired_token_is_refused(client, db, create_user):
    secret = make_token(create_user("sia"))
    token = db.session.scalars(select(PersonalAccessToken)).one()
    token.created_at = datetime.now(UTC) - timedelta(days=40)
    token.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    refused = client.get("/api/v1/schools", headers=bearer(secret))
    assert refused.status_code == 401 and "expired" in refused.get_json()["detail"]


def test_a_disabled_or_locked_accounts_tokens_are_refused(client, db, create_user):
    disabled, locked = create_user("sia"), create_user("link_adviser")
    disabled_secret, locked_secret = make_token(disabled), make_token(locked)
    disabled.is_disabled = True
    db.session.add(FailedSignIns(email=locked.email, failures=5, last_failed_at=datetime.now(UTC),
                                 locked_until=datetime.now(UTC) + timedelta(minutes=15)))
    db.session.commit()
    assert "disabled" in client.get("/api/v1/schools", headers=bearer(disabled_secret)).get_json()["detail"]
    assert "locked" in client.get("/api/v1/schools", headers=bearer(locked_secret)).get_json()["detail"]
    db.session.get(FailedSignIns, 1).locked_until = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    assert client.get("/api/v1/schools", headers=bearer(locked_secret)).status_code == 200


def test_without_a_valid_token_the_answer_is_401_problem_details(client, db, create_user):
    for headers, sent in (({}, False), ({"Authorization": "Basic dXNlcjpwYXNz"}, True),
                          ({"Authorization": "Bearer lea_pat_" + "x" * 43}, True),
                          ({"Authorization": "Bearer not-a-token"}, True)):
        answer = client.get("/api/v1/schools", headers=headers)
        assert answer.status_code == 401
        assert answer.mimetype == "application/problem+json"
        body = answer.get_json()
        assert set(body) == {"type", "title", "status", "detail", "instance"} and body["status"] == 401
        assert body["instance"] == "/api/v1/schools" and body["type"].endswith("#problem-invalid-token")
        assert answer.headers["WWW-Authenticate"].startswith('Bearer realm="LEA Support API"')
        assert ('error="invalid_token"' in answer.headers["WWW-Authenticate"]) is sent


def test_a_token_reads_only_its_scopes(client, db, create_user):
    secret = make_token(create_user("sia"), ["schools:read"])
    refused = client.get("/api/v1/plans", headers=bearer(secret))
    assert refused.status_code == 403 and refused.get_json()["type"].endswith("#problem-insufficient-scope")
    assert 'scope="plans:read"' in refused.headers["WWW-Authenticate"]


def test_the_api_never_sets_a_cookie_even_with_a_signed_in_session(client, db, login_as):
    user = login_as("sia")
    secret = make_token(user)
    for url in ("/api/v1/schools", "/api/v1/nothing-here", "/api/v1/docs"):
        answer = client.get(url, headers=bearer(secret))
        assert "Set-Cookie" not in answer.headers, url
    # The session cookie alone opens nothing.
    assert client.get("/api/v1/schools").status_code == 401
