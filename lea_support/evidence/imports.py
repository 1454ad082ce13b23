"""The import engine for national data files (Ofsted, KS2, KS4, census, absence): one engine under
the `import-data` command and the admin upload page.

The whole file is read and checked before the database is touched: a file with any bad line is
refused whole, naming the lines, and nothing changes. Columns are found by name (any release's
layout); the measures read from each kind of file come from the catalogue tables. Values are
written in bulk (a few statements per 2,000 rows), schools resolved by URN in one query.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update

from ..core.audit import record_audit
from ..core.csv_import import LineProblems, numbered_records
from ..core.errors import DomainError
from ..core.models import utcnow
from ..core.terms import academic_year_for, parse_academic_year
from ..extensions import db
from ..schools.models import School
from .catalogue import (
    CODES,
    GRADE_CODES,
    JUDGEMENT_CODES,
    JUDGEMENTS,
    KINDS,
    MEASURES,
    PHASE_GROUPS,
    RECORD_TYPES,
)
from .models import Comparator, DataImport, Measure, MeasureSource, MeasureValue, ValueChange

if TYPE_CHECKING:
    from ..auth.models import User

CHUNK_SIZE = 2000
MAX_URN = 2**31 - 1

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?%?\Z")
_DATE_UK = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})\Z")
_DATE_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})\Z")
# An academic year in a file name: 2018-19, 2018_19, 201819, 2018-2019.
_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d\d)[-_ ]?(20)?(\d\d)(?!\d)")
_NOT_CSV = ((b"PK\x03\x04", "a ZIP archive or an Excel workbook"), (b"%PDF-", "a PDF document"),
            (b"\x89PNG", "a PNG image"), (b"\xd0\xcf\x11\xe0", "an older Excel or Word file"))


class DataFileError(DomainError):
    """A file that cannot be imported: a headline and one line per problem found."""

    def __init__(self, headline: str, problems: list[str] | None = None):
        super().__init__(headline, field="file")
        self.headline = headline
        self.problems = problems or []


@dataclass
class ImportResult:
    kind: str
    kind_reason: str
    academic_year: str
    filename: str
    counts: dict[str, int]
    not_published: list[str] = field(default_factory=list)
    dry_run: bool = False
    import_id: int | None = None
    signals: Any = None  # signals.RecomputeResult, after an import that changed something

    @property
    def changed(self) -> bool:
        return bool(self.counts.get("inserted") or self.counts.get("updated"))

    @property
    def message(self) -> str:
        c = self.counts
        year = f" for {self.academic_year}" if self.academic_year else ""
        values = f"{c['inserted']} values new, {c['updated']} changed, {c['unchanged']} unchanged"
        rows = (f"{c['school_rows']} school rows, {c['comparator_rows']} LA and national rows, "
                f"{c['not_in_register']} schools not in the register, {c['skipped_rows']} other rows skipped")
        head = f"{KINDS[self.kind].label}{year} ({self.kind_reason})"
        if self.dry_run:
            return f"Dry run, nothing saved. {head}: would be {values}; {rows}"
        if not self.changed:
            return f"Nothing changed: the data already match this file. {head}: {values}; {rows}"
        flagged = ""
        if self.signals is not None:
            s = self.signals
            flagged = (f". Risk signals: {s.new} new, {s.changed} changed, {s.cleared} cleared; "
                       f"{s.prompts} tier-review prompts raised")
        return f"Imported {head}: {values}; {rows}{flagged}"


# --- the catalogue in the database -------------------------------------------------------------------

def ensure_catalogue() -> None:
    """Add the catalogue's measures and sources missing from the tables (edits made there stay)."""
    known = {k: v for k, v in db.session.execute(select(Measure.code, Measure.id))}
    missing = [m for m in MEASURES if m.code not in known]
    if missing:
        db.session.execute(insert(Measure), [
            {"code": m.code, "label": m.label, "area": m.area, "unit": m.unit, "higher_is_better": m.higher_is_better,
             "charted": m.charted, "sort_order": MEASURES.index(m), "note": m.note} for m in missing])
        known = {k: v for k, v in db.session.execute(select(Measure.code, Measure.id))}
        db.session.execute(insert(MeasureSource), [
            {"measure_id": known[m.code], "kind": s.kind, "column_name": s.column, "date_column": s.date_column,
             "first_year": s.first_year, "last_year": s.last_year} for m in missing for s in m.sources])


