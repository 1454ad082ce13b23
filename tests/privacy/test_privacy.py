"""Data protection (issue 18, item 6): the read audit, the retention schedule, subject access,
anonymising a departed member of staff, and the privacy notice."""
from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from unittest.mock import patch

import pytest
from sqlalchemy import func, select

from lea_support.auth.models import FailedSignIns, User
from lea_support.casework.models import AgreedAction, NoteEvent, NoteOfVisit
from lea_support.core.audit import record_audit
from lea_support.core.models import AuditEntry, utcnow
from lea_support.extensions import db as _db
from lea_support.notifications.models import Notification
from lea_support.pdf.models import StoredDocument
from lea_support.privacy import reads
from lea_support.privacy.models import RecordRead, RetentionRule, RetentionRun
from lea_support.privacy.retention import REMOVED
from lea_support.schools.models import SchoolEvent
from tests.conftest import PASSWORD, recorded_statements, sign_in, submit


def _read_inserts(statements: list[str]) -> list[str]:
    return [s for s in statements if "read_audit" in s]


# --- the read audit ---------------------------------------------------------------------------------

def test_viewing_a_note_and_its_plan_records_each_read_in_one_insert(client, db, login_as, create_note):
    adviser = login_as("link_adviser")
    note = create_note(adviser=adviser, status="draft")
    with recorded_statements() as seen:
        assert client.get(f"/visits/{note.id}").status_code == 200
    [insert] = _read_inserts(seen)
    assert insert.lstrip().upper().startswith("INSERT INTO READ_AUDIT")
    [read] = db.session.scalars(select(RecordRead)).all()
    assert (read.user_id, read.record_kind, read.record_id, read.how) == (adviser.id, "note_of_visit", note.id, "view")


def test_the_reads_of_a_request_are_written_in_one_statement(app, db, create_user):
    adviser_id = create_user("link_adviser").id
    db.session.rollback()  # the test's session holds no lock while the short transaction writes
    with app.test_request_context("/"), patch.object(reads, "current_user", SimpleNamespace(id=adviser_id)):
        for record_id in (1, 2, 3, 1):  # the same read twice in a request is one read
            reads.record_read("note_of_visit", record_id)
        pending = list(reads.g.get("privacy_reads"))
    assert len(pending) == 3
    with recorded_statements() as seen:
        reads.write_reads(adviser_id, pending)
    assert len([s for s in seen if not s.strip().upper().startswith("BEGIN")]) == 1
    assert db.session.scalar(select(func.count()).select_from(RecordRead)) == 3


def test_the_read_audit_adds_one_statement_to_the_page(client, db, login_as, create_note, monkeypatch):
    adviser = login_as("link_adviser")
    note = create_note(adviser=adviser)
    url = f"/visits/{note.id}"
    client.get(url)  # warm caches

    def statements() -> int:
        with recorded_statements() as seen:
            assert client.get(url).status_code == 200
        return len([s for s in seen if not s.strip().upper().startswith("BEGIN")])  # SQLite's own BEGIN of the short transaction

    with_audit = statements()
    monkeypatch.setattr(reads, "write_reads", lambda *_args: None)
    without = statements()
    assert with_audit == without + 1


def test_refused_pages_record_no_read(client, db, login_as, create_note, create_school):
    login_as("school_leader", schools=[create_school()])
    note = create_note()  # a note of another school
    assert client.get(f"/visits/{note.id}").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(RecordRead)) == 0


def test_a_failure_to_write_the_audit_does_not_fail_the_page(client, db, login_as, create_note, monkeypatch):
    from sqlalchemy.exc import OperationalError

    adviser = login_as("link_adviser")
    note = create_note(adviser=adviser)

    def fail(*_args):
        raise OperationalError("INSERT", {}, Exception("disk full"))

    monkeypatch.setattr(reads, "write_reads", fail)
    assert client.get(f"/visits/{note.id}").status_code == 200


def _read(user, kind, record_id, when, how="view"):
    _db.session.add(RecordRead(user_id=user.id, record_kind=kind, record_id=record_id, occurred_at=when, how=how))


