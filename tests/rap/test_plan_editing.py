"""The plan itself, beyond its first slice: the mid-point review date agreed with the plan (and its
window), evidence on actions, editing a draft in place with optimistic locking, reordering
objectives, and superseded versions once an amendment is agreed."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lea_support.core.errors import DomainError
from lea_support.core.locking import EditConflict
from lea_support.core.models import AuditEntry
from lea_support.rap import services
from lea_support.rap.models import (
    MidpointReview,
    PlanAction,
    PlanObjective,
    ProjectTeam,
    RaisingAchievementPlan,
    SuccessCriterion,
    TimeAllocation,
)
from tests.conftest import sign_in, submit

D = date(2026, 12, 10)


@pytest.fixture
def setting(db, create_school, create_user):
    school = create_school(support_tier="significant", mcs_level=3)
    sia = create_user("sia", name="Sam Adviser")
    head = create_user("school_leader", schools=[school], name="Hana Head")
    return school, sia, head


def draft(db, sia, school, objectives: int = 1) -> RaisingAchievementPlan:
    """A draft whose objectives each have a success criterion and an action."""
    plan = services.draft_plan(sia, school, sip_reference="SIP 2026-27")
    for i in range(1, objectives + 1):
        objective = services.add_objective(sia, plan, f"Objective {i}")
        services.add_criterion(sia, objective, measure=f"Measure {i}", baseline="50%", target="70%",
                               by_when=date(2027, 7, 1))
        services.add_action(sia, objective, services.ActionData(
            what=f"Action {i}", owner_id=None, owner_role="English lead", starts_on=date(2027, 1, 4),
            due_on=date(2027, 2, 1)))
    db.session.commit()
    return plan


def signed_by_school(db, sia, head, school) -> RaisingAchievementPlan:
    plan = draft(db, sia, school)
    services.submit_plan(sia, plan)
    services.sign_off_plan(head, plan, on=D)
    db.session.commit()
    return plan


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def date_typed(page: str, name: str, day: date) -> bool:
    """Whether the page's date input `name` holds the day, month and year (as typed or prefilled)."""
    found = [re.search(rf'id="{name}-{part}" name="{name}" type="text" value="(\d*)"', page)
             for part in ("day", "month", "year")]
    return all(found) and [int(m.group(1)) for m in found] == [day.day, day.month, day.year]


# --- the mid-point review date, agreed with the plan ---------------------------------------------

@pytest.mark.parametrize("offset, accepted", [(55, False), (56, True), (112, True), (113, False)])
def test_agreement_checks_the_midpoint_date_window_and_a_refusal_saves_nothing(db, setting, offset, accepted):
    school, sia, head = setting
    plan = signed_by_school(db, sia, head, school)
    day = D + timedelta(days=offset)
    if not accepted:
        with pytest.raises(DomainError, match="8 to 16 weeks after the plan is agreed") as refused:
            services.sign_off_plan(sia, plan, on=D, midpoint_review_on=day)
        assert refused.value.field == "midpoint_review_on"
        assert "between 4 February 2027 and 1 April 2027" in refused.value.message
        # Nothing changed, even before any rollback: no signature, still submitted, no team, no review.
        assert plan.la_signed_by_id is None and plan.status == "submitted" and plan.midpoint_review_on is None
        db.session.commit()
        assert count(db, ProjectTeam) == 0 and count(db, MidpointReview) == 0
        return
    services.sign_off_plan(sia, plan, on=D, midpoint_review_on=day)
    db.session.commit()
    assert plan.status == "agreed" and plan.agreed_on == D and plan.midpoint_review_on == day
    assert db.session.scalars(select(MidpointReview)).one().scheduled_on == day
    assert count(db, ProjectTeam) == 1


def test_agreement_without_a_midpoint_date_is_refused_naming_the_window(db, setting):
    school, sia, head = setting
    plan = signed_by_school(db, sia, head, school)
    with pytest.raises(DomainError, match="Enter the mid-point review date"):
        services.sign_off_plan(sia, plan, on=D)


