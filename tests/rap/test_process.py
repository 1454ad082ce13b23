"""Issue 18, item 4: monitoring that keeps to the process, through the record form."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from lea_support.core.terms import format_date
from lea_support.rap.models import ImprovementNotice, MidpointReview, RaisingAchievementPlan
from tests.conftest import sign_in, submit
from tests.rap.test_monitoring import (  # noqa: F401  (setting, notice_setting: the fixtures)
    AGREED,
    TODAY,
    count,
    dmy,
    first_review,
    form_data,
    notice_setting,
    record_url,
    review_url,
    setting,
    text_of,
)


def test_a_review_outside_the_window_needs_a_reason(db, setting, client):
    plan, review, sia = setting
    sign_in(client, sia.email)
    early = AGREED + timedelta(weeks=6)  # before the 8-16 week window
    page = text_of(client.get(record_url(review)))
    assert "Needed if the review was held outside the window" in page
    refused = submit(client, record_url(review), form_data(plan, review, sia, held_on=dmy(early)))
    assert refused.status_code == 422
    assert "held outside the 8 to 16 week window" in text_of(refused) and "Typed summary of the review" in \
        text_of(refused)
    assert first_review(db, plan).held_on is None
    done = submit(client, record_url(review), form_data(plan, review, sia, held_on=dmy(early),
                                                        off_window_reason="The head was on long-term leave"),
                  form_url=record_url(review))
    assert done.status_code == 302
    saved = first_review(db, plan)
    assert saved.held_on == early and saved.off_window_reason == "The head was on long-term leave"


def test_capacity_is_judged_by_both_the_sia_and_the_link_adviser(db, setting, client):
    plan, review, sia = setting
    sign_in(client, sia.email)
    refused = submit(client, record_url(review), form_data(plan, review, sia, adviser_capacity_grade=""))
    assert refused.status_code == 422 and "the link adviser&#39;s judgement" in refused.get_data(as_text=True)
    done = submit(client, record_url(review), form_data(plan, review, sia, capacity_grade="4",
                                                        adviser_capacity_grade="5"), form_url=record_url(review))
    assert done.status_code == 302
    saved = first_review(db, plan)
    assert (saved.capacity_grade, saved.adviser_capacity_grade) == (4, 5)
    assert saved.link_adviser_id == plan.school.link_adviser_id is not None
    page = text_of(client.get(f"/plans/{plan.id}/midpoint-reviews/{saved.id}"))
    assert "Capacity to improve: the link adviser" in page


def test_a_notice_where_capacity_is_good_needs_a_reason_and_a_further_review_follows(db, setting, client):
    plan, review, sia = setting
    sign_in(client, sia.email)
    notice = dict(outcome="improvement_notice", improvements="Raise standards in writing",
                  comply_by=dmy(TODAY + timedelta(days=90)), capacity_grade="3", adviser_capacity_grade="5",
                  notice_review_on=dmy(TODAY + timedelta(days=60)))
    refused = submit(client, record_url(review), form_data(plan, review, sia, **notice))
    assert refused.status_code == 422 and "good or better" in text_of(refused)
    no_date = submit(client, record_url(review), form_data(plan, review, sia, **{
        **notice, "capacity_reason": "Leaders are new and untested", "notice_review_on": dmy(None)}))
    assert no_date.status_code == 422 and "further review after the notice" in text_of(no_date)
    assert db.session.scalar(select(ImprovementNotice.id)) is None
    done = submit(client, record_url(review), form_data(plan, review, sia, **{
        **notice, "capacity_reason": "Leaders are new and untested"}), form_url=record_url(review))
    assert done.status_code == 302
    issued = db.session.scalars(select(ImprovementNotice)).one()
    assert issued.capacity_reason == "Leaders are new and untested"
    further = db.session.scalars(select(MidpointReview).where(MidpointReview.sequence == 2)).one()
    assert further.scheduled_on == TODAY + timedelta(days=60) and further.held_on is None


def test_a_direct_notice_after_a_good_capacity_judgement_needs_a_reason(db, setting, client):
    plan, review, sia = setting
    sign_in(client, sia.email)
    assert submit(client, record_url(review), form_data(plan, review, sia, capacity_grade="2",
                                                        adviser_capacity_grade="3")).status_code == 302
    url = f"/schools/{plan.school.urn}/notices/new"
    data = {"issued_on": dmy(None), "improvements": "Governance", "comply_by": dmy(TODAY + timedelta(days=30))}
    refused = submit(client, url, data)
    assert refused.status_code == 422 and "good or better" in text_of(refused)
    assert submit(client, url, {**data, "capacity_reason": "Governors have resigned"}).status_code == 302
    assert db.session.scalars(select(ImprovementNotice)).one().capacity_reason == "Governors have resigned"


def test_a_direct_notice_schedules_the_further_review_on_its_date(db, setting, client):
    """Once the plan's reviews are all held, a notice issued directly schedules the project team's
    further review, and is refused without its date (what was typed is kept)."""
    plan, review, sia = setting
    sign_in(client, sia.email)
    assert submit(client, record_url(review), form_data(plan, review, sia, outcome="cause_for_concern"),
                  form_url=record_url(review)).status_code == 302
    url = f"/schools/{plan.school.urn}/notices/new"
    assert "Date of the further review" in text_of(client.get(url))
    data = {"issued_on": dmy(None), "improvements": "Typed improvements", "comply_by": dmy(TODAY + timedelta(days=60))}
    refused = submit(client, url, {**data, "further_review_on": dmy(None)})
    assert refused.status_code == 422 and "Enter the date of the further review" in text_of(refused)
    assert "Typed improvements" in text_of(refused)
    too_soon = submit(client, url, {**data, "further_review_on": dmy(TODAY)})
    assert too_soon.status_code == 422
    assert f"The further review must be after the notice is issued ({format_date(TODAY)})" in text_of(too_soon)
    assert count(db, ImprovementNotice) == 0 and count(db, MidpointReview) == 1
    assert submit(client, url, {**data, "further_review_on": dmy(TODAY + timedelta(days=50))}).status_code == 302
    notice = db.session.scalars(select(ImprovementNotice)).one()
    assert notice.plan_id == plan.series_id and notice.midpoint_review_id is None
    further = db.session.scalars(select(MidpointReview).where(MidpointReview.sequence == 2)).one()
    assert (further.plan_id, further.scheduled_on, further.held_on) == (plan.series_id, TODAY + timedelta(days=50), None)
    assert f"Further review scheduled for {format_date(TODAY + timedelta(days=50))}" in \
        text_of(client.get(f"/schools/{plan.school.urn}"))
    assert review_url(further) in text_of(client.get(f"/plans/{plan.id}"))


def test_a_direct_notice_before_the_next_review_keeps_that_review(db, setting, client):
    """The mid-point review still to come reviews progress after the notice: no date is asked."""
    plan, review, sia = setting
    sign_in(client, sia.email)
    url = f"/schools/{plan.school.urn}/notices/new"
    form = text_of(client.get(url))
    assert "Date of the further review" not in form
    assert f"mid-point review already scheduled for {format_date(review.scheduled_on)}" in form
    assert submit(client, url, {"issued_on": dmy(None), "improvements": "Attendance",
                                "comply_by": dmy(TODAY + timedelta(days=60))}).status_code == 302
    assert count(db, MidpointReview) == 1 and count(db, ImprovementNotice) == 1


def test_a_direct_notice_without_a_plan_says_when_the_review_comes(db, notice_setting, client):
    school, sia = notice_setting
    sign_in(client, sia.email)
    form = text_of(client.get(f"/schools/{school.urn}/notices/new"))
    assert "Date of the further review" not in form
    assert "has no agreed Raising Achievement Plan: its mid-point review is scheduled when a plan is agreed" in form


def test_de_escalation_closes_the_plan_with_its_outcome(db, setting, client):
    plan, review, sia = setting
    sign_in(client, sia.email)
    done = submit(client, record_url(review), form_data(plan, review, sia, outcome="de_escalate",
                                                        adequate_improvement="yes"))
    assert done.status_code == 302
    closed = db.session.get(RaisingAchievementPlan, plan.id)
    assert closed.status == "closed" and closed.closed_on == first_review(db, plan).held_on
    assert "adequate improvement evidenced" in closed.closure_outcome
    assert "Closed" in text_of(client.get(f"/plans/{plan.id}"))


def test_the_review_of_an_academy_does_not_offer_an_improvement_notice(db, client, create_plan, create_school,
                                                                      create_user):
    """The service refuses a notice to an academy, so the form does not offer it, and says why and
    what the LA can do instead."""
    adviser = create_user("link_adviser")
    academy = create_school(name="Brookfield Academy", type_name="Academy converter", type_group="Academies",
                            support_tier="significant", mcs_level=3, link_adviser_id=adviser.id)
    sia = create_user("sia")
    plan = create_plan(school=academy, sia=sia, agreed_on=AGREED)
    review = first_review(db, plan)
    sign_in(client, sia.email)
    page = client.get(record_url(review)).get_data(as_text=True)
    assert 'value="improvement_notice"' not in page and 'value="cause_for_concern"' in page
    assert "Brookfield Academy is an academy: a local authority cannot give it an Improvement Notice" in page
    assert f'href="/schools/{academy.urn}/referrals/new">Refer a concern to the DfE regional director</a>' in page
    refused = submit(client, record_url(review), form_data(plan, review, sia, outcome="improvement_notice",
                                                           improvements="Writing",
                                                           comply_by=dmy(TODAY + timedelta(days=60))))
    assert refused.status_code == 422 and count(db, ImprovementNotice) == 0
