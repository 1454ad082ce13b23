""""My actions": the actions of plans in force someone owns or delivers as a member of the project
team, each with a quick status update; updates from two tabs at once; who may update what; the
per-action progress page with its history across amendments; a fixed number of queries."""
from __future__ import annotations

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from lea_support.core.errors import DomainError
from lea_support.core.locking import EditConflict
from lea_support.rap import services
from lea_support.rap.models import ActionUpdate, PlanAction
from tests.conftest import count_queries, csrf_token, sign_in

TODAY = date.today()
AGREED = TODAY - timedelta(days=40)


def agreed_plan(db, create_plan, *, school, sia, head, owner, owned=1, objectives=2):
    """An agreed plan whose first `owned` objectives each have an action owned by `owner` (a user);
    the others keep the one owned by the school's English lead (a named role)."""
    plan = create_plan(school=school, sia=sia, head=head, status="draft", objectives=objectives)
    for objective in plan.objectives[:owned]:
        services.delete_action(sia, objective.actions[0])
        services.add_action(sia, objective, services.ActionData(
            what=f"Coaching for {objective.text.lower()}", owner_id=owner.id, owner_role="", starts_on=AGREED,
            due_on=AGREED + timedelta(weeks=8)))
    services.submit_plan(sia, plan)
    services.sign_off_plan(head, plan, on=AGREED)
    services.sign_off_plan(sia, plan, on=AGREED, midpoint_review_on=AGREED + timedelta(weeks=10))
    db.session.commit()
    return plan


@pytest.fixture
def s(db, create_school, create_user, create_plan):
    """An agreed plan whose first action is owned by a consultant (a user) and second by the school's
    English lead (a named role); the consultant is not on the team."""
    link = create_user("link_adviser", name="Lena Link")
    school = create_school(support_tier="significant", mcs_level=3, link_adviser_id=link.id, name="Alder Primary")
    sia = create_user("sia")
    head = create_user("school_leader", schools=[school])
    consultant = create_user("project_team", name="Cora Consultant")
    plan = agreed_plan(db, create_plan, school=school, sia=sia, head=head, owner=consultant)
    return SimpleNamespace(school=school, link=link, sia=sia, head=head, consultant=consultant, plan=plan,
                           team=services.team_for_plan(plan), owned=plan.objectives[0].actions[0],
                           named=plan.objectives[1].actions[0])


def form_for(page: str, action_id: int) -> dict[str, str]:
    """The hidden fields of one action's quick update form on the page, as a browser would send them."""
    start = page.index(f"/actions/{action_id}/progress\" novalidate")
    chunk = page[start:page.index("</form>", start)]
    return dict(re.findall(r'name="(csrf_token|version_id|next)" value="([^"]*)"', chunk))


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page).group(1)


def members_by_user(team):
    return {m.user_id: m for m in team.members}


def meeting_with_new_action(s, held_on):
    members = members_by_user(s.team)
    return services.record_meeting(s.link, s.team, services.MeetingData(
        held_on=held_on, attendee_ids=[members[s.head.id].id, members[s.link.id].id], minutes="Added an action",
        new_actions=[services.NewAction(row=1, objective_id=s.plan.objectives[0].id, action=services.ActionData(
            what="Extra", owner_id=None, owner_role="Head", starts_on=TODAY, due_on=TODAY))]))


# --- the page ---------------------------------------------------------------------------------------

