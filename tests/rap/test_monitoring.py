"""Monitoring improvement: rescheduling the mid-point review inside its window, recording a review
(progress on each objective of the plan in force, capacity to improve on the current scale, the
outcome and its change to the school's support, all in one transaction), Improvement Notices and
their PDF letter and status, the escalation watch, and the timeline entries all of these leave."""
from __future__ import annotations

import html
import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from lea_support.core.errors import DomainError
from lea_support.core.terms import format_date
from lea_support.rap import services
from lea_support.rap.models import ImprovementNotice, MidpointReview, ObjectiveProgress
from lea_support.schools.models import School, SchoolEvent, SupportDecision
from tests.conftest import count_queries, recorded_statements, sign_in, submit

TODAY = date.today()
AGREED = TODAY - timedelta(days=100)
HELD = TODAY - timedelta(days=28)


def dmy(day: date | None) -> list[str]:
    return ["", "", ""] if day is None else [str(day.day), str(day.month), str(day.year)]


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def first_review(db, plan) -> MidpointReview:
    return db.session.scalars(select(MidpointReview).where(MidpointReview.plan_id == plan.series_id,
                                                           MidpointReview.sequence == 1)).one()


@pytest.fixture
def setting(db, create_plan, create_user):
    """An agreed plan (two objectives) of a school in significant support at level 3, agreed 100
    days ago; its mid-point review was scheduled 70 days after agreement."""
    sia = create_user("sia")
    plan = create_plan(sia=sia, agreed_on=AGREED)
    return plan, first_review(db, plan), sia


def record_data(plan, sia, outcome="continue", **kw) -> services.MidpointRecord:
    objectives = services.plan_in_force(plan.series_id).objectives
    values = dict(held_on=HELD, led_by_id=sia.id, capacity_grade=4, adviser_capacity_grade=5, adequate_improvement=False,
                  summary="Steady progress in writing", outcome=outcome,
                  further_review_on=TODAY + timedelta(days=42) if outcome in ("continue", "improvement_notice") else None,
                  progress={o.id: services.ObjectiveJudgement("some_progress", f"Evidence for {o.position}")
                            for o in objectives})
    values.update(kw)
    return services.MidpointRecord(**values)


def form_data(plan, review, sia, **kw) -> dict:
    data = {"version_id": str(review.version_id), "held_on": dmy(HELD), "led_by_id": str(sia.id),
            "capacity_grade": "4", "adviser_capacity_grade": "5", "adequate_improvement": "no", "summary": "Typed summary of the review",
            "outcome": "continue", "further_review_on": dmy(TODAY + timedelta(days=42)), "improvements": "",
            "notice_review_on": dmy(TODAY + timedelta(days=42)),
            "comply_by": dmy(None)}
    for o in services.plan_in_force(plan.series_id).objectives:
        data[f"progress_{o.id}"] = "some_progress"
        data[f"evidence_{o.id}"] = f"Typed evidence {o.position}"
    data.update(kw)
    return data


def record_url(review) -> str:
    return f"/plans/{review.plan_id}/midpoint-reviews/{review.id}/record"


def review_url(review) -> str:
    return f"/plans/{review.plan_id}/midpoint-reviews/{review.id}"


# --- rescheduling: the window after the first agreement -----------------------------------------

@pytest.mark.parametrize("days, allowed", [(55, False), (56, True), (112, True), (113, False)])
def test_the_midpoint_review_is_rescheduled_only_inside_the_window(db, setting, days, allowed):
    plan, review, sia = setting
    day = AGREED + timedelta(days=days)
    if allowed:
        services.reschedule_midpoint_review(sia, review, scheduled_on=day)
        db.session.commit()
        assert first_review(db, plan).scheduled_on == day
    else:
        with pytest.raises(DomainError, match="8 to 16 weeks after the plan is agreed") as refused:
            services.reschedule_midpoint_review(sia, review, scheduled_on=day)
        assert refused.value.field == "scheduled_on"
        assert f"{format_date(AGREED + timedelta(days=56))} and {format_date(AGREED + timedelta(days=112))}" in \
            refused.value.message
        db.session.rollback()
        assert first_review(db, plan).scheduled_on == AGREED + timedelta(weeks=10)


