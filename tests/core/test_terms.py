"""Terms and dates, written one way (core.terms): the Term value, format_date, and the pages and
documents that show them ("Autumn 2026", "6 December 2026", never autumn-2026 or 06 December)."""
from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from lea_support.core.errors import DomainError
from lea_support.core.terms import Term, format_date, require_term, term_label
from tests.conftest import sign_in, submit

AUTUMN_2026 = Term("autumn", 2026)


# --- Term ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, term", [
    ("autumn-2026", Term("autumn", 2026)),
    ("spring-2027", Term("spring", 2027)),
    ("summer-2027", Term("summer", 2027)),
    ("  Autumn-2026 ", Term("autumn", 2026)),
    ("SUMMER-2000", Term("summer", 2000)),
    ("spring-2100", Term("spring", 2100)),
])
def test_a_term_is_parsed_from_its_slug(text, term):
    assert Term.parse(text) == term


FORMAT = "Enter the term as its season and year, like autumn-2026, spring-2027 or summer-2027"
YEAR = "Enter the term's year in full, like autumn-2026"


@pytest.mark.parametrize("text, message", [
    ("autumn", FORMAT), ("winter-2026", FORMAT), ("autumn 2026", FORMAT),
    ("Autumn 2026", FORMAT), ("autumn-26", FORMAT), ("autumn-02026", FORMAT), ("2026-autumn", FORMAT),
    ("autumn-2026-x", FORMAT), ("Autumn 26", FORMAT),
    ("autumn-1999", YEAR), ("spring-2101", YEAR), ("summer-0026", YEAR),
])
def test_a_slug_that_is_not_a_term_is_refused_saying_what_to_type(text, message):
    with pytest.raises(ValueError) as refused:
        Term.parse(text)
    assert str(refused.value) == message
    with pytest.raises(DomainError) as on_form:
        require_term(text)
    assert (on_form.value.message, on_form.value.field) == (message, "term")


def test_no_term_chosen_is_refused_saying_so():
    for text in ("", "   "):
        with pytest.raises(ValueError, match="like autumn-2026"):
            Term.parse(text)
        with pytest.raises(DomainError) as on_form:
            require_term(text)
        assert (on_form.value.message, on_form.value.field) == ("Choose the term", "term")


def test_a_season_that_is_not_one_is_refused():
    with pytest.raises(ValueError, match="like autumn-2026"):
        Term("winter", 2026)


@pytest.mark.parametrize("term, slug, label, name, academic_year", [
    (Term("autumn", 2026), "autumn-2026", "Autumn 2026", "Autumn term 2026", "2026/27"),
    (Term("spring", 2027), "spring-2027", "Spring 2027", "Spring term 2027", "2026/27"),
    (Term("summer", 2027), "summer-2027", "Summer 2027", "Summer term 2027", "2026/27"),
    (Term("autumn", 2027), "autumn-2027", "Autumn 2027", "Autumn term 2027", "2027/28"),
    (Term("spring", 2000), "spring-2000", "Spring 2000", "Spring term 2000", "1999/00"),
    (Term("autumn", 2099), "autumn-2099", "Autumn 2099", "Autumn term 2099", "2099/00"),
])
def test_a_term_is_written_as_a_slug_a_label_a_name_and_its_academic_year(term, slug, label, name, academic_year):
    assert (term.slug, term.label, term.name, term.academic_year, str(term)) == (slug, label, name, academic_year, label)
    assert Term.parse(slug) == term


@pytest.mark.parametrize("day, term", [
    (date(2026, 8, 31), Term("summer", 2026)),   # the academic year turns in September
    (date(2026, 9, 1), Term("autumn", 2026)),
    (date(2026, 12, 31), Term("autumn", 2026)),
    (date(2027, 1, 1), Term("spring", 2027)),
    (date(2027, 3, 31), Term("spring", 2027)),
    (date(2027, 4, 1), Term("summer", 2027)),
    (date(2028, 2, 29), Term("spring", 2028)),   # a leap day
    (date(2026, 12, 6), Term("autumn", 2026)),
])
def test_the_current_term_is_the_season_the_day_falls_in(day, term):
    assert Term.current(day) == term
    assert term.starts_on <= day <= term.ends_on


