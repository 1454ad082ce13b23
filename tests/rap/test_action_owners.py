"""Action owners belong to the plan: only LA staff and the plan's own school's leaders may own its
actions; "My actions" never shows anything of a plan its reader may not view, even when an old
row names them; migration 0014 unlinks such rows, keeping the name."""
from __future__ import annotations

import html
import importlib.util
from datetime import date, timedelta
from pathlib import Path

import pytest
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select, update

from lea_support.core.errors import DomainError
from lea_support.core.models import AuditEntry
from lea_support.rap import services
from lea_support.rap.models import PlanAction, ProjectTeamMember
from tests.conftest import sign_in, submit

TODAY = date.today()
MIGRATION = Path(__file__).parents[2] / "migrations" / "versions" / "0017_action_owners_on_plan.py"


@pytest.fixture
def two_schools(db, create_school, create_user):
    a = create_school(name="Ash Primary", support_tier="significant", mcs_level=3)
    b = create_school(name="Birch Primary")
    return a, b, create_user("school_leader", schools=[a], name="Ada Ash"), \
        create_user("school_leader", schools=[b], name="Bea Birch")


def test_an_owner_from_another_school_is_refused_with_a_message(db, client, two_schools, create_plan, create_user):
    a, _, head_a, head_b = two_schools
    sia = create_user("sia")
    plan = create_plan(school=a, sia=sia, head=head_a, status="draft", objectives=1)
    objective = plan.objectives[0]
    sign_in(client, sia.email)
    page_url = f"/plans/{plan.id}/objectives/{objective.id}"
    assert "Bea Birch" not in client.get(page_url).get_data(as_text=True)  # the form never offered her
    fields = {"action-what": "Lead the writing CPD", "action-owner_role": "", "action-starts_on": ["4", "1", "2027"],
              "action-due_on": ["1", "3", "2027"], "action-status": "not_started"}
    response = submit(client, f"{page_url}/actions", {**fields, "action-owner_id": str(head_b.id)}, form_url=page_url)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "Bea Birch cannot own an action of this plan" in page and "Lead the writing CPD" in page
    assert db.session.scalar(select(func.count()).select_from(PlanAction).where(
        PlanAction.what == "Lead the writing CPD")) == 0
    # The school's own leader, and LA staff, may.
    for owner in (head_a, create_user("project_team")):
        response = submit(client, f"{page_url}/actions", {**fields, "action-owner_id": str(owner.id)},
                          form_url=page_url)
        assert response.status_code == 302
    # Changing an action's owner to her is refused by the service too.
    action = objective.actions[0]
    with pytest.raises(DomainError, match="cannot own an action of this plan") as refused:
        services.update_action(sia, action, services.ActionData(
            what=action.what, owner_id=head_b.id, owner_role="", starts_on=action.starts_on, due_on=action.due_on))
    assert refused.value.field == "owner_id"


def test_my_actions_shows_nothing_of_another_schools_plan_even_with_a_bad_row(app, db, client, two_schools,
                                                                               create_plan):
    a, _, head_a, head_b = two_schools
    plan = create_plan(school=a, head=head_a, agreed_on=TODAY - timedelta(days=30), objectives=2)
    [first, second] = [o.actions[0] for o in plan.objectives]
    # Rows written before the service refused them: B's head owns one action of A's plan and
    # sits on A's project team.
    db.session.execute(update(PlanAction).where(PlanAction.id == first.id).values(owner_id=head_b.id, owner_role=None))
    db.session.add(ProjectTeamMember(team_id=services.team_for_plan(plan).id, user_id=head_b.id,
                                     team_role="school_slt", joined_on=TODAY))
    db.session.commit()
    sign_in(client, head_b.email)
    response = client.get("/my-actions")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    for text in ("Ash Primary", first.what, second.what, plan.objectives[0].text, f"/plans/{plan.id}"):
        assert text not in page
    assert page.count('id="owned-action-') == 0 and page.count('id="team-action-') == 0
    assert client.get(f"/plans/{plan.id}/actions/{first.id}/progress").status_code == 403
    # A's own head still sees the plan's actions through the team.
    own = app.test_client()
    sign_in(own, head_a.email)
    assert second.what in own.get("/my-actions").get_data(as_text=True)


def _run_migration(db) -> None:
    spec = importlib.util.spec_from_file_location("migration_0014", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with Operations.context(MigrationContext.configure(db.session.connection())):
        module.upgrade()
    db.session.commit()
    db.session.expire_all()


def test_the_migration_unlinks_a_bad_owner_keeping_the_name(db, two_schools, create_plan, create_user):
    a, _, head_a, head_b = two_schools
    adviser = create_user("link_adviser", name="Lee Adviser")
    plan = create_plan(school=a, head=head_a, status="draft", objectives=3)
    [bad, own_head, la] = [o.actions[0] for o in plan.objectives]
    for action, owner in ((bad, head_b), (own_head, head_a), (la, adviser)):
        db.session.execute(update(PlanAction).where(PlanAction.id == action.id).values(owner_id=owner.id,
                                                                                       owner_role=None))
    db.session.commit()
    version = db.session.get(PlanAction, bad.id).version_id
    _run_migration(db)
    bad, own_head, la = (db.session.get(PlanAction, x.id) for x in (bad, own_head, la))
    assert (bad.owner_id, bad.owner_role, bad.owner_name) == (None, "Bea Birch", "Bea Birch")
    assert bad.version_id == version + 1
    assert (own_head.owner_id, la.owner_id) == (head_a.id, adviser.id)
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "plan.action.owner_unlinked")).one()
    assert (audit.entity_id, audit.school_id, audit.before) == (str(bad.id), a.id, {"owner_id": head_b.id})
    _run_migration(db)  # nothing left to do a second time
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "plan.action.owner_unlinked")) == 1


def test_an_amendment_keeps_an_owner_who_has_left_the_school_by_name_only(db, two_schools, create_plan, create_user):
    a, b, head_a, _ = two_schools
    sia = create_user("sia")
    plan = create_plan(school=a, sia=sia, head=head_a, status="draft", objectives=1)
    action = plan.objectives[0].actions[0]
    services.update_action(sia, action, services.ActionData(
        what=action.what, owner_id=head_a.id, owner_role="", starts_on=action.starts_on, due_on=action.due_on))
    services.submit_plan(sia, plan)
    services.sign_off_plan(head_a, plan, on=TODAY)
    services.sign_off_plan(sia, plan, on=TODAY, midpoint_review_on=TODAY + timedelta(weeks=10))
    head_a.schools = [b]  # she moves to lead another school
    db.session.commit()
    amendment = services.amend_plan(sia, plan, reason="New head")
    copied = amendment.objectives[0].actions[0]
    assert (copied.owner_id, copied.owner_role) == (None, "Ada Ash")
