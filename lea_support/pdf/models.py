"""The store of documents that can no longer change."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.limits import sql_values
from ..core.models import UTCDateTime, utcnow
from ..extensions import db

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
        CheckConstraint(f"kind IN ({sql_values(STORED_DOCUMENT_KINDS)})", name="kind_known"),
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


LOGO_TYPES = {"image/png": "PNG", "image/svg+xml": "SVG"}


class Letterhead(db.Model):
    """The authority's letterhead, printed at the head of every PDF it sends: its name, logo
    (checked PNG or SVG), address, how to get in touch, and who signs. One row, set by an admin."""

    __tablename__ = "letterheads"
    __table_args__ = (CheckConstraint("id = 1", name="one_letterhead"),
                      CheckConstraint(f"logo_type IS NULL OR logo_type IN ({sql_values(LOGO_TYPES)})", name="logo_type_known"))

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    authority_name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(500), default="")
    contact: Mapped[str] = mapped_column(String(300), default="")
    signatory_name: Mapped[str] = mapped_column(String(200), default="")
    signatory_role: Mapped[str] = mapped_column(String(200), default="")
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)
    logo_type: Mapped[str | None] = mapped_column(String(20), nullable=True)
    version_id: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Letterhead {self.authority_name!r}>"
