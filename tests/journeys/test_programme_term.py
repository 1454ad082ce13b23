"""One term of an LA-wide programme in Chromium: the SIA enrols schools and their teaching assistants,
records a school's baseline, enters a session's attendance on one form, assigns a review visit and
records it against the baseline with its report written as a note of visit; the school leader, reminded
on their home page, fills in the termly monitoring return; the SIA reads back the programme report PDF."""
from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from lea_support.casework.models import NoteOfVisit
from lea_support.core.terms import Term
from lea_support.programmes.models import (
    Attendance,
    MonitoringReturn,
    Programme,
    ProgrammeCriterion,
    ReturnQuestion,
)


def fill_date(page, field_id: str, day: date) -> None:
    page.fill(f"#{field_id}-day", str(day.day))
    page.fill(f"#{field_id}-month", str(day.month))
    page.fill(f"#{field_id}-year", str(day.year))


@pytest.mark.browser
def test_one_programme_term(journey, db, create_school, create_user):
    today = date.today()
    ashby = create_school(name="Ashby Primary School")
    brook = create_school(name="Brook Primary School")
    sia = create_user("sia", name="Sam Improvement")
    head = create_user("school_leader", name="Hana Head", schools=[ashby])
    programme = Programme(name="Maximising the Impact of Teaching Assistants", participant_title="Teaching assistants",
                          funder="DfE", starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=300))
    db.session.add(programme)
    db.session.flush()
    db.session.add_all([ProgrammeCriterion(programme_id=programme.id, position=1, text="TAs are prepared for lessons"),
                        ProgrammeCriterion(programme_id=programme.id, position=2, text="TAs foster independence"),
                        ReturnQuestion(programme_id=programme.id, position=1, text="What has changed this term?",
                                       kind="text"),
                        ReturnQuestion(programme_id=programme.id, position=2, text="How embedded is TA preparation?",
                                       kind="level")])
    programme_id = programme.id
    page = journey.page

    # Schools enrolled.
    journey.sign_in(sia.email)
    journey.follow("link", "Programmes")
    journey.follow("link", "Maximising the Impact of Teaching Assistants")
    for school in (ashby, brook):
        page.get_by_label("School's URN").fill(str(school.urn))
        journey.follow("button", "Enrol school")
        assert "School enrolled" in page.locator(".govuk-notification-banner").inner_text()
    assert "Brook Primary School" in page.locator("#schools-table").inner_text()

    # Ashby's teaching assistants, and its baseline.
    journey.follow("link", "Ashby Primary School")
    page.get_by_label("Names").fill("Ann Able\nBea Bright")
    page.get_by_label("Job title (optional)").fill("Teaching assistant")
    journey.follow("button", "Add participants")
    page.get_by_label("1. TAs are prepared for lessons").select_option("1")
    page.get_by_label("2. TAs foster independence").select_option("2")
    fill_date(page, "baseline_on", today - timedelta(days=20))
    journey.follow("button", "Save baseline")
    assert "1 Not yet in place" in page.locator("#progress-table").inner_text()

    # A session's attendance, on one form.
    journey.goto(f"/programmes/{programme_id}")
    journey.follow("link", "Sessions and attendance")
    page.get_by_label("Title").fill("MPTA session 1")
    fill_date(page, "held_on", today)
    page.get_by_label("Attendance is mandatory").check()
    journey.follow("button", "Add session")
    page.get_by_label("Ann Able").select_option("present")
    page.get_by_label("Bea Bright").select_option("absent")
    journey.follow("button", "Save attendance")
    assert "Attendance saved for 2 participants" in page.locator(".govuk-notification-banner").inner_text()
    assert sorted(a.status for a in db.session.scalars(select(Attendance))) == ["absent", "present"]
    journey.follow("link", "Back to sessions")
    journey.follow("link", "Absences to follow up")
    assert "Bea Bright" in page.locator("#absences").inner_text()

    # A review visit, recorded against the baseline; its report is a note of visit.
    journey.follow("link", "Reviewers and visits")
    page.get_by_label("Who joins the pool").select_option(label="Sam Improvement (School Improvement Adviser)")
    page.get_by_label("Days available").fill("20")
    journey.follow("button", "Add to the pool")
    page.get_by_label("School").select_option(label="Ashby Primary School")
    page.get_by_label("Reviewer", exact=True).select_option(index=1)
    fill_date(page, "visit_on", today)
    page.get_by_label("Days", exact=True).fill("1")
    journey.follow("button", "Assign review visit")
    journey.follow("link", re.compile(today.strftime("%B")))
    page.get_by_label("1. TAs are prepared for lessons").select_option("3")
    page.get_by_label("2. TAs foster independence").select_option("2")
    journey.follow("button", "Save levels")
    journey.follow("button", "Write the report")
    page.get_by_label("Discussion").fill("TAs now plan lessons with teachers; independence is developing.")
    journey.follow("button", re.compile("^Save"))
    note = db.session.scalars(select(NoteOfVisit)).one()
    assert (note.visit_type_code, note.status) == ("programme_review", "draft")
    journey.follow("link", re.compile("progress on each criterion against the school"))
    assert page.locator("#levels-form").count() == 1

    # The school leader is reminded, and fills in the return.
    journey.sign_in(head.email)
    assert "Programme monitoring returns to submit this term" in journey.text
    journey.follow("link", re.compile("Programme monitoring returns to submit this term"))
    journey.follow("link", "Ashby Primary School")
    journey.follow("link", Term.current(today).label, exact=True)
    page.get_by_label("1. What has changed this term?").fill("TAs meet teachers before each lesson.")
    page.get_by_label("2. How embedded is TA preparation?").select_option("3")
    journey.follow("button", "Submit the return")
    assert "submitted: thank you" in page.locator(".govuk-notification-banner").inner_text()
    assert db.session.scalars(select(MonitoringReturn.status)).one() == "submitted"

    # The programme report, read back.
    journey.sign_in(sia.email)
    journey.goto(f"/programmes/{programme_id}")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the programme report (PDF)").click()
    pdf = download_info.value.path().read_bytes()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    for expected in ("Maximising the Impact of Teaching Assistants", "Ashby Primary School", "Brook Primary School",
                     "TAs are prepared for lessons", "1 of 2 schools submitted", "Progress from the baseline"):
        assert expected in text, expected
