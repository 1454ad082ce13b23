"""Council sign-in (OpenID Connect) through the routes, against a real OpenID provider
(tests/oidc/provider.mjs): who may come in, as what, and what is refused."""
from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask.testing import FlaskClient
from sqlalchemy import select

from lea_support.auth.models import User
from lea_support.auth.oidc_models import CouncilIdentity, CouncilSession
from lea_support.core.models import AuditEntry
from tests.conftest import _CSRF, sign_in
from tests.oidc.conftest import OpenIDProvider, map_group, through_provider

ADVISERS = "grp-link-advisers"
SIAS = "grp-sias"


def council_sign_in(client: FlaskClient, provider: OpenIDProvider, login: str) -> Any:
    """Press "Sign in with your council account", sign in at the provider, come back: the app's answer."""
    start = client.get("/sign-in/council")
    assert start.status_code == 302, start.get_data(as_text=True)
    assert start.location.startswith(provider.issuer)
    back = through_provider(provider.issuer, start.location, login)
    assert back.startswith("http://localhost/sign-in/council/callback?")
    return client.get(back.removeprefix("http://localhost"))


def test_an_existing_account_is_linked_by_verified_email_and_given_its_groups_role(app, db, client, provider,
                                                                                     create_user):
    adviser = create_user("project_team", email="sam.adviser@council.example")
    map_group(ADVISERS, "link_adviser")
    provider.accounts(sam={"email": "Sam.Adviser@council.example", "email_verified": True, "name": "Sam Adviser",
                           "groups": ["grp-other", ADVISERS]})
    response = council_sign_in(client, provider, "sam")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert client.get("/").status_code == 200
    db.session.refresh(adviser)
    assert adviser.role == "link_adviser"
    link = db.session.scalars(select(CouncilIdentity)).one()
    assert (link.user_id, link.issuer, link.subject) == (adviser.id, provider.issuer, "sam")
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == str(adviser.id))).all()
    assert {"user.council_link", "user.role_from_groups", "user.council_sign_in", "user.sign_in"} <= set(actions)


def _refusals(db: Any) -> list[str]:
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.council_sign_in_refused")).all()
    return [entry.after["reason"] for entry in entries]


def _signed_in(client: FlaskClient) -> bool:
    return client.get("/").status_code == 200


def test_later_sign_ins_find_the_account_by_subject_whatever_the_email_says(app, db, client, provider, create_user):
    adviser = create_user("link_adviser", email="sam@council.example")
    create_user("link_adviser", email="someone.else@council.example")
    map_group(ADVISERS, "link_adviser")
    provider.accounts(sam={"email": "sam@council.example", "email_verified": True, "groups": [ADVISERS]})
    assert council_sign_in(client, provider, "sam").status_code == 302
    client.post("/sign-out", data={"csrf_token": _token(client)})
    # The provider now says another address, unverified: the subject's link decides.
    provider.accounts(sam={"email": "someone.else@council.example", "email_verified": False, "groups": [ADVISERS]})
    assert council_sign_in(client, provider, "sam").status_code == 302
    assert db.session.scalars(select(CouncilIdentity.user_id)).all() == [adviser.id]
    page = client.get("/").get_data(as_text=True)
    assert adviser.name in page


def test_an_email_address_the_provider_has_not_verified_is_refused(app, db, client, provider, create_user):
    create_user("link_adviser", email="sam@council.example")
    map_group(ADVISERS, "link_adviser")
    provider.accounts(sam={"email": "sam@council.example", "email_verified": False, "groups": [ADVISERS]})
    response = council_sign_in(client, provider, "sam")
    assert response.status_code == 403
    assert "email address is not verified" in response.get_data(as_text=True)
    assert not _signed_in(client)
    assert db.session.scalars(select(CouncilIdentity)).all() == []
    assert _refusals(db) == ["email_not_verified"]


def test_a_council_account_with_no_account_here_is_refused_unless_accounts_may_be_made(app, db, client, provider):
    map_group(SIAS, "sia")
    provider.accounts(alex={"email": "alex@council.example", "email_verified": True, "name": "Alex  Improvement",
                            "groups": [SIAS]})
    refused = council_sign_in(client, provider, "alex")
    assert refused.status_code == 403
    assert "There is no LEA Support account for alex@council.example" in refused.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "alex@council.example")) is None
    assert _refusals(db) == ["no_account"]

    app.config["OIDC_CREATE_ACCOUNTS"] = True
    assert council_sign_in(client, provider, "alex").status_code == 302
    made = db.session.scalars(select(User).where(User.email == "alex@council.example")).one()
    assert (made.name, made.role) == ("Alex Improvement", "sia")
    client.post("/sign-out", data={"csrf_token": _token(client)})
    # The account made has no password: none signs in to it.
    assert sign_in(client, "alex@council.example", "!council-sign-in-only").status_code == 401


def test_a_council_account_in_no_mapped_group_is_refused(app, db, client, provider, create_user):
    create_user("link_adviser", email="sam@council.example")
    map_group(ADVISERS, "link_adviser")
    provider.accounts(sam={"email": "sam@council.example", "email_verified": True, "groups": ["grp-finance"]})
    response = council_sign_in(client, provider, "sam")
    assert response.status_code == 403
    assert "not in a group that may use LEA Support" in response.get_data(as_text=True)
    assert not _signed_in(client)
    assert _refusals(db) == ["no_mapped_group"]


