"""Adviser time logged only where it may be: by the plan's team (or the person the plan allocates
time to), on the agreed version in force, dated between the plan's agreement and today, and no more
than one day for one person on one date. Everything through the route a user posts to."""
from __future__ import annotations

import html
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from lea_support.rap import services
from lea_support.rap.models import TimeUsed
from tests.conftest import csrf_token, sign_in, submit

TODAY = date.today()
AGREED = TODAY - timedelta(days=30)


@pytest.fixture
def s(db, create_plan, create_school, create_user):
    """An agreed plan (30 days ago) with 5 days of a consultant's time; its team is the school's
    link adviser (coordinating), the SIA who drafted it and the school's head."""
    link, sia, consultant = create_user("link_adviser"), create_user("sia"), create_user("project_team")
    school = create_school(support_tier="significant", mcs_level=3, link_adviser_id=link.id)
    head = create_user("school_leader", schools=[school])
    plan = create_plan(school=school, sia=sia, head=head, status="draft", objectives=1)
    allocation = services.allocate_time(sia, plan, user_id=consultant.id, term="autumn-2026", days="5")
    services.submit_plan(sia, plan)
    services.sign_off_plan(head, plan, on=AGREED)
    services.sign_off_plan(sia, plan, on=AGREED, midpoint_review_on=AGREED + timedelta(weeks=10))
    db.session.commit()
    return SimpleNamespace(school=school, link=link, sia=sia, head=head, consultant=consultant, plan=plan,
                           allocation=allocation)


def log(client, plan, allocation, *, on: date, days: str):
    url = f"/plans/{plan.id}/allocations/{allocation.id}/used"
    response = submit(client, url, {"used_on": [str(on.day), str(on.month), str(on.year)], "days": days,
                                    "note": "Coaching"}, form_url=f"/plans/{plan.id}")
    return response.status_code, html.unescape(response.get_data(as_text=True))


def logged(db) -> int:
    return db.session.scalar(select(func.count()).select_from(TimeUsed))


def test_the_team_logs_a_day_used_and_sees_it_against_the_allocation(db, s, client):
    sign_in(client, s.link.email)  # the coordinator, for the consultant
    assert "Log days used" in client.get(f"/plans/{s.plan.id}").get_data(as_text=True)
    status, _ = log(client, s.plan, s.allocation, on=TODAY - timedelta(days=3), days="0.5")
    assert status == 302
    assert "0.5 of 5.0" in client.get(f"/plans/{s.plan.id}").get_data(as_text=True)
    entry = db.session.scalars(select(TimeUsed)).one()
    assert (entry.used_on, entry.logged_by_id) == (TODAY - timedelta(days=3), s.link.id)


def test_the_person_the_plan_allocates_time_to_logs_their_own(db, s, client):
    sign_in(client, s.consultant.email)
    assert log(client, s.plan, s.allocation, on=AGREED, days="1")[0] == 302


@pytest.mark.parametrize("who", ["someone_else", "school_leader", "governor"])
def test_people_outside_the_plans_team_may_not_log_time(db, s, client, create_user, who):
    user = {"someone_else": lambda: create_user("project_team"), "school_leader": lambda: s.head,
            "governor": lambda: create_user("governor", schools=[s.school])}[who]()
    sign_in(client, user.email)
    assert "Log days used" not in client.get(f"/plans/{s.plan.id}").get_data(as_text=True)
    response = client.post(f"/plans/{s.plan.id}/allocations/{s.allocation.id}/used", data={
        "csrf_token": _token(client), "used_on": ["1", "12", "2026"], "days": "1"})
    assert response.status_code == 403 and logged(db) == 0


def _token(client):
    # Any signed-in page carries the sign-out form with its CSRF token.
    for url in ("/my-schools", "/governor", "/schools"):
        if client.get(url).status_code == 200:
            return csrf_token(client, url)
    raise AssertionError("no page with a CSRF token")


@pytest.mark.parametrize("days, on, message", [
    ("999.9", TODAY - timedelta(days=1), "Days used on one date cannot be more than 1"),
    ("1.1", TODAY - timedelta(days=1), "Days used on one date cannot be more than 1"),
    ("0.25", TODAY - timedelta(days=1), "in whole or tenths of days"),
    ("1", date(2099, 1, 1), "cannot be in the future"),
    ("1", TODAY + timedelta(days=1), "cannot be in the future"),
    ("1", AGREED - timedelta(days=1), f"on or after {AGREED.day} {AGREED:%B %Y}, when the plan was agreed"),
])
def test_out_of_range_days_and_dates_are_refused_with_a_message(db, s, client, days, on, message):
    sign_in(client, s.link.email)
    status, page = log(client, s.plan, s.allocation, on=on, days=days)
    assert status == 422 and message in page
    assert logged(db) == 0


def test_one_person_gets_at_most_a_day_on_one_date_across_plans(app, db, s, client, create_plan, create_school,
                                                                create_user):
    sign_in(client, s.link.email)
    day = TODAY - timedelta(days=2)
    assert log(client, s.plan, s.allocation, on=day, days="0.6")[0] == 302
    status, page = log(client, s.plan, s.allocation, on=day, days="0.5")
    assert status == 422 and "already has 0.6 days logged on" in page and "no more than 1 day" in page
    # Another school's plan in force with the same consultant's time: the same date is full there too.
    school = create_school(support_tier="significant", mcs_level=3)
    other_head = create_user("school_leader", schools=[school])
    other = create_plan(school=school, sia=s.sia, head=other_head, status="draft", objectives=1)
    there = services.allocate_time(s.sia, other, user_id=s.consultant.id, term="autumn-2026", days="2")
    services.submit_plan(s.sia, other)
    services.sign_off_plan(other_head, other, on=AGREED)
    services.sign_off_plan(s.sia, other, on=AGREED, midpoint_review_on=AGREED + timedelta(weeks=10))
    db.session.commit()
    consultant = app.test_client()
    sign_in(consultant, s.consultant.email)
    status, page = log(consultant, other, there, on=day, days="0.5")
    assert status == 422 and "no more than 1 day" in page
    assert log(consultant, other, there, on=day, days="0.4")[0] == 302
    assert logged(db) == 2


def test_draft_and_superseded_versions_take_no_time(db, s, client, create_plan):
    sign_in(client, s.consultant.email)
    # A draft with the consultant's time: not yet agreed.
    draft = create_plan(status="draft", objectives=1)
    draft_time = services.allocate_time(draft.drafted_by, draft, user_id=s.consultant.id, term="autumn-2026",
                                        days="1")
    db.session.commit()
    status, page = log(client, draft, draft_time, on=TODAY, days="1")
    assert status == 422 and "once the plan has been agreed" in page
    # An agreed amendment supersedes the version the allocation was on.
    amendment = services.amend_plan(s.sia, s.plan, reason="More coaching")
    services.submit_plan(s.sia, amendment)
    services.sign_off_plan(s.head, amendment, on=TODAY)
    services.sign_off_plan(s.sia, amendment, on=TODAY)
    db.session.commit()
    status, page = log(client, s.plan, s.allocation, on=TODAY, days="1")
    assert status == 422 and "replaced by a later one" in page
    assert logged(db) == 0
    # The version in force takes it, dated back to when the plan was first agreed.
    assert log(client, amendment, amendment.allocations[0], on=AGREED, days="1")[0] == 302