def test_admins_search_the_read_audit_by_person_kind_record_and_dates(client, db, login_as, create_user):
    login_as("admin")
    alice = create_user("link_adviser", name="Alice Adviser", email="alice@example.org")
    bob = create_user("sia", name="Bob Improvement", email="bob@example.org")
    _read(alice, "note_of_visit", 11, datetime(2026, 11, 2, 10, tzinfo=UTC))
    _read(alice, "plan", 12, datetime(2026, 11, 20, 10, tzinfo=UTC), "download")
    _read(bob, "note_of_visit", 11, datetime(2026, 12, 1, 10, tzinfo=UTC))
    db.session.commit()

    def rows(query: str) -> int:
        page = client.get("/admin/reads" + query)
        assert page.status_code == 200
        return page.get_data(as_text=True).count('<td class="govuk-table__cell">Viewed') + \
            page.get_data(as_text=True).count('<td class="govuk-table__cell">Downloaded')

    assert rows("") == 3
    assert rows("?person=alice") == 2
    assert rows("?person=improvement") == 1
    assert rows("?kind=note_of_visit") == 2
    assert rows("?kind=note_of_visit&record=11&person=bob") == 1
    assert rows("?from_date=10&from_date=11&from_date=2026&to_date=30&to_date=11&to_date=2026") == 1
    refused = client.get("/admin/reads?record=eleven").get_data(as_text=True)
    assert "A record number is a number" in refused and 'value="eleven"' in refused


def test_the_read_audit_pages(client, db, login_as, create_user):
    login_as("admin")
    someone = create_user("sia")
    for i in range(51):
        _read(someone, "plan", i + 1, datetime(2026, 11, 2, 10, tzinfo=UTC) + timedelta(minutes=i))
    db.session.commit()
    first = client.get("/admin/reads").get_data(as_text=True)
    assert "Plan 51" in first and "Plan 1<" not in first and 'rel="next"' in first
    assert "Plan 1<" in client.get("/admin/reads?page=2").get_data(as_text=True)


# --- the retention schedule ---------------------------------------------------------------------------

def _digest() -> dict[str, str]:
    digests = {}
    for table in _db.metadata.sorted_tables:
        rows = _db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        digests[table.name] = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()
    return digests


def _old_and_new(create_note, create_user):
    now = utcnow()
    adviser = create_user("link_adviser")
    old = create_note(adviser=adviser, status="finalised", finalised_at=now - timedelta(days=7 * 365))
    _db.session.add_all([AgreedAction(note_id=old.id, description="Old action", owner="Head"),
                         NoteEvent(note_id=old.id, kind="finalised", user_id=adviser.id, comment="Agreed")])
    recent = create_note(adviser=adviser, status="finalised", finalised_at=now - timedelta(days=365))
    draft = create_note(adviser=adviser, status="draft")
    _read(adviser, "plan", 1, now - timedelta(days=3 * 365))
    _read(adviser, "plan", 2, now - timedelta(days=30))
    _db.session.add_all([
        FailedSignIns(email="old@example.org", failures=2, last_failed_at=now - timedelta(days=100)),
        FailedSignIns(email="new@example.org", failures=1, last_failed_at=now - timedelta(days=5)),
        Notification(user_id=adviser.id, kind="note_response", subject="Old", body="Old news", link="/",
                     dedupe_key="old", delivery="immediate", created_at=now - timedelta(days=400)),
        Notification(user_id=adviser.id, kind="note_response", subject="New", body="News", link="/",
                     dedupe_key="new", delivery="immediate", created_at=now - timedelta(days=4)),
    ])
    _db.session.commit()
    return old, recent, draft


