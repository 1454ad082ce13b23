"""The GIAS school-register import: real published files, upserts by URN, whole-file rejection,
through the service, the `import-gias` command and the admin upload page."""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from lea_support.core.models import AuditEntry
from lea_support.schools.gias import GiasFileError, import_gias
from lea_support.schools.models import GiasImport, School, SchoolEvent
from tests.conftest import submit
from tools.gias_sample import (
    HEADER_2017,
    HEADER_2019,
    HEADER_2024,
    gias_bytes,
    sample_row,
    write_gias_file,
)

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "gias"
SAMPLE_2017 = SHARED / "edubase-2017-format-sample.csv"
SAMPLE_2019 = SHARED / "edubase-2019-format-sample.csv"


def shared_sample(path: Path) -> bytes:
    if not path.exists():
        pytest.skip(f"{path} is not here (the shared data folder is absent)")
    return path.read_bytes()


def run_import(data: bytes, *, filename: str = "edubasealldata.csv", actor: Any = None, **kw: Any) -> Any:
    return import_gias(actor, io.BytesIO(data), filename=filename, **kw)


def school(db: Any, urn: int) -> School:
    return db.session.scalars(select(School).where(School.urn == urn)).one()


def dump(db: Any) -> dict[str, list[Any]]:
    """Every row of the tables an import writes, read afresh."""
    db.session.expire_all()
    return {table.name: [tuple(row) for row in db.session.execute(select(table).order_by(table.c.id))]
            for table in (School.__table__, GiasImport.__table__, AuditEntry.__table__)}


def rows(n: int, start: int = 700001, **columns: str) -> list[dict[str, str]]:
    return [{**sample_row(start + i), **columns} for i in range(n)]


# --- The published files import fully -------------------------------------------------------------

def test_the_2017_release_imports_every_row_with_its_fields(db, create_user):
    admin = create_user("admin")
    summary = run_import(shared_sample(SAMPLE_2017), filename="/downloads/edubasealldata20170918.csv", actor=admin)
    db.session.commit()

    assert (summary.created, summary.updated, summary.unchanged, summary.skipped) == (9, 0, 0, 0)
    assert summary.message == "9 created, 0 updated, 0 unchanged, 0 skipped"
    cass = school(db, 100000)
    assert cass.name == "Sir John Cass's Foundation Primary School"
    assert (cass.la_code, cass.la_name, cass.establishment_number) == ("201", "City of London", "3614")
    assert (cass.type_name, cass.type_group) == ("Voluntary aided school", "Local authority maintained schools")
    assert (cass.phase, cass.status) == ("Primary", "Open")
    assert (cass.statutory_low_age, cass.statutory_high_age, cass.number_of_pupils) == (3, 11, 276)
    assert cass.head_name == "Mr Tim Wilson"
    assert cass.address == ["St James's Passage", "Duke's Place", "London", "EC3A 5DE"]
    assert (cass.website, cass.telephone) == ("www.sirjohncassprimary.org", "02072831147")
    assert (cass.ofsted_rating, cass.ofsted_last_inspection) == ("Outstanding", date(2013, 4, 19))
    assert (cass.open_date, cass.close_date, cass.trust_name) == (None, None, "")
    # A new school starts at the default tier and level, with no flags and no link adviser.
    assert (cass.support_tier, cass.mcs_level, cass.cause_for_concern, cass.is_vulnerable,
            cass.has_significant_underachievement, cass.link_adviser_id) == ("light_touch", 1, None, False, False, None)
    assert cass.created_at is not None and cass.updated_at is not None and len(cass.gias_digest) == 64

    closed = school(db, 100004)
    assert (closed.status, closed.close_date, closed.number_of_pupils, closed.head_name) == (
        "Closed", date(1992, 8, 31), None, "")
    assert school(db, 100001).open_date == date(1920, 1, 1)

    record = db.session.scalars(select(GiasImport)).one()
    assert (record.filename, record.imported_by_id) == ("edubasealldata20170918.csv", admin.id)
    assert (record.created, record.updated, record.unchanged, record.skipped) == (9, 0, 0, 0)
    assert len(record.sha256) == 64 and record.id == summary.import_id
    audit = db.session.scalars(select(AuditEntry)).all()
    assert [(a.action, a.entity_type, a.entity_id, a.user_id) for a in audit if a.action == "schools.import"] == [
        ("schools.import", "gias_import", str(record.id), admin.id)]
    assert audit[-1].after["created"] == 9 and audit[-1].after["sha256"] == record.sha256


