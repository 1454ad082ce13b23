"""The plan page as a GOV.UK task list (issue 17, item 3): each part of the plan with its status,
the parts not yet possible shown but not offered, and one primary button for the signed-in user's
next step, through the route as each role sees it."""
from __future__ import annotations

from datetime import date, timedelta

from bs4 import BeautifulSoup
from sqlalchemy import select

from lea_support.rap import services
from lea_support.rap.models import MidpointReview, RaisingAchievementPlan
from tests.conftest import sign_in, submit

ORDER = ["objectives", "criteria", "actions", "resources", "submission", "sign_offs", "project_team", "midpoint"]


def page_of(client, plan) -> BeautifulSoup:
    response = client.get(f"/plans/{plan.id}")
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def tasks(page: BeautifulSoup) -> dict[str, tuple[str, str | None]]:
    """Each part of the task list: its status as shown, and where it links (None: not offered)."""
    shown = {}
    for item in page.select("#plan-tasks > li"):
        code = item["id"].removeprefix("task-")
        link = item.select_one("a.govuk-task-list__link")
        shown[code] = (" ".join(item.select_one(".govuk-task-list__status").get_text().split()),
                       link["href"] if link else None)
    return shown


def next_step(page: BeautifulSoup) -> tuple[str, str] | None:
    """The one primary button's words, and where it goes (a link's href, or the form it posts)."""
    area = page.select_one("#next-step")
    if area is None:
        assert not page.select("main .govuk-button:not(.govuk-button--secondary)"), "a primary button outside #next-step"
        return None
    buttons = area.select(".govuk-button:not(.govuk-button--secondary)")
    assert len(buttons) == 1, buttons
    button = buttons[0]
    target = button.get("href") or button.find_parent("form")["action"]
    # The page has no other primary button.
    assert len(page.select("main .govuk-button:not(.govuk-button--secondary)")) == 1
    return " ".join(button.get_text().split()), target


def test_an_empty_draft_offers_its_objectives_and_nothing_that_needs_them(db, client, create_school, create_user):
    school = create_school(support_tier="significant", mcs_level=3)
    sia = create_user("sia")
    plan = services.draft_plan(sia, school, sip_reference="SIP")
    db.session.commit()
    sign_in(client, sia.email)
    page = page_of(client, plan)
    shown = tasks(page)
    assert list(shown) == ORDER
    assert shown["objectives"] == ("Not yet started", f"/plans/{plan.id}/edit#objectives")
    for code in ("criteria", "actions", "submission", "sign_offs", "project_team", "midpoint"):
        assert shown[code] == ("Cannot start yet", None), code
    assert shown["resources"][0] == "Not yet started"
    assert next_step(page) == ("Edit the draft", f"/plans/{plan.id}/edit")
    assert f'action="/plans/{plan.id}/submit"' not in str(page)


def test_a_draft_in_progress_then_ready_is_submitted_by_the_one_button(db, client, create_school, create_user):
    school = create_school(support_tier="significant", mcs_level=3)
    sia = create_user("sia")
    plan = services.draft_plan(sia, school, sip_reference="SIP")
    first = services.add_objective(sia, plan, "Writing")
    services.add_objective(sia, plan, "Attendance")
    services.add_criterion(sia, first, measure="Writing at expected", baseline="50%", target="70%",
                           by_when=date(2027, 7, 1))
    db.session.commit()
    sign_in(client, sia.email)
    shown = tasks(page_of(client, plan))
    assert shown["objectives"][0] == "In progress" and shown["criteria"][0] == "In progress"
    assert shown["actions"][0] == "Not yet started" and shown["submission"] == ("Cannot start yet", None)
    for objective in plan.objectives:
        if not objective.criteria:
            services.add_criterion(sia, objective, measure="Attendance", baseline="90%", target="95%",
                                   by_when=date(2027, 7, 1))
        services.add_action(sia, objective, services.ActionData(
            what="Training", owner_id=None, owner_role="Deputy head", starts_on=date(2027, 1, 4),
            due_on=date(2027, 2, 1)))
    db.session.commit()
    page = page_of(client, plan)
    shown = tasks(page)
    assert shown["criteria"][0] == "Completed" and shown["actions"][0] == "Completed"
    assert shown["submission"][0] == "Not yet started"
    assert next_step(page) == ("Submit for agreement", f"/plans/{plan.id}/submit")
    assert submit(client, f"/plans/{plan.id}/submit", {}, form_url=f"/plans/{plan.id}").status_code == 302
    db.session.expire_all()
    assert db.session.get(RaisingAchievementPlan, plan.id).status == "submitted"


def test_a_submitted_plan_asks_each_signatory_once_and_shows_the_signatures(
        db, client, create_plan, create_school, create_user):
    school = create_school(support_tier="significant", mcs_level=3)
    sia, head = create_user("sia"), create_user("school_leader", schools=[school])
    plan = create_plan(school=school, sia=sia, head=head, status="submitted")
    sign_in(client, sia.email)
    page = page_of(client, plan)
    shown = tasks(page)
    assert [shown[c][0] for c in ORDER[:5]] == ["Completed"] * 5
    assert shown["sign_offs"][0] == "Not yet started"
    assert shown["project_team"] == ("Cannot start yet", None) and shown["midpoint"] == ("Cannot start yet", None)
    assert next_step(page) == ("Sign off the plan", f"/plans/{plan.id}/sign-off")
    assert f"/plans/{plan.id}/edit" not in str(page)
    assert submit(client, f"/plans/{plan.id}/sign-off", {}, form_url=f"/plans/{plan.id}").status_code == 302
    # The SIA has signed: nothing more for them to do; the school's leader, who agrees it, is asked for the date.
    page = page_of(client, plan)
    assert tasks(page)["sign_offs"][0].startswith("In progress") and "One of two signatures" in str(page)
    assert next_step(page) is None
    head_client = client.application.test_client()
    sign_in(head_client, head.email)
    page = page_of(head_client, plan)
    assert next_step(page) == ("Sign off the plan", f"/plans/{plan.id}/sign-off")
    assert page.select_one("#next-step #sign-off #midpoint_review_on-day") is not None


def test_an_agreed_plan_offers_the_team_and_the_review_and_each_role_its_next_step(
        db, client, create_plan, create_user):
    sia = create_user("sia")
    agreed_on = date.today() - timedelta(weeks=9)  # the mid-point review falls due next week
    plan = create_plan(sia=sia, agreed_on=agreed_on)
    review = db.session.scalars(select(MidpointReview)).one()
    adviser = plan.school.link_adviser
    sign_in(client, sia.email)
    page = page_of(client, plan)
    shown = tasks(page)
    assert shown["sign_offs"][0] == "Completed"
    assert shown["project_team"] == ("In progress", f"/plans/{plan.id}/team")
    assert shown["midpoint"] == ("Not yet started", f"/plans/{plan.id}/midpoint-reviews/{review.id}")
    # Done parts are read on the plan page, not edited.
    assert shown["objectives"] == ("Completed", f"/plans/{plan.id}#objectives")
    assert next_step(page) == ("Record the mid-point review",
                               f"/plans/{plan.id}/midpoint-reviews/{review.id}/record")
    adviser_client = client.application.test_client()
    sign_in(adviser_client, adviser.email)
    assert next_step(page_of(adviser_client, plan)) == ("Record a project team meeting",
                                                       f"/plans/{plan.id}/team/meetings/new")
