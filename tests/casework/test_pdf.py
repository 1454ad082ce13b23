"""The notes-of-visit PDF and the shared PDF renderer: escaped text, metadata, tagging, page
numbers, nothing fetched from files or the network, limits, and who may download it."""
from __future__ import annotations

import io
import logging
import socket
import urllib.request
from datetime import date, datetime, timezone

import pytest
from jinja2 import DictLoader
from pypdf import PdfReader

from lea_support.casework.models import AgreedAction, NoteEvent
from lea_support.pdf import render as pdf_module
from lea_support.pdf.render import AssetOnlyFetcher, PdfRenderError, render_pdf
from tests.conftest import sign_in

NASTY = "<script>alert('x')</script> Smith & Jones said \"5 < 6\""


@pytest.fixture
def client_for(app, client):
    def make(user):
        other = app.test_client()
        assert sign_in(other, user.email).status_code == 302
        return other

    return make


@pytest.fixture
def full_note(db, create_school, create_user, create_note):
    """A sent note with awkward text, a long actions table, its history and an addendum."""
    school = create_school(name="St Mary's & St John's <Primary>", la_name="Test LA")
    adviser = create_user("link_adviser", name="Ada Adviser")
    head = create_user("school_leader", schools=[school], name="Hana Head")
    note = create_note(
        school=school, adviser=adviser, status="sent", visit_date=date(2026, 11, 10),
        purpose=NASTY, people_met="Headteacher\nEnglish lead", discussion="Phonics & reading",
        strengths="Strong phonics", areas_for_development="Reading for pleasure",
        support_aspects=["support4success", "leading4success"], next_visit_date=date(2027, 1, 12),
        minutes_spent=150)
    for i in range(60):
        db.session.add(AgreedAction(note_id=note.id, position=i, description=f"Action number {i + 1} & more",
                                    owner="English lead", due_on=date(2027, 2, 1), status="open"))
    db.session.add(NoteEvent(note_id=note.id, kind="sent", user_id=adviser.id, comment="Please check",
                             occurred_at=datetime(2026, 11, 11, 9, 0, tzinfo=timezone.utc)))
    db.session.add(NoteEvent(note_id=note.id, kind="marked_inaccurate", user_id=head.id,
                             comment="The date of the <INSET> day is wrong",
                             occurred_at=datetime(2026, 11, 12, 9, 0, tzinfo=timezone.utc)))
    db.session.add(NoteEvent(note_id=note.id, kind="addendum", user_id=adviser.id, comment="Corrected the INSET date",
                             reason="Factual error found later",
                             occurred_at=datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)))
    db.session.commit()
    return note


def read_pdf(data: bytes) -> tuple[PdfReader, str]:
    """The PDF and its text, with runs of whitespace (line breaks in narrow columns) as one space."""
    reader = PdfReader(io.BytesIO(data))
    return reader, " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_note_of_visit_pdf(client, login_as, full_note):
    login_as("link_adviser")
    response = client.get(f"/visits/{full_note.id}/pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    urn = full_note.school.urn
    assert response.headers["Content-Disposition"] == f'attachment; filename="note-of-visit-{urn}-2026-11-10.pdf"'

    reader, text = read_pdf(response.data)
    # User text appears literally: escaped in the HTML, never interpreted.
    assert NASTY in text
    assert "St Mary's & St John's <Primary>" in text and f"URN {urn}" in text
    for expected in ("10 November 2026", "Core support visit", "Ada Adviser", "Support4Success, Leading4Success",
                     "Headteacher", "English lead", "Phonics & reading", "Strong phonics", "Reading for pleasure",
                     "Action number 1 & more", "Action number 60 & more", "1 February 2027", "12 January 2027",
                     "2 hours 30 minutes", "Marked inaccurate by the school", "The date of the <INSET> day is wrong",
                     "Hana Head", "Factual error found later", "Corrected the INSET date"):
        assert expected in text, expected

    pages = len(reader.pages)
    assert pages > 1  # the 60 actions run over
    assert "Page 1 of" in text and f"Page {pages} of {pages}" in text

    title = "Note of visit: St Mary's & St John's <Primary>, 10 November 2026"
    assert reader.metadata.title == title
    assert reader.metadata.author == "Ada Adviser, Test LA School Improvement Service"
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en-GB"
    assert bool(catalog["/MarkInfo"]["/Marked"])  # tagged for screen readers
    assert "/K" in catalog["/StructTreeRoot"].get_object()


@pytest.mark.parametrize("role, own_school, status, expected", [
    ("link_adviser", False, "draft", 200),
    ("project_team", False, "draft", 200),
    ("school_leader", True, "sent", 200),
    ("school_leader", True, "draft", 403),
    ("school_leader", False, "sent", 403),
    ("governor", True, "sent", 403),
])
def test_who_may_download_the_pdf(client, login_as, create_school, create_note, role, own_school, status, expected):
    school = create_school()
    note = create_note(school=school, status=status)
    login_as(role, schools=[school if own_school else create_school()] if role in {"school_leader", "governor"}
             else None)
    response = client.get(f"/visits/{note.id}/pdf")
    response.close()
    assert response.status_code == expected


def test_a_missing_note_is_404(client, login_as):
    login_as("link_adviser")
    assert client.get("/visits/999999/pdf").status_code == 404


# The renderer itself

EVIL_TEMPLATE = """{% extends "pdf/base.html" %}
{% block body %}
<p>Before the images</p>
<img src="file:///etc/passwd" alt="passwd">
<img src="http://example.org/tracker.png" alt="tracker">
<link rel="stylesheet" href="https://example.org/evil.css">
<object data="file:///etc/hostname" type="text/plain"></object>
<p>{{ message }}</p>
{% endblock %}"""


@pytest.fixture
def evil_template(app):
    app.jinja_loader.loaders.append(DictLoader({"tests/evil.html": EVIL_TEMPLATE}))
    return "tests/evil.html"


@pytest.fixture
def no_network(monkeypatch):
    """Record (and stop) any attempt to reach the network or open a URL."""
    attempts = []

    def refuse(name):
        def blocked(*args, **kwargs):
            attempts.append((name, args))
            raise OSError(f"network use in a test: {name}")
        return blocked

    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket.socket, "connect", refuse("connect"))
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", refuse("urllib"))
    return attempts


