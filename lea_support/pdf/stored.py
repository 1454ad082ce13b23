"""PDFs of documents that can no longer change (a finalised note of visit, an agreed plan): made
once, on the first request, and served from the store (`stored_documents`) after that, so that
fetching one again, or by many people at once, costs no render.

The stored PDF is found by the SHA-256 of the HTML it was made from, built afresh on each request
(Jinja is cheap; WeasyPrint is not): what a finalised document shows may still move on (an
addendum, an action marked done, a school renamed), and then the PDF is made again and replaces
the stored one. Published review reports and governor reports are stored with their versions
already (`published_review_reports.pdf`, `governor_report_versions.pdf`).
"""
from __future__ import annotations

import hashlib
import logging
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ..extensions import db
from . import render as pdf
from .models import STORED_DOCUMENT_KINDS, StoredDocument

LOGGER = logging.getLogger(__name__)


def source_digest(prepared: pdf.PreparedHtml) -> str:
    return hashlib.sha256("\0".join((prepared.title, prepared.author, prepared.html)).encode()).hexdigest()


def stored_pdf(kind: str, object_id: int, template_name: str, *, title: str, author: str,
               context: dict[str, Any]) -> bytes:
    """The document's PDF from the store if it was made from the same HTML; otherwise made now
    (through the render pool, within its limits) and stored for the next request."""
    if kind not in STORED_DOCUMENT_KINDS:
        raise ValueError(f"{kind!r} is not a kind of stored document")
    prepared = pdf.prepare_html(template_name, title=title, author=author, context=context)
    source = source_digest(prepared)
    stored = db.session.scalar(select(StoredDocument.pdf).where(
        StoredDocument.kind == kind, StoredDocument.object_id == object_id, StoredDocument.source_sha256 == source))
    if stored is not None:
        return stored
    rendered = prepared.render()
    _store(kind, object_id, source, rendered)
    return rendered.data


def _store(kind: str, object_id: int, source: str, rendered: pdf.RenderedPdf) -> None:
    """Keep the PDF, in a short transaction of its own: the request that asked for it is a read
    (GET), which commits nothing. Best effort: if another request stored the same document at the
    same moment, or the database cannot take the write now, this one is simply served unstored."""
    try:
        with Session(db.engine) as session, session.begin():
            # The write comes first, so that on SQLite this transaction queues for the write lock.
            session.execute(delete(StoredDocument).where(StoredDocument.kind == kind,
                                                         StoredDocument.object_id == object_id))
            session.add(StoredDocument(kind=kind, object_id=object_id, source_sha256=source, pdf=rendered.data,
                                       pdf_sha256=hashlib.sha256(rendered.data).hexdigest(),
                                       pdf_pages=rendered.pages))
    except DBAPIError as err:
        LOGGER.warning("The PDF of %s %s was made but not stored: %s", kind, object_id, err)