def test_my_actions_lists_owned_actions_then_the_teams_actions(db, s, client, create_plan):
    sign_in(client, s.consultant.email)
    page = client.get("/my-actions").get_data(as_text=True)
    owned = page[page.index('id="owned"'):page.index('id="team"')]
    assert "Alder Primary" in owned and s.owned.what in owned and s.named.what not in owned
    assert "Objective 1: raise attainment" in owned
    # Joining the team brings the plan's other actions into the second section.
    services.add_team_member(s.link, s.team, user_id=s.consultant.id, team_role="consultant")
    db.session.commit()
    page = client.get("/my-actions").get_data(as_text=True)
    team = page[page.index('id="team"'):]
    assert s.named.what in team and s.owned.what not in team
    # Leaving takes them away again; a draft plan's actions never show.
    services.remove_team_member(s.link, members_by_user(s.team)[s.consultant.id])
    draft = create_plan(school=s.school, sia=s.sia, head=s.head, status="draft", objectives=1)
    services.add_action(s.sia, draft.objectives[0], services.ActionData(
        what="Draft-only action", owner_id=s.consultant.id, owner_role="", starts_on=TODAY, due_on=TODAY))
    db.session.commit()
    page = client.get("/my-actions").get_data(as_text=True)
    team = page[page.index('id="team"'):]
    assert s.named.what not in team and "Draft-only action" not in page
    assert page.count('id="owned-action-') == 1 and page.count('id="team-action-') == 0


def test_superseded_versions_actions_do_not_show(db, s, client):
    meeting_with_new_action(s, TODAY - timedelta(days=1))
    db.session.commit()
    sign_in(client, s.consultant.email)
    page = client.get("/my-actions").get_data(as_text=True)
    carried = db.session.scalars(select(PlanAction).where(PlanAction.carried_from_id == s.owned.id)).one()
    assert page.count('id="owned-action-') == 1 and f'id="owned-action-{carried.id}"' in page
    assert f"/actions/{carried.id}/progress" in page and f"/actions/{s.owned.id}/progress" not in page


def test_rag_is_derived_on_my_actions(db, s, client):
    # Started 40 days ago and still not started: amber; once done, complete.
    sign_in(client, s.consultant.email)
    assert 'class="govuk-tag rag-amber">Amber<' in client.get("/my-actions").get_data(as_text=True)
    services.update_action_progress(s.consultant, s.owned, status="done")
    db.session.commit()
    assert 'class="govuk-tag rag-complete">Complete<' in client.get("/my-actions").get_data(as_text=True)


# --- quick updates ------------------------------------------------------------------------------------

def test_a_quick_update_from_my_actions(db, s, client):
    sign_in(client, s.consultant.email)
    fields = form_for(client.get("/my-actions").get_data(as_text=True), s.owned.id)
    response = client.post(f"/plans/{s.plan.id}/actions/{s.owned.id}/progress",
                           data={**fields, "status": "in_progress", "note": "First session done"})
    assert response.status_code == 302 and response.headers["Location"] == "/my-actions"
    db.session.refresh(s.owned)
    assert s.owned.status == "in_progress" and s.owned.notes == "First session done"
    update = db.session.scalars(select(ActionUpdate)).one()
    assert (update.status_from, update.status_to, update.updated_by_id, update.meeting_id, update.note) == (
        "not_started", "in_progress", s.consultant.id, None, "First session done")
    assert "In progress" in client.get("/my-actions").get_data(as_text=True)


@pytest.mark.parametrize("next_url, expected", [
    ("/plans/{plan}", "/plans/{plan}"),
    ("//evil.example/x", "/my-actions"),
    ("https://evil.example/", "/my-actions"),
    ("/\\evil.example", "/my-actions"),
    ("", "/my-actions"),
])
def test_after_an_update_only_a_local_next_page_is_followed(db, s, client, next_url, expected):
    sign_in(client, s.consultant.email)
    url = f"/plans/{s.plan.id}/actions/{s.owned.id}/progress"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "version_id": str(s.owned.version_id),
                                      "status": "done", "note": "", "next": next_url.format(plan=s.plan.id)})
    assert response.status_code == 302 and response.headers["Location"] == expected.format(plan=s.plan.id)


