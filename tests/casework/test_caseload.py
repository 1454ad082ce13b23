"""My caseload and the authority overview: each figure's rule, sorting, filters, CSV, who may
see whose caseload, and query counts that do not grow with schools or years of history."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lea_support.casework import caseload as service
from lea_support.casework.models import AgreedAction, NoteOfVisit
from lea_support.core.calendar import TermDate
from lea_support.schools.models import SupportAllocation
from tests.conftest import count_queries

# A Wednesday in the autumn term of 2026/27.
TODAY = date(2026, 11, 18)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(service, "today", lambda: TODAY)
    return TODAY


@pytest.fixture
def adviser(create_user):
    return create_user("link_adviser", name="Lee Adviser")


@pytest.fixture
def action(db):
    def make(note, *, due_on, status="open"):
        row = AgreedAction(note_id=note.id, description="Review the phonics scheme", owner="Head", due_on=due_on,
                           status=status)
        db.session.add(row)
        db.session.commit()
        return row

    return make


def names_on(page: str) -> list[str]:
    return re.findall(r'href="/schools/\d+">([^<]+)</a>', page)


def row_of(page: str, urn: int) -> str:
    match = re.search(rf'<tr class="govuk-table__row" data-urn="{urn}">(.*?)</tr>', page, re.S)
    assert match, f"no row for {urn}"
    return match.group(1)


def cell(row: str, col: str) -> str:
    match = re.search(rf'data-col="{col}">(.*?)</td>', row, re.S)
    assert match, col
    return re.sub(r"<[^>]+>", "", match.group(1)).split("(")[0].strip()


@pytest.fixture
def caseload(db, adviser, create_school, create_note, action):
    """Ash: busy this year. Birch: last visited years ago, an old note still awaiting the school.
    Cedar: never visited. Damson: someone else's. Elm: closed."""
    ash = create_school(name="Ash Primary", link_adviser_id=adviser.id, support_tier="significant", mcs_level=4)
    birch = create_school(name="Birch High", link_adviser_id=adviser.id, support_tier="enhanced", mcs_level=2)
    cedar = create_school(name="Cedar Primary", link_adviser_id=adviser.id)
    damson = create_school(name="Damson Primary")
    create_school(name="Elm Closed", link_adviser_id=adviser.id, status="Closed")
    db.session.add(SupportAllocation(school_id=ash.id, academic_year="2026/27", support_tier="significant",
                                     link_visits=12, consultant_days=10))
    db.session.commit()

    def note(school, status, day):
        return create_note(school=school, adviser=adviser, status=status, visit_date=day)

    # Done this year: finalised, sent (awaiting), draft (written up, not sent).
    first = note(ash, "finalised", date(2026, 10, 1))
    note(ash, "sent", date(2026, 11, 10))
    note(ash, "draft", date(2026, 11, 17))
    # Not done: planned but never written up; a draft dated in the future; last year's visit
    # counts for "last visit" only if nothing later.
    note(ash, "planned", date(2026, 11, 2))
    note(ash, "draft", date(2026, 11, 25))
    note(ash, "finalised", date(2026, 6, 1))
    # Planned: the next one is the earliest today or later.
    note(ash, "planned", date(2027, 1, 12))
    note(ash, "planned", TODAY)
    # Actions: only open ones due before today are overdue.
    action(first, due_on=date(2026, 11, 1))
    action(first, due_on=date(2026, 10, 20))
    action(first, due_on=TODAY)
    action(first, due_on=date(2026, 10, 1), status="done")
    action(first, due_on=date(2026, 10, 1), status="dropped")
    action(first, due_on=None)

    old = note(birch, "finalised", date(2023, 3, 1))
    note(birch, "sent", date(2022, 5, 4))
    action(old, due_on=date(2023, 4, 1))
    note(damson, "finalised", TODAY)
    return {"ash": ash, "birch": birch, "cedar": cedar, "damson": damson}


