"""Notifications: each step that hands work to someone tells them (in the app, and by e-mail as they
chose), once; the header's unread count; the list; the account page's choices; the e-mails that
could not be sent; and the daily digest (`lea-support reminders send`)."""
from __future__ import annotations

import email
from datetime import date, timedelta
from email import policy
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from lea_support.notifications.models import Notification, NotificationPreference, ReminderSent
from lea_support.notifications.services import notify
from tests.conftest import new_note, new_school, new_user, sign_in, submit
from tests.governor_reports.conftest import light_touch_school  # noqa: F401 (a fixture)


def outbox(app: Any) -> list[email.message.EmailMessage]:
    folder = Path(app.config["OUTBOX_DIR"])
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default)  # type: ignore[misc]
            for p in sorted(folder.glob("*.eml"))] if folder.exists() else []


def told(db: Any, user: Any, kind: str | None = None) -> list[Notification]:
    db.session.expire_all()
    query = select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query))


def other_client(client: Any, user: Any) -> Any:
    second = client.application.test_client()
    assert sign_in(second, user.email).status_code == 302
    return second


@pytest.fixture
def note_world(db: Any, client: Any) -> dict[str, Any]:
    adviser = new_user("link_adviser")
    school = new_school(link_adviser_id=adviser.id, name="Larkrise Primary")
    head = new_user("school_leader", schools=[school])
    other_head = new_user("school_leader", schools=[new_school()])
    note = new_note(school=school, adviser=adviser, status="draft")
    assert sign_in(client, adviser.email).status_code == 302
    return {"adviser": adviser, "school": school, "head": head, "other_head": other_head, "note": note}


def test_a_note_sent_tells_the_school_leaders_and_their_response_tells_the_adviser(app, db, client, note_world):
    adviser, head, note = note_world["adviser"], note_world["head"], note_world["note"]
    response = submit(client, f"/visits/{note.id}/send", {}, form_url=f"/visits/{note.id}")
    assert response.status_code == 302
    [notice] = told(db, head, "note_sent")
    assert notice.link == f"/visits/{note.id}" and notice.email_state == "sent" and notice.read_at is None
    assert told(db, note_world["other_head"]) == [] and told(db, adviser) == []
    [message] = outbox(app)
    assert message["To"] == head.email and message["Subject"] == "Note of visit to check: Larkrise Primary"
    assert "Please respond by" in message.get_content() and "Dear" in message.get_content()

    head_client = other_client(client, head)
    page = head_client.get("/").get_data(as_text=True)
    assert "Notifications (1)" in page
    response = submit(head_client, f"/visits/{note.id}/respond", {"accurate": "no", "comment": "The date is wrong"},
                      form_url=f"/visits/{note.id}")
    assert response.status_code == 302
    [answer] = told(db, adviser, "note_response")
    assert "inaccurate" in answer.subject and "The date is wrong" in answer.body
    assert [m["To"] for m in outbox(app)].count(adviser.email) == 1
    assert "Notifications (1)" in client.get("/").get_data(as_text=True)


def test_the_same_notice_is_never_made_twice(app, db, note_world):
    head = note_world["head"]
    for _ in range(2):
        notify([head], "note_sent", "Subject", "Body", "/visits/1", key="the-same")
        db.session.commit()
    assert len(told(db, head)) == 1 and len(outbox(app)) == 1


def test_a_rolled_back_step_tells_nobody(app, db, note_world):
    notify([note_world["head"]], "note_sent", "Subject", "Body", "/visits/1", key="rolled-back")
    db.session.rollback()
    assert told(db, note_world["head"]) == [] and outbox(app) == []