@pytest.mark.parametrize("offset, status", [(55, 422), (56, 302), (112, 302), (113, 422)])
def test_signing_off_through_the_page_asks_for_the_midpoint_date_when_it_agrees_the_plan(
        db, setting, client, offset, status):
    school, sia, head = setting
    plan = signed_by_school(db, sia, head, school)
    today = date.today()
    day = today + timedelta(days=offset)
    sign_in(client, sia.email)
    url = f"/plans/{plan.id}"
    page = client.get(url).get_data(as_text=True)
    earliest, latest = today + timedelta(weeks=8), today + timedelta(weeks=16)
    assert "Mid-point review date" in page
    assert (f"8 to 16 weeks after agreement: between {earliest.day} {earliest:%B %Y} and "
            f"{latest.day} {latest:%B %Y} if agreed today") in page
    response = submit(client, f"{url}/sign-off",
                      {"midpoint_review_on": [str(day.day), str(day.month), str(day.year)]}, form_url=url)
    assert response.status_code == status
    db.session.expire_all()
    plan = db.session.get(RaisingAchievementPlan, plan.id)
    if status == 422:
        page = response.get_data(as_text=True)
        assert "The mid-point review must fall 8 to 16 weeks after the plan is agreed" in page
        assert f"choose a date between {earliest.day} {earliest:%B %Y} and {latest.day} {latest:%B %Y}" in page
        assert date_typed(page, "midpoint_review_on", day)
        assert plan.status == "submitted" and plan.la_signed_by_id is None and plan.midpoint_review_on is None
        assert count(db, ProjectTeam) == 0 and count(db, MidpointReview) == 0
        return
    assert plan.status == "agreed" and plan.agreed_on == today and plan.midpoint_review_on == day
    assert db.session.scalars(select(MidpointReview)).one().scheduled_on == day
    shown = client.get(url).get_data(as_text=True)
    assert re.search(rf'id="midpoint-review">{day.day} {day:%B %Y}<', shown)


def test_only_the_signature_that_agrees_the_plan_is_asked_for_the_date_prefilled_from_the_draft(
        db, setting, client):
    school, sia, head = setting
    plan = draft(db, sia, school)
    proposed = date.today() + timedelta(weeks=12)
    services.update_plan(sia, plan, sip_reference="SIP", standards_fund="", professional_development="",
                         midpoint_review_on=proposed)
    services.submit_plan(sia, plan)
    db.session.commit()
    # The SIA signs first: no date asked, the button alone.
    sign_in(client, sia.email)
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "Sign off the plan" in page and 'id="sign-off"' not in page
    assert submit(client, f"/plans/{plan.id}/sign-off", {}, form_url=f"/plans/{plan.id}").status_code == 302
    # The school's leader signs second and agrees it: asked, with the draft's date filled in.
    head_client = client.application.test_client()
    sign_in(head_client, head.email)
    page = head_client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert 'id="sign-off"' in page and date_typed(page, "midpoint_review_on", proposed)
    response = submit(head_client, f"/plans/{plan.id}/sign-off",
                      {"midpoint_review_on": [str(proposed.day), str(proposed.month), str(proposed.year)]},
                      form_url=f"/plans/{plan.id}")
    assert response.status_code == 302
    db.session.expire_all()
    plan = db.session.get(RaisingAchievementPlan, plan.id)
    assert plan.status == "agreed" and plan.midpoint_review_on == proposed


def test_the_draft_details_form_keeps_the_midpoint_date(db, setting, client):
    school, sia, _ = setting
    plan = draft(db, sia, school)
    sign_in(client, sia.email)
    edit = f"/plans/{plan.id}/edit"
    response = submit(client, edit, {"version_id": str(plan.version_id), "sip_reference": "SIP",
                                     "standards_fund": "", "professional_development": "",
                                     "midpoint_review_on": ["1", "3", "2027"]})
    assert response.status_code == 302
    db.session.refresh(plan)
    assert plan.midpoint_review_on == date(2027, 3, 1)
    assert date_typed(client.get(edit).get_data(as_text=True), "midpoint_review_on", date(2027, 3, 1))
    response = submit(client, edit, {"version_id": str(plan.version_id), "sip_reference": "SIP",
                                     "standards_fund": "", "professional_development": "",
                                     "midpoint_review_on": ["31", "2", "2027"]})
    assert response.status_code == 422
    assert "Mid-point review date must be a real date" in response.get_data(as_text=True)


