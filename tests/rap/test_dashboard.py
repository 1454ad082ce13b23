"""The plans dashboard: open plans with overdue actions, RAG summary, next mid-point review and days
used against allocated; a school leader's view of their own school's plan; a fixed query count."""
from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lea_support.rap import services
from lea_support.rap.models import PlanAction, rag_expression, rag_status
from tests.conftest import count_queries, sign_in

TODAY = date.today()


def test_rag_in_sql_matches_rag_in_python(db, create_plan):
    plan = create_plan(status="draft", objectives=1)
    objective = plan.objectives[0]
    days = [-20, -1, 0, 1, 13, 14, 15, 40]
    cases = [(status, start, due) for status in ("not_started", "in_progress", "done", "dropped")
             for start, due in itertools.product(days, days) if due >= start]
    for status, start, due in cases:
        objective.actions.append(PlanAction(what=f"{status} {start} {due}", owner_role="Head", status=status,
                                            starts_on=TODAY + timedelta(days=start),
                                            due_on=TODAY + timedelta(days=due)))
    db.session.commit()
    in_sql = dict(db.session.execute(select(PlanAction.id, rag_expression(TODAY))
                                     .where(PlanAction.objective_id == objective.id)).all())
    for action in objective.actions:
        assert in_sql[action.id] == rag_status(action.status, action.starts_on, action.due_on, TODAY), action.what


@pytest.fixture
def plans(db, create_plan, create_user, create_school):
    """An agreed plan with overdue actions and an overdue mid-point review, a plan agreed recently,
    a draft, and a plan of a school since moved out of significant support."""
    adviser = create_user("link_adviser")
    late_school = create_school(name="Overdue Primary", support_tier="significant", mcs_level=3,
                                link_adviser_id=adviser.id)
    late = create_plan(school=late_school, agreed_on=TODAY - timedelta(weeks=12))
    recent = create_plan(school=create_school(name="Recent Academy", support_tier="significant", mcs_level=3),
                         agreed_on=TODAY - timedelta(days=1))
    draft = create_plan(school=create_school(name="Draft Infants", support_tier="significant", mcs_level=4),
                        status="draft")
    gone = create_plan(school=create_school(name="Enhanced Juniors", support_tier="enhanced", mcs_level=2))
    return {"late": late, "recent": recent, "draft": draft, "gone": gone, "adviser": adviser}


def test_dashboard_lists_open_plans_with_their_figures(db, client, plans, create_user):
    sign_in(client, create_user("sia").email)
    page = client.get("/plans")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Overdue Primary" in html and "Recent Academy" in html and "Draft Infants" in html
    assert "Enhanced Juniors" not in html  # no longer in significant support
    summary = services.dashboard_summary(services.DashboardFilters())
    assert summary.plans == 3
    assert summary.with_overdue == 1
    assert summary.reviews_overdue == 1  # the late plan's review was due two weeks ago
    rows = services.dashboard_rows(services.open_plans(services.DashboardFilters()), page=1, per_page=50)
    late = next(r for r in rows if r.plan.id == plans["late"].id)
    assert late.overdue == 2 and late.next_review_on == TODAY - timedelta(weeks=2)
    assert "Overdue</strong>" in html


def test_dashboard_filters(db, client, plans, create_user):
    sign_in(client, plans["adviser"].email)
    html = client.get("/plans?overdue=1").get_data(as_text=True)
    assert "Overdue Primary" in html and "Recent Academy" not in html
    html = client.get("/plans?mine=1").get_data(as_text=True)
    assert "Overdue Primary" in html and "Draft Infants" not in html
    html = client.get("/plans?q=recent").get_data(as_text=True)
    assert "Recent Academy" in html and "Overdue Primary" not in html


def test_a_plans_first_open_due_date_is_kept_with_its_actions(db, create_plan, create_user):
    from lea_support.rap.models import RaisingAchievementPlan

    def first_open_due(plan_id):
        db.session.expire_all()
        return db.session.get(RaisingAchievementPlan, plan_id).first_open_due_on

    plan = create_plan(status="draft", agreed_on=TODAY)
    assert first_open_due(plan.id) == TODAY + timedelta(weeks=8)
    objective = db.session.get(RaisingAchievementPlan, plan.id).objectives[0]
    sia = plan.drafted_by
    early = services.add_action(sia, objective, services.ActionData(
        what="Early", owner_id=None, owner_role="Head", starts_on=TODAY - timedelta(days=9),
        due_on=TODAY - timedelta(days=2)))
    db.session.commit()
    assert first_open_due(plan.id) == TODAY - timedelta(days=2)
    services.delete_action(sia, db.session.get(PlanAction, early.id))
    db.session.commit()
    assert first_open_due(plan.id) == TODAY + timedelta(weeks=8)
    for action in db.session.scalars(select(PlanAction)):
        action.status = "done"
    db.session.commit()
    assert first_open_due(plan.id) is None


def test_days_used_against_allocated(db, create_plan, create_user):
    sia, consultant = create_user("sia"), create_user("project_team")
    plan = create_plan(sia=sia, status="draft")
    allocation = services.allocate_time(sia, plan, user_id=consultant.id, term="spring-2027", days="5")
    services.submit_plan(sia, plan)
    head = create_user("school_leader", schools=[plan.school])
    services.sign_off_plan(head, plan, on=TODAY)
    services.sign_off_plan(sia, plan, on=TODAY, midpoint_review_on=TODAY + timedelta(weeks=9))
    services.log_time_used(consultant, allocation, used_on=TODAY, days="0.5")
    db.session.commit()
    [row] = services.dashboard_rows(services.open_plans(services.DashboardFilters()), page=1, per_page=50)
    assert (row.days_used, row.days_allocated) == (0.5, 5)
    assert row.next_review_on == TODAY + timedelta(weeks=9)


def test_a_school_leader_sees_only_their_own_schools_plans(db, client, plans, create_user):
    head = create_user("school_leader", schools=[plans["recent"].school])
    sign_in(client, head.email)
    html = client.get("/plans").get_data(as_text=True)
    assert "Recent Academy" in html and "Overdue Primary" not in html and "Draft Infants" not in html


def test_governors_do_not_see_the_dashboard(db, client, plans, create_user):
    sign_in(client, create_user("governor", schools=[plans["recent"].school]).email)
    assert client.get("/plans").status_code == 403


def test_dashboard_query_count_does_not_grow_with_plans(db, client, create_plan, create_user):
    create_plan(agreed_on=TODAY - timedelta(weeks=12))
    sign_in(client, create_user("admin").email)

    def queries() -> int:
        return count_queries(client, "/plans")

    before = queries()
    for _ in range(4):
        create_plan(agreed_on=TODAY - timedelta(weeks=3), objectives=3)
    assert queries() == before
    assert len(services.dashboard_rows(services.open_plans(services.DashboardFilters()), page=1, per_page=50)) == 5
