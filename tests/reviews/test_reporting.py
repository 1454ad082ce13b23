"""The end of a Joint LEA/School Review: the evaluation with the school's leaders, the report's
findings, publishing (and its refusals), the PDF, corrections as new versions, who may read the
published report, and the school's reviews side by side."""
from __future__ import annotations

import hashlib
import re
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select, text

from lea_support.core.errors import DomainError
from lea_support.core.models import AuditEntry
from lea_support.reviews import reporting
from lea_support.reviews.models import (
    AspectEvaluation,
    EvidenceAnswer,
    EvidenceJudgement,
    FieldworkEvidence,
    JointReview,
    JudgementScale,
    KeyQuestion,
    PublishedReviewReport,
    ReviewAspect,
    ReviewFinding,
    ReviewFramework,
    ReviewStageChange,
    ScaleGrade,
)
from lea_support.schools.models import SchoolEvent
from tests.casework.test_pdf import read_pdf
from tests.conftest import (
    ON_POSTGRES,
    REFERENCE_TABLES,
    csrf_token,
    make_review_happen,
    recorded_statements,
    sign_in,
    submit,
)

# The default framework's aspects and the grades the ready review agrees on them.
GRADES = {"achievement": 3, "teaching_learning": 4, "curriculum": 6, "care_guidance": 2,
          "leadership": 5, "capacity": 4}
LABELS = {1: "Excellent", 2: "Very good", 3: "Good", 4: "Satisfactory", 5: "Unsatisfactory", 6: "Poor",
          7: "Very poor"}
QUESTION = "How well does the school teach early reading to pupils who fall behind?"


def aspects_of(review: JointReview) -> dict[str, ReviewAspect]:
    return {a.code: a for a in review.framework.aspects}


def add_evidence(db, review: JointReview, judgements: dict[str, int], *, kind: str = "lesson_observation",
                 answers: dict[KeyQuestion, str] | None = None) -> FieldworkEvidence:
    aspects = aspects_of(review)
    evidence = FieldworkEvidence(review_id=review.id, kind=kind, occurred_on=date(2026, 11, 17),
                                 summary="Seen in Year 2", discussion_with="staff" if kind == "discussion" else None)
    evidence.judgements = [EvidenceJudgement(aspect_id=aspects[code].id, scale_id=review.scale_id, grade=grade,
                                             rationale="Seen") for code, grade in judgements.items()]
    evidence.answers = [EvidenceAnswer(key_question_id=q.id, answer=a) for q, a in (answers or {}).items()]
    db.session.add(evidence)
    db.session.commit()
    return evidence


def judgements_for(review: JointReview, grades: dict[str, int] = GRADES, **overrides: Any) -> list[reporting.AspectJudgement]:
    return [reporting.AspectJudgement(aspect_id=a.id, proposed_grade=grades.get(a.code), agreed_grade=grades.get(a.code),
                                      rationale=f"Rationale for {a.name}", **overrides)
            for a in review.framework.aspects]


@pytest.fixture
def ready_review(db, create_review, create_user):
    """A review at "report drafted" with everything publishing needs: every aspect and the
    overall judgement agreed, its key question answered, and points in both lists."""

    def make(*, school=None, lead=None, starts_on=date(2026, 11, 16), grades=GRADES, **kw) -> JointReview:
        adviser = create_user("link_adviser", name="Lena Link")
        review = create_review(school=school, lead=lead or create_user("sia", name="Sam Sia"), stage="evaluation",
                               starts_on=starts_on, ends_on=kw.pop("ends_on", None),
                               team=[(adviser, "link_adviser")], **kw)
        question = KeyQuestion(review_id=review.id, position=1, text=QUESTION)
        db.session.add(question)
        db.session.commit()
        add_evidence(db, review, {"achievement": 3, "curriculum": 6}, answers={question: "Well, in Key Stage 1"})
        make_review_happen(review)
        reporting.record_evaluation(review.lead, review, judgements_for(review, grades), overall_grade=4,
                                    overall_rationale="Satisfactory overall, with weak curriculum")
        reporting.save_findings(review.lead, review, [
            reporting.FindingData("works_well", "Phonics is taught well in Key Stage 1"),
            reporting.FindingData("works_well", "Governors know the school's strengths"),
            reporting.FindingData("more_effective", "Plan the curriculum so that pupils build on what they know"),
        ])
        db.session.commit()
        assert review.stage == "report_drafted"
        return review

    return make


@pytest.fixture
def client_for(app):
    def make(user):
        other = app.test_client()
        assert sign_in(other, user.email).status_code == 302
        return other

    return make


def in_pdf(phrase: str, pdf_text: str) -> bool:
    """The phrase in a PDF's text, allowing for a table cell's text running into the next."""
    name, grade, label = re.match(r"(.*) (\d) (.*)", phrase).groups()
    return re.search(rf"{re.escape(name)} ?{grade} {re.escape(label)}\b", pdf_text) is not None


def page_text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


# --- the evaluation -------------------------------------------------------------------------------