# --- evidence on actions -------------------------------------------------------------------------

def test_an_action_carries_its_evidence_onto_the_pages_and_the_comparison(db, setting, client):
    school, sia, head = setting
    plan = draft(db, sia, school)
    objective = plan.objectives[0]
    sign_in(client, sia.email)
    page_url = f"/plans/{plan.id}/objectives/{objective.id}"
    response = submit(client, f"{page_url}/actions", {
        "action-what": "Moderate writing", "action-owner_role": "English lead",
        "action-starts_on": ["4", "1", "2027"], "action-due_on": ["1", "3", "2027"], "action-status": "not_started",
        "action-evidence": "Moderation record, spring 2027"}, form_url=page_url)
    assert response.status_code == 302
    action = db.session.scalars(select(PlanAction).where(PlanAction.what == "Moderate writing")).one()
    assert action.evidence == "Moderation record, spring 2027"
    assert "Evidence: Moderation record, spring 2027" in client.get(page_url).get_data(as_text=True)
    assert "Evidence: Moderation record, spring 2027" in client.get(f"/plans/{plan.id}").get_data(as_text=True)
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "plan.action.add")
                               .order_by(AuditEntry.id.desc())).first()
    assert audit.after["evidence"] == "Moderation record, spring 2027"
    assert any("evidence: Moderation record, spring 2027" in line for line in services.plan_lines(plan))


# --- editing a draft in place ----------------------------------------------------------------------

def test_an_objective_is_changed_in_place_with_the_same_rules_as_adding_one(db, setting, client):
    school, sia, _ = setting
    plan = draft(db, sia, school)
    objective = plan.objectives[0]
    sign_in(client, sia.email)
    assert f"/plans/{plan.id}/objectives/{objective.id}/edit" in client.get(f"/plans/{plan.id}/edit").get_data(
        as_text=True)
    url = f"/plans/{plan.id}/objectives/{objective.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "Objective 1" in page and f'value="{objective.version_id}"' in page
    response = submit(client, url, {"version_id": str(objective.version_id), "text": "   "})
    assert response.status_code == 422 and "Enter the objective" in response.get_data(as_text=True)
    response = submit(client, url, {"version_id": str(objective.version_id), "text": "Raise attainment in writing"})
    assert response.status_code == 302
    db.session.refresh(objective)
    assert objective.text == "Raise attainment in writing"
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "plan.objective.update")).one()
    assert audit.before["text"] == "Objective 1" and audit.after["text"] == "Raise attainment in writing"


