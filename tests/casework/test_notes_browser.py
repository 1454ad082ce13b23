"""The factual-accuracy loop in a real browser: the adviser records a visit and sends it, the
school leader marks it inaccurate with a comment, the adviser replies and finalises."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.conftest import PASSWORD


def sign_in(page, live_server, email):
    page.goto(f"{live_server}/sign-in")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


@pytest.mark.browser
def test_record_send_check_reply_finalise(browser_page, live_server, db, create_school, create_user):
    school = create_school(name="Hollins Primary School")
    adviser = create_user("link_adviser", name="Lee Adviser")
    head = create_user("school_leader", name="Hana Head", schools=[school])
    urn, adviser_email, head_email = school.urn, adviser.email, head.email
    db.session.commit()  # let go of SQLite's write lock before the server needs it
    visit = date.today() - timedelta(days=2)

    page = browser_page
    sign_in(page, live_server, adviser_email)
    page.goto(f"{live_server}/schools/{urn}/visits/new")
    page.fill("#visit_date-day", str(visit.day))
    page.fill("#visit_date-month", str(visit.month))
    page.fill("#visit_date-year", str(visit.year))
    page.select_option("#visit_type_code", "core_support")
    page.fill("#purpose", "Early reading")
    page.check("input[name=support_aspects][value=support4success]")
    page.fill("#people_met", "Headteacher and English lead")
    page.fill("#discussion", "We looked at phonics outcomes with the headteacher.")
    page.fill("#actions-0-description", "Audit class libraries")
    page.fill("#actions-0-owner", "English lead")
    page.get_by_role("button", name="Save note").click()
    page.wait_for_selector("#send-note")
    assert page.locator("#note-status").inner_text() == "Draft"
    page.click("#send-note")
    page.wait_for_load_state()
    assert page.locator("#note-status").inner_text() == "Sent to school"
    note_url = page.url

    head_page = page.context.browser.new_context().new_page()
    sign_in(head_page, live_server, head_email)
    head_page.goto(note_url)
    head_page.check("input[name=accurate][value=no]")
    head_page.fill("#comment", "The English lead was not at the meeting")
    head_page.get_by_role("button", name="Send response").click()
    head_page.wait_for_load_state()
    assert "Marked inaccurate by the school" in head_page.content()

    page.goto(note_url)
    page.fill("#reply-comment", "Thank you: corrected to the headteacher only")
    page.get_by_role("button", name="Send reply").click()
    page.wait_for_load_state()
    page.click("#finalise-note")
    page.wait_for_load_state()
    assert page.locator("#note-status").inner_text() == "Finalised"
    history = page.locator("#note-history").inner_text()
    order = [history.index(t) for t in ("Sent to the school", "The English lead was not at the meeting",
                                        "corrected to the headteacher only", "Finalised")]
    assert order == sorted(order)
    assert page.console_errors == []
    head_page.context.close()
