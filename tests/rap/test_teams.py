"""The project team: formed when the plan is agreed, its page, members and coordinator (with the
handover), and its meetings: attendance, minutes, decisions, status updates, new actions added to
the plan as an amendment agreed at the meeting, and the next meeting date."""
from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from lea_support.core.errors import DomainError
from lea_support.core.models import AuditEntry
from lea_support.core.terms import format_date
from lea_support.rap import services
from lea_support.rap.models import (
    ActionUpdate,
    ProjectTeamMember,
    RaisingAchievementPlan,
    TeamMeeting,
)
from lea_support.schools.models import SchoolEvent
from tests.conftest import sign_in, submit

TODAY = date.today()
AGREED = TODAY - timedelta(days=40)
HELD = TODAY - timedelta(days=3)


def long(day: date) -> str:
    return format_date(day)


def parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def s(db, create_school, create_user, create_plan):
    """An agreed plan (two objectives, an action each, owned by the English lead) of a school whose
    link adviser coordinates the team, taking the lead over from the SIA who drafted it."""
    link = create_user("link_adviser", name="Lena Link")
    school = create_school(support_tier="significant", mcs_level=3, link_adviser_id=link.id)
    sia = create_user("sia", name="Sam Sia")
    head = create_user("school_leader", schools=[school], name="Hana Head")
    plan = create_plan(school=school, sia=sia, head=head, agreed_on=AGREED)
    team = services.team_for_plan(plan)
    members = {m.user_id: m for m in team.members}
    return SimpleNamespace(school=school, link=link, sia=sia, head=head, plan=plan, team=team,
                           actions=[o.actions[0] for o in plan.objectives], objectives=plan.objectives,
                           link_member=members[link.id], sia_member=members[sia.id], head_member=members[head.id])


def meeting_form(s, **changes):
    data = {"held_on": parts(HELD), "attendee_ids": [str(s.link_member.id), str(s.head_member.id)],
            "minutes": "Reviewed the writing CPD.\nAgreed next steps.", "decisions": "Carry on with phonics",
            "next_meeting_on": parts(HELD + timedelta(weeks=4))}
    for action in s.actions:
        data[f"status_{action.id}"] = action.status
        data[f"note_{action.id}"] = ""
    data.update(changes)
    return data


def new_action(n: int, objective, **changes):
    row = {f"new_{n}_objective_id": str(objective.id), f"new_{n}_what": f"New action {n} from the meeting",
           f"new_{n}_owner_id": "", f"new_{n}_owner_role": "Maths lead",
           f"new_{n}_starts_on": parts(HELD), f"new_{n}_due_on": parts(HELD + timedelta(weeks=6))}
    row.update({f"new_{n}_{k}": v for k, v in changes.items()})
    return row


def nothing_saved(db):
    assert count(db, TeamMeeting) == 0
    assert count(db, ActionUpdate) == 0
    assert count(db, RaisingAchievementPlan) == 1


# --- the team and its page -------------------------------------------------------------------------

def test_the_team_is_formed_on_agreement_with_the_handover_from_the_sia(db, s):
    assert s.team.plan_id == s.plan.id and s.team.formed_on == AGREED
    assert s.team.coordinator_id == s.link.id and s.team.handed_over_from_id == s.sia.id
    assert {(m.user_id, m.team_role) for m in s.team.members} == {
        (s.link.id, "link_adviser"), (s.sia.id, "sia"), (s.head.id, "school_slt")}


def test_the_team_page_shows_the_coordinator_handover_members_and_next_meeting(db, s, client, login_as):
    login_as("project_team")
    page = client.get(f"/plans/{s.plan.id}/team").get_data(as_text=True)
    assert f"Lena Link took the lead over from Sam Sia on {long(s.team.handed_over_at)}" in page
    assert "Hana Head" in page and "School senior leadership" in page and "Not yet agreed" in page
    # The plan page has the section and its link.
    plan_page = client.get(f"/plans/{s.plan.id}").get_data(as_text=True)
    assert 'id="project-team"' in plan_page and f"/plans/{s.plan.id}/team" in plan_page


def test_any_version_of_the_plan_leads_to_the_same_team(db, s, client, login_as):
    v2 = services.amend_plan(s.sia, s.plan, reason="More actions")
    db.session.commit()
    login_as("sia")
    page = client.get(f"/plans/{v2.id}/team")
    assert page.status_code == 200 and "Lena Link" in page.get_data(as_text=True)


