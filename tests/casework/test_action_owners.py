"""Agreed actions owned by accounts: the note form offers the school's leaders and LA staff (or a
typed name), and the owner then finds the action on "My actions", with their plan actions, soonest
due first, and on the home page's "My actions overdue" / "due soon"."""
from __future__ import annotations

from datetime import date, timedelta

from bs4 import BeautifulSoup
from sqlalchemy import select

from lea_support.casework.models import AgreedAction, NoteOfVisit
from tests.casework.test_notes import note_form
from tests.conftest import sign_in, submit

TODAY = date.today()


def _record(client, school, **overrides):
    url = f"/schools/{school.urn}/visits/new"
    return submit(client, url, note_form(**overrides), form_url=url)


def test_the_note_form_offers_the_schools_leaders_and_la_staff_as_owners(client, login_as, create_school,
                                                                         create_user, db):
    school, elsewhere = create_school(), create_school()
    head = create_user("school_leader", schools=[school], name="Hana Head")
    create_user("school_leader", schools=[elsewhere], name="Other Head")
    create_user("governor", schools=[school], name="Gus Governor")
    create_user("project_team", name="Cora Consultant")
    login_as("link_adviser")
    page = BeautifulSoup(client.get(f"/schools/{school.urn}/visits/new").get_data(as_text=True), "html.parser")
    offered = [o.get_text() for o in page.select("#actions-0-owner_id option")]
    assert "Hana Head (School leader)" in offered and "Cora Consultant (Project team member)" in offered
    assert not any("Other Head" in o or "Gus Governor" in o for o in offered)

    saved = _record(client, school, **{"actions-0-owner": "", "actions-0-owner_id": str(head.id)})
    assert saved.status_code == 302, saved.get_data(as_text=True)[-2000:]
    action = db.session.scalars(select(AgreedAction)).one()
    assert (action.owner_id, action.owner) == (head.id, "Hana Head")
    # Editing shows the account chosen, and keeps it.
    note_id = action.note_id
    edit = BeautifulSoup(client.get(f"/visits/{note_id}/edit").get_data(as_text=True), "html.parser")
    assert edit.select_one("#actions-0-owner_id option[selected]")["value"] == str(head.id)


def test_a_typed_name_still_works_and_an_account_from_elsewhere_is_refused(client, login_as, create_school,
                                                                           create_user, db):
    school = create_school()
    stranger = create_user("school_leader", schools=[create_school()])
    login_as("link_adviser")
    typed = _record(client, school)
    assert typed.status_code == 302
    assert [(a.owner, a.owner_id) for a in db.session.scalars(select(AgreedAction))] == [("English lead", None)]
    refused = _record(client, school, **{"actions-0-owner_id": str(stranger.id)})
    assert refused.status_code == 422
    nobody = _record(client, school, **{"actions-0-owner": ""})
    assert nobody.status_code == 422 and "who will do it" in nobody.get_data(as_text=True)


def test_a_head_sees_the_visit_actions_they_own_with_their_plan_actions_soonest_first(
        app, db, client, create_school, create_user, create_plan):
    from tests.rap.test_my_actions import agreed_plan

    school = create_school(support_tier="significant", mcs_level=3, name="Birch Primary")
    head = create_user("school_leader", schools=[school], name="Hana Head")
    adviser = create_user("link_adviser")
    plan = agreed_plan(db, create_plan, school=school, sia=create_user("sia"), head=head, owner=head)
    plan_action = plan.objectives[0].actions[0]
    note = NoteOfVisit(school_id=school.id, adviser_id=adviser.id, visit_date=TODAY - timedelta(days=3),
                       visit_type_code="core_support", status="draft", discussion="Talked", support_aspects=[])
    note.actions = [
        AgreedAction(position=0, description="Send the reading audit", owner="Hana Head", owner_id=head.id,
                     due_on=plan_action.due_on - timedelta(days=1)),
        AgreedAction(position=1, description="Share the timetable", owner="Hana Head", owner_id=head.id,
                     due_on=plan_action.due_on + timedelta(days=1)),
        AgreedAction(position=2, description="Already done", owner="Hana Head", owner_id=head.id, status="done"),
    ]
    db.session.add(note)
    db.session.commit()
    sign_in(client, head.email)

    def owned():
        page = client.get("/my-actions").get_data(as_text=True)
        return BeautifulSoup(page[page.index('id="owned"') - 200:page.index('id="team"')], "html.parser")

    assert "Send the reading audit" not in owned().get_text()  # a draft: not yet shared with the school
    note.status = "sent"
    db.session.commit()
    rows = [row["id"] for row in owned().select("tbody tr")]
    first, second = note.actions[0].id, note.actions[1].id
    assert rows == [f"owned-visit-action-{first}", f"owned-action-{plan_action.id}", f"owned-visit-action-{second}"]
    link = owned().select_one(f"#owned-visit-action-{first} a")["href"]
    assert link == f"/visits/{note.id}" and client.get(link).status_code == 200
