"""The school list in a real browser: headless Chromium (Debian's, never a downloaded one)
against the app served on a real local port, with the per-test database."""
from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError

from .conftest import PASSWORD


@pytest.mark.browser
def test_filtering_the_school_list_by_tier_in_a_browser(browser_page, live_server, db, create_school, create_user):
    significant = [create_school(name=name, support_tier="significant", mcs_level=level)
                   for name, level in (("Ashby Primary School", 3), ("Castlegate High School", 4),
                                       ("Elmwood Academy", 5))]
    for name, tier, level in (("Brookfield Infant School", "enhanced", 2), ("Dunmore Junior School", "light_touch", 1),
                              ("Fernhill Nursery School", "light_touch", 1)):
        create_school(name=name, support_tier=tier, mcs_level=level)
    email = create_user("sia").email
    expected = sorted(s.name for s in significant)
    # Reading those began a write transaction in the test's session (SQLite takes the write lock
    # at BEGIN outside a GET request): end it, or the server's sign-in would wait for it.
    db.session.commit()
    page = browser_page

    page.goto(f"{live_server}/sign-in")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/schools")
    assert page.locator("#result-count").inner_text() == "6 schools"
    assert page.locator("#schools tbody tr").count() == 6

    page.select_option("#tier", "significant")
    page.click("#apply-filters")
    page.wait_for_url("**/schools?*tier=significant*")

    rows = page.locator("#schools tbody tr")
    names = [rows.nth(i).locator("td").first.locator("a").inner_text() for i in range(rows.count())]
    assert names == expected
    assert all("Significant support" in rows.nth(i).inner_text() for i in range(rows.count()))
    assert page.locator("#result-count").inner_text() == "3 schools"
    assert page.locator("#tier").input_value() == "significant"

    # The scripts ran under the Content-Security-Policy: the layout's inline script (allowed by
    # its nonce) marked the body, and app.js (a same-origin module) started GOV.UK Frontend.
    assert "govuk-frontend-supported" in (page.locator("body").get_attribute("class") or "")
    page.wait_for_selector("#apply-filters[data-govuk-button-init]", state="attached")
    csp_errors = [e for e in page.console_errors if "Content Security Policy" in e]
    assert csp_errors == []
    assert page.console_errors == []

    # And the policy does refuse an inline script without the nonce, and says so on the console
    # (so the checks above would have caught one).
    with page.expect_console_message(lambda msg: "Content Security Policy" in msg.text):
        with pytest.raises(PlaywrightError, match="Content Security Policy"):
            page.add_script_tag(content="document.title = 'injected'")
    assert page.title() != "injected"