def test_after_a_reschedule_the_plan_page_and_its_pdf_give_the_new_date(db, setting, client):
    """One fact, one place (issue 14): the agreed plan's mid-point date is the review's own."""
    from lea_support.rap.documents import plan_document

    plan, review, sia = setting
    moved = AGREED + timedelta(weeks=12)
    services.reschedule_midpoint_review(sia, review, scheduled_on=moved)
    db.session.commit()
    assert plan_document(plan)["content"]["midpoint_review_text"] == format_date(moved)
    sign_in(client, sia.email)
    page = client.get(f"/plans/{plan.id}")
    assert format_date(moved) in text_of(page)
    assert format_date(AGREED + timedelta(weeks=10)) not in text_of(page)


@pytest.mark.parametrize("days, allowed", [(55, False), (56, True), (112, True), (113, False)])
def test_rescheduling_through_the_page_keeps_to_the_window(db, setting, client, days, allowed):
    plan, review, sia = setting
    sign_in(client, sia.email)
    day = AGREED + timedelta(days=days)
    response = submit(client, f"{review_url(review)}/reschedule",
                      {"version_id": str(review.version_id), "scheduled_on": dmy(day)}, form_url=review_url(review))
    saved = first_review(db, plan)
    if allowed:
        assert response.status_code == 302
        assert saved.scheduled_on == day
        assert f"moved from {format_date(AGREED + timedelta(weeks=10))} to {format_date(day)}" in text_of(
            client.get(f"/schools/{plan.school.urn}"))
    else:
        assert response.status_code == 422
        assert "must fall 8 to 16 weeks after the plan is agreed" in text_of(response)
        assert saved.scheduled_on == AGREED + timedelta(weeks=10)


def test_the_window_is_counted_from_the_first_agreement_not_an_amendment(db, setting):
    plan, review, sia = setting
    head = plan.school_signed_by
    new = services.amend_plan(sia, plan, reason="Add a reading objective")
    services.submit_plan(sia, new)
    services.sign_off_plan(head, new, on=TODAY)
    services.sign_off_plan(sia, new, on=TODAY)
    db.session.commit()
    with pytest.raises(DomainError, match="8 to 16 weeks"):
        services.reschedule_midpoint_review(sia, review, scheduled_on=TODAY + timedelta(weeks=10))


def test_a_further_review_is_rescheduled_after_the_previous_review_was_held(db, setting):
    plan, review, sia = setting
    services.record_midpoint_review(sia, review, record_data(plan, sia))
    db.session.commit()
    further = db.session.scalars(select(MidpointReview).where(MidpointReview.sequence == 2)).one()
    with pytest.raises(DomainError, match="after the review before it") as refused:
        services.reschedule_midpoint_review(sia, further, scheduled_on=HELD)
    assert refused.value.field == "scheduled_on"
    db.session.rollback()
    services.reschedule_midpoint_review(sia, further, scheduled_on=HELD + timedelta(days=1))
    db.session.commit()
    assert further.scheduled_on == HELD + timedelta(days=1)


def test_a_held_review_cannot_be_rescheduled(db, setting):
    plan, review, sia = setting
    services.record_midpoint_review(sia, review, record_data(plan, sia))
    db.session.commit()
    with pytest.raises(DomainError, match="cannot be rescheduled"):
        services.reschedule_midpoint_review(sia, review, scheduled_on=AGREED + timedelta(days=60))


def test_a_stale_reschedule_gets_a_conflict(db, setting, client):
    plan, review, sia = setting
    stale = review.version_id
    services.reschedule_midpoint_review(sia, review, scheduled_on=AGREED + timedelta(days=60))
    db.session.commit()
    sign_in(client, sia.email)
    response = submit(client, f"{review_url(review)}/reschedule",
                      {"version_id": str(stale), "scheduled_on": dmy(AGREED + timedelta(days=90))},
                      form_url=review_url(review))
    assert response.status_code == 409 and "Someone else saved this review" in text_of(response)
    assert first_review(db, plan).scheduled_on == AGREED + timedelta(days=60)


# --- recording a review --------------------------------------------------------------------------

