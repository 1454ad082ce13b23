"""Import the DfE GIAS establishment file (edubasealldata CSV): check the whole file first,
then upsert schools by URN in bulk. A file with any bad line is rejected whole.

The file is read as published: Windows-1252, every field quoted, CRLF (or LF) line ends and
dd-mm-yyyy dates. Columns are found by name, never by position, because every release adds,
drops or moves some; columns the importer does not know are ignored.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import insert, select, update

from ..core.audit import record_audit, to_json_ready
from ..core.csv_import import LineProblems, numbered_records
from ..core.errors import DomainError
from ..core.models import AuditEntry, utcnow
from ..extensions import db
from ..tasks.kept_counts import records_changed
from .la_codes import la_code_for_name
from .models import GiasImport, School, SchoolEvent

if TYPE_CHECKING:
    from ..auth.models import User

ENCODING = "cp1252"
# Problems listed in a rejection; the rest are counted in a final line.
# Rows written per statement: big enough to be fast, small enough for any driver's limits.
CHUNK_SIZE = 2000
# The largest value an INTEGER column holds on PostgreSQL.
MAX_INTEGER = 2**31 - 1

REQUIRED_COLUMNS = ("URN", "EstablishmentName")
# Where the LA code comes from, best first: GIAS's own download has "LA (code)"; its "search results"
# downloads may have only the name (looked up), or the LAESTAB (the code is its first three digits).
LA_CODE_COLUMNS = ("LA (code)", "LAESTAB", "LA (name)")
# The last column of a "search results" download: one field per linked school, so a school with
# several links spreads over extra fields ("124942 Predecessor","144230 Successor").
LINKS_COLUMN = "Linked establishments"
# School attribute -> GIAS column, for each kind of value.
TEXT_COLUMNS: dict[str, str] = {
    "la_code": "LA (code)",
    "la_name": "LA (name)",
    "establishment_number": "EstablishmentNumber",
    "name": "EstablishmentName",
    "type_name": "TypeOfEstablishment (name)",
    "type_group": "EstablishmentTypeGroup (name)",
    "phase": "PhaseOfEducation (name)",
    "status": "EstablishmentStatus (name)",
    "street": "Street",
    "locality": "Locality",
    "address3": "Address3",
    "town": "Town",
    "county": "County (name)",
    "postcode": "Postcode",
    "website": "SchoolWebsite",
    "telephone": "TelephoneNum",
    "trust_name": "Trusts (name)",
    "ofsted_rating": "OfstedRating (name)",
}
INTEGER_COLUMNS: dict[str, str] = {
    "statutory_low_age": "StatutoryLowAge",
    "statutory_high_age": "StatutoryHighAge",
    "number_of_pupils": "NumberOfPupils",
}
DATE_COLUMNS: dict[str, str] = {
    "ofsted_last_inspection": "OfstedLastInsp",
    "open_date": "OpenDate",
    "close_date": "CloseDate",
}
HEAD_COLUMNS = ("HeadTitle (name)", "HeadFirstName", "HeadLastName")
# GIAS fills the title with this when a head has none; it is not part of a name.
_NO_TITLE = "Not applicable"

# The five bytes that Windows-1252 leaves undefined (Python's cp1252 codec refuses them).
_UNDEFINED_BYTES = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_DATE = re.compile(r"(\d\d)-(\d\d)-(\d{4})\Z")
_DIGITS = re.compile(r"\d+\Z")
# Bumped whenever the mapping changes, so that every school's digest changes with it.
_DIGEST_VERSION = "gias-1"


class GiasFileError(DomainError):
    """A GIAS file that cannot be imported: a headline (shown on the upload field) and one line per
    problem found."""

    def __init__(self, headline: str, problems: list[str] | None = None):
        super().__init__(headline, field="file")
        self.headline = headline
        self.problems = problems or []


@dataclass
class ImportSummary:
    """What an import did. `problems` is for notes that did not stop it (a bad file raises instead)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)
    import_id: int | None = None

    @property
    def message(self) -> str:
        counts = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, {self.skipped} skipped"
        if self.created == self.updated == 0:
            return f"Nothing changed: the register already matches this file ({counts})"
        return counts