def test_each_column_follows_its_rule(caseload, adviser):
    result = service.caseload(adviser, on=TODAY)
    rows = {r.school.name: r for r in result.rows}
    assert list(rows) == ["Ash Primary", "Birch High", "Cedar Primary"]  # not someone else's, not closed
    ash, birch, cedar = rows["Ash Primary"], rows["Birch High"], rows["Cedar Primary"]

    assert (ash.last_visit, birch.last_visit, cedar.last_visit) == (date(2026, 11, 17), date(2023, 3, 1), None)
    assert (ash.visits_this_year, ash.allocated_visits, ash.allocation_issued) == (3, 12, True)
    assert (birch.visits_this_year, birch.allocated_visits, birch.allocation_issued) == (0, 5, False)
    assert cedar.allocated_visits == 3
    assert (ash.next_planned_visit, birch.next_planned_visit) == (TODAY, None)
    assert (ash.overdue_actions, birch.overdue_actions, cedar.overdue_actions) == (2, 1, 0)
    assert (ash.awaiting_response, birch.awaiting_response, cedar.awaiting_response) == (1, 1, 0)
    assert [r.not_visited_this_term for r in (ash, birch, cedar)] == [False, True, True]
    assert result.summary == {
        "schools": 3, "visits_this_year": 3, "allocated_visits": 12 + 5 + 3, "not_visited_this_term": 2,
        "planned_visits": 1, "schools_with_overdue_actions": 2, "overdue_actions": 3, "awaiting_response": 2,
    }


def test_the_page_shows_each_column(client, login_as, caseload, adviser, create_user):
    from tests.conftest import sign_in

    sign_in(client, adviser.email)
    page = client.get("/caseload").get_data(as_text=True)
    assert names_on(page) == ["Ash Primary", "Birch High", "Cedar Primary"]
    ash, birch, cedar = (row_of(page, caseload[k].urn) for k in ("ash", "birch", "cedar"))
    assert cell(ash, "last-visit") == "17 November 2026" and cell(cedar, "last-visit") == "Never"
    assert cell(ash, "visits") == "3 of 12" and cell(birch, "visits") == "0 of 5"
    assert "(tier default)" in birch and "(tier default)" not in ash
    assert cell(ash, "next-visit") == "18 November 2026" and cell(birch, "next-visit") == "None planned"
    assert (cell(ash, "overdue"), cell(birch, "overdue")) == ("2", "1")
    assert (cell(ash, "awaiting"), cell(cedar, "awaiting")) == ("1", "0")
    assert "Not visited this term" not in ash and "Not visited this term" in birch and "Not visited this term" in cedar
    assert "3 of 20 allocated" in page and "3 at 2 schools" in page


def test_this_term_follows_the_configured_term_dates(db, adviser, create_school, create_note):
    school = create_school(link_adviser_id=adviser.id)
    create_note(school=school, adviser=adviser, status="finalised", visit_date=date(2026, 9, 1))
    # Without term dates the autumn term is roughly September to December: 1 September counts.
    assert service.caseload(adviser, on=TODAY).rows[0].not_visited_this_term is False
    db.session.add(TermDate(term="autumn-2026", academic_year="2026/27", starts_on=date(2026, 9, 2),
                            ends_on=date(2026, 12, 18)))
    db.session.commit()
    result = service.caseload(adviser, on=TODAY)
    assert result.term.code == "autumn-2026" and result.term.configured
    assert result.rows[0].not_visited_this_term is True
    assert result.rows[0].visits_this_year == 1


def test_this_year_starts_on_1_september(db, adviser, create_school, create_note):
    school = create_school(link_adviser_id=adviser.id)
    create_note(school=school, adviser=adviser, status="finalised", visit_date=date(2026, 8, 31))
    create_note(school=school, adviser=adviser, status="finalised", visit_date=date(2026, 9, 1))
    row = service.caseload(adviser, on=date(2026, 9, 1)).rows[0]
    assert (row.visits_this_year, row.last_visit, row.not_visited_this_term) == (1, date(2026, 9, 1), False)
    row = service.caseload(adviser, on=date(2026, 8, 31)).rows[0]
    assert (row.visits_this_year, row.last_visit) == (1, date(2026, 8, 31))


