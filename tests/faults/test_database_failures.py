"""The database failing in the middle of a request: the user is told plainly that nothing was
saved, nothing from the request is in the database, and what they typed is given back."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from lea_support.casework.models import NoteOfVisit
from lea_support.core.models import AuditEntry
from lea_support.rap.models import PlanObjective
from tests.casework.test_notes import note_form
from tests.conftest import csrf_token, sign_in, submit

NOT_SAVED = "Sorry, your changes were not saved"


def count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def typed_back(response) -> dict[str, str]:
    """The "what you typed" block of a not-saved page: label -> text."""
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return {soup.find("label", attrs={"for": box["id"]}).get_text(strip=True): box.get_text()
            for box in soup.select("textarea[readonly]")}


def assert_a_safe_not_saved_page(response, status: int) -> str:
    page = response.get_data(as_text=True)
    assert response.status_code == status, page[-2000:]
    assert NOT_SAVED in page and "Nothing you just submitted has been saved" in page
    assert "govuk-heading-l" in page  # the service's own layout
    # Still a page of this service: its security headers, and never kept in a cache (it holds what was typed).
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    return page


@pytest.mark.parametrize("error, message, status", [
    ("OperationalError", "server closed the connection unexpectedly", 503),
    ("OperationalError", "database or disk is full", 503),
    ("IntegrityError", "duplicate key value violates unique constraint", 500),
])
def test_a_failed_insert_while_recording_a_visit_saves_nothing_and_gives_back_the_text(
        client, login_as, create_school, db, db_fault, error, message, status):
    school = create_school()
    login_as("link_adviser")
    audit_before = count(db, AuditEntry)
    url = f"/schools/{school.urn}/visits/new"
    db_fault.statement, db_fault.error, db_fault.message = r"^\s*INSERT INTO notes_of_visit", error, message
    response = submit(client, url, note_form(discussion="Forty minutes on phonics,\nthen a learning walk"))
    assert db_fault.tripped == 1
    page = assert_a_safe_not_saved_page(response, status)
    if status == 503:
        assert response.headers["Retry-After"]
    typed = typed_back(response)
    assert typed["Discussion"] == "Forty minutes on phonics,\nthen a learning walk"
    assert typed["Purpose"] == "Check progress on early reading"
    assert typed["Actions 1 description"] == "Audit class libraries"
    assert not any("csrf" in label.lower() for label in typed)
    assert "saved as a draft" not in page
    assert count(db, NoteOfVisit) == 0 and count(db, AuditEntry) == audit_before
    # Once the database is back, the same submission goes through.
    db_fault.clear()
    again = submit(client, url, note_form(discussion="Forty minutes on phonics"))
    assert again.status_code == 302
    assert db.session.scalars(select(NoteOfVisit.discussion)).one() == "Forty minutes on phonics"


def test_a_failed_commit_at_the_end_of_a_note_edit_rolls_back_everything_and_says_so(
        client, login_as, create_note, db, db_fault):
    adviser = login_as("link_adviser")
    note = create_note(adviser=adviser, discussion="What was there before")
    audit_before = count(db, AuditEntry)
    url = f"/visits/{note.id}/edit"
    db_fault.commit = True
    response = submit(client, url, note_form(version=str(note.version), discussion="My careful rewrite"))
    assert db_fault.tripped == 1
    page = assert_a_safe_not_saved_page(response, 503)
    assert typed_back(response)["Discussion"] == "My careful rewrite"
    # The view had already queued "Note of visit saved": it must never be shown, here or later.
    assert "Note of visit saved" not in page
    db_fault.clear()
    assert "Note of visit saved" not in client.get(f"/visits/{note.id}").get_data(as_text=True)
    db.session.refresh(note)
    assert (note.discussion, note.version) == ("What was there before", 1)
    assert count(db, AuditEntry) == audit_before


def test_a_failed_update_of_a_plan_objective_saves_nothing_and_keeps_the_text(db, client, create_user, create_school,
                                                                               db_fault):
    from tests.rap.test_plan_editing import draft

    school = create_school(support_tier="significant", mcs_level=3)
    sia = create_user("sia")
    plan = draft(db, sia, school)
    objective = plan.objectives[0]
    opened = objective.version_id
    sign_in(client, sia.email)
    url = f"/plans/{plan.id}/objectives/{objective.id}/edit"
    db_fault.statement = r"^\s*UPDATE plan_objectives"
    response = submit(client, url, {"version_id": str(opened), "text": "Raise attainment in writing, typed with care"})
    assert db_fault.tripped == 1
    assert_a_safe_not_saved_page(response, 503)
    assert typed_back(response) == {"Text": "Raise attainment in writing, typed with care"}
    db.session.expire_all()
    objective = db.session.get(PlanObjective, objective.id)
    assert (objective.text, objective.version_id) == ("Objective 1", opened)
    assert count(db, AuditEntry, AuditEntry.action == "plan.objective.update") == 0


def test_secrets_are_never_given_back(client, create_user, db, db_fault):
    """The sign-in form fails on its database write: the e-mail address comes back, the password never."""
    user = create_user("admin")
    db_fault.statement = r"^\s*(INSERT|UPDATE)"
    response = submit(client, "/sign-in", {"email": user.email, "password": "correct-horse-staple-42"})
    assert db_fault.tripped >= 1
    page = assert_a_safe_not_saved_page(response, 503)
    assert typed_back(response) == {"Email": user.email}
    assert "correct-horse-staple-42" not in page


def test_an_unreachable_database_gives_a_plain_unavailable_page(client, login_as, db, db_fault):
    """Nothing answers, not even the query that loads the signed-in user: the page still renders."""
    login_as("link_adviser")
    db_fault.statement = r"."
    response = client.get("/caseload")
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Sorry, the service is unavailable" in page and "Try again in a few minutes" in page
    assert "What you typed" not in page and NOT_SAVED not in page
    db_fault.clear()
    assert client.get("/caseload").status_code == 200  # still signed in once it is back


def test_an_unreachable_database_on_a_post_still_gives_back_the_text(client, login_as, create_note, db, db_fault):
    adviser = login_as("link_adviser")
    note = create_note(adviser=adviser)
    url = f"/visits/{note.id}/edit"
    token = csrf_token(client, url)  # the form was opened while the database was up
    db_fault.statement = r"."
    response = client.post(url, data={**note_form(version="1", discussion="Typed while it was down"),
                                      "csrf_token": token})
    assert_a_safe_not_saved_page(response, 503)
    typed = typed_back(response)
    assert typed["Discussion"] == "Typed while it was down" and typed["Visit date"].count(" ") == 2


def test_any_other_failure_during_a_save_also_gives_back_the_text(app, client, login_as, create_school, db,
                                                                  monkeypatch):
    """Not the database: a fault in the code. Served as in production (no exception propagated)."""
    from lea_support.casework import services

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    school = create_school()
    login_as("link_adviser")
    url = f"/schools/{school.urn}/visits/new"
    token = csrf_token(client, url)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    monkeypatch.setattr(services, "record_visit", broken)
    response = client.post(url, data={**note_form(discussion="Still mine"), "csrf_token": token})
    assert_a_safe_not_saved_page(response, 500)
    assert typed_back(response)["Discussion"] == "Still mine"
    assert count(db, NoteOfVisit) == 0


def test_a_failed_commit_after_a_file_was_written_leaves_no_file_behind(app, client, login_as, create_note, db,
                                                                        db_fault, tmp_path):
    from werkzeug.test import encode_multipart

    from lea_support.casework.models import VisitAttachment
    from tests.casework.test_attachments import real_pdf, upload

    adviser = login_as("link_adviser")
    note = create_note(adviser=adviser)
    url = f"/visits/{note.id}/attachments"
    boundary, body = encode_multipart({"csrf_token": csrf_token(client, url),
                                       "attachment": upload(real_pdf(), "minutes.pdf")})
    db_fault.commit = True
    response = client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")
    page = assert_a_safe_not_saved_page(response, 503)
    assert "minutes.pdf" in page and "choose the file again" in page
    assert count(db, VisitAttachment) == 0
    assert list((tmp_path / "attachments").iterdir()) == []
