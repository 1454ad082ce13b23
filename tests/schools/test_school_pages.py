"""The school list (filters, search, sort, pages), the school page and the governor's view."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from lea_support.schools import services


def names_on(page: str) -> list[str]:
    return re.findall(r'href="/schools/\d+">([^<]+)</a>', page)


@pytest.fixture
def register(create_school, create_user):
    adviser = create_user("link_adviser", name="Lee Adviser")
    return {
        "adviser": adviser,
        "ash": create_school(name="Ash Primary", phase="Primary", number_of_pupils=200, link_adviser_id=adviser.id),
        "birch": create_school(name="Birch High", phase="Secondary", type_name="Academy converter",
                               support_tier="enhanced", mcs_level=2, number_of_pupils=900),
        "cedar": create_school(name="Cedar Primary", phase="Primary", support_tier="significant", mcs_level=4,
                               is_vulnerable=True, number_of_pupils=150),
        "closed": create_school(name="Damson Closed", status="Closed"),
    }


@pytest.mark.parametrize("query, expected", [
    ("", ["Ash Primary", "Birch High", "Cedar Primary"]),
    ("?tier=significant", ["Cedar Primary"]),
    ("?level=2", ["Birch High"]),
    ("?phase=Primary", ["Ash Primary", "Cedar Primary"]),
    ("?type=Academy+converter", ["Birch High"]),
    ("?flag=vulnerable", ["Cedar Primary"]),
    ("?q=birch", ["Birch High"]),
    ("?q=PRIMARY", ["Ash Primary", "Cedar Primary"]),
    ("?q=%25", []),
    ("?q=_", []),
    ("?closed=1", ["Ash Primary", "Birch High", "Cedar Primary", "Damson Closed"]),
    ("?sort=pupils&dir=desc", ["Birch High", "Ash Primary", "Cedar Primary"]),
    ("?sort=tier&dir=desc", ["Cedar Primary", "Birch High", "Ash Primary"]),
])
def test_list_filters_search_and_sorts(client, login_as, register, query, expected):
    login_as("sia")
    response = client.get("/schools" + query)
    assert response.status_code == 200
    assert names_on(response.get_data(as_text=True)) == expected


def test_list_filters_by_link_adviser_and_by_none(client, login_as, register):
    login_as("admin")
    mine = client.get(f"/schools?adviser={register['adviser'].id}").get_data(as_text=True)
    assert names_on(mine) == ["Ash Primary"]
    nobody = client.get("/schools?adviser=0").get_data(as_text=True)
    assert names_on(nobody) == ["Birch High", "Cedar Primary"]


def test_search_by_urn(client, login_as, register):
    login_as("admin")
    page = client.get(f"/schools?q={register['cedar'].urn}").get_data(as_text=True)
    assert names_on(page) == ["Cedar Primary"]


def test_a_bad_filter_value_says_what_to_fix(client, login_as, register):
    login_as("admin")
    page = client.get("/schools?level=9").get_data(as_text=True)
    assert "Level must be a number from 1 to 5" in page


def test_the_list_is_paginated(client, login_as, create_school):
    for i in range(55):
        create_school(name=f"School {i:03d}")
    login_as("admin")
    first = client.get("/schools").get_data(as_text=True)
    second = client.get("/schools?page=2").get_data(as_text=True)
    assert len(names_on(first)) == 50 and len(names_on(second)) == 5
    assert "55 schools" in first


def count_queries(app, client, url):
    from lea_support.extensions import db

    statements = []

    def on_execute(*args):
        statements.append(args[2])

    engine = db.engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    return len(statements)


def test_page_query_counts_do_not_grow_with_the_data(app, client, login_as, create_school, create_user, db):
    from lea_support.schools.services import change_support

    sia = create_user("sia")
    school = create_school()
    login_as("admin")
    urls = ["/schools", "/schools?tier=significant", f"/schools/{school.urn}", "/allocations"]
    before = {u: count_queries(app, client, u) for u in urls}
    advisers = [create_user("link_adviser") for _ in range(3)]
    for i in range(30):
        other = create_school(link_adviser_id=advisers[i % 3].id)
        change_support(sia, other, support_tier="significant", mcs_level=3 + i % 3, cause_for_concern=None,
                       is_vulnerable=True, has_significant_underachievement=False, reason=f"Reason {i}")
    for level in (3, 4, 5, 3):
        change_support(sia, school, support_tier="significant", mcs_level=level, cause_for_concern=None,
                       is_vulnerable=level != 5, has_significant_underachievement=False, reason="Again")
    services.issue_annual_allocations(None, "2026/27")
    db.session.commit()
    after = {u: count_queries(app, client, u) for u in urls}
    assert after == before


def test_school_page_shows_facts_tier_history_and_timeline(client, login_as, create_school, create_user, db):
    school = create_school(name="Elm Primary", head_name="Ms E Head", postcode="FV1 1AA", ofsted_rating="Good")
    sia = create_user("sia", name="Sam Sia")
    services.change_support(sia, school, support_tier="enhanced", mcs_level=2, cause_for_concern=None,
                            is_vulnerable=False, has_significant_underachievement=False, reason="Maths dip")
    db.session.commit()
    login_as("link_adviser")
    page = client.get(f"/schools/{school.urn}").get_data(as_text=True)
    for text in ["Elm Primary", "Ms E Head", "FV1 1AA", "Enhanced support", "Maths dip", "Sam Sia", 'id="timeline"']:
        assert text in page


def test_a_governor_sees_only_their_own_schools_governor_pages(client, login_as, create_school):
    mine, other = create_school(name="My Governed School"), create_school(name="Someone Else's School")
    login_as("governor", schools=[mine])
    assert "What needs you now" in client.get("/").get_data(as_text=True)
    home = client.get("/governor").get_data(as_text=True)
    assert "My Governed School" in home and "Someone Else" not in home
    assert client.get(f"/governor/schools/{mine.urn}").status_code == 200
    for url in [f"/governor/schools/{other.urn}", f"/schools/{mine.urn}", f"/schools/{other.urn}", "/schools",
                "/allocations", "/admin/users", "/admin/audit", "/my-schools"]:
        assert client.get(url).status_code == 403, url


def test_a_school_leader_sees_their_own_school_but_not_others(client, login_as, create_school):
    mine, other = create_school(), create_school()
    login_as("school_leader", schools=[mine])
    assert client.get(f"/schools/{mine.urn}").status_code == 200
    assert client.get(f"/schools/{other.urn}").status_code == 403
    assert client.get("/schools").status_code == 403