@dataclass
class _Row:
    urn: int
    values: dict[str, Any]




def _column_lengths() -> dict[str, int]:
    return {attr: School.__table__.c[attr].type.length for attr in [*TEXT_COLUMNS, "head_name"]}


# Files uploaded by mistake for the CSV, told apart by their first bytes.
_NOT_CSV = (
    (b"PK\x03\x04", "a ZIP archive or an Excel workbook: unzip the download and upload the CSV file inside"),
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\xd0\xcf\x11\xe0", "an older Excel or Word file: upload the CSV exactly as downloaded from GIAS"),
)


def _refuse_binary(raw: bytes) -> None:
    """Refuse a file that is plainly not a CSV, naming what it is, rather than list its bytes as bad lines."""
    for signature, what in _NOT_CSV:
        if raw.startswith(signature):
            raise GiasFileError("The file is not a CSV file", [f"Line 1: the file is {what}"])


def _refuse_utf8(raw: bytes) -> None:
    """Refuse a file re-saved as UTF-8: read as Windows-1252 it would quietly garble every
    accented name. (A real GIAS file with a ’ in it is never valid UTF-8.)"""
    if not raw.startswith(codecs.BOM_UTF8) and (raw.isascii() or not _is_utf8(raw)):
        return
    first_non_ascii = re.search(rb"[\x80-\xff]", raw)
    line = raw.count(b"\n", 0, first_non_ascii.start()) + 1 if first_non_ascii else 1
    raise GiasFileError("The file is not in the GIAS format", [
        f"Line {line}: the file is encoded as UTF-8, so it has been re-saved by another program; "
        "upload the file exactly as downloaded from GIAS (Windows-1252)"])


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _lines(raw: bytes, problems: LineProblems) -> Iterator[str]:
    """The file's physical lines as text, line ends kept. Bytes undefined in Windows-1252 are
    reported and replaced, so that the rest of the file is still checked."""
    # Lines are split on LF only, so CRLF and LF files count lines alike and a stray CR stays data;
    # decoding a line at a time keeps memory near the size of the file.
    for number, raw_line in enumerate(io.BytesIO(raw), start=1):
        if b"\x00" in raw_line:
            # PostgreSQL cannot store it, and no GIAS file has one.
            problems.add(number, "contains a NUL byte (0x00)")
        try:
            yield raw_line.decode(ENCODING)
        except UnicodeDecodeError:
            found = [f"0x{byte[0]:02X}" for byte in _UNDEFINED_BYTES.findall(raw_line)]
            problems.add(number, f"undecodable byte{'s' if len(found) > 1 else ''} {', '.join(found)} "
                                 "(not a Windows-1252 character)")
            yield raw_line.decode(ENCODING, errors="replace")


def _csv_problem(err: csv.Error) -> str:
    message = str(err)
    if "unexpected end of data" in message:
        return "a quoted field is not closed before the end of the file (the file is truncated)"
    if "field larger than field limit" in message:
        return "a field runs on far too long (a quote is not closed)"
    if "expected after" in message:
        return "a quote mark inside a field is not doubled, so the line cannot be split into fields"
    if "new-line character seen in unquoted field" in message:
        return "a line break (CR) inside a field that is not quoted"
    return f"not readable as CSV ({message})"


def _records(lines: Iterator[str]) -> Iterator[tuple[int, list[str] | csv.Error]]:
    """Each record with the physical line it starts on (the header is line 1), or the CSV error."""
    return numbered_records(lines)


