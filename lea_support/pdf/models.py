"""The store of documents that can no longer change."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import UTCDateTime, utcnow
from ..extensions import db


def _in(values: dict[str, str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


# Documents that can no longer change, whose PDF is made once and then served from the store.
STORED_DOCUMENT_KINDS = {"note_of_visit": "Finalised note of visit", "plan": "Agreed Raising Achievement Plan"}


class StoredDocument(db.Model):
    """The PDF of a document that can no longer change (a finalised note of visit, an agreed
    plan), made on the first request and served from here after that. One row per document,
    with the SHA-256 of the HTML it was made from: what a finalised document shows may still
    move on (an addendum, an action marked done, a school renamed), and then it is made again
    and this row replaced."""

    __tablename__ = "stored_documents"
    __table_args__ = (
        UniqueConstraint("kind", "object_id", name="uq_stored_documents_object"),
        CheckConstraint(f"kind IN ({_in(STORED_DOCUMENT_KINDS)})", name="kind_known"),
        CheckConstraint("pdf_pages >= 1", name="pages_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    # The note's or plan's id (which table depends on the kind).
    object_id: Mapped[int] = mapped_column(Integer)
    source_sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pdf_pages: Mapped[int] = mapped_column(Integer)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<StoredDocument {self.kind} {self.object_id} {self.pdf_sha256[:12]}>"
