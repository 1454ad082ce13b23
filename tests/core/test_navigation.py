"""The service navigation: each role's sections, admin pages under one item, one current item."""
from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup


def nav_items(html: str) -> list[tuple[str, bool]]:
    soup = BeautifulSoup(html, "html.parser")
    return [(item.get_text(" ", strip=True), "govuk-service-navigation__item--active" in item["class"])
            for item in soup.select(".govuk-service-navigation__item")]


@pytest.mark.parametrize("role, expected", [
    ("admin", ["Schools", "Plans", "Governor reports", "Escalation watch", "Overview", "Support allocations", "Admin"]),
    ("link_adviser", ["My caseload", "Schools", "My actions"]),
    ("governor", ["Governor reports"]),
])
def test_each_role_sees_its_sections_and_admin_pages_sit_under_one_item(client: Any, login_as: Any, create_school: Any,
                                                                      role: str, expected: list[str]) -> None:
    login_as(role, schools=[create_school()] if role == "governor" else None)
    texts = [text for text, _ in nav_items(client.get("/", follow_redirects=True).get_data(as_text=True))]
    for section in expected:
        assert section in texts
    for admin_page in ("Users", "Term dates", "Audit log", "Import schools", "Support tiers"):
        assert admin_page not in texts


@pytest.mark.parametrize("url, current", [
    ("/schools", "Schools"),
    ("/admin", "Admin"),
    ("/admin/users", "Admin"),
    ("/admin/term-dates", "Admin"),
    ("/admin/tiers", "Admin"),
    ("/admin/audit", "Admin"),
    ("/allocations", "Support allocations"),
    ("/plans", "Plans"),
    ("/escalation-watch", "Escalation watch"),
    ("/overview", "Overview"),
])
def test_exactly_one_item_is_current(client: Any, login_as: Any, url: str, current: str) -> None:
    login_as("admin")
    response = client.get(url)
    assert response.status_code == 200
    active = [text for text, is_active in nav_items(response.get_data(as_text=True)) if is_active]
    assert active == [current]


def test_admin_index_offers_an_sia_only_reassigning_schools(client: Any, login_as: Any) -> None:
    login_as("sia")
    page = BeautifulSoup(client.get("/admin").get_data(as_text=True), "html.parser")
    links = [a.get_text(strip=True) for a in page.select("main a.govuk-link")]
    assert links == ["Reassign schools"]


def test_admin_index_lists_every_admin_page_for_an_administrator(client: Any, login_as: Any) -> None:
    login_as("admin")
    page = BeautifulSoup(client.get("/admin").get_data(as_text=True), "html.parser")
    links = [a.get_text(strip=True) for a in page.select("main a.govuk-link")]
    assert {"Users", "Reassign schools", "Support tiers", "Term dates", "Import schools", "Audit log"} <= set(links)
