"""Notes of visit: recording, the factual-accuracy loop, locking, addenda, conflicts, timeline."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lea_support.casework import services
from lea_support.casework.models import NoteEvent, NoteOfVisit
from lea_support.core.calendar import ClosureDay, TermDate
from lea_support.core.errors import DomainError
from lea_support.schools.models import SchoolEvent
from tests.conftest import sign_in, submit

TODAY = date.today()


def note_form(**overrides):
    """What an adviser types into the note form (dates as day, month, year boxes)."""
    d = TODAY - timedelta(days=1)
    data = {
        "visit_date": [str(d.day), str(d.month), str(d.year)], "visit_type_code": "core_support",
        "purpose": "Check progress on early reading", "support_aspects": ["support4success", "leading4success"],
        "people_met": "Headteacher, English lead", "discussion": "Phonics screening data reviewed",
        "strengths": "Consistent phonics teaching", "areas_for_development": "Reading for pleasure in KS2",
        "actions-0-description": "Audit class libraries", "actions-0-owner": "English lead",
        "actions-0-due_on": ["1", "2", str(TODAY.year + 1)], "actions-0-status": "open",
        "next_visit_date": ["", "", ""], "minutes_spent": "150",
    }
    data.update(overrides)
    return data


def test_an_adviser_records_a_visit(client, login_as, create_school, db):
    school = create_school()
    adviser = login_as("link_adviser")
    response = submit(client, f"/schools/{school.urn}/visits/new", note_form(),
                      form_url=f"/schools/{school.urn}/visits/new")
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    note = db.session.scalars(select(NoteOfVisit)).one()
    assert (note.status, note.adviser_id, note.minutes_spent) == ("draft", adviser.id, 150)
    assert note.support_aspects == ["leading4success", "support4success"]
    assert [(a.description, a.owner, a.due_on) for a in note.actions] == [
        ("Audit class libraries", "English lead", date(TODAY.year + 1, 2, 1))]
    page = client.get(f"/visits/{note.id}").get_data(as_text=True)
    assert "Phonics screening data reviewed" in page and "Leading4Success" in page


def test_bad_input_says_what_to_fix_and_keeps_everything_typed(client, login_as, create_school, db):
    school = create_school()
    login_as("link_adviser")
    response = submit(client, f"/schools/{school.urn}/visits/new",
                      note_form(visit_date=["31", "2", "2026"], discussion="A long discussion I typed"),
                      form_url=f"/schools/{school.urn}/visits/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Date of the visit must be a real date" in page
    assert "A long discussion I typed" in page and "Audit class libraries" in page
    assert db.session.scalar(select(func.count()).select_from(NoteOfVisit)) == 0


def test_an_action_without_an_owner_is_refused(db, create_school, create_user):
    data = services.NoteData(visit_date=TODAY, visit_type_code="core_support",
                             actions=[services.ActionData(description="Do a thing", owner="")])
    with pytest.raises(DomainError, match="Agreed action 1: enter what is to be done and who"):
        services.record_visit(create_user("link_adviser"), create_school(), data)


def test_the_whole_factual_accuracy_loop(app, client, create_school, create_user, create_note, db):
    school = create_school(name="Loop Primary")
    adviser = create_user("link_adviser")
    head = create_user("school_leader", schools=[school])
    governor = create_user("governor", schools=[school])
    note = create_note(school=school, adviser=adviser, status="draft")

    # Drafts are the adviser's: the school cannot see them yet.
    sign_in(client, head.email)
    assert client.get(f"/visits/{note.id}").status_code == 403
    client.cookie_jar.clear() if hasattr(client, "cookie_jar") else None

    adviser_client, head_client, governor_client = app.test_client(), app.test_client(), app.test_client()
    sign_in(adviser_client, adviser.email)
    sent = submit(adviser_client, f"/visits/{note.id}/send", {}, form_url=f"/visits/{note.id}")
    assert sent.status_code == 302
    db.session.refresh(note)
    assert note.status == "sent" and note.response_due_on > TODAY

    sign_in(head_client, head.email)
    sign_in(governor_client, governor.email)
    assert governor_client.get(f"/visits/{note.id}").status_code == 403
    page = head_client.get(f"/visits/{note.id}").get_data(as_text=True)
    assert "Check this note for factual accuracy" in page
    missing = submit(head_client, f"/visits/{note.id}/respond", {"accurate": "no", "comment": ""},
                     form_url=f"/visits/{note.id}")
    assert missing.status_code == 422 and "Say what is inaccurate" in missing.get_data(as_text=True)
    responded = submit(head_client, f"/visits/{note.id}/respond",
                       {"accurate": "no", "comment": "We met the deputy, not the head"}, form_url=f"/visits/{note.id}")
    assert responded.status_code == 302

    replied = submit(adviser_client, f"/visits/{note.id}/reply",
                     {"reply-comment": "Corrected in the final version"}, form_url=f"/visits/{note.id}")
    assert replied.status_code == 302
    finalised = submit(adviser_client, f"/visits/{note.id}/finalise", {"finalise-comment": ""},
                       form_url=f"/visits/{note.id}")
    assert finalised.status_code == 302
    db.session.refresh(note)
    assert note.status == "finalised" and note.is_locked
    kinds = [e.kind for e in db.session.scalars(select(NoteEvent).order_by(NoteEvent.id))]
    assert kinds == ["sent", "marked_inaccurate", "adviser_reply", "finalised"]
    history = head_client.get(f"/visits/{note.id}").get_data(as_text=True)
    positions = [history.index(text) for text in ("Sent to the school", "We met the deputy", "Corrected in the final", "Finalised</p>")]
    assert positions == sorted(positions)

    # Locked: no more edits, only addenda with a reason.
    assert adviser_client.get(f"/visits/{note.id}/edit").status_code == 403
    no_reason = submit(adviser_client, f"/visits/{note.id}/addenda", {"text": "Also met the SENCo", "reason": ""},
                       form_url=f"/visits/{note.id}")
    assert no_reason.status_code == 422 and "Also met the SENCo" in no_reason.get_data(as_text=True)
    added = submit(adviser_client, f"/visits/{note.id}/addenda",
                   {"text": "Also met the SENCo", "reason": "Omitted from the list of people met"},
                   form_url=f"/visits/{note.id}")
    assert added.status_code == 302
    summaries = db.session.scalars(select(SchoolEvent.summary).where(SchoolEvent.school_id == school.id)).all()
    assert any("sent to the school" in s for s in summaries)
    assert any("marked the note" in s and "inaccurate" in s for s in summaries)
    assert any("finalised" in s for s in summaries)


def test_finalising_before_the_school_responds_waits_for_the_deadline(db, create_note, create_user):
    adviser = create_user("link_adviser")
    note = create_note(adviser=adviser)
    services.send_note(adviser, note)
    with pytest.raises(DomainError, match="The school has until"):
        services.finalise_note(adviser, note)
    services.finalise_note(adviser, note, today=note.response_due_on + timedelta(days=1))
    assert note.status == "finalised"


def test_the_deadline_counts_working_days_on_the_authoritys_calendar(db, create_note, create_user):
    """Ten working days, skipping weekends, half-term and a day outside any term."""
    from lea_support.core.calendar import add_working_days

    db.session.add(TermDate(term="autumn-2026", academic_year="2026/27", starts_on=date(2026, 9, 2),
                            ends_on=date(2026, 12, 18)))
    db.session.add(ClosureDay(name="Half-term", starts_on=date(2026, 10, 26), ends_on=date(2026, 10, 30)))
    db.session.commit()
    # Friday 16 October + 10 working days: 19-23 Oct (5), half-term skipped, 2-6 Nov (5).
    assert add_working_days(date(2026, 10, 16), 10) == date(2026, 11, 6)
    # Term ends 18 December; the spring term is not configured, so the count cannot finish in 2026.
    db.session.add(TermDate(term="spring-2027", academic_year="2026/27", starts_on=date(2027, 1, 5),
                            ends_on=date(2027, 3, 26)))
    db.session.commit()
    assert add_working_days(date(2026, 12, 14), 10) == date(2027, 1, 12)


def test_the_second_of_two_concurrent_edits_gets_a_conflict_and_loses_nothing(app, create_note, create_user, db):
    first_user, second_user = create_user("link_adviser"), create_user("sia")
    note = create_note(adviser=first_user, discussion="Original discussion")
    first, second = app.test_client(), app.test_client()
    sign_in(first, first_user.email)
    sign_in(second, second_user.email)
    url = f"/visits/{note.id}/edit"
    # Both open the draft (version 1)...
    first.get(url)
    second.get(url)
    ok = submit(first, url, note_form(version="1", discussion="First person's words"))
    assert ok.status_code == 302
    clash = submit(second, url, note_form(version="1", discussion="Second person's words"))
    page = clash.get_data(as_text=True)
    assert clash.status_code == 409
    assert "changed by someone else" in page
    assert "First person&#39;s words" in page and "Second person&#39;s words" in page
    db.session.refresh(note)
    assert note.discussion == "First person's words"
    # Saving again from the conflict page is a deliberate choice, and now succeeds.
    again = submit(second, url, note_form(version=str(note.version), discussion="Second person's words"))
    assert again.status_code == 302
    db.session.refresh(note)
    assert note.discussion == "Second person's words"


def test_planning_a_visit_and_writing_it_up(db, create_school, create_user):
    adviser, school = create_user("link_adviser"), create_school()
    with pytest.raises(DomainError, match="today or later"):
        services.plan_visit(adviser, school, visit_date=TODAY - timedelta(days=1), visit_type_code="core_support",
                            purpose="x")
    note = services.plan_visit(adviser, school, visit_date=TODAY + timedelta(days=7),
                               visit_type_code="target_setting", purpose="Set 2027 targets")
    assert note.status == "planned"
    # Written up before the day it is planned for: refused (a written-up visit counts as done).
    with pytest.raises(DomainError, match="on or after the day it happens"):
        services.update_note(adviser, note, services.NoteData(visit_date=note.visit_date, visit_type_code="target_setting",
                                                              discussion="Targets agreed"), expected_version=note.version)
    assert note.status == "planned" and note.discussion == ""
    services.update_note(adviser, note, services.NoteData(visit_date=TODAY, visit_type_code="target_setting",
                                                          discussion="Targets agreed"), expected_version=note.version)
    assert note.status == "draft"
    with pytest.raises(DomainError, match="on or after the day it happens"):
        services.record_visit(adviser, school, services.NoteData(visit_date=TODAY + timedelta(days=1),
                                                                 visit_type_code="core_support"))


def test_school_leaders_see_only_their_schools_sent_notes(client, login_as, create_school, create_note):
    mine, other = create_school(), create_school()
    draft = create_note(school=mine, status="draft")
    sent = create_note(school=mine, status="sent")
    elsewhere = create_note(school=other, status="sent")
    login_as("school_leader", schools=[mine])
    listing = client.get(f"/schools/{mine.urn}/visits").get_data(as_text=True)
    assert f"/visits/{sent.id}" in listing and f"/visits/{draft.id}" not in listing
    assert client.get(f"/visits/{sent.id}").status_code == 200
    assert client.get(f"/visits/{draft.id}").status_code == 403
    assert client.get(f"/visits/{elsewhere.id}").status_code == 403
    assert client.get(f"/schools/{other.urn}/visits").status_code == 403


def test_a_refused_attachment_saves_nothing_and_keeps_the_typed_note(client, login_as, create_school, db, app):
    import io
    from pathlib import Path

    school = create_school()
    login_as("link_adviser")
    url = f"/schools/{school.urn}/visits/new"
    data = note_form(discussion="Words I do not want to type again")
    data["attachment"] = (io.BytesIO(b"MZ\x90\x00 this is a Windows program"), "minutes.pdf")
    response = submit(client, url, data, form_url=url, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "PDF, Word" in page and "Words I do not want to type again" in page
    assert db.session.scalar(select(func.count()).select_from(NoteOfVisit)) == 0
    folder = Path(app.config["ATTACHMENTS_DIR"])
    assert not folder.exists() or not any(folder.iterdir())

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    data["attachment"] = (io.BytesIO(pdf), "minutes.pdf")
    saved = submit(client, url, data, form_url=url, content_type="multipart/form-data")
    assert saved.status_code == 302
    note = db.session.scalars(select(NoteOfVisit)).one()
    assert [a.original_name for a in note.attachments] == ["minutes.pdf"]
