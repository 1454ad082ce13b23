"""Issue 18, item 3: a review that can be published is a review that happened, and the review is
joint (the school's participants see it, record the school's view, read the evaluation once shared)."""
from __future__ import annotations

from datetime import date, timedelta

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from lea_support.reviews import reporting
from lea_support.reviews import services as reviews
from lea_support.reviews.models import (
    AspectEvaluation,
    FieldworkEvidence,
    JointReview,
    PreReviewItem,
    PublishedReviewReport,
    SchoolAspectView,
)
from tests.conftest import make_review_happen, sign_in, submit

TODAY = date.today()


def _client(app, user):
    client = app.test_client()
    assert sign_in(client, user.email).status_code == 302
    return client


def _drafted(db, create_review, create_user, **kw) -> JointReview:
    """A review at "report drafted" with its evaluation and report complete, and nothing else."""
    review = create_review(stage="evaluation", lead=create_user("sia"), **kw)
    reporting.record_evaluation(review.lead, review, [
        reporting.AspectJudgement(aspect_id=a.id, agreed_grade=2) for a in review.framework.aspects],
        overall_grade=2, overall_rationale="")
    reporting.save_findings(review.lead, review, [reporting.FindingData("works_well", "Reading"),
                                                  reporting.FindingData("more_effective", "Writing")])
    db.session.commit()
    return review


def test_publishing_a_review_that_did_not_happen_lists_everything_missing_each_linked(app, db, create_review,
                                                                                      create_user):
    review = _drafted(db, create_review, create_user, starts_on=TODAY + timedelta(days=3))
    db.session.add(FieldworkEvidence(review_id=review.id, kind="discussion", discussion_with="pupils",
                                     occurred_on=TODAY + timedelta(days=4), summary="Not yet held"))
    db.session.commit()
    lead = _client(app, review.lead)
    draft_url = f"/reviews/{review.id}/report-draft"
    response = submit(lead, f"/reviews/{review.id}/publish", {}, form_url=draft_url)
    assert response.status_code == 422
    summary = BeautifulSoup(response.get_data(as_text=True), "html.parser").select_one(".govuk-error-summary")
    links = {a.get_text(" ", strip=True): a["href"] for a in summary.select("a")}
    texts = " | ".join(links)
    assert "Pre-review: mark \u201cSchool Improvement Plan\u201d as seen or not available" in texts
    assert "There are no key questions" in texts
    assert "in the future: a review is published once it has happened" in texts
    assert "is dated in the future: correct its date" in texts
    assert "Curriculum is judged with no fieldwork evidence behind it" in texts
    assert sum("Pre-review" in t for t in links) == 5  # every item, all at once
    assert all(href.endswith(f"/reviews/{review.id}/pre-review") for t, href in links.items() if "Pre-review" in t)
    assert any(href.endswith("#key-questions") for t, href in links.items() if "key questions" in t)
    assert db.session.scalar(select(func.count()).select_from(PublishedReviewReport)) == 0


def test_an_item_not_available_needs_a_note_and_then_the_review_publishes(app, db, create_review, create_user):
    review = make_review_happen(_drafted(db, create_review, create_user))
    item = db.session.scalars(select(PreReviewItem).where(PreReviewItem.review_id == review.id,
                                                          PreReviewItem.kind == "ofsted_report")).one()
    item.status, item.notes = "not_available", ""
    db.session.commit()
    assert [p for p in reporting.publication_problems(review)] == [
        "Pre-review: \u201cLatest Ofsted report\u201d is marked not available: add a note saying why"]
    item.notes = "Not inspected since it opened"
    db.session.commit()
    lead = _client(app, review.lead)
    response = submit(lead, f"/reviews/{review.id}/publish", {}, form_url=f"/reviews/{review.id}/report-draft")
    assert response.status_code == 302
    assert db.session.get(JointReview, review.id).stage == "published"


def test_a_head_named_as_a_participant_takes_part_in_the_joint_review(app, db, create_school, create_user):
    school = create_school(support_tier="significant", mcs_level=3)
    head = create_user("school_leader", schools=[school], name="Chris Head")
    sia = create_user("sia")
    review = reviews.plan_review(sia, school, lead=sia, starts_on=TODAY - timedelta(days=10),
                                 school_participants=[("Chris Head", "Headteacher")])
    db.session.commit()
    assert [(m.user_id, m.team_role) for m in review.team if m.team_role == "school"] == [(head.id, "school")]
    reviews.add_key_question(sia, review, "How well do pupils read?")
    reviews.change_stage(sia, review, "pre_review")
    reviews.change_stage(sia, review, "fieldwork")
    db.session.commit()
    head_client = _client(app, head)
    page = head_client.get(f"/reviews/{review.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "How well do pupils read?" in text and "view of each aspect" in text
    assert f"/reviews/{review.id}" in head_client.get(f"/schools/{school.urn}/reviews").get_data(as_text=True)

    # The school records its own view of an aspect; the SIA's agreed judgement is kept apart.
    aspects = review.framework.aspects
    form = {f"aspects-{i}-aspect_id": str(a.id) for i, a in enumerate(aspects)}
    form.update({"aspects-0-grade": "2", "aspects-0-comment": "Our tracking shows strong progress"})
    response = submit(head_client, f"/reviews/{review.id}/school-view", form)
    assert response.status_code == 302
    view = db.session.scalars(select(SchoolAspectView)).one()
    assert (view.aspect_id, view.grade, view.comment, view.recorded_by_id) == (
        aspects[0].id, 2, "Our tracking shows strong progress", head.id)
    bad = submit(head_client, f"/reviews/{review.id}/school-view", {**form, "aspects-0-grade": "9"})
    assert bad.status_code == 422 and "Our tracking shows strong progress" in bad.get_data(as_text=True)

    # The evaluation: not the school's to read until the lead shares it.
    reviews.change_stage(sia, review, "evaluation")
    reporting.record_evaluation(sia, review, [reporting.AspectJudgement(aspect_id=aspects[0].id, agreed_grade=4)],
                                overall_grade=None, overall_rationale="")
    db.session.commit()
    assert head_client.get(f"/reviews/{review.id}/evaluation").status_code == 403
    assert db.session.scalars(select(AspectEvaluation)).one().agreed_grade == 4
    assert head_client.post(f"/reviews/{review.id}/share-evaluation").status_code in (400, 403)
    lead = _client(app, sia)
    assert "Our tracking shows strong progress" in lead.get(f"/reviews/{review.id}/evaluation").get_data(as_text=True)
    shared = submit(lead, f"/reviews/{review.id}/share-evaluation", {}, form_url=f"/reviews/{review.id}/evaluation")
    assert shared.status_code == 302
    assert db.session.get(JointReview, review.id).evaluation_shared_by_id == sia.id
    assert head_client.get(f"/reviews/{review.id}/evaluation").status_code == 200
    again = submit(lead, f"/reviews/{review.id}/share-evaluation", {}, form_url=f"/reviews/{review.id}/evaluation")
    assert again.status_code == 302  # told it was already shared, nothing changes


def test_only_the_schools_participants_record_its_view(app, db, create_review, create_user):
    review = create_review(stage="fieldwork")
    other_head = create_user("school_leader", schools=[review.school])  # a leader, not on the review
    for user in (review.lead, other_head, create_user("governor", schools=[review.school])):
        client = _client(app, user)
        token_page = "/schools" if user.is_la_staff else "/"
        response = submit(client, f"/reviews/{review.id}/school-view", {}, form_url=token_page)
        assert response.status_code == 403, user.role
    assert db.session.scalar(select(func.count()).select_from(SchoolAspectView)) == 0
