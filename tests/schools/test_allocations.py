"""The Annual Support Allocation: defaults by tier, adjustments with a reason, CSV export."""
from __future__ import annotations

import csv
import html
import io
import re
from decimal import Decimal

import pytest
from sqlalchemy import event

from lea_support.core.errors import DomainError
from lea_support.schools import services
from tests.conftest import count_queries, submit


def test_issuing_gives_each_open_school_its_tiers_defaults_once(db, create_school, create_user):
    light = create_school()
    significant = create_school(support_tier="significant", mcs_level=4)
    create_school(status="Closed")
    assert services.issue_annual_allocations(None, "2026/27") == 2
    assert services.issue_annual_allocations(None, "2026/27") == 0
    assert services.allocation_for(light, "2026/27").link_visits == 3
    allocation = services.allocation_for(significant, "2026/27")
    assert (allocation.link_visits, allocation.consultant_days) == (9, Decimal("15.0"))


def test_adjusting_needs_a_reason_and_sane_numbers(db, create_school, create_user):
    sia, school = create_user("sia"), create_school()
    with pytest.raises(DomainError, match="reason"):
        services.adjust_allocation(sia, school, "2026/27", link_visits=4, consultant_days=1, reason="")
    with pytest.raises(DomainError, match="whole number"):
        services.adjust_allocation(sia, school, "2026/27", link_visits="four", consultant_days=1, reason="x")
    with pytest.raises(DomainError, match="between 0 and 365"):
        services.adjust_allocation(sia, school, "2026/27", link_visits=4, consultant_days=-1, reason="x")
    allocation = services.adjust_allocation(sia, school, "2026/27", link_visits=6, consultant_days="2.5",
                                            reason="New headteacher")
    assert (allocation.link_visits, allocation.consultant_days, allocation.is_adjusted) == (6, Decimal("2.5"), True)


def test_adjusting_through_the_page(client, login_as, create_school, db):
    school = create_school()
    login_as("sia")
    bad = submit(client, f"/allocations/2026-27/{school.urn}",
                 {"link_visits": "lots", "consultant_days": "2", "reason": "Typed reason"})
    assert bad.status_code == 422
    assert "whole number" in bad.get_data(as_text=True) and "Typed reason" in bad.get_data(as_text=True)
    good = submit(client, f"/allocations/2026-27/{school.urn}",
                  {"link_visits": "5", "consultant_days": "2", "reason": "Typed reason"})
    assert good.status_code == 302
    assert "5 link adviser visits" in client.get(f"/schools/{school.urn}").get_data(as_text=True)


def test_csv_export_neutralises_formulas(client, login_as, create_school, db):
    create_school(name="=HYPERLINK(\"http://evil\")")
    create_school(name="Plain School")
    login_as("link_adviser")
    response = client.get("/allocations?year=2026/27&format=csv")
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    names = [r[1] for r in rows[1:]]
    assert "'=HYPERLINK(\"http://evil\")" in names and "Plain School" in names
    assert rows[0][:2] == ["URN", "School"]


def test_admin_changes_a_tiers_default_allocation(client, login_as, create_school, db):
    school = create_school(support_tier="enhanced", mcs_level=2)
    login_as("admin")
    bad = submit(client, "/admin/tiers/enhanced", {"name": "Enhanced support", "description": "",
                                                   "default_link_visits": "6", "default_consultant_days": "many"})
    assert bad.status_code == 422 and "Enter consultant days as a number" in bad.get_data(as_text=True)
    good = submit(client, "/admin/tiers/enhanced", {"name": "Enhanced support", "description": "More",
                                                    "default_link_visits": "6", "default_consultant_days": "7.5"})
    assert good.status_code == 302
    services.issue_annual_allocations(None, "2027/28")
    allocation = services.allocation_for(school, "2027/28")
    assert (allocation.link_visits, allocation.consultant_days) == (6, Decimal("7.5"))


# A national register: the page is paged, the CSV streamed

def _many_schools(db, n: int, *, closed: int = 0) -> None:
    from lea_support.schools.models import School

    db.session.add_all(School(urn=700000 + i, la_code="999", la_name="Test LA", establishment_number=str(2000 + i),
                              name=f"School {i:04d}", type_name="Community school", phase="Primary",
                              status="Closed" if i < closed else "Open") for i in range(n))
    db.session.commit()


def _listed(page: str) -> list[str]:
    return re.findall(r'href="/schools/\d+">(School \d+)</a>', page)


def test_the_allocation_table_is_paged_with_the_year_kept_and_a_flat_query_count(client, login_as, db):
    _many_schools(db, 125, closed=5)  # 120 open schools: pages of 50, 50 and 20
    login_as("sia")
    first = client.get("/allocations?year=2027/28")
    page = html.unescape(first.get_data(as_text=True))
    assert first.status_code == 200
    assert _listed(page) == [f"School {i:04d}" for i in range(5, 55)]
    assert "120 open schools, page 1 of 3" in page
    assert "/allocations?year=2027/28&page=2" in page  # the year is kept across pages
    last = html.unescape(client.get("/allocations?year=2027/28&page=3").get_data(as_text=True))
    assert _listed(last) == [f"School {i:04d}" for i in range(105, 125)]
    # A page beyond the last shows the last; a page number nobody could mean shows the first.
    assert _listed(html.unescape(client.get("/allocations?year=2027/28&page=99").get_data(as_text=True))) == \
        _listed(last)
    assert _listed(html.unescape(client.get("/allocations?page=" + "9" * 30).get_data(as_text=True))) == \
        _listed(page)
    assert count_queries(client, "/allocations?year=2027/28&page=1") == \
        count_queries(client, "/allocations?year=2027/28&page=3")


def test_the_allocation_csv_is_streamed_in_chunks_from_a_cursor(client, login_as, db, monkeypatch, create_school,
                                                               create_user):
    from lea_support.core import csv_export

    _many_schools(db, 130, closed=10)
    adjusted = create_school(name="Zed Academy")
    services.issue_annual_allocations(None, "2027/28")
    services.adjust_allocation(create_user("sia"), adjusted, "2027/28", link_visits=9, consultant_days="4.5", reason="New head")
    db.session.commit()
    monkeypatch.setattr(csv_export, "CHUNK_ROWS", 50)
    login_as("sia")
    streamed: list[bool] = []

    def note_streaming(_conn, _cursor, statement, _params, context, _many):
        if "support_allocations" in statement and "coalesce" in statement.lower():
            streamed.append(bool(context.execution_options.get("yield_per")))

    from lea_support.extensions import db as ext_db

    event.listen(ext_db.engine, "before_cursor_execute", note_streaming)
    try:
        response = client.get("/allocations?year=2027/28&format=csv", stream=True)
        assert response.is_streamed
        chunks = list(response.iter_encoded())
    finally:
        event.remove(ext_db.engine, "before_cursor_execute", note_streaming)
    assert len(chunks) >= 3  # 121 rows in chunks of 50, sent as they are written
    assert streamed == [True]  # one query, read from the database a chunk at a time
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))
    assert rows[0] == services.ALLOCATION_CSV_HEADER
    assert len(rows) == 1 + 121
    assert rows[1][:2] == ["700010", "School 0010"]
    assert rows[-1][1:] == ["Zed Academy", "Primary", "Light touch core support", "1", "9", "4.5", "Adjusted", "New head"]
