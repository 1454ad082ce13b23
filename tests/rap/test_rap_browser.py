"""Issue 5's acceptance journey in headless Chromium: an SIA drafts a plan from a published review;
the school and the LA agree it; the project team meets and updates actions; the mid-point review
de-escalates the school to enhanced support; and the school page shows every step. Every page on the
way is checked with axe-core (WCAG 2.2 A and AA)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from lea_support.rap.models import RaisingAchievementPlan
from lea_support.schools.models import School
from tests.conftest import PASSWORD
from tests.journeys.axe import assert_accessible
from tests.rap.test_plans import published_review


def fill_date(page, name, day):
    page.fill(f"#{name}-day", str(day.day))
    page.fill(f"#{name}-month", str(day.month))
    page.fill(f"#{name}-year", str(day.year))


def goto(page, url):
    page.goto(url)
    assert_accessible(page)


def sign_in_as(page, base, email):
    page.context.clear_cookies()
    goto(page, f"{base}/sign-in")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    click(page, "button", "Sign in")


def click(page, role, name):
    """Click a link or button and wait for the page it leads to, so that its response (and any
    cookie it sets) has arrived before the next step."""
    with page.expect_navigation():
        page.get_by_role(role, name=name).first.click()
    assert_accessible(page)


@pytest.mark.browser
def test_a_school_goes_from_review_to_de_escalation(browser_page, live_server, db, create_school, create_user,
                                                     create_review):
    adviser = create_user("link_adviser", name="Lee Adviser")
    school = create_school(name="Quarry Bank Primary", support_tier="significant", mcs_level=3,
                           link_adviser_id=adviser.id, is_vulnerable=True)
    sia = create_user("sia", name="Sam Improvement")
    head = create_user("school_leader", name="Chris Head", schools=[school])
    review = published_review(db, school, lambda **kw: create_review(lead=sia, **kw))
    urn, school_id, review_id = school.urn, school.id, review.id
    emails = {"sia": sia.email, "head": head.email, "adviser": adviser.email}
    db.session.commit()  # let go of SQLite's write lock before the server needs it
    page, today = browser_page, date.today()

    # The SIA drafts the plan from the published review: its two points become objectives.
    sign_in_as(page, live_server, emails["sia"])
    goto(page, f"{live_server}/reviews/{review_id}")
    click(page, "link", "Draft a Raising Achievement Plan from this review")
    page.fill("#sip_reference", "SIP 2026-27 priorities 1 and 2")
    boxes = page.locator("input[name=finding_ids]")
    for i in range(boxes.count()):
        boxes.nth(i).check()
    click(page, "button", "Start the draft plan")
    plan_id = int(page.url.split("/plans/")[1].split("/")[0])
    for objective in ("Writing in KS2", "Attendance"):
        goto(page, f"{live_server}/plans/{plan_id}/edit")
        click(page, "link", objective)
        page.fill("#criterion-measure", f"{objective}: pupils at the expected standard")
        page.fill("#criterion-baseline", "55%")
        page.fill("#criterion-target", "70%")
        fill_date(page, "criterion-by_when", today + timedelta(weeks=30))
        click(page, "button", "Add success criterion")
        page.fill("#action-what", f"Staff training for {objective.lower()}")
        page.fill("#action-owner_role", "Deputy headteacher")
        fill_date(page, "action-starts_on", today)
        fill_date(page, "action-due_on", today + timedelta(weeks=6))
        click(page, "button", "Add action")
    goto(page, f"{live_server}/plans/{plan_id}")
    click(page, "button", "Submit for agreement")

    # The school signs, then the LA, whose signature agrees it and sets the mid-point review.
    sign_in_as(page, live_server, emails["head"])
    goto(page, f"{live_server}/plans/{plan_id}")
    click(page, "button", "Sign off the plan")
    sign_in_as(page, live_server, emails["sia"])
    goto(page, f"{live_server}/plans/{plan_id}")
    fill_date(page, "midpoint_review_on", today + timedelta(weeks=10))
    click(page, "button", "Sign off the plan")
    assert "Agreed" in page.locator("#plan-status").inner_text()

    # The link adviser, who now leads, records the team's first meeting and updates an action.
    sign_in_as(page, live_server, emails["adviser"])
    goto(page, f"{live_server}/plans/{plan_id}")
    click(page, "link", "Record a project team meeting")
    fill_date(page, "held_on", today)
    attendees = page.locator("input[name=attendee_ids]")
    for i in range(attendees.count()):
        attendees.nth(i).check()
    page.fill("#minutes", "Training dates agreed; the deputy head leads on writing.")
    page.locator("#meeting-form details.app-action summary").first.click()  # each action folds away
    page.locator("select[name^=status_]").first.select_option("in_progress")
    click(page, "button", "Save the meeting")
    assert "Training dates agreed" in page.content()

    # The SIA holds the mid-point review: adequate improvement, so the school moves to enhanced support.
    sign_in_as(page, live_server, emails["sia"])
    goto(page, f"{live_server}/plans/{plan_id}")
    click(page, "link", "Mid-point review")
    click(page, "link", "Record the review")
    fill_date(page, "held_on", today)
    # Held the day the plan was agreed, well before the 8-16 week window: the reason is recorded.
    page.fill("#off_window_reason", "The journey compresses a term into a day")
    for radio in page.locator("input[type=radio][value=on_track]").all():
        radio.check()
    for box in page.locator("textarea[name^=evidence]").all():
        box.fill("Book scrutiny and the attendance figures.")
    page.check("input[name=capacity_grade][value='3']")
    page.check("input[name=adviser_capacity_grade][value='3']")
    page.check("input[name=adequate_improvement][value=yes]")
    page.fill("#summary", "Writing has improved in every class; attendance is up.")
    page.check("input[name=outcome][value=de_escalate]")
    click(page, "button", "Record the review")
    assert page.locator(".govuk-error-summary").count() == 0, page.locator(".govuk-error-summary").inner_text()

    # The school's timeline tells the whole story.
    goto(page, f"{live_server}/schools/{urn}/timeline")
    timeline = page.content()
    for step in ("Raising Achievement Plan drafted", "Raising Achievement Plan agreed", "Project team formed",
                 "Project team meeting", "Mid-point review", "Enhanced support"):
        assert step in timeline, step
    db.session.expire_all()
    school = db.session.get(School, school_id)
    assert (school.support_tier, school.mcs_level) == ("enhanced", 2)
    # De-escalated: the plan is closed with its outcome, not left in force.
    assert db.session.get(RaisingAchievementPlan, plan_id).status == "closed"