def test_the_second_of_two_saves_of_an_objective_is_a_conflict_and_loses_nothing(db, setting, client):
    school, sia, _ = setting
    plan = draft(db, sia, school)
    objective = plan.objectives[0]
    opened = objective.version_id
    sign_in(client, sia.email)
    url = f"/plans/{plan.id}/objectives/{objective.id}/edit"
    assert submit(client, url, {"version_id": str(opened), "text": "Theirs"}).status_code == 302
    response = submit(client, url, {"version_id": str(opened), "text": "Mine, typed with care"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "This objective was changed by someone else since you opened it" in page
    assert "Mine, typed with care" in page and "Theirs" in page and "Save my version" in page
    db.session.refresh(objective)
    assert objective.text == "Theirs"
    # The conflict page carries the version now saved: saving from it keeps mine.
    current = re.search(r'name="version_id" type="hidden" value="(\d+)"', page) or re.search(
        r'name="version_id"[^>]*value="(\d+)"', page)
    assert current and int(current.group(1)) == objective.version_id
    assert submit(client, url, {"version_id": current.group(1), "text": "Mine, typed with care"}).status_code == 302
    db.session.refresh(objective)
    assert objective.text == "Mine, typed with care"


def test_a_criterion_is_changed_in_place_locked_with_its_objective(db, setting, client):
    school, sia, _ = setting
    plan = draft(db, sia, school)
    objective = plan.objectives[0]
    criterion = objective.criteria[0]
    opened = objective.version_id
    with pytest.raises(DomainError, match="Enter the target"):
        services.update_criterion(sia, criterion, measure="Writing", baseline="50%", target="",
                                  by_when=date(2027, 7, 1), expected_version=opened)
    db.session.rollback()
    services.update_criterion(sia, criterion, measure="Writing at expected", baseline="50%", target="72%",
                              by_when=date(2027, 7, 1), expected_version=opened)
    db.session.commit()
    assert objective.version_id > opened
    # Both a stale criterion form and a stale objective form are refused now.
    with pytest.raises(EditConflict, match="This objective was changed by someone else"):
        services.update_criterion(sia, criterion, measure="Writing", baseline="50%", target="75%",
                                  by_when=date(2027, 7, 1), expected_version=opened)
    with pytest.raises(EditConflict):
        services.update_objective(sia, objective, text="Changed", expected_version=opened)
    db.session.rollback()

    sign_in(client, sia.email)
    url = f"/plans/{plan.id}/objectives/{objective.id}/criteria/{criterion.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "Writing at expected" in page and "72%" in page
    data = {"measure": "Writing at greater depth", "baseline": "10%", "target": "20%", "by_when": ["1", "7", "2027"]}
    response = submit(client, url, {**data, "version_id": str(opened)})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "Writing at greater depth" in page and "Writing at expected" in page
    db.session.refresh(criterion)
    assert criterion.target == "72%"
    response = submit(client, url, {**data, "target": "", "version_id": str(objective.version_id)})
    assert response.status_code == 422 and "Enter the target" in response.get_data(as_text=True)
    response = submit(client, url, {**data, "version_id": str(objective.version_id)})
    assert response.status_code == 302
    db.session.refresh(criterion)
    assert (criterion.measure, criterion.target) == ("Writing at greater depth", "20%")
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "plan.criterion.update")
                               .order_by(AuditEntry.id.desc())).first()
    assert audit.before["target"] == "72%" and audit.after["target"] == "20%"


def test_an_action_is_changed_in_place_with_the_same_rules_and_its_own_lock(db, setting, client, create_user):
    school, sia, _ = setting
    plan = draft(db, sia, school)
    objective = plan.objectives[0]
    action = objective.actions[0]
    consultant = create_user("project_team", name="Cora Consultant")
    opened = action.version_id
    sign_in(client, sia.email)
    page_url = f"/plans/{plan.id}/objectives/{objective.id}"
    assert f"{page_url}/actions/{action.id}/edit" in client.get(page_url).get_data(as_text=True)
    url = f"{page_url}/actions/{action.id}/edit"
    assert "English lead" in client.get(url).get_data(as_text=True)
    base = {"what": "Writing CPD", "owner_id": str(consultant.id), "owner_role": "", "starts_on": ["4", "1", "2027"],
            "due_on": ["3", "1", "2027"], "status": "in_progress", "notes": "Booked", "evidence": "Slides"}
    response = submit(client, url, {**base, "version_id": str(opened)})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "The due date must be on or after the start date" in page
    assert "Writing CPD" in page
    response = submit(client, url, {**base, "owner_role": "Head", "due_on": ["1", "2", "2027"],
                                    "version_id": str(opened)})
    assert response.status_code == 422 and "not both" in response.get_data(as_text=True)
    response = submit(client, url, {**base, "due_on": ["1", "2", "2027"], "version_id": str(opened)})
    assert response.status_code == 302
    db.session.refresh(action)
    assert (action.what, action.owner_id, action.owner_role, action.status, action.evidence) == (
        "Writing CPD", consultant.id, None, "in_progress", "Slides")
    response = submit(client, url, {**base, "what": "My other wording", "due_on": ["1", "2", "2027"],
                                    "version_id": str(opened)})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "This action was changed by someone else" in page
    assert "My other wording" in page and "Cora Consultant" in page
    db.session.refresh(action)
    assert action.what == "Writing CPD"


