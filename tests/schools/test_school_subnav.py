"""Every page of one school carries the school's sub-navigation (issue 17, item 1): the same items
from one macro, exactly one of them current, and only the items the person may open."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from lea_support.governor_reports.models import GovernorReport, GovernorReportVersion
from lea_support.rap import services as rap
from lea_support.reviews import reporting
from tests.conftest import make_review_happen

ALL = ["Overview", "Visits", "Reviews", "Plans", "Enhanced support", "Improvement Notices", "Statutory intervention",
       "Reports", "Programmes", "Sharing4Success", "Timeline"]
SEEN_BY = {
    "sia": ALL,
    "link_adviser": ALL,
    "project_team": ALL,
    "admin": ALL,
    "consultant": ALL,
    "school_leader": ["Overview", "Visits", "Reviews", "Plans", "Enhanced support", "Improvement Notices",
                      "Statutory intervention", "Programmes", "Sharing4Success", "Timeline"],
    "governor": ["Overview", "Reviews"],
}
LA_STAFF = ("admin", "link_adviser", "sia", "project_team", "consultant")

# (url, the current item, who may open the page)
PAGES = [
    ("/schools/{urn}", "Overview", LA_STAFF + ("school_leader",)),
    ("/schools/{urn}/profile", "Overview", LA_STAFF + ("school_leader", "governor")),
    ("/governor/schools/{urn}", "Overview", ("governor",)),
    ("/schools/{urn}/visits", "Visits", LA_STAFF + ("school_leader",)),
    ("/visits/{note}", "Visits", LA_STAFF + ("school_leader",)),
    ("/schools/{urn}/reviews", "Reviews", LA_STAFF + ("school_leader", "governor")),
    ("/schools/{urn}/reviews/history", "Reviews", LA_STAFF + ("school_leader", "governor")),
    ("/reviews/{review}", "Reviews", LA_STAFF),
    ("/reviews/{review}/report", "Reviews", LA_STAFF + ("school_leader", "governor")),
    ("/schools/{urn}/plans", "Plans", LA_STAFF + ("school_leader",)),
    ("/plans/{plan}", "Plans", LA_STAFF + ("school_leader",)),
    ("/schools/{urn}/notices", "Improvement Notices", LA_STAFF + ("school_leader",)),
    ("/notices/{notice}", "Improvement Notices", LA_STAFF + ("school_leader",)),
    ("/schools/{urn}/intervention", "Statutory intervention", LA_STAFF + ("school_leader",)),
    ("/schools/{urn}/governor-reports", "Reports", LA_STAFF),
    ("/governor-reports/{greport}", "Reports", LA_STAFF),
    ("/schools/{urn}/support-plans", "Enhanced support", LA_STAFF + ("school_leader",)),
    ("/schools/{urn}/programmes", "Programmes", LA_STAFF + ("school_leader",)),
    ("/schools/{urn}/sharing", "Sharing4Success", LA_STAFF + ("school_leader",)),
    ("/schools/{urn}/timeline", "Timeline", LA_STAFF + ("school_leader",)),
]


def subnav_of(page: str) -> tuple[list[str], list[str]]:
    """The sub-navigation's items, and which of them are marked current."""
    assert page.count('class="app-subnav"') == 1, "one school sub-navigation on the page"
    start = page.index('class="app-subnav"')
    nav = page[start:page.index("</nav>", start)]
    items = [t.strip() for t in re.findall(r">([^<]+)</a>", nav)]
    current = [t.strip() for t in re.findall(r'aria-current="page">([^<]+)</a>', nav)]
    return items, current


@pytest.fixture
def school_records(db, create_plan, create_review, create_note, create_user) -> dict[str, Any]:
    """One school with a record of every kind: a note shared with the school, a published review,
    an agreed plan, an Improvement Notice and a published report to governors."""
    plan = create_plan()
    school = plan.school
    note = create_note(school=school, status="sent")  # sent: the school's leaders see it too
    review = create_review(school=school, stage="evaluation", starts_on=date(2026, 11, 16))
    reporting.record_evaluation(review.lead, review, [
        reporting.AspectJudgement(aspect_id=a.id, agreed_grade=3, rationale="") for a in review.framework.aspects],
        overall_grade=3, overall_rationale="")
    reporting.save_findings(review.lead, review, [reporting.FindingData("works_well", "Reading"),
                                                  reporting.FindingData("more_effective", "Writing")])
    make_review_happen(review)
    reporting.publish_report(review.lead, review)
    notice = rap.issue_improvement_notice(create_user("sia"), school, improvements="Raise standards",
                                          comply_by=date.today() + timedelta(days=60))
    when = datetime(2026, 12, 1, tzinfo=UTC)
    report = GovernorReport(school_id=school.id, term="autumn-2026", academic_year="2026/27", versions=[
        GovernorReportVersion(version=1, status="published", layout="summary", content={}, pdf=b"%PDF-1.4\n%%EOF\n",
                              pdf_sha256="0" * 64, pdf_pages=1, reason="", checked_at=when, published_at=when)])
    db.session.add(report)
    db.session.commit()
    return {"school": school, "urn": school.urn, "note": note.id, "review": review.id, "plan": plan.id,
            "notice": notice.id, "greport": report.id}


@pytest.mark.parametrize("role", list(SEEN_BY))
def test_every_school_page_has_the_sub_navigation_with_one_current_item(role, client, login_as, school_records):
    login_as(role, schools=[school_records["school"]] if role in ("school_leader", "governor") else None)
    for url, current, allowed in PAGES:
        address = url.format(**school_records)
        response = client.get(address)
        if role not in allowed:
            assert response.status_code in (403, 404), (address, response.status_code)
            continue
        assert response.status_code == 200, (address, response.status_code)
        items, marked = subnav_of(response.get_data(as_text=True))
        assert items == SEEN_BY[role], address
        assert marked == [current], address


def test_the_governors_overview_is_their_own_school_page(client, login_as, school_records):
    login_as("governor", schools=[school_records["school"]])
    page = client.get(f"/schools/{school_records['urn']}/reviews").get_data(as_text=True)
    assert f'href="/governor/schools/{school_records["urn"]}"' in page
    assert f'href="/schools/{school_records["urn"]}"' not in page  # the LA's working view is not theirs
    assert "/timeline" not in page
