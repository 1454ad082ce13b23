"""Allocations that follow the tier: a tier change part-way through the year proposes the new
tier's allocation pro rata for the rest of the year (accepted, or changed with a reason), the
allocation letter and governor reports then quote it."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lea_support.core.terms import academic_year_for
from lea_support.schools import services
from lea_support.schools.models import School
from tests.casework.test_pdf import read_pdf
from tests.conftest import submit

YEAR = academic_year_for(date.today())
SLUG = YEAR.replace("/", "-")


@pytest.fixture
def light(db, create_school):
    """A light-touch school with this year's allocation issued (3 visits, no consultant days)."""
    school = create_school(name="Cedar Primary")
    services.issue_annual_allocations(None, YEAR)
    db.session.commit()
    return school


def escalate(client, school):
    return submit(client, f"/schools/{school.urn}/support",
                  {"support_tier": "significant", "mcs_level": "3", "cause_for_concern": "", "reason": "Results fell"})


def test_the_proposal_is_the_old_allocation_for_the_year_gone_and_the_new_tiers_for_the_rest(db, light):
    light.support_tier, light.mcs_level = "significant", 3
    db.session.commit()
    spring = date(int(YEAR[:4]) + 1, 3, 2)  # 183 of the year's 365 days still to run
    proposal = services.tier_allocation_proposal(light, spring)
    assert (proposal.previous_visits, proposal.previous_days) == (3, Decimal("0.0"))
    assert (proposal.link_visits, proposal.consultant_days) == (6, Decimal("7.5"))  # 3x0.4986+9x0.5014; 15x0.5014
    assert "Significant" in proposal.tier_name


def test_a_tier_change_proposes_the_allocation_and_accepting_it_reissues_it(db, client, login_as, light):
    login_as("sia")
    decided = escalate(client, light)
    assert decided.status_code == 302 and decided.location.endswith(f"/schools/{light.urn}/allocation/follow-tier")
    school = db.session.get(School, light.id)
    proposal = services.tier_allocation_proposal(school)
    page = client.get(decided.location).get_data(as_text=True)
    assert f"{proposal.link_visits} link adviser visits and {proposal.days_text} consultant days" in page
    assert "Re-issue for the new tier" in client.get(f"/schools/{light.urn}").get_data(as_text=True)

    accepted = submit(client, decided.location, {"link_visits": str(proposal.link_visits),
                                                 "consultant_days": proposal.days_text, "reason": ""})
    assert accepted.status_code == 302, accepted.get_data(as_text=True)[-1500:]
    db.session.expire_all()
    allocation = services.allocation_for(school, YEAR)
    assert (allocation.support_tier, allocation.link_visits, allocation.consultant_days) == (
        "significant", proposal.link_visits, proposal.consultant_days)
    assert allocation.adjustment_reason.startswith("Pro rata for the move to")
    assert services.tier_allocation_proposal(school) is None
    assert client.get(decided.location).status_code == 302  # nothing left to follow
    assert "Re-issue for the new tier" not in client.get(f"/schools/{light.urn}").get_data(as_text=True)

    letter = client.get(f"/allocations/{SLUG}/{light.urn}/letter.pdf")
    _, text = read_pdf(letter.data)
    assert "Significant" in text and str(proposal.link_visits) in text


def test_changing_the_proposal_needs_a_reason(db, client, login_as, light):
    login_as("sia")
    url = escalate(client, light).location
    refused = submit(client, url, {"link_visits": "8", "consultant_days": "10", "reason": ""})
    assert refused.status_code == 422 and "reason for changing the proposed allocation" in refused.get_data(as_text=True)
    saved = submit(client, url, {"link_visits": "8", "consultant_days": "10", "reason": "Two extra visits agreed"})
    assert saved.status_code == 302
    db.session.expire_all()
    allocation = services.allocation_for(db.session.get(School, light.id), YEAR)
    assert (allocation.link_visits, allocation.consultant_days) == (8, Decimal("10.0"))
    assert allocation.adjustment_reason.endswith("Adjusted: Two extra visits agreed")


def test_without_an_allocation_issued_there_is_nothing_to_follow(db, client, login_as, create_school):
    school = create_school()
    login_as("sia")
    decided = escalate(client, school)
    assert decided.status_code == 302 and decided.location.endswith(f"/schools/{school.urn}")
    assert client.get(f"/schools/{school.urn}/allocation/follow-tier").status_code == 302


def test_a_governor_report_quotes_the_allocation_in_force(db, client, login_as, light):
    from lea_support.governor_reports.content import governor_report_content

    login_as("sia")
    url = escalate(client, light).location
    assert submit(client, url, {"link_visits": "7", "consultant_days": "6", "reason": "Agreed with the head"}
                  ).status_code == 302
    db.session.expire_all()
    term = f"autumn-{YEAR[:4]}"
    support = governor_report_content(db.session.get(School, light.id), term)["support"]
    assert (support["visits_allocated"], support["annual_consultant_days"]) == (7, "6")
