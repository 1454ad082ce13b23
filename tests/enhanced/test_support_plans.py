"""Consultants and enhanced support (issue 19, item 1): support plans, deployments, consultants'
support visits through the notes of visit, their days against the allocation."""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from lea_support.casework.models import NoteEvent, NoteOfVisit, SchoolYearTally
from lea_support.core.terms import academic_year_for
from lea_support.enhanced.models import ConsultantDeployment, SupportPlan
from tests.casework.test_notes import note_form
from tests.casework.test_pdf import read_pdf
from tests.conftest import count_queries, new_user, sign_in, submit

TODAY = date.today()
YEAR = academic_year_for(TODAY - timedelta(days=1))


def start_plan(client, school, **overrides):
    data = {"academic_year": YEAR, "purposes": "Raise standards in early reading",
            "outcome_hoped": "Phonics screening pass rate at the LA average"}
    data.update(overrides)
    return submit(client, f"/schools/{school.urn}/support-plans/new", data)


def deploy(client, plan_id, consultant, days="4", purpose="Phonics teaching in KS1"):
    return submit(client, f"/support-plans/{plan_id}/deployments",
                  {"consultant_id": str(consultant.id), "purpose": purpose, "days_allocated": days},
                  form_url=f"/support-plans/{plan_id}")


def plan_with_consultant(app, client, db, create_school, login_as):
    """An enhanced-support school with a plan deploying a literacy consultant (4 days), made by an SIA."""
    school = create_school(name="Enhanced Primary", support_tier="enhanced", mcs_level=2)
    consultant = new_user("consultant", name="Cara Consultant")
    login_as("sia")
    assert start_plan(client, school).status_code == 302
    plan = db.session.scalars(select(SupportPlan)).one()
    assert deploy(client, plan.id, consultant).status_code == 302
    deployment = db.session.scalars(select(ConsultantDeployment)).one()
    return school, consultant, plan, deployment


def test_an_sia_starts_a_plan_and_deploys_a_consultant(app, client, db, create_school, login_as):
    school, consultant, plan, deployment = plan_with_consultant(app, client, db, create_school, login_as)
    assert (plan.academic_year, plan.purposes) == (YEAR, "Raise standards in early reading")
    assert (deployment.consultant_id, deployment.days_allocated, deployment.school_id) == (
        consultant.id, Decimal("4.0"), school.id)
    page = client.get(f"/support-plans/{plan.id}").get_data(as_text=True)
    assert "Cara Consultant" in page and "Literacy" in page and "Phonics teaching in KS1" in page
    assert "0 used of 4 allocated" in page
    listing = client.get(f"/schools/{school.urn}/support-plans").get_data(as_text=True)
    assert "Raise standards in early reading" in listing and "Cara Consultant" in listing


def test_a_plan_only_for_a_school_in_enhanced_support_once_a_year(client, db, create_school, login_as):
    login_as("sia")
    light = create_school(support_tier="light_touch", mcs_level=1)
    refused = start_plan(client, light, purposes="Typed purposes")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "is not in enhanced support" in page and "Typed purposes" in page
    enhanced = create_school(support_tier="enhanced", mcs_level=2)
    assert start_plan(client, enhanced).status_code == 302
    again = start_plan(client, enhanced)
    assert again.status_code == 422 and "already has a support plan for" in again.get_data(as_text=True)
    missing = start_plan(client, create_school(support_tier="enhanced", mcs_level=2), purposes="", academic_year="26/27")
    assert missing.status_code == 422
    assert db.session.scalar(select(SupportPlan.id).where(SupportPlan.school_id == light.id)) is None


def test_only_consultants_are_deployed_with_sensible_days(app, client, db, create_school, login_as):
    school, consultant, plan, _ = plan_with_consultant(app, client, db, create_school, login_as)
    adviser = new_user("link_adviser")
    not_consultant = deploy(client, plan.id, adviser)
    assert not_consultant.status_code == 422 and "Choose an LA consultant" in not_consultant.get_data(as_text=True)
    bad_days = deploy(client, plan.id, consultant, days="lots", purpose="Typed purpose")
    page = bad_days.get_data(as_text=True)
    assert bad_days.status_code == 422 and "Enter days allocated as a number" in page and "Typed purpose" in page
    assert deploy(client, plan.id, consultant, days="0").status_code == 422
    assert len(db.session.scalars(select(ConsultantDeployment)).all()) == 1