@pytest.mark.parametrize("query, expected", [
    ("", ["Ash Primary", "Birch High", "Cedar Primary"]),
    ("?sort=name&dir=desc", ["Cedar Primary", "Birch High", "Ash Primary"]),
    ("?sort=tier&dir=desc", ["Ash Primary", "Birch High", "Cedar Primary"]),
    ("?sort=tier", ["Cedar Primary", "Birch High", "Ash Primary"]),
    # Never visited first, then the longest since a visit.
    ("?sort=last_visit", ["Cedar Primary", "Birch High", "Ash Primary"]),
    ("?sort=last_visit&dir=desc", ["Ash Primary", "Birch High", "Cedar Primary"]),
    # Soonest planned visit first, nothing planned last (in name order).
    ("?sort=next_visit", ["Ash Primary", "Birch High", "Cedar Primary"]),
    ("?sort=overdue&dir=desc", ["Ash Primary", "Birch High", "Cedar Primary"]),
    ("?sort=overdue", ["Cedar Primary", "Birch High", "Ash Primary"]),
    ("?sort=nonsense", ["Ash Primary", "Birch High", "Cedar Primary"]),
    ("?tier=enhanced", ["Birch High"]),
    ("?flag=not_visited", ["Birch High", "Cedar Primary"]),
    ("?flag=overdue", ["Ash Primary", "Birch High"]),
    ("?flag=awaiting", ["Ash Primary", "Birch High"]),
    ("?flag=not_visited&flag=overdue", ["Birch High"]),
    ("?flag=overdue&tier=light_touch", []),
])
def test_sorts_and_filters(client, caseload, adviser, query, expected):
    from tests.conftest import sign_in

    sign_in(client, adviser.email)
    response = client.get("/caseload" + query)
    assert response.status_code == 200
    assert names_on(response.get_data(as_text=True)) == expected


def test_csv_has_the_filtered_rows_and_neutralises_formulas(client, caseload, adviser, db, create_school):
    from tests.conftest import sign_in

    create_school(name="=HYPERLINK(\"http://evil.invalid\",\"Click\")", link_adviser_id=adviser.id)
    sign_in(client, adviser.email)
    response = client.get("/caseload?format=csv&flag=not_visited&sort=name")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:5] == ["URN", "School", "Support tier", "Level", "Last visit"]
    by_name = {r[1]: r for r in rows[1:]}
    assert set(by_name) == {"Birch High", "Cedar Primary", "'=HYPERLINK(\"http://evil.invalid\",\"Click\")"}
    birch = by_name["Birch High"]
    assert birch == [str(caseload["birch"].urn), "Birch High", "Enhanced support", "2", "2023-03-01", "0", "5", "",
                     "1", "1", "No"]


def test_a_link_adviser_sees_only_their_own_caseload(client, login_as, caseload, adviser):
    me = login_as("link_adviser")
    assert client.get(f"/caseload?adviser={adviser.id}").status_code == 403
    assert client.get(f"/caseload?adviser={adviser.id}&format=csv").status_code == 403
    own = client.get(f"/caseload?adviser={me.id}")
    assert own.status_code == 200 and names_on(own.get_data(as_text=True)) == []
    assert "Whose caseload" not in own.get_data(as_text=True)


@pytest.mark.parametrize("role", ["sia", "admin"])
def test_sias_and_admins_see_anyones_caseload(client, login_as, caseload, adviser, create_user, role):
    login_as(role)
    page = client.get(f"/caseload?adviser={adviser.id}").get_data(as_text=True)
    assert names_on(page) == ["Ash Primary", "Birch High", "Cedar Primary"]
    assert "Lee Adviser&#39;s caseload" in page and "Whose caseload" in page
    not_an_adviser = create_user("project_team")
    assert client.get(f"/caseload?adviser={not_an_adviser.id}").status_code == 404
    assert client.get("/caseload?adviser=999999").status_code == 404
    assert client.get("/caseload?adviser=lee").status_code == 404


@pytest.mark.parametrize("role", ["project_team", "school_leader", "governor"])
def test_others_have_no_caseload(client, login_as, create_school, role):
    login_as(role, schools=[create_school()] if role != "project_team" else None)
    assert client.get("/caseload").status_code == 403
    assert client.get("/overview").status_code == 403


# --- the authority overview -----------------------------------------------------------------

def overview_table(page: str, table_id: str) -> str:
    match = re.search(rf'<table[^>]*id="{table_id}".*?</table>', page, re.S)
    assert match, table_id
    return match.group(0)


