"""The second factor of a password sign-in (issue 20, item 2): setting up an authenticator app
from the account page, the code asked for after the password (a wrong one refused and counted like
a wrong password, none accepted twice), recovery codes that work once, staff made to set one up
before anything else, governors and school leaders free to choose, and an administrator's reset."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pyotp
import pytest
from sqlalchemy import func, select

from lea_support.auth import mfa
from lea_support.auth.models import FailedSignIns, RecoveryCode, TotpCredential, UserSession
from lea_support.config import Config, TestConfig
from lea_support.core.models import AuditEntry
from tests.conftest import PASSWORD, csrf_token, sign_in, submit

SECRET = re.compile(r'id="totp-secret">([A-Z2-7 ]+)</code>')
RECOVERY = re.compile(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>")


def text(response: Any) -> str:
    return response.get_data(as_text=True).replace("&#39;", "'")


class Clock:
    """The second factor's idea of now (auth/mfa.py), held in the middle of a 30-second step and
    moved on by whole steps, so that no test depends on when in a step it runs."""

    def __init__(self) -> None:
        real = datetime.now(timezone.utc).timestamp()
        self.now = datetime.fromtimestamp(real - real % 30 + 15, timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def tick(self, steps: int = 1) -> None:
        self.now += timedelta(seconds=30 * steps)

    def code(self, secret: str, steps: int = 0) -> str:
        """The app's code for this many steps from now."""
        return pyotp.TOTP(secret).at(self.now + timedelta(seconds=30 * steps))

    def wrong_code(self, secret: str) -> str:
        """Six digits that are none of the codes accepted now."""
        near = {self.code(secret, steps) for steps in (-1, 0, 1)}
        return next(c for c in ("000000", "111111", "222222", "333333") if c not in near)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(mfa, "utcnow", clock)
    return clock


@pytest.fixture
def required(app: Any) -> None:
    """The application's default: LA staff signing in with a password must have a second factor."""
    app.config["MFA_REQUIRED_FOR_STAFF"] = True


def enrol(db: Any, user: Any, clock: Clock) -> tuple[str, list[str]]:
    """Set up an app for the user through the service (its code of the step before now): the secret
    and the recovery codes."""
    secret = mfa.new_secret()
    codes = mfa.enrol_totp(user, secret, clock.code(secret, -1))
    db.session.commit()
    return secret, codes


def enter_code(client: Any, code: str) -> Any:
    return submit(client, "/sign-in/code", {"code": code})


def signed_in(client: Any) -> bool:
    return client.get("/notifications").status_code == 200


def test_the_application_asks_staff_for_a_second_factor_unless_told_otherwise():
    assert Config.MFA_REQUIRED_FOR_STAFF is True
    assert TestConfig.MFA_REQUIRED_FOR_STAFF is False  # the fixtures sign staff in with a password alone


def test_setting_up_an_app_from_the_account_page(client, login_as, db, clock):
    user = login_as("sia")
    account = client.get("/account/security")
    assert account.status_code == 200 and "You sign in with your password alone" in text(account)

    page = client.get("/account/security/authenticator")
    assert page.status_code == 200
    body = text(page)
    assert "<svg" in body and "QR code to scan with your authenticator app" in body
    secret = SECRET.search(body).group(1).replace(" ", "")
    assert client.get("/account/security/authenticator").get_data(as_text=True).count(SECRET.search(body).group(1)) == 1

    wrong = submit(client, "/account/security/authenticator", {"code": clock.wrong_code(secret)})
    assert wrong.status_code == 422 and "That code is not right" in text(wrong)
    not_a_code = submit(client, "/account/security/authenticator", {"code": "12ab"})
    assert not_a_code.status_code == 422 and "Enter the 6-digit code your authenticator app shows" in text(not_a_code)
    assert 'value="12ab"' in text(not_a_code)  # what was typed is kept
    assert db.session.get(TotpCredential, user.id) is None

    done = submit(client, "/account/security/authenticator", {"code": clock.code(secret)})
    assert done.status_code == 200
    codes = RECOVERY.findall(text(done))
    assert len(codes) == 10 == len(set(codes))
    credential = db.session.get(TotpCredential, user.id)
    assert credential is not None and secret not in credential.secret_encrypted  # kept encrypted
    assert mfa.decrypt_secret(credential.secret_encrypted) == secret
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # only hashes
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.second_factor_set_up")) is not None

    # Never shown again: the account page says it is on, and a new set-up shows a new secret.
    account = text(client.get("/account/security"))
    assert "set up on" in account and "10 unused recovery codes" in account and secret not in account
    assert secret not in text(client.get("/account/security/authenticator")).replace(" ", "")