def _check_header(header: list[str]) -> list[str]:
    problems = [f"Line 1: the header has no “{name}” column" for name in REQUIRED_COLUMNS if name not in header]
    if not any(name in header for name in LA_CODE_COLUMNS):
        problems.append("Line 1: the header has no “LA (code)” column (nor “LAESTAB” or “LA (name)”)")
    mapped = {*REQUIRED_COLUMNS, *TEXT_COLUMNS.values(), *INTEGER_COLUMNS.values(), *DATE_COLUMNS.values(),
              *HEAD_COLUMNS}
    seen: set[str] = set()
    for name in header:
        if name in seen and name in mapped:
            problems.append(f"Line 1: the header has the “{name}” column twice")
        seen.add(name)
    return problems


def _parse(raw: bytes, la_codes: set[str] | None) -> tuple[list[_Row], int]:
    """Check every line of the file and map each kept row to School values.
    Returns the rows and the number skipped for other LAs; raises GiasFileError listing all problems."""
    problems = LineProblems()
    if not raw.strip():
        raise GiasFileError("The file is empty", ["Line 1: there is no header row"])
    _refuse_binary(raw)
    _refuse_utf8(raw)
    records = _records(_lines(raw, problems))
    _, header = next(records)
    if isinstance(header, csv.Error):
        raise GiasFileError("The file is not in the GIAS format",
                            [f"Line 1: the header cannot be read: {_csv_problem(header)}"])
    header = [name.strip() for name in header]
    header_problems = _check_header(header)
    if header_problems:
        raise GiasFileError("The file is not a GIAS establishment file: its header is wrong",
                            problems.listed() + header_problems)

    index: dict[str, int] = {}
    for i, name in enumerate(header):
        index.setdefault(name, i)
    width = len(header)
    lengths = _column_lengths()
    texts = [(attr, index[col], lengths[attr]) for attr, col in TEXT_COLUMNS.items() if col in index]
    integers = [(attr, index[col], col) for attr, col in INTEGER_COLUMNS.items() if col in index]
    dates = [(attr, index[col], col) for attr, col in DATE_COLUMNS.items() if col in index]
    heads = [index[col] if col in index else None for col in HEAD_COLUMNS]
    has_head = any(i is not None for i in heads)
    urn_at = index["URN"]
    la_source = next(name for name in LA_CODE_COLUMNS if name in index)
    la_at = index[la_source]
    # Names only, no codes: "TypeOfEstablishment" where the full download has "TypeOfEstablishment (name)".
    for attr, col in TEXT_COLUMNS.items():
        bare = col.removesuffix(" (name)")
        if col not in index and bare != col and bare in index and attr != "la_code":
            texts.append((attr, index[bare], lengths[attr]))
    spreads = header[-1].startswith(LINKS_COLUMN)

    rows: list[_Row] = []
    first_line_of: dict[int, int] = {}
    skipped = 0
    for line, record in records:
        if isinstance(record, csv.Error):
            problems.add(line, _csv_problem(record))
            continue
        if not record:
            continue  # a blank line carries nothing
        if spreads and len(record) > width:
            record = [*record[:width - 1], ", ".join(record[width - 1:])]
        if len(record) != width:
            problems.add(line, f"the row is truncated: {len(record)} fields where the header has {width}"
                         if len(record) < width else f"the row has {len(record)} fields where the header has {width}")
            continue
        urn_text = record[urn_at].strip()
        urn = int(urn_text) if _DIGITS.match(urn_text) and urn_text.isascii() else 0
        if not 0 < urn <= MAX_INTEGER:
            problems.add(line, f"URN “{urn_text}” is not a positive whole number")
        elif urn in first_line_of:
            problems.add(line, f"URN {urn} is a duplicate (first on line {first_line_of[urn]})")
        else:
            first_line_of[urn] = line

        values: dict[str, Any] = {attr: record[i].strip()[:length] for attr, i, length in texts}
        la_text = record[la_at].strip()
        if la_source == "LAESTAB":
            values["la_code"] = la_text[:3] if len(la_text) == 7 and la_text.isdigit() else ""
        elif la_source == "LA (name)":
            values["la_code"] = la_code_for_name(la_text) or ""
        if not values["la_code"]:
            problems.add(line, f"{la_source} is empty" if not la_text else
                         f"{la_source} “{la_text}” does not give an LA code")
        if not values["name"]:
            problems.add(line, "EstablishmentName is empty")
        for attr, i, column in integers:
            text = record[i].strip()
            if not text:
                values[attr] = None
            elif _DIGITS.match(text) and text.isascii() and int(text) <= MAX_INTEGER:
                values[attr] = int(text)
            else:
                problems.add(line, f"{column} “{text}” is not a whole number")
        for attr, i, column in dates:
            text = record[i].strip()
            if not text:
                values[attr] = None
            elif not _DATE.match(text):
                problems.add(line, f"{column} “{text}” is not a date in the form dd-mm-yyyy")
            else:
                values[attr] = _parse_date(text)
                if values[attr] is None:
                    problems.add(line, f"{column} “{text}” is not a real date")
        if has_head:
            title, first, last = (record[i].strip() if i is not None else "" for i in heads)
            parts = ("" if title == _NO_TITLE else title, first, last)
            values["head_name"] = " ".join(p for p in parts if p)[:lengths["head_name"]]

        if problems.count:
            continue  # once the file is refused, rows are only checked, not kept
        if la_codes is not None and values["la_code"] not in la_codes:
            skipped += 1
            continue
        rows.append(_Row(urn, values))

    if problems.count:
        bad = len(problems.lines)
        raise GiasFileError(f"The file has {bad} bad {'line' if bad == 1 else 'lines'} and was not imported",
                            problems.listed())
    return rows, skipped


