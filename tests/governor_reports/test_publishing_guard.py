"""A report with an empty "Celebrating progress" or no visits this term is not published until the
link adviser has written that section or confirmed it, at the check."""
from __future__ import annotations

import pytest

from lea_support.core.errors import DomainError
from lea_support.governor_reports import services
from lea_support.governor_reports.models import GovernorReportVersion
from tests.conftest import sign_in, submit
from tests.governor_reports.conftest import END_OF_TERM, TERM, read_pdf


@pytest.fixture
def bare_school(db, create_school, create_user):
    """A school at level 4 with nothing to celebrate and no visit this term."""
    adviser = create_user("link_adviser", name="Lena Link")
    school = create_school(name="Quietwater Primary", support_tier="significant", mcs_level=4,
                           link_adviser_id=adviser.id)
    db.session.commit()
    return school, adviser


def test_an_empty_celebration_and_no_visits_must_be_written_and_confirmed(db, bare_school, create_user):
    school, adviser = bare_school
    draft = services.generate_draft(None, school, TERM, today=END_OF_TERM)
    assert services.sections_to_confirm(draft.content) == {"celebrating": True, "visits": True}
    with pytest.raises(DomainError, match="Write what governors can celebrate") as refused:
        services.check_report(adviser, draft, covering_note="", expected_version=draft.version_id)
    assert refused.value.field == "celebrating"
    with pytest.raises(DomainError, match="Confirm that no link adviser visit was made") as refused:
        services.check_report(adviser, draft, covering_note="", expected_version=draft.version_id,
                              celebrating="New reading corners in every class")
    assert refused.value.field == "no_visits_confirmed"
    assert draft.status == "draft"
    services.check_report(adviser, draft, covering_note="", expected_version=draft.version_id,
                          celebrating="New reading corners in every class", no_visits_confirmed=True)
    version = services.publish_report(create_user("sia"), draft, today=END_OF_TERM)
    db.session.commit()
    _, text = read_pdf(version.pdf)
    assert "Celebrating progress New reading corners in every class" in text
    assert "Visits this term 0 (confirmed by the link adviser)" in text
    assert "No completed actions" not in text


def test_a_checked_report_whose_sections_are_not_confirmed_is_not_published(db, bare_school, create_user):
    """The rule holds at publication too, whatever way the report came to be checked."""
    school, adviser = bare_school
    draft = services.generate_draft(None, school, TERM, today=END_OF_TERM)
    services.check_report(adviser, draft, covering_note="", expected_version=draft.version_id,
                          celebrating="Reading corners", no_visits_confirmed=True)
    draft.content = {**draft.content, "adviser": {}}  # checked before the rule, say
    db.session.commit()
    with pytest.raises(DomainError, match="the link adviser checks the report again first"):
        services.publish_report(create_user("sia"), draft)
    db.session.rollback()
    assert db.session.get(GovernorReportVersion, draft.id).status == "checked"


def test_the_check_form_asks_for_the_sections_and_says_what_is_missing(app, db, client, bare_school, create_user):
    school, adviser = bare_school
    draft = services.generate_draft(None, school, TERM, today=END_OF_TERM)
    db.session.commit()
    report_id, version_id = draft.report_id, draft.version_id
    sign_in(client, adviser.email)
    page = client.get(f"/governor-reports/{report_id}").get_data(as_text=True)
    assert "What can governors celebrate this term?" in page
    assert "I confirm that no link adviser visit was made to the school this term" in page
    response = submit(client, f"/governor-reports/{report_id}/check",
                      {"version_id": str(version_id), "covering_note": "", "celebrating": ""},
                      form_url=f"/governor-reports/{report_id}")
    assert response.status_code == 422
    assert "Write what governors can celebrate" in response.get_data(as_text=True)
    response = submit(client, f"/governor-reports/{report_id}/check",
                      {"version_id": str(version_id), "covering_note": "", "celebrating": "Reading corners",
                       "no_visits_confirmed": "y"}, form_url=f"/governor-reports/{report_id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(GovernorReportVersion, draft.id).content["adviser"] == {
        "celebrating": "Reading corners", "no_visits_confirmed": True}


def test_a_school_with_something_to_celebrate_and_a_visit_is_asked_nothing(db, significant_school):
    school = significant_school()
    draft = services.generate_draft(None, school, TERM, today=END_OF_TERM)
    assert services.sections_to_confirm(draft.content) == {"celebrating": False, "visits": False}
    services.check_report(school.link_adviser, draft, covering_note="", expected_version=draft.version_id)
    assert draft.status == "checked" and services.publication_blockers(draft.content) == []