def test_recording_a_review_that_continues_schedules_the_next_one(db, setting, client):
    plan, review, sia = setting
    sign_in(client, sia.email)
    form = client.get(record_url(review))
    page = text_of(form)
    assert form.status_code == 200
    assert "Objective 1: raise attainment" in page and "4 Satisfactory" in page and "7 Very poor" in page
    response = submit(client, record_url(review), form_data(plan, review, sia), form_url=record_url(review))
    assert response.status_code == 302
    saved = first_review(db, plan)
    assert saved.held_on == HELD and saved.led_by_id == sia.id and saved.outcome == "continue"
    assert saved.capacity_grade == 4 and saved.scale_id is not None and saved.adequate_improvement is False
    assert saved.further_review_on == TODAY + timedelta(days=42) and saved.decision_id is None
    progress = db.session.scalars(select(ObjectiveProgress).order_by(ObjectiveProgress.id)).all()
    assert [(p.objective_id, p.progress, p.evidence) for p in progress] == [
        (o.id, "some_progress", f"Typed evidence {o.position}") for o in plan.objectives]
    further = db.session.scalars(select(MidpointReview).where(MidpointReview.sequence == 2)).one()
    assert further.plan_id == plan.series_id and further.scheduled_on == TODAY + timedelta(days=42)
    assert further.held_on is None
    school = db.session.get(School, plan.school_id)
    assert (school.support_tier, school.mcs_level) == ("significant", 3)

    page = text_of(client.get(review_url(review)))
    assert "Held on" in page and "4 Satisfactory" in page and "Typed evidence 2" in page
    assert "Continue, with a further review" in page
    timeline = text_of(client.get(f"/schools/{school.urn}"))
    assert f"Mid-point review held on {format_date(HELD)}: Continue, with a further review" in timeline
    assert f"Further review scheduled for {format_date(TODAY + timedelta(days=42))}" in timeline
    plan_page = text_of(client.get(f"/plans/{plan.id}"))
    assert "Further review 1" in plan_page and f"Scheduled for {format_date(TODAY + timedelta(days=42))}" in plan_page


@pytest.mark.parametrize("change, field, message", [
    ({"held_on": None}, "held_on", "Enter the date the review was held"),
    ({"held_on": TODAY + timedelta(days=1)}, "held_on", "date is in the future"),
    ({"held_on": AGREED - timedelta(days=1)}, "held_on", "before the plan was agreed"),
    ({"led_by_id": None}, "led_by_id", "who led the review"),
    ({"capacity_grade": 8}, "capacity_grade", "capacity to improve"),
    ({"capacity_grade": None}, "capacity_grade", "capacity to improve"),
    ({"adequate_improvement": None}, "adequate_improvement", "adequate improvement"),
    ({"summary": "  "}, "summary", "Enter a summary"),
    ({"outcome": None}, "outcome", "Choose the outcome"),
    ({"outcome": "continue", "further_review_on": None}, "further_review_on", "date of the further review"),
    ({"outcome": "continue", "further_review_on": HELD}, "further_review_on", "must be after this review"),
    ({"outcome": "de_escalate", "adequate_improvement": False}, "outcome", "only where adequate improvement"),
    ({"outcome": "improvement_notice", "improvements": ""}, "improvements", "what the school must improve"),
    ({"outcome": "improvement_notice", "improvements": "Writing", "comply_by": None}, "comply_by", "comply by"),
    ({"outcome": "improvement_notice", "improvements": "Writing", "comply_by": HELD}, "comply_by",
     "must be after the notice is issued"),
])
def test_recording_refuses_what_is_missing_or_wrong(db, setting, change, field, message):
    plan, review, sia = setting
    with pytest.raises(DomainError, match=message) as refused:
        services.record_midpoint_review(sia, review, record_data(plan, sia, **change))
    assert refused.value.field == field
    db.session.rollback()
    assert first_review(db, plan).held_on is None


def test_each_objective_needs_its_progress_and_evidence(db, setting):
    plan, review, sia = setting
    objectives = services.plan_in_force(plan.series_id).objectives
    data = record_data(plan, sia)
    data.progress[objectives[1].id] = services.ObjectiveJudgement("some_progress", " ")
    with pytest.raises(DomainError, match="evidence of progress on objective 2") as refused:
        services.record_midpoint_review(sia, review, data)
    assert refused.value.field == f"evidence_{objectives[1].id}"
    del data.progress[objectives[0].id]
    with pytest.raises(DomainError, match="progress made on objective 1"):
        services.record_midpoint_review(sia, review, data)


def test_only_an_sia_or_administrator_leads_the_review(db, setting, create_user):
    plan, review, sia = setting
    adviser = create_user("link_adviser")
    with pytest.raises(DomainError, match="School Improvement Adviser who led"):
        services.record_midpoint_review(sia, review, record_data(plan, sia, led_by_id=adviser.id))
    admin = create_user("admin")
    services.record_midpoint_review(admin, review, record_data(plan, sia, led_by_id=admin.id))
    assert review.led_by_id == admin.id