def _parse_date(text: str) -> date | None:
    match = _DATE.match(text)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _digest(values: dict[str, Any]) -> str:
    # Sorted keys make the digest depend on which columns the release has, not their order.
    text = json.dumps([_DIGEST_VERSION, values], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _chunks(items: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(items), CHUNK_SIZE):
        yield items[start:start + CHUNK_SIZE]


def _basename(filename: str) -> str:
    # Browsers on Windows may send a full path with backslashes.
    return filename.replace("\\", "/").rsplit("/", 1)[-1][:255] or "upload.csv"


def import_gias(actor: "User | None", stream: IO[bytes], *, filename: str,
                la_codes: list[str] | None = None) -> ImportSummary:
    """Import a GIAS establishment file, upserting schools by URN; keeps only `la_codes` if given
    (default: the GIAS_LA_CODES setting, else every LA). Raises GiasFileError, changing nothing."""
    raw = stream.read()
    if la_codes is None:
        la_codes = current_app.config.get("GIAS_LA_CODES") or None
    keep = {code.strip() for code in la_codes if code.strip()} if la_codes else None
    rows, skipped = _parse(raw, keep)

    # Only now, with the whole file known good, is the database touched.
    existing = {urn: (school_id, digest) for urn, school_id, digest in
                db.session.execute(select(School.urn, School.id, School.gias_digest))}
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    unchanged = 0
    for row in rows:
        digest = _digest(row.values)
        known = existing.get(row.urn)
        if known is None:
            # Tier, level, flags and adviser are left to the model's defaults (light touch, level 1).
            inserts.append({"urn": row.urn, **row.values, "gias_digest": digest, "created_at": now,
                            "updated_at": now})
        elif known[1] != digest:
            # Only GIAS fields are written: a school's support tier, level, flags and link adviser stay.
            updates.append({"id": known[0], **row.values, "gias_digest": digest, "updated_at": now})
        else:
            unchanged += 1
    # render_nulls keeps every row in one batch; without it the ORM splits rows by which values
    # are None, which costs thousands of round trips on PostgreSQL.
    insert_schools = insert(School).execution_options(render_nulls=True)
    for chunk in _chunks(inserts):
        db.session.execute(insert_schools, chunk)
    changes = _changes(updates)
    # Bulk UPDATE by primary key also refreshes any of these schools already loaded in the session.
    for chunk in _chunks(updates):
        db.session.execute(update(School), chunk)
    if inserts or updates:
        records_changed()  # bulk statements bypass the flush that watches what kept task counts read
    if updates:
        # Bulk updates bypass the flush that keeps the overview's summaries: a school that closed
        # leaves its tier's figures here.
        from ..casework.summaries import refresh_school_tallies

        refresh_school_tallies(db.session.connection(), [u["id"] for u in updates])

    summary = ImportSummary(created=len(inserts), updated=len(updates), unchanged=unchanged, skipped=skipped)
    record = GiasImport(imported_by_id=actor.id if actor is not None else None, filename=_basename(filename),
                        sha256=hashlib.sha256(raw).hexdigest(), created=summary.created, updated=summary.updated,
                        unchanged=summary.unchanged, skipped=summary.skipped)
    db.session.add(record)
    db.session.flush()
    summary.import_id = record.id
    # One entry for the import as a whole: one per school would swamp the log (50,000 rows).
    record_audit(actor, "schools.import", "gias_import", record.id, after={
        "filename": record.filename, "sha256": record.sha256, "created": summary.created,
        "updated": summary.updated, "unchanged": summary.unchanged, "skipped": summary.skipped,
        "la_codes": sorted(keep) if keep else None,
    })
    _record_changes(actor, record.id, changes, now)
    db.session.flush()
    if inserts or updates:
        # Risk signals read GIAS fields (status, a new head): recomputed in the import's transaction.
        from ..evidence.signals import recompute_signals

        recompute_signals()
    return summary


def _changes(updates: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any], dict[str, Any]]]:
    """For each school about to be updated: the GIAS fields that change, before and after."""
    if not updates:
        return []
    fields = sorted(updates[0].keys() - {"id", "gias_digest", "updated_at"})
    columns = [School.id, *(getattr(School, f) for f in fields)]
    old: dict[int, Any] = {}
    for chunk in _chunks(updates):
        ids = [u["id"] for u in chunk]
        old.update({row.id: row for row in db.session.execute(select(*columns).where(School.id.in_(ids)))})
    result = []
    for new in updates:
        before = {f: getattr(old[new["id"]], f) for f in fields if getattr(old[new["id"]], f) != new[f]}
        result.append((new["id"], before, {f: new[f] for f in before}))
    return result