def test_two_tabs_updating_the_same_action_the_second_gets_a_conflict(db, s, client):
    sign_in(client, s.consultant.email)
    tab1 = form_for(client.get("/my-actions").get_data(as_text=True), s.owned.id)
    tab2 = form_for(client.get("/my-actions").get_data(as_text=True), s.owned.id)
    url = f"/plans/{s.plan.id}/actions/{s.owned.id}/progress"
    first = client.post(url, data={**tab1, "status": "in_progress", "note": "Started in tab one"})
    assert first.status_code == 302
    second = client.post(url, data={**tab2, "status": "dropped", "note": "Typed in tab two"})
    page = second.get_data(as_text=True)
    assert second.status_code == 409
    assert "Someone else updated this action since you opened it" in page and "Typed in tab two" in page
    assert "Started in tab one" in page  # the page shows what the other tab did
    db.session.refresh(s.owned)
    assert s.owned.status == "in_progress" and s.owned.notes == "Started in tab one"
    assert db.session.scalar(select(func.count()).select_from(ActionUpdate)) == 1
    # Saving again from the conflict page is a deliberate choice, and it goes through.
    again = client.post(url, data={"csrf_token": hidden(page, "csrf_token"), "version_id": hidden(page, "version_id"),
                                   "status": "dropped", "note": "Typed in tab two", "next": "/my-actions"})
    assert again.status_code == 302
    db.session.refresh(s.owned)
    assert s.owned.status == "dropped"


def test_nothing_changed_is_refused(db, s, client):
    sign_in(client, s.consultant.email)
    url = f"/plans/{s.plan.id}/actions/{s.owned.id}/progress"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "version_id": str(s.owned.version_id),
                                      "status": "not_started", "note": ""})
    assert response.status_code == 422 and "Nothing has changed" in response.get_data(as_text=True)


def test_who_may_update_an_action(db, s, client, create_user, create_school):
    tess = create_user("project_team", name="Team Tess")
    services.add_team_member(s.link, s.team, user_id=tess.id, team_role="consultant")
    db.session.commit()
    cases = [
        (s.consultant, s.owned, 302), (s.consultant, s.named, 403),     # the owner, only their own
        (s.link, s.owned, 302), (s.link, s.named, 302),                 # the coordinator
        (tess, s.named, 302),                                           # LA staff on the team
        (create_user("project_team"), s.named, 403),                    # LA staff not on the team
        (create_user("admin"), s.named, 302),
        (s.head, s.named, 302), (s.head, s.owned, 403),                 # school leaders: named-role actions
        (create_user("school_leader", schools=[create_school()]), s.named, 403),
        (create_user("governor", schools=[s.school]), s.named, 403),
    ]
    statuses = iter(["in_progress", "done"] * 10)
    for user, action, expected in cases:
        c = client.application.test_client()
        sign_in(c, user.email)
        db.session.refresh(action)
        token = csrf_token(c, "/governor" if user.role == "governor" else "/my-actions")
        response = c.post(f"/plans/{s.plan.id}/actions/{action.id}/progress",
                          data={"csrf_token": token, "version_id": str(action.version_id),
                                "status": next(statuses) if expected == 302 else "dropped", "note": "n"})
        assert response.status_code == expected, (user.name, action.what)
    assert db.session.scalar(select(func.count()).select_from(ActionUpdate).where(
        ActionUpdate.status_to == "dropped")) == 0


def test_the_plan_page_offers_the_update_to_those_allowed(db, s, client, create_user):
    url = f"/plans/{s.plan.id}/actions/{s.named.id}/progress"
    sign_in(client, s.head.email)
    page = client.get(f"/plans/{s.plan.id}").get_data(as_text=True)
    assert url in page and f"/actions/{s.owned.id}/progress" not in page
    c = client.application.test_client()
    sign_in(c, create_user("project_team").email)
    assert "/progress" not in c.get(f"/plans/{s.plan.id}").get_data(as_text=True)
    progress = c.get(url)
    assert progress.status_code == 200 and 'id="progress-form"' not in progress.get_data(as_text=True)


