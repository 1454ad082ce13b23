"""The disk filling up while a file is written outside the bulk run: the earlier files are intact,
the user is told the save failed, nothing half-saved is left in the database or on disk."""
from __future__ import annotations

import errno
import hashlib
import logging
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.test import encode_multipart

from lea_support.casework import attachments
from lea_support.casework.models import NoteOfVisit, VisitAttachment
from lea_support.core import mail
from lea_support.core.models import AuditEntry
from lea_support.extensions import db as _db
from tests.casework.test_attachments import real_pdf, upload
from tests.casework.test_notes import note_form
from tests.conftest import csrf_token

FULL = "The file could not be saved because the server has run out of storage space"


class _HalfWritten:
    """A file on a disk that fills up: half the bytes reach it, then ENOSPC."""

    def __init__(self, real):
        self.real = real

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.real.close()

    def write(self, data):
        self.real.write(data[: len(data) // 2])
        self.real.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class _DiskFullOs:
    """The `os` module as the attachments module sees it, on a full disk."""

    def __getattr__(self, name):
        return getattr(os, name)

    @staticmethod
    def fdopen(fd, *args, **kwargs):
        return _HalfWritten(os.fdopen(fd, *args, **kwargs))


@pytest.fixture
def attachments_dir(app, tmp_path) -> Path:
    path = tmp_path / "attachments"
    app.config["ATTACHMENTS_DIR"] = str(path)
    return path


def count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def post_multipart(client, url, fields):
    # Encoded in memory: the test client would spool the body to a temporary file it never closes.
    boundary, body = encode_multipart({"csrf_token": csrf_token(client, url), **fields})
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_attaching_a_file_to_a_full_disk_keeps_the_earlier_file_and_saves_nothing(
        client, login_as, create_note, db, attachments_dir, monkeypatch, caplog):
    adviser = login_as("link_adviser")
    note = create_note(adviser=adviser)
    earlier = real_pdf()
    attachments.store_attachment(adviser, note, upload(earlier, "first-visit.pdf"))
    db.session.commit()
    [earlier_file] = sorted(attachments_dir.iterdir())
    audit_before = count(db, AuditEntry)

    monkeypatch.setattr(attachments, "os", _DiskFullOs())
    with caplog.at_level(logging.ERROR):
        response = post_multipart(client, f"/visits/{note.id}/attachments",
                                  {"attachment": upload(real_pdf() + b"%" * 5000, "second-visit.pdf")})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert FULL in page and "Nothing has been saved" in page and "govuk-error-summary" in page
    assert "Could not write attachment file" in caplog.text  # and the administrator can see why
    # The earlier file is untouched and still served; no half-written file and no row for it.
    assert sorted(attachments_dir.iterdir()) == [earlier_file]
    assert hashlib.sha256(earlier_file.read_bytes()).hexdigest() == hashlib.sha256(earlier).hexdigest()
    assert count(db, VisitAttachment) == 1 and count(db, AuditEntry) == audit_before
    monkeypatch.undo()
    [kept] = db.session.scalars(select(VisitAttachment)).all()
    with client.get(f"/visits/{note.id}/attachments/{kept.id}") as download:
        assert download.status_code == 200 and download.data == earlier


def test_recording_a_visit_with_a_file_on_a_full_disk_keeps_what_was_typed_and_saves_nothing(
        client, login_as, create_school, db, attachments_dir, monkeypatch):
    school = create_school()
    login_as("link_adviser")
    monkeypatch.setattr(attachments, "os", _DiskFullOs())
    response = post_multipart(client, f"/schools/{school.urn}/visits/new",
                              {**note_form(discussion="A discussion I do not want to type twice"),
                               "attachment": upload(real_pdf(), "evidence.pdf")})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert FULL in page
    assert "A discussion I do not want to type twice" in page and "Audit class libraries" in page
    assert count(db, NoteOfVisit) == 0 and count(db, VisitAttachment) == 0
    assert list(attachments_dir.iterdir()) == []


def test_an_e_mail_that_meets_a_full_disk_leaves_no_half_message_and_does_not_undo_the_save(
        app, db, tmp_path, monkeypatch, caplog):
    """Outbox delivery (no SMTP server): the earlier message is intact, no partial file is left, and
    the change that the message announced stays saved (the failure is logged for the administrator)."""
    outbox = tmp_path / "outbox"
    mail.send_after_commit(mail.new_message(to="a@example.org", subject="First", body="One"))
    db.session.commit()
    [first] = list(outbox.iterdir())
    first_bytes = first.read_bytes()

    real_write_bytes = Path.write_bytes

    def fill_up(self, data):
        real_write_bytes(self, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Path, "write_bytes", fill_up)
    from lea_support.core.audit import record_audit

    record_audit(None, "test.fault", "school", 1)
    mail.send_after_commit(mail.new_message(to="b@example.org", subject="Second", body="Two"))
    with caplog.at_level(logging.ERROR):
        _db.session.commit()
    assert "Could not send the e-mail 'Second'" in caplog.text
    assert list(outbox.iterdir()) == [first] and first.read_bytes() == first_bytes
    assert count(db, AuditEntry, AuditEntry.action == "test.fault") == 1