def test_retention_dry_run_says_what_it_would_do_and_changes_nothing(app, db, create_note, create_user):
    _old_and_new(create_note, create_user)
    before = _digest()
    result = app.test_cli_runner().invoke(args=["retention", "apply", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Finalised notes of visit, with their actions, responses and files: would delete 1" in result.output
    assert "Read audit (who viewed or downloaded what): would delete 1" in result.output
    assert "Failed sign-ins: would delete 1" in result.output
    assert "Notifications: would delete 1" in result.output
    db.session.rollback()
    assert _digest() == before


def test_retention_apply_deletes_what_is_past_its_period_and_records_the_run(app, db, create_note, create_user):
    old, recent, draft = _old_and_new(create_note, create_user)
    old_id = old.id
    result = app.test_cli_runner().invoke(args=["retention", "apply"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    assert db.session.get(NoteOfVisit, old_id) is None
    assert db.session.scalar(select(func.count()).select_from(AgreedAction)) == 0
    assert {n.id for n in db.session.scalars(select(NoteOfVisit))} == {recent.id, draft.id}
    assert [r.record_id for r in db.session.scalars(select(RecordRead))] == [2]
    assert [f.email for f in db.session.scalars(select(FailedSignIns))] == ["new@example.org"]
    assert [n.subject for n in db.session.scalars(select(Notification))] == ["New"]
    [run] = db.session.scalars(select(RetentionRun)).all()
    assert run.results["note_of_visit"] == {"action": "delete", "count": 1}
    assert run.results["failed_sign_ins"]["count"] == 1
    # Applied again, nothing more is due.
    again = app.test_cli_runner().invoke(args=["retention", "apply"])
    assert "deleted 0" in again.output and "deleted 1" not in again.output


@pytest.fixture
def kept_rules(db):
    """The retention rules are reference data (seeded by the migration, never emptied between tests
    on PostgreSQL): a test that changes them puts them back."""
    saved = [{c.name: getattr(r, c.name) for c in RetentionRule.__table__.columns}
             for r in db.session.scalars(select(RetentionRule))]
    db.session.rollback()
    yield
    db.session.rollback()
    for values in saved:
        db.session.merge(RetentionRule(**values))
    db.session.commit()


def test_an_admin_sets_notes_to_be_anonymised_and_apply_keeps_the_notes_without_their_text(
        app, client, db, login_as, create_note, create_user, kept_rules):
    login_as("admin")
    old, recent, _draft = _old_and_new(create_note, create_user)
    form = "/admin/retention/note_of_visit"
    refused = submit(client, form, {"period": "0", "period_unit": "years", "date_field": "finalised_at",
                                    "action": "anonymise", "is_active": "y"})
    assert refused.status_code == 422 and "Enter a period between 1 and 1200" in refused.get_data(as_text=True)
    saved = submit(client, form, {"period": "5", "period_unit": "years", "date_field": "finalised_at",
                                  "action": "anonymise", "is_active": "y"})
    assert saved.status_code == 302
    rule = db.session.get(RetentionRule, "note_of_visit")
    assert (rule.period, rule.action) == (5, "anonymise")
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "retention_rule.update")) is not None
    assert "5 years from when the note was finalised" in client.get("/admin/retention").get_data(as_text=True)
    assert "5 years from when the note was finalised" in client.get("/privacy").get_data(as_text=True)

    result = app.test_cli_runner().invoke(args=["retention", "apply"])
    assert "anonymised 1" in result.output, result.output
    db.session.rollback()
    kept = db.session.get(NoteOfVisit, old.id)
    assert kept.discussion == REMOVED and kept.purpose == REMOVED and kept.status == "finalised"
    assert [e.comment for e in kept.events] == [""]
    assert db.session.get(NoteOfVisit, recent.id).discussion == "Discussed phonics"


# --- subject access -------------------------------------------------------------------------------------

def test_sar_writes_every_record_naming_the_person_with_an_index(app, db, create_note, create_user, tmp_path):
    subject = create_user("link_adviser", name="Sam Subject", email="sam@example.org")
    other = create_user("link_adviser")
    notes = [create_note(adviser=subject), create_note(adviser=subject)]
    others_note = create_note(adviser=other)
    db.session.add_all([
        AgreedAction(note_id=others_note.id, description="Owned by account", owner="Sam Subject", owner_id=subject.id),
        AgreedAction(note_id=others_note.id, description="Named only", owner="Sam Subject"),
        AgreedAction(note_id=others_note.id, description="Someone else's", owner="Pat Other"),
        Notification(user_id=subject.id, kind="note_response", subject="Hi", body="Hello", link="/",
                     dedupe_key="k", delivery="immediate"),
        SchoolEvent(school_id=others_note.school_id, kind="visit", summary="Visited", actor_id=subject.id),
        StoredDocument(kind="note_of_visit", object_id=notes[0].id, source_sha256="0" * 64, pdf=b"%PDF-1.4 sam",
                       pdf_sha256="1" * 64, pdf_pages=1),
        StoredDocument(kind="note_of_visit", object_id=others_note.id, source_sha256="0" * 64, pdf=b"%PDF-1.4 x",
                       pdf_sha256="2" * 64, pdf_pages=1),
        FailedSignIns(email="sam@example.org", failures=1, last_failed_at=utcnow()),
    ])
    _read(subject, "note_of_visit", notes[0].id, utcnow())
    _read(subject, "plan", 5, utcnow())
    _read(other, "plan", 5, utcnow())
    record_audit(subject, "visit.record", "note_of_visit", notes[0].id)
    db.session.commit()

    out = tmp_path / "sar"
    result = app.test_cli_runner().invoke(args=["sar", "--email", "Sam@example.org", "--out", str(out)])
    assert result.exit_code == 0, result.output
    index = json.loads((out / "index.json").read_text())
    expected = {"users": 1, "notes_of_visit": 2, "visit_actions": 2, "notifications": 1, "school_events": 1,
                "read_audit": 2, "audit_log": 1, "failed_sign_ins": 1, "note_of_visit_pdf": 1}
    assert index["counts"] == expected
    for kind, count in expected.items():
        if not kind.endswith("_pdf"):
            assert len(json.loads((out / f"{kind}.json").read_text())) == count, kind
    account = json.loads((out / "users.json").read_text())[0]
    assert account["email"] == "sam@example.org" and "password_hash" not in account
    assert {r["id"] for r in json.loads((out / "notes_of_visit.json").read_text())} == {n.id for n in notes}
    assert (out / f"pdf/note_of_visit-{notes[0].id}.pdf").read_bytes() == b"%PDF-1.4 sam"
    html = (out / "index.html").read_text()
    assert "notes_of_visit.json" in html and "Sam Subject" in html
    missing = app.test_cli_runner().invoke(args=["sar", "--email", "nobody@example.org", "--out", str(out)])
    assert missing.exit_code != 0 and "No one has the e-mail address" in missing.output


# --- anonymising a departed member of staff ---------------------------------------------------------------

def test_an_admin_anonymises_a_departed_adviser_and_their_records_keep_their_meaning(
        app, client, db, login_as, create_user, create_note):
    admin = login_as("admin")
    leaver = create_user("link_adviser", name="Lee Leaver", email="lee@example.org")
    note = create_note(adviser=leaver)
    db.session.add_all([AgreedAction(note_id=note.id, description="Theirs", owner="Lee Leaver", owner_id=leaver.id),
                        AgreedAction(note_id=note.id, description="Typed", owner="Lee Leaver (head)")])
    db.session.commit()
    edit_page = client.get(f"/admin/users/{leaver.id}/edit").get_data(as_text=True)
    assert f"/admin/users/{leaver.id}/anonymise" in edit_page
    confirm = client.get(f"/admin/users/{leaver.id}/anonymise")
    assert confirm.status_code == 200 and "Anonymise Lee Leaver?" in confirm.get_data(as_text=True)
    done = submit(client, f"/admin/users/{leaver.id}/anonymise", {})
    assert done.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, leaver.id)
    assert user.name == f"Former member of staff {leaver.id}"
    assert user.email == f"former-staff-{leaver.id}@anonymised.invalid" and user.is_disabled
    assert db.session.get(NoteOfVisit, note.id).adviser_id == leaver.id
    assert sorted(a.owner for a in db.session.scalars(select(AgreedAction))) == [
        f"Former member of staff {leaver.id}", "Lee Leaver (head)"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.anonymise"))
    assert entry.user_id == admin.id and "Lee Leaver" not in json.dumps(entry.after)
    shown = client.get(f"/visits/{note.id}").get_data(as_text=True)
    assert f"Former member of staff {leaver.id}" in shown and "Lee Leaver<" not in shown
    # Not twice, and the account cannot sign in.
    assert client.get(f"/admin/users/{leaver.id}/anonymise").status_code == 403
    for email in ("lee@example.org", user.email):
        assert sign_in(app.test_client(), email, PASSWORD).status_code != 302


def test_admins_cannot_anonymise_themselves_or_school_people(client, db, login_as, create_user, create_school):
    admin = login_as("admin")
    governor = create_user("governor", schools=[create_school()])
    assert client.get(f"/admin/users/{admin.id}/anonymise").status_code == 403
    assert client.get(f"/admin/users/{governor.id}/anonymise").status_code == 403


def test_the_cli_anonymises_by_email(app, db, create_user):
    leaver = create_user("sia", email="gone@example.org")
    result = app.test_cli_runner().invoke(args=["users", "anonymise", "--email", "gone@example.org"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(User, leaver.id).name == f"Former member of staff {leaver.id}"
    again = app.test_cli_runner().invoke(args=["users", "anonymise", "--email", "gone@example.org"])
    assert again.exit_code != 0 and "No one has the e-mail address" in again.output


# --- the privacy notice ------------------------------------------------------------------------------------

def test_the_privacy_notice_is_public_and_linked_from_every_pages_footer(client, db, login_as):
    notice = client.get("/privacy")
    assert notice.status_code == 200 and "Privacy notice" in notice.get_data(as_text=True)
    assert "6 years from when the note was finalised" in notice.get_data(as_text=True)
    assert 'href="/privacy"' in client.get("/sign-in").get_data(as_text=True)
    login_as("sia")
    for url in ("/", "/schools", "/privacy"):
        assert 'href="/privacy"' in client.get(url).get_data(as_text=True), url