def test_every_day_of_a_leap_year_and_a_common_one_is_in_exactly_one_term_of_its_academic_year():
    for first in (date(2023, 9, 1), date(2026, 9, 1)):  # 2023/24 has 29 February 2024
        day = first
        while day < first.replace(year=first.year + 1):
            term = Term.current(day)
            assert term.starts_on <= day <= term.ends_on
            assert [t for t in Term.of_academic_year(term.academic_year) if t.starts_on <= day <= t.ends_on] == [term]
            day += timedelta(days=1)


@pytest.mark.parametrize("term, starts_on, ends_on", [
    (Term("autumn", 2026), date(2026, 9, 1), date(2026, 12, 31)),
    (Term("spring", 2028), date(2028, 1, 1), date(2028, 3, 31)),
    (Term("summer", 2028), date(2028, 4, 1), date(2028, 8, 31)),
])
def test_a_term_without_the_authoritys_dates_has_its_seasons_bounds(term, starts_on, ends_on):
    assert (term.starts_on, term.ends_on) == (starts_on, ends_on)


def test_terms_follow_each_other_and_sort_in_the_order_they_happen():
    year = Term.of_academic_year("2026/27")
    assert year == [Term("autumn", 2026), Term("spring", 2027), Term("summer", 2027)]
    assert [t.next() for t in year] == [Term("spring", 2027), Term("summer", 2027), Term("autumn", 2027)]
    assert [t.previous() for t in year] == [Term("summer", 2026), Term("autumn", 2026), Term("spring", 2027)]
    term = AUTUMN_2026
    for _ in range(9):
        assert term.next().previous() == term and term < term.next() and term.next() > term
        term = term.next()
    shuffled = [Term("autumn", 2027), Term("spring", 2027), Term("summer", 2026), Term("autumn", 2026),
                Term("summer", 2027)]
    assert [t.slug for t in sorted(shuffled)] == ["summer-2026", "autumn-2026", "spring-2027", "summer-2027",
                                                  "autumn-2027"]
    assert max(shuffled) == Term("autumn", 2027)
    assert Term("spring", 2027).academic_year_starts_on == date(2026, 9, 1)
    with pytest.raises(ValueError, match="like 2026/27"):
        Term.of_academic_year("2026")


def test_a_term_is_a_value():
    assert Term.parse("autumn-2026") == AUTUMN_2026 and hash(Term.parse("autumn-2026")) == hash(AUTUMN_2026)
    assert len({AUTUMN_2026, Term("autumn", 2026), Term("spring", 2027)}) == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        AUTUMN_2026.year = 2027  # type: ignore[misc]


@pytest.mark.parametrize("slug, shown", [
    ("autumn-2026", "Autumn 2026"), ("summer-2027", "Summer 2027"), ("", ""), (None, ""),
    ("not a term", "not a term"),  # shown as it is rather than failing the page
])
def test_the_term_filter_shows_the_label(app, slug, shown):
    assert term_label(slug) == shown
    with app.app_context():
        assert app.jinja_env.from_string("{{ t | term }}").render(t=slug) == shown


# --- format_date ------------------------------------------------------------------------------------

# 6 December is GMT; 6 July is BST (an hour ahead of UTC), so late evening UTC is the next day.
@pytest.mark.parametrize("value, style, text", [
    (date(2026, 12, 6), "long", "6 December 2026"),
    (date(2027, 1, 1), "long", "1 January 2027"),
    (date(2026, 12, 31), "long", "31 December 2026"),
    (date(2028, 2, 29), "long", "29 February 2028"),
    (date(2026, 9, 1), "month", "September 2026"),
    (datetime(2026, 12, 6, 14, 5, tzinfo=UTC), "long", "6 December 2026"),
    (datetime(2026, 12, 6, 14, 5, tzinfo=UTC), "datetime", "6 December 2026 at 14:05"),
    (datetime(2026, 7, 6, 23, 30, tzinfo=UTC), "long", "7 July 2026"),
    (datetime(2026, 7, 6, 23, 30, tzinfo=UTC), "datetime", "7 July 2026 at 00:30"),
    (datetime(2028, 2, 28, 23, 59, tzinfo=UTC), "datetime", "28 February 2028 at 23:59"),
    (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "datetime", "29 March 2026 at 00:59"),  # clocks go forward at 01:00
    (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "datetime", "29 March 2026 at 02:00"),
    (None, "long", ""), (None, "datetime", ""), (None, "month", ""),
])
def test_format_date(value, style, text):
    assert format_date(value, style) == text


