"""Files attached to notes of visit: checked by content, stored outside the web root, served only
to those who may see the note, and never left behind by a transaction that did not commit."""
from __future__ import annotations

import functools
import hashlib
import html
import io
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfWriter
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from lea_support.casework import attachments
from lea_support.casework.models import VisitAttachment
from lea_support.core.errors import DomainError
from lea_support.core.models import AuditEntry
from tests.conftest import csrf_token, sign_in, submit

ALLOWED_MESSAGE = "The selected file must be a PDF, Word document (DOCX), Excel spreadsheet (XLSX), PNG or JPEG"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40


def real_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def office_file(*names: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "<xml/>")
    return out.getvalue()


DOCX = office_file("[Content_Types].xml", "_rels/.rels", "word/document.xml")
XLSX = office_file("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/worksheets/sheet1.xml")


def upload(data: bytes, filename: str, content_type: str = "application/octet-stream") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=filename, content_type=content_type)


@pytest.fixture(autouse=True)
def attachments_dir(app, tmp_path) -> Path:
    path = tmp_path / "attachments"
    app.config["ATTACHMENTS_DIR"] = str(path)
    return path


@pytest.fixture
def client_for(app, client):
    """A separate browser signed in as the given user."""

    def make(user):
        other = app.test_client()
        assert sign_in(other, user.email).status_code == 302
        return other

    return make


def stored_files(path: Path) -> list[Path]:
    return sorted(path.iterdir()) if path.exists() else []


def count_attachments(db) -> int:
    return db.session.scalar(select(func.count()).select_from(VisitAttachment))


def post_file(client, note, data: bytes, filename: str, content_type: str = "application/pdf"):
    """Upload through the attach form, as a browser would."""
    url = f"/visits/{note.id}/attachments"
    # Encoded in memory: the test client would spool a large body to a temporary file it never closes.
    boundary, body = encode_multipart({"csrf_token": csrf_token(client, url),
                                       "attachment": upload(data, filename, content_type)})
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


# Checking by content

def test_a_renamed_executable_is_refused_and_nothing_is_saved(client, login_as, create_note, db, attachments_dir):
    adviser = login_as("link_adviser")
    note = create_note(adviser=adviser)
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 500 + b"This program cannot be run in DOS mode."
    response = post_file(client, note, exe, "report.pdf", "application/pdf")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert ALLOWED_MESSAGE in page and "govuk-error-summary" in page
    assert count_attachments(db) == 0
    assert stored_files(attachments_dir) == []


def test_a_file_over_10_mb_is_refused(client, login_as, create_note, db, attachments_dir):
    adviser = login_as("link_adviser")
    note = create_note(adviser=adviser)
    big = b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024)
    response = post_file(client, note, big, "big.pdf")
    assert response.status_code == 422
    assert "The selected file must be smaller than 10 MB" in response.get_data(as_text=True)
    assert count_attachments(db) == 0
    assert stored_files(attachments_dir) == []


def test_only_max_plus_one_bytes_are_read(app):
    class CountingStream(io.BytesIO):
        largest_read = 0

        def read(self, size=-1):
            CountingStream.largest_read = max(CountingStream.largest_read, size)
            assert size != -1, "the whole upload was read"
            return super().read(size)

    app.config["ATTACHMENT_MAX_BYTES"] = 1000
    with pytest.raises(DomainError, match="smaller than"):
        attachments.check_upload(FileStorage(stream=CountingStream(b"%PDF-" + b"0" * 5000), filename="a.pdf"))
    assert CountingStream.largest_read == 1001


@pytest.mark.parametrize("data, name", [
    (b"", "empty.pdf"),
    (b"GIF89a\x01\x00\x01\x00", "picture.png"),
    (b"<html><script>alert(1)</script></html>", "page.pdf"),
    (office_file("[Content_Types].xml", "hello.txt"), "letter.docx"),  # a zip, but not a Word document
    (office_file("readme.txt"), "data.xlsx"),
    (office_file("[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"), "macro.docx"),
    (b"PK\x03\x04 not really a zip", "broken.docx"),
])
def test_anything_else_is_refused(app, data, name):
    with pytest.raises(DomainError) as refused:
        attachments.check_upload(upload(data, name, "application/pdf"))
    assert refused.value.field == "attachment"
    assert refused.value.message in {ALLOWED_MESSAGE, "The selected file is empty"}


