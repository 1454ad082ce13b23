"""A project-team member's journey: from "My actions", update an action they own on a plan in
force, then read its history on the action's own page."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lea_support.rap.models import ActionUpdate, PlanAction
from tests.rap.test_my_actions import agreed_plan


@pytest.mark.browser
def test_a_project_team_member_updates_an_action_on_my_actions(journey, db, create_school, create_user, create_plan):
    adviser = create_user("link_adviser")
    school = create_school(name="Alder Primary School", support_tier="significant", mcs_level=3,
                           link_adviser_id=adviser.id)
    consultant = create_user("project_team", name="Cora Consultant")
    plan = agreed_plan(db, create_plan, school=school, sia=create_user("sia"),
                       head=create_user("school_leader", schools=[school]), owner=consultant)
    action = plan.objectives[0].actions[0]
    action_id, what = action.id, action.what
    page = journey.page

    journey.sign_in(consultant.email)
    journey.follow("link", "My actions")
    row = page.locator(f"#owned-action-{action_id}")
    assert "Alder Primary School" in row.inner_text() and "Not started" in row.inner_text()

    row.locator("summary", has_text="Update").click()
    row.get_by_label("Status").select_option(label="In progress")
    row.get_by_label("Note (optional)").fill("First coaching session held with Year 2.")
    journey.follow("button", re.compile(r"^Save the update of"))
    assert page.url.endswith("/my-actions")
    assert "Action updated: in progress" in page.locator(".govuk-notification-banner").inner_text()
    assert "In progress" in page.locator(f"#owned-action-{action_id}").inner_text()

    journey.follow("link", what)
    assert "In progress" in page.locator("#action-status").inner_text()
    history = page.locator("#history").inner_text()
    assert "Not started to in progress, by Cora Consultant" in history
    assert "First coaching session held with Year 2." in history

    assert db.session.get(PlanAction, action_id).status == "in_progress"
    update = db.session.scalars(select(ActionUpdate).where(ActionUpdate.action_id == action_id)).one()
    assert (update.updated_by_id, update.status_to) == (consultant.id, "in_progress")
    assert page.console_errors == []