def test_format_date_refuses_what_it_cannot_write():
    with pytest.raises(ValueError, match="Unknown date style"):
        format_date(date(2026, 12, 6), "short")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="needs a datetime"):
        format_date(date(2026, 12, 6), "datetime")


def test_one_template_filter_per_format(app):
    moment = datetime(2026, 12, 6, 14, 5, tzinfo=UTC)
    with app.app_context():
        rendered = app.jinja_env.from_string("{{ d | date }}|{{ m | datetime }}|{{ d | month }}|{{ t | term }}").render(
            d=date(2026, 12, 6), m=moment, t="autumn-2026")
    assert rendered == "6 December 2026|6 December 2026 at 14:05|December 2026|Autumn 2026"


# --- through the pages and documents ------------------------------------------------------------------

def test_time_allocated_to_a_plan_shows_its_term_as_autumn_2026(db, client, create_user, create_plan):
    from lea_support.rap import services
    from lea_support.rap.documents import plan_document

    plan = create_plan(status="draft")
    sia = plan.drafted_by
    consultant = create_user("project_team", name="Cora Consultant")
    services.allocate_time(sia, plan, user_id=consultant.id, term=" Autumn-2026 ", days="4")
    db.session.commit()
    assert plan.allocations[0].term == "autumn-2026"  # stored as its slug

    sign_in(client, sia.email)
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert '<td class="govuk-table__cell">Autumn 2026</td>' in page and "autumn-2026" not in page
    page = client.get(f"/plans/{plan.id}/edit").get_data(as_text=True)  # (its form's hint names a slug to type)
    assert "Cora Consultant, Autumn 2026: 4" in page and "Cora Consultant, autumn-2026" not in page
    assert plan_document(plan)["content"]["time"][0]["term"] == "Autumn 2026"
    assert "Time: Cora Consultant, Autumn 2026, 4.0 days" in services.plan_lines(plan)


def test_the_plan_agreed_message_writes_the_day_without_a_leading_zero(db, client, create_user, create_plan,
                                                                       monkeypatch):
    from lea_support.auth.models import User, user_schools
    from lea_support.rap.services import agreement

    class SeventhOfDecember(date):
        @classmethod
        def today(cls) -> date:
            return date(2026, 12, 7)

    monkeypatch.setattr(agreement, "date", SeventhOfDecember)
    plan = create_plan(status="submitted")
    head = db.session.scalars(select(User).join(user_schools, user_schools.c.user_id == User.id)
                              .where(user_schools.c.school_id == plan.school_id, User.role == "school_leader")).one()
    agreement.sign_off_plan(head, plan)
    db.session.commit()
    sign_in(client, plan.drafted_by.email)
    midpoint = date(2026, 12, 7) + timedelta(weeks=10)
    response = submit(client, f"/plans/{plan.id}/sign-off",
                      {"midpoint_review_on": [str(midpoint.day), str(midpoint.month), str(midpoint.year)]},
                      form_url=f"/plans/{plan.id}", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Plan agreed on 7 December 2026" in page
    assert "07 December" not in page


def test_bulk_runs_show_their_term_as_autumn_2026_and_a_second_run_is_refused_by_its_name(
        db, client, create_school, login_as):
    from lea_support.governor_reports.bulk import runs

    create_school()
    admin = login_as("admin")
    runs.start_bulk_run(admin, term="autumn-2026")
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        runs.start_bulk_run(admin, term="autumn-2026")
    assert refused.value.message.startswith("A run for the autumn term 2026 reports is already in progress")
    db.session.rollback()
    page = client.get("/admin/governor-reports/bulk").get_data(as_text=True)
    assert '<td class="govuk-table__cell">Autumn 2026</td>' in page


def test_the_governor_reports_page_takes_a_term_from_its_url_and_404s_on_one_that_is_not(client, login_as):
    login_as("admin")
    page = client.get("/governor-reports?term=spring-2027").get_data(as_text=True)
    assert "Reports to governors: spring term 2027" in page
    assert client.get("/governor-reports?term=winter-2027").status_code == 404
    assert client.get("/governor-reports?term=autumn-1999").status_code == 404