def test_the_progress_page_shows_history_across_amendments(db, s, client):
    services.update_action_progress(s.link, s.named, status="in_progress", note="Started before the amendment")
    meeting_with_new_action(s, TODAY - timedelta(days=2))
    db.session.commit()
    carried = db.session.scalars(select(PlanAction).where(PlanAction.carried_from_id == s.named.id)).one()
    v2 = carried.objective.plan
    assert carried.status == "in_progress"
    services.update_action_progress(s.link, carried, status="done", note="Finished on version 2")
    db.session.commit()
    sign_in(client, s.head.email)
    page = client.get(f"/plans/{v2.id}/actions/{carried.id}/progress").get_data(as_text=True)
    assert "Started before the amendment" in page and "Finished on version 2" in page
    history = page[page.index('id="history"'):]
    assert history.index("Finished on version 2") < history.index("Started before the amendment")
    # The superseded version's action is not updated any more: its page points to the one in force.
    url = f"/plans/{s.plan.id}/actions/{s.named.id}/progress"
    old_page = client.get(url).get_data(as_text=True)
    assert 'id="progress-form"' not in old_page and f"/plans/{v2.id}/actions/{carried.id}/progress" in old_page


def test_an_update_sent_from_before_an_amendment_is_a_conflict_shown_on_the_action_in_force(db, s, client):
    sign_in(client, s.head.email)
    fields = form_for(client.get("/my-actions").get_data(as_text=True), s.named.id)
    meeting_with_new_action(s, TODAY - timedelta(days=2))
    db.session.commit()
    carried = db.session.scalars(select(PlanAction).where(PlanAction.carried_from_id == s.named.id)).one()
    response = client.post(f"/plans/{s.plan.id}/actions/{s.named.id}/progress",
                           data={**fields, "status": "done", "note": "Typed before the amendment"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "The plan was amended since you opened this page" in page and "Typed before the amendment" in page
    form = page[page.index('id="progress-form"') - 200:]
    assert f"/plans/{carried.objective.plan_id}/actions/{carried.id}/progress" in form
    assert db.session.scalar(select(func.count()).select_from(ActionUpdate)) == 0
    again = client.post(f"/plans/{carried.objective.plan_id}/actions/{carried.id}/progress",
                        data={"csrf_token": hidden(page, "csrf_token"), "version_id": hidden(page, "version_id"),
                              "status": "done", "note": "Typed before the amendment"})
    assert again.status_code == 302
    db.session.refresh(carried)
    assert carried.status == "done"


def test_a_form_opened_before_an_amendment_was_agreed_gets_a_conflict(db, s):
    version = s.named.version_id
    meeting_with_new_action(s, TODAY - timedelta(days=2))
    with pytest.raises(EditConflict, match="The plan was amended since you opened this page"):
        services.update_action_progress(s.head, s.named, status="done", expected_version=version)
    with pytest.raises(DomainError, match="not the one in force"):
        services.update_action_progress(s.head, s.named, status="done")


def test_the_nav_links_my_actions_for_la_staff_and_school_leaders(db, s, client, create_user):
    governor = create_user("governor", schools=[s.school])
    for user, home, shown in [(s.consultant, "/my-actions", True), (s.head, "/my-actions", True),
                              (governor, "/governor", False)]:
        c = client.application.test_client()
        sign_in(c, user.email)
        assert ('href="/my-actions"' in c.get(home).get_data(as_text=True)) is shown, user.role
    c = client.application.test_client()
    sign_in(c, governor.email)
    assert c.get("/my-actions").status_code == 403


def test_my_actions_loads_in_a_fixed_number_of_queries(db, s, client, create_plan, create_user, create_school):
    sign_in(client, s.consultant.email)
    services.add_team_member(s.link, s.team, user_id=s.consultant.id, team_role="consultant")
    db.session.commit()

    def queries() -> int:
        return count_queries(client, "/my-actions")

    before = queries()
    # Many more actions, owned and through more teams, at more schools.
    for _ in range(3):
        link = create_user("link_adviser")
        school = create_school(support_tier="significant", mcs_level=3, link_adviser_id=link.id)
        plan = agreed_plan(db, create_plan, school=school, sia=create_user("sia"),
                           head=create_user("school_leader", schools=[school]), owner=s.consultant, owned=3,
                           objectives=4)
        services.add_team_member(link, services.team_for_plan(plan), user_id=s.consultant.id, team_role="consultant")
    db.session.commit()
    page = client.get("/my-actions").get_data(as_text=True)
    assert page.count('id="owned-action-') == 1 + 3 * 3
    assert page.count('id="team-action-') == 1 + 3  # the English lead's action of each plan
    assert queries() == before