def test_the_evidence_profile_counts_judgements_at_each_grade_in_one_query(db, create_review):
    review = create_review(stage="evaluation")
    add_evidence(db, review, {"curriculum": 6, "achievement": 3})
    add_evidence(db, review, {"curriculum": 6, "achievement": 4}, kind="discussion")
    add_evidence(db, review, {"curriculum": 5}, kind="work_scrutiny")
    other = create_review(stage="evaluation")
    add_evidence(db, other, {"curriculum": 1})
    aspects = aspects_of(review)
    with recorded_statements() as statements:
        profiles = reporting.evidence_profiles(review)
    assert len(statements) == 1
    assert profiles == {aspects["curriculum"].id: {6: 2, 5: 1}, aspects["achievement"].id: {3: 1, 4: 1}}
    rows = {row["aspect"].code: row for row in reporting.evaluation_rows(review)}
    assert rows["curriculum"]["profile"] == [(1, 0), (2, 0), (3, 0), (4, 0), (5, 1), (6, 2), (7, 0)]
    assert rows["leadership"]["evidence_count"] == 0


def test_recording_the_evaluation_keeps_the_scale_it_was_made_on(db, create_review, create_user):
    review = create_review(stage="evaluation")
    judgements = judgements_for(review)
    curriculum = aspects_of(review)["curriculum"]
    for j in judgements:
        if j.aspect_id == curriculum.id:
            j.proposed_grade, j.school_disagreed, j.school_view = 5, True, "We think the curriculum is satisfactory"
    reporting.record_evaluation(review.lead, review, judgements, overall_grade=4, overall_rationale="Fair")
    db.session.commit()
    stored = {e.aspect.code: e for e in db.session.scalars(select(AspectEvaluation).where(AspectEvaluation.review_id == review.id))}
    assert {code: e.agreed_grade for code, e in stored.items()} == GRADES
    assert {e.scale_id for e in stored.values()} == {review.scale_id}
    assert stored["curriculum"].proposed_grade == 5 and stored["curriculum"].school_disagreed
    assert stored["curriculum"].school_view == "We think the curriculum is satisfactory"
    assert (review.overall_grade, review.overall_rationale) == (4, "Fair")
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "review.evaluate")) == 1


@pytest.mark.parametrize("change, overall, message", [
    ({"curriculum": {"agreed_grade": 8}}, 4, "Curriculum, agreed judgement: choose a grade from 1 to 7"),
    ({"curriculum": {"agreed_grade": 0}}, 4, "Curriculum, agreed judgement: choose a grade from 1 to 7"),
    ({"leadership": {"proposed_grade": 9}}, 4, "Leadership and management, proposed judgement: choose a grade from 1 to 7"),
    ({"curriculum": {"rationale": "  "}}, 4, "Curriculum: an agreed judgement of 6 (Poor) needs a rationale"),
    ({"leadership": {"rationale": ""}}, 4, "Leadership and management: an agreed judgement of 5 (Unsatisfactory) needs a rationale"),
    ({"achievement": {"school_disagreed": True}}, 4, "Achievement and standards: the school disagreed, so record the school's view"),
    ({}, 12, "Overall judgement: choose a grade from 1 to 7"),
    ({}, 7, "An overall judgement of 7 (Very poor) needs a rationale"),
])
def test_bad_evaluations_are_refused_and_nothing_is_saved(db, create_review, change, overall, message):
    review = create_review(stage="evaluation")
    aspects = aspects_of(review)
    judgements = judgements_for(review)
    for j in judgements:
        for field, value in change.get(next(c for c, a in aspects.items() if a.id == j.aspect_id), {}).items():
            setattr(j, field, value)
    with pytest.raises(DomainError) as refused:
        reporting.record_evaluation(review.lead, review, judgements, overall_grade=overall,
                                    overall_rationale="" if overall == 7 else "Fine")
    assert message in refused.value.message
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AspectEvaluation)) == 0
    assert db.session.get(JointReview, review.id).overall_grade is None


def test_a_low_grade_needs_a_rationale_only_where_the_scale_says_so(db, create_review):
    review = create_review(stage="evaluation")
    judgements = judgements_for(review, {code: 4 for code in GRADES})
    for j in judgements:
        j.rationale = ""
    reporting.record_evaluation(review.lead, review, judgements, overall_grade=4, overall_rationale="")
    assert all(e.agreed_grade == 4 for e in review.evaluations)


def test_the_evaluation_is_changed_only_at_the_evaluation_or_report_stages(db, create_review):
    review = create_review(stage="fieldwork")
    with pytest.raises(DomainError, match="only while the review is at the evaluation or report drafted stage"):
        reporting.record_evaluation(review.lead, review, judgements_for(review), overall_grade=4, overall_rationale="")


def evaluation_form(review: JointReview, grades: dict[str, Any] = GRADES, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"overall_grade": "4", "overall_rationale": "Satisfactory overall"}
    for i, aspect in enumerate(review.framework.aspects):
        data.update({f"aspects-{i}-aspect_id": str(aspect.id), f"aspects-{i}-proposed_grade": str(grades[aspect.code]),
                     f"aspects-{i}-agreed_grade": str(grades[aspect.code]),
                     f"aspects-{i}-rationale": f"Typed rationale for {aspect.name}", f"aspects-{i}-school_view": ""})
    data.update(extra)
    return data