def test_who_may_see_the_team(db, s, client, create_user, create_school, create_plan):
    for user, expected in [(s.head, 200), (create_user("governor", schools=[s.school]), 403),
                           (create_user("school_leader", schools=[create_school()]), 403)]:
        c = client.application.test_client()
        sign_in(c, user.email)
        assert c.get(f"/plans/{s.plan.id}/team").status_code == expected, user.role
    draft = create_plan(school=s.school, sia=s.sia, head=s.head, status="draft")
    c = client.application.test_client()
    sign_in(c, s.sia.email)
    assert c.get(f"/plans/{draft.id}/team").status_code == 404


# --- members ---------------------------------------------------------------------------------------

def test_adding_members_a_user_or_a_named_person(db, s, client, create_user):
    consultant = create_user("project_team", name="Cora Consultant")
    sign_in(client, s.link.email)
    url = f"/plans/{s.plan.id}/team/members"
    form_url = f"/plans/{s.plan.id}/team"
    response = submit(client, url, {"user_id": str(consultant.id), "name": "Also typed", "team_role": "consultant"},
                      form_url=form_url)
    assert response.status_code == 422 and "not both" in response.get_data(as_text=True)
    response = submit(client, url, {"user_id": "", "name": "", "team_role": "consultant"}, form_url=form_url)
    assert response.status_code == 422 and "Choose a person, or type the name" in response.get_data(as_text=True)
    response = submit(client, url, {"user_id": str(consultant.id), "name": "", "team_role": ""}, form_url=form_url)
    assert response.status_code == 422 and "Choose the person&#39;s role on the team" in response.get_data(as_text=True)
    assert submit(client, url, {"user_id": str(consultant.id), "name": "", "team_role": "lead_consultant"},
                  form_url=form_url).status_code == 302
    assert submit(client, url, {"user_id": "", "name": "Gina Governor", "team_role": "other_officer"},
                  form_url=form_url).status_code == 302
    response = submit(client, url, {"user_id": str(consultant.id), "name": "", "team_role": "consultant"},
                      form_url=form_url)
    assert response.status_code == 422 and "Cora Consultant is already on the team" in response.get_data(as_text=True)
    rows = db.session.scalars(select(ProjectTeamMember).where(ProjectTeamMember.team_id == s.team.id)
                              .order_by(ProjectTeamMember.id)).all()
    assert [(m.display_name, m.team_role) for m in rows[-2:]] == [("Cora Consultant", "lead_consultant"),
                                                                   ("Gina Governor", "other_officer")]
    assert "Cora Consultant" in client.get(form_url).get_data(as_text=True)


def test_only_la_staff_or_the_schools_leaders_join_as_users(db, s, create_user, create_school):
    for user in (create_user("governor", schools=[s.school]), create_user("school_leader", schools=[create_school()])):
        with pytest.raises(DomainError, match="add anyone else by name"):
            services.add_team_member(s.link, s.team, user_id=user.id, team_role="school_slt")
        db.session.rollback()


def test_a_member_who_attended_is_marked_as_left_anyone_else_is_removed(db, s, client, create_user):
    services.record_meeting(s.link, s.team, services.MeetingData(
        held_on=HELD, attendee_ids=[s.link_member.id, s.head_member.id], minutes="First meeting"))
    named = services.add_team_member(s.link, s.team, user_id=None, name="Ola Officer", team_role="other_officer").id
    db.session.commit()
    sign_in(client, s.sia.email)  # the plan's SIA manages the team too
    form_url = f"/plans/{s.plan.id}/team"
    assert submit(client, f"/plans/{s.plan.id}/team/members/{named}/leave", {}, form_url=form_url).status_code == 302
    assert db.session.get(ProjectTeamMember, named) is None
    response = submit(client, f"/plans/{s.plan.id}/team/members/{s.head_member.id}/leave", {}, form_url=form_url)
    assert response.status_code == 302
    db.session.refresh(s.head_member)
    assert s.head_member.left_on == TODAY
    meeting = db.session.scalars(select(TeamMeeting)).one()
    assert "Hana Head" in client.get(f"/plans/{s.plan.id}/team/meetings/{meeting.id}").get_data(as_text=True)
    response = submit(client, f"/plans/{s.plan.id}/team/members/{s.link_member.id}/leave", {}, form_url=form_url)
    assert response.status_code == 422 and "choose a new coordinator first" in response.get_data(as_text=True)
    # Someone who left can rejoin; their attendance stays theirs.
    services.add_team_member(s.sia, s.team, user_id=s.head.id, team_role="school_slt")
    db.session.commit()
    db.session.refresh(s.head_member)
    assert s.head_member.left_on is None