def test_the_2019_release_imports_every_row_with_its_fields(db):
    summary = run_import(shared_sample(SAMPLE_2019))
    db.session.commit()
    assert summary.message == "4 created, 0 updated, 0 unchanged, 0 skipped"
    through = school(db, 100171)
    assert through.name == "Saint Mary Magdalene Church of England All Through School"
    assert (through.la_code, through.la_name, through.phase) == ("203", "Greenwich", "All through")
    assert through.head_name == "Co Headteacher Claire Harrison Victoria Wainwright"
    assert (through.ofsted_rating, through.ofsted_last_inspection) == ("Good", date(2018, 5, 23))
    assert school(db, 100459).ofsted_rating == "Requires improvement"
    assert school(db, 100492).name == "St Thomas' CofE Primary School"


@pytest.mark.parametrize("release, header", [("2017", HEADER_2017), ("2019", HEADER_2019), ("2024", HEADER_2024)])
def test_a_generated_file_of_each_release_imports(db, tmp_path, release, header):
    assert len(header) == {"2017": 120, "2019": 133, "2024": 139}[release]
    path = write_gias_file(tmp_path / "edubase.csv", 40, la_codes=("999", "998"), release=release, closed_every=10)
    data = path.read_bytes()
    assert data.startswith(b'"URN","LA (code)"') and data.count(b"\r\n") == 41
    summary = run_import(data, la_codes=["999"])
    db.session.commit()
    assert (summary.created, summary.skipped) == (20, 20)
    imported = db.session.scalars(select(School).order_by(School.urn)).all()
    assert {s.la_code for s in imported} == {"999"} and imported[0].urn == 900000
    assert sum(s.status == "Closed" for s in imported) == 2  # every 10th of 40, half of them in LA 999
    assert all(s.name and s.phase and s.type_name for s in imported)


def test_a_2024_header_built_from_the_list_imports(db):
    data = gias_bytes([{**sample_row(700001), "EstablishmentName": "Juniper Hill Primary School",
                        "OfstedRating (name)": "Good", "OfstedLastInsp": "03-10-2023", "FSM": "12"}])
    assert data.splitlines()[0].count(b",") == 138
    assert run_import(data).created == 1
    db.session.commit()
    juniper = school(db, 700001)
    assert (juniper.name, juniper.ofsted_rating, juniper.ofsted_last_inspection) == (
        "Juniper Hill Primary School", "Good", date(2023, 10, 3))


def test_columns_are_found_by_name_not_position(db):
    shuffled = tuple(reversed(HEADER_2024)) + ("AColumnFrom2031 (name)",)
    row = {**sample_row(700001), "EstablishmentName": "Oakridge Infant School", "StatutoryLowAge": "3",
           "AColumnFrom2031 (name)": "ignored"}
    run_import(gias_bytes([row], header=shuffled))
    db.session.commit()
    oak = school(db, 700001)
    assert (oak.name, oak.statutory_low_age, oak.la_code) == ("Oakridge Infant School", 3, "999")


def test_a_typographic_apostrophe_in_windows_1252_reads_back(db):
    data = gias_bytes([{**sample_row(700001), "EstablishmentName": "St Hilda’s Church of England Primary School",
                        "HeadLastName": "O’Connor"}])
    assert b"St Hilda\x92s" in data  # as GIAS publishes it, and not valid UTF-8
    run_import(data)
    db.session.commit()
    hilda = school(db, 700001)
    assert hilda.name == "St Hilda’s Church of England Primary School" and hilda.head_name.endswith("O’Connor")


def test_lf_line_ends_import_alike(db):
    data = gias_bytes(rows(3))
    run_import(data.replace(b"\r\n", b"\n"))
    db.session.commit()
    assert run_import(data).unchanged == 3  # same values whatever the line ends


