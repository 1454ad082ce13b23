"""Raising Achievement Plans: drafting (from a published review, keeping links), objectives,
success criteria, actions and their derived RAG status, resources and adviser time, submission,
sign-off and freezing, amendments as versions, and comparing versions."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from lea_support.core.errors import DomainError
from lea_support.core.models import AuditEntry
from lea_support.rap import services
from lea_support.rap.models import (
    PlanAction,
    PlanObjective,
    RaisingAchievementPlan,
    SuccessCriterion,
    TimeUsed,
    rag_status,
)
from lea_support.schools.models import SchoolEvent
from tests.conftest import count_queries, make_review_happen, sign_in, submit

TODAY = date(2026, 11, 23)


def published_review(db, school, create_review):
    from lea_support.reviews import reporting

    review = make_review_happen(create_review(school=school, stage="evaluation"))
    reporting.record_evaluation(review.lead, review, [
        reporting.AspectJudgement(aspect_id=a.id, agreed_grade=3) for a in review.framework.aspects],
        overall_grade=3, overall_rationale="")
    reporting.save_findings(review.lead, review, [reporting.FindingData("works_well", "Reading"),
                                                  reporting.FindingData("more_effective", "Writing in KS2"),
                                                  reporting.FindingData("more_effective", "Attendance")])
    reporting.publish_report(review.lead, review)
    db.session.commit()
    return review


@pytest.fixture
def setting(db, create_school, create_user):
    school = create_school(support_tier="significant", mcs_level=3)
    sia = create_user("sia")
    head = create_user("school_leader", schools=[school])
    return school, sia, head


def complete_plan(db, sia, school) -> RaisingAchievementPlan:
    """A draft with one objective that has a success criterion and an action."""
    plan = services.draft_plan(sia, school, sip_reference="SIP 2026-27 priority 1")
    objective = services.add_objective(sia, plan, "Raise attainment in writing")
    services.add_criterion(sia, objective, measure="KS2 writing at expected", baseline="52%", target="70%",
                           by_when=date(2027, 7, 1))
    services.add_action(sia, objective, services.ActionData(
        what="Writing CPD for all staff", owner_id=None, owner_role="English lead", starts_on=date(2026, 12, 1),
        due_on=date(2027, 2, 1)))
    db.session.commit()
    return plan


def agree(db, plan, sia, head, on=date(2026, 12, 10)):
    services.submit_plan(sia, plan)
    services.sign_off_plan(head, plan, on=on)
    services.sign_off_plan(sia, plan, on=on, midpoint_review_on=on + timedelta(weeks=10))
    db.session.commit()
    return plan


# --- RAG: derived from dates and status ---------------------------------------------------------

@pytest.mark.parametrize("status, starts, due, expected", [
    ("done", -30, -10, "complete"),                 # done is complete even when the due date has passed
    ("done", 5, 60, "complete"),
    ("in_progress", -30, -1, "red"),                # due passed and not done
    ("not_started", -30, -1, "red"),
    ("dropped", -30, -1, "red"),
    ("not_started", -1, 60, "amber"),               # start passed and not started
    ("not_started", 0, 60, "green"),                # starts today: not yet late
    ("not_started", 5, 14, "amber"),                # due within 14 days and not in progress
    ("not_started", 5, 15, "green"),
    ("in_progress", -10, 7, "green"),               # due soon but under way
    ("in_progress", -10, 0, "green"),               # due today, under way
    ("not_started", 1, 30, "green"),
])
def test_rag_is_derived_from_dates_and_status(status, starts, due, expected):
    assert rag_status(status, TODAY + timedelta(days=starts), TODAY + timedelta(days=due), TODAY) == expected


def test_rag_is_not_stored():
    assert "rag" not in PlanAction.__table__.columns


# --- drafting -----------------------------------------------------------------------------------

def test_drafting_from_a_published_review_offers_its_more_effective_points_keeping_links(
        db, setting, create_review, client):
    school, sia, _ = setting
    review = published_review(db, school, create_review)
    sign_in(client, sia.email)
    page = client.get(f"/schools/{school.urn}/plans/new?review={review.id}").get_data(as_text=True)
    assert "Writing in KS2" in page and "Attendance" in page and "Reading" not in page
    findings = services.more_effective_findings(review)
    response = submit(client, f"/schools/{school.urn}/plans/new?review={review.id}",
                      {"sip_reference": "SIP priority 2", "finding_ids": [findings[0].id]})
    assert response.status_code == 302
    plan = db.session.scalars(select(RaisingAchievementPlan)).one()
    assert plan.source_review_id == review.id and plan.drafted_by_id == sia.id and plan.status == "draft"
    assert [(o.text, o.source_finding_id) for o in plan.objectives] == [("Writing in KS2", findings[0].id)]
    assert "Writing in KS2" in client.get(f"/plans/{plan.id}").get_data(as_text=True)


def test_a_plan_cannot_be_drafted_from_an_unpublished_review(db, setting, create_review):
    school, sia, _ = setting
    review = create_review(school=school, stage="fieldwork")
    with pytest.raises(DomainError, match="published review"):
        services.draft_plan(sia, school, review=review)


def test_drafting_from_scratch(db, setting, client):
    school, sia, _ = setting
    sign_in(client, sia.email)
    response = submit(client, f"/schools/{school.urn}/plans/new", {"sip_reference": "Post-Ofsted action plan"})
    assert response.status_code == 302
    plan = db.session.scalars(select(RaisingAchievementPlan)).one()
    assert plan.sip_reference == "Post-Ofsted action plan" and plan.objectives == [] and plan.version == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "plan.draft")) == 1


# --- objectives, criteria, actions, resources, time: each rule through services and routes -------

def test_rules_on_criteria_and_actions(db, setting):
    school, sia, _ = setting
    plan = services.draft_plan(sia, school)
    with pytest.raises(DomainError, match="Enter the objective"):
        services.add_objective(sia, plan, "  ")
    objective = services.add_objective(sia, plan, "Improve attendance")
    with pytest.raises(DomainError, match="Enter the target"):
        services.add_criterion(sia, objective, measure="Attendance", baseline="91%", target="", by_when=date(2027, 7, 1))
    base = dict(what="Meet families", owner_id=None, owner_role="Head", starts_on=date(2027, 1, 5),
                due_on=date(2027, 1, 4))
    with pytest.raises(DomainError, match="due date must be on or after the start"):
        services.add_action(sia, objective, services.ActionData(**base))
    with pytest.raises(DomainError, match="Choose a person or name a role"):
        services.add_action(sia, objective, services.ActionData(**{**base, "owner_role": "", "due_on": date(2027, 2, 1)}))
    with pytest.raises(DomainError, match="not both"):
        services.add_action(sia, objective, services.ActionData(**{**base, "owner_id": sia.id, "due_on": date(2027, 2, 1)}))
    action = services.add_action(sia, objective, services.ActionData(**{**base, "owner_role": "",
                                                                        "owner_id": sia.id, "due_on": date(2027, 2, 1)}))
    assert action.owner_name == sia.name


def test_standards_fund_and_days(db, setting, create_user):
    school, sia, _ = setting
    plan = services.draft_plan(sia, school)
    with pytest.raises(DomainError, match="cannot be negative"):
        services.update_plan(sia, plan, sip_reference="", standards_fund="-5", professional_development="")
    with pytest.raises(DomainError, match="amount in pounds"):
        services.update_plan(sia, plan, sip_reference="", standards_fund="lots", professional_development="")
    services.update_plan(sia, plan, sip_reference="", standards_fund="£2,500.50", professional_development="INSET")
    assert plan.standards_fund == Decimal("2500.50")
    consultant = create_user("project_team")
    with pytest.raises(DomainError, match="like autumn-2026"):
        services.allocate_time(sia, plan, user_id=consultant.id, term="Autumn 26", days="4")
    allocation = services.allocate_time(sia, plan, user_id=consultant.id, term="autumn-2026", days="4")
    # Days are used once the plan is agreed (see test_time_logging.py), not on a draft.
    with pytest.raises(DomainError, match="once the plan has been agreed"):
        services.log_time_used(sia, allocation, used_on=date(2026, 11, 20), days="1.5", note="Writing INSET")
    db.session.commit()
    assert allocation.days_used == Decimal("0") and allocation.days == Decimal("4")


def test_bad_input_through_routes_names_what_to_fix_keeps_text_and_saves_nothing(db, setting, client):
    school, sia, _ = setting
    plan = services.draft_plan(sia, school)
    db.session.commit()
    sign_in(client, sia.email)
    edit = f"/plans/{plan.id}/edit"
    response = submit(client, edit, {"version_id": str(plan.version_id), "sip_reference": "My SIP note",
                                     "standards_fund": "-20", "professional_development": "Typed PD"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Standards Fund amount cannot be negative" in page and "My SIP note" in page and "Typed PD" in page
    db.session.refresh(plan)
    assert plan.sip_reference == "" and plan.standards_fund is None

    response = submit(client, f"/plans/{plan.id}/objectives", {"objective-text": ""}, form_url=edit)
    assert response.status_code == 422 and "Enter the objective" in response.get_data(as_text=True)
    response = submit(client, f"/plans/{plan.id}/objectives", {"objective-text": "Improve writing"}, form_url=edit)
    assert response.status_code == 302
    objective = db.session.scalars(select(PlanObjective)).one()
    page_url = f"/plans/{plan.id}/objectives/{objective.id}"
    response = submit(client, f"{page_url}/actions", {
        "action-what": "Phonics training", "action-owner_role": "Reading lead",
        "action-starts_on": ["1", "2", "2027"], "action-due_on": ["1", "1", "2027"],
        "action-status": "not_started"}, form_url=page_url)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The due date must be on or after the start date" in page and "Phonics training" in page
    assert db.session.scalar(select(func.count()).select_from(PlanAction)) == 0
    response = submit(client, f"{page_url}/criteria", {
        "criterion-measure": "Writing at expected", "criterion-baseline": "50%", "criterion-target": "70%",
        "criterion-by_when": ["1", "7", "2027"]}, form_url=page_url)
    assert response.status_code == 302
    assert db.session.scalars(select(SuccessCriterion)).one().target == "70%"


def test_a_second_save_of_the_plan_details_gets_a_conflict_and_loses_nothing(db, setting, client):
    school, sia, _ = setting
    plan = services.draft_plan(sia, school)
    db.session.commit()
    stale = plan.version_id
    services.update_plan(sia, plan, sip_reference="Theirs", standards_fund="100", professional_development="")
    db.session.commit()
    sign_in(client, sia.email)
    response = submit(client, f"/plans/{plan.id}/edit", {"version_id": str(stale), "sip_reference": "Mine",
                                                         "standards_fund": "200", "professional_development": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "changed by someone else" in page and "Mine" in page and "Theirs" in page
    db.session.refresh(plan)
    assert plan.sip_reference == "Theirs"


# --- submission, sign-off, freezing -------------------------------------------------------------

def test_submit_refuses_naming_each_incomplete_objective(db, setting, client):
    school, sia, _ = setting
    plan = services.draft_plan(sia, school)
    with pytest.raises(DomainError, match="at least one objective"):
        services.submit_plan(sia, plan)
    services.add_objective(sia, plan, "Improve writing")
    second = services.add_objective(sia, plan, "Improve attendance")
    services.add_criterion(sia, second, measure="Attendance", baseline="91%", target="95%", by_when=date(2027, 7, 1))
    db.session.commit()
    sign_in(client, sia.email)
    response = submit(client, f"/plans/{plan.id}/submit", {}, form_url=f"/plans/{plan.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "objective 1 (“Improve writing”) needs success criteria and actions" in page
    assert "objective 2 (“Improve attendance”) needs actions" in page
    db.session.refresh(plan)
    assert plan.status == "draft"


def test_agreement_needs_both_sign_offs_then_freezes_the_plan(db, setting, client, create_user):
    school, sia, head = setting
    plan = complete_plan(db, sia, school)
    sign_in(client, sia.email)
    assert submit(client, f"/plans/{plan.id}/submit", {}, form_url=f"/plans/{plan.id}").status_code == 302
    assert client.get(f"/plans/{plan.id}/edit").status_code == 403
    other_head = create_user("school_leader", schools=[create_school_other(db)])
    with pytest.raises(DomainError):
        services.sign_off_plan(other_head, plan)
    db.session.rollback()
    client2 = client.application.test_client()
    sign_in(client2, head.email)
    assert submit(client2, f"/plans/{plan.id}/sign-off", {}, form_url=f"/plans/{plan.id}").status_code == 302
    db.session.refresh(plan)
    assert plan.status == "submitted" and plan.school_signed_by_id == head.id
    client3 = client.application.test_client()
    sign_in(client3, sia.email)
    midpoint = date.today() + timedelta(weeks=10)
    assert submit(client3, f"/plans/{plan.id}/sign-off",
                  {"midpoint_review_on": [str(midpoint.day), str(midpoint.month), str(midpoint.year)]},
                  form_url=f"/plans/{plan.id}").status_code == 302
    db.session.refresh(plan)
    assert plan.status == "agreed" and plan.agreed_on == date.today() and plan.midpoint_review_on == midpoint
    assert db.session.scalars(select(SchoolEvent).where(SchoolEvent.kind == "plan_agreed")).one().school_id == school.id
    # Frozen: refused at the door and by the services.
    objective = plan.objectives[0]
    assert client3.get(f"/plans/{plan.id}/edit").status_code == 403
    assert submit(client3, f"/plans/{plan.id}/objectives", {"objective-text": "More"},
                  form_url=f"/plans/{plan.id}").status_code == 403
    with pytest.raises(DomainError, match="frozen"):
        services.add_objective(sia, plan, "More")
    with pytest.raises(DomainError, match="frozen"):
        services.add_criterion(sia, objective, measure="m", baseline="", target="t", by_when=date(2027, 1, 1))
    with pytest.raises(DomainError, match="frozen"):
        services.update_plan(sia, plan, sip_reference="x", standards_fund="", professional_development="")
    db.session.rollback()


def create_school_other(db):
    from lea_support.schools.models import School

    school = School(urn=899999, la_code="999", la_name="Test LA", establishment_number="9999", name="Other",
                    type_name="Community school", phase="Primary", status="Open")
    db.session.add(school)
    db.session.commit()
    return school


def test_governors_see_nothing_of_plans(db, setting, client, create_user):
    school, sia, _ = setting
    plan = complete_plan(db, sia, school)
    governor = create_user("governor", schools=[school])
    sign_in(client, governor.email)
    assert client.get(f"/schools/{school.urn}/plans").status_code == 403
    assert client.get(f"/plans/{plan.id}").status_code == 403


# --- amendments and comparison ------------------------------------------------------------------

def test_an_amendment_is_version_2_and_version_1_is_unchanged(db, setting, client):
    school, sia, head = setting
    plan = agree(db, complete_plan(db, sia, school), sia, head)
    sign_in(client, sia.email)
    response = submit(client, f"/plans/{plan.id}/amend", {"reason": ""}, form_url=f"/plans/{plan.id}")
    assert response.status_code == 422 and "Enter the reason for the amendment" in response.get_data(as_text=True)
    response = submit(client, f"/plans/{plan.id}/amend", {"reason": "New actions from the project team"},
                      form_url=f"/plans/{plan.id}")
    assert response.status_code == 302
    v2 = db.session.scalars(select(RaisingAchievementPlan).where(RaisingAchievementPlan.version == 2)).one()
    assert v2.root_id == plan.id and v2.status == "draft" and v2.amendment_reason == "New actions from the project team"
    assert [o.text for o in v2.objectives] == ["Raise attainment in writing"]
    assert v2.objectives[0].criteria[0].target == "70%" and v2.objectives[0].actions[0].owner_role == "English lead"
    services.add_objective(sia, v2, "Improve attendance")
    v2.objectives[0].actions[0].what = "Writing CPD for all staff, twice"
    db.session.commit()
    db.session.refresh(plan)
    assert plan.status == "agreed" and [o.text for o in plan.objectives] == ["Raise attainment in writing"]
    assert plan.objectives[0].actions[0].what == "Writing CPD for all staff"
    assert client.get(f"/plans/{plan.id}").status_code == 200
    with pytest.raises(DomainError, match="Version 2 of this plan already exists"):
        services.amend_plan(sia, plan, reason="Again")

    compare = client.get(f"/plans/{v2.id}/compare?a=1&b=2")
    page = compare.get_data(as_text=True)
    assert compare.status_code == 200
    assert "<ins>Objective 2: Improve attendance</ins>" in page
    assert "<del>  Action: Writing CPD for all staff; owner" in page
    assert "<ins>  Action: Writing CPD for all staff, twice; owner" in page
    assert client.get(f"/plans/{v2.id}/compare?a=1&b=3").status_code == 404


def test_amending_needs_an_agreed_plan(db, setting):
    school, sia, _ = setting
    plan = complete_plan(db, sia, school)
    with pytest.raises(DomainError, match="Only an agreed plan"):
        services.amend_plan(sia, plan, reason="x")


def test_time_used_is_logged_on_an_agreed_plan_and_shown_against_the_allocation(db, setting, client, create_user):
    school, sia, head = setting
    plan = complete_plan(db, sia, school)
    consultant = create_user("project_team", name="Cora Consultant")
    allocation = services.allocate_time(sia, plan, user_id=consultant.id, term="spring-2027", days="5")
    db.session.commit()
    agree(db, plan, sia, head, on=date.today() - timedelta(days=20))
    sign_in(client, consultant.email)
    url = f"/plans/{plan.id}/allocations/{allocation.id}/used"
    week_ago = date.today() - timedelta(days=7)
    used_on = [str(week_ago.day), str(week_ago.month), str(week_ago.year)]
    response = submit(client, url, {"used_on": used_on, "days": "-2", "note": "Typed note"},
                      form_url=f"/plans/{plan.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Days used cannot be negative" in page and "Typed note" in page
    assert db.session.scalar(select(func.count()).select_from(TimeUsed)) == 0
    response = submit(client, url, {"used_on": used_on, "days": "1", "note": "Year 5 team"},
                      form_url=f"/plans/{plan.id}")
    assert response.status_code == 302
    assert "1.0 of 5.0" in client.get(f"/plans/{plan.id}").get_data(as_text=True)


def test_criteria_and_actions_can_be_removed_from_a_draft_only(db, setting, client):
    school, sia, head = setting
    plan = complete_plan(db, sia, school)
    objective = plan.objectives[0]
    sign_in(client, sia.email)
    page = f"/plans/{plan.id}/objectives/{objective.id}"
    action, criterion = objective.actions[0], objective.criteria[0]
    assert submit(client, f"{page}/actions/{action.id}/delete", {}, form_url=page).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(PlanAction)) == 0
    assert submit(client, f"{page}/criteria/{criterion.id}/delete", {}, form_url=page).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(SuccessCriterion)) == 0
    agreed = agree(db, complete_plan(db, sia, school), sia, head)
    with pytest.raises(DomainError, match="frozen"):
        services.delete_action(sia, agreed.objectives[0].actions[0])


def test_the_plan_page_query_count_does_not_grow_with_its_contents(app, db, setting, client, create_user):
    school, sia, _head = setting
    plan = complete_plan(db, sia, school)
    sign_in(client, sia.email)

    def queries() -> int:
        return count_queries(client, f"/plans/{plan.id}")

    before = queries()
    owner = create_user("project_team")
    for n in range(3):
        objective = services.add_objective(sia, plan, f"Objective {n}")
        services.add_criterion(sia, objective, measure=f"Measure {n}", baseline="1", target="2",
                               by_when=date(2027, 7, 1))
        for k in range(2):
            services.add_action(sia, objective, services.ActionData(
                what=f"Action {n}.{k}", owner_id=owner.id, owner_role="", starts_on=date(2026, 12, 1),
                due_on=date(2027, 2, 1)))
    db.session.commit()
    assert queries() == before