def test_a_deployed_consultant_records_a_support_visit_and_its_days_count(app, client, db, create_school, login_as):
    school, consultant, plan, deployment = plan_with_consultant(app, client, db, create_school, login_as)
    # The SIA's own visit is a link visit; the consultant's uses consultant days.
    assert submit(client, f"/schools/{school.urn}/visits/new", note_form()).status_code == 302

    consultant_client = app.test_client()
    sign_in(consultant_client, consultant.email)
    form_page = consultant_client.get(f"/schools/{school.urn}/visits/new").get_data(as_text=True)
    assert "Support plan deployment" in form_page and "Phonics teaching in KS1" in form_page
    missing = submit(consultant_client, f"/schools/{school.urn}/visits/new",
                     note_form(discussion="Team teaching in Year 1"))
    assert missing.status_code == 422 and "Choose the support plan deployment" in missing.get_data(as_text=True)
    assert "Team teaching in Year 1" in missing.get_data(as_text=True)
    no_days = submit(consultant_client, f"/schools/{school.urn}/visits/new",
                     note_form(deployment_id=str(deployment.id), days_spent=""))
    assert no_days.status_code == 422 and "Enter the days this visit used" in no_days.get_data(as_text=True)
    done = submit(consultant_client, f"/schools/{school.urn}/visits/new",
                  note_form(deployment_id=str(deployment.id), days_spent="1.5", discussion="Team teaching in Year 1"))
    assert done.status_code == 302, done.get_data(as_text=True)[-1500:]
    note = db.session.scalars(select(NoteOfVisit).where(NoteOfVisit.adviser_id == consultant.id)).one()
    assert (note.deployment_id, note.days_spent, note.status) == (deployment.id, Decimal("1.5"), "draft")

    tally = db.session.scalars(select(SchoolYearTally).where(SchoolYearTally.school_id == school.id)).one()
    assert tally.visits_done == 1  # the SIA's visit only
    plan_page = client.get(f"/support-plans/{plan.id}").get_data(as_text=True)
    assert "1.5 used of 4 allocated" in plan_page
    school_page = client.get(f"/schools/{school.urn}").get_data(as_text=True)
    # The school's allocation chart counts the consultant's days (its link visits, the SIA's visit).
    assert re.search(r"Consultant days</th>\s*<td[^>]*>1\.5</td>", school_page)
    assert re.search(r"Link adviser visits</th>\s*<td[^>]*>1</td>", school_page)
    note_page = consultant_client.get(f"/visits/{note.id}").get_data(as_text=True)
    assert "LA consultant" in note_page and "Consultant days used" in note_page


def test_the_consultants_note_goes_through_the_factual_accuracy_loop_and_pdf(app, client, db, create_school,
                                                                              login_as, create_user):
    school, consultant, plan, deployment = plan_with_consultant(app, client, db, create_school, login_as)
    head = create_user("school_leader", schools=[school])
    consultant_client, head_client = app.test_client(), app.test_client()
    sign_in(consultant_client, consultant.email)
    sign_in(head_client, head.email)
    assert submit(consultant_client, f"/schools/{school.urn}/visits/new",
                  note_form(deployment_id=str(deployment.id), days_spent="1")).status_code == 302
    note = db.session.scalars(select(NoteOfVisit)).one()
    edit = submit(consultant_client, f"/visits/{note.id}/edit",
                  note_form(deployment_id=str(deployment.id), days_spent="0.5", version=str(note.version)))
    assert edit.status_code == 302
    assert submit(consultant_client, f"/visits/{note.id}/send", {}, form_url=f"/visits/{note.id}").status_code == 302
    assert submit(head_client, f"/visits/{note.id}/respond", {"accurate": "yes", "comment": ""},
                  form_url=f"/visits/{note.id}").status_code == 302
    assert submit(consultant_client, f"/visits/{note.id}/finalise", {"finalise-comment": ""},
                  form_url=f"/visits/{note.id}").status_code == 302
    db.session.refresh(note)
    assert note.status == "finalised" and note.days_spent == Decimal("0.5")
    kinds = [e.kind for e in db.session.scalars(select(NoteEvent).order_by(NoteEvent.id))]
    assert kinds == ["sent", "marked_accurate", "finalised"]
    pdf = head_client.get(f"/visits/{note.id}/pdf")
    assert pdf.status_code == 200
    _reader, text = read_pdf(pdf.data)
    assert "LA consultant (Literacy)" in text and "Cara Consultant" in text and "Phonics teaching in KS1" in text


def test_a_consultant_records_visits_only_where_deployed(app, client, db, create_school, login_as):
    school, consultant, plan, deployment = plan_with_consultant(app, client, db, create_school, login_as)
    elsewhere = create_school()
    other_consultant = new_user("consultant")
    consultant_client, other_client = app.test_client(), app.test_client()
    sign_in(consultant_client, consultant.email)
    sign_in(other_client, other_consultant.email)
    assert consultant_client.get(f"/schools/{school.urn}/visits/new").status_code == 200
    assert consultant_client.get(f"/schools/{elsewhere.urn}/visits/new").status_code == 403
    assert other_client.get(f"/schools/{school.urn}/visits/new").status_code == 403
    # Another consultant's deployment cannot be named, even at a school where one is deployed.
    plan2 = SupportPlan(school_id=elsewhere.id, academic_year=YEAR, purposes="p", outcome_hoped="o")
    db.session.add(plan2)
    db.session.flush()
    db.session.add(ConsultantDeployment(plan_id=plan2.id, school_id=elsewhere.id, consultant_id=other_consultant.id,
                                        purpose="Numeracy", days_allocated=Decimal(2)))
    db.session.commit()
    wrong = submit(other_client, f"/schools/{elsewhere.urn}/visits/new",
                   note_form(deployment_id=str(deployment.id), days_spent="1"))
    assert wrong.status_code == 422
    # A consultant cannot edit a link adviser's draft, nor send one.
    submit(client, f"/schools/{school.urn}/visits/new", note_form())
    sia_note = db.session.scalars(select(NoteOfVisit).where(NoteOfVisit.adviser_id != consultant.id)).first()
    assert consultant_client.get(f"/visits/{sia_note.id}/edit").status_code == 403
    assert submit(consultant_client, f"/visits/{sia_note.id}/send", {}, form_url=f"/visits/{sia_note.id}"
                  ).status_code == 403


