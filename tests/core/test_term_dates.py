"""Term dates and closure days: the administrator's page, the checks on what is typed (nothing is
saved when one fails), the audit trail, and the demo's plausible English school year."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from lea_support.core import calendar_services
from lea_support.core.calendar import ClosureDay, TermDate, add_working_days
from lea_support.core.errors import DomainError
from lea_support.core.models import AuditEntry
from tests.conftest import submit

URL = "/admin/term-dates"


def term_form(term="autumn-2026", start=(2, 9, 2026), end=(18, 12, 2026)):
    return {"term-term": term, "term-starts_on": [str(p) for p in start], "term-ends_on": [str(p) for p in end]}


def closure_form(name="Autumn half-term", start=(26, 10, 2026), end=(30, 10, 2026)):
    return {"closure-name": name, "closure-starts_on": [str(p) for p in start],
            "closure-ends_on": [str(p) for p in end]}


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def audit_actions(db):
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_admin_adds_and_deletes_a_term(client, login_as, db):
    admin = login_as("admin")
    response = submit(client, URL, term_form(), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Autumn 2026 added" in page and ">Autumn 2026</td>" in page
    assert "2 September 2026" in page and "18 December 2026" in page and "2026/27" in page
    term = db.session.scalars(select(TermDate)).one()
    assert (term.term, term.academic_year, term.starts_on, term.ends_on) == (
        "autumn-2026", "2026/27", date(2026, 9, 2), date(2026, 12, 18))
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "term_date.add")).one()
    assert entry.user_id == admin.id and entry.after["starts_on"] == "2026-09-02"

    # Deleting asks first: the page links to a confirmation page, which deletes nothing.
    assert f'href="/admin/term-dates/{term.id}/delete"' in client.get(URL).get_data(as_text=True)
    confirm = client.get(f"/admin/term-dates/{term.id}/delete").get_data(as_text=True)
    assert "Delete the dates of Autumn 2026?" in confirm and "2 September 2026 to 18 December 2026" in confirm
    assert count(db, TermDate) == 1
    response = submit(client, f"/admin/term-dates/{term.id}/delete", {}, form_url=URL)
    assert response.status_code == 302
    assert count(db, TermDate) == 0
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "term_date.delete")).one()
    assert entry.before["term"] == "autumn-2026"


@pytest.mark.parametrize("data, field, message", [
    (term_form(term="winter-2026"), "term", "like autumn-2026, spring-2027 or summer-2027"),
    (term_form(term="autumn 2026"), "term", "like autumn-2026, spring-2027 or summer-2027"),
    (term_form(term=""), "term", "Choose the term"),
    (term_form(term="spring-2026"), "starts_on", "The spring term of 2026 must start between January and March 2026"),
    (term_form(term="autumn-2027"), "starts_on", "The autumn term of 2027 must start between September and December 2027"),
    (term_form(end=(1, 9, 2026)), "ends_on", "The last day must be the same as or after the first day (2 September 2026)"),
    (term_form(term="summer-2027", start=(12, 4, 2027), end=(3, 9, 2027)), "ends_on",
     "which ends on 31 August 2027: the last day must be no later than that"),
    (term_form(start=(31, 9, 2026)), "starts_on", "First day must be a real date"),
    (term_form(start=("", 9, 2026)), "starts_on", "First day must include a day"),
    (term_form(end=("", "", "")), "ends_on", "Enter the last day"),
    (term_form(start=(2, 9, 26)), "starts_on", "must be a real date"),
])
def test_a_bad_term_is_refused_with_a_clear_message_and_nothing_saved(client, login_as, db, data, field, message):
    login_as("admin")
    response = submit(client, URL, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page.replace("&#39;", "'")
    assert "There is a problem" in page
    assert count(db, TermDate) == 0
    assert not [a for a in audit_actions(db) if a.startswith("term_date")]
    # What was typed is still there to correct.
    assert f'value="{data["term-term"]}"' in page
    for part in data["term-starts_on"]:
        if part:
            assert re.search(rf'name="term-starts_on"[^>]*value="{part}"|value="{part}"[^>]*name="term-starts_on"', page), part


def test_a_term_that_overlaps_another_or_repeats_one_is_refused(client, login_as, db):
    login_as("admin")
    assert submit(client, URL, term_form()).status_code == 302
    calendar_services.add_term(None, term="spring-2027", starts_on=date(2027, 1, 4), ends_on=date(2027, 3, 26))
    db.session.commit()
    overlap = submit(client, URL, term_form(term="summer-2027", start=(22, 3, 2027), end=(21, 7, 2027)))
    page = overlap.get_data(as_text=True)
    assert overlap.status_code == 422
    assert "These dates overlap Spring 2027 (4 January 2027 to 26 March 2027)" in page
    again = submit(client, URL, term_form(start=(3, 9, 2026)))
    assert again.status_code == 422
    assert "Autumn 2026 already has dates. Delete them first to enter new ones." in again.get_data(as_text=True)
    assert [t.term for t in db.session.scalars(select(TermDate).order_by(TermDate.starts_on))] == [
        "autumn-2026", "spring-2027"]


def test_admin_adds_and_deletes_closure_days(client, login_as, db):
    login_as("admin")
    response = submit(client, "/admin/closures", closure_form(), form_url=URL, follow_redirects=True)
    assert response.status_code == 200 and "Autumn half-term added" in response.get_data(as_text=True)
    closure = db.session.scalars(select(ClosureDay)).one()
    assert (closure.name, closure.starts_on, closure.ends_on) == ("Autumn half-term", date(2026, 10, 26), date(2026, 10, 30))
    confirm = client.get(f"/admin/closures/{closure.id}/delete").get_data(as_text=True)
    assert "Delete Autumn half-term?" in confirm and "26 October 2026 to 30 October 2026" in confirm
    assert count(db, ClosureDay) == 1
    response = submit(client, f"/admin/closures/{closure.id}/delete", {}, form_url=URL)
    assert response.status_code == 302 and count(db, ClosureDay) == 0
    assert [a for a in audit_actions(db) if a.startswith("closure")] == ["closure_day.add", "closure_day.delete"]


@pytest.mark.parametrize("data, message", [
    (closure_form(name="  "), "Enter what the closure is, like Autumn half-term"),
    (closure_form(end=(23, 10, 2026)), "The last day must be the same as or after the first day (26 October 2026)"),
    (closure_form(end=(30, 12, 2026)), "A closure can be at most a month long"),
    (closure_form(start=("", "", "")), "Enter the first day"),
])
def test_a_bad_closure_is_refused_and_nothing_saved(client, login_as, db, data, message):
    login_as("admin")
    response = submit(client, "/admin/closures", data, form_url=URL)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page
    assert count(db, ClosureDay) == 0
    assert f'value="{data["closure-name"]}"' in page


def test_overlapping_closures_are_refused(client, login_as, db):
    login_as("admin")
    assert submit(client, "/admin/closures", closure_form(), form_url=URL).status_code == 302
    response = submit(client, "/admin/closures", closure_form(name="Training day", start=(30, 10, 2026),
                                                               end=(30, 10, 2026)), form_url=URL)
    assert response.status_code == 422
    assert "These dates overlap Autumn half-term (26 October 2026 to 30 October 2026)" in response.get_data(as_text=True)
    assert count(db, ClosureDay) == 1


def test_the_service_refuses_without_the_web_too(db):
    with pytest.raises(DomainError) as err:
        calendar_services.add_term(None, term="AUTUMN-2026x", starts_on=date(2026, 9, 2), ends_on=date(2026, 12, 18))
    assert err.value.field == "term"
    term = calendar_services.add_term(None, term=" Autumn-2026 ", starts_on=date(2026, 9, 2), ends_on=date(2026, 12, 18))
    assert term.term == "autumn-2026"


@pytest.mark.parametrize("year, easter", [(2008, date(2008, 3, 23)), (2024, date(2024, 3, 31)),
                                          (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)),
                                          (2027, date(2027, 3, 28)), (2038, date(2038, 4, 25))])
def test_easter(year, easter):
    assert calendar_services.easter_sunday(year) == easter


def test_seed_term_dates_makes_a_plausible_year(db):
    assert calendar_services.seed_term_dates(2026) == (3, 4)
    db.session.commit()
    terms = {t.term: (t.starts_on, t.ends_on) for t in db.session.scalars(select(TermDate))}
    assert terms == {"autumn-2026": (date(2026, 9, 2), date(2026, 12, 18)),
                     "spring-2027": (date(2027, 1, 4), date(2027, 3, 19)),
                     "summer-2027": (date(2027, 4, 5), date(2027, 7, 23))}
    closures = {c.name: (c.starts_on, c.ends_on) for c in db.session.scalars(select(ClosureDay))}
    assert closures["Autumn half-term"] == (date(2026, 10, 26), date(2026, 10, 30))
    assert closures["Spring half-term"] == (date(2027, 2, 15), date(2027, 2, 19))
    assert closures["Early May bank holiday"] == (date(2027, 5, 3), date(2027, 5, 3))
    assert closures["Summer half-term (with the spring bank holiday)"] == (date(2027, 5, 31), date(2027, 6, 4))
    # Working days now skip half-term: Friday 23 October plus one is Monday 2 November.
    assert add_working_days(date(2026, 10, 23), 1) == date(2026, 11, 2)
    # Running it again adds nothing.
    assert calendar_services.seed_term_dates(2026) == (0, 0)


def test_seed_term_dates_is_valid_whenever_easter_falls(db):
    for year in range(2020, 2046):
        terms, closures = calendar_services.seed_term_dates(year)
        assert terms == 3 and closures >= 3, year
    db.session.commit()
    assert count(db, TermDate) == 3 * 26
