"""An adviser's planned visits as a calendar feed at a secret URL: made, renewed, revoked, and
showing only that adviser's planned visits from today on."""
from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from lea_support.auth.models import User
from lea_support.casework import calendar_feed
from lea_support.core.errors import DomainError
from lea_support.core.models import AuditEntry
from tests.conftest import submit

TODAY = date.today()
FEED_URL = re.compile(r'value="(http://localhost/calendar/([A-Za-z0-9_-]+)\.ics)"')


@pytest.fixture
def anonymous(app, client):
    """A calendar app: a client that has never signed in."""
    return app.test_client()


def make_feed(client) -> tuple[str, str]:
    """Press the button on the account page; return the URL it shows, and its path."""
    response = submit(client, "/account/calendar/renew", {}, form_url="/account/calendar")
    assert response.status_code == 200
    match = FEED_URL.search(response.get_data(as_text=True))
    assert match, "no feed URL on the page"
    assert response.headers["Cache-Control"] == "no-store"
    return match.group(1), match.group(1).removeprefix("http://localhost")


def events(response) -> list:
    return list(Calendar.from_ical(response.data).walk("VEVENT"))


def test_an_adviser_subscribes_to_their_planned_visits(client, anonymous, login_as, create_school, create_user,
                                                        create_note, db):
    adviser = login_as("link_adviser")
    someone_else = create_user("link_adviser")
    north, south = create_school(name="North Primary"), create_school(name="South & Sons <High>")
    next_week = create_note(school=north, adviser=adviser, status="planned", visit_date=TODAY + timedelta(days=7),
                            purpose="Check the reading plan")
    today = create_note(school=south, adviser=adviser, status="planned", visit_date=TODAY, purpose="Maths review")
    create_note(school=north, adviser=adviser, status="planned", visit_date=TODAY - timedelta(days=1))  # past
    create_note(school=north, adviser=adviser, status="draft", visit_date=TODAY + timedelta(days=3))  # written up
    create_note(school=south, adviser=someone_else, status="planned", visit_date=TODAY + timedelta(days=2))

    _, path = make_feed(client)
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    assert len(token) >= 43  # 32 random bytes, URL-safe

    response = anonymous.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    found = events(response)
    assert [str(e["UID"]) for e in found] == [f"note-{today.id}@lea-support", f"note-{next_week.id}@lea-support"]
    first, second = found
    assert str(first["SUMMARY"]) == "Visit: South & Sons <High>"
    assert first.decoded("DTSTART") == TODAY and first.decoded("DTEND") == TODAY + timedelta(days=1)
    assert first["DTSTART"].params.get("VALUE") == "DATE"  # all-day
    assert "Core support visit" in str(first["DESCRIPTION"]) and "Maths review" in str(first["DESCRIPTION"])
    assert str(second["SUMMARY"]) == "Visit: North Primary"
    assert second.decoded("DTSTART") == TODAY + timedelta(days=7)
    assert all("DTSTAMP" in e for e in found)

    # Only the hash is kept: the database cannot give the URL back.
    db.session.expire_all()
    stored = db.session.get(User, adviser.id).calendar_token_hash
    assert stored == hashlib.sha256(token.encode()).hexdigest() and token not in stored
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "calendar_feed.renew")).user_id == adviser.id

    # The link is shown once: the account page afterwards does not show it again.
    page = client.get("/account/calendar").get_data(as_text=True)
    assert token not in page and "Your calendar feed is on" in page


def test_renewing_invalidates_the_old_url(client, anonymous, login_as, create_note):
    adviser = login_as("sia")
    create_note(adviser=adviser, status="planned", visit_date=TODAY + timedelta(days=1))
    _, old = make_feed(client)
    _, new = make_feed(client)
    assert old != new
    assert anonymous.get(old).status_code == 404
    fresh = anonymous.get(new)
    assert fresh.status_code == 200 and len(events(fresh)) == 1


def test_revoking_turns_the_feed_off(client, anonymous, login_as, db):
    adviser = login_as("link_adviser")
    _, path = make_feed(client)
    assert anonymous.get(path).status_code == 200
    # The settings page asks first: its button leads to a confirmation page, which changes nothing.
    settings = client.get("/account/calendar").get_data(as_text=True)
    assert 'href="/account/calendar/revoke"' in settings
    confirm = client.get("/account/calendar/revoke")
    assert confirm.status_code == 200 and "Turn off your calendar feed?" in confirm.get_data(as_text=True)
    assert anonymous.get(path).status_code == 200
    response = submit(client, "/account/calendar/revoke", {}, form_url="/account/calendar/revoke")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/calendar")
    assert anonymous.get(path).status_code == 404
    db.session.expire_all()
    assert db.session.get(User, adviser.id).calendar_token_hash is None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "calendar_feed.revoke")) is not None


def test_a_disabled_adviser_has_no_feed(client, anonymous, login_as, db):
    adviser = login_as("link_adviser")
    _, path = make_feed(client)
    db.session.get(User, adviser.id).is_disabled = True
    db.session.commit()
    assert anonymous.get(path).status_code == 404


@pytest.mark.parametrize("path", [
    "/calendar/" + "A" * 43 + ".ics",  # well formed, unknown
    "/calendar/short.ics",
    "/calendar/" + "%27%20OR%201%3D1" + ".ics",
])
def test_unknown_tokens_are_404(anonymous, path):
    assert anonymous.get(path).status_code == 404


@pytest.mark.parametrize("role", ["governor", "school_leader", "project_team", "admin"])
def test_only_advisers_have_a_calendar_page(client, login_as, create_school, role):
    login_as(role, schools=[create_school()] if role in {"governor", "school_leader"} else None)
    assert client.get("/account/calendar").status_code == 403


def test_only_advisers_can_be_given_a_feed(db, create_user):
    admin, team_member = create_user("admin"), create_user("project_team")
    with pytest.raises(DomainError, match="Only link advisers and SIAs"):
        calendar_feed.renew_calendar_token(admin, team_member)
    assert team_member.calendar_token_hash is None
