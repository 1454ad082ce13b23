"""Statutory working days: weekends and the bank holidays of England and Wales (seeded from the
gov.uk list by migration 0027) never count; school holidays and closure days do not matter; an
administrator's change to the list (a holiday moved by proclamation) is followed at once."""
from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from lea_support.core.calendar_services import add_closure
from lea_support.core.working_days import BankHoliday, all_bank_holidays, working_days_after, working_days_left
from tests.conftest import sign_in, submit
from tests.intervention.conftest import dmy, text_of


@pytest.mark.parametrize("start, expected, why", [
    # Christmas Day, Boxing Day and New Year's Day 2025/26 fall on weekdays.
    (date(2025, 12, 15), date(2026, 1, 8), "Christmas, Boxing Day and New Year"),
    # 2026: Boxing Day is a Saturday, its substitute Monday 28 December.
    (date(2026, 12, 14), date(2027, 1, 7), "Christmas, Boxing Day's substitute day and New Year"),
    # Good Friday 3 April and Easter Monday 6 April 2026.
    (date(2026, 3, 27), date(2026, 4, 21), "Good Friday and Easter Monday"),
    # An ordinary run of weeks: three weeks exactly.
    (date(2026, 2, 2), date(2026, 2, 23), "no holiday"),
    # From a Friday: the weekend after it does not count.
    (date(2026, 6, 5), date(2026, 6, 26), "weekends only"),
    # The day given on a bank holiday itself: it never counts, nor does the next one.
    (date(2026, 12, 25), date(2027, 1, 19), "given on Christmas Day"),
])
def test_fifteen_working_days_after(db, start, expected, why):
    assert working_days_after(start, 15) == expected, why


def test_the_seeded_list_has_every_year_and_the_one_off_holidays(db):
    days = set(db.session.scalars(select(BankHoliday.falls_on)))
    per_year = Counter(day.year for day in days)
    assert set(per_year) == set(range(2020, 2031))
    assert per_year[2022] == 10 and per_year[2023] == 9  # the Jubilee and the funeral; the coronation
    assert all(n == 8 for year, n in per_year.items() if year not in {2022, 2023})
    assert {date(2020, 5, 8), date(2022, 6, 3), date(2022, 9, 19), date(2023, 5, 8), date(2027, 12, 27)} <= days
    assert date(2020, 5, 4) not in days  # the early May holiday of 2020 was moved to VE day
    assert all(day.weekday() < 5 for day in days)


def test_school_closures_do_not_change_statutory_working_days(db):
    add_closure(None, name="Spring half-term", starts_on=date(2026, 2, 16), ends_on=date(2026, 2, 20))
    db.session.commit()
    assert working_days_after(date(2026, 2, 2), 15) == date(2026, 2, 23)


def test_the_holidays_read_once_give_the_same_days(db):
    holidays = all_bank_holidays()
    for start in (date(2025, 12, 15), date(2026, 3, 27), date(2026, 12, 25), date(2030, 12, 20)):
        assert working_days_after(start, 15, holidays) == working_days_after(start, 15)
        deadline = working_days_after(start, 15)
        assert working_days_left(start, deadline, holidays) == working_days_left(start, deadline) == 15


def test_working_days_left(db):
    deadline = date(2026, 1, 8)
    assert working_days_left(date(2025, 12, 15), deadline) == 15
    assert working_days_left(date(2025, 12, 24), deadline) == 8
    assert working_days_left(deadline, deadline) == 0
    assert working_days_left(date(2026, 1, 9), deadline) == 0


def test_an_administrator_adds_a_bank_holiday_by_proclamation_and_the_clock_follows(
        db, client, create_user, seeded_bank_holidays):
    admin = create_user("admin")
    sign_in(client, admin.email)
    assert working_days_after(date(2026, 2, 2), 15) == date(2026, 2, 23)
    page = text_of(client.get("/admin/bank-holidays"))
    assert "Monday 28 December 2026" in page and "Boxing Day (substitute day)" in page
    response = submit(client, "/admin/bank-holidays",
                      {"falls_on": dmy(date(2026, 2, 9)), "name": "Bank holiday by royal proclamation"})
    assert response.status_code == 302
    assert "Bank holiday by royal proclamation" in text_of(client.get("/admin/bank-holidays"))
    assert working_days_after(date(2026, 2, 2), 15) == date(2026, 2, 24)

    added = db.session.scalars(select(BankHoliday).where(BankHoliday.falls_on == date(2026, 2, 9))).one()
    assert client.get(f"/admin/bank-holidays/{added.id}/remove").status_code == 200
    response = submit(client, f"/admin/bank-holidays/{added.id}/remove", {},
                      form_url=f"/admin/bank-holidays/{added.id}/remove")
    assert response.status_code == 302
    assert working_days_after(date(2026, 2, 2), 15) == date(2026, 2, 23)


@pytest.mark.parametrize("day, name, field, message", [
    (date(2026, 2, 7), "Proclaimed", "falls_on", "is a Saturday"),
    (date(2026, 12, 25), "Christmas again", "falls_on", "is already a bank holiday (Christmas Day)"),
    (None, "Proclaimed", "falls_on", "Enter the date of the bank holiday"),
    (date(2026, 2, 9), " ", "name", "Enter the name of the bank holiday"),
])
def test_a_bank_holiday_refused_says_what_to_fix_and_keeps_what_was_typed(
        db, client, create_user, seeded_bank_holidays, day, name, field, message):
    sign_in(client, create_user("admin").email)
    response = submit(client, "/admin/bank-holidays", {"falls_on": dmy(day), "name": name})
    assert response.status_code == 422
    page = text_of(response)
    assert message in page
    if name.strip():
        assert f'value="{name}"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(BankHoliday)) == len(seeded_bank_holidays)