def test_long_values_are_cut_to_the_column_and_missing_columns_left_alone(db, create_school):
    create_school(urn=700001, postcode="FV1 1AA", website="www.kept.example")
    minimal = ("URN", "LA (code)", "EstablishmentName", "HeadTitle (name)", "HeadFirstName", "HeadLastName")
    data = gias_bytes([{"URN": "700001", "LA (code)": "999", "EstablishmentName": "N" * 300,
                        "HeadTitle (name)": "Not applicable", "HeadFirstName": "Sam", "HeadLastName": "Hughes"}],
                      header=minimal)
    assert run_import(data).updated == 1
    db.session.commit()
    updated = school(db, 700001)
    assert updated.name == "N" * 200
    assert updated.head_name == "Sam Hughes"
    # A release without a column says nothing about it, so what the register holds stays.
    assert (updated.postcode, updated.website) == ("FV1 1AA", "www.kept.example")


# --- Upserts: unchanged, updated, skipped; support never touched ------------------------------------

def test_a_second_import_of_the_same_file_changes_nothing(db):
    data = shared_sample(SAMPLE_2017)
    run_import(data)
    db.session.commit()
    before = dump(db)

    summary = run_import(data)
    db.session.commit()
    assert summary.message == "Nothing changed: the register already matches this file (0 created, 0 updated, 9 unchanged, 0 skipped)"
    after = dump(db)
    assert after["schools"] == before["schools"]  # not a row written: updated_at stays
    assert len(after["gias_imports"]) == 2 and after["gias_imports"][:1] == before["gias_imports"]
    assert [row[3] for row in after["audit_log"]] == ["schools.import", "schools.import"]


def test_a_changed_row_counts_as_updated(db):
    data = shared_sample(SAMPLE_2017)
    run_import(data)
    db.session.commit()
    before = {s.urn: s.updated_at for s in db.session.scalars(select(School))}

    changed = data.replace(b'"Argyle Primary School"', b'"Argyle Primary School and Nursery"')
    changed = changed.replace(b'"29-01-2015"', b'"12-03-2024"')
    summary = run_import(changed)
    db.session.commit()
    assert summary.message == "0 created, 1 updated, 8 unchanged, 0 skipped"
    db.session.expire_all()
    argyle = school(db, 100008)
    assert (argyle.name, argyle.ofsted_last_inspection) == ("Argyle Primary School and Nursery", date(2024, 3, 12))
    after = {s.urn: s.updated_at for s in db.session.scalars(select(School))}
    assert [urn for urn in after if after[urn] != before[urn]] == [100008]
    # The change is audited field by field, and shown on the school's timeline.
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "school.gias_update")).one()
    assert entry.school_id == argyle.id
    assert entry.before == {"name": "Argyle Primary School", "ofsted_last_inspection": "2015-01-29"}
    assert entry.after["name"] == "Argyle Primary School and Nursery"
    assert entry.after["ofsted_last_inspection"] == "2024-03-12"
    event = db.session.scalars(select(SchoolEvent).where(SchoolEvent.school_id == argyle.id)).one()
    assert event.summary == "Details updated from GIAS: name, ofsted last inspection"


def test_a_school_loaded_in_the_session_reads_the_new_values(db, create_school):
    loaded = create_school(urn=700001, name="Old Name")
    assert loaded.name == "Old Name"  # loaded into the session's identity map
    run_import(gias_bytes([{**sample_row(700001), "EstablishmentName": "New Name"}]))
    assert loaded.name == "New Name"


def test_la_codes_keep_only_those_las(db):
    summary = run_import(shared_sample(SAMPLE_2017), la_codes=["202"])
    db.session.commit()
    assert summary.message == "5 created, 0 updated, 0 unchanged, 4 skipped"
    assert {s.la_code for s in db.session.scalars(select(School))} == {"202"}
    assert db.session.scalars(select(GiasImport)).one().skipped == 4


def test_the_configured_la_codes_are_the_default(app, db):
    app.config["GIAS_LA_CODES"] = ["201"]
    assert run_import(shared_sample(SAMPLE_2017)).message == "4 created, 0 updated, 0 unchanged, 5 skipped"
    assert run_import(shared_sample(SAMPLE_2017), la_codes=["201", "202"]).created == 5


