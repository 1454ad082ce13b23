"""The one way this service makes PDFs, one layer below the areas: each area's documents.py builds
plain data and names a template; `render_pdf` makes the PDF in a render process (render.py);
`stored_pdf` keeps documents that can no longer change (stored.py); `pdf_response` sends one."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Response

from .render import (
    PdfBusy,
    PdfRenderError,
    PdfTooLarge,
    RenderedPdf,
    render_document,
    render_pdf,
)


@dataclass(frozen=True)
class PdfDocument:
    """A made PDF and the name it is downloaded under."""

    data: bytes
    filename: str


def pdf_response(document: PdfDocument) -> Response:
    """Send a PDF as a download (never shown inline: a PDF viewer in the page is another origin's
    code reading our document). The one place the Content-Disposition of a PDF is written."""
    response = Response(document.data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    return response


__all__ = ["PdfBusy", "PdfDocument", "PdfRenderError", "PdfTooLarge", "RenderedPdf", "pdf_response",
           "render_document", "render_pdf"]