@pytest.mark.parametrize("data, name, content_type", [
    (DOCX, "plan.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (XLSX, "data.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (PNG, "photo.png", "image/png"),
    (JPEG, "photo.jpg", "image/jpeg"),
    (real_pdf(), "report.pdf", "application/pdf"),
])
def test_allowed_kinds_are_accepted_whatever_the_browser_says(app, data, name, content_type):
    assert attachments.check_upload(upload(data, name, "text/html")) == (data, content_type)


def test_docx_and_xlsx_are_stored_with_their_real_type(app, db, create_note, create_user, attachments_dir):
    adviser = create_user("link_adviser")
    note = create_note(adviser=adviser)
    docx = attachments.store_attachment(adviser, note, upload(DOCX, "Action plan.docx"))
    xlsx = attachments.store_attachment(adviser, note, upload(XLSX, "Data"))  # no extension given
    db.session.commit()
    assert (docx.original_name, docx.content_type) == (
        "Action plan.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert (xlsx.original_name, xlsx.content_type) == (
        "Data.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert (attachments_dir / docx.stored_name).read_bytes() == DOCX


# Storing, serving and access

def test_a_pdf_is_stored_outside_the_web_root_and_served_as_a_download(
        app, client, login_as, client_for, create_school, create_user, create_note, db, attachments_dir):
    school = create_school()
    adviser = login_as("link_adviser")
    note = create_note(school=school, adviser=adviser, status="draft")
    pdf = real_pdf()

    response = post_file(client, note, pdf, "../../Report <final>.pdf", "text/html")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/visits/{note.id}")
    attachment = db.session.scalars(select(VisitAttachment)).one()
    assert attachment.original_name == "Report <final>.pdf"
    assert attachment.content_type == "application/pdf"
    assert (attachment.size_bytes, attachment.sha256) == (len(pdf), hashlib.sha256(pdf).hexdigest())
    assert attachment.uploaded_by_id == adviser.id
    # A server-made name with no extension from the user, in the attachments folder only.
    assert len(attachment.stored_name) == 32 and int(attachment.stored_name, 16) >= 0
    assert stored_files(attachments_dir) == [attachments_dir / attachment.stored_name]
    assert (attachments_dir / attachment.stored_name).read_bytes() == pdf
    assert not Path(app.static_folder, attachment.stored_name).exists()
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "visit_attachment.create")).after[
        "sha256"] == attachment.sha256

    url = f"/visits/{note.id}/attachments/{attachment.id}"
    download = client.get(url)
    assert download.status_code == 200
    assert download.data == pdf
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert 'filename="Report <final>.pdf"' in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    download.close()

    head = create_user("school_leader", schools=[school])
    governor = create_user("governor", schools=[school])
    other_head = create_user("school_leader", schools=[create_school()])
    head_client = client_for(head)
    # While the note is the adviser's draft, the school cannot have its files.
    assert head_client.get(url).status_code == 403

    note.status = "sent"
    db.session.commit()
    shared = head_client.get(url)
    assert shared.status_code == 200 and shared.data == pdf
    shared.close()
    assert client_for(governor).get(url).status_code == 403
    assert client_for(other_head).get(url).status_code == 403


def test_a_file_is_only_served_through_its_own_note(app, client, login_as, create_note, db):
    adviser = login_as("link_adviser")
    note, other_note = create_note(adviser=adviser), create_note(adviser=adviser)
    attachment = attachments.store_attachment(adviser, note, upload(PNG, "photo.png"))
    db.session.commit()
    assert client.get(f"/visits/{other_note.id}/attachments/{attachment.id}").status_code == 404
    assert client.get(f"/visits/{note.id}/attachments/{attachment.id + 1}").status_code == 404
    assert client.get(f"/visits/{note.id + 100}/attachments/{attachment.id}").status_code == 404


def test_a_non_ascii_name_is_offered_safely(app, client, login_as, create_note, db):
    adviser = login_as("link_adviser")
    note = create_note(adviser=adviser)
    attachment = attachments.store_attachment(adviser, note, upload(JPEG, 'Élève "photo"\r\nSet-Cookie: x.jpg'))
    db.session.commit()
    response = client.get(f"/visits/{note.id}/attachments/{attachment.id}")
    disposition = response.headers["Content-Disposition"]
    response.close()
    assert "\r" not in disposition and "\n" not in disposition
    assert "filename*=UTF-8''%C3%89l%C3%A8ve" in disposition
    assert response.headers["Content-Type"] == "image/jpeg"