def test_members_are_managed_by_the_coordinator_the_plans_sia_and_admins_only(db, s, client, create_user, login_as):
    url = f"/plans/{s.plan.id}/team/members"
    data = {"user_id": "", "name": "Someone", "team_role": "other_officer"}
    for role in ("project_team", "link_adviser", "sia", "school_leader"):
        c = client.application.test_client()
        user = create_user(role, schools=[s.school] if role == "school_leader" else None)
        sign_in(c, user.email)
        token_page = f"/plans/{s.plan.id}/team"
        assert submit(c, url, data, form_url=token_page).status_code == 403, role
    assert count(db, ProjectTeamMember) == 3
    c = client.application.test_client()
    sign_in(c, create_user("admin").email)
    assert submit(c, url, data, form_url=f"/plans/{s.plan.id}/team").status_code == 302


# --- the coordinator --------------------------------------------------------------------------------

def test_changing_the_coordinator_records_a_new_handover(db, s, client, create_user):
    new = create_user("link_adviser", name="Nia New")
    sign_in(client, s.sia.email)
    form_url = f"/plans/{s.plan.id}/team"
    response = submit(client, f"/plans/{s.plan.id}/team/coordinator",
                      {"user_id": str(s.head.id), "version_id": str(s.team.version_id)}, form_url=form_url)
    assert response.status_code == 422 and "member of LA staff" in response.get_data(as_text=True)
    response = submit(client, f"/plans/{s.plan.id}/team/coordinator",
                      {"user_id": str(new.id), "version_id": str(s.team.version_id)}, form_url=form_url)
    assert response.status_code == 302
    db.session.refresh(s.team)
    assert s.team.coordinator_id == new.id and s.team.handed_over_from_id == s.link.id
    assert any(m.user_id == new.id and m.left_on is None for m in s.team.members)
    page = client.get(form_url).get_data(as_text=True)
    assert f"Nia New took the lead over from Lena Link on {long(s.team.handed_over_at)}" in page
    assert "Nia New now coordinates the project team" in page
    event = db.session.scalars(select(SchoolEvent).where(SchoolEvent.kind == "project_team_handover")).one()
    assert event.summary == "Project team: Nia New took the lead over from Lena Link"
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "project_team.handover")).one()
    assert audit.school_id == s.school.id
    # The new coordinator now manages the team; the old one no longer does.
    c = client.application.test_client()
    sign_in(c, s.link.email)
    assert submit(c, f"/plans/{s.plan.id}/team/members", {"user_id": "", "name": "X", "team_role": "consultant"},
                  form_url=form_url).status_code == 403


def test_a_stale_coordinator_change_gets_a_conflict(db, s, client, create_user):
    first, second = create_user("link_adviser", name="First Pick"), create_user("link_adviser", name="Second Pick")
    stale = s.team.version_id
    services.change_coordinator(s.sia, s.team, user_id=first.id)
    db.session.commit()
    sign_in(client, s.sia.email)
    response = submit(client, f"/plans/{s.plan.id}/team/coordinator",
                      {"user_id": str(second.id), "version_id": str(stale)}, form_url=f"/plans/{s.plan.id}/team")
    assert response.status_code == 409 and "Someone else changed this project team" in response.get_data(as_text=True)
    db.session.refresh(s.team)
    assert s.team.coordinator_id == first.id


# --- meetings -----------------------------------------------------------------------------------------

