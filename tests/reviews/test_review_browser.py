"""A whole Joint LEA/School Review in a real browser: the SIA plans it, moves it through the
stages, records a lesson observation, a discussion and a work scrutiny, evaluates, drafts the
report, publishes it and downloads the PDF, which reads back with the school and the findings."""
from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import PASSWORD


def fill_date(page, name, day):
    page.fill(f"#{name}-day", str(day.day))
    page.fill(f"#{name}-month", str(day.month))
    page.fill(f"#{name}-year", str(day.year))


NEXT_STEP = {"pre_review": "Start the pre-review", "fieldwork": "Start fieldwork",
             "evaluation": "Start the evaluation with the school's leaders"}


def move_to(page, stage):
    # The review page's one primary button moves it on one stage.
    page.locator("#next-step").get_by_role("button", name=NEXT_STEP[stage]).click()
    page.wait_for_load_state()
    assert page.locator("#review-stage").inner_text().lower().startswith(stage.replace("_", "-")[:5])


def record_evidence(page, link_text, *, discussion_with=None, answer=None):
    page.get_by_role("link", name=link_text).click()
    page.wait_for_load_state()
    fill_date(page, "occurred_on", date.today() - timedelta(days=1))
    if page.locator("#year_group").count():
        page.fill("#year_group", "Year 5")
    if page.locator("#subject").count():
        page.fill("#subject", "Mathematics")
    if discussion_with:
        page.check(f"input[name=discussion_with][value={discussion_with}]")
    page.fill("#summary", f"{link_text}: pupils explained their reasoning well")
    if answer:
        page.locator("textarea[name^=answer_]").first.fill(answer)
    grades = page.locator("select[name^=grade_]")
    for i in range(grades.count()):
        grades.nth(i).select_option("3")
    page.get_by_role("button", name="Save evidence").click()
    page.wait_for_load_state()


@pytest.mark.browser
def test_an_sia_runs_a_review_from_planned_to_published(browser_page, live_server, db, create_school, create_user):
    school = create_school(name="Juniper Primary School", support_tier="significant", mcs_level=4)
    sia = create_user("sia", name="Sam Improvement")
    urn, email = school.urn, sia.email
    db.session.commit()  # let go of SQLite's write lock before the server needs it
    page = browser_page

    page.goto(f"{live_server}/sign-in")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    page.goto(f"{live_server}/schools/{urn}/reviews/new")
    fill_date(page, "starts_on", date.today() - timedelta(days=3))
    page.get_by_role("button", name="Plan review").click()
    page.wait_for_load_state()
    review_url = page.url
    assert page.locator("#review-stage").inner_text() == "Planned"

    page.fill("#text", "How well do pupils reason mathematically?")
    page.get_by_role("button", name="Add key question").click()
    page.wait_for_load_state()
    move_to(page, "pre_review")
    # Publishing needs the pre-review done: every item seen, or not available with a note.
    page.goto(review_url + "/pre-review")
    for radio in page.locator("input[type=radio][name^=status_][value=seen]").all():
        radio.check()
    page.get_by_role("button", name="Save").first.click()
    page.wait_for_load_state()
    page.goto(review_url)
    move_to(page, "fieldwork")

    record_evidence(page, "Record a lesson observation", answer="Well, in Year 5 at least")
    record_evidence(page, "Record a discussion", discussion_with="pupils")
    record_evidence(page, "Record a work scrutiny")
    assert page.locator("text=Lesson observation").count() >= 1
    move_to(page, "evaluation")

    page.goto(review_url + "/evaluation")
    agreed = page.locator("select[name$=agreed_grade]")
    for i in range(agreed.count()):
        agreed.nth(i).select_option("3")
    page.select_option("select[name=overall_grade]", "3")
    page.fill("textarea[name=overall_rationale]", "Good, with clear capacity to improve")
    page.get_by_role("button", name="Save evaluation").click()
    page.wait_for_load_state()

    page.goto(review_url + "/report-draft")
    page.fill("textarea[name='works_well-0-text']", "Pupils reason confidently in mathematics")
    page.fill("textarea[name='more_effective-0-text']", "Extend reasoning to written work across the school")
    page.get_by_role("button", name="Save report draft").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Publish report").click()
    page.wait_for_load_state()

    page.goto(review_url + "/report")
    assert "Pupils reason confidently in mathematics" in page.content()
    with page.expect_download() as download_info:
        page.locator("a[href$='.pdf']").first.click()
    pdf = download_info.value
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(Path(pdf.path()).read_bytes())).pages)
    text = " ".join(text.split())
    for expected in ("Juniper Primary School", "Good", "Pupils reason confidently in mathematics",
                     "Extend reasoning to written work across the school", "Curriculum"):
        assert expected in text, expected
    assert page.console_errors == []
