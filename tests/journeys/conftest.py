"""A journey: one person's way through the app in headless Chromium, where every page reached is
checked with axe-core as soon as it has loaded."""
from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import PASSWORD
from tests.journeys.axe import assert_accessible


class Journey:
    """Go to pages, follow links and press buttons and keys as the user would; every page reached
    must have loaded with the status expected and pass axe before the journey goes on."""

    def __init__(self, page: Any, base: str, db: Any) -> None:
        self.page, self.base, self.db = page, base, db

    def release(self) -> None:
        """End the test's own transaction (committing what it set up and letting go of SQLite's
        write lock), so that the server is not kept waiting; what the test reads next is fresh."""
        self.db.session.commit()

    def check(self) -> None:
        assert_accessible(self.page)

    def goto(self, path: str, *, status: int = 200) -> Any:
        self.release()
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == status, (path, response and response.status)
        self.check()
        return response

    def follow(self, role: str, name: str | re.Pattern[str], *, status: int = 200, within: Any = None,
               **kw: Any) -> Any:
        """Click a link or button that loads a new page (inside the region `within`, if given: a
        school's sub-navigation beside the service's); check where it led."""
        scope = within if within is not None else self.page
        return self._navigate(lambda: scope.get_by_role(role, name=name, **kw).click(), status)

    def press(self, key: str, *, status: int = 200) -> Any:
        """Press a key that loads a new page (Enter on a link or in a form); check where it led."""
        return self._navigate(lambda: self.page.keyboard.press(key), status)

    def _navigate(self, act: Any, status: int) -> Any:
        self.release()
        with self.page.expect_navigation() as navigation:
            act()
        response = navigation.value
        assert response is not None and response.status == status, (self.page.url, response and response.status)
        self.check()
        return response

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        self.page.context.clear_cookies()
        self.goto("/sign-in")
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("Password", exact=True).fill(password)
        self.follow("button", "Sign in")

    def menu(self) -> list[str]:
        """The service navigation's items, as shown."""
        return [text.strip() for text in self.page.locator(".govuk-service-navigation__item").all_inner_texts()]

    @property
    def text(self) -> str:
        """What the page's main content says."""
        return self.page.locator("main").inner_text()


@pytest.fixture
def journey(browser_page: Any, live_server: str, db: Any) -> Journey:
    return Journey(browser_page, live_server, db)