def test_progress_is_judged_on_the_version_in_force(db, setting):
    plan, review, sia = setting
    head = plan.school_signed_by
    new = services.amend_plan(sia, plan, reason="Add a reading objective")
    objective = services.add_objective(sia, new, "Reading for pleasure")
    services.add_criterion(sia, objective, measure="Reading", baseline="1", target="2", by_when=TODAY)
    services.add_action(sia, objective, services.ActionData(what="Library", owner_id=None, owner_role="Head",
                                                            starts_on=TODAY, due_on=TODAY))
    services.submit_plan(sia, new)
    services.sign_off_plan(head, new, on=TODAY - timedelta(days=40))
    services.sign_off_plan(sia, new, on=TODAY - timedelta(days=40))
    db.session.commit()
    assert services.plan_in_force(plan.series_id).id == new.id
    # Progress on the superseded version's objectives does not cover the new objective.
    stale = services.MidpointRecord(**{**record_data(plan, sia).__dict__, "progress": {
        o.id: services.ObjectiveJudgement("on_track", "e") for o in plan.objectives}})
    with pytest.raises(DomainError, match="progress made on objective 1"):
        services.record_midpoint_review(sia, review, stale)
    db.session.rollback()
    services.record_midpoint_review(sia, review, record_data(plan, sia))
    db.session.commit()
    assert {p.objective_id for p in review.progress} == {o.id for o in new.objectives}
    assert len(review.progress) == 3


def test_de_escalating_moves_the_school_to_enhanced_support(db, setting, client):
    plan, review, sia = setting
    school = plan.school
    school.is_vulnerable, school.has_significant_underachievement = True, True
    db.session.commit()
    sign_in(client, sia.email)
    response = submit(client, record_url(review), form_data(plan, review, sia, outcome="de_escalate",
                                                            adequate_improvement="yes"), form_url=record_url(review))
    assert response.status_code == 302
    school = db.session.get(School, plan.school_id)
    assert (school.support_tier, school.mcs_level, school.cause_for_concern) == ("enhanced", 2, None)
    assert not school.is_vulnerable and not school.has_significant_underachievement
    assert school.support_tier_since == TODAY
    saved = first_review(db, plan)
    decision = db.session.get(SupportDecision, saved.decision_id)
    assert (decision.support_tier, decision.mcs_level, decision.previous_tier) == ("enhanced", 2, "significant")
    assert f"Mid-point review held on {format_date(HELD)}" in decision.reason and "adequate improvement" in decision.reason
    assert count(db, MidpointReview) == 1  # no further review
    assert "Enhanced, level 2" in text_of(client.get(review_url(review)))


def test_refusing_de_escalation_saves_nothing(db, setting, client):
    plan, review, sia = setting
    sign_in(client, sia.email)
    response = submit(client, record_url(review), form_data(plan, review, sia, outcome="de_escalate",
                                                            adequate_improvement="no"), form_url=record_url(review))
    page = text_of(response)
    assert response.status_code == 422 and "only where adequate improvement is evidenced" in page
    assert "Typed summary of the review" in page and "Typed evidence 2" in page
    school = db.session.get(School, plan.school_id)
    assert (school.support_tier, school.mcs_level) == ("significant", 3)
    assert first_review(db, plan).held_on is None
    assert count(db, ObjectiveProgress) == 0 and count(db, SupportDecision) == 0


def test_a_failure_in_the_support_change_undoes_the_whole_review(db, setting, client, monkeypatch):
    """The review, its progress, the notice and the support change are one transaction."""
    from lea_support.rap.services import monitoring

    plan, review, sia = setting

    def refuse(*args, **kwargs):
        raise DomainError("Support could not be changed", field="outcome")

    monkeypatch.setattr(monitoring, "change_support", refuse)
    sign_in(client, sia.email)
    response = submit(client, record_url(review), form_data(
        plan, review, sia, outcome="improvement_notice", improvements="Raise standards in writing",
        comply_by=dmy(TODAY + timedelta(days=90))), form_url=record_url(review))
    assert response.status_code == 422 and "Support could not be changed" in text_of(response)
    assert first_review(db, plan).held_on is None
    assert count(db, ImprovementNotice) == 0 and count(db, ObjectiveProgress) == 0
    school = db.session.get(School, plan.school_id)
    assert (school.support_tier, school.mcs_level) == ("significant", 3)
    assert count(db, SchoolEvent, SchoolEvent.kind == "midpoint_held") == 0


