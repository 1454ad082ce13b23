"""The administrator's journey: import schools from a GIAS file, give a new head teacher an account
for one of them, see both in the audit log; the new account then works."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lea_support.auth.models import User
from lea_support.schools.models import School
from tools.gias_sample import gias_bytes, sample_row

NEW_PASSWORD = "a-long-and-unusual-pass-2026"


@pytest.mark.browser
def test_an_administrator_imports_schools_and_gives_a_head_teacher_an_account(journey, db, create_user):
    admin = create_user("admin", name="Ada Admin")
    rows = [sample_row(urn) for urn in (990101, 990102, 990103)]
    page = journey.page

    journey.sign_in(admin.email)
    assert page.get_by_role("heading", level=1).inner_text() == "What needs you now"
    assert "Admin" in journey.menu() and "Users" not in journey.menu()

    journey.follow("link", "Admin", exact=True)
    journey.follow("link", "Import schools")
    page.get_by_label("GIAS establishment file (CSV)").set_input_files(
        files=[{"name": "edubasealldata20261123.csv", "mimeType": "text/csv", "buffer": gias_bytes(rows)}])
    page.get_by_label("LA codes to keep").fill("999")
    journey.follow("button", "Import schools")
    assert "3 created" in page.locator(".govuk-notification-banner").inner_text()
    assert "edubasealldata20261123.csv" in page.locator("table").inner_text()
    school = db.session.scalars(select(School).where(School.urn == 990102)).one()

    journey.follow("link", "Admin", exact=True)
    journey.follow("link", "Users", exact=True)
    journey.follow("link", "Add a user")
    page.get_by_label("Email address").fill("new.head@example.org")
    page.get_by_label("Full name").fill("Nadia Newhead")
    page.get_by_label("Role").select_option(label="School leader")
    page.get_by_label("Schools (URNs)").fill(str(school.urn))
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    journey.follow("button", "Save user")
    assert "User Nadia Newhead created" in page.locator(".govuk-notification-banner").inner_text()
    row = page.get_by_role("row", name="Nadia Newhead")
    assert "new.head@example.org" in row.inner_text() and school.name in row.inner_text()
    head = db.session.scalars(select(User).where(User.email == "new.head@example.org")).one()
    assert head.role == "school_leader" and [s.urn for s in head.schools] == [990102]

    journey.follow("link", "Admin", exact=True)
    journey.follow("link", "Audit log")
    entries = page.locator("#audit-entries > li")
    # Each entry in words, its machine code folded inside a details.
    assert "created the account of Nadia Newhead" in entries.nth(0).inner_text()
    assert "imported the school register from GIAS" in entries.nth(1).inner_text()
    assert [entries.nth(i).locator("code").first.text_content() for i in range(2)] == ["user.create", "schools.import"]
    assert "new.head@example.org" in entries.nth(0).text_content()  # in the recorded data

    # The new head teacher signs in with the password the administrator set and finds the school.
    journey.sign_in("new.head@example.org", NEW_PASSWORD)
    assert page.get_by_role("heading", level=1).inner_text() == "What needs you now"
    journey.follow("link", "My schools")
    journey.follow("link", school.name)
    assert page.get_by_role("heading", level=1).inner_text() == school.name
    assert page.console_errors == []