def test_the_evaluation_page_shows_the_profile_and_saves_through_the_form(db, client, create_review, create_user,
                                                                         client_for):
    lead = create_user("sia")
    review = create_review(stage="evaluation", lead=lead)
    add_evidence(db, review, {"curriculum": 6})
    add_evidence(db, review, {"curriculum": 6}, kind="discussion")
    lead_client = client_for(lead)
    page = lead_client.get(f"/reviews/{review.id}/evaluation")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r'<td[^>]*data-grade="6"[^>]*>2</td>', html)
    assert "Evidence judgements on curriculum (2)" in html

    data = evaluation_form(review, **{"aspects-2-school_disagreed": "y", "aspects-2-school_view": "Too harsh"})
    response = submit(lead_client, f"/reviews/{review.id}/evaluation", data)
    assert response.status_code == 302
    db.session.expire_all()
    curriculum = next(e for e in db.session.get(JointReview, review.id).evaluations if e.aspect.code == "curriculum")
    assert (curriculum.agreed_grade, curriculum.school_disagreed, curriculum.school_view) == (6, True, "Too harsh")


@pytest.mark.parametrize("change, message", [
    ({"aspects-2-agreed_grade": "9"}, "Curriculum, agreed judgement: choose a grade from 1 to 7"),
    ({"aspects-2-rationale": ""}, "Curriculum: an agreed judgement of 6 (Poor) needs a rationale"),
    ({"aspects-0-school_disagreed": "y"}, "Achievement and standards: the school disagreed, so record the school&#39;s view"),
])
def test_the_evaluation_form_refuses_bad_input_keeping_what_was_typed(db, create_review, create_user, client_for,
                                                                      change, message):
    lead = create_user("sia")
    review = create_review(stage="evaluation", lead=lead)
    lead_client = client_for(lead)
    response = submit(lead_client, f"/reviews/{review.id}/evaluation", evaluation_form(review, **change))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert "Typed rationale for Leadership and management" in html  # what was typed is kept
    assert "govuk-error-message" in html  # and shown on the aspect's own field
    assert db.session.scalar(select(func.count()).select_from(AspectEvaluation)) == 0


def test_only_the_review_team_changes_the_evaluation(db, create_review, create_user, client_for):
    review = create_review(stage="evaluation")
    outsider = client_for(create_user("sia"))
    assert outsider.get(f"/reviews/{review.id}/evaluation").status_code == 200  # LA staff may look
    response = outsider.post(f"/reviews/{review.id}/evaluation",
                             data={**evaluation_form(review), "csrf_token": csrf_token(outsider, "/schools")})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(AspectEvaluation)) == 0


# --- the report's findings ------------------------------------------------------------------------


def test_findings_keep_their_ids_when_edited(db, create_review):
    review = create_review(stage="evaluation")
    first = reporting.save_findings(review.lead, review, [
        reporting.FindingData("works_well", "Phonics"),
        reporting.FindingData("works_well", "Attendance"),
        reporting.FindingData("more_effective", "Curriculum planning", aspect_id=aspects_of(review)["curriculum"].id),
    ])
    db.session.commit()
    phonics, attendance, planning = (f.id for f in first)
    assert review.stage == "report_drafted"
    assert [(c.from_stage, c.to_stage) for c in review.stage_changes] == [("evaluation", "report_drafted")]

    second = reporting.save_findings(review.lead, review, [
        reporting.FindingData("works_well", "Phonics, taught daily", id=phonics),
        reporting.FindingData("more_effective", "Curriculum planning across subjects", id=planning),
        reporting.FindingData("more_effective", "Reading for pleasure"),
        reporting.FindingData("works_well", "", id=None),  # an empty new row is ignored
    ])
    db.session.commit()
    stored = {f.id: f for f in db.session.scalars(select(ReviewFinding).where(ReviewFinding.review_id == review.id))}
    assert stored[phonics].text == "Phonics, taught daily"
    assert stored[planning].text == "Curriculum planning across subjects"
    assert attendance not in stored  # left out, so removed
    assert len(stored) == 3 and max(stored) > planning  # the new point has a new id
    assert [f.id for f in second[:2]] == [phonics, planning]


def test_a_point_of_another_review_cannot_be_changed(db, create_review):
    review, other = create_review(stage="evaluation"), create_review(stage="evaluation")
    theirs = reporting.save_findings(other.lead, other, [reporting.FindingData("works_well", "Theirs")])[0]
    db.session.commit()
    with pytest.raises(DomainError, match="another review"):
        reporting.save_findings(review.lead, review, [reporting.FindingData("works_well", "Mine", id=theirs.id)])
    with pytest.raises(DomainError, match="two lists"):
        reporting.save_findings(review.lead, review, [reporting.FindingData("somewhere", "Mine")])


