"""Words and numbers as people write them (issue 17, item 6): paragraphs kept, time in hours and
minutes, names with readable roles, an audit log in sentences, dates searched with GOV.UK date inputs."""
from __future__ import annotations

import re

import pytest

from lea_support.core.audit import record_audit
from lea_support.core.templating import paragraphs
from lea_support.core.terms import format_minutes
from lea_support.schools import services as school_services


@pytest.mark.parametrize(("minutes", "words"), [
    (180, "3 hours"), (90, "1 hour 30 minutes"), (60, "1 hour"), (45, "45 minutes"), (1, "1 minute"),
    (0, "0 minutes"), (None, ""), (121, "2 hours 1 minute"),
])
def test_time_is_written_in_hours_and_minutes(minutes, words):
    assert format_minutes(minutes) == words


def test_paragraphs_split_on_blank_lines_and_escape():
    html = str(paragraphs("First <b>bold</b>\nsame paragraph\r\n\r\n\n  Second  "))
    assert html == ('<p class="govuk-body">First &lt;b&gt;bold&lt;/b&gt;<br>\nsame paragraph</p>\n'
                    '<p class="govuk-body">Second</p>')
    assert str(paragraphs("   ")) == "" and str(paragraphs(None)) == ""


def test_a_note_keeps_its_paragraphs_and_says_hours(client, login_as, create_note, create_school):
    school = create_school()
    note = create_note(school=school, discussion="Phonics first.\n\nThen <maths>.", minutes_spent=90)
    login_as("admin")
    page = client.get(f"/visits/{note.id}").get_data(as_text=True)
    assert '<p class="govuk-body">Phonics first.</p>' in page
    assert '<p class="govuk-body">Then &lt;maths&gt;.</p>' in page
    assert "1 hour 30 minutes" in page and "90 minutes" not in page


def test_people_are_offered_with_readable_roles(client, login_as, create_school, create_user):
    school = create_school()
    create_user("sia", name="Sam Improvement")
    login_as("admin")
    page = client.get(f"/schools/{school.urn}/reviews/new").get_data(as_text=True)
    assert "Sam Improvement, School Improvement Adviser" in page
    assert "Sam Improvement (" not in page


def test_the_audit_log_says_who_did_what_to_which_record(client, login_as, create_school, create_user, db):
    sia = create_user("sia", name="Sam Improvement")
    school = create_school(name="Hill Primary")
    school_services.change_support(sia, school, support_tier="enhanced", mcs_level=2, cause_for_concern=None,
                                   is_vulnerable=False, has_significant_underachievement=False,
                                   reason="Results fell")
    record_audit(sia, "user.sign_in", "user", sia.id)
    db.session.commit()
    login_as("admin")
    page = client.get("/admin/audit").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))
    assert "Sam Improvement changed the support tier and level of Hill Primary." in text
    assert "Sam Improvement signed in." in text
    assert f'href="/schools/{school.urn}"' in page and f'href="/admin/users/{sia.id}/edit"' in page
    # The machine codes and data are there for those who need them, folded inside a GOV.UK details.
    details = page[page.index('<details class="govuk-details'):]
    assert "school.support_decision" in details and "Results fell" in details
    assert page.index("school.support_decision") > page.index('<details class="govuk-details')


def test_the_audit_log_is_searched_with_date_inputs(client, login_as, create_school, create_user, db):
    sia = create_user("sia")
    school = create_school()
    school_services.change_support(sia, school, support_tier="enhanced", mcs_level=2, cause_for_concern=None,
                                   is_vulnerable=False, has_significant_underachievement=False, reason="Why")
    db.session.commit()
    login_as("admin")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert 'id="from_date-day"' in page and 'id="to_date-year"' in page
    later = client.get("/admin/audit?from_date=1&from_date=1&from_date=2099").get_data(as_text=True)
    assert "No changes match" in later
    found = client.get("/admin/audit?from_date=1&from_date=1&from_date=2000&to_date=31&to_date=12&to_date=2099")
    assert "No changes match" not in found.get_data(as_text=True)
    wrong = client.get("/admin/audit?from_date=31&from_date=2&from_date=2026").get_data(as_text=True)
    assert "From must be a real date" in wrong and "No changes match" in wrong
