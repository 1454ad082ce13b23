"""The one PDF renderer refuses everything but its packaged assets: files, the network (127.0.0.1
included), redirects, @import and attachments. Each is tried in a real render and the PDF is
read back to show that none of them got in."""
from __future__ import annotations

import io
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from jinja2 import DictLoader
from pypdf import PdfReader

from lea_support.pdf.render import AssetOnlyFetcher, render_document


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        type(self).hits.append(self.path)
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
            return
        body = b"body { color: red } p::after { content: 'FETCHED FROM THE NETWORK' }"
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_server():
    """An HTTP server on 127.0.0.1 that records every request it gets (there must be none)."""
    _Recorder.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", _Recorder.hits
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


HOSTILE = """{% extends "pdf/base.html" %}
{% block body %}
<style>
  @import url("{{ base }}/import.css");
  @import "file:///etc/passwd";
  @import url("{{ base }}/redirect-import");
  @font-face { font-family: Evil; src: url("{{ base }}/font.woff"); }
  .bg { background-image: url("file:///etc/passwd"); }
</style>
<link rel="stylesheet" href="{{ base }}/redirect-stylesheet">
<link rel="attachment" href="file:///etc/hostname" title="hostname">
<link rel="attachment" href="{{ base }}/attachment.txt" title="network attachment">
<link rel="attachment" href="lea-asset:pdf.css" title="asset attachment">
<p class="bg">Before the hostile content</p>
<img src="file:///etc/passwd" alt="passwd">
<img src="{{ base }}/redirect-image" alt="redirected image">
<img src="{{ base }}/image.png" alt="local image">
<img src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E" alt="data image">
<a rel="attachment" href="file:///etc/passwd">passwd as an attachment</a>
<a rel="attachment" href="lea-asset:pdf.css">stylesheet as an attachment</a>
<iframe src="file:///etc/passwd"></iframe>
<object data="{{ base }}/object" type="text/plain"></object>
<p style="font-family: Evil">After the hostile content</p>
{% endblock %}"""


def _read(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_files_network_redirects_imports_and_attachments_are_refused(app, local_server, caplog):
    base, hits = local_server
    app.jinja_loader.loaders.append(DictLoader({"tests/hostile.html": HOSTILE}))
    with caplog.at_level(logging.WARNING, logger="lea_support.pdf.render"):
        rendered = render_document("tests/hostile.html", title="Hostile", author="Tests", context={"base": base})

    # Nothing reached the server on 127.0.0.1: not the imports, not the redirects, not the attachments.
    assert hits == []
    refused = {r.getMessage().removeprefix("PDF renderer refused to fetch ") for r in caplog.records
               if r.name == "lea_support.pdf.render"}
    for url in (f"{base}/import.css", "file:///etc/passwd", f"{base}/redirect-import", f"{base}/font.woff",
                f"{base}/redirect-stylesheet", "lea-asset:pdf.css", f"{base}/redirect-image", f"{base}/image.png",
                f"{base}/object"):
        assert url in refused, url
    assert any(url.startswith("data:") for url in refused)
    # <link rel="attachment"> documents are dropped before they are ever opened.
    assert "file:///etc/hostname" not in refused and f"{base}/attachment.txt" not in refused

    # The PDF still renders, with the page's own text and none of what was refused.
    reader, text = _read(rendered.data)
    assert rendered.pages == len(reader.pages) >= 1
    assert "Before the hostile content" in text and "After the hostile content" in text
    assert "root:" not in text and "FETCHED FROM THE NETWORK" not in text
    catalog = reader.trailer["/Root"]
    assert "/EmbeddedFiles" not in catalog.get("/Names", {})
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            assert annotation.get_object().get("/Subtype") != "/FileAttachment"
    assert b"/EmbeddedFile" not in rendered.data and b"/FileAttachment" not in rendered.data
    # The packaged stylesheet (fetched while laying out) did apply: page numbers are there.
    assert "Page 1 of" in text


def test_a_sealed_fetcher_refuses_even_packaged_assets():
    fetcher = AssetOnlyFetcher()
    fetcher.fetch("lea-asset:pdf.css").close()
    fetcher.seal()
    with pytest.raises(ValueError, match="Refused"):
        fetcher.fetch("lea-asset:pdf.css")


def test_a_document_may_be_held_to_fewer_pages(app):
    app.jinja_loader.loaders.append(DictLoader({
        "tests/long.html": '{% extends "pdf/base.html" %}{% block body %}'
                           '{% for i in range(200) %}<p>Line {{ i }}</p>{% endfor %}{% endblock %}'}))
    from lea_support.pdf.render import PdfRenderError

    with pytest.raises(PdfRenderError, match="more than 1 pages"):
        render_document("tests/long.html", title="Long", author="Tests", context={}, max_pages=1)