def test_recording_a_meeting_with_status_updates_and_the_next_date(db, s, client):
    sign_in(client, s.link.email)
    url = f"/plans/{s.plan.id}/team/meetings/new"
    page = client.get(url).get_data(as_text=True)
    assert "Hana Head" in page and s.actions[0].what in page
    first, second = s.actions
    response = submit(client, url, meeting_form(s, **{f"status_{first.id}": "in_progress",
                                                      f"note_{first.id}": "CPD session 1 held"}))
    assert response.status_code == 302
    meeting = db.session.scalars(select(TeamMeeting)).one()
    assert meeting.held_on == HELD and meeting.recorded_by_id == s.link.id and meeting.amendment_plan_id is None
    assert [m.id for m in meeting.attendees] == [s.link_member.id, s.head_member.id]
    assert meeting.decisions == "Carry on with phonics"
    update = db.session.scalars(select(ActionUpdate)).one()  # only the changed action is recorded
    assert (update.action_id, update.meeting_id, update.status_from, update.status_to, update.note) == (
        first.id, meeting.id, "not_started", "in_progress", "CPD session 1 held")
    db.session.refresh(first)
    db.session.refresh(second)
    assert first.status == "in_progress" and second.status == "not_started"
    db.session.refresh(s.team)
    assert s.team.next_meeting_on == HELD + timedelta(weeks=4)
    event = db.session.scalars(select(SchoolEvent).where(SchoolEvent.kind == "project_team_meeting")).one()
    assert event.summary == f"Project team meeting held on {long(HELD)}"

    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    for text in ("Reviewed the writing CPD.", "Agreed next steps.", "Carry on with phonics", "Hana Head",
                 "Not started to In progress", "CPD session 1 held", long(HELD + timedelta(weeks=4))):
        assert text in shown
    team_page = client.get(f"/plans/{s.plan.id}/team").get_data(as_text=True)
    assert f"Meeting of {long(HELD)}" in team_page and long(HELD + timedelta(weeks=4)) in team_page
    plan_page = client.get(f"/plans/{s.plan.id}").get_data(as_text=True)
    assert long(HELD + timedelta(weeks=4)) in plan_page