def test_sign_in_asks_for_the_code_and_refuses_a_wrong_one(client, create_user, db, clock):
    user = create_user("link_adviser")
    secret, _codes = enrol(db, user, clock)
    first = sign_in(client, user.email)
    assert first.status_code == 302 and first.headers["Location"].endswith("/sign-in/code")
    assert not signed_in(client)  # the password alone does not sign in
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0

    page = client.get("/sign-in/code")
    assert page.status_code == 200 and "Enter the code from your authenticator app" in text(page)
    wrong = enter_code(client, clock.wrong_code(secret))
    assert wrong.status_code == 401
    assert "Enter the code your authenticator app shows now, or one of your recovery codes" in text(wrong)
    assert not signed_in(client)

    right = enter_code(client, clock.code(secret))
    assert right.status_code == 302 and right.headers["Location"] == "/"
    assert signed_in(client)
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 1


def test_a_code_is_accepted_once(app, client, create_user, db, clock):
    user = create_user("sia")
    secret, _codes = enrol(db, user, clock)
    sign_in(client, user.email)
    assert enter_code(client, clock.code(secret)).status_code == 302

    # Seen over a shoulder and typed at once elsewhere: the same code, in the same 30 seconds, is refused.
    other = app.test_client()
    sign_in(other, user.email)
    assert enter_code(other, clock.code(secret)).status_code == 401
    # The code of the step before (within the window but older than the one used) is refused too.
    assert enter_code(other, clock.code(secret, -1)).status_code == 401
    clock.tick()
    assert enter_code(other, clock.code(secret)).status_code == 302
    assert signed_in(other)


def test_the_enrolment_code_cannot_be_used_to_sign_in(client, create_user, db, clock):
    user = create_user("sia")
    secret, _codes = enrol(db, user, clock)  # with the code of the step before now
    sign_in(client, user.email)
    assert enter_code(client, clock.code(secret, -1)).status_code == 401


def test_a_recovery_code_works_once(app, client, create_user, db, clock):
    user = create_user("admin")
    _secret, codes = enrol(db, user, clock)
    sign_in(client, user.email)
    used = enter_code(client, codes[3].upper().replace("-", " "))  # as a person might type it
    assert used.status_code == 302
    home = text(client.get("/"))
    assert "You used a recovery code: 9 of them left" in home
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.recovery_code_used")) is not None

    other = app.test_client()
    sign_in(other, user.email)
    again = enter_code(other, codes[3])
    assert again.status_code == 401 and not signed_in(other)
    assert enter_code(other, codes[4]).status_code == 302


def test_new_recovery_codes_replace_the_old(client, create_user, db, clock):
    user = create_user("sia")
    secret, old = enrol(db, user, clock)
    sign_in(client, user.email)
    enter_code(client, clock.code(secret))
    renewed = submit(client, "/account/security/recovery-codes", {}, form_url="/account/security")
    assert renewed.status_code == 200
    new = RECOVERY.findall(text(renewed))
    assert len(new) == 10 and not set(new) & set(old)
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/account/security")})

    sign_in(client, user.email)
    assert enter_code(client, old[0]).status_code == 401
    assert enter_code(client, new[0]).status_code == 302


def test_wrong_codes_count_as_wrong_passwords_and_lock_the_account(client, create_user, db, clock):
    user = create_user("link_adviser")
    secret, codes = enrol(db, user, clock)
    sign_in(client, user.email)
    for _ in range(2):
        assert enter_code(client, clock.wrong_code(secret)).status_code == 401
    failures = db.session.scalars(select(FailedSignIns).where(FailedSignIns.email == user.email)).one()
    assert failures.failures == 2
    # The right password again does not wipe the count: the code must be right too.
    assert sign_in(client, user.email).status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(FailedSignIns.failures).where(FailedSignIns.email == user.email)).one() == 2

    for row in db.session.scalars(select(FailedSignIns)):  # as if the delays had passed
        row.last_failed_at -= timedelta(minutes=1)
    db.session.commit()
    enter_code(client, "not-a-recovery-code")
    for row in db.session.scalars(select(FailedSignIns)):
        row.last_failed_at -= timedelta(minutes=1)
    db.session.commit()
    enter_code(client, "also-wrong")
    for row in db.session.scalars(select(FailedSignIns)):
        row.last_failed_at -= timedelta(minutes=1)
    db.session.commit()
    locking = enter_code(client, "wrong-once-more")
    assert locking.status_code == 429 and "Your account is locked" in text(locking)
    # Locked: even the right code is refused, unchecked.
    assert enter_code(client, codes[0]).status_code == 429
    assert not signed_in(client)


