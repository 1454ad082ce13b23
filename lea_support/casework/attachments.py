"""Files attached to notes of visit: checked by their content, stored outside the web root under
server-made names, and kept in step with the database transaction that records them."""
from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import func, select

from ..core.audit import record_audit
from ..core.errors import DomainError
from ..core.limits import MAX_ATTACHMENTS
from ..core.transactions import after_commit, after_rollback
from ..extensions import db
from .models import NoteOfVisit, VisitAttachment

if TYPE_CHECKING:
    from ..auth.models import User


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extensions: tuple[str, ...]


KINDS = {
    "pdf": FileKind("application/pdf", (".pdf",)),
    "docx": FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
    "xlsx": FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
    "png": FileKind("image/png", (".png",)),
    "jpeg": FileKind("image/jpeg", (".jpg", ".jpeg")),
}
ALLOWED_TYPES = "a PDF, Word document (DOCX), Excel spreadsheet (XLSX), PNG or JPEG"
FIELD = "attachment"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_STORED_NAME = re.compile(r"^[0-9a-f]{32}$")


def max_bytes() -> int:
    return int(current_app.config.get("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def note_quota_bytes() -> int:
    """How many bytes of files one note of visit may hold in all."""
    return int(current_app.config.get("ATTACHMENT_NOTE_QUOTA_BYTES", 50 * 1024 * 1024))


def _size_words(n: int) -> str:
    return f"{round(n / (1024 * 1024), 1):g} MB" if n >= 1024 * 1024 else f"{round(n / 1024, 1):g} KB"


def _check_note_quota(note: NoteOfVisit, size: int) -> None:
    # The note's row is locked first (PostgreSQL), so two uploads at once cannot both fit in the
    # room that only one of them has; SQLite runs one writer at a time anyway.
    db.session.execute(select(NoteOfVisit.id).where(NoteOfVisit.id == note.id).with_for_update())
    used = db.session.scalar(select(func.coalesce(func.sum(VisitAttachment.size_bytes), 0))
                             .where(VisitAttachment.note_id == note.id)) or 0
    quota = note_quota_bytes()
    if used + size > quota:
        left = max(quota - used, 0)
        raise DomainError(f"The selected file is {_size_words(size)}, but this note of visit's files may add up to "
                          f"at most {_size_words(quota)} and it already has {_size_words(used)}: "
                          f"{_size_words(left)} is left. Remove a file from the note, or attach a smaller one",
                          field=FIELD)


def detect_kind(data: bytes) -> str | None:
    """Which allowed kind of file the bytes are, judged by their content alone."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(_PNG_SIGNATURE):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            return _office_kind(_zip_members(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
            return None
    return None


def _zip_members(data: bytes) -> list[zipfile.ZipInfo]:
    # Only the zip's central directory is read: nothing is decompressed, so a zip bomb costs nothing.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.infolist()


def _office_kind(members: list[zipfile.ZipInfo]) -> str | None:
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names:
        return None
    # Macro-enabled documents (.docm, .xlsm) carry a VBA project: refused, whatever they are called.
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def zip_limits() -> dict[str, int]:
    """What a zip-based upload (a Word or Excel file) may expand to when it is opened."""
    config = current_app.config
    return {"bytes": int(config.get("ATTACHMENT_ZIP_MAX_UNCOMPRESSED_BYTES", 50 * 1024 * 1024)),
            "ratio": int(config.get("ATTACHMENT_ZIP_MAX_RATIO", 100)),
            "members": int(config.get("ATTACHMENT_ZIP_MAX_MEMBERS", 2000))}


# Below this size a member cannot do harm whatever its compression ratio (a page of repeated XML
# compresses 200 to 1); above it, a ratio beyond the limit is what a zip bomb looks like.
_RATIO_FLOOR_BYTES = 1024 * 1024


def _unsafe_member_name(name: str) -> bool:
    """A member name that could write outside a folder it was unpacked into, or hide what it is."""
    if not name or "\\" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return True
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return True
    return ".." in name.split("/")


def check_zip_container(data: bytes) -> None:
    """Refuse (DomainError) a zip-based upload that would be dangerous to open, judged from the zip's
    central directory alone (nothing is decompressed): too many members, too big when expanded,
    compressed suspiciously well, or with member names that reach outside the document."""
    try:
        members = _zip_members(data)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        return  # not a zip after all: detect_kind refuses it as a file of no allowed kind
    limits = zip_limits()
    if len(members) > limits["members"]:
        raise DomainError(f"The selected file holds {len(members):,} parts: a Word or Excel file may hold at most "
                          f"{limits['members']:,}", field=FIELD)
    # orig_filename keeps what the zip says; zipfile cuts a name at a NUL character.
    bad = next((m.orig_filename for m in members if _unsafe_member_name(m.orig_filename)), None)
    if bad is not None:
        shown = "".join(ch if unicodedata.category(ch) != "Cc" else "?" for ch in bad)[:100]
        raise DomainError(f"The selected file holds a part named \u201c{shown}\u201d, which points outside the "
                          "document: it may be an attempt to attack the computers that open it", field=FIELD)
    names = [m.filename for m in members]
    if len(set(names)) != len(names):
        raise DomainError("The selected file holds two parts with the same name: it is damaged or has been "
                          "tampered with", field=FIELD)
    total = sum(m.file_size for m in members)
    if total > limits["bytes"]:
        raise DomainError(f"The selected file would expand to {_size_words(total)} when opened: a Word or Excel "
                          f"file may expand to at most {_size_words(limits['bytes'])}", field=FIELD)
    for member in members:
        if member.file_size > _RATIO_FLOOR_BYTES and member.file_size > limits["ratio"] * max(member.compress_size, 1):
            raise DomainError(f"The selected file is compressed more than {limits['ratio']} to 1, as a zip bomb is: "
                              "it cannot be attached", field=FIELD)
    if total > _RATIO_FLOOR_BYTES and total > limits["ratio"] * len(data):
        raise DomainError(f"The selected file is compressed more than {limits['ratio']} to 1, as a zip bomb is: "
                          "it cannot be attached", field=FIELD)


def check_upload(file_storage: Any) -> tuple[bytes, str]:
    """Read an uploaded file and return its bytes and content type, or refuse it (DomainError).

    The type is decided by the content, never by the name or the browser's declared type."""
    if file_storage is None or not getattr(file_storage, "filename", None):
        raise DomainError("Select a file to attach", field=FIELD)
    limit = max_bytes()
    stream = file_storage.stream
    if hasattr(stream, "seek"):
        try:
            stream.seek(0)
        except (OSError, ValueError):
            pass
    # One byte more than allowed is enough to know a file is too big, without reading all of it.
    data = stream.read(limit + 1)
    if not data:
        raise DomainError("The selected file is empty", field=FIELD)
    if len(data) > limit:
        raise DomainError(f"The selected file must be smaller than {_size_words(limit)}", field=FIELD)
    if data.startswith(b"PK\x03\x04"):
        check_zip_container(data)
    kind = detect_kind(data)
    if kind is None:
        raise DomainError(f"The selected file must be {ALLOWED_TYPES}", field=FIELD)
    return data, KINDS[kind].content_type


def display_name(filename: str, content_type: str) -> str:
    """The uploader's file name made safe to show and to offer as a download name: no folders,
    no control characters, at most 255 characters, ending in the extension of what it really is."""
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip().strip(".") or "attachment"
    extensions = next(k.extensions for k in KINDS.values() if k.content_type == content_type)
    if not name.lower().endswith(extensions):
        name = f"{name}{extensions[0]}"
    if len(name) > 255:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[:254 - len(ext)]}.{ext}" if dot else name[:255]
    return name


def attachments_dir() -> Path:
    """Where attachment files live: ATTACHMENTS_DIR, or <instance>/attachments. Never under static/."""
    configured = current_app.config.get("ATTACHMENTS_DIR")
    path = Path(configured) if configured else Path(current_app.instance_path) / "attachments"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def attachment_path(attachment: VisitAttachment) -> Path:
    if not _STORED_NAME.match(attachment.stored_name):
        raise ValueError(f"unexpected stored name for attachment {attachment.id}")
    return attachments_dir() / attachment.stored_name


def store_attachment(actor: "User", note: NoteOfVisit, file_storage: Any) -> VisitAttachment:
    """Check an uploaded file and attach it to a note. The file is removed again if the
    transaction that records it is rolled back."""
    if note.is_locked:
        raise DomainError("This note of visit has been finalised, so files can no longer be attached to it",
                          field=FIELD)
    attached = db.session.scalar(select(func.count()).where(VisitAttachment.note_id == note.id)) or 0
    if attached >= MAX_ATTACHMENTS:
        raise DomainError(f"A note of visit can have up to {MAX_ATTACHMENTS} files attached: remove one you no "
                          "longer need first, or combine some into one file", field=FIELD)
    data, content_type = check_upload(file_storage)
    _check_note_quota(note, len(data))
    attachment = VisitAttachment(
        note_id=note.id, original_name=display_name(file_storage.filename, content_type),
        stored_name=secrets.token_hex(16), content_type=content_type, size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=actor.id if actor else None)
    db.session.add(attachment)
    db.session.flush()
    path = attachment_path(attachment)
    after_rollback(lambda: _unlink(path))  # before writing, so a half-written file is removed too
    try:
        # A new file under a new name: no earlier file is ever overwritten, and the row that points at
        # this one is saved only if the whole file was (a failure rolls both back).
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())  # a full disk can go unreported until the data is flushed
    except OSError as err:
        current_app.logger.exception("Could not write attachment file %s", path)
        full = err.errno in {errno.ENOSPC, errno.EDQUOT}
        raise DomainError("The file could not be saved because the server has run out of storage space. "
                          "Nothing has been saved: try again later, or tell the LEA Support administrator."
                          if full else "The file could not be saved. Nothing has been saved: try again later.",
                          field=FIELD) from err
    record_audit(actor, "visit_attachment.create", "visit_attachment", attachment.id, school_id=note.school_id,
                 after={"note_id": note.id, "original_name": attachment.original_name,
                        "content_type": content_type, "size_bytes": len(data), "sha256": attachment.sha256})
    db.session.flush()
    return attachment


def delete_attachment(actor: "User", note: NoteOfVisit, attachment: VisitAttachment) -> None:
    """Remove a file from a note. Its bytes are deleted from disk once the transaction commits."""
    if attachment.note_id != note.id:
        raise DomainError("That file is not attached to this note of visit")
    if note.is_locked:
        raise DomainError("This note of visit has been finalised, so its files can no longer be removed")
    path = attachment_path(attachment)
    record_audit(actor, "visit_attachment.delete", "visit_attachment", attachment.id, school_id=note.school_id,
                 before={"note_id": note.id, "original_name": attachment.original_name,
                         "content_type": attachment.content_type, "size_bytes": attachment.size_bytes,
                         "sha256": attachment.sha256})
    db.session.delete(attachment)
    db.session.flush()
    after_commit(lambda: _unlink(path))


# Files follow the transaction (core/transactions.py): a file written by a transaction that is
# rolled back (or closed without committing) is removed; a file whose row was deleted is removed
# only once that deletion has committed. Rolling back a savepoint undoes only its own files.

def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