def test_time_allocated_is_changed_in_place_locked_with_the_plan(db, setting, client, create_user):
    school, sia, _ = setting
    plan = draft(db, sia, school)
    consultant = create_user("project_team", name="Cora Consultant")
    allocation = services.allocate_time(sia, plan, user_id=consultant.id, term="spring-2027", days="3")
    db.session.commit()
    opened = plan.version_id
    sign_in(client, sia.email)
    assert f"/plans/{plan.id}/allocations/{allocation.id}/edit" in client.get(f"/plans/{plan.id}/edit").get_data(
        as_text=True)
    url = f"/plans/{plan.id}/allocations/{allocation.id}/edit"
    response = submit(client, url, {"version_id": str(opened), "user_id": str(consultant.id), "term": "Spring 27",
                                    "days": "4"})
    assert response.status_code == 422 and "like autumn-2026" in response.get_data(as_text=True)
    response = submit(client, url, {"version_id": str(opened), "user_id": str(consultant.id), "term": "spring-2027",
                                    "days": "4.5"})
    assert response.status_code == 302
    db.session.refresh(allocation)
    assert str(allocation.days) == "4.5"
    # The plan moved on: a form opened before is refused, and so are the plan's details.
    response = submit(client, url, {"version_id": str(opened), "user_id": str(consultant.id), "term": "summer-2027",
                                    "days": "2"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "This plan was changed by someone else" in page and "summer-2027" in page
    with pytest.raises(EditConflict):
        services.update_plan(sia, plan, sip_reference="x", standards_fund="", professional_development="",
                             expected_version=opened)
    db.session.rollback()
    db.session.refresh(allocation)
    assert allocation.term == "spring-2027"


def test_nothing_but_a_draft_is_edited_in_place(db, setting, client, create_plan):
    school, sia, head = setting
    plan = create_plan(school=school, sia=sia, head=head)
    objective = plan.objectives[0]
    criterion, action = objective.criteria[0], objective.actions[0]
    sign_in(client, sia.email)
    base = f"/plans/{plan.id}/objectives/{objective.id}"
    for url in (f"{base}/edit", f"{base}/criteria/{criterion.id}/edit", f"{base}/actions/{action.id}/edit"):
        assert client.get(url).status_code == 403
    with pytest.raises(DomainError, match="frozen"):
        services.update_objective(sia, objective, text="New")
    with pytest.raises(DomainError, match="frozen"):
        services.update_action(sia, action, services.ActionData(
            what="x", owner_id=None, owner_role="Head", starts_on=date(2027, 1, 1), due_on=date(2027, 2, 1)))
    with pytest.raises(DomainError, match="frozen"):
        services.move_objective(sia, objective, "down")
    db.session.rollback()


# --- reordering objectives ------------------------------------------------------------------------

def test_objectives_move_up_and_down_and_stay_numbered_without_gaps(db, setting, client):
    school, sia, _ = setting
    plan = draft(db, sia, school, objectives=3)
    first, second, third = plan.objectives
    editing = second.version_id
    services.move_objective(sia, third, "up")
    db.session.commit()
    db.session.expire_all()
    assert [o.text for o in db.session.get(RaisingAchievementPlan, plan.id).objectives] == [
        "Objective 1", "Objective 3", "Objective 2"]
    with pytest.raises(DomainError, match="Objective 1 is already the first: it cannot move up"):
        services.move_objective(sia, db.session.get(PlanObjective, first.id), "up")
    db.session.rollback()
    # A move is not an edit: someone changing an objective's wording meanwhile is not refused.
    services.update_objective(sia, db.session.get(PlanObjective, second.id), text="Objective 2, reworded",
                              expected_version=editing)
    db.session.commit()

    sign_in(client, sia.email)
    edit = f"/plans/{plan.id}/edit"
    page = client.get(edit).get_data(as_text=True)
    assert page.count(">Move up<") == 2 and page.count(">Move down<") == 2
    response = submit(client, f"/plans/{plan.id}/objectives/{first.id}/move-down", {}, form_url=edit)
    assert response.status_code == 302
    response = submit(client, f"/plans/{plan.id}/objectives/{second.id}/move-down", {}, form_url=edit)
    assert response.status_code == 422 and "already the last" in response.get_data(as_text=True)
    db.session.expire_all()
    ordered = db.session.get(RaisingAchievementPlan, plan.id).objectives
    assert [(o.position, o.text) for o in ordered] == [
        (1, "Objective 3"), (2, "Objective 1"), (3, "Objective 2, reworded")]
    services.delete_objective(sia, ordered[0])
    db.session.commit()
    db.session.expire_all()
    assert [o.position for o in db.session.get(RaisingAchievementPlan, plan.id).objectives] == [1, 2]
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "plan.objective.move")).first() is not None