def test_plan_submitted_tells_the_signatories_and_agreed_tells_the_team(app, db, client, create_plan):
    from lea_support.notifications.services import school_people

    sia = new_user("sia")
    plan = create_plan(sia=sia, status="draft")
    assert db.session.scalars(select(Notification)).all() == []  # drafting tells nobody
    [head] = school_people(plan.school_id, "school_leader")
    admin = new_user("admin")
    assert sign_in(client, admin.email).status_code == 302  # submitted by someone else: both signatories hear
    assert submit(client, f"/plans/{plan.id}/submit", {}, form_url=f"/plans/{plan.id}").status_code == 302
    assert [n.kind for n in told(db, head)] == ["plan_submitted"]
    assert [n.kind for n in told(db, sia)] == ["plan_submitted"]
    assert told(db, admin) == []  # not told of one's own step
    assert sorted(m["To"] for m in outbox(app)) == sorted([head.email, sia.email])
    sia_client = other_client(client, sia)

    head_client = other_client(client, head)
    assert submit(head_client, f"/plans/{plan.id}/sign-off", {}, form_url=f"/plans/{plan.id}").status_code == 302
    midpoint = date.today() + timedelta(weeks=10)
    response = submit(sia_client, f"/plans/{plan.id}/sign-off",
                      {"midpoint_review_on": [str(midpoint.day), str(midpoint.month), str(midpoint.year)]},
                      form_url=f"/plans/{plan.id}")
    assert response.status_code == 302
    from lea_support.notifications.services import team_accounts
    from lea_support.rap.services import team_for_plan

    db.session.expire_all()
    team = team_for_plan(plan)
    members = {u.id for u in team_accounts(team)} - {sia.id}
    assert members, "the team has people with accounts besides the signer"
    agreed = db.session.scalars(select(Notification).where(Notification.kind == "plan_agreed")).all()
    assert {n.user_id for n in agreed} == members
    assert all(n.link == f"/plans/{plan.id}" for n in agreed)


def test_meeting_minutes_tell_the_team(app, db, client, create_plan):
    from lea_support.rap import services

    plan = create_plan(agreed_on=date.today())
    team = services.team_for_plan(plan)
    recorder = plan.drafted_by
    meeting = services.record_meeting(recorder, team, services.MeetingData(
        held_on=date.today(), attendee_ids=[m.id for m in team.members], minutes="First meeting"))
    db.session.commit()
    minutes = db.session.scalars(select(Notification).where(Notification.kind == "team_meeting")).all()
    from lea_support.notifications.services import team_accounts

    assert {n.user_id for n in minutes} == {u.id for u in team_accounts(team)} - {recorder.id}
    assert all(n.link == f"/plans/{team.plan_id}/team/meetings/{meeting.id}" for n in minutes)
    # The link is a page the member can open.
    member = db.session.get(type(recorder), minutes[0].user_id)
    assert other_client(client, member).get(minutes[0].link).status_code == 200


def test_off_is_listed_but_not_e_mailed_and_digest_waits_for_the_digest(app, db, client, note_world):
    head = note_world["head"]
    head_client = other_client(client, head)
    page = head_client.get("/account/notifications").get_data(as_text=True)
    assert "A note of visit sent to your school to check" in page and "governors" not in page
    choices = {"note_sent": "off", "plan_submitted": "digest", "plan_agreed": "immediate", "team_meeting": "immediate"}
    response = submit(head_client, "/account/notifications", choices)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(NotificationPreference.mode).where(
        NotificationPreference.user_id == head.id, NotificationPreference.kind == "note_sent")) == "off"

    note = note_world["note"]
    assert submit(client, f"/visits/{note.id}/send", {}, form_url=f"/visits/{note.id}").status_code == 302
    [notice] = told(db, head)
    assert notice.delivery == "off" and notice.email_state == "not_sent"
    assert outbox(app) == []
    assert "Notifications (1)" in head_client.get("/").get_data(as_text=True)

    notify([head], "plan_submitted", "Plan to sign", "A plan waits", "/plans/1", key="digest-one")
    db.session.commit()
    assert outbox(app) == []
    result = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    [digest] = [m for m in outbox(app) if m["To"] == head.email]
    assert "Plan to sign" in digest.get_content() and "Notes of visit awaiting your response: 1" in digest.get_content()
    assert told(db, head, "plan_submitted")[0].email_state == "sent"


def test_a_refused_choice_shows_the_form_again(db, client, login_as):
    login_as("governor", schools=[new_school()])
    response = submit(client, "/account/notifications", {"governor_report": "sometimes"})
    assert response.status_code == 422


def test_reminders_send_twice_e_mails_each_person_once(app, db, note_world):
    head, adviser = note_world["head"], note_world["adviser"]
    note = note_world["note"]
    note.status, note.response_due_on = "sent", date.today() + timedelta(days=5)
    new_user("governor", schools=[new_school()])  # nothing due: no e-mail
    db.session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["reminders", "send"])
    assert first.exit_code == 0, first.output
    after_first = sorted(m["To"] for m in outbox(app))
    assert head.email in after_first and len(after_first) == len(set(after_first))
    second = runner.invoke(args=["reminders", "send"])
    assert second.exit_code == 0 and "0 e-mailed" in second.output
    assert sorted(m["To"] for m in outbox(app)) == after_first
    db.session.expire_all()
    rows = db.session.scalars(select(ReminderSent).where(ReminderSent.user_id == head.id)).all()
    assert [(r.email_state, r.about["tasks"]) for r in rows] == [("sent", {"notes-awaiting-response": 1})]
    assert adviser.email not in after_first or after_first.count(adviser.email) == 1


