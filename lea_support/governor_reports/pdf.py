"""The one way this service makes PDFs: WeasyPrint, fed escaped HTML built from plain data, with
no access to files or the network, and limits on time, pages and size.

Callers build plain dicts (never ORM objects) and name a template; `render_pdf` renders it with
the application's Jinja environment (autoescaping on, as for every .html template) and returns
the PDF as bytes. The only things a template may load are this module's packaged assets, by
`lea-asset:name` (files in lea_support/governor_reports/static/), while the page is laid out. Once it is
laid out the fetcher is sealed: nothing at all is fetched while the PDF is written, so a
`rel=attachment` link or `<link rel="attachment">` embeds nothing, not even a packaged asset.
Every other URL (file:, http(s): to anywhere including 127.0.0.1, data:, a redirect, an `@import`
of any of them) is refused and logged; the PDF still renders without it.
"""
from __future__ import annotations

import io
import logging
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from jinja2 import ChoiceLoader, Environment, FileSystemLoader
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from ..extensions import db

LOGGER = logging.getLogger(__name__)
ASSET_SCHEME = "lea-asset"
STATIC_DIR = Path(__file__).resolve().parent / "static"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
ASSET_TYPES = {".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml"}
_ASSET_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*\.[a-z]+$")
PDF_VARIANT = "pdf/ua-1"  # tagged, with a title and language, so screen readers can read it
LANG = "en-GB"


class PdfRenderError(Exception):
    """The PDF could not be made within the limits (time, pages, size) or WeasyPrint failed."""


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int


class AssetOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves this module's packaged assets and refuses every
    other URL: no file:, no http(s), no data:, and so no redirects to follow either. Sealed
    (after layout), it refuses everything, so that nothing is ever attached to a PDF."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=[ASSET_SCHEME], allow_redirects=False, fail_on_errors=False)
        self.refused: list[str] = []
        self.sealed = False

    def seal(self) -> None:
        self.sealed = True

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = None if self.sealed else asset_path(url)
        if path is None:
            self.refused.append(url)
            LOGGER.warning("PDF renderer refused to fetch %.200s", url)
            raise ValueError(f"Refused to fetch {url[:200]!r}: PDFs may only use packaged assets")
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": ASSET_TYPES[path.suffix]})

    def open(self, url: Any, data: Any = None, timeout: Any = None) -> URLFetcherResponse:
        # Never fall back on urllib's opener, whatever WeasyPrint hands us.
        return self.fetch(getattr(url, "full_url", url))


def asset_path(url: str) -> Path | None:
    """The packaged file a `lea-asset:name` URL names, or None for anything else."""
    scheme, colon, name = url.partition(":")
    if not colon or scheme.lower() != ASSET_SCHEME:
        return None
    if not _ASSET_NAME.match(name):  # a flat name: no folders, no '..', no query
        return None
    path = STATIC_DIR / name
    if path.suffix not in ASSET_TYPES or not path.is_file():
        return None
    return path


def _jinja_env(app: Flask) -> Environment:
    """The app's Jinja environment (same autoescaping, filters and blueprints' templates) that
    can also see reports/templates/, which belongs to no blueprint."""
    env = app.extensions.get("lea_support.pdf_jinja")
    if env is None:
        env = app.jinja_env.overlay(loader=ChoiceLoader([FileSystemLoader(str(TEMPLATES_DIR)), app.jinja_env.loader]))
        app.extensions["lea_support.pdf_jinja"] = env
    return env


def render_html(template_name: str, *, title: str, author: str, context: dict[str, Any]) -> str:
    template = _jinja_env(current_app).get_template(template_name)
    return template.render(**context, title=title, author=author, lang=LANG)


# Setting up fonts is a good part of a small document's render: one configuration serves every
# render in the process. Only one render uses it at a time; another at the same moment (or one
# after an abandoned render still holding it) gets a fresh configuration instead of waiting.
_FONTS = FontConfiguration()
_FONTS_LOCK = threading.Lock()


class _CappedBuffer(io.BytesIO):
    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, data: Any) -> int:
        if self.tell() + len(data) > self.limit:
            raise PdfRenderError(f"The PDF would be larger than {self.limit} bytes")
        return super().write(data)


