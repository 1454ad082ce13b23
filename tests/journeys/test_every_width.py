"""Each role's main pages on a phone (390 px) and a laptop (1280 px), in the demo authority: no page
is wider than the screen, and axe-core finds no WCAG 2.2 A/AA problem, at either width.

axe is evaluated through the DevTools protocol (tests/journeys/axe.py), not added as a <script>
element: the app's Content-Security-Policy refuses inline scripts, and the test keeps it on."""
from __future__ import annotations

import pytest

from tests.journeys.axe import assert_accessible

WIDTHS = (390, 1280)
DEMO_PASSWORD = "demo-sign-in-2026"
URN = "990001"
ROLE_PAGES: dict[str, list[str]] = {
    "admin@demo.invalid": ["/", "/admin", "/admin/users", "/admin/sign-in-groups", "/admin/term-dates", "/admin/audit",
                           "/admin/tiers", "/allocations"],
    "adviser@demo.invalid": ["/", "/caseload", "/schools", f"/schools/{URN}", f"/schools/{URN}/visits",
                             f"/schools/{URN}/reviews", "/my-actions", "/plans"],
    "sia@demo.invalid": ["/", "/overview", "/plans", "/escalation-watch", f"/schools/{URN}", "/governor-reports",
                         f"/schools/{URN}/reviews/history"],
    "team@demo.invalid": ["/", "/my-actions"],
    "consultant@demo.invalid": ["/", "/schools/990023"],  # Westcliffe: the enhanced school they are deployed at
    "head@demo.invalid": ["/", "/my-schools", f"/schools/{URN}"],
    "governor@demo.invalid": ["/", "/governor", f"/governor/schools/{URN}"],
}


@pytest.mark.browser
@pytest.mark.parametrize("email", list(ROLE_PAGES))
def test_each_role_s_main_pages_fit_the_screen_and_pass_axe(journey, app, email):
    assert app.test_cli_runner().invoke(args=["demo", "--if-empty"]).exit_code == 0
    journey.sign_in(email, DEMO_PASSWORD)
    page = journey.page
    wrong = []
    for path in ROLE_PAGES[email]:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            journey.release()
            response = page.goto(journey.base + path)
            assert response is not None and response.status == 200, (path, response and response.status)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                wrong.append(f"{path} at {width} px is {scroll} px wide")
            try:
                assert_accessible(page)
            except AssertionError as err:
                wrong.append(f"{path} at {width} px: {err}")
    assert not wrong, "\n".join(wrong)
