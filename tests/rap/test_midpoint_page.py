"""The mid-point review's page as a task list with one next step, and its record form's outcome
revealing its own fields (issue 17, item 3), through the routes."""
from __future__ import annotations

from datetime import date, timedelta

from bs4 import BeautifulSoup
from sqlalchemy import select

from lea_support.rap import services
from lea_support.rap.models import MidpointReview
from tests.conftest import sign_in


def soup(client, url) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def tasks(page: BeautifulSoup) -> dict[str, tuple[str, str | None]]:
    shown = {}
    for item in page.select("#midpoint-tasks > li"):
        link = item.select_one("a.govuk-task-list__link")
        shown[item["id"].removeprefix("task-")] = (
            " ".join(item.select_one(".govuk-task-list__status").get_text().split()), link["href"] if link else None)
    return shown


def primary_buttons(page: BeautifulSoup) -> list[tuple[str, str]]:
    return [(" ".join(b.get_text().split()), b.get("href") or b.find_parent("form")["action"])
            for b in page.select("main .govuk-button:not(.govuk-button--secondary)")]


def test_a_scheduled_review_offers_its_sia_one_button_to_record_it(db, client, create_plan, create_user):
    sia = create_user("sia")
    plan = create_plan(sia=sia, agreed_on=date.today() - timedelta(weeks=9))
    review = db.session.scalars(select(MidpointReview)).one()
    url = f"/plans/{plan.id}/midpoint-reviews/{review.id}"
    sign_in(client, sia.email)
    page = soup(client, url)
    shown = tasks(page)
    assert shown["date"] == ("In progress", f"{url}#reschedule")
    for code in ("progress", "judgement", "outcome"):
        assert shown[code][0] == "Not yet started" and shown[code][1].startswith(f"{url}/record#"), code
    assert shown["follow_up"] == ("Cannot start yet", None)
    assert primary_buttons(page) == [("Record the review", f"{url}/record")]
    # The school's leader reads the page; nothing is offered to do.
    head_client = client.application.test_client()
    head = create_user("school_leader", schools=[plan.school])
    sign_in(head_client, head.email)
    page = soup(head_client, url)
    assert primary_buttons(page) == [] and page.select_one("#next-step") is None
    assert all(link is None for _status, link in tasks(page).values())


def test_a_review_that_continues_leads_on_to_the_further_review(db, client, create_plan, create_user):
    sia = create_user("sia")
    agreed = date.today() - timedelta(weeks=11)
    plan = create_plan(sia=sia, agreed_on=agreed)
    review = db.session.scalars(select(MidpointReview)).one()
    objectives = services.plan_in_force(plan.series_id).objectives
    services.record_midpoint_review(sia, review, services.MidpointRecord(
        held_on=date.today(), led_by_id=sia.id, capacity_grade=4, adviser_capacity_grade=4, adequate_improvement=False,
        summary="First paragraph.\n\nSecond paragraph.", outcome="continue",
        further_review_on=date.today() + timedelta(days=42),
        progress={o.id: services.ObjectiveJudgement("some_progress", "Seen in books") for o in objectives}))
    db.session.commit()
    further = db.session.scalars(select(MidpointReview).where(MidpointReview.sequence == 2)).one()
    sign_in(client, sia.email)
    page = soup(client, f"/plans/{plan.id}/midpoint-reviews/{review.id}")
    shown = tasks(page)
    assert [shown[c][0] for c in ("date", "progress", "judgement", "outcome")] == ["Completed"] * 4
    assert shown["follow_up"] == ("Not yet started", f"/plans/{plan.id}/midpoint-reviews/{further.id}")
    assert "The further review" in page.select_one("#task-follow_up").get_text()
    assert primary_buttons(page) == [("Go to further review 1", f"/plans/{plan.id}/midpoint-reviews/{further.id}")]
    # The summary keeps its paragraphs.
    assert [p.get_text() for p in page.select("#review-summary-text p")] == ["First paragraph.", "Second paragraph."]


def test_the_outcome_reveals_its_own_fields_and_works_without_javascript(db, client, create_plan, create_user):
    sia = create_user("sia")
    plan = create_plan(sia=sia, agreed_on=date.today() - timedelta(weeks=9))
    review = db.session.scalars(select(MidpointReview)).one()
    sign_in(client, sia.email)
    page = soup(client, f"/plans/{plan.id}/midpoint-reviews/{review.id}/record")
    radios = {r["value"]: r for r in page.select("input[name=outcome]")}
    assert set(radios) == {"continue", "de_escalate", "improvement_notice", "cause_for_concern"}
    # Each choice that asks for more controls the panel that holds those fields.
    further = page.select_one("#" + radios["continue"]["data-aria-controls"])
    notice = page.select_one("#" + radios["improvement_notice"]["data-aria-controls"])
    assert "govuk-radios__conditional" in further["class"]
    assert further.select_one("#further_review_on-day") is not None
    assert notice.select_one("textarea[name=improvements]") is not None and notice.select_one("#comply_by-day")
    for value in ("de_escalate", "cause_for_concern"):
        assert not radios[value].has_attr("data-aria-controls")
    # Hidden only where GOV.UK Frontend runs (the CSS hides them under .govuk-frontend-supported):
    # the fields are in the page, inside the form, for a browser without JavaScript.
    assert further.find_parent("form") is not None and notice.find_parent("form") is not None
