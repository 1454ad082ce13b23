"""Sign-in throttling (issue 13, point 2): failures are counted per account and per network address
apart. One account's wrong passwords slow it down, then lock it (its owner is e-mailed, an
administrator can unlock it, the lock ends by itself); they never lock out the other people behind
the same address. The count per account holds under concurrent attempts, on both engines."""
from __future__ import annotations

import email
import re
import threading
from datetime import timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, ProxyHandler, Request, build_opener

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from lea_support.auth.models import FailedSignIns
from lea_support.core.models import AuditEntry
from tests.conftest import PASSWORD, serving, sign_in, submit

WRONG = "not-the-password-at-all"
LOCKED = re.compile(r"Your account is locked after too many wrong passwords\. Try again after \d\d:\d\d, "
                    r"or ask an administrator to unlock it\.")


def text(response: Any) -> str:
    return response.get_data(as_text=True).replace("&#39;", "'")


def time_passes(db: Any, **span: float) -> None:
    """As if this long had passed since every failure and lock was recorded."""
    delta = timedelta(**span)
    for row in db.session.scalars(select(FailedSignIns)):
        if row.last_failed_at:
            row.last_failed_at -= delta
        if row.locked_until:
            row.locked_until -= delta
    db.session.commit()


def outbox(app: Any) -> list[email.message.Message]:
    return [email.message_from_bytes(p.read_bytes()) for p in sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))]


def test_an_office_behind_one_address_is_not_locked_out_by_one_account(client, create_user):
    """Today five wrong passwords for one account lock every account behind the same address."""
    a, b = create_user("sia"), create_user("sia")
    for _ in range(5):
        assert sign_in(client, a.email, WRONG).status_code in {401, 429}
    assert LOCKED.search(text(sign_in(client, a.email)))  # A is locked, even with the right password...
    assert sign_in(client, b.email).status_code == 302  # ...but B, at the next desk, signs in


def test_wrong_passwords_slow_down_then_lock_the_account_and_its_owner_is_told(app, client, create_user, db):
    user = create_user("link_adviser")
    for _ in range(2):
        response = sign_in(client, user.email, WRONG)
        assert response.status_code == 401 and "Wait" not in text(response)
    third = sign_in(client, user.email, WRONG)
    assert third.status_code == 401
    assert "Enter a correct email address and password. Wait 8 seconds before you try again." in text(third)

    # Too soon: refused unchecked, even the right password, and counted.
    too_soon = sign_in(client, user.email)
    assert too_soon.status_code == 429 and int(too_soon.headers["Retry-After"]) <= 8
    assert re.search(r"Wait \d seconds before you try again\. Each try before then counts as a wrong password\.",
                     text(too_soon))
    time_passes(db, seconds=16)  # the fourth failure asks for 16 seconds
    locking = sign_in(client, user.email, WRONG)
    assert locking.status_code == 429 and LOCKED.search(text(locking))
    locked = sign_in(client, user.email)
    assert locked.status_code == 429 and LOCKED.search(text(locked))
    assert 800 <= int(locked.headers["Retry-After"]) <= 900

    [message] = outbox(app)  # one e-mail, however many tries the lock then refuses
    assert message["To"] == user.email and message["Subject"] == "Your LEA Support account is locked"
    body = message.get_payload(decode=True).decode()
    assert "wrong password" in body and "ask an administrator to unlock" in body
    # Nothing on the sign-in page says that an e-mail went (which would say the account exists).
    assert "E-mailed" not in text(locking)

    time_passes(db, minutes=15)  # the lock ends by itself
    assert sign_in(client, user.email).status_code == 302


def test_an_unknown_address_gets_the_same_answers_as_an_account(client, create_user, db):
    user = create_user("sia")
    answers = {}
    for address in (user.email, "nobody-here@example.org"):
        seen = []
        for step in range(6):
            if step == 4:
                time_passes(db, seconds=16)
            response = sign_in(client, address, WRONG)
            page = text(response)
            seen.append((response.status_code, response.headers.get("Retry-After"),
                         re.sub(r"\d\d:\d\d", "HH:MM", page[page.index('govuk-error-summary'):][:600]
                                .replace(address, "ADDRESS"))))
        answers[address] = seen
    assert answers[user.email] == answers["nobody-here@example.org"]
    assert [status for status, *_ in answers[user.email]] == [401, 401, 401, 429, 429, 429]