@pytest.mark.parametrize("changes, message", [
    ({"held_on": parts(TODAY + timedelta(days=1))}, "The meeting date cannot be in the future"),
    ({"held_on": ["", "", ""]}, "Enter the date held"),
    ({"held_on": parts(AGREED - timedelta(days=1))}, f"The project team was formed on {long(AGREED)}"),
    ({"next_meeting_on": parts(HELD)}, f"The next meeting must be after this one ({long(HELD)})"),
    ({"next_meeting_on": parts(HELD - timedelta(days=7))}, "The next meeting must be after this one"),
    ({"attendee_ids": []}, "Tick who attended the meeting"),
    ({"minutes": "  "}, "Enter the minutes of the meeting"),
])
def test_a_refused_meeting_saves_nothing_and_keeps_what_was_typed(db, s, client, changes, message):
    sign_in(client, s.link.email)
    first = s.actions[0]
    data = meeting_form(s, **{f"status_{first.id}": "done", f"note_{first.id}": "Typed note kept",
                              "decisions": "Typed decision kept"})
    data.update(changes)
    response = submit(client, f"/plans/{s.plan.id}/team/meetings/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page
    assert "Typed note kept" in page and "Typed decision kept" in page
    nothing_saved(db)
    db.session.refresh(first)
    assert first.status == "not_started"


def test_a_later_meeting_without_a_date_clears_a_next_date_it_has_passed(db, s):
    services.record_meeting(s.link, s.team, services.MeetingData(
        held_on=HELD - timedelta(days=14), attendee_ids=[s.link_member.id], minutes="One",
        next_meeting_on=HELD - timedelta(days=7)))
    assert s.team.next_meeting_on == HELD - timedelta(days=7)
    services.record_meeting(s.link, s.team, services.MeetingData(held_on=HELD, attendee_ids=[s.link_member.id],
                                                                 minutes="Two"))
    assert s.team.next_meeting_on is None


def test_new_actions_from_the_minutes_are_an_amendment_agreed_at_the_meeting(db, s, client):
    sign_in(client, s.link.email)
    first, second = s.actions
    data = meeting_form(s, **{f"status_{first.id}": "done", f"note_{first.id}": "All staff trained"},
                        **new_action(1, s.objectives[1]), **new_action(3, s.objectives[0], owner_role="",
                                                                          owner_id=str(s.link.id)))
    response = submit(client, f"/plans/{s.plan.id}/team/meetings/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    meeting = db.session.scalars(select(TeamMeeting)).one()
    v2 = db.session.get(RaisingAchievementPlan, meeting.amendment_plan_id)
    db.session.refresh(s.plan)
    assert s.plan.status == "superseded"
    assert (v2.version, v2.root_id, v2.status, v2.agreed_on) == (2, s.plan.id, "agreed", HELD)
    assert v2.amendment_reason == f"New actions agreed at the project team meeting on {long(HELD)}"
    assert (v2.la_signed_by_id, v2.la_signed_on, v2.school_signed_by_id, v2.school_signed_on) == (
        s.link.id, HELD, s.head.id, HELD)
    assert [a.what for a in v2.objectives[0].actions] == [first.what, "New action 3 from the meeting"]
    assert [a.what for a in v2.objectives[1].actions] == [second.what, "New action 1 from the meeting"]
    assert v2.objectives[0].actions[1].owner_id == s.link.id
    assert v2.objectives[1].actions[1].owner_role == "Maths lead"
    # The status update made at the same meeting is on the version now in force.
    carried = v2.objectives[0].actions[0]
    assert carried.carried_from_id == first.id and carried.status == "done" and "All staff trained" in carried.notes
    update = db.session.scalars(select(ActionUpdate)).one()
    assert update.action_id == carried.id and update.meeting_id == meeting.id
    kinds = [e.summary for e in db.session.scalars(select(SchoolEvent).order_by(SchoolEvent.id))]
    assert f"Project team meeting held on {long(HELD)}" in kinds
    assert any(k.startswith("Raising Achievement Plan version 2 agreed") for k in kinds)
    shown = client.get(f"/plans/{s.plan.id}/team/meetings/{meeting.id}").get_data(as_text=True)
    assert "version 2" in shown and "Hana Head" in shown
    # The team page names the plan in force.
    assert f"/plans/{v2.id}" in client.get(f"/plans/{s.plan.id}/team").get_data(as_text=True)


def test_new_actions_need_a_school_leader_at_the_meeting(db, s, client):
    sign_in(client, s.link.email)
    data = meeting_form(s, attendee_ids=[str(s.link_member.id), str(s.sia_member.id)],
                        minutes="Typed minutes kept", **new_action(1, s.objectives[0]))
    response = submit(client, f"/plans/{s.plan.id}/team/meetings/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "New actions are agreed with the school: no school leader attended this meeting" in page
    assert "Typed minutes kept" in page and "New action 1 from the meeting" in page
    nothing_saved(db)


def test_a_wrong_new_action_saves_nothing_of_the_meeting_or_the_amendment(db, s, client):
    sign_in(client, s.link.email)
    first = s.actions[0]
    data = meeting_form(s, **{f"status_{first.id}": "done"}, **new_action(
        2, s.objectives[0], due_on=parts(HELD - timedelta(days=1))))
    response = submit(client, f"/plans/{s.plan.id}/team/meetings/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "New action 2: the due date must be on or after the start date" in page
    nothing_saved(db)
    db.session.refresh(s.plan)
    db.session.refresh(first)
    assert s.plan.status == "agreed" and first.status == "not_started"
    response = submit(client, f"/plans/{s.plan.id}/team/meetings/new",
                      meeting_form(s, **new_action(1, s.objectives[0], objective_id="")))
    assert response.status_code == 422 and "New action 1: choose the objective" in response.get_data(as_text=True)
    nothing_saved(db)


def test_a_refused_new_action_leaves_nothing_behind_in_the_service_too(db, s):
    bad = services.NewAction(row=1, objective_id=s.objectives[0].id, action=services.ActionData(
        what="", owner_id=None, owner_role="Head", starts_on=HELD, due_on=HELD))
    with pytest.raises(DomainError, match="New action 1: enter what is to be done"):
        services.record_meeting(s.link, s.team, services.MeetingData(
            held_on=HELD, attendee_ids=[s.head_member.id], minutes="M", new_actions=[bad]))
    db.session.commit()
    nothing_saved(db)


def test_blank_new_action_rows_are_ignored(db, s):
    blank = services.NewAction(row=2, objective_id=s.objectives[0].id, action=services.ActionData(
        what=" ", owner_id=None, owner_role="", starts_on=None, due_on=None))
    meeting = services.record_meeting(s.link, s.team, services.MeetingData(
        held_on=HELD, attendee_ids=[s.link_member.id], minutes="M", new_actions=[blank]))
    assert meeting.amendment_plan_id is None and count(db, RaisingAchievementPlan) == 1


def test_new_actions_wait_while_an_amendment_is_being_drafted(db, s):
    services.amend_plan(s.sia, s.plan, reason="SIA's own changes")
    row = services.NewAction(row=1, objective_id=s.objectives[0].id, action=services.ActionData(
        what="Extra", owner_id=None, owner_role="Head", starts_on=HELD, due_on=HELD))
    with pytest.raises(DomainError, match="Version 2 of the plan is being drafted as an amendment"):
        services.record_meeting(s.link, s.team, services.MeetingData(
            held_on=HELD, attendee_ids=[s.head_member.id], minutes="M", new_actions=[row]))


def test_a_meeting_form_opened_before_an_amendment_gets_a_conflict(db, s, client):
    sign_in(client, s.link.email)
    url = f"/plans/{s.plan.id}/team/meetings/new"
    stale = meeting_form(s, plan_id=str(s.plan.id), minutes="My minutes",
                         **{f"status_{s.actions[0].id}": "done"})
    services.record_meeting(s.sia, s.team, services.MeetingData(
        held_on=HELD, attendee_ids=[s.head_member.id], minutes="Theirs", new_actions=[services.NewAction(
            row=1, objective_id=s.objectives[0].id, action=services.ActionData(
                what="Extra", owner_id=None, owner_role="Head", starts_on=HELD, due_on=HELD))]))
    db.session.commit()
    response = submit(client, url, stale)
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "The plan was amended since you opened this form" in page
    assert "My minutes" in page
    assert count(db, TeamMeeting) == 1


def test_who_may_record_a_meeting(db, s, client, create_user, create_school):
    url = f"/plans/{s.plan.id}/team/meetings/new"
    for user, expected in [(s.head, 403), (create_user("governor", schools=[s.school]), 403),
                           (create_user("project_team"), 403), (create_user("sia"), 403),
                           (create_user("school_leader", schools=[create_school()]), 403),
                           (s.sia, 200), (s.link, 200), (create_user("admin"), 200)]:
        c = client.application.test_client()
        sign_in(c, user.email)
        assert c.get(url).status_code == expected, user.role


def test_the_meeting_form_is_in_sections_with_another_action_added_only_when_wanted(db, client, create_plan,
                                                                                    create_user):
    from bs4 import BeautifulSoup

    sia = create_user("sia", name="Sam Improvement")
    plan = create_plan(sia=sia)
    sign_in(client, sia.email)
    page = BeautifulSoup(client.get(f"/plans/{plan.id}/team/meetings/new").get_data(as_text=True), "html.parser")
    form = page.select_one("#meeting-form")
    assert [h.get_text() for h in form.select("h2")] == [
        "1. Attendance", "2. Minutes and decisions", "3. Progress on the plan's actions",
        "4. New actions agreed at the meeting", "5. Next meeting"]
    # The first new action is open; the others are "Add another action", folded (no JavaScript needed).
    assert form.select_one("#new-action-1").name == "fieldset"
    for n in (2, 3):
        extra = form.select_one(f"#new-action-{n}")
        assert extra.name == "details" and not extra.has_attr("open")
        assert "Add another action" in extra.summary.get_text() and extra.select_one(f"[name=new_{n}_what]")
    assert all(not d.has_attr("open") for d in form.select("details.app-action"))
    # Attendees read as "name, role": never nested brackets.
    labels = [" ".join(label.get_text().split()) for label in form.select("input[name=attendee_ids] + label")]
    assert labels and all("(" not in label.split(",")[0] for label in labels)
    assert not any("((" in label or "))" in label for label in labels)
    # What was typed in a folded row keeps it open when the form comes back with an error.
    response = submit(client, f"/plans/{plan.id}/team/meetings/new",
                      {"plan_id": str(plan.id), "held_on": ["", "", ""], "minutes": "Met", "new_2_what": "Typed"},
                      form_url=f"/plans/{plan.id}/team/meetings/new")
    assert response.status_code == 422
    again = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert again.select_one("#new-action-2").has_attr("open") and not again.select_one("#new-action-3").has_attr("open")