def test_nothing_can_be_attached_to_a_finalised_note(app, db, create_note, create_user, attachments_dir):
    adviser = create_user("link_adviser")
    note = create_note(adviser=adviser, status="finalised")
    with pytest.raises(DomainError, match="finalised"):
        attachments.store_attachment(adviser, note, upload(real_pdf(), "late.pdf"))
    assert stored_files(attachments_dir) == []


def test_an_adviser_removes_a_file_and_its_bytes_go_after_the_commit(
        app, client, login_as, create_note, db, attachments_dir):
    adviser = login_as("link_adviser")
    note = create_note(adviser=adviser)
    attachment = attachments.store_attachment(adviser, note, upload(PNG, "photo.png"))
    db.session.commit()
    path = attachments_dir / attachment.stored_name

    # Deleting and then rolling back keeps both row and file.
    attachments.delete_attachment(adviser, note, attachment)
    db.session.rollback()
    assert path.exists() and count_attachments(db) == 1

    response = submit(client, f"/visits/{note.id}/attachments/{attachment.id}/delete", {},
                      form_url=f"/visits/{note.id}/attachments")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/visits/{note.id}")
    assert count_attachments(db) == 0
    assert not path.exists()
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "visit_attachment.delete")) is not None


# Files follow the transaction

def test_a_rolled_back_transaction_removes_the_file_it_wrote(app, db, create_note, create_user, attachments_dir):
    adviser = create_user("link_adviser")
    note = create_note(adviser=adviser)
    attachment = attachments.store_attachment(adviser, note, upload(real_pdf(), "report.pdf"))
    path = attachments_dir / attachment.stored_name
    assert path.exists()
    db.session.rollback()
    assert not path.exists()
    assert count_attachments(db) == 0


def test_a_committed_file_stays_and_a_later_rollback_leaves_it(app, db, create_note, create_user, attachments_dir):
    adviser = create_user("link_adviser")
    note = create_note(adviser=adviser)
    kept = attachments.store_attachment(adviser, note, upload(PNG, "kept.png"))
    db.session.commit()
    attachments.store_attachment(adviser, note, upload(JPEG, "dropped.jpg"))
    db.session.rollback()
    assert stored_files(attachments_dir) == [attachments_dir / kept.stored_name]


def test_a_session_closed_without_commit_removes_the_file(app, db, create_note, create_user, attachments_dir):
    adviser = create_user("link_adviser")
    note = create_note(adviser=adviser)
    attachments.store_attachment(adviser, note, upload(PNG, "photo.png"))
    db.session.close()
    assert stored_files(attachments_dir) == []


def test_rolling_back_a_savepoint_removes_only_its_own_files(app, db, create_note, create_user, attachments_dir):
    adviser = create_user("link_adviser")
    note = create_note(adviser=adviser)
    outer = attachments.store_attachment(adviser, note, upload(PNG, "outer.png"))
    savepoint = db.session.begin_nested()
    attachments.store_attachment(adviser, note, upload(JPEG, "inner.jpg"))
    savepoint.rollback()
    assert stored_files(attachments_dir) == [attachments_dir / outer.stored_name]
    db.session.commit()
    assert stored_files(attachments_dir) == [attachments_dir / outer.stored_name]
    assert count_attachments(db) == 1



# Word and Excel files are zips: what opening them would do is judged from the zip's directory

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CONTENT_TYPES_XML = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                     '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                     '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                     '<Default Extension="xml" ContentType="application/xml"/>'
                     f'<Override PartName="/word/document.xml" ContentType="{DOCX_CONTENT_TYPE[:-8]}document.main+xml"/>'
                     '</Types>')