def test_an_improvement_notice_outcome_issues_the_notice_and_raises_the_level(db, setting, client):
    plan, review, sia = setting
    sign_in(client, sia.email)
    response = submit(client, record_url(review), form_data(
        plan, review, sia, outcome="improvement_notice", capacity_grade="6",
        improvements="Raise standards in writing", comply_by=dmy(TODAY + timedelta(days=90))),
        form_url=record_url(review))
    assert response.status_code == 302
    notice = db.session.scalars(select(ImprovementNotice)).one()
    saved = first_review(db, plan)
    assert (notice.midpoint_review_id, notice.plan_id, notice.school_id) == (saved.id, plan.series_id, plan.school_id)
    assert notice.issued_on == HELD and notice.comply_by == TODAY + timedelta(days=90)
    assert notice.issued_by_id == sia.id and notice.status == "issued"
    school = db.session.get(School, plan.school_id)
    assert (school.support_tier, school.mcs_level) == ("significant", 4)
    assert db.session.get(SupportDecision, saved.decision_id).mcs_level == 4
    page = text_of(client.get(f"/plans/{plan.id}"))
    assert f"comply by {format_date(TODAY + timedelta(days=90))}" in page
    assert f"Improvement Notice issued: the school must comply by {format_date(TODAY + timedelta(days=90))}" in \
        text_of(client.get(f"/schools/{school.urn}"))


def test_a_notice_leaves_a_school_already_at_level_5_where_it_is(db, setting):
    plan, review, sia = setting
    plan.school.mcs_level = 5
    db.session.commit()
    services.record_midpoint_review(sia, review, record_data(
        plan, sia, outcome="improvement_notice", improvements="Governance", comply_by=TODAY + timedelta(days=30)))
    db.session.commit()
    assert review.decision_id is None and plan.school.mcs_level == 5
    assert count(db, ImprovementNotice) == 1


def test_recommending_cause_for_concern_designates_the_school(db, setting):
    plan, review, sia = setting
    services.record_midpoint_review(sia, review, record_data(plan, sia, outcome="cause_for_concern",
                                                             capacity_grade=6))
    db.session.commit()
    school = plan.school
    assert (school.support_tier, school.mcs_level, school.cause_for_concern) == ("significant", 5, "la")
    decision = db.session.get(SupportDecision, review.decision_id)
    assert decision.cause_for_concern == "la" and "cause for concern recommended" in decision.reason


def test_a_second_save_of_the_review_gets_a_conflict_and_keeps_what_was_typed(db, setting, client, create_user):
    plan, review, sia = setting
    other = create_user("sia")
    stale = review.version_id
    services.record_midpoint_review(other, review, record_data(plan, other, summary="Theirs"))
    db.session.commit()
    sign_in(client, sia.email)
    response = submit(client, record_url(review), form_data(plan, review, sia, version_id=str(stale),
                                                            summary="Mine, typed"),
                      form_url=f"/plans/{plan.id}")
    page = text_of(response)
    assert response.status_code == 409
    assert "Someone else saved this review" in page and "Mine, typed" in page and "Typed evidence 1" in page
    assert first_review(db, plan).summary == "Theirs"
    assert count(db, MidpointReview) == 2  # only the first save's further review


def test_the_record_page_of_a_held_review_goes_back_to_the_review(db, setting, client):
    plan, review, sia = setting
    services.record_midpoint_review(sia, review, record_data(plan, sia))
    db.session.commit()
    sign_in(client, sia.email)
    response = client.get(record_url(review))
    assert response.status_code == 302 and response.headers["Location"].endswith(review_url(review))


def test_a_review_is_reached_only_through_its_own_plan(db, setting, create_plan, client):
    plan, review, sia = setting
    other = create_plan(sia=sia, agreed_on=AGREED)
    sign_in(client, sia.email)
    assert client.get(f"/plans/{other.id}/midpoint-reviews/{review.id}").status_code == 404
    assert client.get(f"/plans/{plan.id}/midpoint-reviews/{review.id}").status_code == 200


# --- upcoming reviews ----------------------------------------------------------------------------

def test_upcoming_reviews_are_the_overdue_and_those_due_within_the_notice_window(app, db, create_plan, create_user):
    sia = create_user("sia")
    dates = {"overdue": TODAY - timedelta(days=3), "today": TODAY, "edge": TODAY + timedelta(days=14),
             "later": TODAY + timedelta(days=15), "held": TODAY - timedelta(days=1)}
    reviews = {}
    for name, day in dates.items():
        plan = create_plan(sia=sia, agreed_on=TODAY - timedelta(days=100))
        review = first_review(db, plan)
        review.scheduled_on = day
        reviews[name] = review
    db.session.commit()
    services.record_midpoint_review(sia, reviews["held"], record_data(
        services.plan_in_force(reviews["held"].plan_id), sia, outcome="cause_for_concern"))
    db.session.commit()
    assert app.config["MIDPOINT_NOTICE_DAYS"] == 14

    with recorded_statements() as seen:
        upcoming = services.upcoming_midpoint_reviews(TODAY)
        names = [r.school.name for r in upcoming]
    assert len([q for q in seen if q.lstrip().upper().startswith("SELECT")]) == 1
    assert names == [reviews[n].school.name for n in ("overdue", "today", "edge")]
    assert [r.id for r in services.upcoming_midpoint_reviews(TODAY, within_days=0)] == [
        reviews["overdue"].id, reviews["today"].id]


