"""Helpers of the statutory intervention tests. The bank holidays are reference data, kept
between tests on PostgreSQL: a test that adds or removes one through the admin page has the
seeded list put back after it."""
from __future__ import annotations

import html
from datetime import date
from typing import Any, Iterator

import pytest
from sqlalchemy import delete, select

from lea_support.core.working_days import BankHoliday


def dmy(day: date | None) -> list[str]:
    return ["", "", ""] if day is None else [str(day.day), str(day.month), str(day.year)]


def text_of(response: Any) -> str:
    return " ".join(html.unescape(response.get_data(as_text=True)).split())


@pytest.fixture
def seeded_bank_holidays(db: Any) -> Iterator[dict[date, str]]:
    """The seeded bank holidays, restored after the test whatever it changed."""
    seeded = {h.falls_on: h.name for h in db.session.scalars(select(BankHoliday))}
    yield seeded
    db.session.rollback()
    db.session.execute(delete(BankHoliday).where(BankHoliday.falls_on.not_in(list(seeded))))
    present = set(db.session.scalars(select(BankHoliday.falls_on)))
    db.session.add_all([BankHoliday(falls_on=day, name=name) for day, name in seeded.items() if day not in present])
    db.session.commit()