def docx_with(extra: dict[str, bytes] | None = None, *, paragraphs: int = 50) -> bytes:
    """A small Word document as Word writes one (deflated parts), with any extra parts given."""
    body = "".join(f"<w:p><w:r><w:t>Paragraph {n}: the school's reading plan.</w:t></w:r></w:p>"
                   for n in range(paragraphs))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES_XML)
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr("word/document.xml",
                         '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                         f'wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>')
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


@functools.cache
def zeros_docx(megabytes: int) -> bytes:
    """A Word document with a part of `megabytes` MB of zeros: a zip bomb of about 1 KB per MB."""
    out = io.BytesIO(docx_with())
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive, archive.open("word/media/image1.bin", "w") as part:
        for _ in range(megabytes):
            part.write(bytes(1024 * 1024))
    return out.getvalue()


def test_a_real_small_docx_is_accepted_and_stored(client, login_as, create_note, db, attachments_dir):
    adviser = login_as("link_adviser")
    note = create_note(adviser=adviser)
    docx = docx_with(paragraphs=2000)  # highly compressible XML, but small: not a bomb
    response = post_file(client, note, docx, "Reading plan.docx", DOCX_CONTENT_TYPE)
    assert response.status_code == 302, response.get_data(as_text=True)
    stored = db.session.scalars(select(VisitAttachment)).one()
    assert (stored.content_type, stored.size_bytes) == (DOCX_CONTENT_TYPE, len(docx))
    assert (attachments_dir / stored.stored_name).read_bytes() == docx


@pytest.mark.parametrize("data, message", [
    (lambda: zeros_docx(200), "The selected file would expand to 200 MB when opened: a Word or Excel file may "
                              "expand to at most 50 MB"),
    (lambda: zeros_docx(20), "The selected file is compressed more than 100 to 1, as a zip bomb is"),
    (lambda: docx_with({f"word/media/part{n}.xml": b"<x/>" for n in range(2001)}),
     "The selected file holds 2,004 parts: a Word or Excel file may hold at most 2,000"),
], ids=["200-mb-bomb", "ratio", "too-many-parts"])
def test_a_zip_bomb_posing_as_a_word_document_is_refused_and_nothing_is_saved(
        client, login_as, create_note, db, attachments_dir, data, message):
    adviser = login_as("link_adviser")
    note = create_note(adviser=adviser)
    bomb = data()
    assert bomb.startswith(b"PK\x03\x04") and len(bomb) < 1024 * 1024
    response = post_file(client, note, bomb, "Minutes.docx", DOCX_CONTENT_TYPE)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert message in page and "govuk-error-summary" in page
    assert count_attachments(db) == 0
    assert stored_files(attachments_dir) == []


def _with_nul_in_name(data: bytes) -> bytes:
    # zipfile will not write a NUL into a name; an attacker's tool will.
    return data.replace(b"word/evilX.xml", b"word/evil\x00.xml")


@pytest.mark.parametrize("name", ["../../etc/cron.d/evil", "word/../../evil.xml", "/etc/passwd", "C:/Windows/evil.dll",
                                  "word\\..\\..\\evil.xml", "word/evilX.xml"],
                         ids=["dot-dot", "dot-dot-inside", "absolute", "drive", "backslashes", "nul"])
def test_a_document_with_a_part_outside_itself_is_refused_and_nothing_is_saved(
        client, login_as, create_note, db, attachments_dir, name):
    adviser = login_as("link_adviser")
    note = create_note(adviser=adviser)
    data = docx_with({name: b"<x/>"})
    if name == "word/evilX.xml":
        data = _with_nul_in_name(data)
    assert attachments.detect_kind(data) == "docx"  # otherwise a perfectly good Word document
    response = post_file(client, note, data, "Minutes.docx", DOCX_CONTENT_TYPE)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "which points outside the document" in page
    assert count_attachments(db) == 0
    assert stored_files(attachments_dir) == []


def test_a_note_holds_at_most_its_quota_of_files_and_says_how_much_room_is_left(
        app, client, login_as, create_note, db, attachments_dir):
    app.config["ATTACHMENT_NOTE_QUOTA_BYTES"] = 300 * 1024
    adviser = login_as("link_adviser")
    note = create_note(adviser=adviser)
    first = b"%PDF-1.4\n" + b"1" * (200 * 1024)
    assert post_file(client, note, first, "first.pdf").status_code == 302
    second = b"%PDF-1.4\n" + b"2" * (150 * 1024)
    response = post_file(client, note, second, "second.pdf")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert ("The selected file is 150 KB, but this note of visit's files may add up to at most 300 KB and it "
            "already has 200 KB: 100 KB is left. Remove a file from the note, or attach a smaller one") in page
    assert count_attachments(db) == 1 and len(stored_files(attachments_dir)) == 1
    # Another note has its own room.
    other = create_note(adviser=adviser)
    assert post_file(client, other, second, "second.pdf").status_code == 302
