"""Helpers for the national data tests: the shared data folder, the register, reading values back."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select

from lea_support.core.models import AuditEntry
from lea_support.evidence.models import Comparator, DataImport, Measure, MeasureValue, ValueChange
from lea_support.extensions import db as _db
from lea_support.schools.models import School

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
FOLDERS = ("ofsted", "performance", "census", "absence")


def data_files() -> list[Path]:
    """Every file of the four folders, or a clean skip when the shared data are not here."""
    if not DATA.is_dir():
        pytest.skip(f"{DATA} is not here (the shared data folder is absent)")
    return sorted(p for folder in FOLDERS for p in (DATA / folder).glob("*.csv"))


def register(*urns: int, la_code: str = "999") -> None:
    """Schools in the register with these URNs."""
    _db.session.execute(insert(School), [{"urn": urn, "la_code": la_code, "name": f"School {urn}",
                                          "phase": "Primary", "status": "Open"} for urn in urns])
    _db.session.commit()


def value(urn: int, code: str, year: str) -> MeasureValue | None:
    return _db.session.scalars(
        select(MeasureValue).join(School, School.id == MeasureValue.school_id)
        .join(Measure, Measure.id == MeasureValue.measure_id)
        .where(School.urn == urn, Measure.code == code, MeasureValue.academic_year == year)).one_or_none()


def comparator_value(level: str, la_code: str, group: str, code: str, year: str) -> MeasureValue | None:
    return _db.session.scalars(
        select(MeasureValue).join(Comparator, Comparator.id == MeasureValue.comparator_id)
        .join(Measure, Measure.id == MeasureValue.measure_id)
        .where(Comparator.level == level, Comparator.la_code == la_code, Comparator.school_group == group,
               Measure.code == code, MeasureValue.academic_year == year)).one_or_none()


def digest() -> dict[str, list[Any]]:
    """Every row of the tables an import writes, read afresh."""
    _db.session.expire_all()
    tables = (MeasureValue.__table__, DataImport.__table__, Comparator.__table__, ValueChange.__table__,
              AuditEntry.__table__)
    return {t.name: [tuple(row) for row in _db.session.execute(select(t).order_by(t.c.id))] for t in tables}