def test_importing_never_changes_support_flags_or_link_adviser(db, create_school, create_user):
    adviser = create_user("link_adviser")
    create_school(urn=100000, name="Old name", support_tier="significant", mcs_level=4, cause_for_concern="la",
                  is_vulnerable=True, has_significant_underachievement=True, link_adviser_id=adviser.id)
    create_school(urn=100008, support_tier="enhanced", mcs_level=2, link_adviser_id=adviser.id)
    data = shared_sample(SAMPLE_2017)
    for _ in range(2):  # an update, then an unchanged re-import
        run_import(data)
        db.session.commit()
    db.session.expire_all()
    cass, argyle = school(db, 100000), school(db, 100008)
    assert cass.name == "Sir John Cass's Foundation Primary School"
    assert (cass.support_tier, cass.mcs_level, cass.cause_for_concern, cass.is_vulnerable,
            cass.has_significant_underachievement, cass.link_adviser_id) == (
        "significant", 4, "la", True, True, adviser.id)
    assert (argyle.name, argyle.support_tier, argyle.mcs_level, argyle.link_adviser_id) == (
        "Argyle Primary School", "enhanced", 2, adviser.id)


# --- A malformed file is rejected whole, naming each bad line -----------------------------------------

def good_file() -> bytes:
    return gias_bytes(rows(4))


def with_field(line: int, column: str, value: str) -> bytes:
    """The good file with one field of one physical line (header = line 1) replaced."""
    data = rows(4)
    data[line - 2][column] = value
    return gias_bytes(data)


def cut_inside_the_last_row() -> bytes:
    data = good_file()
    return data[:data.rindex(b'"100000700004') + 5]  # ends inside the quoted UPRN of line 5


def truncated_row() -> bytes:
    lines = good_file().split(b"\r\n")
    lines[2] = lines[2].rsplit(b",", 5)[0]
    return b"\r\n".join(lines)


MALFORMED = {
    "wrong header": (good_file().replace(b'"URN"', b'"UniqueReferenceNumber"', 1),
                     "Line 1: the header has no “URN” column"),
    "not a GIAS file": (b"name,email\r\nAlex,alex@example.org\r\n", "Line 1: the header has no “LA (code)” column"),
    "undecodable byte": (with_field(3, "EstablishmentName", "Ashby @ School").replace(b"@", b"\x81"),
                         "Line 3: undecodable byte 0x81"),
    "bad URN": (with_field(2, "URN", "10A01"), "Line 2: URN “10A01” is not a positive whole number"),
    "zero URN": (with_field(5, "URN", "0"), "Line 5: URN “0” is not a positive whole number"),
    "duplicate URN": (with_field(4, "URN", "700001"), "Line 4: URN 700001 is a duplicate (first on line 2)"),
    "truncated row": (truncated_row(), "Line 3: the row is truncated: 134 fields where the header has 139"),
    "unterminated quote at the end": (cut_inside_the_last_row(), "Line 5: a quoted field is not closed"),
    "bad date": (with_field(3, "OfstedLastInsp", "2013-04-19"),
                 "Line 3: OfstedLastInsp “2013-04-19” is not a date in the form dd-mm-yyyy"),
    "impossible date": (with_field(2, "OpenDate", "31-02-2020"), "Line 2: OpenDate “31-02-2020” is not a real date"),
    "bad integer": (with_field(4, "NumberOfPupils", "about 300"),
                    "Line 4: NumberOfPupils “about 300” is not a whole number"),
    "stray quote": (with_field(2, "Street", "x").replace(b'"x"', b'"x"y"'),
                    "Line 2: a quote mark inside a field is not doubled"),
    "re-saved as UTF-8": (with_field(3, "EstablishmentName", "St Bede’s School").decode("cp1252").encode("utf-8"),
                          "Line 3: the file is encoded as UTF-8"),
    "NUL byte": (with_field(3, "Town", "Upton\x00Vale"), "Line 3: contains a NUL byte"),
    "empty": (b"", "Line 1: there is no header row"),
}


@pytest.fixture
def register_before(db, create_school, create_user):
    """A register with history: an earlier import, a school in support with an adviser."""
    run_import(gias_bytes(rows(2, start=600001)))
    create_school(urn=700002, support_tier="enhanced", mcs_level=2, link_adviser_id=create_user("link_adviser").id)
    db.session.commit()


def sqlite_file_bytes(db: Any, database_url: str) -> bytes | None:
    """The SQLite file once every connection is closed (and the WAL folded in); None on PostgreSQL."""
    if not database_url.startswith("sqlite"):
        return None
    db.session.remove()
    db.engine.dispose()
    return Path(database_url.removeprefix("sqlite:///")).read_bytes()