@dataclass(frozen=True)
class _Reading:
    """One measure read from one column of this file."""
    measure_id: int
    code: str
    unit: str
    column: int
    date_column: int | None


def _readings(kind: str, year: str, index: dict[str, int]) -> tuple[list[_Reading], list[str]]:
    """The measures this file carries, and the codes of those its layout does not have."""
    rows = db.session.execute(
        select(MeasureSource, Measure.code, Measure.unit).join(Measure, Measure.id == MeasureSource.measure_id)
        .where(MeasureSource.kind == kind).order_by(Measure.sort_order, MeasureSource.id)).all()
    readings: dict[int, _Reading] = {}
    codes: dict[int, str] = {}
    for source, code, unit in rows:
        codes[source.measure_id] = code
        if source.measure_id in readings:
            continue
        if year and ((source.first_year and year < source.first_year) or (source.last_year and year > source.last_year)):
            continue
        column = index.get(_norm(source.column_name))
        if column is None:
            continue
        date_column = index.get(_norm(source.date_column)) if source.date_column else None
        if source.date_column and date_column is None:
            continue
        readings[source.measure_id] = _Reading(source.measure_id, code, unit, column, date_column)
    return list(readings.values()), [c for m, c in codes.items() if m not in readings]


# --- reading the file -------------------------------------------------------------------------------

def _norm(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split()).casefold()