def test_several_mapped_groups_give_the_most_privileged_role(app, db, client, provider, create_user):
    person = create_user("link_adviser", email="kim@council.example")
    map_group(ADVISERS, "link_adviser")
    map_group(SIAS, "sia")
    map_group("grp-project", "project_team")
    provider.accounts(kim={"email": "kim@council.example", "email_verified": True,
                           "groups": ["grp-project", SIAS, ADVISERS]})
    assert council_sign_in(client, provider, "kim").status_code == 302
    db.session.refresh(person)
    assert person.role == "sia"


def test_disabled_and_locked_accounts_are_refused(app, db, client, provider, create_user):
    disabled = create_user("link_adviser", email="off@council.example")
    disabled.is_disabled = True
    locked = create_user("link_adviser", email="locked@council.example")
    db.session.commit()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        sign_in(client, locked.email, "not the password at all")
    map_group(ADVISERS, "link_adviser")
    provider.accounts(off={"email": "off@council.example", "email_verified": True, "groups": [ADVISERS]},
                      locked={"email": "locked@council.example", "email_verified": True, "groups": [ADVISERS]})
    response = council_sign_in(client, provider, "off")
    assert response.status_code == 403 and "account is disabled" in response.get_data(as_text=True)
    response = council_sign_in(client, provider, "locked")
    assert response.status_code == 403 and "account is locked" in response.get_data(as_text=True)
    assert not _signed_in(client)
    assert _refusals(db) == ["account_disabled", "account_locked"]


def test_the_claims_may_come_in_the_id_token_itself(app, db, client, tmp_path, create_user):
    """As Entra ID sends them: e-mail and groups in the ID token, no userinfo needed."""
    from tests.oidc.conftest import running_provider

    adviser = create_user("link_adviser", email="sam@council.example")
    map_group(ADVISERS, "link_adviser")
    with running_provider(tmp_path, "http://localhost", claims_in_id_token=True) as provider:
        provider.configure(app)
        provider.accounts(sam={"email": "sam@council.example", "email_verified": True, "groups": [ADVISERS]})
        assert council_sign_in(client, provider, "sam").status_code == 302
    assert db.session.scalars(select(CouncilIdentity.user_id)).all() == [adviser.id]


def test_a_callback_this_browser_did_not_start_is_refused(app, db, client, provider):
    response = client.get("/sign-in/council/callback?code=stolen&state=made-up")
    assert response.status_code == 400
    assert "could not be checked" in response.get_data(as_text=True)
    assert not _signed_in(client)
    cancelled = client.get("/sign-in/council/callback?error=access_denied&state=x")
    assert cancelled.status_code == 401


def test_the_sign_in_page_offers_the_council_button_only_when_configured(app, client, provider):
    assert "Sign in with your council account" in client.get("/sign-in").get_data(as_text=True)
    app.config["OIDC_ISSUER"] = ""
    assert "Sign in with your council account" not in client.get("/sign-in").get_data(as_text=True)
    assert client.get("/sign-in/council").status_code == 404
    assert client.get("/sign-in/council/callback?code=x&state=y").status_code == 404


def test_password_sign_in_can_be_switched_off_for_staff(app, db, client, provider, create_user, create_school):
    school = create_school()
    adviser = create_user("link_adviser")
    governor = create_user("governor", schools=[school])
    app.config["PASSWORD_SIGN_IN_FOR_STAFF"] = False
    refused = sign_in(client, adviser.email)
    assert refused.status_code == 403
    page = refused.get_data(as_text=True)
    assert "sign in with their council account" in page and "Governors and school leaders" in page
    assert adviser.email in page  # what they typed is kept
    assert not _signed_in(client)
    assert sign_in(client, governor.email).status_code == 302
    client.post("/sign-out", data={"csrf_token": _token(client)})
    app.config["PASSWORD_SIGN_IN_FOR_STAFF"] = True
    assert sign_in(client, adviser.email).status_code == 302


def test_signing_out_offers_the_providers_sign_out_with_the_id_token(app, db, client, provider, create_user):
    create_user("link_adviser", email="sam@council.example")
    map_group(ADVISERS, "link_adviser")
    provider.accounts(sam={"email": "sam@council.example", "email_verified": True, "groups": [ADVISERS]})
    council_sign_in(client, provider, "sam")
    id_token = db.session.scalars(select(CouncilSession.id_token)).one()
    out = client.post("/sign-out", data={"csrf_token": _token(client)})
    assert out.status_code == 302 and out.location.endswith("/signed-out")
    assert not _signed_in(client)
    page = client.get("/signed-out").get_data(as_text=True)
    link = re.search(r'href="([^"]+)"[^>]*>Sign out of your council account', page)
    assert link, page
    query = parse_qs(urlsplit(html.unescape(link.group(1))).query)
    assert link.group(1).startswith(provider.issuer + "/session/end")
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == ["http://localhost/signed-out"]
    # Back from the provider's sign-out, with the state it was given: its ID token is forgotten.
    back = client.get(f"/signed-out?state={query['state'][0]}").get_data(as_text=True)
    assert "signed out of your council account as well" in back
    assert db.session.scalars(select(CouncilSession)).all() == []
    # A password sign-out offers nothing more.
    assert "Sign out of your council account" not in client.get("/signed-out").get_data(as_text=True)


def _token(client: FlaskClient) -> str:
    match = _CSRF.search(client.get("/notifications").get_data(as_text=True))
    assert match
    return match.group(1)