def test_an_administrator_can_unlock_an_account(app, client, create_user, db):
    user = create_user("link_adviser")
    for _ in range(5):
        sign_in(client, user.email, WRONG)
    assert LOCKED.search(text(sign_in(client, user.email)))

    admin_browser = app.test_client()
    admin = create_user("admin")
    assert sign_in(admin_browser, admin.email).status_code == 302
    listing = text(admin_browser.get("/admin/users"))
    assert re.search(rf"{re.escape(user.email)}</td>.*?Locked</strong>", listing, re.S)
    edit_page = text(admin_browser.get(f"/admin/users/{user.id}/edit"))
    assert "This account is locked after too many wrong passwords" in edit_page and "Unlock account" in edit_page

    # Only administrators may unlock.
    other = app.test_client()
    assert sign_in(other, create_user("sia").email).status_code == 302
    assert submit(other, f"/admin/users/{user.id}/unlock", {}, form_url="/schools").status_code == 403

    response = submit(admin_browser, f"/admin/users/{user.id}/unlock", {}, form_url=f"/admin/users/{user.id}/edit")
    assert response.status_code == 302
    assert "Unlock account" not in text(admin_browser.get(f"/admin/users/{user.id}/edit"))
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.unlock")).one()
    assert (entry.user_id, entry.entity_id) == (admin.id, str(user.id))
    assert sign_in(client, user.email).status_code == 302


def test_the_limit_per_address_refuses_wrong_passwords_never_a_right_one(app, client, create_user):
    app.config["LOGIN_MAX_PER_ADDRESS"] = "3 per 15 minutes"
    people = [create_user("sia") for _ in range(3)]
    for _ in range(4):  # right passwords are not counted against the address
        assert sign_in(app.test_client(), people[0].email).status_code == 302
    for n in range(3):  # a different account each time: no account's own count is anywhere near its limit
        assert sign_in(client, f"guess{n}@example.org", WRONG).status_code == 401
    over = sign_in(client, people[1].email, WRONG)
    assert over.status_code == 429
    assert "Too many wrong passwords have been entered from your network" in text(over)
    assert sign_in(client, people[2].email).status_code == 302  # a correct password still signs in


def test_the_limit_per_address_is_per_address(app, create_user):
    app.config["LOGIN_MAX_PER_ADDRESS"] = "2 per 15 minutes"
    office, elsewhere = app.test_client(), app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    for n in range(2):
        sign_in(office, f"guess{n}@example.org", WRONG)
    assert sign_in(office, "guess9@example.org", WRONG).status_code == 429
    assert sign_in(elsewhere, "guess9@example.org", WRONG).status_code == 401


def test_each_app_counts_failures_per_address_afresh(app, client):
    """The limiter's memory storage is made anew by create_app: no test sees another's failures."""
    app.config["LOGIN_MAX_PER_ADDRESS"] = "1 per 15 minutes"
    assert sign_in(client, "first@example.org", WRONG).status_code == 401


# --- concurrent attempts through a real server --------------------------------------------------

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def _browser() -> Any:
    return build_opener(ProxyHandler({}), HTTPCookieProcessor(CookieJar()))


def _open(opener: Any, url: str, data: dict[str, str] | None = None) -> tuple[int, str]:
    body = urlencode(data).encode() if data is not None else None
    try:
        with opener.open(Request(url, data=body), timeout=60) as response:
            return response.status, response.read().decode()
    except HTTPError as err:
        with err:
            return err.code, err.read().decode()


@pytest.mark.parametrize("delay_after", [3, 5], ids=["with-delay", "delay-off"])
def test_concurrent_wrong_passwords_get_at_most_five_checks(app, db, create_user, monkeypatch, delay_after):
    """31 wrong passwords at once (today 25 were checked, and the right password then got in)."""
    app.config["LOGIN_DELAY_AFTER_FAILURES"] = delay_after
    address = create_user("link_adviser").email  # read here: the threads have no app context
    checks: list[int] = []
    lock = threading.Lock()
    real_verify = PasswordHasher.verify

    def counting_verify(self: PasswordHasher, hash: str, password: str) -> bool:
        with lock:
            checks.append(1)
        return real_verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)
    db.session.commit()
    with serving(app) as base:
        browsers = []
        for _ in range(31):
            opener = _browser()
            status, page = _open(opener, f"{base}/sign-in")
            browsers.append((opener, CSRF.search(page).group(1)))
        start = threading.Barrier(31)
        results: list[int] = []

        def attempt(opener: Any, token: str) -> None:
            start.wait()
            status, _page = _open(opener, f"{base}/sign-in", {"email": address, "password": WRONG, "csrf_token": token})
            with lock:
                results.append(status)

        threads = [threading.Thread(target=attempt, args=b) for b in browsers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(results) == 31 and set(results) <= {401, 429}
        # Without a delay, exactly the five the count allows are checked; with it, only the three
        # before the delay (the attempts that came too soon count without being checked).
        assert len(checks) == (3 if delay_after == 3 else 5)

        opener, token = browsers[0]
        status, page = _open(opener, f"{base}/sign-in", {"email": address, "password": PASSWORD, "csrf_token": token})
        assert status == 429 and LOCKED.search(page.replace("&#39;", "'"))
    assert len(outbox(app)) == 1
