"""The school page as a case summary, its sub-navigation and the timeline with real dates and
filters (issue 17, item 4)."""
from __future__ import annotations

import html as html_lib
import re
from datetime import date

from lea_support.casework import services as casework
from lea_support.reviews.models import JointReview
from lea_support.schools import services
from tests.conftest import count_queries


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def summary_of(page: str) -> str:
    start = page.index('id="case-summary"')
    return text_of(page[start:page.index("</dl>", start)])


def test_the_school_page_sums_up_the_case(client, login_as, create_plan, create_review, create_user, create_note, db):
    plan = create_plan(agreed_on=date(2026, 12, 10))
    school = plan.school
    sia = create_user("sia", name="Sam Improvement")
    services.change_support(sia, school, support_tier="significant", mcs_level=4, cause_for_concern="la",
                            is_vulnerable=True, has_significant_underachievement=False, reason="Results fell")
    services.assign_link_adviser(sia, school, create_user("link_adviser", name="Lin Adviser"), reason="New patch")
    review = create_review(school=school, stage="published")
    review.overall_grade = 5
    create_note(school=school, status="draft")
    create_note(school=school, status="sent")
    db.session.commit()
    login_as("sia")
    page = client.get(f"/schools/{school.urn}").get_data(as_text=True)
    summary = summary_of(page)
    assert "Significant support Level 4 since" in summary
    assert "Cause for concern" in summary and "Vulnerable" in summary
    assert f"Lin Adviser, since {date.today().day} " in summary
    grade = db.session.get(JointReview, review.id).scale.label(5)
    assert f"5 {grade}" in summary and f'href="/reviews/{review.id}/report"' in page
    assert "Agreed plan" in summary and f'href="/plans/{plan.id}"' in page
    assert re.search(r"Agreed plan (Red|Amber|Green|Complete) \(", summary)
    assert "Next mid-point review 18 February 2027" in summary
    assert "1 note in draft" in summary and "1 note waiting for the school's check" in summary
    # The school's own pages, one of them current.
    nav = page[page.index('class="app-subnav"'):page.index("</nav>", page.index('class="app-subnav"'))]
    assert [t.strip() for t in re.findall(r">([^<]+)</a>", nav)] == [
        "Overview", "Visits", "Reviews", "Plans", "Enhanced support", "Improvement Notices", "Statutory intervention", "Reports", "Programmes",
        "Sharing4Success", "Timeline"]
    assert nav.count('aria-current="page"') == 1 and re.search(r'aria-current="page">Overview<', nav)


def test_a_school_leader_sees_only_their_parts_of_the_summary(client, login_as, create_plan, db):
    plan = create_plan()
    page = client.get(f"/schools/{plan.school.urn}")  # signed out: sent to sign in
    assert page.status_code == 302
    login_as("school_leader", schools=[plan.school])
    page = client.get(f"/schools/{plan.school.urn}").get_data(as_text=True)
    nav = page[page.index('class="app-subnav"'):page.index("</nav>", page.index('class="app-subnav"'))]
    assert "Overview" in nav and "Plans" in nav and "Reports" not in nav
    assert "Agreed plan" in summary_of(page)


def test_the_timeline_shows_when_things_happened_and_filters_by_kind(client, login_as, create_school, create_user,
                                                                       db):
    school = create_school()
    adviser = create_user("link_adviser")
    sia = create_user("sia")
    casework.record_visit(adviser, school, casework.NoteData(
        visit_date=date(2026, 10, 5), visit_type_code="core_support", purpose="Reading", discussion="Phonics"))
    services.change_support(sia, school, support_tier="enhanced", mcs_level=2, cause_for_concern=None,
                            is_vulnerable=False, has_significant_underachievement=False, reason="Dip")
    db.session.commit()
    login_as("sia")
    page = client.get(f"/schools/{school.urn}/timeline").get_data(as_text=True)
    dates = re.findall(r'<time datetime="([\d-]+)">', page)
    # The visit shows on the day it took place, not the day it was written up.
    assert "2026-10-05" in dates and date.today().isoformat() in dates
    visits = client.get(f"/schools/{school.urn}/timeline?kind=visits").get_data(as_text=True)
    assert "Visit on 5 October 2026 recorded" in visits and "Dip" not in visits
    assert re.search(r'<strong aria-current="page">Visits</strong>', visits)
    support = client.get(f"/schools/{school.urn}/timeline?kind=support").get_data(as_text=True)
    assert "Visit on 5 October 2026" not in support and "Enhanced" in text_of(support)
    unknown = client.get(f"/schools/{school.urn}/timeline?kind=nonsense").get_data(as_text=True)
    assert "Visit on 5 October 2026" in unknown and "Enhanced" in text_of(unknown)


def test_the_school_page_and_timeline_do_not_grow_in_queries(app, client, login_as, create_plan, create_review,
                                                             create_user, create_note, db):
    plan = create_plan(objectives=1)
    school = plan.school
    login_as("sia")
    urls = [f"/schools/{school.urn}", f"/schools/{school.urn}/timeline", f"/schools/{school.urn}/timeline?kind=visits"]
    before = {u: count_queries(client, u) for u in urls}
    sia = create_user("sia")
    for i in range(5):
        create_note(school=school, status=("draft", "sent", "finalised")[i % 3])
        create_review(school=school, stage="published", overall_grade=3)
        services.change_support(sia, school, support_tier="significant", mcs_level=4 - i % 2, cause_for_concern=None,
                                is_vulnerable=False, has_significant_underachievement=False, reason=f"Again {i}")
    db.session.commit()
    after = {u: count_queries(client, u) for u in urls}
    assert after == before
