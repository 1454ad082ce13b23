"""A link adviser's first sign-in where a second factor is required, in Chromium: sent to set up an
authenticator app (QR code and key on the page, nothing else reachable), given recovery codes, then
asked for a code at the next sign-in; and the forgotten-password page. Every page passes axe."""
from __future__ import annotations

import re

import pytest

from tests.auth.test_totp import Clock, clock  # noqa: F401  # the fixture, used by name
from tests.conftest import PASSWORD


@pytest.mark.browser
def test_an_adviser_sets_up_an_app_then_signs_in_with_it(journey, app, create_user, clock):  # noqa: F811
    app.config["MFA_REQUIRED_FOR_STAFF"] = True
    user = create_user("link_adviser")
    page = journey.page
    page.set_viewport_size({"width": 390, "height": 900})
    journey.sign_in(user.email, PASSWORD)
    assert page.url.endswith("/account/security/authenticator")
    assert "Your role needs a second factor" in journey.text
    assert page.locator(".app-qr-code svg").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")

    journey.goto("/schools")  # nothing else until it is set up
    assert page.url.endswith("/account/security/authenticator")
    assert page.locator("#totp-secret").inner_text().replace(" ", "") == secret  # the same key, not a new one

    page.get_by_label("Code from the app").fill(clock.code(secret))
    journey.follow("button", "Confirm")
    assert "Your authenticator app is set up" in journey.text
    codes = re.findall(r"[a-z2-9]{5}-[a-z2-9]{5}", journey.text)
    assert len(codes) == 10
    journey.follow("link", "I have kept my codes: continue")
    journey.goto("/schools")

    clock.tick()
    journey.sign_in(user.email, PASSWORD)
    assert page.url.endswith("/sign-in/code")
    page.get_by_label("Code").fill(clock.code(secret))
    journey.follow("button", "Continue")
    assert page.url == journey.base + "/"
    journey.follow("link", "Your account")
    assert "10 unused recovery codes" in journey.text


@pytest.mark.browser
def test_forgotten_password_pages(journey):
    journey.goto("/sign-in")
    journey.follow("link", "Forgotten your password?")
    journey.page.get_by_label("Email address").fill("someone@example.org")
    journey.follow("button", "Send me a link")
    assert "Check your email" in journey.text
    journey.goto("/sign-in/reset-password/no-such-link", status=404)