# --- Improvement Notices -------------------------------------------------------------------------

@pytest.fixture
def notice_setting(db, create_school, create_user):
    school = create_school(name="St Anne's & St Paul's <Primary>", support_tier="light_touch", mcs_level=1)
    sia = create_user("sia", name="Sam Adviser")
    return school, sia


def test_a_notice_issued_from_the_school_page(db, notice_setting, client):
    school, sia = notice_setting
    sign_in(client, sia.email)
    assert "Improvement Notices" in text_of(client.get(f"/schools/{school.urn}"))
    url = f"/schools/{school.urn}/notices/new"
    response = submit(client, url, {"issued_on": dmy(None), "improvements": "Leadership of <maths>",
                                    "comply_by": dmy(TODAY + timedelta(days=60))})
    assert response.status_code == 302
    notice = db.session.scalars(select(ImprovementNotice)).one()
    assert notice.issued_on == TODAY and notice.issued_by_id == sia.id and notice.plan_id is None
    assert notice.improvements == "Leadership of <maths>"
    school = db.session.get(School, school.id)
    assert (school.support_tier, school.mcs_level) == ("significant", 4) and school.support_tier_since == TODAY
    page = text_of(client.get(f"/notices/{notice.id}"))
    assert "Leadership of <maths>" in page and f"{format_date(TODAY + timedelta(days=60))}" in page
    assert "Improvement Notice issued" in text_of(client.get(f"/schools/{school.urn}"))
    assert f"/notices/{notice.id}" in text_of(client.get(f"/schools/{school.urn}/notices"))


def test_a_notice_on_a_school_with_a_plan_is_listed_on_the_plan(db, setting, client):
    plan, review, sia = setting
    notice = services.issue_improvement_notice(sia, plan.school, improvements="Attendance",
                                               comply_by=TODAY + timedelta(days=30))
    db.session.commit()
    assert notice.plan_id == plan.series_id
    sign_in(client, sia.email)
    assert f"/notices/{notice.id}" in text_of(client.get(f"/plans/{plan.id}"))


@pytest.mark.parametrize("values, field, message", [
    ({"improvements": " "}, "improvements", "Enter what the school must improve"),
    ({"comply_by": None}, "comply_by", "Enter the date the school must comply by"),
    ({"comply_by": TODAY}, "comply_by", "must be after the notice is issued"),
    ({"issued_on": TODAY + timedelta(days=1)}, "issued_on", "in the future"),
])
def test_issuing_a_notice_refuses_what_is_missing(db, notice_setting, values, field, message):
    school, sia = notice_setting
    kw = {"improvements": "Writing", "comply_by": TODAY + timedelta(days=30), **values}
    with pytest.raises(DomainError, match=message) as refused:
        services.issue_improvement_notice(sia, school, **kw)
    assert refused.value.field == field


def test_a_refused_notice_keeps_what_was_typed_and_saves_nothing(db, notice_setting, client):
    school, sia = notice_setting
    sign_in(client, sia.email)
    response = submit(client, f"/schools/{school.urn}/notices/new",
                      {"issued_on": dmy(None), "improvements": "Typed improvements", "comply_by": dmy(TODAY)})
    assert response.status_code == 422 and "Typed improvements" in text_of(response)
    assert count(db, ImprovementNotice) == 0
    assert db.session.get(School, school.id).support_tier == "light_touch"


def test_a_notice_without_its_comply_by_date_says_so_in_words(db, notice_setting, client):
    school, sia = notice_setting
    sign_in(client, sia.email)
    response = submit(client, f"/schools/{school.urn}/notices/new",
                      {"issued_on": dmy(None), "improvements": "Typed improvements", "comply_by": dmy(None)})
    assert response.status_code == 422
    assert "Enter the date the school must comply by" in text_of(response)
    assert "Typed improvements" in text_of(response) and count(db, ImprovementNotice) == 0