def test_overview_numbers(client, login_as, db, caseload, adviser, create_user, create_school, create_note, action):
    other = create_user("link_adviser", name="Max Other")
    idle = create_user("link_adviser", name="Ida Idle")
    fir = create_school(name="Fir Academy", link_adviser_id=other.id, support_tier="enhanced", mcs_level=2)
    # Other's visits: one last summer term (last year), one in the spring term to come (planned).
    create_note(school=fir, adviser=other, status="finalised", visit_date=date(2026, 7, 1))
    create_note(school=fir, adviser=other, status="planned", visit_date=date(2027, 2, 1))
    # Other visits a school of Lee's, this term.
    create_note(school=caseload["cedar"], adviser=other, status="responded", visit_date=date(2026, 11, 3))
    # The overview counts every written-up visit as done (the services refuse to write one up
    # before its date): the fixture's draft dated after this test's "today" cannot happen.
    db.session.delete(db.session.scalar(select(NoteOfVisit).where(NoteOfVisit.visit_date == date(2026, 11, 25))))
    db.session.commit()
    sia = login_as("sia")

    result = service.authority_overview(on=TODAY)
    assert [t.code for t in result.terms] == ["autumn-2026", "spring-2027", "summer-2027"]
    figures = {a.name: a for a in result.advisers}
    assert list(figures) == ["Ida Idle", "Lee Adviser", "Max Other", "No link adviser"]
    lee, maxo = figures["Lee Adviser"], figures["Max Other"]
    # Lee: Ash x3 this autumn, and Damson today (not his school, but his visit).
    assert (lee.visits_by_term, lee.visits_this_year, lee.schools) == ([4, 0, 0], 4, 3)
    assert (maxo.visits_by_term, maxo.visits_this_year, maxo.schools) == ([1, 0, 0], 1, 1)
    assert (figures["Ida Idle"].visits_this_year, figures["Ida Idle"].schools) == (0, 0)
    assert figures["No link adviser"].schools == 1  # Damson
    assert (lee.overdue_actions, lee.schools_with_overdue_actions) == (3, 2)
    assert maxo.overdue_actions == 0
    tiers = {t.tier.code: t for t in result.tiers}
    # Light touch: Cedar (visited by Max) and Damson (by Lee), 3 visits each by default.
    assert (tiers["light_touch"].schools, tiers["light_touch"].visits_done, tiers["light_touch"].visits_allocated) == (2, 2, 6)
    # Enhanced: Birch and Fir, none this year; significant: Ash, 3 of an adjusted 12.
    assert (tiers["enhanced"].schools, tiers["enhanced"].visits_done, tiers["enhanced"].visits_allocated) == (2, 0, 10)
    assert (tiers["significant"].visits_done, tiers["significant"].visits_allocated, tiers["significant"].percent_used) == (3, 12, 25)
    assert result.not_visited_count == 2
    assert [(u.school.name, u.last_visit) for u in result.not_visited] == [
        ("Birch High", date(2023, 3, 1)), ("Fir Academy", date(2026, 7, 1))]

    page = client.get("/overview").get_data(as_text=True)
    visits = overview_table(page, "visits-by-adviser")
    assert re.search(rf'data-adviser="{adviser.id}">.*?<td[^>]*>3</td>\s*<td[^>]*data-term="autumn-2026">4</td>', visits, re.S)
    assert f'href="/caseload?adviser={idle.id}"' in visits
    assert 'data-col="allocated">12<' in overview_table(page, "allocation-by-tier")
    assert f'data-col="overdue"><a class="govuk-link" href="/caseload?adviser={adviser.id}&amp;flag=overdue">3</a>' in visits
    not_visited = overview_table(page, "not-visited")
    assert names_on(not_visited) == ["Birch High", "Fir Academy"]
    assert "2 open schools with no visit since 1 September 2026" in page
    assert sia.role == "sia"


def test_overview_visits_fall_in_the_configured_terms(db, adviser, create_school, create_note):
    school = create_school(link_adviser_id=adviser.id)
    db.session.add_all([
        TermDate(term="autumn-2026", academic_year="2026/27", starts_on=date(2026, 9, 2), ends_on=date(2026, 12, 18)),
        TermDate(term="spring-2027", academic_year="2026/27", starts_on=date(2027, 1, 4), ends_on=date(2027, 3, 19)),
    ])
    db.session.commit()
    for day in (date(2026, 9, 1), date(2026, 12, 18), date(2027, 1, 5), date(2027, 3, 25), date(2027, 4, 20)):
        create_note(school=school, adviser=adviser, status="finalised", visit_date=day)
    result = service.authority_overview(on=date(2027, 5, 1))
    assert [(t.code, t.configured) for t in result.terms] == [
        ("autumn-2026", True), ("spring-2027", True), ("summer-2027", False)]
    lee = next(a for a in result.advisers if a.adviser and a.adviser.id == adviser.id)
    # 1 September is before the configured autumn term; 25 March is in the Easter holiday
    # (after the configured spring term, before the rough summer term): both count for the year.
    assert lee.visits_by_term == [1, 1, 1] and lee.visits_this_year == 5