@pytest.mark.parametrize("kind", MALFORMED)
def test_a_malformed_file_is_rejected_whole_naming_the_line(db, database_url, register_before, kind):
    data, expected = MALFORMED[kind]
    before, before_file = dump(db), sqlite_file_bytes(db, database_url)
    with pytest.raises(GiasFileError) as caught:
        run_import(data)
    db.session.rollback()
    assert any(problem.startswith(expected) for problem in caught.value.problems), caught.value.problems
    assert caught.value.headline
    assert sqlite_file_bytes(db, database_url) == before_file
    assert dump(db) == before


def test_every_problem_in_the_file_is_listed(db):
    data = rows(6)
    data[0]["URN"] = "x"
    data[2]["CloseDate"] = "someday"
    data[2]["StatutoryHighAge"] = "eleven"
    data[4]["URN"] = data[3]["URN"]
    with pytest.raises(GiasFileError) as caught:
        run_import(gias_bytes(data))
    assert caught.value.problems == [
        "Line 2: URN “x” is not a positive whole number",
        "Line 4: StatutoryHighAge “eleven” is not a whole number",
        "Line 4: CloseDate “someday” is not a date in the form dd-mm-yyyy",
        "Line 6: URN 700004 is a duplicate (first on line 5)",
    ]
    assert caught.value.headline == "The file has 3 bad lines and was not imported"


def test_line_numbers_are_physical_lines_even_after_a_field_with_a_line_break(db):
    data = rows(3)
    data[0]["Street"] = "Robson House,\r\n74 Stanhope Street"
    data[1]["OpenDate"] = "1-9-1999"
    with pytest.raises(GiasFileError) as caught:
        run_import(gias_bytes(data))
    assert caught.value.problems == ["Line 4: OpenDate “1-9-1999” is not a date in the form dd-mm-yyyy"]


def test_undecodable_bytes_are_reported_on_every_line_they_are_on(db):
    data = gias_bytes(rows(3, EstablishmentName="Ashby @ School")).replace(b"@", b"\x9d")
    with pytest.raises(GiasFileError) as caught:
        run_import(data)
    assert [p.split(":")[0] for p in caught.value.problems] == ["Line 2", "Line 3", "Line 4"]


def test_a_long_list_of_problems_is_cut_short(db):
    with pytest.raises(GiasFileError) as caught:
        run_import(gias_bytes(rows(250, OpenDate="yesterday")))
    assert len(caught.value.problems) == 201
    assert caught.value.problems[-1] == "… and 50 more problems"
    assert caught.value.headline == "The file has 250 bad lines and was not imported"


# --- The command line -----------------------------------------------------------------------------

def test_the_command_imports_a_file_and_prints_the_summary(app, db, tmp_path):
    path = tmp_path / "edubasealldata.csv"
    path.write_bytes(shared_sample(SAMPLE_2017))
    result = app.test_cli_runner().invoke(args=["import-gias", str(path)])
    assert result.exit_code == 0, result.output
    assert "9 created, 0 updated, 0 unchanged, 0 skipped" in result.output
    assert db.session.scalars(select(GiasImport.filename)).one() == "edubasealldata.csv"

    again = app.test_cli_runner().invoke(args=["import-gias", str(path), "--la", "202"])
    assert again.exit_code == 0, again.output
    assert "Nothing changed: the register already matches this file (0 created, 0 updated, 5 unchanged, 4 skipped)" in again.output


def test_the_command_rejects_a_broken_file_naming_the_line(app, db, tmp_path, register_before):
    path = tmp_path / "broken.csv"
    path.write_bytes(with_field(3, "OfstedLastInsp", "19/04/2013"))
    before = dump(db)
    result = app.test_cli_runner().invoke(args=["import-gias", str(path)])
    assert result.exit_code == 1
    assert f"Rejected {path}" in result.output and "Nothing was imported" in result.output
    assert "Line 3: OfstedLastInsp “19/04/2013” is not a date in the form dd-mm-yyyy" in result.output
    assert dump(db) == before


# --- The admin upload page --------------------------------------------------------------------------