def test_the_right_code_clears_the_count(client, create_user, db, clock):
    user = create_user("sia")
    secret, _codes = enrol(db, user, clock)
    sign_in(client, user.email, "not-the-password-at-all")
    sign_in(client, user.email)
    enter_code(client, clock.wrong_code(secret))
    assert enter_code(client, clock.code(secret)).status_code == 302
    row = db.session.scalars(select(FailedSignIns).where(FailedSignIns.email == user.email)).one()
    assert (row.failures, row.locked_until) == (0, None)


def test_the_code_must_follow_the_password_within_minutes(client, create_user, db, clock):
    user = create_user("sia")
    secret, _codes = enrol(db, user, clock)
    sign_in(client, user.email)
    token = csrf_token(client, "/sign-in/code")
    with client.session_transaction() as session:
        session["pending_since"] -= 6 * 60
    late = client.post("/sign-in/code", data={"code": clock.code(secret), "csrf_token": token})
    assert late.status_code == 302 and late.headers["Location"].endswith("/sign-in")
    assert "the code must follow your password within 5 minutes" in text(client.get("/sign-in"))
    assert not signed_in(client)
    # Without a password first there is nothing to enter a code for.
    assert client.get("/sign-in/code").status_code == 302


@pytest.mark.parametrize("role", ["admin", "link_adviser", "sia", "project_team"])
def test_staff_without_a_second_factor_must_set_one_up_first(role, client, create_user, db, clock, required):
    user = create_user(role)
    response = sign_in(client, user.email)
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/security/authenticator")
    # Nothing else until it is set up: each page leads back to the set-up.
    for url in ("/", "/notifications", "/account/security"):
        blocked = client.get(url)
        assert blocked.status_code == 302 and blocked.headers["Location"].endswith("/account/security/authenticator")
    page = client.get("/account/security/authenticator")
    assert page.status_code == 200 and "Your role needs a second factor" in text(page)
    secret = SECRET.search(text(page)).group(1).replace(" ", "")
    done = submit(client, "/account/security/authenticator", {"code": clock.code(secret)})
    assert done.status_code == 200 and len(RECOVERY.findall(text(done))) == 10
    assert client.get("/").status_code == 200
    # Next time, the code is asked for.
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    assert sign_in(client, user.email).headers["Location"].endswith("/sign-in/code")


def test_staff_made_to_set_one_up_can_sign_out(client, create_user, required):
    user = create_user("sia")
    sign_in(client, user.email)
    token = csrf_token(client, "/account/security/authenticator")
    out = client.post("/sign-out", data={"csrf_token": token})
    assert out.status_code == 302 and out.headers["Location"].endswith("/sign-in")
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("role", ["governor", "school_leader"])
def test_governors_and_school_leaders_may_choose(role, client, create_user, create_school, db, clock, required):
    user = create_user(role, schools=[create_school()])
    assert sign_in(client, user.email).headers["Location"] == "/"  # not sent to set one up
    assert signed_in(client)
    page = client.get("/account/security/authenticator")
    secret = SECRET.search(text(page)).group(1).replace(" ", "")
    assert submit(client, "/account/security/authenticator", {"code": clock.code(secret)}).status_code == 200

    # ...and may stop, with a code to show it is them.
    wrong = submit(client, "/account/security/authenticator/turn-off", {"code": clock.wrong_code(secret)},
                   form_url="/account/security")
    assert wrong.status_code == 422 and db.session.get(TotpCredential, user.id) is not None
    clock.tick()
    off = submit(client, "/account/security/authenticator/turn-off", {"code": clock.code(secret)},
                 form_url="/account/security")
    assert off.status_code == 302
    assert db.session.get(TotpCredential, user.id) is None
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 0


