"""The keyboard alone: a link adviser signs in, reaches a school's "Record a visit" form, fills it in,
recovers from a mistake through the error summary, and saves the note, with Tab, typing, Space and
Enter only. Focus moves through each form in the order the fields are shown."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lea_support.casework.models import NoteOfVisit
from tests.conftest import PASSWORD


def focused(page) -> str:
    """The focused element, as `tag#id` (or `tag` and its text when it has no id)."""
    return page.evaluate("""() => { const e = document.activeElement;
        return e.tagName.toLowerCase() + (e.id ? '#' + e.id : ':' + e.textContent.trim()); }""")


def tab(page, expected: str) -> None:
    """Press Tab once; focus must land on `expected`."""
    page.keyboard.press("Tab")
    assert focused(page) == expected


def tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching `selector` has focus (it must be reachable)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} not reached with {limit} presses of Tab (last: {focused(page)})")


@pytest.mark.browser
def test_a_visit_is_recorded_with_the_keyboard_alone(journey, db, create_school, create_user):
    adviser = create_user("link_adviser", name="Kim Keys")
    school = create_school(name="Keyworth Primary School", link_adviser_id=adviser.id)
    urn, school_id, email = school.urn, school.id, adviser.email
    visited = date.today() - timedelta(days=3)
    page = journey.page

    journey.goto("/sign-in")
    tab_to(page, "#email")
    page.keyboard.type(email)
    tab(page, "input#password")
    page.keyboard.type(PASSWORD)
    journey.press("Enter")
    page.wait_for_url("**/")
    tab_to(page, "a[href='/caseload']")
    journey.press("Enter")
    assert page.url.endswith("/caseload")

    for link in (f"a[href='/schools/{urn}']", f"a[href='/schools/{urn}/visits']", f"a[href='/schools/{urn}/visits/new']"):
        tab_to(page, link)
        journey.press("Enter")

    # The date is left out at first.
    tab_to(page, "#visit_date-day")
    tab(page, "input#visit_date-month")
    tab(page, "input#visit_date-year")
    tab(page, "select#visit_type_code")
    page.keyboard.type("Core")
    tab(page, "textarea#purpose")
    page.keyboard.type("Attendance and punctuality")
    tab(page, "input#support_aspects")
    page.keyboard.press("Space")
    tab_to(page, "#discussion")
    page.keyboard.type("The attendance lead showed the first-day calling rota.")
    tab_to(page, "#actions-0-description")
    page.keyboard.type("Share the rota with governors")
    tab(page, "select#actions-0-owner_id")  # an owner with an account, or (next) a name typed
    tab(page, "input#actions-0-owner")
    page.keyboard.type("Attendance lead")
    tab_to(page, "button#submit, input#submit")
    journey.press("Enter", status=422)

    # The error summary takes focus; its link takes focus to the date, which is then typed in.
    page.wait_for_function("document.activeElement.classList.contains('govuk-error-summary')")
    tab(page, "a:Enter the date of the visit")
    page.keyboard.press("Enter")
    assert focused(page) == "input#visit_date-day"
    page.keyboard.type(str(visited.day))
    tab(page, "input#visit_date-month")
    page.keyboard.type(str(visited.month))
    tab(page, "input#visit_date-year")
    page.keyboard.type(str(visited.year))
    journey.press("Enter")  # submits the form, as Enter in a text box does
    assert page.locator("#note-status").inner_text() == "Draft"

    note = db.session.scalars(select(NoteOfVisit).where(NoteOfVisit.school_id == school_id)).one()
    assert (note.visit_date, note.visit_type_code, note.purpose) == (visited, "core_support",
                                                                     "Attendance and punctuality")
    assert note.support_aspects == ["support4success"]
    assert [(a.description, a.owner) for a in note.actions] == [("Share the rota with governors", "Attendance lead")]
    assert [e for e in page.console_errors if "status of 422" not in e] == []
