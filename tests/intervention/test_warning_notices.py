"""Warning notices (s60): given to maintained schools only, on at least one ground, with a
compliance period that ends after the 15 working days for representations; their clocks on the
SIA's pages and the school's timeline; eligibility for intervention once the period ends unmet;
the power the LA uses; the letter."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from lea_support.core.errors import DomainError
from lea_support.intervention import services
from lea_support.intervention.models import InterventionPower, WarningNotice
from lea_support.schools.models import SchoolEvent
from tests.conftest import count_queries, sign_in, submit
from tests.intervention.conftest import dmy, text_of

TODAY = date.today()
# Given before Christmas 2025: the representation period runs over Christmas, Boxing Day and New Year.
CHRISTMAS_NOTICE = date(2025, 12, 15)
CHRISTMAS_DEADLINE = date(2026, 1, 8)


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


@pytest.fixture
def school(create_school):
    return create_school(name="Ashby <Primary>", type_name="Community school",
                         type_group="Local authority maintained schools", head_name="Mx Head")


@pytest.fixture
def sia(create_user):
    return create_user("sia", name="Sam Adviser")


def give(sia, school, **kw):
    values = {"grounds": ["standards"], "reasons": "Results fell for three years", "required_action": "Raise them",
              "comply_by": TODAY + timedelta(days=60), **kw}
    return services.give_warning_notice(sia, school, **values)


def test_a_notice_given_from_the_page_runs_its_clock_over_christmas_and_ends_eligible(db, client, school, sia):
    sign_in(client, sia.email)
    assert "Give a warning notice" in text_of(client.get(f"/schools/{school.urn}/intervention"))
    response = submit(client, f"/schools/{school.urn}/warning-notices/new", {
        "issued_on": dmy(CHRISTMAS_NOTICE), "grounds": ["standards", "safety"],
        "reasons": "Attainment in <maths> fell", "required_action": "Appoint a maths lead",
        "comply_by": dmy(date(2026, 2, 27))})
    assert response.status_code == 302, text_of(response)
    notice = db.session.scalars(select(WarningNotice)).one()
    assert notice.grounds == ["standards", "safety"] and notice.issued_by_id == sia.id
    page = text_of(client.get(f"/warning-notices/{notice.id}"))
    assert "Attainment in <maths> fell" in page and "Appoint a maths lead" in page
    assert "8 January 2026" in page  # the 15th working day after 15 December 2025
    assert "Eligible for intervention" in page and "27 February 2026" in page
    assert "Record a power of intervention used" in page
    school_page = text_of(client.get(f"/schools/{school.urn}"))
    assert "Warning notice" in school_page and "Eligible for intervention" in school_page
    event = db.session.scalars(select(SchoolEvent).where(SchoolEvent.kind == "warning_notice_given")).one()
    assert event.audience == "school" and "representations to Ofsted's chief inspector by 8 January 2026" in event.summary


def test_a_current_notice_shows_the_working_days_left_on_the_school_page(db, client, school, sia):
    notice = give(sia, school)
    db.session.commit()
    deadline = services.representations_by(TODAY)
    sign_in(client, sia.email)
    summary = text_of(client.get(f"/schools/{school.urn}"))
    assert "Representation period" in summary
    assert f"15 working days left for representations to Ofsted (until {deadline.day}" in summary
    assert "60 days left to comply" in summary
    clock = services.notice_clock(notice, deadline + timedelta(days=1))
    assert clock.stage == "compliance" and clock.representation_days_left == 0
    assert services.notice_clock(notice, notice.comply_by + timedelta(days=1)).is_eligible


def test_a_bank_holiday_added_by_an_administrator_moves_the_deadline(db, client, school, sia, create_user,
                                                                      seeded_bank_holidays):
    notice = give(sia, school, issued_on=CHRISTMAS_NOTICE, comply_by=date(2026, 2, 27))
    db.session.commit()
    sign_in(client, create_user("admin").email)
    assert "8 January 2026" in text_of(client.get(f"/warning-notices/{notice.id}"))
    assert submit(client, "/admin/bank-holidays", {"falls_on": dmy(date(2026, 1, 6)),
                                                   "name": "Proclaimed holiday"}).status_code == 302
    page = text_of(client.get(f"/warning-notices/{notice.id}"))
    assert "9 January 2026" in page and "8 January 2026" not in page


@pytest.mark.parametrize("values, field, message", [
    ({"grounds": []}, "grounds", "Choose at least one of the three grounds"),
    ({"grounds": ["standards", "weather"]}, "grounds", "Choose at least one of the three grounds"),
    ({"reasons": " "}, "reasons", "Enter the matters the authority's conclusion rests on"),
    ({"required_action": ""}, "required_action", "Enter what the governing body must do"),
    ({"comply_by": None}, "comply_by", "Enter the date the compliance period ends"),
    ({"issued_on": CHRISTMAS_NOTICE, "comply_by": CHRISTMAS_DEADLINE}, "comply_by",
     "cannot end before the governing body's 15 working days for representations to Ofsted do (8 January 2026)"),
    ({"issued_on": TODAY + timedelta(days=1)}, "issued_on", "in the future"),
])
def test_giving_a_notice_refuses_what_the_rules_do_not_allow(db, school, sia, values, field, message):
    with pytest.raises(DomainError, match=message.replace("(", r"\(").replace(")", r"\)")) as refused:
        give(sia, school, **values)
    assert refused.value.field == field


def test_a_refused_notice_keeps_what_was_typed_and_saves_nothing(db, client, school, sia):
    sign_in(client, sia.email)
    response = submit(client, f"/schools/{school.urn}/warning-notices/new", {
        "issued_on": dmy(None), "reasons": "Typed reasons", "required_action": "Typed action",
        "comply_by": dmy(TODAY + timedelta(days=90))})
    assert response.status_code == 422
    page = text_of(response)
    assert "Choose at least one of the three grounds" in page and "Typed reasons" in page and "Typed action" in page
    assert count(db, WarningNotice) == 0


def test_everything_missing_from_a_notice_is_said_at_once(db, client, school, sia):
    sign_in(client, sia.email)
    response = submit(client, f"/schools/{school.urn}/warning-notices/new", {
        "issued_on": dmy(None), "reasons": "Typed reasons", "required_action": "",
        "comply_by": dmy(TODAY + timedelta(days=90))})
    assert response.status_code == 422
    page = text_of(response)
    assert "Choose at least one of the three grounds" in page
    assert "Enter what the governing body must do" in page and "Typed reasons" in page
    assert count(db, WarningNotice) == 0


def test_a_power_is_recorded_once_the_school_is_eligible(db, client, school, sia):
    notice = give(sia, school, issued_on=CHRISTMAS_NOTICE, comply_by=date(2026, 2, 27))
    db.session.commit()
    assert services.is_eligible_for_intervention(notice)
    sign_in(client, sia.email)
    url = f"/warning-notices/{notice.id}/powers"
    early = submit(client, url, {"power": "interim_executive_board", "decided_on": dmy(date(2026, 2, 27)),
                                 "takes_effect_on": dmy(date(2026, 3, 9)), "ends_on": dmy(None),
                                 "documents": "Decision record"}, form_url=f"/warning-notices/{notice.id}")
    assert early.status_code == 422 and "only once the compliance period has ended (27 February 2026)" in text_of(early)
    response = submit(client, url, {"power": "interim_executive_board", "decided_on": dmy(date(2026, 3, 2)),
                                    "takes_effect_on": dmy(date(2026, 3, 9)), "ends_on": dmy(date(2027, 3, 8)),
                                    "documents": "Decision record of 2 March; letter to the governing body"},
                      form_url=f"/warning-notices/{notice.id}")
    assert response.status_code == 302, text_of(response)
    power = db.session.scalars(select(InterventionPower)).one()
    assert (power.power, power.school_id, power.recorded_by_id) == ("interim_executive_board", school.id, sia.id)
    page = text_of(client.get(f"/warning-notices/{notice.id}"))
    assert "Interim Executive Board" in page and "Decision record of 2 March" in page and "8 March 2027" in page
    assert "The governing body complied" not in page  # no compliance once a power is used
    timeline = text_of(client.get(f"/schools/{school.urn}/timeline"))
    assert "Eligible for intervention after the warning notice of 15 December 2025" in timeline


def test_no_power_before_the_compliance_period_ends_nor_after_compliance(db, school, sia):
    current = give(sia, school)
    with pytest.raises(DomainError, match="only once the compliance period has ended"):
        services.record_power(sia, current, power="suspend_budget", decided_on=TODAY, takes_effect_on=TODAY,
                              ends_on=None, documents="Letter")
    past = give(sia, school, issued_on=CHRISTMAS_NOTICE, comply_by=date(2026, 2, 27), reasons="Other")
    services.record_compliance(sia, past, on=date(2026, 2, 20), reason="New chair of governors appointed",
                               expected_version=past.version_id)
    assert not services.is_eligible_for_intervention(past)
    assert services.notice_clock(past).stage == "complied"
    with pytest.raises(DomainError, match="complied with this notice"):
        services.record_power(sia, past, power="suspend_budget", decided_on=TODAY, takes_effect_on=TODAY,
                              ends_on=None, documents="Letter")


@pytest.mark.parametrize("values, field, message", [
    ({"power": "close_the_school"}, "power", "Choose the power the authority used"),
    ({"takes_effect_on": date(2026, 3, 1)}, "takes_effect_on", "cannot take effect before it was decided"),
    ({"ends_on": date(2026, 3, 9)}, "ends_on", "must be after the power takes effect"),
    ({"documents": " "}, "documents", "Enter the documents behind the decision"),
    ({"decided_on": TODAY + timedelta(days=1)}, "decided_on", "the date is in the future"),
])
def test_recording_a_power_refuses_what_is_wrong(db, school, sia, values, field, message):
    notice = give(sia, school, issued_on=CHRISTMAS_NOTICE, comply_by=date(2026, 2, 27))
    kw = {"power": "additional_governors", "decided_on": date(2026, 3, 2), "takes_effect_on": date(2026, 3, 9),
          "ends_on": None, "documents": "Letter", **values}
    with pytest.raises(DomainError, match=message) as refused:
        services.record_power(sia, notice, **kw)
    assert refused.value.field == field


def test_compliance_recorded_through_the_page(db, client, school, sia):
    notice = give(sia, school)
    db.session.commit()
    sign_in(client, sia.email)
    response = submit(client, f"/warning-notices/{notice.id}/compliance",
                      {"version_id": str(notice.version_id), "on": dmy(TODAY), "reason": "Governors replaced the chair"},
                      form_url=f"/warning-notices/{notice.id}")
    assert response.status_code == 302, text_of(response)
    page = text_of(client.get(f"/warning-notices/{notice.id}"))
    assert "Complied with" in page and "Governors replaced the chair" in page


def test_the_letter_reads_back(db, client, school, sia):
    notice = give(sia, school, issued_on=CHRISTMAS_NOTICE, comply_by=date(2026, 2, 27),
                  grounds=["leadership", "safety"], required_action="Reconstitute the governing body")
    db.session.commit()
    sign_in(client, sia.email)
    response = client.get(f"/warning-notices/{notice.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Warning notice: Ashby <Primary>" in text
    assert "section 60 of the Education and Inspections Act 2006" in text
    assert "serious breakdown in the way the school is managed or governed" in text
    assert "safety of pupils or staff of the school is threatened" in text
    assert "unacceptably low" not in text  # not a ground of this notice
    assert "Reconstitute the governing body" in text and "Results fell for three years" in text
    assert "8 January 2026" in text and "27 February 2026" in text and "Sam Adviser" in text


def test_the_intervention_page_reads_a_fixed_number_of_queries(db, client, school, sia):
    give(sia, school, reasons="First")
    db.session.commit()
    sign_in(client, sia.email)
    one = count_queries(client, f"/schools/{school.urn}/intervention")
    for n in range(3):
        give(sia, school, reasons=f"More {n}", issued_on=CHRISTMAS_NOTICE, comply_by=date(2026, 2, 27))
    db.session.commit()
    # The bank holidays are read once for every notice's clock.
    assert count_queries(client, f"/schools/{school.urn}/intervention") == one


def test_the_sia_home_lists_notices_reaching_their_compliance_date(db, client, school, sia):
    give(sia, school, issued_on=CHRISTMAS_NOTICE, comply_by=date(2026, 2, 27))
    db.session.commit()
    sign_in(client, sia.email)
    home = text_of(client.get("/"))
    assert "Warning notices reaching their compliance date" in home
    listing = text_of(client.get("/tasks/warning-notices-due"))
    assert "Ashby <Primary>" in listing


def test_governors_read_their_own_schools_warning_notice_letter_and_nothing_more(app, db, client, school, sia, login_as,
                                                                                 create_school, create_user):
    """Issue 18, item 5: governors read their school's notices once issued (the letter), read-only."""
    notice = give(sia, school)
    db.session.commit()
    login_as("governor", schools=[school])
    assert client.get(f"/warning-notices/{notice.id}").status_code == 403
    assert client.get(f"/warning-notices/{notice.id}.pdf").status_code == 200
    assert client.get(f"/schools/{school.urn}/intervention").status_code == 403
    other = app.test_client()
    sign_in(other, create_user("governor", schools=[create_school()]).email)
    assert other.get(f"/warning-notices/{notice.id}.pdf").status_code == 403