def test_the_report_draft_form_edits_in_place(db, create_review, create_user, client_for):
    lead = create_user("sia")
    review = create_review(stage="evaluation", lead=lead)
    lead_client = client_for(lead)
    curriculum = aspects_of(review)["curriculum"]
    url = f"/reviews/{review.id}/report-draft"
    response = submit(lead_client, url, {
        "works_well-0-finding_id": "", "works_well-0-text": "Phonics", "works_well-0-aspect_id": "",
        "works_well-1-finding_id": "", "works_well-1-text": "", "works_well-1-aspect_id": "",
        "more_effective-0-finding_id": "", "more_effective-0-text": "Curriculum planning",
        "more_effective-0-aspect_id": str(curriculum.id)})
    assert response.status_code == 302
    findings = list(db.session.scalars(select(ReviewFinding).where(ReviewFinding.review_id == review.id)
                                       .order_by(ReviewFinding.id)))
    assert [(f.kind, f.text, f.aspect_id) for f in findings] == [
        ("works_well", "Phonics", None), ("more_effective", "Curriculum planning", curriculum.id)]
    phonics, planning = findings

    page = lead_client.get(url).get_data(as_text=True)
    assert f'value="{phonics.id}"' in page and "Curriculum planning" in page
    response = submit(lead_client, url, {
        "works_well-0-finding_id": str(phonics.id), "works_well-0-text": "Phonics, taught daily",
        "more_effective-0-finding_id": str(planning.id), "more_effective-0-text": ""})
    assert response.status_code == 302
    db.session.expire_all()
    remaining = list(db.session.scalars(select(ReviewFinding).where(ReviewFinding.review_id == review.id)))
    assert [(f.id, f.text) for f in remaining] == [(phonics.id, "Phonics, taught daily")]


# --- publishing -----------------------------------------------------------------------------------

EVERY_PROBLEM = [
    *[f"Pre-review: mark \u201c{name}\u201d as seen or not available" for name in (
        "Achievement and performance data", "School Improvement Plan", "LA notes of visit", "Latest Ofsted report",
        "The school's self-review")],
    "Achievement and standards has no agreed judgement",
    "Quality of teaching and learning has no agreed judgement",
    "Curriculum has no agreed judgement",
    "Care, guidance and inclusion has no agreed judgement",
    "Leadership and management has no agreed judgement",
    "Capacity to improve has no agreed judgement",
    "There is no overall judgement",
    "Key question 1 'How well does the school teach early reading to pupils who fall behind?' is unanswered",
    "Key question 2 'What do governors know?' is unanswered",
    "'What works well' has no points",
    "'What can be made more effective' has no points",
]


def _nothing_published(db, review_id: int) -> None:
    db.session.rollback()
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(PublishedReviewReport)) == 0
    assert db.session.get(JointReview, review_id).stage == "report_drafted"
    assert db.session.scalar(select(func.count()).select_from(ReviewStageChange)
                             .where(ReviewStageChange.to_stage == "published")) == 0
    assert db.session.scalar(select(func.count()).select_from(SchoolEvent)
                             .where(SchoolEvent.kind == "review_published")) == 0


def test_publishing_names_everything_that_is_missing_and_saves_nothing(db, create_review):
    review = create_review(stage="report_drafted")
    db.session.add_all([KeyQuestion(review_id=review.id, position=1, text=QUESTION),
                        KeyQuestion(review_id=review.id, position=2, text="What do governors know?")])
    db.session.commit()
    # Evidence that answers nothing (an empty answer does not count).
    add_evidence(db, review, {"curriculum": 6}, answers={review.key_questions[1]: "   "})
    with pytest.raises(reporting.PublishRefused) as refused:
        reporting.publish_report(review.lead, review)
    assert refused.value.problems == EVERY_PROBLEM
    _nothing_published(db, review.id)


def test_publishing_with_one_thing_missing_names_only_that(db, ready_review):
    review = ready_review()
    curriculum = next(e for e in review.evaluations if e.aspect.code == "curriculum")
    curriculum.agreed_grade = None
    db.session.add(KeyQuestion(review_id=review.id, position=2, text="What do governors know?"))
    db.session.commit()
    with pytest.raises(reporting.PublishRefused) as refused:
        reporting.publish_report(review.lead, review)
    assert refused.value.problems == ["Curriculum has no agreed judgement",
                                      "Key question 2 'What do governors know?' is unanswered"]
    _nothing_published(db, review.id)


def test_the_publish_route_shows_each_missing_thing(db, create_review, create_user, client_for):
    lead = create_user("sia")
    review = create_review(stage="report_drafted", lead=lead)
    db.session.add(KeyQuestion(review_id=review.id, position=1, text=QUESTION))
    db.session.commit()
    lead_client = client_for(lead)
    draft = lead_client.get(f"/reviews/{review.id}/report-draft").get_data(as_text=True)
    assert "Curriculum has no agreed judgement" in draft  # warned before trying
    response = submit(lead_client, f"/reviews/{review.id}/publish", {}, form_url=f"/reviews/{review.id}/report-draft")
    assert response.status_code == 422
    text_ = page_text(response)
    for problem in EVERY_PROBLEM:
        if "Key question 2" not in problem:
            assert problem.replace("'", "&#39;") in text_, problem
    _nothing_published(db, review.id)