def _decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252."""
    for signature, what in _NOT_CSV:
        if raw.startswith(signature):
            raise DataFileError("The file is not a CSV file", [f"Line 1: the file is {what}; upload the CSV file"])
    if b"\x00" in raw:
        line = raw.count(b"\n", 0, raw.index(b"\x00")) + 1
        raise DataFileError("The file is not a CSV text file", [f"Line {line}: contains a NUL byte (0x00)"])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise DataFileError("The file is neither UTF-8 nor Windows-1252 text",
                            [f"Line {line}: byte 0x{raw[err.start]:02X} is not a character in either"]) from None


def _records(text: str) -> Iterator[tuple[int, list[str] | csv.Error]]:
    """Each record with the physical line it starts on (the header is line 1)."""
    return numbered_records(io.StringIO(text, newline=""))


def _csv_problem(err: csv.Error) -> str:
    message = str(err)
    if "unexpected end of data" in message:
        return "the line is truncated: a quoted field is not closed before the end of the file"
    if "expected after" in message:
        return "a quote mark inside a field is not doubled, so the line cannot be split into fields"
    return f"not readable as CSV ({message})"


def _recognise(index: dict[str, int], kind: str | None) -> tuple[str, str]:
    """The kind of file and the columns that decided it; DataFileError if the header says otherwise."""
    def matched(code: str) -> tuple[str, ...] | None:
        for signature in KINDS[code].signatures:
            if all(_norm(c) in index for c in signature):
                return signature
        return None

    found = {code: sig for code in KINDS if (sig := matched(code)) is not None}
    if kind is not None:
        if kind not in KINDS:
            raise DataFileError(f"“{kind}” is not a kind of file this service imports",
                                [f"Known kinds: {', '.join(KINDS)}"])
        if kind not in found:
            expected = " and ".join(KINDS[kind].signatures[0])
            other = next(iter(found), None)
            looks = (f"; it looks like a {KINDS[other].label} file (columns {', '.join(found[other])})"
                     if other else "")
            raise DataFileError(f"The file is not a {KINDS[kind].label} file",
                                [f"Line 1: the header does not have the columns of one (such as {expected}){looks}"])
        return kind, f"as asked; the header has {', '.join(found[kind])}"
    if not found:
        raise DataFileError("The kind of file is not recognised", [
            "Line 1: the header has none of the columns that mark an Ofsted, KS2, KS4, census or absence file "
            f"(it begins {', '.join(list(index)[:5])})"])
    if len(found) > 1:
        raise DataFileError("The kind of file is ambiguous", [
            "Line 1: the header has the columns of " + " and of ".join(
                f"{KINDS[k].label} ({', '.join(s)})" for k, s in found.items()) + "; say which with --kind"])
    code, signature = next(iter(found.items()))
    return code, f"recognised from the columns {', '.join(signature)}"


def _academic_year(kind: str, year: str | None, filename: str) -> str:
    """The file's academic year: given, or from its name. Ofsted files carry each inspection's date."""
    in_name = None
    match = _YEAR_IN_NAME.search(filename.replace("\\", "/").rsplit("/", 1)[-1])
    if match and (int(match.group(1)) + 1) % 100 == int(match.group(3)):
        in_name = f"{match.group(1)}/{match.group(3)}"
    if kind == "ofsted":
        return ""
    if year:
        try:
            parse_academic_year(year)
        except ValueError as err:
            raise DataFileError(f"The academic year “{year}” is not one", [str(err)]) from None
        if in_name and in_name != year.strip():
            raise DataFileError("The academic year given is not the file's", [
                f"The file name says {in_name}, the year given is {year.strip()}: check the file, "
                "or rename it"])
        return year.strip()
    if in_name:
        return in_name
    raise DataFileError("The academic year is not in the file", [
        "Neither the file nor its name says which academic year it is: give it, for example --year 2018/19 "
        "(on the upload page: Academic year)"])


@dataclass
class _Parsed:
    """A checked value: (state, code, number, text, day)."""
    state: str
    code: str = ""
    number: float | None = None
    text: str | None = None
    day: date | None = None
    percent_sign: bool = False


def _parse_date(text: str) -> date | None:
    match = _DATE_UK.match(text)
    try:
        if match:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        match = _DATE_ISO.match(text)
        if match:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    return None


def _coded(text: str, extra: dict[str, tuple[str, str]] | None = None) -> _Parsed | None:
    key = text.upper()
    if extra and key in extra:
        return _Parsed(extra[key][0], text)
    if key in CODES:
        return _Parsed(CODES[key][0], text)
    return None


def _parse(unit: str, text: str) -> _Parsed | str:
    """The value a field holds for a measure of this unit, or what is wrong with it."""
    if unit in {"percent", "score", "progress", "count"}:
        coded = _coded(text)
        if coded:
            return coded
        if not _NUMBER.match(text):
            return f"“{text}” is not a number"
        return _Parsed("value", number=float(text.rstrip("%")), percent_sign=text.endswith("%"))
    if unit == "grade":
        coded = _coded(text, GRADE_CODES)
        if coded:
            return coded
        if text in {"1", "2", "3", "4"}:
            return _Parsed("value", number=float(text))
        return f"“{text}” is not an Ofsted grade (1 to 4, or 9 for not applicable)"
    if unit == "judgement":
        coded = _coded(text, JUDGEMENT_CODES)
        if coded:
            return coded
        for word in JUDGEMENTS:
            if word.casefold() == text.casefold():
                return _Parsed("value", text=word)
        return f"“{text}” is not a report card grade ({', '.join(JUDGEMENTS)})"
    if unit in {"met", "yesno"}:
        words = ("Met", "Not met") if unit == "met" else ("Yes", "No")
        coded = _coded(text)
        if coded:
            return coded
        for word in words:
            if word.casefold() == text.casefold():
                return _Parsed("value", text=word)
        return f"“{text}” is not {' or '.join(words)}"
    if unit == "date":
        coded = _coded(text)
        if coded:
            return coded
        day = _parse_date(text)
        return _Parsed("value", day=day) if day else f"“{text}” is not a date (dd/mm/yyyy)"
    # text: blank is a recorded "none" (no category of concern); NULL is "not recorded"
    if text.upper() == "NULL":
        return _Parsed("not_available", text)
    return _Parsed("value", text=text[:200])


_Key = tuple[str, Any]  # ("school", urn) or ("comparator", (level, la_code, group))


@dataclass
class _Row:
    line: int
    key: _Key
    values: list[tuple[_Reading, str, _Parsed]]  # reading, academic year, value


def _classify(kind: str, record: list[str], cols: dict[str, int | None], sole_la: list[str]) -> _Key | str | None:
    """What a row is: a school (by URN), a comparator, None for a row to skip, or what is wrong."""
    def get(name: str) -> str:
        i = cols.get(name)
        return record[i].strip() if i is not None and i < len(record) else ""

    if kind in RECORD_TYPES:
        rectype = get("RECTYPE")
        if rectype not in RECORD_TYPES[kind]:
            return None if rectype else "RECTYPE is blank"
        comparator = RECORD_TYPES[kind][rectype]
        if comparator is not None:
            level, group = comparator
            la = get("LEA") if level == "la" else ""
            if level == "la" and not la:
                return "an LA total row (RECTYPE 3 or 4) without an LA code in LEA"
            return ("comparator", (level, la, group))
    elif kind in {"census", "absence"}:
        urn_text, la, estab = get("URN"), get("LA"), get("ESTAB")
        marker = (urn_text if kind == "census" else la).upper()
        if marker in {"LA", "NAT"} or (not urn_text and estab.upper() in PHASE_GROUPS):
            group = PHASE_GROUPS.get(estab.upper(), estab[:40] or "all schools")
            if marker == "NAT":
                return ("comparator", ("national", "", group))
            la_code = la if kind == "census" else ""
            if not la_code or not la_code.isdigit():
                if len(sole_la) != 1:
                    return "an LA total row without an LA code, in a file of several LAs"
                la_code = sole_la[0]
            return ("comparator", ("la", la_code, group))
    urn_text = get("URN")
    if cols.get("URN") is not None and cols["URN"] >= len(record):  # type: ignore[operator]
        return f"the line is truncated: it ends before the URN column ({len(record)} fields)"
    if not (urn_text.isascii() and urn_text.isdigit()) or not 0 < int(urn_text) <= MAX_URN:
        return f"URN “{urn_text}” is not a positive whole number"
    return ("school", int(urn_text))


def read_file(raw: bytes, *, filename: str, kind: str | None, year: str | None) -> tuple[str, str, str, list[_Row],
                                                                                          list[str], dict[str, int]]:
    """Check the whole file and read its values. Returns (kind, how it was recognised, academic
    year, rows, measures not published in this layout, row counts); raises DataFileError."""
    if not raw.strip():
        raise DataFileError("The file is empty", ["Line 1: there is no header row"])
    text = _decode(raw)
    records = _records(text)
    _, header = next(records)
    if isinstance(header, csv.Error):
        raise DataFileError("The file's header cannot be read", [f"Line 1: {_csv_problem(header)}"])
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        index.setdefault(_norm(name), i)
    kind, reason = _recognise(index, kind)
    academic_year = _academic_year(kind, year, filename)
    ensure_catalogue()
    readings, not_published = _readings(kind, academic_year, index)
    width = len(header)
    problems = LineProblems()
    for reading in readings:
        if sum(1 for name in header if _norm(name) == _norm(header[reading.column])) > 1:
            problems.add(1, f"the header has the “{header[reading.column]}” column twice")
    cols = {name: index.get(_norm(name)) for name in ("RECTYPE", "LEA", "URN", "LA", "ESTAB")}

    # Absence LA totals may carry no LA code: they belong to the one LA of the file, if it has one.
    sole_la: list[str] = []
    if kind == "absence" and cols["LA"] is not None:
        la_at = cols["LA"]
        sole_la = sorted({line.split(",")[la_at].strip() for line in text.splitlines()[1:]
                          if line.count(",") >= la_at and line.split(",")[la_at].strip().isdigit()})

    rows: list[_Row] = []
    first_line: dict[_Key, int] = {}
    counts = {"school_rows": 0, "comparator_rows": 0, "skipped_rows": 0}
    for line, record in records:
        if isinstance(record, csv.Error):
            problems.add(line, _csv_problem(record))
            continue
        if not any(f.strip() for f in record):
            continue
        if len(record) > width:
            problems.add(line, f"the row has {len(record)} fields where the header has {width}")
            continue
        key = _classify(kind, record, cols, sole_la)
        if key is None:
            counts["skipped_rows"] += 1
            continue
        if isinstance(key, str):
            problems.add(line, key)
            continue
        if key in first_line:
            what = f"URN {key[1]}" if key[0] == "school" else "the " + " ".join(filter(None, key[1])) + " total"
            problems.add(line, f"{what} is here twice (first on line {first_line[key]})")
            continue
        first_line[key] = line
        values: list[tuple[_Reading, str, _Parsed]] = []
        short = len(record) < width
        for reading in readings:
            field_text = record[reading.column].strip() if reading.column < len(record) else ""
            row_year = academic_year
            if reading.date_column is not None:
                when_text = record[reading.date_column].strip() if reading.date_column < len(record) else ""
                if when_text.upper() in {"", "NULL"}:
                    continue  # no inspection of this kind: nothing to record
                when = _parse_date(when_text)
                if when is None:
                    problems.add(line, f"{header[reading.date_column]} “{when_text}” is not a date (dd/mm/yyyy)"
                                 + (" (the line is truncated)" if short else ""))
                    continue
                row_year = academic_year_for(when)
            parsed = _parse(reading.unit, field_text)
            if isinstance(parsed, str):
                cut = " (the line is truncated)" if short and reading.column == len(record) - 1 else ""
                problems.add(line, f"{header[reading.column]}: {parsed}{cut}")
                continue
            values.append((reading, row_year, parsed))
        counts["school_rows" if key[0] == "school" else "comparator_rows"] += 1
        rows.append(_Row(line, key, values))

    if problems.count:
        bad = len(problems.lines)
        raise DataFileError(f"The file has {bad} bad {'line' if bad == 1 else 'lines'} and was not imported; "
                            "nothing was changed", problems.listed())
    _scale_fractions(rows, readings)
    return kind, reason, academic_year, rows, not_published, counts


def _scale_fractions(rows: list[_Row], readings: list[_Reading]) -> None:
    """Percentages given as fractions (0.67 for 67%): a column with no % sign whose values are all
    between 0 and 1, at least one not a whole number, is a column of fractions."""
    for reading in readings:
        if reading.unit != "percent":
            continue
        parsed = [p for row in rows for r, _, p in row.values if r is reading and p.number is not None]
        numbers = [p.number for p in parsed if p.number is not None]
        if numbers and not any(p.percent_sign for p in parsed) and all(0 <= n <= 1 for n in numbers) \
                and any(n != int(n) for n in numbers):
            for p in parsed:
                p.number = round((p.number or 0.0) * 100, 6)


# --- writing ----------------------------------------------------------------------------------------

def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), CHUNK_SIZE):
        yield items[start:start + CHUNK_SIZE]


def _comparator_ids(keys: set[tuple[str, str, str]], *, create: bool) -> dict[tuple[str, str, str], int]:
    def known() -> dict[tuple[str, str, str], int]:
        return {(c.level, c.la_code, c.school_group): c.id for c in db.session.scalars(select(Comparator))}

    ids = known()
    missing = keys - ids.keys()
    if missing and create:
        db.session.execute(insert(Comparator), [{"level": lv, "la_code": la, "school_group": g}
                                                for lv, la, g in sorted(missing)])
        ids = known()
    return ids


def _basename(filename: str) -> str:
    return filename.replace("\\", "/").rsplit("/", 1)[-1][:255] or "upload.csv"


_FIELDS = ("state", "code", "number", "text", "day")


def import_data(actor: "User | None", raw: bytes, *, filename: str, kind: str | None = None,
                year: str | None = None, dry_run: bool = False) -> ImportResult:
    """Import one national data file, all of it or none of it; `dry_run` checks it and says what
    would change without saving anything. Raises DataFileError naming the bad lines."""
    kind, reason, academic_year, rows, not_published, counts = read_file(raw, filename=filename, kind=kind, year=year)

    # One query for the register, one for the comparators, one for the values already held.
    schools = {k: v for k, v in db.session.execute(select(School.urn, School.id))}
    comparator_keys = {row.key[1] for row in rows if row.key[0] == "comparator"}
    comparators = _comparator_ids(comparator_keys, create=not dry_run)
    measure_ids = sorted({reading.measure_id for row in rows for reading, _, _ in row.values})
    years = sorted({y for row in rows for _, y, _ in row.values})
    existing: dict[tuple[int | None, int | None, int, str], Any] = {}
    if measure_ids and years:
        for value in db.session.execute(
                select(MeasureValue.id, MeasureValue.school_id, MeasureValue.comparator_id, MeasureValue.measure_id,
                       MeasureValue.academic_year, *(getattr(MeasureValue, f) for f in _FIELDS))
                .where(MeasureValue.measure_id.in_(measure_ids), MeasureValue.academic_year.in_(years))):
            existing[value.school_id, value.comparator_id, value.measure_id, value.academic_year] = value

    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    changes: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
    unchanged = not_in_register = coded = 0
    for row in rows:
        school_id = comparator_id = None
        if row.key[0] == "school":
            school_id = schools.get(row.key[1])
            if school_id is None:
                not_in_register += 1
                continue
        else:
            comparator_id = comparators.get(row.key[1])
        for reading, row_year, parsed in row.values:
            new = {"state": parsed.state, "code": parsed.code, "number": parsed.number, "text": parsed.text,
                   "day": parsed.day}
            coded += parsed.state != "value"
            old = existing.get((school_id, comparator_id, reading.measure_id, row_year)) \
                if comparator_id is not None or school_id is not None else None
            if old is None:
                inserts.append({"school_id": school_id, "comparator_id": comparator_id,
                                "measure_id": reading.measure_id, "academic_year": row_year, **new})
            elif any(getattr(old, f) != new[f] for f in _FIELDS):
                updates.append({"id": old.id, **new})
                before = {f: getattr(old, f) for f in _FIELDS if getattr(old, f) != new[f]}
                changes.append((old.id, _jsonable(before), _jsonable({f: new[f] for f in before})))
            else:
                unchanged += 1
    counts.update(inserted=len(inserts), updated=len(updates), unchanged=unchanged,
                  not_in_register=not_in_register, coded=coded)
    result = ImportResult(kind=kind, kind_reason=reason, academic_year=academic_year, filename=_basename(filename),
                          counts=counts, not_published=not_published, dry_run=dry_run)
    if dry_run:
        return result

    record = DataImport(imported_by_id=actor.id if actor is not None else None, filename=result.filename,
                        sha256=hashlib.sha256(raw).hexdigest(), kind=kind, academic_year=academic_year,
                        rows=counts["school_rows"] + counts["comparator_rows"] + counts["skipped_rows"],
                        counts=counts, not_in_register=not_in_register, imported_at=utcnow())
    db.session.add(record)
    db.session.flush()
    result.import_id = record.id
    # The table's own INSERT, executemany: the ORM's bulk insert costs twice as much per row here.
    insert_values = MeasureValue.__table__.insert()
    for chunk in _chunks(inserts):
        db.session.execute(insert_values, [{**v, "import_id": record.id} for v in chunk])
    for chunk in _chunks(updates):
        db.session.execute(update(MeasureValue), [{**v, "import_id": record.id} for v in chunk])
    for chunk in _chunks(changes):
        db.session.execute(insert(ValueChange), [{"import_id": record.id, "value_id": vid, "before": b, "after": a}
                                                 for vid, b, a in chunk])
    record_audit(actor, "evidence.import", "data_import", record.id, after={
        "filename": record.filename, "sha256": record.sha256, "kind": kind, "academic_year": academic_year,
        **counts})
    db.session.flush()
    if result.changed:
        # Every rule over the whole register, in the import's transaction (one query per rule).
        from .outcomes import measure_criteria
        from .signals import recompute_signals
        result.signals = recompute_signals()
        measure_criteria()  # success criteria bound to a measure: the actual value, met / not met
    return result


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


@dataclass
class DataFile:
    """An uploaded file and what the uploader said about it (the upload form's input)."""
    raw: bytes
    filename: str
    kind: str | None = None
    academic_year: str | None = None
    dry_run: bool = False


def import_file(actor: "User | None", data: DataFile) -> ImportResult:
    """`import_data` for an uploaded file."""
    return import_data(actor, data.raw, filename=data.filename, kind=data.kind, year=data.academic_year,
                       dry_run=data.dry_run)


def recent_imports(limit: int = 20) -> list[DataImport]:
    """The latest imports, newest first."""
    return list(db.session.scalars(select(DataImport).order_by(DataImport.imported_at.desc(), DataImport.id.desc())
                                   .limit(limit)))