def test_the_renderer_fetches_no_files_and_no_urls(app, evil_template, no_network, caplog):
    with caplog.at_level(logging.WARNING, logger="lea_support.pdf.render"):
        data = render_pdf(evil_template, title="Refusals", author="Tests", context={"message": "After the images"})
    refused = [r.getMessage() for r in caplog.records if r.name == "lea_support.pdf.render"]
    for url in ("file:///etc/passwd", "http://example.org/tracker.png", "https://example.org/evil.css",
                "file:///etc/hostname"):
        assert f"PDF renderer refused to fetch {url}" in refused
    assert no_network == []
    _, text = read_pdf(data)
    assert "Before the images" in text and "After the images" in text
    assert "root:" not in text


def test_the_fetcher_serves_only_packaged_assets():
    fetcher = AssetOnlyFetcher()
    css = fetcher.fetch("lea-asset:pdf.css")
    assert css.content_type == "text/css" and b"counter(pages)" in css.read()
    css.close()
    for url in ("file:///etc/passwd", "http://example.org/", "https://example.org/x.css", "data:text/css,p{}",
                "lea-asset:../pdf.py", "lea-asset:/etc/passwd", "lea-asset:missing.css", "lea-asset:pdf.css?x=1",
                "LEA-ASSET:../../../../etc/passwd", "ftp://example.org/x"):
        with pytest.raises(ValueError, match="Refused"):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 10


def test_orm_objects_are_refused(app, create_note):
    note = create_note()
    with pytest.raises(TypeError, match="plain data"):
        render_pdf("casework/note_of_visit_pdf.html", title="x", author="y", context={"note": note})
    with pytest.raises(TypeError, match="plain data"):
        render_pdf("casework/note_of_visit_pdf.html", title="x", author="y", context={"rows": [{"n": note}]})


def test_a_pdf_over_the_page_limit_is_refused():
    with pytest.raises(PdfRenderError, match="more than 1 pages"):
        pdf_module.html_to_pdf("<p>" + "<br>" * 500 + "</p>", title="t", author="a", timeout=60,
                               max_bytes=10**7, max_pages=1)


def test_a_pdf_over_the_size_limit_is_refused():
    with pytest.raises(PdfRenderError, match="larger than"):
        pdf_module.html_to_pdf("<p>Too big</p>", title="t", author="a", timeout=60, max_bytes=500, max_pages=10)


def test_a_render_that_overruns_its_time_is_abandoned():
    # A timeout of zero: the request stops waiting at once, and the worker gives up at its next check.
    with pytest.raises(PdfRenderError, match="too long"):
        pdf_module.html_to_pdf("<p>Slow</p>" * 2000, title="t", author="a", timeout=0, max_bytes=10**7, max_pages=100)
