"""The letterhead an admin sets is on every PDF; its logo is checked (size, a real PNG or SVG, an
SVG that only draws)."""
from __future__ import annotations

import io
import struct
import zlib

import pdfplumber
import pytest

from lea_support.core.errors import DomainError
from lea_support.pdf.letterhead import LOGO_MAX_BYTES, check_logo
from tests.conftest import sign_in, submit
from tests.governor_reports.conftest import read_pdf


def png(width: int = 4, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + b"\x1d\x70\xb8" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#1d70b8"/></svg>'


@pytest.mark.parametrize("logo, refusal", [
    (b"\x89PNG\r\n\x1a\nnot really", "not a PNG"),
    (b"GIF89a....", "must be a PNG or SVG"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "<script> element"),
    (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "onload attribute"),
    (b"<svg xmlns='http://www.w3.org/2000/svg' xmlns:x='http://www.w3.org/1999/xlink'>"
     b"<use x:href='https://evil.example/a.svg#x'/></svg>", "outside itself"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><rect fill='url(https://evil.example/p)'/></svg>", "outside itself"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><image href='file:///etc/passwd'/></svg>", "<image> element"),
    (b"<!DOCTYPE svg [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><svg xmlns='http://www.w3.org/2000/svg'>&x;</svg>",
     "DOCTYPE"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'>" + b" " * LOGO_MAX_BYTES + b"</svg>", "smaller than"),
])
def test_a_logo_that_is_not_a_plain_png_or_drawing_svg_is_refused(logo, refusal):
    with pytest.raises(DomainError, match=refusal):
        check_logo(logo)


def test_a_plain_logo_is_kept():
    assert check_logo(png()) == (png(), "image/png")
    cleaned, kind = check_logo(SVG)
    assert kind == "image/svg+xml" and b"<rect" in cleaned and b"script" not in cleaned


def test_the_admin_sets_the_letterhead_and_every_pdf_carries_it(app, db, client, login_as, create_note,
                                                                create_user):
    login_as("admin")
    assert "Letterhead" in client.get("/admin").get_data(as_text=True)
    response = submit(client, "/admin/letterhead", {
        "authority_name": "Fictional Borough Council", "address": "Town Hall\nHigh Street\nFB1 1AA",
        "contact": "01234 567890, school.improvement@fictional.example", "signatory_name": "Pat Director",
        "signatory_role": "Director of Children's Services", "logo": (io.BytesIO(png()), "logo.png")},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    refused = submit(client, "/admin/letterhead", {
        "authority_name": "Fictional Borough Council", "version_id": "1",
        "logo": (io.BytesIO(b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>"), "logo.svg")},
        content_type="multipart/form-data")
    assert refused.status_code == 422 and "&lt;script&gt; element" in refused.get_data(as_text=True)

    from lea_support.pdf.letterhead import letterhead_for_pdf
    letterhead, assets = letterhead_for_pdf()
    assert letterhead["signatory_name"] == "Pat Director" and list(assets) == ["letterhead-logo.png"]
    note = create_note(status="sent")
    db.session.commit()
    sia, sia_client = create_user("sia"), app.test_client()
    assert sign_in(sia_client, sia.email).status_code == 302
    data = sia_client.get(f"/visits/{note.id}/pdf").data
    _, text = read_pdf(data)
    assert "Fictional Borough Council Town Hall, High Street, FB1 1AA 01234 567890" in text
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages[0].images) == 1  # the logo
