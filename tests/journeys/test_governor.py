"""The governor's journey: their school's published termly reports, one downloaded as a PDF; the
rest of the app (other schools, the register, plans, visits) stays closed to them."""
from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from lea_support.governor_reports import services

TERM, END_OF_TERM = "autumn-2026", date(2026, 12, 18)


def publish_report(school, adviser, sia):
    draft = services.generate_draft(None, school, TERM, today=END_OF_TERM)
    services.check_report(adviser, draft, covering_note="Thank you for a warm welcome.",
                          expected_version=draft.version_id, celebrating="A warm welcome for every visitor",
                          no_visits_confirmed=True)
    return services.publish_report(sia, draft, today=END_OF_TERM)


@pytest.mark.browser
def test_a_governor_downloads_their_school_s_published_report_and_reaches_nothing_else(journey, db, create_school,
                                                                                      create_user, create_note):
    adviser, sia = create_user("link_adviser", name="Lou Light"), create_user("sia")
    own = create_school(name="Larkrise Infant School", link_adviser_id=adviser.id)
    other = create_school(name="Zephyr Primary School", link_adviser_id=adviser.id)
    create_note(school=own, adviser=adviser, status="finalised", visit_date=date(2026, 10, 14))
    publish_report(own, adviser, sia)
    other_published = publish_report(other, adviser, sia)
    governor = create_user("governor", name="Gail Governor", schools=[own])
    db.session.commit()
    forbidden = [f"/governor/schools/{other.urn}", f"/governor-reports/{other_published.report_id}/versions/1.pdf",
                 f"/schools/{own.urn}", "/schools", "/plans", "/caseload"]
    page = journey.page

    journey.sign_in(governor.email)
    assert page.get_by_role("heading", level=1).inner_text() == "What needs you now"
    journey.follow("link", "Governor reports")
    assert journey.menu() == ["Governor reports"]
    assert "Zephyr" not in page.content()

    journey.follow("link", "Larkrise Infant School")
    table = page.locator(f"#governor-reports-{own.urn}")
    assert "Autumn term 2026" in table.inner_text()
    with page.expect_download() as download_info:
        table.get_by_role("link", name="Autumn term 2026 (PDF").click()
    download = download_info.value
    pdf = download.path().read_bytes()
    assert pdf.startswith(b"%PDF") and download.suggested_filename.endswith(".pdf")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Larkrise Infant School" in text and "Thank you for a warm welcome." in text and "Zephyr" not in text

    for path in forbidden:
        journey.goto(path, status=403)
        assert "Zephyr" not in page.content()
    assert len(page.console_errors) == len(forbidden)
    assert all("status of 403" in error for error in page.console_errors), page.console_errors
