"""Uploads that are not what they should be: the wrong kind of file, a damaged file, a file too big.
Each gets a clear message and saves nothing; a refused form keeps what was typed."""
from __future__ import annotations

import html
import io
import zipfile

import pytest
from sqlalchemy import func, select
from werkzeug.test import encode_multipart

from lea_support.casework.models import NoteOfVisit, VisitAttachment
from lea_support.schools.models import GiasImport, School
from tests.casework.test_attachments import PNG, real_pdf, upload
from tests.casework.test_notes import note_form
from tests.conftest import csrf_token


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def post_multipart(client, url, fields, token=None):
    # Encoded in memory: the test client would spool the body to a temporary file it never closes.
    boundary, body = encode_multipart({"csrf_token": token or csrf_token(client, url), **fields})
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def zipped_csv() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("edubasealldata20261123.csv", "URN,EstablishmentName\n100000,A school\n")
    return out.getvalue()


@pytest.mark.parametrize("data, name, message", [
    (zipped_csv(), "edubasealldata20261123.zip",
     "Line 1: the file is a ZIP archive or an Excel workbook: unzip the download and upload the CSV file inside"),
    (real_pdf(), "edubasealldata.pdf", "Line 1: the file is a PDF document"),
    (PNG, "edubasealldata.csv", "Line 1: the file is a PNG image"),  # whatever it is called
    (b"URN;EstablishmentName\n100000;A school\n", "edubase.csv", "Line 1: the header has no \u201cURN\u201d column"),
    (b"", "edubase.csv", "Line 1: there is no header row"),
], ids=["zip", "pdf", "png", "semicolons", "empty"])
def test_a_gias_file_that_is_not_a_gias_csv_is_refused_saying_why(client, login_as, db, data, name, message):
    login_as("admin")
    response = post_multipart(client, "/admin/import", {"file": upload(data, name), "la_codes": "999"})
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "govuk-error-summary" in page and message in page
    assert 'value="999"' in page  # the LA codes typed are kept
    assert count(db, School) == 0 and count(db, GiasImport) == 0


def test_an_attachment_of_a_refused_kind_keeps_the_note_typed_and_saves_nothing(client, login_as, create_school, db,
                                                                               tmp_path):
    school = create_school()
    login_as("link_adviser")
    exe = b"MZ\x90\x00" + b"\x00" * 200
    response = post_multipart(client, f"/schools/{school.urn}/visits/new",
                              {**note_form(discussion="Long notes from the visit"),
                               "attachment": upload(exe, "minutes.pdf", "application/pdf")})
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "The selected file must be a PDF, Word document (DOCX), Excel spreadsheet (XLSX), PNG or JPEG" in page
    assert "Long notes from the visit" in page and "Audit class libraries" in page
    assert count(db, NoteOfVisit) == 0 and count(db, VisitAttachment) == 0
    assert not any((tmp_path / "attachments").glob("*"))


@pytest.mark.parametrize("url", ["/admin/import", "attachments"])
def test_an_upload_over_the_request_limit_gets_a_clear_413_page(app, client, login_as, create_note, db, url):
    admin = login_as("admin")
    if url == "attachments":
        url = f"/visits/{create_note(adviser=admin).id}/attachments"
    token = csrf_token(client, url)
    before = (count(db, School), count(db, GiasImport), count(db, VisitAttachment))
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    response = post_multipart(client, url, {"file": upload(b"URN\n" + b"1\n" * 40_000, "edubase.csv"),
                                            "attachment": upload(real_pdf() + b"%" * 70_000, "big.pdf")}, token)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 413
    assert "The file is too big" in page
    assert "nothing has been saved" in page and "The limit is 64 KB" in page and "choose a smaller file" in page
    assert (count(db, School), count(db, GiasImport), count(db, VisitAttachment)) == before
