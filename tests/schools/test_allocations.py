"""The Annual Support Allocation: defaults by tier, adjustments with a reason, CSV export."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from lea_support.core.errors import DomainError
from lea_support.schools import services
from tests.conftest import submit


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