def _record_changes(actor: "User | None", import_id: int, changes: list[tuple[int, dict[str, Any], dict[str, Any]]],
                    now: datetime) -> None:
    """Every school the import changed gets its own audit entry (before and after) and a line on
    its timeline. New schools are covered by the import's own entry: a first national import
    would otherwise write 50,000 rows saying "created"."""
    actor_id = actor.id if actor is not None else None
    audit_rows, events = [], []
    for school_id, before, after in changes:
        audit_rows.append({"occurred_at": now, "user_id": actor_id, "action": "school.gias_update",
                           "entity_type": "school", "entity_id": str(school_id), "school_id": school_id,
                           "before": to_json_ready(before), "after": to_json_ready({**after, "import": import_id})})
        names = ", ".join(f.replace("_", " ") for f in before) or "GIAS record"
        events.append({"school_id": school_id, "occurred_at": now, "kind": "gias_update",
                       "summary": f"Details updated from GIAS: {names}", "actor_id": actor_id,
                       "audience": "school", "public_summary": None})
    for chunk in _chunks(audit_rows):
        db.session.execute(insert(AuditEntry), chunk)
    for chunk in _chunks(events):
        db.session.execute(insert(SchoolEvent), chunk)


def recent_imports(limit: int = 10) -> list[GiasImport]:
    """The latest imports, newest first, for the upload page."""
    return list(db.session.scalars(select(GiasImport).order_by(GiasImport.imported_at.desc()).limit(limit)))
