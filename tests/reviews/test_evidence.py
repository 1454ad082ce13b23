"""Fieldwork evidence: observations, discussions and work scrutinies, their answers to the key
questions, and judgements on the 7-point scale (with the rules for bad grades)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from lea_support.core.errors import DomainError
from lea_support.core.models import AuditEntry
from lea_support.reviews import services
from lea_support.reviews.models import (
    EvidenceAnswer,
    EvidenceJudgement,
    FieldworkEvidence,
    KeyQuestion,
)
from tests.conftest import sign_in, submit

DAY = date(2026, 11, 17)


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def aspect(review, code):
    return next(a for a in review.framework.aspects if a.code == code)


@pytest.fixture
def review(db, create_review):
    """A review at fieldwork with one key question."""
    review = create_review(stage="fieldwork")
    db.session.add(KeyQuestion(review_id=review.id, position=1, text="How well do pupils read?"))
    db.session.commit()
    return review


def form(review, **overrides):
    teaching, leadership = aspect(review, "teaching_learning"), aspect(review, "leadership")
    data = {"occurred_on": [str(DAY.day), str(DAY.month), str(DAY.year)], "year_group": "Year 4",
            "subject": "English", "joint_with_school_leader": "yes", "summary": "Guided reading, well paced",
            f"answer_{review.key_questions[0].id}": "Most pupils read fluently",
            f"grade_{teaching.id}": "3", f"rationale_{teaching.id}": "",
            f"grade_{leadership.id}": "", f"rationale_{leadership.id}": ""}
    data.update(overrides)
    return data


def test_a_lesson_observation_with_an_answer_and_judgements(client, db, review):
    teaching, leadership = aspect(review, "teaching_learning"), aspect(review, "leadership")
    sign_in(client, review.lead.email)
    url = f"/reviews/{review.id}/evidence/new?kind=lesson_observation"
    page = client.get(url).get_data(as_text=True)
    assert "1 Excellent" in page and "7 Very poor" in page and "Not judged" in page
    assert "How well do pupils read?" in page and "Leadership and management" in page

    response = submit(client, url, form(review, **{f"grade_{leadership.id}": "5",
                                                   f"rationale_{leadership.id}": "No monitoring of reading"}))
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    evidence = db.session.scalars(select(FieldworkEvidence)).one()
    assert (evidence.kind, evidence.occurred_on, evidence.year_group, evidence.subject) == (
        "lesson_observation", DAY, "Year 4", "English")
    assert evidence.joint_with_school_leader is True and evidence.discussion_with is None
    assert evidence.recorded_by_id == review.lead_id
    assert sorted((j.aspect_id, j.scale_id, j.grade, j.rationale) for j in evidence.judgements) == sorted([
        (teaching.id, review.scale_id, 3, ""), (leadership.id, review.scale_id, 5, "No monitoring of reading")])
    assert [(a.key_question_id, a.answer) for a in evidence.answers] == [
        (review.key_questions[0].id, "Most pupils read fluently")]
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "review.evidence_record")).one()
    page = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert "Leadership and management: <strong>5 Unsatisfactory</strong> – No monitoring of reading" in page


def test_a_discussion_must_say_who_it_was_with(client, db, review):
    sign_in(client, review.lead.email)
    url = f"/reviews/{review.id}/evidence/new?kind=discussion"
    response = submit(client, url, form(review, summary="Pupils enjoy reading at home"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Say who the discussion was with: staff, pupils or governors" in page
    assert "Pupils enjoy reading at home" in page
    assert count(db, FieldworkEvidence) == 0

    assert submit(client, url, form(review, discussion_with="governors")).status_code == 302
    evidence = db.session.scalars(select(FieldworkEvidence)).one()
    # A discussion has no year group, subject or joint observation.
    assert (evidence.kind, evidence.discussion_with, evidence.year_group, evidence.subject,
            evidence.joint_with_school_leader) == ("discussion", "governors", "", "", False)


def test_a_work_scrutiny(client, db, review):
    sign_in(client, review.lead.email)
    response = submit(client, f"/reviews/{review.id}/evidence/new?kind=work_scrutiny",
                      form(review, year_group="Year 6", subject="Mathematics"))
    assert response.status_code == 302
    evidence = db.session.scalars(select(FieldworkEvidence)).one()
    assert (evidence.kind, evidence.year_group, evidence.subject, evidence.joint_with_school_leader) == (
        "work_scrutiny", "Year 6", "Mathematics", False)


def test_a_grade_outside_the_scale_is_refused_and_what_was_typed_kept(client, db, review):
    teaching = aspect(review, "teaching_learning")
    sign_in(client, review.lead.email)
    response = submit(client, f"/reviews/{review.id}/evidence/new?kind=lesson_observation",
                      form(review, **{f"grade_{teaching.id}": "8", "summary": "A summary worth keeping"}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Quality of teaching and learning: a grade must be from 1 to 7 (Excellent to Very poor)" in page
    assert "A summary worth keeping" in page and "Most pupils read fluently" in page
    assert count(db, FieldworkEvidence) == 0 and count(db, EvidenceJudgement) == 0


@pytest.mark.parametrize("grade", [8, 0, -1, "eight", True])
def test_the_service_refuses_a_grade_outside_1_to_7(db, review, grade):
    teaching = aspect(review, "teaching_learning")
    with pytest.raises(DomainError, match="Quality of teaching and learning: a grade must be from 1 to 7") as err:
        services.record_evidence(review.lead, review, services.EvidenceData(
            kind="work_scrutiny", occurred_on=DAY, summary="Books", judgements={teaching.id: (grade, "Because")}))
    assert err.value.field == f"grade_{teaching.id}"
    db.session.rollback()
    assert count(db, FieldworkEvidence) == 0


def test_a_poor_grade_without_a_rationale_is_refused_naming_the_aspect(client, db, review):
    leadership = aspect(review, "leadership")
    sign_in(client, review.lead.email)
    response = submit(client, f"/reviews/{review.id}/evidence/new?kind=lesson_observation",
                      form(review, **{f"grade_{leadership.id}": "6", "summary": "Typed with care"}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Leadership and management: a grade of 6 (Poor) needs a rationale" in page
    assert "Typed with care" in page and "Most pupils read fluently" in page
    assert '<option value="6" selected' in page  # the grade chosen is still chosen
    assert count(db, FieldworkEvidence) == 0 and count(db, EvidenceJudgement) == 0 and count(db, EvidenceAnswer) == 0


def test_the_service_names_the_aspect_and_grade_that_need_a_rationale(db, review):
    leadership = aspect(review, "leadership")
    for grade, label in [(5, "Unsatisfactory"), (6, "Poor"), (7, "Very poor")]:
        with pytest.raises(DomainError, match=rf"Leadership and management: a grade of {grade} \({label}\) needs"):
            services.record_evidence(review.lead, review, services.EvidenceData(
                kind="work_scrutiny", occurred_on=DAY, judgements={leadership.id: (grade, "  ")}))
    # 1-4 need none.
    evidence = services.record_evidence(review.lead, review, services.EvidenceData(
        kind="work_scrutiny", occurred_on=DAY, judgements={leadership.id: (4, "")}))
    assert [(j.grade, j.rationale) for j in evidence.judgements] == [(4, "")]


def test_evidence_needs_a_summary_or_a_judgement(client, db, review):
    teaching = aspect(review, "teaching_learning")
    with pytest.raises(DomainError, match="Enter a summary or at least one judgement"):
        services.record_evidence(review.lead, review, services.EvidenceData(
            kind="discussion", occurred_on=DAY, discussion_with="staff", summary="  ",
            answers={review.key_questions[0].id: "An answer alone is not enough"}))
    sign_in(client, review.lead.email)
    response = submit(client, f"/reviews/{review.id}/evidence/new?kind=lesson_observation",
                      form(review, summary="", **{f"grade_{teaching.id}": ""}))
    assert response.status_code == 422
    assert "Enter a summary or at least one judgement" in response.get_data(as_text=True)
    assert count(db, FieldworkEvidence) == 0


def test_a_rationale_without_a_grade_is_not_silently_dropped(db, review):
    leadership = aspect(review, "leadership")
    with pytest.raises(DomainError, match="Leadership and management: choose a grade for this rationale"):
        services.record_evidence(review.lead, review, services.EvidenceData(
            kind="work_scrutiny", occurred_on=DAY, summary="Books", judgements={leadership.id: (None, "Weak")}))


def test_answers_and_judgements_must_belong_to_the_review(db, create_review, review):
    other = create_review(stage="fieldwork")
    question = KeyQuestion(review_id=other.id, position=1, text="Elsewhere?")
    db.session.add(question)
    db.session.commit()
    with pytest.raises(DomainError, match="not part of this review"):
        services.record_evidence(review.lead, review, services.EvidenceData(
            kind="work_scrutiny", occurred_on=DAY, summary="Books", answers={question.id: "Yes"}))
    with pytest.raises(DomainError, match="not in this review's framework"):
        services.record_evidence(review.lead, review, services.EvidenceData(
            kind="work_scrutiny", occurred_on=DAY, summary="Books", judgements={999999: (3, "")}))
    with pytest.raises(DomainError, match="Enter the date"):
        services.record_evidence(review.lead, review, services.EvidenceData(kind="work_scrutiny", occurred_on=None,
                                                                            summary="Books"))
    with pytest.raises(DomainError, match="Choose the kind of evidence"):
        services.record_evidence(review.lead, review, services.EvidenceData(kind="gossip", occurred_on=DAY,
                                                                            summary="Books"))


@pytest.mark.parametrize("stage", ["planned", "pre_review", "report_drafted"])
def test_evidence_only_at_fieldwork_or_evaluation(client, db, create_review, stage):
    review = create_review(stage=stage)
    with pytest.raises(DomainError, match="only while the review is at Fieldwork or Evaluation"):
        services.record_evidence(review.lead, review, services.EvidenceData(
            kind="work_scrutiny", occurred_on=DAY, summary="Books"))
    sign_in(client, review.lead.email)
    url = f"/reviews/{review.id}/evidence/new?kind=work_scrutiny"
    assert "Evidence can be recorded only while the review is at Fieldwork or Evaluation" in client.get(
        url).get_data(as_text=True)
    response = submit(client, url, {"occurred_on": ["17", "11", "2026"], "summary": "Books kept"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "only while the review is at Fieldwork or Evaluation" in page
    assert "Books kept" in page
    assert count(db, FieldworkEvidence) == 0


def test_evidence_is_corrected_and_deleted(client, db, review):
    teaching, leadership = aspect(review, "teaching_learning"), aspect(review, "leadership")
    question = review.key_questions[0]
    evidence = services.record_evidence(review.lead, review, services.EvidenceData(
        kind="lesson_observation", occurred_on=DAY, summary="First look", joint_with_school_leader=True,
        answers={question.id: "Some do"}, judgements={teaching.id: (4, "")}))
    db.session.commit()
    sign_in(client, review.lead.email)
    url = f"/reviews/{review.id}/evidence/{evidence.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "First look" in page and "Some do" in page and '<option value="4" selected' in page

    response = submit(client, url, form(review, summary="Second look", joint_with_school_leader="no", **{
        f"answer_{question.id}": "", f"grade_{teaching.id}": "", f"grade_{leadership.id}": "7",
        f"rationale_{leadership.id}": "No checks on teaching"}))
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    db.session.expire_all()
    evidence = db.session.get(FieldworkEvidence, evidence.id)
    assert (evidence.summary, evidence.joint_with_school_leader, evidence.kind) == ("Second look", False,
                                                                                    "lesson_observation")
    assert [(j.aspect_id, j.grade, j.rationale) for j in evidence.judgements] == [
        (leadership.id, 7, "No checks on teaching")]
    assert evidence.answers == []

    response = submit(client, url, form(review, **{f"grade_{leadership.id}": "6", f"rationale_{leadership.id}": ""}))
    assert response.status_code == 422
    db.session.expire_all()
    assert [(j.grade, j.rationale) for j in db.session.get(FieldworkEvidence, evidence.id).judgements] == [
        (7, "No checks on teaching")]

    assert submit(client, f"/reviews/{review.id}/evidence/{evidence.id}/delete", {},
                  form_url=f"/reviews/{review.id}").status_code == 302
    assert count(db, FieldworkEvidence) == 0 and count(db, EvidenceJudgement) == 0
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("review.evidence%"))).all()
    assert sorted(actions) == ["review.evidence_delete", "review.evidence_record", "review.evidence_update"]


def test_evidence_of_another_review_is_not_found(client, db, create_review, review):
    other = create_review(stage="fieldwork")
    evidence = services.record_evidence(other.lead, other, services.EvidenceData(
        kind="work_scrutiny", occurred_on=DAY, summary="Books"))
    db.session.commit()
    sign_in(client, review.lead.email)
    assert client.get(f"/reviews/{review.id}/evidence/{evidence.id}/edit").status_code == 404