def html_to_pdf(html: str, *, title: str, author: str, timeout: float, max_bytes: int, max_pages: int,
                fetcher: AssetOnlyFetcher | None = None) -> bytes:
    """Lay out escaped HTML and write a tagged PDF, within the limits given."""
    return html_to_rendered_pdf(html, title=title, author=author, timeout=timeout, max_bytes=max_bytes,
                                max_pages=max_pages, fetcher=fetcher).data


def html_to_rendered_pdf(html: str, *, title: str, author: str, timeout: float, max_bytes: int, max_pages: int,
                         fetcher: AssetOnlyFetcher | None = None) -> RenderedPdf:
    """As `html_to_pdf`, with the number of pages."""
    fetcher = fetcher or AssetOnlyFetcher()
    deadline = time.monotonic() + timeout
    outcome: dict[str, Any] = {}
    abandoned = threading.Event()

    def check_time(*_: Any) -> None:
        if abandoned.is_set() or time.monotonic() > deadline:
            raise PdfRenderError("The PDF took too long to make")

    def work() -> None:
        shared = _FONTS_LOCK.acquire(blocking=False)
        try:
            fonts = _FONTS if shared else FontConfiguration()
            document = HTML(string=html, base_url=None, url_fetcher=fetcher).render(font_config=fonts)
            # Laid out: from here on nothing is fetched, so no file is ever attached to the PDF.
            fetcher.seal()
            document.metadata.attachments = []
            check_time()
            if len(document.pages) > max_pages:
                raise PdfRenderError(f"The PDF would have more than {max_pages} pages")
            outcome["pages"] = len(document.pages)
            document.metadata.title = title
            document.metadata.authors = [author]
            document.metadata.lang = LANG
            document.metadata.generator = "LEA Support"
            target = _CappedBuffer(max_bytes)
            # The finisher runs just before the file is written: a render that overran stops there.
            document.write_pdf(target, pdf_variant=PDF_VARIANT, finisher=check_time)
            outcome["pdf"] = target.getvalue()
        except BaseException as err:  # handed back to the caller's thread
            outcome["error"] = err
        finally:
            if shared:
                _FONTS_LOCK.release()

    # WeasyPrint cannot be interrupted, so it runs in a worker thread that the request stops
    # waiting for at the deadline; an abandoned render gives up at its next check.
    worker = threading.Thread(target=work, name="pdf-render", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        abandoned.set()
        raise PdfRenderError("The PDF took too long to make")
    if "error" in outcome:
        err = outcome["error"]
        if isinstance(err, PdfRenderError):
            raise err
        raise PdfRenderError(f"The PDF could not be made: {err}") from err
    return RenderedPdf(outcome["pdf"], outcome["pages"])


def _require_plain(value: Any, where: str = "context") -> None:
    """Refuse ORM objects: a template handed one could reach any attribute or relationship."""
    if isinstance(value, db.Model):
        raise TypeError(f"{where} holds a {type(value).__name__}: build plain data for PDF templates")
    if isinstance(value, dict):
        for key, item in value.items():
            _require_plain(item, f"{where}[{key!r}]")
    elif isinstance(value, (list, tuple, set, frozenset)):
        for index, item in enumerate(value):
            _require_plain(item, f"{where}[{index}]")


def render_pdf(template_name: str, *, title: str, author: str, context: dict[str, Any]) -> bytes:
    """Render a template with plain data into a tagged (PDF/UA-1), en-GB PDF with the given
    title and author. Every PDF in the service is made here."""
    return render_document(template_name, title=title, author=author, context=context).data


def render_document(template_name: str, *, title: str, author: str, context: dict[str, Any],
                    max_pages: int | None = None) -> RenderedPdf:
    """As `render_pdf`, with the number of pages; `max_pages` may lower the configured limit
    (a one-page summary that runs over is refused rather than quietly growing)."""
    _require_plain(context)
    config = current_app.config
    limit = int(config.get("PDF_MAX_PAGES", 300))
    html = render_html(template_name, title=title, author=author, context=context)
    return html_to_rendered_pdf(html, title=title, author=author,
                                timeout=float(config.get("PDF_RENDER_TIMEOUT_SECONDS", 20)),
                                max_bytes=int(config.get("PDF_MAX_BYTES", 20 * 1024 * 1024)),
                                max_pages=min(limit, max_pages) if max_pages else limit)
