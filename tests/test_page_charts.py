"""Charts on the pages (issue 17, item 5): each an inline SVG with a title and a description, no
style attribute or script (the CSP forbids them), followed by a table of the same figures; each
page asks the database the same number of questions with one record or five."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import select

from tests.conftest import count_queries


def chart(page: str, chart_id: str) -> str:
    """The chart's figure on the page, checked for what every chart must have."""
    match = re.search(rf'<figure class="app-figure" id="{chart_id}">(.*?)</figure>', page, re.DOTALL)
    assert match, f"no {chart_id} on the page"
    figure = match.group(1)
    svg = re.search(r"<svg [^>]*>(.*?)</svg>", figure, re.DOTALL)
    assert svg and 'role="img"' in svg.group(0)
    assert re.search(r"<title>[^<]+</title><desc>[^<]+</desc>", svg.group(1))
    assert "style=" not in figure and "<script" not in figure
    assert '<details class="govuk-details">' in figure and "<table" in figure
    return figure


def cells(figure: str) -> list[list[str]]:
    """The rows of the table beneath a chart, as text."""
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)]
            for row in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', figure.split("<tbody", 1)[1], re.DOTALL)]


# --- a plan's RAG over time ---------------------------------------------------------------------

def _updated_on(action, day: date) -> None:
    from lea_support.extensions import db
    from lea_support.rap.models import ActionUpdate

    for update in db.session.scalars(select(ActionUpdate).where(ActionUpdate.action_id == action.id)):
        update.updated_at = datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc)
    db.session.commit()


def test_a_plan_s_rag_over_time_is_worked_out_from_its_status_changes(db, create_plan):
    from lea_support.rap import services
    from lea_support.rap.charts import rag_points

    plan = create_plan(agreed_on=date(2026, 12, 10))
    first, second = [a for o in plan.objectives for a in o.actions]  # both due 4 February 2027
    services.update_action_progress(plan.drafted_by, first, status="done")
    db.session.commit()
    _updated_on(first, date(2027, 1, 20))

    points = rag_points(plan, [plan], date(2027, 3, 15))
    assert [(p.label, p.counts) for p in points] == [
        ("Agreed, 10 December 2026", {"complete": 0, "green": 2, "amber": 0, "red": 0}),
        ("End of December 2026", {"complete": 0, "green": 0, "amber": 2, "red": 0}),  # not started
        ("End of January 2027", {"complete": 1, "green": 0, "amber": 1, "red": 0}),
        ("End of February 2027", {"complete": 1, "green": 0, "amber": 0, "red": 1}),  # overdue
        ("Today", {"complete": 1, "green": 0, "amber": 0, "red": 1}),
    ]
    assert rag_points(create_plan(status="draft"), [], date(2027, 3, 15)) == []


def test_the_plan_page_draws_its_rag_over_time_with_a_table_in_flat_queries(db, client, login_as, create_plan):
    from lea_support.rap import services

    plan = create_plan(agreed_on=date.today() - timedelta(days=70))
    login_as("sia")
    url = f"/plans/{plan.id}"
    page = client.get(url).get_data(as_text=True)
    figure = chart(page, "chart-rag")
    assert "by RAG status over time" in figure
    rows = cells(figure)
    assert rows[0][0].startswith("Agreed, ") and rows[-1][0] == "Today" and len(rows) >= 3
    assert all(sum(int(n) for n in row[1:]) == 2 for row in rows)

    before = count_queries(client, url)
    first, second = [a for o in plan.objectives for a in o.actions]
    for status in ("in_progress", "not_started", "in_progress", "done"):
        services.update_action_progress(plan.drafted_by, first, status=status)
    services.update_action_progress(plan.drafted_by, second, status="dropped")
    db.session.commit()
    assert count_queries(client, url) == before
    assert cells(chart(client.get(url).get_data(as_text=True), "chart-rag"))[-1][1:] == ["1", "0", "0", "0"]


