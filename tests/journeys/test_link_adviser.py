"""The link adviser's journey: from "My caseload" to a school on it, record a visit with an agreed
action, send the note to the school, and find it in the school's visits and on the caseload."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lea_support.casework.models import NoteOfVisit
from lea_support.core.terms import format_date


def fill_date(page, field_id: str, day: date) -> None:
    page.fill(f"#{field_id}-day", str(day.day))
    page.fill(f"#{field_id}-month", str(day.month))
    page.fill(f"#{field_id}-year", str(day.year))


@pytest.mark.browser
def test_a_link_adviser_records_a_visit_to_a_school_on_their_caseload(journey, db, create_school, create_user):
    adviser = create_user("link_adviser", name="Lee Adviser")
    school = create_school(name="Hollins Primary School", support_tier="enhanced", mcs_level=2,
                           link_adviser_id=adviser.id)
    create_school(name="Someone Else's School", link_adviser_id=create_user("link_adviser").id)
    visited = date.today() - timedelta(days=1)
    page = journey.page

    journey.sign_in(adviser.email)
    assert page.get_by_role("heading", level=1).inner_text() == "What needs you now"
    journey.follow("link", "My caseload")
    caseload = page.locator("#caseload tbody").inner_text()
    assert "Hollins Primary School" in caseload and "Someone Else" not in caseload

    journey.follow("link", "Hollins Primary School")
    journey.follow("link", "Visits", exact=True, within=page.get_by_role("navigation", name="Hollins Primary School"))
    journey.follow("link", "Record a visit")
    fill_date(page, "visit_date", visited)
    page.get_by_label("Type of visit").select_option("core_support")
    page.get_by_label("Purpose and focus").fill("Early reading in Key Stage 1")
    page.get_by_label("Support4Success").check()
    page.get_by_label("People met").fill("Headteacher and English lead")
    page.get_by_label("Discussion").fill("We looked at phonics outcomes and the reading scheme.")
    page.fill("#actions-0-description", "Audit the class libraries")
    page.fill("#actions-0-owner", "English lead")
    page.get_by_label("Time spent (minutes)").fill("150")
    journey.follow("button", "Save note")
    assert page.locator("#note-status").inner_text() == "Draft"
    assert "Audit the class libraries" in page.locator("#agreed-actions").inner_text()

    journey.follow("button", "Send to the school for checking")
    assert page.locator("#note-status").inner_text() == "Sent to school"
    note = db.session.scalars(select(NoteOfVisit).where(NoteOfVisit.school_id == school.id)).one()
    assert (note.status, note.visit_date, note.minutes_spent) == ("sent", visited, 150)
    assert [a.description for a in note.actions] == ["Audit the class libraries"]

    # The school's visits, reached from the school page, list it; so does the caseload.
    journey.follow("link", "All visits to Hollins Primary School")
    journey.follow("link", "Back to Hollins Primary School")
    journey.follow("link", "Visits", exact=True, within=page.get_by_role("navigation", name="Hollins Primary School"))
    row = page.locator("#notes tbody tr").first.inner_text()
    assert format_date(visited) in row and "Lee Adviser" in row and "Sent to school" in row
    journey.follow("link", "My caseload")
    hollins = page.locator("#caseload tbody tr[data-urn='%d']" % school.urn)
    assert format_date(visited) in hollins.locator("[data-col=last-visit]").inner_text()
    assert hollins.locator("[data-col=awaiting]").inner_text() == "1"
    assert page.console_errors == []
