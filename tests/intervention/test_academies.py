"""Maintained schools and academies: the register tells them apart from GIAS's establishment type
group; an academy is refused Improvement Notices and warning notices, with a message that says
why and the referral to the DfE regional director offered instead; support stays available."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from lea_support.core.errors import DomainError
from lea_support.intervention import services
from lea_support.intervention.models import DfeReferral, WarningNotice
from lea_support.rap import services as rap_services
from lea_support.rap.models import ImprovementNotice
from lea_support.schools.models import SchoolEvent, governance_of
from tests.conftest import sign_in, submit
from tests.intervention.conftest import dmy, text_of

TODAY = date.today()


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("group, kind, expected", [
    ("Local authority maintained schools", "Community school", "maintained"),
    ("LA maintained schools", "Voluntary aided school", "maintained"),  # the 2019 release's spelling
    ("Local authority maintained schools", "Pupil referral unit", "maintained"),
    ("Special schools", "Community special school", "maintained"),
    ("Special schools", "Non-maintained special school", "other"),
    ("Academies", "Academy converter", "academy"),
    ("Academies", "Academy sponsor led", "academy"),
    ("Free Schools", "Free schools", "free_school"),
    ("Free Schools", "University technical college", "free_school"),
    ("Independent schools", "Other independent school", "other"),
    ("", "Foundation school", "maintained"),  # no group recorded: the type decides
    ("", "Academy special converter", "academy"),
    ("", "", "other"),
])
def test_governance_from_the_gias_type_group_and_type(group, kind, expected):
    assert governance_of(group, kind) == expected


def test_the_demo_authority_has_academies_and_maintained_schools():
    from lea_support.demo import _KINDS

    kinds = {governance_of(group, type_name) for _phase, type_name, group, *_rest in _KINDS}
    assert {"maintained", "academy"} <= kinds


@pytest.fixture
def academy(create_school):
    return create_school(name="Brookfield Academy", type_name="Academy converter", type_group="Academies",
                         trust_name="Northern Learning Trust")


@pytest.fixture
def sia(create_user):
    return create_user("sia", name="Sam Adviser")


def test_an_academy_cannot_be_given_an_improvement_notice(db, academy, sia):
    with pytest.raises(DomainError, match="Brookfield Academy is an academy: a local authority cannot give an academy "
                                          "an Improvement Notice") as refused:
        rap_services.issue_improvement_notice(sia, academy, improvements="Writing",
                                              comply_by=TODAY + timedelta(days=30))
    assert "refer it to the DfE regional director" in refused.value.message


def test_the_improvement_notice_page_of_an_academy_offers_the_referral(db, client, academy, sia):
    sign_in(client, sia.email)
    listing = text_of(client.get(f"/schools/{academy.urn}/notices"))
    assert "Issue an Improvement Notice" not in listing and "Refer a concern to the DfE regional director" in listing
    response = submit(client, f"/schools/{academy.urn}/notices/new",
                      {"issued_on": dmy(None), "improvements": "Writing", "comply_by": dmy(TODAY + timedelta(days=30))})
    assert response.status_code == 422
    assert "a local authority cannot give an academy an Improvement Notice" in text_of(response)
    assert count(db, ImprovementNotice) == 0


def test_an_academy_cannot_be_given_a_warning_notice(db, client, academy, sia):
    sign_in(client, sia.email)
    page = text_of(client.get(f"/schools/{academy.urn}/intervention"))
    assert "Give a warning notice" not in page and "Refer a concern to the DfE regional director" in page
    form = text_of(client.get(f"/schools/{academy.urn}/warning-notices/new"))
    assert "cannot give an academy a warning notice" in form and 'name="reasons"' not in form
    response = submit(client, f"/schools/{academy.urn}/warning-notices/new", {
        "issued_on": dmy(None), "grounds": ["standards"], "reasons": "Results", "required_action": "Raise them",
        "comply_by": dmy(TODAY + timedelta(days=60))})
    assert response.status_code == 422
    assert "Brookfield Academy is an academy: a local authority cannot give an academy a warning notice" in \
        text_of(response)
    assert count(db, WarningNotice) == 0


def test_a_free_school_is_named_as_one(db, create_school, sia):
    school = create_school(name="Riverside Free School", type_name="Free schools", type_group="Free Schools")
    with pytest.raises(DomainError, match="is a free school: a local authority cannot give a free school a warning"):
        services.give_warning_notice(sia, school, grounds=["safety"], reasons="r", required_action="a",
                                     comply_by=TODAY + timedelta(days=60))


def test_a_concern_about_an_academy_is_referred_to_the_dfe(app, db, client, academy, sia, create_user):
    sign_in(client, sia.email)
    response = submit(client, f"/schools/{academy.urn}/referrals/new", {
        "referred_on": dmy(None), "grounds": "Pupils' safety: <b>behaviour</b> has broken down",
        "evidence": "Notes of visit of 3 November; exclusions data"})
    assert response.status_code == 302, text_of(response)
    referral = db.session.scalars(select(DfeReferral)).one()
    assert (referral.school_id, referral.referred_by_id, referral.referred_on) == (academy.id, sia.id, TODAY)
    page = text_of(client.get(f"/referrals/{referral.id}"))
    assert "Pupils' safety: <b>behaviour</b> has broken down" in page and "exclusions data" in page
    assert f"/referrals/{referral.id}" in text_of(client.get(f"/schools/{academy.urn}/intervention"))

    pdf = client.get(f"/referrals/{referral.id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split())
    assert "Referral to the DfE regional director: Brookfield Academy" in text
    assert "To the Department for Education's regional director" in text
    assert "an academy of Northern Learning Trust" in text
    assert "behaviour" in text and "exclusions data" in text and "Sam Adviser" in text

    # The LA's own letter: on the LA's timeline only.
    event = db.session.scalars(select(SchoolEvent).where(SchoolEvent.kind == "dfe_referral")).one()
    assert event.audience == "la"
    head = app.test_client()
    sign_in(head, create_user("school_leader", schools=[academy]).email)
    assert head.get(f"/referrals/{referral.id}").status_code == 403
    assert "referred to the DfE" not in text_of(head.get(f"/schools/{academy.urn}/timeline"))
    assert "referred to the DfE" in text_of(client.get(f"/schools/{academy.urn}/timeline"))


@pytest.mark.parametrize("values, field, message", [
    ({"grounds": " "}, "grounds", "Enter the concern"),
    ({"evidence": ""}, "evidence", "Enter the evidence behind the concern"),
    ({"referred_on": TODAY + timedelta(days=1)}, "referred_on", "cannot be dated in the future"),
])
def test_a_referral_says_what_is_missing(db, academy, sia, values, field, message):
    with pytest.raises(DomainError, match=message) as refused:
        services.refer_to_dfe(sia, academy, **{"grounds": "Concern", "evidence": "Evidence", **values})
    assert refused.value.field == field


def test_a_maintained_school_is_not_referred_to_the_dfe(db, create_school, sia, client):
    school = create_school(name="Castlegate Primary", type_name="Community school",
                           type_group="Local authority maintained schools")
    sign_in(client, sia.email)
    response = submit(client, f"/schools/{school.urn}/referrals/new",
                      {"referred_on": dmy(None), "grounds": "Typed concern", "evidence": "Typed evidence"})
    assert response.status_code == 422
    page = text_of(response)
    assert "Castlegate Primary is maintained by the local authority, not an academy" in page
    assert "Typed concern" in page and "Typed evidence" in page
    assert count(db, DfeReferral) == 0


def test_support_stays_available_to_an_academy(db, client, academy, sia):
    sign_in(client, sia.email)
    page = text_of(client.get(f"/schools/{academy.urn}"))
    assert "Academy" in page
    assert client.get(f"/schools/{academy.urn}/plans").status_code == 200
    assert client.get(f"/schools/{academy.urn}/reviews").status_code == 200
    assert client.get(f"/schools/{academy.urn}/visits").status_code == 200