def test_an_admin_uploads_the_file_and_sees_the_summary(client, login_as, db):
    admin = login_as("admin")
    data = gias_bytes(rows(3, start=700001) + rows(2, start=800001, **{"LA (code)": "998"}))
    response = submit(client, "/admin/import", {"file": (io.BytesIO(data), "edubasealldata20240501.csv"),
                                                "la_codes": "999, 997"},
                      content_type="multipart/form-data")
    assert response.status_code == 302 and response.location == "/admin/import"
    page = client.get("/admin/import").get_data(as_text=True)
    assert "3 created, 0 updated, 0 unchanged, 2 skipped" in page  # the summary, shown once
    assert "edubasealldata20240501.csv" in page  # in the recent imports table
    record = db.session.scalars(select(GiasImport)).one()
    assert (record.imported_by_id, record.created, record.skipped) == (admin.id, 3, 2)
    assert sorted(db.session.scalars(select(School.urn))) == [700001, 700002, 700003]


def test_an_upload_keeps_windows_1252_names(client, login_as, db):
    login_as("admin")
    data = gias_bytes([{**sample_row(700001), "EstablishmentName": "St Cuthbert’s Catholic Primary School"}])
    response = submit(client, "/admin/import", {"file": (io.BytesIO(data), "edubase.csv")},
                      content_type="multipart/form-data")
    assert response.status_code == 302
    assert school(db, 700001).name == "St Cuthbert’s Catholic Primary School"


def test_a_rejected_upload_lists_the_problems_and_keeps_the_la_codes(client, login_as, db, register_before):
    login_as("admin")
    before = dump(db)
    data = with_field(2, "URN", "ABC")
    response = submit(client, "/admin/import", {"file": (io.BytesIO(data), "edubase.csv"), "la_codes": "999 998"},
                      content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The file has 1 bad line and was not imported" in page
    assert "Line 2: URN “ABC” is not a positive whole number" in page
    assert 'value="999 998"' in page
    assert dump(db) == before


# --- GIAS "search results" downloads (issue 15) ----------------------------------------------------

SEARCH_RESULTS_HEADER = ('"URN","LA (name)","EstablishmentNumber","EstablishmentName","TypeOfEstablishment (name)",'
                         '"EstablishmentStatus (name)","PhaseOfEducation (name)","NumberOfPupils",'
                         '"Linked establishments"\r\n')


def test_a_search_results_download_with_names_only_and_spread_links_imports(db):
    """A made-up file of the shape GIAS's own custom downloads have: no "(code)" columns, the LA by
    name, and a last "Linked establishments" column spread over one field per link."""
    data = (SEARCH_RESULTS_HEADER
            + '"144230","Hampshire","2181","Sheet Primary School","Academy converter","Open","Primary","107",'
              '"124942 Predecessor","144231 Successor"\r\n'
            + '"144232","Camden","2019","Argyle Primary School","Community school","Open","Primary","400",""\r\n'
            + '"144233","Hampshire","4000","Three Links School","Academy sponsor led","Open","Secondary","900",'
              '"1 Predecessor","2 Predecessor","3 Successor"\r\n').encode("cp1252")
    summary = run_import(data, filename="results.csv")
    assert (summary.created, summary.updated) == (3, 0)
    sheet = school(db, 144230)
    assert (sheet.la_code, sheet.la_name, sheet.type_name, sheet.number_of_pupils) == \
        ("850", "Hampshire", "Academy converter", 107)
    assert school(db, 144232).la_code == "202"
    assert run_import(data, filename="results.csv").message.startswith("Nothing changed")


def test_a_search_results_download_with_an_unknown_la_name_names_the_line(db):
    data = (SEARCH_RESULTS_HEADER
            + '"144230","Atlantis","2181","Sheet Primary School","Academy converter","Open","Primary","107",""\r\n'
            ).encode("cp1252")
    with pytest.raises(GiasFileError) as refused:
        run_import(data)
    assert refused.value.problems == ["Line 2: LA (name) “Atlantis” does not give an LA code"]
    assert db.session.scalars(select(School)).all() == []


def test_extra_fields_are_still_refused_when_the_last_column_is_not_the_links(db):
    data = (SEARCH_RESULTS_HEADER.replace(',"Linked establishments"', "")
            + '"144230","Hampshire","2181","Sheet Primary School","Academy converter","Open","Primary","107","x"\r\n'
            ).encode("cp1252")
    with pytest.raises(GiasFileError) as refused:
        run_import(data)
    assert refused.value.problems == ["Line 2: the row has 9 fields where the header has 8"]
