"""LA-wide programmes through the routes: setting one up, enrolling schools and people, baselines,
attendance and absences, reviewers' capacity, review visits written up as notes of visit against the
baseline, termly returns filled in by the school, the reminder, and the report PDF."""
from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from lea_support.casework.models import NoteOfVisit
from lea_support.core.terms import Term
from lea_support.programmes.models import (
    Attendance,
    MonitoringReturn,
    Participant,
    Programme,
    ProgrammeSchool,
    ReviewAssignment,
    Reviewer,
    TrainingSession,
)
from tests.conftest import sign_in, submit

TODAY = date.today()
START = TODAY - timedelta(days=60)
END = TODAY + timedelta(days=300)


def _date(prefix: str, day: date) -> dict[str, str]:
    return {prefix: str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


def _dates(name: str, day: date) -> dict[str, str]:
    # A GOV.UK date input posts three boxes under one name (day, month, year).
    return {name: [str(day.day), str(day.month), str(day.year)]}


@pytest.fixture
def programme(db, client, login_as):
    """A programme set up through the form by an SIA (signed in), with two criteria and two questions."""
    login_as("sia")
    response = submit(client, "/programmes/new", {
        "name": "Maximising the Impact of Teaching Assistants", "aims": "Better TA deployment",
        "funder": "DfE", "participant_title": "Teaching assistants", **_dates("starts_on", START),
        **_dates("ends_on", END)})
    assert response.status_code == 302, response.get_data(as_text=True)
    programme = db.session.scalars(select(Programme)).one()
    url = f"/programmes/{programme.id}"
    for text in ("TAs are prepared for lessons", "TAs foster independence"):
        assert submit(client, f"{url}/criteria", {"text": text}, form_url=url).status_code == 302
    assert submit(client, f"{url}/questions", {"text": "What has changed?", "kind": "text"},
                  form_url=url).status_code == 302
    assert submit(client, f"{url}/questions", {"text": "How embedded is TA preparation?", "kind": "level"},
                  form_url=url).status_code == 302
    return programme


def _enrol(client, db, programme, school) -> ProgrammeSchool:
    url = f"/programmes/{programme.id}"
    assert submit(client, f"{url}/schools", {"urn": str(school.urn)}, form_url=url).status_code == 302
    return db.session.scalars(select(ProgrammeSchool).where(ProgrammeSchool.school_id == school.id)).one()


def test_setting_up_and_enrolling(client, db, programme, create_school):
    school = create_school()
    enrolment = _enrol(client, db, programme, school)
    url = f"/programmes/{programme.id}"
    page = client.get(url).get_data(as_text=True)
    assert school.name in page and "TAs foster independence" in page
    again = submit(client, f"{url}/schools", {"urn": str(school.urn)}, form_url=url)
    assert again.status_code == 422 and "is already enrolled" in again.get_data(as_text=True)
    unknown = submit(client, f"{url}/schools", {"urn": "999999999"}, form_url=url)
    assert unknown.status_code == 422 and "No school has the URN 999999999" in unknown.get_data(as_text=True)
    # Participants, one a line.
    eurl = f"/programme-schools/{enrolment.id}"
    response = submit(client, f"{eurl}/participants", {"names": "Ann Able\n\nBea Bright\n", "job_title": "TA"},
                      form_url=eurl)
    assert response.status_code == 302
    assert sorted(p.name for p in db.session.scalars(select(Participant))) == ["Ann Able", "Bea Bright"]
    empty = submit(client, f"{eurl}/participants", {"names": " \n"}, form_url=eurl)
    assert empty.status_code == 422 and "Enter the participants&#39; names, one a line" in empty.get_data(as_text=True)


def test_a_programme_needs_dates_in_order(client, db, login_as):
    login_as("sia")
    response = submit(client, "/programmes/new", {"name": "Late", "participant_title": "TAs",
                                                  **_dates("starts_on", END), **_dates("ends_on", START)})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "The programme must end on or after the day it starts" in body and 'value="Late"' in body


def test_baseline_and_review_levels_and_the_report_as_a_note(client, db, programme, create_school, create_user):
    school = create_school()
    enrolment = _enrol(client, db, programme, school)
    criteria = programme.criteria
    eurl = f"/programme-schools/{enrolment.id}"
    missing = submit(client, f"{eurl}/baseline", {f"level-{criteria[0].id}": "1", **_dates("baseline_on", START)},
                     form_url=eurl)
    assert missing.status_code == 422 and "Choose a level" in missing.get_data(as_text=True)
    assert submit(client, f"{eurl}/baseline", {f"level-{criteria[0].id}": "1", f"level-{criteria[1].id}": "2",
                                               **_dates("baseline_on", START)}, form_url=eurl).status_code == 302
    # A reviewer in the pool with 2 days; a visit of 1.5 days leaves 0.5.
    reviewer_user = create_user("link_adviser")
    rurl = f"/programmes/{programme.id}/reviewers"
    assert submit(client, rurl, {"user_id": str(reviewer_user.id), "capacity_days": "2"}).status_code == 302
    reviewer = db.session.scalars(select(Reviewer)).one()
    visit = {"reviewer_id": str(reviewer.id), "enrolment_id": str(enrolment.id), **_dates("visit_on", TODAY),
             "days": "1.5"}
    assert submit(client, f"/programmes/{programme.id}/assignments", visit, form_url=rurl).status_code == 302
    over = submit(client, f"/programmes/{programme.id}/assignments", visit, form_url=rurl)
    assert over.status_code == 422 and "has 0.5 of their 2 days left" in over.get_data(as_text=True)
    assignment = db.session.scalars(select(ReviewAssignment)).one()
    # Levels found, read against the baseline.
    aurl = f"/programme-reviews/{assignment.id}"
    assert "Baseline: 1 Not yet in place" in client.get(aurl).get_data(as_text=True)
    assert submit(client, aurl, {f"level-{criteria[0].id}": "3", f"level-{criteria[1].id}": "2"}).status_code == 302
    # The report is a note of visit of the programme review type, by the reviewer.
    response = submit(client, f"{aurl}/report", {}, form_url=aurl)
    assert response.status_code == 302 and "/edit" in response.headers["Location"]
    note = db.session.scalars(select(NoteOfVisit)).one()
    assert (note.programme_assignment_id, note.visit_type_code, note.adviser_id, note.status) == (
        assignment.id, "programme_review", reviewer_user.id, "planned")
    assert "progress on each criterion against the school" in client.get(f"/visits/{note.id}").get_data(as_text=True)
    twice = submit(client, f"{aurl}/report", {}, form_url=aurl)
    assert twice.status_code == 422
    # Days used count once the report is written up.
    pool = client.get(rurl).get_data(as_text=True)
    assert "0 reviewer days used and 1.5 assigned, of 2 available" in pool
    note.status = "draft"
    db.session.commit()
    assert "1.5 reviewer days used and 1.5 assigned, of 2 available" in client.get(rurl).get_data(as_text=True)
    progress = client.get(eurl).get_data(as_text=True)
    assert "3 Established" in progress and "1 Not yet in place" in progress


def test_bulk_attendance_and_absences_to_follow_up(client, db, programme, create_school):
    school = create_school()
    enrolment = _enrol(client, db, programme, school)
    eurl = f"/programme-schools/{enrolment.id}"
    submit(client, f"{eurl}/participants", {"names": "Ann\nBea\nCal"}, form_url=eurl)
    people = {p.name: p for p in db.session.scalars(select(Participant))}
    surl = f"/programmes/{programme.id}/sessions"
    assert submit(client, surl, {"title": "MPTA session 1", **_dates("held_on", TODAY), "mandatory": "y"}
                  ).status_code == 302
    session = db.session.scalars(select(TrainingSession)).one()
    aurl = f"/programme-sessions/{session.id}"
    page = client.get(aurl).get_data(as_text=True)
    assert all(f'name="attendance-{p.id}"' in page for p in people.values())
    response = submit(client, aurl, {f"attendance-{people['Ann'].id}": "present",
                                     f"attendance-{people['Bea'].id}": "absent",
                                     f"attendance-{people['Cal'].id}": "apologies"})
    assert response.status_code == 302
    assert {a.participant_id: a.status for a in db.session.scalars(select(Attendance))} == {
        people["Ann"].id: "present", people["Bea"].id: "absent", people["Cal"].id: "apologies"}
    bad = submit(client, aurl, {f"attendance-{people['Ann'].id}": "late"})
    assert bad.status_code == 422
    absences = client.get(f"/programmes/{programme.id}/absences").get_data(as_text=True)
    assert "2 absences from mandatory sessions" in absences and "Bea" in absences
    furl = f"/programme-sessions/{session.id}/absences/{people['Bea'].id}"
    empty = submit(client, furl, {"note": ""}, form_url=f"/programmes/{programme.id}/absences")
    assert empty.status_code == 422 and "Enter how the absence was followed up" in empty.get_data(as_text=True)
    assert submit(client, furl, {"note": "Booked on the mop-up session"},
                  form_url=f"/programmes/{programme.id}/absences").status_code == 302
    assert "1 absence from mandatory sessions" in client.get(f"/programmes/{programme.id}/absences").get_data(as_text=True)


def test_a_school_leader_fills_in_the_return_and_is_reminded(app, client, db, programme, create_school, create_user):
    school, other = create_school(), create_school()
    enrolment = _enrol(client, db, programme, school)
    other_enrolment = _enrol(client, db, programme, other)
    term = Term.current(TODAY)
    leader = create_user("school_leader", schools=[school])
    client = app.test_client()  # the school leader's browser
    sign_in(client, leader.email)
    home = client.get("/").get_data(as_text=True)
    assert "Programme monitoring returns to submit this term" in home
    assert client.get(f"/programme-schools/{other_enrolment.id}").status_code == 403
    assert client.get(f"/programmes/{programme.id}").status_code == 403
    assert client.get(f"/schools/{school.urn}/programmes").status_code == 200
    rurl = f"/programme-schools/{enrolment.id}/returns/{term.slug}"
    text_q, level_q = programme.questions
    saved = submit(client, rurl, {f"answer-{text_q.id}": "TAs now plan with teachers", "save": "y"})
    assert saved.status_code == 302
    incomplete = submit(client, rurl, {f"answer-{text_q.id}": "TAs now plan with teachers", "submit": "y"})
    body = incomplete.get_data(as_text=True)
    assert incomplete.status_code == 422 and "Answer question 2 before submitting" in body
    assert "TAs now plan with teachers" in body
    done = submit(client, rurl, {f"answer-{text_q.id}": "TAs now plan with teachers", f"answer-{level_q.id}": "3",
                                 "submit": "y"})
    assert done.status_code == 302
    ret = db.session.scalars(select(MonitoringReturn)).one()
    assert (ret.status, ret.term) == ("submitted", term.slug)
    assert "Programme monitoring returns to submit this term" not in client.get("/").get_data(as_text=True)
    late = submit(client, rurl, {f"answer-{text_q.id}": "changed", "submit": "y"}, form_url=f"/programme-schools/{enrolment.id}")
    assert late.status_code == 422


def test_returns_summary_and_report_pdf(client, db, programme, create_school):
    schools = [create_school(), create_school()]
    enrolments = [_enrol(client, db, programme, s) for s in schools]
    term = Term.current(TODAY)
    text_q, level_q = programme.questions
    rurl = f"/programme-schools/{enrolments[0].id}/returns/{term.slug}"
    assert submit(client, rurl, {f"answer-{text_q.id}": "Better deployment", f"answer-{level_q.id}": "4",
                                 "submit": "y"}).status_code == 302
    summary = client.get(f"/programmes/{programme.id}/returns").get_data(as_text=True)
    assert "1 of 2</strong> schools have submitted" in summary and "Better deployment" in summary
    response = client.get(f"/programmes/{programme.id}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.data)).pages)
    assert "Maximising the Impact of Teaching Assistants" in text and schools[1].name in text