def test_a_deployment_with_visits_stays(app, client, db, create_school, login_as):
    school, consultant, plan, deployment = plan_with_consultant(app, client, db, create_school, login_as)
    consultant_client = app.test_client()
    sign_in(consultant_client, consultant.email)
    submit(consultant_client, f"/schools/{school.urn}/visits/new",
           note_form(deployment_id=str(deployment.id), days_spent="1"))
    refused = submit(client, f"/support-plans/deployments/{deployment.id}/remove", {}, form_url=f"/support-plans/{plan.id}")
    assert refused.status_code == 422 and "has recorded visits" in refused.get_data(as_text=True)
    second = new_user("consultant", name="Numeracy Nel")
    deploy(client, plan.id, second, days="2", purpose="Number sense")
    other = db.session.scalars(select(ConsultantDeployment).where(ConsultantDeployment.consultant_id == second.id)).one()
    assert submit(client, f"/support-plans/deployments/{other.id}/remove", {},
                  form_url=f"/support-plans/{plan.id}").status_code == 302
    assert len(db.session.scalars(select(ConsultantDeployment)).all()) == 1


def test_outcomes_are_recorded_and_stale_saves_refused(app, client, db, create_school, login_as):
    school, consultant, plan, deployment = plan_with_consultant(app, client, db, create_school, login_as)
    data = {"purposes": plan.purposes, "outcome_hoped": plan.outcome_hoped,
            "outcome_reached": "Pass rate rose from 62% to 81%", "version": str(plan.version)}
    assert submit(client, f"/support-plans/{plan.id}", data).status_code == 302
    stale = submit(client, f"/support-plans/{plan.id}", {**data, "outcome_reached": "Other words"})
    assert stale.status_code == 409 and "Other words" in stale.get_data(as_text=True)
    db.session.refresh(plan)
    assert plan.outcome_reached == "Pass rate rose from 62% to 81%"


def test_who_sees_and_changes_support_plans(app, client, db, create_school, login_as, create_user):
    school, consultant, plan, deployment = plan_with_consultant(app, client, db, create_school, login_as)
    head, other_head = create_user("school_leader", schools=[school]), create_user("school_leader",
                                                                                   schools=[create_school()])
    governor = create_user("governor", schools=[school])
    for user, expected in ((head, 200), (other_head, 403), (governor, 403), (consultant, 200)):
        c = app.test_client()
        sign_in(c, user.email)
        assert c.get(f"/support-plans/{plan.id}").status_code == expected, user.role
        assert c.get(f"/schools/{school.urn}/support-plans").status_code == expected, user.role
    c = app.test_client()
    sign_in(c, head.email)
    page = c.get(f"/support-plans/{plan.id}").get_data(as_text=True)
    assert "Deploy a consultant" not in page
    assert submit(c, f"/support-plans/{plan.id}/deployments", {"consultant_id": str(consultant.id)},
                  form_url=f"/support-plans/{plan.id}").status_code == 403


def test_the_plan_pages_read_a_fixed_number_of_queries(app, client, db, create_school, login_as):
    school, consultant, plan, deployment = plan_with_consultant(app, client, db, create_school, login_as)
    first = count_queries(client, f"/support-plans/{plan.id}"), count_queries(client, f"/schools/{school.urn}/support-plans")
    for n in range(4):
        deploy(client, plan.id, new_user("consultant"), purpose=f"Purpose {n}")
    assert (count_queries(client, f"/support-plans/{plan.id}"),
            count_queries(client, f"/schools/{school.urn}/support-plans")) == first


def test_an_administrator_gives_a_consultant_a_specialism(client, db, login_as):
    login_as("admin")
    data = {"email": "cons@example.org", "name": "New Consultant", "role": "consultant", "schools": "",
            "password": "a long enough passphrase 42"}
    refused = submit(client, "/admin/users/new", data)
    assert refused.status_code == 422 and "Choose the consultant&#39;s specialism" in refused.get_data(as_text=True)
    assert submit(client, "/admin/users/new", {**data, "specialism": "numeracy"}).status_code == 302
    from lea_support.auth.models import User

    user = db.session.scalars(select(User).where(User.email == "cons@example.org")).one()
    assert (user.role, user.specialism, user.is_la_staff) == ("consultant", "numeracy", True)