def read_pdf(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_notice_letter_as_a_pdf(db, notice_setting, client, create_user):
    school, sia = notice_setting
    notice = services.issue_improvement_notice(sia, school, improvements="Raise standards in <writing> & maths",
                                               comply_by=TODAY + timedelta(days=60))
    db.session.commit()
    head = create_user("school_leader", schools=[school])
    sign_in(client, head.email)
    assert client.get(f"/notices/{notice.id}").status_code == 200
    response = client.get(f"/notices/{notice.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="improvement-notice-{school.urn}-{TODAY.isoformat()}.pdf"'
    text = read_pdf(response.data)
    for expected in ("St Anne's & St Paul's <Primary>", f"URN {school.urn}", "Raise standards in <writing> & maths",
                     f"{format_date(TODAY + timedelta(days=60))}", "Sam Adviser", f"{format_date(TODAY)}"):
        assert expected in text, expected


def test_a_notice_is_marked_complied_with_a_date_and_reason(db, notice_setting, client):
    school, sia = notice_setting
    notice = services.issue_improvement_notice(sia, school, improvements="Writing", comply_by=TODAY + timedelta(days=1),
                                               issued_on=TODAY - timedelta(days=30))
    db.session.commit()
    sign_in(client, sia.email)
    response = submit(client, f"/notices/{notice.id}/status", {
        "version_id": str(notice.version_id), "status": "complied", "on": dmy(TODAY),
        "reason": "Writing at expected rose to 68%"}, form_url=f"/notices/{notice.id}")
    assert response.status_code == 302
    notice = db.session.get(ImprovementNotice, notice.id)
    assert (notice.status, notice.status_changed_on, notice.status_reason) == (
        "complied", TODAY, "Writing at expected rose to 68%")
    assert f"complied with on {format_date(TODAY)}: Writing at expected rose to 68%" in text_of(
        client.get(f"/schools/{school.urn}"))
    with pytest.raises(DomainError, match="already marked complied"):
        services.change_notice_status(sia, notice, status="escalated", on=TODAY, reason="Changed mind")


def test_escalating_a_notice_shows_on_the_timeline(db, notice_setting, client):
    school, sia = notice_setting
    notice = services.issue_improvement_notice(sia, school, improvements="Writing", comply_by=TODAY + timedelta(days=1),
                                               issued_on=TODAY - timedelta(days=30))
    services.change_notice_status(sia, notice, status="escalated", on=TODAY, reason="No improvement by the date")
    db.session.commit()
    sign_in(client, sia.email)
    assert "escalated on" in text_of(client.get(f"/schools/{school.urn}"))
    assert "Escalated" in text_of(client.get(f"/notices/{notice.id}"))


@pytest.mark.parametrize("values, field, message", [
    ({"status": "issued"}, "status", "complied or the notice was escalated"),
    ({"on": None}, "on", "Enter the date"),
    ({"on": TODAY + timedelta(days=1)}, "on", "cannot be in the future"),
    ({"on": TODAY - timedelta(days=31)}, "on", "before the notice was issued"),
    ({"reason": ""}, "reason", "Enter the reason"),
])
def test_a_notice_status_change_refuses_what_is_missing(db, notice_setting, values, field, message):
    school, sia = notice_setting
    notice = services.issue_improvement_notice(sia, school, improvements="Writing", comply_by=TODAY + timedelta(days=1),
                                               issued_on=TODAY - timedelta(days=30))
    kw = {"status": "complied", "on": TODAY, "reason": "Done", **values}
    with pytest.raises(DomainError, match=message) as refused:
        services.change_notice_status(sia, notice, **kw)
    assert refused.value.field == field


def test_a_stale_notice_status_change_gets_a_conflict(db, notice_setting, client, create_user):
    school, sia = notice_setting
    notice = services.issue_improvement_notice(sia, school, improvements="Writing", comply_by=TODAY + timedelta(days=1),
                                               issued_on=TODAY - timedelta(days=30))
    db.session.commit()
    stale = notice.version_id
    services.change_notice_status(create_user("admin"), notice, status="escalated", on=TODAY, reason="Theirs")
    db.session.commit()
    sign_in(client, sia.email)
    response = submit(client, f"/notices/{notice.id}/status", {
        "version_id": str(stale), "status": "complied", "on": dmy(TODAY), "reason": "Mine, typed"},
        form_url=f"/notices/{notice.id}")
    page = text_of(response)
    assert response.status_code == 409 and "Someone else changed this Improvement Notice" in page
    assert "Mine, typed" in page
    assert db.session.get(ImprovementNotice, notice.id).status_reason == "Theirs"


# --- the escalation watch ------------------------------------------------------------------------

def year_ago(days: int = 0) -> date:
    try:
        return TODAY.replace(year=TODAY.year - 1) - timedelta(days=days)
    except ValueError:
        return TODAY.replace(year=TODAY.year - 1, day=28) - timedelta(days=days)


@pytest.fixture
def watched(db, create_school):
    """Schools in significant support: some the watch should list, some it should not."""
    def school(name: str, **kw):
        values = dict(name=name, support_tier="significant", mcs_level=3, is_vulnerable=True,
                      support_tier_since=year_ago(30))
        values.update(kw)
        return create_school(**values)

    return {
        "listed": school("Listed for 13 months"),
        "exactly_a_year": school("Exactly a year", support_tier_since=year_ago()),
        "old_improvement": school("Improved before entering the tier"),
        "improved": school("Improved since"),
        "recent": school("Not a year yet", support_tier_since=year_ago(-1)),
        "not_vulnerable": school("Not vulnerable", is_vulnerable=False),
        "designated": school("Already a cause for concern", cause_for_concern="ofsted", mcs_level=5),
        "enhanced": school("Enhanced support", support_tier="enhanced", mcs_level=2),
        "closed": school("Closed", status="Closed"),
    }


def test_the_escalation_watch_lists_vulnerable_schools_a_year_in_significant_support(db, watched, create_plan,
                                                                                   create_user):
    sia = create_user("sia")
    for key, held in (("improved", HELD), ("old_improvement", year_ago(40))):
        plan = create_plan(school=watched[key], sia=sia, agreed_on=held - timedelta(days=70))
        services.record_midpoint_review(sia, first_review(db, plan), record_data(
            plan, sia, held_on=held, adequate_improvement=True, further_review_on=TODAY + timedelta(days=10)))
    db.session.commit()
    rows = services.escalation_watch(TODAY)
    # Longest in the tier first; a review that evidenced improvement before the school entered
    # its tier does not count.
    assert [r.school.name for r in rows] == ["Improved before entering the tier", "Listed for 13 months",
                                             "Exactly a year"]
    by_name = {r.school.name: r for r in rows}
    assert by_name["Exactly a year"].time_in_tier == "1 year"
    assert by_name["Listed for 13 months"].time_in_tier.startswith("1 year, 1 month")


@pytest.mark.parametrize("since, today, expected", [
    (date(2025, 3, 15), date(2026, 3, 15), "1 year"),
    (date(2025, 3, 15), date(2026, 3, 14), "11 months"),
    (date(2024, 1, 31), date(2026, 3, 1), "2 years, 1 month"),
    (date(2026, 3, 1), date(2026, 3, 20), "less than a month"),
])
def test_time_in_tier(since, today, expected):
    assert services.time_in_tier(since, today) == expected


def test_the_escalation_watch_page_links_to_the_support_decision(db, watched, client, login_as):
    login_as("sia")
    page = text_of(client.get("/escalation-watch"))
    assert "Listed for 13 months" in page and "1 year, 1 month" in page
    assert f"/schools/{watched['listed'].urn}/support" in page
    assert "Not vulnerable" not in page and "Already a cause for concern" not in page


def test_the_escalation_watch_takes_a_fixed_number_of_queries(db, create_school, create_user, client):
    sia = create_user("sia")
    sign_in(client, sia.email)

    def add(n: int) -> None:
        for i in range(n):
            adviser = create_user("link_adviser")
            create_school(name=f"Watched {i}", support_tier="significant", mcs_level=3, is_vulnerable=True,
                          support_tier_since=year_ago(10 + i), link_adviser_id=adviser.id)

    add(1)
    before = count_queries(client, "/escalation-watch")
    add(4)
    assert count_queries(client, "/escalation-watch") == before
    assert text_of(client.get("/escalation-watch")).count("Decide support") == 5


def test_the_escalation_watch_query_uses_the_tier_since_index(db, watched):
    """The planner's choice, read back from the database (SQLite and PostgreSQL say it differently)."""
    from lea_support.rap.services import monitoring

    bind = db.session.get_bind()
    sql = str(monitoring.escalation_query(TODAY).compile(bind, compile_kwargs={"literal_binds": True}))
    connection = db.session.connection()
    if bind.dialect.name == "sqlite":
        plan = " ".join(str(row) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
    else:
        # A handful of rows would be read by a sequential scan: ask what the planner does at scale.
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = " ".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {sql}"))
    assert "ix_schools_tier_since" in plan, plan
