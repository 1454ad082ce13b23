"""A new password through an e-mailed link (issue 20, item 2): the same answer whether or not the
address has an account, a link that works once and not for long, the password rules of the user
form, and every other session of the account ended."""
from __future__ import annotations

import email
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from lea_support.auth.models import FailedSignIns, PasswordReset, UserSession
from lea_support.core.models import AuditEntry
from tests.conftest import PASSWORD, sign_in, submit

NEW_PASSWORD = "a-quite-new-passphrase-77"
LINK = re.compile(r"(https?://\S+/sign-in/reset-password/(\S+))")


def text(response: Any) -> str:
    return response.get_data(as_text=True).replace("&#39;", "'")


def page_without_nonce(response: Any, address: str) -> str:
    """The page as the person sees it: the address they typed and the script nonce (new on every
    page) taken out."""
    return re.sub(r'nonce="[^"]+"', "", text(response)).replace(address, "ADDRESS")


def outbox(app: Any) -> list[email.message.Message]:
    folder = Path(app.config["OUTBOX_DIR"])
    return [email.message_from_bytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))] if folder.exists() else []


def ask_for_link(client: Any, address: str) -> Any:
    return submit(client, "/sign-in/forgotten-password", {"email": address})


def body_of(message: Any) -> str:
    return message.get_payload(decode=True).decode()


def links(app: Any, address: str) -> set[str]:
    """The paths of the links e-mailed to the address."""
    found = set()
    for message in outbox(app):
        if message["To"] == address:
            match = LINK.search(body_of(message))
            assert match, body_of(message)
            found.add("/" + match.group(1).split("/", 3)[3])
    return found


def last_link(app: Any, address: str) -> str:
    [link] = links(app, address)
    return link


def test_the_sign_in_page_offers_a_reset(client):
    page = text(client.get("/sign-in"))
    assert 'href="/sign-in/forgotten-password"' in page and "Forgotten your password?" in page
    assert client.get("/sign-in/forgotten-password").status_code == 200


def test_the_answer_does_not_say_whether_an_account_exists(app, client, create_user, db):
    user = create_user("sia")
    known = ask_for_link(client, user.email.upper())
    unknown = ask_for_link(client, "nobody-here@example.org")
    assert known.status_code == unknown.status_code == 200
    assert page_without_nonce(known, user.email.upper()) == page_without_nonce(unknown, "nobody-here@example.org")
    assert "Check your email" in text(known)
    # Only the account's owner is e-mailed, with a link that works for an hour.
    [message] = outbox(app)
    assert message["To"] == user.email and message["Subject"] == "Set a new password for LEA Support"
    assert "The link works once, until" in body_of(message)
    reset = db.session.scalars(select(PasswordReset)).one()
    assert timedelta(minutes=59) < reset.expires_at - reset.created_at <= timedelta(hours=1)
    assert reset.token_hash not in body_of(message)  # the link's secret is not what is stored


def test_no_link_for_a_disabled_account(app, client, create_user, db):
    user = create_user("sia")
    user.is_disabled = True
    db.session.commit()
    assert ask_for_link(client, user.email).status_code == 200
    assert outbox(app) == []


def test_an_address_in_the_wrong_format_is_refused_with_what_was_typed(client):
    response = ask_for_link(client, "not an address")
    assert response.status_code == 422
    assert "Enter an email address in the correct format" in text(response)
    assert 'value="not an address"' in text(response)


def test_the_link_sets_a_new_password_once(app, client, create_user, db):
    user = create_user("link_adviser")
    ask_for_link(client, user.email)
    link = last_link(app, user.email)
    page = client.get(link)
    assert page.status_code == 200 and "Set a new password" in text(page)

    done = submit(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"].endswith("/sign-in")
    assert "Your new password is set" in text(client.get("/sign-in"))
    assert sign_in(client, user.email, PASSWORD).status_code == 401
    assert sign_in(client, user.email, NEW_PASSWORD).status_code == 302
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.password_reset")) is not None

    # Used: the link no longer works, and says so.
    again = client.get(link)
    assert again.status_code == 404 and "has expired or has already been used" in text(again)
    assert client.post(link, data={"password": "another-long-passphrase-9", "confirm": "another-long-passphrase-9"}
                       ).status_code in {400, 404}


def test_a_new_password_ends_every_other_session(app, client, create_user, db):
    user = create_user("sia")
    elsewhere = app.test_client()
    assert sign_in(elsewhere, user.email).status_code == 302
    assert elsewhere.get("/schools").status_code == 200
    ask_for_link(client, user.email)
    link = last_link(app, user.email)
    assert submit(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0
    assert elsewhere.get("/schools").status_code == 302  # signed out there


def test_the_link_expires(app, client, create_user, db):
    user = create_user("sia")
    ask_for_link(client, user.email)
    link = last_link(app, user.email)
    reset = db.session.scalars(select(PasswordReset)).one()
    reset.created_at -= timedelta(minutes=61)
    reset.expires_at -= timedelta(minutes=61)
    db.session.commit()
    assert client.get(link).status_code == 404


def test_a_newer_link_and_its_use_end_the_older_ones(app, client, create_user, db):
    user = create_user("sia")
    ask_for_link(client, user.email)
    first = last_link(app, user.email)
    ask_for_link(client, user.email)
    [second] = links(app, user.email) - {first}
    assert submit(client, second, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert client.get(first).status_code == 404


def test_no_more_than_three_live_links(app, client, create_user):
    user = create_user("sia")
    for _ in range(5):
        assert ask_for_link(client, user.email).status_code == 200
    assert len(outbox(app)) == 3


def test_the_password_rules_of_the_user_form(app, client, create_user, db):
    user = create_user("sia", name="Sam Improvement")
    ask_for_link(client, user.email)
    link = last_link(app, user.email)
    short = submit(client, link, {"password": "short", "confirm": "short"})
    assert short.status_code == 422 and "Password must be 12 characters or more" in text(short)
    named = submit(client, link, {"password": "samimprovement-2026", "confirm": "samimprovement-2026"})
    assert named.status_code == 422 and "must not contain your name" in text(named)
    different = submit(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert different.status_code == 422 and "The two passwords are not the same" in text(different)
    # Refusals do not use the link up.
    assert submit(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302


def test_a_new_password_lifts_a_sign_in_lock(app, client, create_user, db):
    user = create_user("sia")
    db.session.add(FailedSignIns(email=user.email, failures=5))
    db.session.commit()
    ask_for_link(client, user.email)
    assert submit(client, last_link(app, user.email), {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert db.session.scalars(select(FailedSignIns.failures).where(FailedSignIns.email == user.email)).one() == 0


def test_the_link_points_at_the_public_address(app, client, create_user):
    app.config["PUBLIC_BASE_URL"] = "https://lea-support.example.org/"
    user = create_user("sia")
    ask_for_link(client, user.email)
    assert LINK.search(body_of(outbox(app)[0])).group(1).startswith(
        "https://lea-support.example.org/sign-in/reset-password/")


def test_in_production_the_link_never_takes_the_request_host(app, client, create_user):
    """Without PUBLIC_BASE_URL a link could only come from the Host header, which whoever asks
    chooses: in production no link is sent at all (and the answer is the same)."""
    app.config.update(ENV_NAME="production", PUBLIC_BASE_URL="")
    user = create_user("sia")
    response = ask_for_link(client, user.email)
    assert response.status_code == 200 and "Check your email" in text(response)
    assert outbox(app) == []