def test_overview_pages_the_unvisited_schools(client, login_as, create_school):
    for i in range(53):
        create_school(name=f"School {i:03d}")
    login_as("admin")
    first = client.get("/overview").get_data(as_text=True)
    second = client.get("/overview?page=2").get_data(as_text=True)
    assert len(names_on(overview_table(first, "not-visited"))) == 50
    assert names_on(overview_table(second, "not-visited")) == ["School 050", "School 051", "School 052"]
    assert client.get("/overview?page=99").status_code == 200


def test_overview_pages_the_advisers(client, login_as, create_user, create_school):
    names = [f"Adviser {i:03d}" for i in range(52)]
    for name in names:
        create_user("link_adviser", name=name)
    create_school(name="Unassigned Primary")
    login_as("admin")
    first = overview_table(client.get("/overview").get_data(as_text=True), "visits-by-adviser")
    second = overview_table(client.get("/overview?advisers=2").get_data(as_text=True), "visits-by-adviser")
    listed = lambda table: re.findall(r'href="/caseload\?adviser=\d+">([^<]+)</a>', table)  # noqa: E731
    assert listed(first) == names[:50] and listed(second) == names[50:]
    # The schools with no link adviser close every page.
    assert 'data-adviser="none"' in first and 'data-adviser="none"' in second
    result = service.authority_overview(on=TODAY, adviser_page=99)
    assert (result.adviser_page, result.adviser_pages, result.adviser_count) == (2, 2, 52)


# --- query counts ---------------------------------------------------------------------------

def add_history(db, adviser, schools, years):
    """`years` years of visits (six a year) with actions, some still open, for each school."""
    from lea_support.casework.models import NoteOfVisit

    for school in schools:
        for y in range(years):
            for k in range(6):
                day = TODAY - timedelta(days=365 * y + 50 * k + 1)
                note = NoteOfVisit(school_id=school.id, adviser_id=adviser.id, visit_date=day,
                                   visit_type_code="core_support", status="sent" if k == 5 else "finalised",
                                   purpose="History", support_aspects=[])
                note.actions = [AgreedAction(description="Act", owner="Head", due_on=day + timedelta(days=30),
                                             status="open" if k % 2 else "done")]
                db.session.add(note)
        db.session.add(NoteOfVisit(school_id=school.id, adviser_id=adviser.id, visit_date=TODAY + timedelta(days=9),
                                   visit_type_code="core_support", status="planned", support_aspects=[]))
    db.session.commit()


def test_query_counts_do_not_grow_with_schools_or_history(client, db, adviser, create_school, create_user):
    from tests.conftest import sign_in

    sia = create_user("sia")
    first = [create_school(link_adviser_id=adviser.id)]
    add_history(db, adviser, first, years=1)
    sign_in(client, sia.email)
    urls = ["/caseload", f"/caseload?adviser={adviser.id}", f"/caseload?adviser={adviser.id}&sort=last_visit&flag=overdue",
            f"/caseload?adviser={adviser.id}&format=csv", "/overview"]
    before = {u: count_queries(client, u) for u in urls}

    others = [create_user("link_adviser") for _ in range(3)]
    more = [create_school(link_adviser_id=adviser.id, support_tier="enhanced", mcs_level=2) for _ in range(12)]
    more += [create_school(link_adviser_id=others[i % 3].id) for i in range(6)]
    add_history(db, adviser, first + more, years=6)
    for o in others:
        add_history(db, o, more[-6:], years=2)
    db.session.add(TermDate(term="autumn-2026", academic_year="2026/27", starts_on=date(2026, 9, 2),
                            ends_on=date(2026, 12, 18)))
    db.session.commit()
    after = {u: count_queries(client, u) for u in urls}
    assert after == before
    # 13 and 16: the header's unread-notifications count is one indexed query on every page, and the
    # overview's chart of moves between tiers one grouped query (flat).
    assert before["/caseload"] <= 13 and before["/overview"] <= 16, before