# --- superseded versions --------------------------------------------------------------------------

def test_agreeing_an_amendment_supersedes_the_version_in_force_and_carries_delivery_across(
        db, setting, client, create_plan, create_user):
    school, sia, head = setting
    v1 = create_plan(school=school, sia=sia, head=head, objectives=1)
    v2 = services.amend_plan(sia, v1, reason="New actions from the project team")
    services.add_objective(sia, v2, "Improve attendance")
    objective = v2.objectives[1]
    services.add_criterion(sia, objective, measure="Attendance", baseline="91%", target="95%",
                           by_when=date(2027, 7, 1))
    services.add_action(sia, objective, services.ActionData(
        what="Call families", owner_id=None, owner_role="Head", starts_on=date(2027, 1, 4), due_on=date(2027, 2, 1)))
    db.session.commit()
    # Delivery goes on against version 1 while version 2 is drafted.
    delivered = v1.objectives[0].actions[0]
    services.update_action_progress(sia, delivered, status="done", note="All staff trained",
                                    evidence="Training register")
    db.session.commit()

    sign_in(client, sia.email)
    page = client.get(f"/plans/{v2.id}").get_data(as_text=True)
    assert 'id="in-force"' in page and f"/plans/{v1.id}" in page

    services.submit_plan(sia, v2)
    services.sign_off_plan(head, v2, on=D + timedelta(weeks=4))
    services.sign_off_plan(sia, v2, on=D + timedelta(weeks=4))
    db.session.commit()
    db.session.expire_all()
    v1, v2 = db.session.get(RaisingAchievementPlan, v1.id), db.session.get(RaisingAchievementPlan, v2.id)
    assert (v1.status, v2.status) == ("superseded", "agreed")
    carried = v2.objectives[0].actions[0]
    assert carried.carried_from_id == delivered.id
    assert (carried.status, carried.evidence) == ("done", "Training register")
    assert "All staff trained" in carried.notes
    # One team and one mid-point review for the series, not one per version.
    assert count(db, ProjectTeam) == 1 and count(db, MidpointReview) == 1

    old = client.get(f"/plans/{v1.id}")
    page = old.get_data(as_text=True)
    assert old.status_code == 200 and 'id="superseded"' in page and "This version is superseded" in page
    assert f'href="/plans/{v2.id}"' in page and "version 2, agreed on" in page
    assert "Objective 1: raise attainment" in page  # still readable as it was agreed
    listing = client.get(f"/schools/{school.urn}/plans").get_data(as_text=True)
    assert "Superseded" in listing and "In force" in listing
    assert f'href="/plans/{v2.id}">version 2</a>, in force' in listing
    compare = client.get(f"/plans/{v1.id}/compare?a=1&b=2")
    assert compare.status_code == 200 and "<ins>Objective 2: Improve attendance</ins>" in compare.get_data(as_text=True)
    with pytest.raises(DomainError):
        services.amend_plan(sia, v1, reason="Again")
    db.session.rollback()


def test_the_objective_and_edit_pages_offer_changes_only_to_those_who_may_edit(db, setting, client, create_user):
    school, sia, _ = setting
    plan = draft(db, sia, school)
    objective = plan.objectives[0]
    other_sia = create_user("sia")
    sign_in(client, other_sia.email)
    assert client.get(f"/plans/{plan.id}/objectives/{objective.id}/edit").status_code == 403
    assert client.get(f"/plans/{plan.id}/objectives/{objective.id}").status_code == 403
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert f"/plans/{plan.id}/edit" not in page and f"/objectives/{objective.id}/edit" not in page
    assert count(db, SuccessCriterion) == 1 and count(db, TimeAllocation) == 0
