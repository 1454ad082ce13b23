"""Every real file in ../shared/data/{ofsted,performance,census,absence} through the import engine,
once for the module (the national census file has 23,942 rows), and chosen values read back."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import func, select

from lea_support.evidence.imports import DataFileError, ImportResult, import_data
from lea_support.evidence.models import DataImport, MeasureValue
from lea_support.extensions import db as _db
from tests.conftest import ON_POSTGRES, empty_postgres_tables, make_app
from tests.evidence.conftest import comparator_value, data_files, register, value

SHEET_PRIMARY = 115946          # Hampshire (LA 850), in the KS2 files
CAMDEN_ABSENCE_SUPP = 136807    # PPERSABS15 "SUPP" in 2012/13
ALDGATE = 100000                # census, absence, Ofsted graded 12/06/2024
RSI_SCHOOL = 119446             # Ofsted report card 20/01/2026, category of concern RSI
NOT_JUDGED = 116364             # Ofsted graded 01/04/2025: sub-judgements only
NORTH_YORKS_KS4 = 136497        # Harrogate Grammar School, KS4 2016/17
REGISTER = (SHEET_PRIMARY, CAMDEN_ABSENCE_SUPP, ALDGATE, RSI_SCHOOL, NOT_JUDGED, NORTH_YORKS_KS4)
DICTIONARIES = {"census-meta-2018-19.csv", "ks2-meta-2018-19.csv", "ks4-meta-2018-19.csv",
                "la-and-region-codes-2018-19.csv"}


@pytest.fixture(scope="module")
def national(template_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    files = data_files()
    if ON_POSTGRES:
        url = template_database
    else:
        path = tmp_path_factory.mktemp("national") / "national.db"
        shutil.copyfile(template_database, path)
        url = f"sqlite:///{path}"
    app = make_app(url)
    with app.app_context():
        if ON_POSTGRES:
            with _db.engine.begin() as conn:
                empty_postgres_tables(conn)
        register(*REGISTER)
        results: dict[str, Any] = {}
        for path in files:
            try:
                results[path.name] = import_data(None, path.read_bytes(), filename=path.name)
            except DataFileError as err:
                _db.session.rollback()
                results[path.name] = err
            else:
                _db.session.commit()
        yield results
        _db.session.remove()
        _db.engine.dispose()


def test_every_data_file_imports_and_the_dictionaries_are_refused(national):
    for name, result in national.items():
        if name in DICTIONARIES:
            assert isinstance(result, DataFileError) and result.headline == "The kind of file is not recognised", name
        else:
            assert isinstance(result, ImportResult) and result.changed, (name, result)
    assert len(national) == 16


def test_the_kind_and_year_come_from_the_file(national):
    census = national["census-2018-19-england.csv"]
    assert (census.kind, census.academic_year) == ("census", "2018/19")
    assert census.kind_reason == "recognised from the columns URN, NOR, PNUMFSMEVER"
    assert national["ks4provisional-headline-2018-19-england.csv"].kind == "ks4"
    assert national["ofsted-mi-latest-inspections-2026-extract.csv"].academic_year == ""


def test_a_named_schools_ks2_results_by_year(national):
    assert value(SHEET_PRIMARY, "PTRWM_EXP", "2016/17").number == 87.0
    assert value(SHEET_PRIMARY, "READPROG", "2016/17").number == 3.1
    assert value(SHEET_PRIMARY, "MATPROG", "2016/17").number == 2.9
    assert value(NORTH_YORKS_KS4, "ATT8SCR", "2016/17").number == 56.0


def test_a_suppressed_value_stays_suppressed(national):
    supp = value(CAMDEN_ABSENCE_SUPP, "PPERSABS15", "2012/13")
    assert (supp.state, supp.code, supp.number) == ("suppressed", "SUPP", None)
    assert value(CAMDEN_ABSENCE_SUPP, "PERCTOT", "2012/13").number == 5.4


def test_comparator_rows_are_comparators(national):
    assert comparator_value("la", "850", "state-funded", "PTRWM_EXP", "2018/19").number == 68.0
    assert comparator_value("national", "", "state-funded", "PTRWM_EXP", "2018/19").number == 65.0
    assert comparator_value("national", "", "primary", "PNUMFSMEVER", "2018/19").number == 23.0
    assert comparator_value("la", "815", "secondary", "NOR", "2016/17").number == 37013.0
    assert comparator_value("national", "", "special", "PPERSABS10", "2018/19").number == 28.8
    # Totals never become schools.
    assert _db.session.scalar(select(func.count()).select_from(MeasureValue)
                              .where(MeasureValue.school_id.is_(None), MeasureValue.comparator_id.is_(None))) == 0


def test_rows_for_schools_not_in_the_register_are_counted(national):
    census = national["census-2018-19-england.csv"]
    assert census.counts["school_rows"] == 23939 and census.counts["comparator_rows"] == 3
    assert census.counts["not_in_register"] == 23939 - len(REGISTER)  # all six of the register are in it
    assert value(ALDGATE, "NOR", "2018/19").number == 285.0
    assert value(ALDGATE, "PNUMFSMEVER", "2018/19").number == 16.2


def test_a_measure_missing_from_a_years_layout_is_not_published(national):
    assert national["absence-2018-19-england.csv"].not_published == ["PPERSABS15"]
    assert value(ALDGATE, "PPERSABS15", "2018/19") is None
    assert value(ALDGATE, "PPERSABS10", "2018/19").number == 3.4


def test_ofsted_grades_of_all_three_frameworks(national):
    assert value(ALDGATE, "OFSTED_OE", "2023/24").number == 1.0
    sixth = value(ALDGATE, "OFSTED_SIXTH", "2023/24")
    assert (sixth.state, sixth.code) == ("not_applicable", "9")
    not_judged = value(NOT_JUDGED, "OFSTED_OE", "2024/25")
    assert (not_judged.state, not_judged.code) == ("not_applicable", "Not judged")
    assert value(NOT_JUDGED, "OFSTED_QE", "2024/25").state == "value"
    assert value(RSI_SCHOOL, "OFSTED_CATEGORY", "2025/26").text == "RSI"
    assert value(RSI_SCHOOL, "OFSTED_RC_ACHIEVEMENT", "2025/26").text == "Needs attention"
    assert value(RSI_SCHOOL, "OFSTED_RC_EARLY_YEARS", "2025/26").text == "Urgent improvement"
    assert str(value(RSI_SCHOOL, "OFSTED_INSPECTION_DATE", "2025/26").day) == "2026-01-20"


def test_every_import_is_kept_and_every_value_knows_its_import(national):
    imports = _db.session.scalars(select(DataImport).order_by(DataImport.id)).all()
    by_name = {i.filename: i for i in imports}
    assert set(by_name) == {n for n in national if n not in DICTIONARIES}
    census = by_name["census-2018-19-england.csv"]
    path = Path(next(p for p in data_files() if p.name == census.filename))
    assert census.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert census.counts["inserted"] == 5 * len(REGISTER) + 5 * 3  # five measures of each school and total
    aldgate = value(ALDGATE, "NOR", "2018/19")
    assert aldgate.import_id == census.id