def test_only_the_lead_publishes(db, ready_review, client_for):
    review = ready_review()
    adviser = next(m.user for m in review.team if m.team_role == "link_adviser")
    member = client_for(adviser)
    assert member.get(f"/reviews/{review.id}/report-draft").status_code == 200  # on the team: may edit
    response = member.post(f"/reviews/{review.id}/publish", data={"csrf_token": csrf_token(member, "/schools")})
    assert response.status_code == 403
    _nothing_published(db, review.id)


def publish(client, review: JointReview, reason: str = "") -> Any:
    return submit(client, f"/reviews/{review.id}/publish", {"reason": reason},
                  form_url=f"/reviews/{review.id}/report-draft")


def test_publishing_stores_the_report_and_its_pdf(db, ready_review, client_for):
    review = ready_review(ends_on=date(2026, 11, 18))
    lead_client = client_for(review.lead)
    response = publish(lead_client, review)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/reviews/{review.id}/report")

    db.session.expire_all()
    review = db.session.get(JointReview, review.id)
    [report] = review.reports
    assert report.version == 1 and report.reason == "" and report.published_by_id == review.lead_id
    assert report.pdf_sha256 == hashlib.sha256(report.pdf).hexdigest()
    assert review.stage == "published"
    assert [(c.from_stage, c.to_stage) for c in review.stage_changes][-1] == ("report_drafted", "published")
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "review.publish")) == 1
    event_ = db.session.scalars(select(SchoolEvent).where(SchoolEvent.kind == "review_published")).one()
    assert event_.audience == "governors" and event_.summary == "Joint LEA/School Review report published"

    content = report.content
    assert content["school"] == {"name": review.school.name, "urn": review.school.urn, "la_name": "Test LA"}
    assert content["dates"] == "16 November 2026 to 18 November 2026" and content["lead"] == "Sam Sia"
    assert {(m["name"], m["role"]) for m in content["team"]} == {("Sam Sia", "SIA (lead)"), ("Lena Link", "Link adviser")}
    assert [(a["code"], a["grade"], a["label"]) for a in content["aspects"]] == [
        (code, grade, LABELS[grade]) for code, grade in GRADES.items()]
    assert content["overall"]["grade"] == 4 and content["overall"]["label"] == "Satisfactory"
    ids = {f.text: f.id for f in review.findings}
    assert [(f["id"], f["text"]) for f in content["findings"]["works_well"]] == [
        (ids["Phonics is taught well in Key Stage 1"], "Phonics is taught well in Key Stage 1"),
        (ids["Governors know the school's strengths"], "Governors know the school's strengths")]
    assert [f["id"] for f in content["findings"]["more_effective"]] == [
        ids["Plan the curriculum so that pupils build on what they know"]]

    # The PDF, read back.
    download = lead_client.get(f"/reviews/{review.id}/report/1.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == \
        f'attachment; filename="joint-review-{review.school.urn}-2026-11-16-v1.pdf"'
    assert download.data == report.pdf
    reader, text_ = read_pdf(download.data)
    assert review.school.name in text_ and f"URN {review.school.urn}" in text_
    assert "16 November 2026 to 18 November 2026" in text_
    for aspect in review.framework.aspects:
        grade = GRADES[aspect.code]
        assert in_pdf(f"{aspect.name} {grade} {LABELS[grade]}", text_), aspect.name
    assert in_pdf("Overall 4 Satisfactory", text_)
    for heading in ("What works well", "What can be made more effective"):
        assert heading in text_
    for finding in review.findings:
        assert finding.text in text_
    assert reader.metadata.title == f"Joint LEA/School Review: {review.school.name}, 16 November 2026 to 18 November 2026"

    page = lead_client.get(f"/reviews/{review.id}/report")
    assert page.status_code == 200
    assert "Phonics is taught well in Key Stage 1" in page.get_data(as_text=True)


def test_the_school_s_disagreement_is_in_the_report(db, ready_review, client_for):
    review = ready_review()
    curriculum = next(e for e in review.evaluations if e.aspect.code == "curriculum")
    curriculum.school_disagreed, curriculum.school_view = True, "The school judges its curriculum satisfactory"
    db.session.commit()
    report = reporting.publish_report(review.lead, review)
    assert report.content["disagreements"] == [{"aspect": "Curriculum", "agreed": "6 (Poor)",
                                                "school_view": "The school judges its curriculum satisfactory"}]
    _, text_ = read_pdf(report.pdf)
    assert "Where the school disagreed" in text_ and "The school judges its curriculum satisfactory" in text_


def test_a_published_report_never_changes_and_a_correction_is_a_new_version(db, ready_review, client_for):
    review = ready_review()
    lead_client = client_for(review.lead)
    assert publish(lead_client, review).status_code == 302
    db.session.expire_all()
    v1 = db.session.scalars(select(PublishedReviewReport).where(PublishedReviewReport.review_id == review.id)).one()
    v1_pdf, v1_sha, v1_content = bytes(v1.pdf), v1.pdf_sha256, dict(v1.content)
    assert not reporting_can_edit(db, review)

    # Reopening needs a reason; refused, nothing changes.
    response = submit(lead_client, f"/reviews/{review.id}/reopen", {"reason": " "},
                      form_url=f"/reviews/{review.id}/report")
    assert response.status_code == 422 and "Give the reason for reopening" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(JointReview, review.id).stage == "published"

    response = submit(lead_client, f"/reviews/{review.id}/reopen", {"reason": "The curriculum grade was mistyped"},
                      form_url=f"/reviews/{review.id}/report")
    assert response.status_code == 302
    db.session.expire_all()
    review = db.session.get(JointReview, review.id)
    assert review.stage == "report_drafted" and reporting_can_edit(db, review)
    assert review.stage_changes[-1].reason == "The curriculum grade was mistyped"

    # Correct a judgement and a point; the point keeps its id.
    assert submit(lead_client, f"/reviews/{review.id}/evaluation",
                  evaluation_form(review, {**GRADES, "curriculum": 5})).status_code == 302
    point = next(f for f in review.findings if f.kind == "more_effective")
    reporting.save_findings(review.lead, review, [
        reporting.FindingData(f.kind, f.text if f.id != point.id else "Plan the curriculum in every subject", id=f.id)
        for f in review.findings])
    db.session.commit()

    # Publishing again needs the reason for the correction.
    response = publish(lead_client, review)
    assert response.status_code == 422 and "give the reason for the correction" in response.get_data(as_text=True)
    assert publish(lead_client, review, "Curriculum judgement corrected").status_code == 302

    db.session.expire_all()
    versions = list(db.session.scalars(select(PublishedReviewReport).where(PublishedReviewReport.review_id == review.id)
                                       .order_by(PublishedReviewReport.version)))
    assert [v.version for v in versions] == [1, 2]
    v1, v2 = versions
    assert bytes(v1.pdf) == v1_pdf and v1.pdf_sha256 == v1_sha == hashlib.sha256(v1_pdf).hexdigest()
    assert v1.content == v1_content
    assert v2.reason == "Curriculum judgement corrected"
    assert next(a for a in v2.content["aspects"] if a["code"] == "curriculum")["grade"] == 5
    assert next(a for a in v1.content["aspects"] if a["code"] == "curriculum")["grade"] == 6
    assert v2.content["findings"]["more_effective"] == [{"id": point.id, "text": "Plan the curriculum in every subject",
                                                         "aspect": ""}]
    # Both versions stay downloadable, each as it was published.
    assert lead_client.get(f"/reviews/{review.id}/report/1.pdf").data == v1_pdf
    _, v2_text = read_pdf(lead_client.get(f"/reviews/{review.id}/report/2.pdf").data)
    assert in_pdf("Curriculum 5 Unsatisfactory", v2_text) and "Curriculum judgement corrected" in v2_text
    assert lead_client.get(f"/reviews/{review.id}/report/3.pdf").status_code == 404
    page = lead_client.get(f"/reviews/{review.id}/report").get_data(as_text=True)
    assert "Version 1 (PDF)" in page and "Version 2 (PDF)" in page
    assert "Plan the curriculum in every subject" in page


def reporting_can_edit(db, review: JointReview) -> bool:
    from lea_support.reviews.permissions import can_edit_review

    return can_edit_review(review.lead, db.session.get(JointReview, review.id))


def test_publishing_twice_without_reopening_is_refused(db, ready_review):
    review = ready_review()
    reporting.publish_report(review.lead, review)
    db.session.commit()
    with pytest.raises(DomainError, match="This report has already been published: reload the page"):
        reporting.publish_report(review.lead, review, reason="Again")
    with pytest.raises(DomainError, match="only while the review is at the evaluation or report drafted stage"):
        reporting.save_findings(review.lead, review, [])


# --- scales and frameworks change; old judgements stay readable -----------------------------------


@pytest.fixture
def new_versions(db):
    """Version 2 of the scale (other labels) and of the framework (one aspect renamed, one
    added, one dropped), made current. PostgreSQL keeps reference tables between tests, so they
    are removed again afterwards."""
    scale_v1 = db.session.scalars(select(JudgementScale).where(JudgementScale.is_current.is_(True))).one()
    framework_v1 = db.session.scalars(select(ReviewFramework).where(ReviewFramework.is_current.is_(True))).one()

    def make():
        scale_v1.is_current, framework_v1.is_current = False, False
        scale = JudgementScale(code="seven_point", version=2, name="7-point scale, 2027 wording", is_current=True)
        db.session.add(scale)
        db.session.flush()
        db.session.add_all([ScaleGrade(scale_id=scale.id, grade=g, label=label, needs_rationale=g >= 5)
                            for g, label in enumerate(["Outstanding", "Strong", "Secure", "Adequate", "Weak",
                                                       "Inadequate", "Failing"], start=1)])
        framework = ReviewFramework(version=2, name="Joint review framework 2027", is_current=True)
        db.session.add(framework)
        db.session.flush()
        db.session.add_all([ReviewAspect(framework_id=framework.id, code=code, name=name, sort_order=i)
                            for i, (code, name) in enumerate([
                                ("achievement", "Achievement and standards"),
                                ("teaching_learning", "Quality of teaching and learning"),
                                ("curriculum", "Curriculum and its planning"),
                                ("leadership", "Leadership and management"),
                                ("capacity", "Capacity to improve"),
                                ("wellbeing", "Pupils' wellbeing"),
                            ], start=1)])
        db.session.commit()
        return scale, framework

    yield make
    if ON_POSTGRES:
        db.session.rollback()
        tables = [t.name for t in db.metadata.sorted_tables if t.name not in REFERENCE_TABLES]
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            conn.execute(text("DELETE FROM scale_grades WHERE scale_id <> :id"), {"id": scale_v1.id})
            conn.execute(text("DELETE FROM judgement_scales WHERE id <> :id"), {"id": scale_v1.id})
            conn.execute(text("DELETE FROM review_aspects WHERE framework_id <> :id"), {"id": framework_v1.id})
            conn.execute(text("DELETE FROM review_frameworks WHERE id <> :id"), {"id": framework_v1.id})
            conn.execute(text("UPDATE judgement_scales SET is_current = true"))
            conn.execute(text("UPDATE review_frameworks SET is_current = true"))


def test_a_judgement_reads_against_the_scale_it_was_made_on(db, ready_review, new_versions, client_for,
                                                            create_user):
    old = ready_review()
    reporting.publish_report(old.lead, old)
    db.session.commit()
    scale_v2, _ = new_versions()
    assert db.session.get(JointReview, old.id).scale.label(6) == "Poor"

    curriculum = next(e for e in old.evaluations if e.aspect.code == "curriculum")
    assert curriculum.scale_id == old.scale_id != scale_v2.id
    # Published content, the PDF, the evaluation page and the history all still say "Poor".
    staff = client_for(create_user("sia"))
    assert "6 – Poor" in staff.get(f"/reviews/{old.id}/evaluation").get_data(as_text=True)
    _, pdf_text = read_pdf(staff.get(f"/reviews/{old.id}/report/1.pdf").data)
    assert in_pdf("Curriculum 6 Poor", pdf_text) and "Inadequate" not in pdf_text
    history = staff.get(f"/schools/{old.school.urn}/reviews/history").get_data(as_text=True)
    assert "6 – Poor" in history and "Inadequate" not in history


def test_the_history_matches_aspects_by_code_across_framework_versions(db, ready_review, new_versions, create_school,
                                                                       create_user, client_for):
    school = create_school(support_tier="significant", mcs_level=3)
    old = ready_review(school=school, starts_on=date(2025, 11, 10))
    reporting.publish_report(old.lead, old)
    db.session.commit()
    scale_v2, framework_v2 = new_versions()
    new = ready_review(school=school, starts_on=date(2026, 11, 16),
                       grades={"achievement": 2, "teaching_learning": 3, "curriculum": 4, "leadership": 3,
                               "capacity": 2, "wellbeing": 6})
    assert new.scale_id == scale_v2.id and new.framework_id == framework_v2.id

    staff = client_for(create_user("sia"))
    response = staff.get(f"/schools/{school.urn}/reviews/history")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rows = {code: " ".join(re.sub(r"<[^>]+>", " ", body).split())
            for code, body in re.findall(r'<tr class="govuk-table__row" data-aspect="([a-z_]+)">(.*?)</tr>', html, re.DOTALL)}
    assert rows["curriculum"] == "Curriculum and its planning 6 – Poor 4 – Adequate"
    assert rows["achievement"] == "Achievement and standards 3 – Good 2 – Strong"
    assert rows["care_guidance"] == "Care, guidance and inclusion 2 – Very good Not judged"
    assert rows["wellbeing"] == "Pupils&#39; wellbeing Not judged 6 – Inadequate"
    assert rows["overall"] == "Overall 4 – Satisfactory 4 – Adequate"
    assert html.index("10 November 2025") < html.index("16 November 2026")  # oldest first


# --- who reads the published report ---------------------------------------------------------------


def test_governors_read_only_their_own_school_s_published_reports(db, ready_review, create_user, create_school,
                                                                  client_for):
    review = ready_review()
    school = review.school
    governor = create_user("governor", schools=[school])
    head = create_user("school_leader", schools=[school])
    stranger = create_user("governor", schools=[create_school()])
    governor_client, head_client, stranger_client = client_for(governor), client_for(head), client_for(stranger)

    # Not yet published: governors and school leaders see nothing of it.
    for c in (governor_client, head_client):
        assert c.get(f"/reviews/{review.id}/report").status_code == 403
        assert c.get(f"/reviews/{review.id}/report/1.pdf").status_code == 403
        assert c.get(f"/reviews/{review.id}/evaluation").status_code == 403
    history = governor_client.get(f"/schools/{school.urn}/reviews/history")
    assert history.status_code == 200 and "No review report has been published" in history.get_data(as_text=True)
    assert "Joint LEA/School Review reports" not in governor_client.get(f"/governor/schools/{school.urn}").get_data(as_text=True)

    reporting.publish_report(review.lead, review)
    db.session.commit()
    for c in (governor_client, head_client):
        assert c.get(f"/reviews/{review.id}/report").status_code == 200
        pdf = c.get(f"/reviews/{review.id}/report/1.pdf")
        assert pdf.status_code == 200 and pdf.headers["Content-Disposition"].startswith("attachment;")
        assert c.get(f"/reviews/{review.id}/report-draft").status_code == 403
    page = governor_client.get(f"/governor/schools/{school.urn}").get_data(as_text=True)
    assert f"/reviews/{review.id}/report" in page and f"/reviews/{review.id}/report/1.pdf" in page
    assert "Curriculum" in governor_client.get(f"/schools/{school.urn}/reviews/history").get_data(as_text=True)
    events = governor_client.get(f"/governor/schools/{school.urn}").get_data(as_text=True)
    assert "Joint LEA/School Review report published" in events

    # A governor of another school: refused everywhere.
    assert stranger_client.get(f"/reviews/{review.id}/report").status_code == 403
    assert stranger_client.get(f"/reviews/{review.id}/report/1.pdf").status_code == 403
    assert stranger_client.get(f"/schools/{school.urn}/reviews/history").status_code == 403

    # Reopened for a correction, governors still read the published version only.
    reporting.reopen_review(review.lead, review, reason="A typo")
    curriculum = next(e for e in review.evaluations if e.aspect.code == "curriculum")
    curriculum.agreed_grade = 7
    db.session.commit()
    assert governor_client.get(f"/reviews/{review.id}/report").status_code == 200
    history = governor_client.get(f"/schools/{school.urn}/reviews/history").get_data(as_text=True)
    assert "6 – Poor" in history and "7 – Very poor" not in history


def test_the_school_page_links_to_the_review_history(db, create_school, create_user, client_for):
    school = create_school()
    staff = client_for(create_user("link_adviser"))
    assert f"/schools/{school.urn}/reviews/history" in staff.get(f"/schools/{school.urn}").get_data(as_text=True)


def test_the_history_page_makes_the_same_number_of_queries_however_many_reviews(db, ready_review, create_school,
                                                                               create_user, client_for):
    school = create_school(support_tier="significant", mcs_level=3)
    staff = client_for(create_user("sia"))
    governor = client_for(create_user("governor", schools=[school]))

    def add_published(year: int) -> None:
        review = ready_review(school=school, starts_on=date(year, 11, 16))
        reporting.publish_report(review.lead, review)
        db.session.commit()

    def queries(client) -> int:
        client.get(f"/schools/{school.urn}/reviews/history")  # settle the connection and session
        with recorded_statements() as statements:
            response = client.get(f"/schools/{school.urn}/reviews/history")
        assert response.status_code == 200
        return len(statements)

    add_published(2020)
    counts = {"staff": queries(staff), "governor": queries(governor)}
    for year in (2021, 2022, 2023):
        add_published(year)
    ready_review(school=school, starts_on=date(2024, 11, 16))  # unpublished: staff only
    assert {"staff": queries(staff), "governor": queries(governor)} == counts
    page = staff.get(f"/schools/{school.urn}/reviews/history").get_data(as_text=True)
    assert page.count("6 – Poor") == 5
    assert governor.get(f"/schools/{school.urn}/reviews/history").get_data(as_text=True).count("6 – Poor") == 4


def test_the_history_charts_the_overall_judgement_of_each_published_review(db, ready_review, create_school,
                                                                           create_user, client_for):
    school = create_school(support_tier="significant", mcs_level=3)
    for year in (2024, 2025):
        review = ready_review(school=school, starts_on=date(year, 11, 16))
        reporting.publish_report(review.lead, review)
        db.session.commit()
    ready_review(school=school, starts_on=date(2026, 11, 16))  # not published: not charted
    for client in (client_for(create_user("sia")), client_for(create_user("governor", schools=[school]))):
        page = client.get(f"/schools/{school.urn}/reviews/history").get_data(as_text=True)
        figure = re.search(r'<figure class="app-figure" id="chart-judgements">(.*?)</figure>', page, re.DOTALL).group(1)
        assert re.search(r'<svg [^>]*role="img"[^>]*><title>Overall judgement of each published review[^<]*</title>'
                         r"<desc>[^<]*1 is excellent[^<]*</desc>", figure)
        assert "1 is excellent" in figure.split("<svg", 1)[0]  # said beside the chart too
        assert "style=" not in figure and "<script" not in figure
        table = figure.split("<tbody", 1)[1]
        assert re.findall(r'<th scope="row" class="govuk-table__header">([^<]+)</th>', table) == [
            "16 November 2024", "16 November 2025"]
        assert table.count(">4</td>") == 2 and "16 November 2026" not in figure