def test_reminders_dry_run_changes_nothing(app, db, note_world):
    note = note_world["note"]
    note.status, note.response_due_on = "sent", date.today() + timedelta(days=5)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["reminders", "send", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"{note_world['head'].email}: 1 task" in result.output and "would be e-mailed" in result.output
    assert outbox(app) == []
    assert db.session.scalar(select(func.count()).select_from(ReminderSent)) == 0


def test_the_list_marks_read_when_opened_and_all_at_once(db, client, login_as):
    user = login_as("sia")
    for n in range(3):
        notify([user], "plan_submitted", f"Plan {n}", "Body", f"/plans/{n + 1}", key=f"k{n}")
    db.session.commit()
    page = client.get("/notifications").get_data(as_text=True)
    assert "Notifications (3)" in page and page.index("Plan 2") < page.index("Plan 0")  # newest first
    first = told(db, user)[0]
    response = submit(client, f"/notifications/{first.id}/open", {}, form_url="/notifications")
    assert response.status_code == 302 and response.headers["Location"].endswith("/plans/1")
    assert told(db, user)[0].read_at is not None
    assert "Notifications (2)" in client.get("/notifications").get_data(as_text=True)
    assert submit(client, "/notifications/read", {}, form_url="/notifications").status_code == 302
    page = client.get("/notifications").get_data(as_text=True)
    assert "Notifications (" not in page and all(n.read_at for n in told(db, user))


def test_the_header_count_is_one_query(db, client, login_as):
    from tests.conftest import recorded_statements

    user = login_as("sia")
    notify([user], "plan_submitted", "Plan", "Body", "/plans/1", key="one")
    db.session.commit()
    with recorded_statements() as seen:
        assert "Notifications (1)" in client.get("/notifications").get_data(as_text=True)
    assert sum("FROM notifications" in s and "count(" in s.lower() for s in seen) == 2  # the header's, the page's


def test_an_e_mail_that_fails_is_recorded_and_shown_to_administrators(app, db, client, note_world, monkeypatch):
    from lea_support.core import mail

    def refuse(message, settings):
        raise OSError("Connection refused")

    monkeypatch.setattr(mail, "deliver", refuse)
    note = note_world["note"]
    response = submit(client, f"/visits/{note.id}/send", {}, form_url=f"/visits/{note.id}")
    assert response.status_code == 302
    [notice] = told(db, note_world["head"])
    assert notice.email_state == "failed" and "Connection refused" in notice.email_error
    db.session.expire_all()
    assert db.session.get(type(note), note.id).status == "sent"  # the step stands

    admin = new_user("admin")
    admin_client = other_client(client, admin)
    home = admin_client.get("/").get_data(as_text=True)
    assert "E-mails that could not be sent" in home
    listed = admin_client.get("/tasks/failed-emails").get_data(as_text=True)
    assert note_world["head"].name in listed
    page = admin_client.get("/admin/notifications/failed").get_data(as_text=True)
    assert "Note of visit to check" in page and "Connection refused" in page
    assert client.get("/admin/notifications/failed").status_code == 403


def test_governors_are_notified_in_the_app_too(app, db, client, light_touch_school):
    from lea_support.governor_reports import services
    from tests.governor_reports.conftest import END_OF_TERM, TERM

    school = light_touch_school()
    governor, quiet = new_user("governor", schools=[school]), new_user("governor", schools=[school])
    db.session.add(NotificationPreference(user_id=quiet.id, kind="governor_report", mode="off"))
    draft = services.generate_draft(None, school, TERM, today=END_OF_TERM)
    services.check_report(school.adviser, draft, covering_note="", expected_version=draft.version_id)
    services.publish_report(school.adviser, draft)
    db.session.commit()
    assert [m["To"] for m in outbox(app)] == [governor.email]
    assert [n.link for n in told(db, governor)] == [f"/governor/schools/{school.urn}"]
    assert [n.email_state for n in told(db, quiet)] == ["not_sent"]
