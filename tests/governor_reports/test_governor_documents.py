"""Issue 18, item 5: governors see what is theirs, read-only: their school's agreed plan (a
summary), its notices' letters and its allocation letter; another school's, never."""
from __future__ import annotations

from datetime import date, timedelta

from lea_support.rap import services as rap
from lea_support.schools import services as schools
from tests.conftest import count_queries, sign_in


def test_a_governor_reads_their_schools_plan_notices_and_letter_and_nothing_of_another(
        app, db, client, create_plan, create_school, create_user):
    plan = create_plan(agreed_on=date.today() - timedelta(weeks=3))
    school = plan.school
    other_plan = create_plan(agreed_on=date.today() - timedelta(weeks=3))
    sia = create_user("sia")
    notice = rap.issue_improvement_notice(sia, school, improvements="Raise standards in writing",
                                          comply_by=date.today() + timedelta(days=60))
    other_notice = rap.issue_improvement_notice(sia, other_plan.school, improvements="Governance",
                                                comply_by=date.today() + timedelta(days=60))
    admin = create_user("admin")
    schools.issue_annual_allocations(admin, "2026/27")
    year = "2026-27"
    db.session.commit()
    governor = create_user("governor", schools=[school])
    sign_in(client, governor.email)

    page = client.get(f"/governor/schools/{school.urn}").get_data(as_text=True)
    assert f"/governor/schools/{school.urn}/plan" in page
    assert f"/notices/{notice.id}.pdf" in page and f"/allocations/{year}/{school.urn}/letter.pdf" in page
    counted = count_queries(client, f"/governor/schools/{school.urn}/plan")
    text = client.get(f"/governor/schools/{school.urn}/plan").get_data(as_text=True)
    assert "Objective 1: raise attainment" in text and "Measure 1" in text and "70%" in text
    assert "Actions:" in text
    assert client.get(f"/notices/{notice.id}.pdf").status_code == 200
    assert client.get(f"/allocations/{year}/{school.urn}/letter.pdf").status_code == 200
    # Read-only: the notice's page and the plan's own pages stay the LA's and the school leaders'.
    assert client.get(f"/notices/{notice.id}").status_code == 403
    assert client.get(f"/plans/{plan.id}").status_code == 403
    # Another school's: nothing.
    other = other_plan.school.urn
    assert client.get(f"/governor/schools/{other}/plan").status_code == 403
    assert client.get(f"/notices/{other_notice.id}.pdf").status_code == 403
    assert client.get(f"/allocations/{year}/{other}/letter.pdf").status_code == 403

    # The summary reads a fixed number of queries, however many objectives the plan has.
    bigger = create_plan(objectives=6, agreed_on=date.today() - timedelta(weeks=3))
    governor.schools.append(bigger.school)
    db.session.commit()
    assert count_queries(client, f"/governor/schools/{bigger.school.urn}/plan") == counted


def test_a_school_without_an_agreed_plan_says_so(db, client, create_plan, create_user):
    plan = create_plan(status="draft")
    governor = create_user("governor", schools=[plan.school])
    sign_in(client, governor.email)
    page = client.get(f"/governor/schools/{plan.school.urn}/plan").get_data(as_text=True)
    assert "no agreed Raising Achievement Plan" in page and "Objective 1" not in page
