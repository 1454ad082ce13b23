"""An adviser signs in with their council account, in Chromium, against a real OpenID provider
(tests/oidc/provider.mjs) started on 127.0.0.1: they come in with the role their groups give, sign
out here, and then out of their council account from the signed-out page."""
from __future__ import annotations

import re
from typing import Any, Iterator

import pytest

from tests.oidc.conftest import OpenIDProvider, map_group, running_provider

# The provider's development pages ask for web fonts from the internet: nothing of this test's.
WEB_FONTS = re.compile(r"^https://fonts\.(googleapis|gstatic)\.com/")


@pytest.fixture
def live_provider(app: Any, live_server: str, tmp_path: Any) -> Iterator[OpenIDProvider]:
    with running_provider(tmp_path, live_server) as running:
        running.configure(app)
        yield running


def _at_provider(journey: Any, provider: OpenIDProvider, act: Any) -> None:
    """Do something that leads to one of the provider's pages (not ours: no axe check there)."""
    journey.release()
    with journey.page.expect_navigation(url=re.compile("^" + re.escape(provider.issuer))):
        act()


@pytest.mark.browser
def test_an_adviser_signs_in_with_their_council_account_and_out_of_it(journey, db, live_provider, create_user):
    page, provider = journey.page, live_provider
    page.route(WEB_FONTS, lambda route: route.abort())
    adviser = create_user("project_team", name="Sam Adviser", email="sam.adviser@council.example")
    map_group("grp-link-advisers", "link_adviser")
    provider.accounts(sam={"email": "sam.adviser@council.example", "email_verified": True, "name": "Sam Adviser",
                           "groups": ["grp-everyone", "grp-link-advisers"]})

    journey.goto("/sign-in")
    _at_provider(journey, provider, lambda: page.get_by_role("button", name="Sign in with your council account").click())
    page.get_by_placeholder("Enter any login").fill("sam")
    page.get_by_placeholder("and password").fill("whatever the council's password is")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()  # the provider asks to share their details with us
    page.wait_for_url(journey.base + "/")
    journey.check()
    assert page.locator(".app-header__role").inner_text() == "Link adviser"  # from the groups claim
    db.session.refresh(adviser)
    assert adviser.role == "link_adviser"

    journey.follow("button", "Sign out")
    assert page.url == journey.base + "/signed-out"
    assert "You are still signed in to your council account" in journey.text
    _at_provider(journey, provider, lambda: page.get_by_role("button", name="Sign out of your council account").click())
    journey.release()
    with page.expect_navigation(url=re.compile(re.escape(journey.base) + r"/signed-out\?")):
        page.get_by_role("button", name="Yes, sign me out").click()
    journey.check()
    assert "You have signed out of your council account as well" in journey.text

    # Signed out at the provider too: a new council sign-in asks who they are again.
    journey.goto("/sign-in")
    _at_provider(journey, provider, lambda: page.get_by_role("button", name="Sign in with your council account").click())
    assert page.get_by_placeholder("Enter any login").is_visible()
