"""Every form that takes a term offers it as people write it, "Autumn 2026", and keeps the slug
(issue 17, item 2): the admin's term dates, a plan's time allocated (added and changed), and the
governor reports' draft, bulk run and term filter. What is stored comes back chosen."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from lea_support.core.calendar import TermDate
from lea_support.core.terms import Term, term_choices, terms_around
from lea_support.rap import services
from lea_support.rap.models import TimeAllocation
from tests.conftest import sign_in, submit


def options(page: str, name: str) -> list[tuple[str, str, bool]]:
    """The <select name=...>'s options: (value, label, chosen)."""
    select_html = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
    assert select_html, f"no select named {name}"
    return [(value, label.strip(), " selected" in attrs)
            for value, attrs, label in re.findall(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', select_html.group(1))]


def chosen(page: str, name: str) -> list[tuple[str, str]]:
    return [(value, label) for value, label, on in options(page, name) if on]


def test_terms_as_choices_run_in_order_with_their_labels():
    assert term_choices(Term("summer", 2026), Term("spring", 2027)) == [
        ("summer-2026", "Summer 2026"), ("autumn-2026", "Autumn 2026"), ("spring-2027", "Spring 2027")]
    assert term_choices(Term("autumn", 2026), Term("spring", 2027), newest_first=True) == [
        ("spring-2027", "Spring 2027"), ("autumn-2026", "Autumn 2026")]
    assert terms_around(1, 2, today=date(2026, 12, 6)) == (Term("summer", 2026), Term("summer", 2027))


def test_the_admin_chooses_a_term_for_its_dates(client, login_as, db):
    login_as("admin")
    page = client.get("/admin/term-dates").get_data(as_text=True)
    offered = options(page, "term-term")
    this_term = Term.current()
    assert offered[0] == ("", "Choose a term", False)
    assert (this_term.slug, this_term.label, False) in offered
    assert not [label for _value, label, _on in offered if "-" in label]  # no slugs shown
    response = submit(client, "/admin/term-dates", {"term-term": "autumn-2026", "term-starts_on": ["2", "9", "2026"],
                                                    "term-ends_on": ["18", "12", "2026"]})
    assert response.status_code == 302
    assert db.session.scalars(select(TermDate.term)).one() == "autumn-2026"
    # Nothing chosen: the message says what to do, and what else was typed stays.
    response = submit(client, "/admin/term-dates", {"term-term": "", "term-starts_on": ["6", "1", "2027"],
                                                    "term-ends_on": ["26", "3", "2027"]})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Choose the term" in page
    assert chosen(page, "term-term") == [("", "Choose a term")]
    assert re.search(r'name="term-starts_on"[^>]*value="6"|value="6"[^>]*name="term-starts_on"', page)


def test_time_allocated_to_a_plan_is_given_a_term_chosen_by_its_name(client, db, create_school, create_user):
    school = create_school(support_tier="significant", mcs_level=3)
    sia = create_user("sia")
    consultant = create_user("project_team", name="Cora Consultant")
    plan = services.draft_plan(sia, school)
    db.session.commit()
    sign_in(client, sia.email)
    edit = f"/plans/{plan.id}/edit"
    page = client.get(edit).get_data(as_text=True)
    next_term = Term.current().next()
    assert (next_term.slug, next_term.label, False) in options(page, "allocation-term")
    assert chosen(page, "allocation-term") == []
    response = submit(client, f"/plans/{plan.id}/allocations", {
        "allocation-user_id": str(consultant.id), "allocation-term": next_term.slug, "allocation-days": "3"},
        form_url=edit)
    assert response.status_code == 302
    allocation = db.session.scalars(select(TimeAllocation)).one()
    assert (allocation.term, allocation.days) == (next_term.slug, Decimal(3))
    assert f"Cora Consultant, {next_term.label}: 3" in client.get(edit).get_data(as_text=True)
    # Changing it: the stored term comes back chosen, by its name.
    change = f"/plans/{plan.id}/allocations/{allocation.id}/edit"
    assert chosen(client.get(change).get_data(as_text=True), "term") == [(next_term.slug, next_term.label)]


def test_a_term_stored_long_ago_stays_chosen_when_its_allocation_is_changed(client, db, create_school, create_user):
    school = create_school(support_tier="significant", mcs_level=3)
    sia = create_user("sia")
    plan = services.draft_plan(sia, school)
    old = services.allocate_time(sia, plan, user_id=sia.id, term="autumn-2020", days="2")
    db.session.commit()
    sign_in(client, sia.email)
    change = f"/plans/{plan.id}/allocations/{old.id}/edit"
    page = client.get(change).get_data(as_text=True)
    assert chosen(page, "term") == [("autumn-2020", "Autumn 2020")]
    response = submit(client, change, {"version_id": str(plan.version_id), "user_id": str(sia.id),
                                       "term": "autumn-2020", "days": "2.5"})
    assert response.status_code == 302
    db.session.refresh(old)
    assert (old.term, old.days) == ("autumn-2020", Decimal("2.5"))


def test_governor_report_forms_and_filter_name_terms_as_people_do(client, login_as, create_school):
    school = create_school()
    login_as("admin")
    this_term = Term.current()
    page = client.get(f"/schools/{school.urn}/governor-reports").get_data(as_text=True)
    assert chosen(page, "term") == [(this_term.slug, this_term.label)]
    assert ("summer-" + str(this_term.start_year + 1), f"Summer {this_term.start_year + 1}", False) in options(
        page, "term")
    page = client.get("/admin/governor-reports/bulk").get_data(as_text=True)
    assert chosen(page, "term") == [(this_term.slug, this_term.label)]
    page = client.get("/governor-reports?term=autumn-2019").get_data(as_text=True)
    assert chosen(page, "term") == [("autumn-2019", "Autumn 2019")]
