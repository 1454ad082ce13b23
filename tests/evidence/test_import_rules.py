"""The import engine's rules on small made-up files: codes, percentages, encodings, ragged rows,
whole-file rejection naming the lines (nothing changed), re-imports, dry runs, and the command."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lea_support.evidence.imports import DataFileError, import_data
from lea_support.evidence.models import DataImport, ValueChange
from tests.evidence.conftest import comparator_value, digest, register, value

CENSUS_HEADER = "URN,LA,ESTAB,SCHOOLTYPE,NOR,PSENELSE,PSENELK,PNUMEAL,PNUMFSMEVER\r\n"
GOOD_CENSUS = (CENSUS_HEADER
               + "100001,850,2000,Primary,210,1.5,12.4,8,0.25\r\n"
               + "100002,850,2001,Primary,90,SUPP,x,NA,0.5\r\n"
               + "LA,850,PRI,Primary,50000,2,11,9,0.2\r\n"
               + "NAT,,PRI,Primary,4727089,1.6,12.6,21.2,0.23\r\n")


def run(text: str | bytes, filename: str = "census-2018-19.csv", **kw):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return import_data(None, raw, filename=filename, **kw)


def refused(text: str | bytes, filename: str = "census-2018-19.csv", **kw) -> DataFileError:
    before = digest()
    with pytest.raises(DataFileError) as err:
        run(text, filename, **kw)
    assert digest() == before, "a refused file changed the database"
    return err.value


@pytest.fixture
def schools(db):
    register(100001, 100002)


def test_codes_are_kept_as_their_own_states_never_zero(schools):
    result = run(GOOD_CENSUS)
    assert result.counts["coded"] == 3
    supp, x, na = (value(100002, c, "2018/19") for c in ("PSENELSE", "PSENELK", "PNUMEAL"))
    assert [(v.state, v.code, v.number) for v in (supp, x, na)] == [
        ("suppressed", "SUPP", None), ("not_available", "x", None), ("not_applicable", "NA", None)]


def test_percentages_as_fractions_whole_numbers_or_with_a_sign_are_the_same(db):
    register(100001, 100002, 100003)
    header = "URN,LA,ESTAB,NOR,PNUMFSMEVER\n"
    run(header + "100001,850,1,10,0.67\n100002,850,2,10,0.5\n", filename="census-2016-17.csv")
    run(header + "100001,850,1,10,67\n100002,850,2,10,50\n", filename="census-2017-18.csv")
    run(header + "100001,850,1,10,67%\n100002,850,2,10,50.0%\n", filename="census-2018-19.csv")
    assert [value(100001, "PNUMFSMEVER", y).number for y in ("2016/17", "2017/18", "2018/19")] == [67.0] * 3


def test_comparators_and_schools_not_in_the_register(schools):
    result = run(GOOD_CENSUS.replace("100002,", "999999,"))
    assert (result.counts["comparator_rows"], result.counts["not_in_register"]) == (2, 1)
    assert comparator_value("la", "850", "primary", "NOR", "2018/19").number == 50000.0
    assert comparator_value("national", "", "primary", "PNUMFSMEVER", "2018/19").number == 23.0


def test_windows_1252_utf8_with_bom_crlf_lf_and_no_final_newline(schools):
    cp1252 = GOOD_CENSUS.replace("Primary", "St Mary’s").encode("cp1252")
    assert run(cp1252).changed
    assert not run(b"\xef\xbb\xbf" + GOOD_CENSUS.replace("\r\n", "\n").encode("utf-8").rstrip(b"\n")).changed


def test_a_ragged_row_leaves_its_missing_fields_blank_not_zero(schools):
    run(CENSUS_HEADER + "100001,850,2000,Primary,210,1.5\r\n")
    blank = value(100001, "PNUMFSMEVER", "2018/19")
    assert (blank.state, blank.code, blank.number) == ("not_available", "", None)
    assert value(100001, "PSENELSE", "2018/19").number == 1.5


def test_text_in_a_numeric_measure_is_refused_naming_the_line(schools):
    err = refused(GOOD_CENSUS.replace("100002,850,2001,Primary,90", "100002,850,2001,Primary,ninety"))
    assert err.problems == ["Line 3: NOR: “ninety” is not a number"]
    assert err.headline.startswith("The file has 1 bad line and was not imported")


def test_the_same_urn_twice_is_refused_naming_both_lines(schools):
    err = refused(GOOD_CENSUS + "100001,850,2000,Primary,211,1.5,12.4,8,0.25\r\n")
    assert err.problems == ["Line 6: URN 100001 is here twice (first on line 2)"]


def test_a_truncated_line_is_refused(schools):
    err = refused(GOOD_CENSUS + '100003,850,2002,"Prim')
    assert err.problems == ["Line 6: the line is truncated: a quoted field is not closed before the end of the file"]
    err = refused(GOOD_CENSUS + "100003,850,2002,Primary,210,1.")
    assert err.problems == ["Line 6: PSENELSE: “1.” is not a number (the line is truncated)"]


def test_a_file_of_the_wrong_kind_is_refused(schools):
    err = refused(GOOD_CENSUS, kind="ks2")
    assert err.headline == "The file is not a Key stage 2 performance tables file"
    assert err.problems[0].startswith("Line 1: the header does not have the columns of one (such as RECTYPE and "
                                      "PTRWM_EXP); it looks like a School census")


def test_the_academic_year_is_required_when_the_file_does_not_say(schools):
    err = refused(GOOD_CENSUS, filename="census.csv")
    assert err.headline == "The academic year is not in the file"
    assert "--year 2018/19" in err.problems[0]
    assert run(GOOD_CENSUS, filename="census.csv", year="2018/19").academic_year == "2018/19"
    assert refused(GOOD_CENSUS, year="2017/18").headline == "The academic year given is not the file's"


def test_the_same_file_again_changes_nothing_and_a_newer_one_records_what_changed(db, schools, create_user):
    admin = create_user("admin")
    first = run(GOOD_CENSUS)
    assert first.counts["inserted"] == 20
    again = run(GOOD_CENSUS)
    assert again.message.startswith("Nothing changed") and again.counts["unchanged"] == 20
    newer = import_data(admin, GOOD_CENSUS.replace("100001,850,2000,Primary,210", "100001,850,2000,Primary,212")
                        .encode(), filename="census-2018-19-revised.csv")
    assert (newer.counts["updated"], newer.counts["unchanged"]) == (1, 19)
    roll = value(100001, "NOR", "2018/19")
    assert roll.number == 212.0 and roll.import_id == newer.import_id
    change = db.session.scalars(select(ValueChange)).one()
    assert (change.before, change.after, change.import_id) == ({"number": 210.0}, {"number": 212.0}, newer.import_id)
    imports = db.session.scalars(select(DataImport).order_by(DataImport.id)).all()
    assert [(i.filename, i.imported_by_id, i.counts["updated"]) for i in imports] == [
        ("census-2018-19.csv", None, 0), ("census-2018-19.csv", None, 0),
        ("census-2018-19-revised.csv", admin.id, 1)]


def test_a_dry_run_saves_nothing(schools):
    before = digest()
    result = run(GOOD_CENSUS, dry_run=True)
    assert result.message.startswith("Dry run, nothing saved") and result.counts["inserted"] == 20
    assert digest() == before


def test_the_command_imports_and_refuses(app, db, schools, tmp_path):
    good = tmp_path / "census-2018-19.csv"
    good.write_text(GOOD_CENSUS)
    runner = app.test_cli_runner()
    out = runner.invoke(args=["import-data", str(good), "--kind", "census"])
    assert out.exit_code == 0 and out.output.startswith("Imported School census: pupil characteristics for 2018/19")
    undated = tmp_path / "census.csv"
    undated.write_text(GOOD_CENSUS)
    out = runner.invoke(args=["import-data", str(undated)])
    assert out.exit_code == 1 and "give it, for example --year 2018/19" in out.output
    out = runner.invoke(args=["import-data", str(undated), "--year", "2019/20", "--dry-run"])
    assert out.exit_code == 0 and out.output.startswith("Dry run, nothing saved")