def test_a_draft_plan_has_no_rag_chart(db, client, login_as, create_plan):
    plan = create_plan(status="draft")
    login_as("sia")
    assert 'id="chart-rag"' not in client.get(f"/plans/{plan.id}").get_data(as_text=True)


# --- visits by term -----------------------------------------------------------------------------

def test_the_visits_page_charts_visits_by_term_in_flat_queries(db, client, login_as, create_school, create_note):
    from lea_support.core.terms import Term

    school = create_school()
    login_as("sia")
    url = f"/schools/{school.urn}/visits"
    assert 'id="chart-visits-by-term"' not in client.get(url).get_data(as_text=True)  # nothing to draw
    today = date.today()
    create_note(school=school, status="finalised", visit_date=today)
    before = count_queries(client, url)
    last_term = Term.current(today).previous()
    for _ in range(3):
        create_note(school=school, status="sent", visit_date=last_term.starts_on + timedelta(days=20))
    create_note(school=school, status="planned", visit_date=today)  # planned: not counted
    assert count_queries(client, url) == before
    rows = cells(chart(client.get(url).get_data(as_text=True), "chart-visits-by-term"))
    assert len(rows) == 6
    assert rows[-1] == [Term.current(today).label, "1"] and rows[-2] == [last_term.label, "3"]


# --- allocation used against allocated -----------------------------------------------------------

def test_the_school_page_charts_its_allocation_used(db, client, login_as, create_school, create_note, create_plan):
    from lea_support.extensions import db as _db
    from lea_support.rap.models import TimeAllocation, TimeUsed
    from lea_support.schools import services

    school = create_school(support_tier="significant", mcs_level=3)
    from lea_support.core.terms import academic_year_for

    services.issue_annual_allocations(None, academic_year_for(date.today()))
    _db.session.commit()
    create_note(school=school, status="finalised", visit_date=date.today())
    plan = create_plan(school=school, agreed_on=date.today() - timedelta(days=30))
    login_as("sia")
    url = f"/schools/{school.urn}"
    before = count_queries(client, url)
    allocation = TimeAllocation(plan_id=plan.id, user_id=plan.drafted_by_id, term="autumn-2026", days=Decimal("4"))
    _db.session.add(allocation)
    _db.session.flush()
    for i in range(3):
        _db.session.add(TimeUsed(allocation_id=allocation.id, used_on=date.today() - timedelta(days=i),
                                 days=Decimal("0.5")))
    _db.session.commit()
    assert count_queries(client, url) == before
    figure = chart(client.get(url).get_data(as_text=True), "chart-allocation")
    rows = dict((r[0], r[1:]) for r in cells(figure))
    assert rows["Link adviser visits"][0] == "1"
    assert rows["Consultant days"][0] == "1.5"


def test_the_overview_charts_allocation_by_tier_and_moves_between_tiers(db, client, login_as, create_school,
                                                                       create_user):
    from lea_support.schools.services import change_support

    sia = create_user("sia")
    schools = [create_school(support_tier="light_touch", mcs_level=1) for _ in range(6)]
    login_as("sia")
    page = client.get("/overview").get_data(as_text=True)
    assert 'id="no-tier-movements"' in page
    rows = cells(chart(page, "chart-tier-allocation"))
    assert rows[-1][0] == "All schools"

    def move(school, tier: str, level: int) -> None:
        change_support(sia, school, support_tier=tier, mcs_level=level, cause_for_concern=None, is_vulnerable=False,
                       has_significant_underachievement=False, reason="Test")
        db.session.commit()

    move(schools[0], "enhanced", 2)
    before = count_queries(client, "/overview")
    for school in schools[1:4]:
        move(school, "significant", 3)
    move(schools[0], "light_touch", 1)
    move(schools[4], "significant", 3)
    move(schools[4], "significant", 4)  # a change of level only: not a move between tiers
    assert count_queries(client, "/overview") == before
    figure = chart(client.get("/overview").get_data(as_text=True), "chart-tier-movements")
    assert cells(figure) == [["Light touch core support to Enhanced support", "1"],
                             ["Light touch core support to Significant support", "4"],
                             ["Enhanced support to Light touch core support", "1"]]
