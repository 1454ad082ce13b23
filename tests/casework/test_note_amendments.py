"""Corrections that reach the note: after the school marks a note inaccurate, the adviser amends
its body before finalising; each amendment is kept and shown (page and PDF) with before, after and
the comment it answers. "Finalise" is offered only when it can succeed; tags say what to do."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from lea_support.casework.models import NoteAmendment, NoteOfVisit
from tests.conftest import sign_in, submit

BODY = {"purpose": "Review progress on reading", "people_met": "Headteacher", "discussion": "Discussed phonics",
        "strengths": "", "areas_for_development": ""}


@pytest.fixture
def loop(app, db, create_school, create_user, create_note):
    """A note sent to a school, with an adviser and a head signed in on their own clients."""
    school = create_school(name="Amend Primary")
    adviser = create_user("link_adviser", name="Ada Adviser")
    head = create_user("school_leader", schools=[school], name="Hana Head")
    note = create_note(school=school, adviser=adviser, status="draft", people_met="Headteacher")
    clients = {}
    for who, user in (("adviser", adviser), ("head", head)):
        clients[who] = app.test_client()
        assert sign_in(clients[who], user.email).status_code == 302
    assert submit(clients["adviser"], f"/visits/{note.id}/send", {}, form_url=f"/visits/{note.id}").status_code == 302
    return note, clients["adviser"], clients["head"]


def respond(head, note, accurate, comment=""):
    answer = submit(head, f"/visits/{note.id}/respond", {"accurate": "yes" if accurate else "no", "comment": comment},
                    form_url=f"/visits/{note.id}")
    assert answer.status_code == 302


def amend(adviser, note, version=None, **changes):
    page = adviser.get(f"/visits/{note.id}/amend").get_data(as_text=True)
    if version is None:
        version = int(page.split('name="version" type="hidden" value="')[1].split('"')[0])
    return submit(adviser, f"/visits/{note.id}/amend", {**BODY, **changes, "version": str(version)},
                  form_url=f"/visits/{note.id}/amend")


def tag(page):
    return page.split('id="note-status">')[1].split("<")[0]


def test_the_adviser_amends_a_note_marked_inaccurate_and_the_amendment_is_shown_then_finalises(loop, db):
    note, adviser, head = loop
    assert tag(head.get(f"/visits/{note.id}").get_data(as_text=True)) == "Awaiting your response"
    respond(head, note, False, "We met the deputy, not the head")

    page = adviser.get(f"/visits/{note.id}").get_data(as_text=True)
    assert tag(page) == "Marked inaccurate" and 'id="amend-note"' in page and 'id="finalise-note"' in page
    form = adviser.get(f"/visits/{note.id}/amend").get_data(as_text=True)
    assert "We met the deputy, not the head" in form and "Discussed phonics" in form

    saved = amend(adviser, note, people_met="Deputy headteacher", strengths="Clear phonics teaching")
    assert saved.status_code == 302, saved.get_data(as_text=True)[-1500:]
    db.session.expire_all()
    stored = db.session.get(NoteOfVisit, note.id)
    assert (stored.people_met, stored.strengths, stored.status) == ("Deputy headteacher", "Clear phonics teaching",
                                                                     "responded")
    rows = db.session.scalars(select(NoteAmendment).order_by(NoteAmendment.id)).all()
    assert [(a.field, a.before_text, a.after_text, a.answers.comment) for a in rows] == [
        ("people_met", "Headteacher", "Deputy headteacher", "We met the deputy, not the head"),
        ("strengths", "", "Clear phonics teaching", "We met the deputy, not the head")]

    for client in (adviser, head):
        shown = client.get(f"/visits/{note.id}").get_data(as_text=True)
        amendments = shown.split('id="amendments"')[1]
        assert "People met" in amendments and "Headteacher" in amendments and "Deputy headteacher" in amendments
        assert "We met the deputy, not the head" in amendments and "Ada Adviser" in amendments
    pdf = adviser.get(f"/visits/{note.id}/pdf")
    assert pdf.status_code == 200
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Amendments after the school" in text and "Deputy headteacher" in text
    assert "We met the deputy, not the head" in text

    finalised = submit(adviser, f"/visits/{note.id}/finalise", {"finalise-comment": ""}, form_url=f"/visits/{note.id}")
    assert finalised.status_code == 302
    after = adviser.get(f"/visits/{note.id}").get_data(as_text=True)
    assert 'id="amend-note"' not in after and "Deputy headteacher" in after
    assert adviser.get(f"/visits/{note.id}/amend").status_code == 302
    late = submit(adviser, f"/visits/{note.id}/amend", {**BODY, "version": "99"}, form_url=f"/visits/{note.id}")
    assert late.status_code == 409 and "add an addendum" in late.get_data(as_text=True)


def test_a_note_confirmed_accurate_cannot_be_amended(loop, db):
    note, adviser, head = loop
    respond(head, note, True)
    page = adviser.get(f"/visits/{note.id}").get_data(as_text=True)
    assert tag(page) == "Confirmed accurate" and 'id="amend-note"' not in page
    assert tag(head.get(f"/visits/{note.id}").get_data(as_text=True)) == "Response sent"
    assert adviser.get(f"/visits/{note.id}/amend").status_code == 302
    refused = submit(adviser, f"/visits/{note.id}/amend", {**BODY, "purpose": "Changed", "version": "2"},
                     form_url=f"/visits/{note.id}")
    assert refused.status_code == 422 and "marked it inaccurate" in refused.get_data(as_text=True)
    assert db.session.scalars(select(NoteAmendment)).first() is None


def test_an_amendment_that_changes_nothing_or_from_a_stale_copy_is_refused(loop, db):
    note, adviser, head = loop
    respond(head, note, False, "Wrong date for the next visit")
    nothing = amend(adviser, note)
    assert nothing.status_code == 422 and "Nothing has been changed" in nothing.get_data(as_text=True)
    empty = amend(adviser, note, discussion="   ")
    assert empty.status_code == 422 and "discussion cannot be left empty" in empty.get_data(as_text=True)
    page = adviser.get(f"/visits/{note.id}/amend").get_data(as_text=True)
    version = int(page.split('name="version" type="hidden" value="')[1].split('"')[0])
    assert amend(adviser, note, version=version, purpose="First correction").status_code == 302
    stale = amend(adviser, note, version=version, purpose="Second correction from an old tab")
    assert stale.status_code == 409 and "Second correction from an old tab" in stale.get_data(as_text=True)
    assert [a.after_text for a in db.session.scalars(select(NoteAmendment))] == ["First correction"]


def test_only_the_adviser_or_seniors_may_amend(loop, app, db, create_user):
    note, _adviser, head = loop
    respond(head, note, False, "Wrong")
    assert head.get(f"/visits/{note.id}/amend").status_code == 403
    other = app.test_client()
    sign_in(other, create_user("link_adviser").email)
    assert other.get(f"/visits/{note.id}/amend").status_code == 403


def test_finalise_is_offered_only_when_it_can_succeed(loop, db):
    note, adviser, _head = loop
    page = adviser.get(f"/visits/{note.id}").get_data(as_text=True)
    assert 'id="finalise-note"' not in page and 'id="finalise-later"' in page
    stored = db.session.get(NoteOfVisit, note.id)
    stored.response_due_on = date.today() - timedelta(days=1)
    db.session.commit()
    page = adviser.get(f"/visits/{note.id}").get_data(as_text=True)
    assert 'id="finalise-note"' in page and 'id="finalise-later"' not in page


def test_the_list_of_notes_tags_what_each_reader_must_do(loop, db, create_note):
    note, adviser, head = loop
    accurate = create_note(school=note.school, adviser=note.adviser, status="draft", visit_date=date(2026, 11, 3))
    submit(adviser, f"/visits/{accurate.id}/send", {}, form_url=f"/visits/{accurate.id}")
    url = f"/schools/{note.school.urn}/visits"
    head_list = head.get(url).get_data(as_text=True)
    assert head_list.count("Awaiting your response") == 2
    respond(head, note, False, "Wrong")
    respond(head, accurate, True)
    adviser_list = adviser.get(url).get_data(as_text=True)

    def cell(page, n):
        return page.split(f'data-note-tag="{n.id}">')[1].split("<")[0]

    assert (cell(adviser_list, note), cell(adviser_list, accurate)) == ("Marked inaccurate", "Confirmed accurate")
    assert "Awaiting your response" not in head.get(url).get_data(as_text=True)


def test_no_reveals_the_comment_under_it_and_the_page_works_without_javascript(loop):
    from bs4 import BeautifulSoup

    note, _adviser, head = loop
    page = BeautifulSoup(head.get(f"/visits/{note.id}").get_data(as_text=True), "html.parser")
    radios = {r["value"]: r for r in page.select("input[name=accurate]")}
    assert not radios["yes"].has_attr("data-aria-controls")
    panel = page.select_one("#" + radios["no"]["data-aria-controls"])
    assert "govuk-radios__conditional" in panel["class"] and panel.select_one("textarea[name=comment]") is not None
    assert panel.find_parent("form")["action"] == f"/visits/{note.id}/respond"
    respond(head, note, False, "The date of the visit is wrong")
