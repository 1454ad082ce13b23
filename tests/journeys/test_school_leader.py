"""The school leader's journey: their school's page, its Raising Achievement Plan with its actions,
and "My actions"; another school's page and plan stay closed to them."""
from __future__ import annotations

from datetime import date, timedelta

import pytest


@pytest.mark.browser
def test_a_school_leader_sees_their_own_school_s_plan_and_actions_and_no_other(journey, db, create_school,
                                                                               create_user, create_plan):
    own = create_school(name="Ashby Primary School", support_tier="significant", mcs_level=3,
                        link_adviser_id=create_user("link_adviser").id)
    other = create_school(name="Zephyr Primary School", support_tier="significant", mcs_level=4,
                          link_adviser_id=create_user("link_adviser").id)
    head = create_user("school_leader", name="Hana Head", schools=[own])
    agreed_on = date.today() - timedelta(days=30)
    plan = create_plan(school=own, head=head, agreed_on=agreed_on)
    other_plan = create_plan(school=other, agreed_on=agreed_on)
    plan_id, version = plan.id, plan.version
    forbidden = [f"/schools/{other.urn}", f"/schools/{other.urn}/plans", f"/plans/{other_plan.id}",
                 f"/schools/{other.urn}/visits"]
    page = journey.page

    journey.sign_in(head.email)
    assert page.get_by_role("heading", level=1).inner_text() == "What needs you now"
    journey.follow("link", "My schools")
    assert page.locator("main li").all_inner_texts() == [f"Ashby Primary School (URN {own.urn})"]
    assert "Schools" not in journey.menu()

    journey.follow("link", "Ashby Primary School")
    assert "Raising Achievement Plan agreed" in page.locator("#timeline").inner_text()
    journey.follow("link", "Plans", exact=True, within=page.get_by_role("navigation", name="Ashby Primary School"))
    journey.follow("link", f"Plan {plan.series_id}, version {version}")
    assert page.url.endswith(f"/plans/{plan_id}")
    assert page.locator("#plan-status").inner_text().startswith("Agreed")
    objectives = journey.text
    for text in ("Objective 1: raise attainment", "Objective 2: raise attainment", "Action for objective 1",
                 "Action for objective 2", "English lead"):
        assert text in objectives, text

    journey.follow("link", "My actions")
    mine = journey.text
    assert "Action for objective 1" in mine and "Ashby Primary School" in mine and "Zephyr" not in mine
    journey.follow("link", "Plans")
    dashboard = journey.text
    assert "Ashby Primary School" in dashboard and "Zephyr" not in dashboard

    for path in forbidden:
        journey.goto(path, status=403)
        assert "Zephyr" not in page.content()
    assert len(page.console_errors) == len(forbidden)  # each refusal, and nothing else
    assert all("status of 403" in error for error in page.console_errors), page.console_errors
