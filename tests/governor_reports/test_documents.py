"""The service's other documents through the same renderer: the Raising Achievement Plan. (The
Annual Support Allocation letter is the schools area's: tests/schools/test_allocation_letter.py.)"""
from __future__ import annotations

from decimal import Decimal

from tests.conftest import sign_in
from tests.governor_reports.conftest import read_pdf


def test_the_plan_as_a_pdf(app, db, client, create_plan, login_as, create_user):
    plan = create_plan(objectives=2)
    draft = create_plan(school=plan.school, status="draft", objectives=1)
    plan.standards_fund = Decimal("1500.00")
    db.session.commit()
    login_as("link_adviser")
    response = client.get(f"/plans/{plan.id}/pdf")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="raising-achievement-plan-{plan.school.urn}-v1.pdf"')
    _, text = read_pdf(response.data)
    for expected in (f"Raising Achievement Plan: {plan.school.name}, version 1", f"URN {plan.school.urn}",
                     "Agreed, 10 December 2026", "SIP 2026-27", "£1,500.00", "Objective 1: Objective 1: raise attainment",
                     "Measure 1 50% 70%", "Action for objective 1 English lead", "10 December 2026 to 4 February 2027",
                     "Mid-point review 18 February 2027"):
        assert expected in text, expected
    assert "not yet agreed" not in text
    _, draft_text = read_pdf(client.get(f"/plans/{draft.id}/pdf").data)
    assert "draft: not yet agreed" in draft_text.lower()
    governor, governor_client = create_user("governor", schools=[plan.school]), app.test_client()
    assert sign_in(governor_client, governor.email).status_code == 302
    assert governor_client.get(f"/plans/{plan.id}/pdf").status_code == 403