def test_staff_cannot_stop_using_a_second_factor(client, create_user, db, clock, required):
    user = create_user("link_adviser")
    secret, _codes = enrol(db, user, clock)
    sign_in(client, user.email)
    enter_code(client, clock.code(secret))
    assert "Stop using a second factor" not in text(client.get("/account/security"))
    clock.tick()
    refused = submit(client, "/account/security/authenticator/turn-off", {"code": clock.code(secret)},
                     form_url="/account/security")
    assert refused.status_code == 422 and "must use a second factor" in text(refused)
    assert db.session.get(TotpCredential, user.id) is not None


def test_an_administrator_resets_a_lost_second_factor(app, client, create_user, db, clock, required):
    admin, adviser = create_user("admin"), create_user("link_adviser")
    admin_secret, _ = enrol(db, admin, clock)
    adviser_secret, _ = enrol(db, adviser, clock)
    theirs = app.test_client()
    sign_in(theirs, adviser.email)
    assert enter_code(theirs, clock.code(adviser_secret)).status_code == 302

    sign_in(client, admin.email)
    enter_code(client, clock.code(admin_secret))
    listing = text(client.get("/admin/users"))
    assert listing.count(">App</td>") == 2 and ">None</td>" not in listing
    page = text(client.get(f"/admin/users/{adviser.id}/edit"))
    assert "signs in with a password and an authenticator app" in page and "Reset second factor" in page
    reset = submit(client, f"/admin/users/{adviser.id}/second-factor/reset", {}, form_url=f"/admin/users/{adviser.id}/edit")
    assert reset.status_code == 302
    assert "second factor is reset" in text(client.get(reset.headers["Location"]))
    assert db.session.get(TotpCredential, adviser.id) is None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.second_factor_reset"))
    assert entry is not None and entry.user_id == admin.id and entry.entity_id == str(adviser.id)
    assert not signed_in(theirs)  # their sessions ended
    # They sign in with their password and are made to set up a new app.
    assert sign_in(theirs, adviser.email).headers["Location"].endswith("/account/security/authenticator")

    # An administrator's own is reset from their account page, not here; nor is there one to reset twice.
    own = submit(client, f"/admin/users/{admin.id}/second-factor/reset", {}, form_url=f"/admin/users/{admin.id}/edit")
    assert own.status_code == 302 and "cannot reset your own" in text(client.get(own.headers["Location"]))
    twice = submit(client, f"/admin/users/{adviser.id}/second-factor/reset", {}, form_url=f"/admin/users/{adviser.id}/edit")
    assert "has not set up a second factor" in text(client.get(twice.headers["Location"]))


def test_a_second_factor_is_asked_for_even_where_not_required(client, create_user, db, clock):
    """Not required (MFA_REQUIRED_FOR_STAFF off, as in these fixtures): whoever has one still uses it."""
    user = create_user("sia")
    enrol(db, user, clock)
    assert sign_in(client, user.email).headers["Location"].endswith("/sign-in/code")
    assert PASSWORD  # the password was right; the code is the second step


def test_the_command_line_resets_an_administrator_s_second_factor(app, create_user, db, clock):
    """The one administrator has lost their phone and their recovery codes: nobody can sign in to
    reset it, so whoever runs the service does it from the command line."""
    admin = create_user("admin")
    enrol(db, admin, clock)
    result = app.test_cli_runner().invoke(args=["users", "reset-second-factor", admin.email.upper()])
    assert result.exit_code == 0, result.output
    assert "Reset the second factor" in result.output
    assert db.session.get(TotpCredential, admin.id) is None
    again = app.test_cli_runner().invoke(args=["users", "reset-second-factor", admin.email])
    assert again.exit_code != 0 and "has not set up a second factor" in again.output
    unknown = app.test_cli_runner().invoke(args=["users", "reset-second-factor", "nobody@example.org"])
    assert unknown.exit_code != 0 and "There is no user" in unknown.output


def test_a_new_password_still_needs_the_code(app, client, create_user, db, clock):
    """A reset link proves the e-mail, not the phone: the second factor is still asked for."""
    from tests.auth.test_password_reset import NEW_PASSWORD, ask_for_link, last_link

    user = create_user("sia")
    secret, _codes = enrol(db, user, clock)
    ask_for_link(client, user.email)
    assert submit(client, last_link(app, user.email), {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert sign_in(client, user.email, NEW_PASSWORD).headers["Location"].endswith("/sign-in/code")
    assert enter_code(client, clock.code(secret)).status_code == 302
