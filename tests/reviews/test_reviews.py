"""Joint LEA/School Reviews: planning, the team, stages, the pre-review, key questions and who
may change them."""
from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lea_support.core.errors import DomainError
from lea_support.core.models import AuditEntry
from lea_support.reviews import services
from lea_support.reviews.models import (
    EvidenceAnswer,
    FieldworkEvidence,
    JointReview,
    KeyQuestion,
    ReviewStageChange,
    ReviewTeamMember,
)
from lea_support.schools.models import SchoolEvent
from tests.conftest import csrf_token, sign_in, submit


def boxes(day: date | None) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)] if day else ["", "", ""]


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def team_of(review) -> list[tuple[str, str, str]]:
    return sorted((m.team_role, m.display_name, m.job_title) for m in review.team)


# --- planning --------------------------------------------------------------------------------

def test_an_sia_plans_a_review_with_its_team(client, db, login_as, create_school, create_user):
    adviser = create_user("link_adviser", name="Lin Adviser")
    consultant = create_user("project_team", name="Con Sultant")
    school = create_school(name="Plan Primary", link_adviser_id=adviser.id)
    head = create_user("school_leader", schools=[school], name="Hed Teacher")
    sia = login_as("sia")
    url = f"/schools/{school.urn}/reviews/new"

    page = client.get(url).get_data(as_text=True)
    assert f'<option value="{sia.id}" selected' in page  # the SIA leads by default
    assert f'<option value="{adviser.id}" selected' in page  # the school's link adviser
    response = submit(client, url, {
        "lead_id": str(sia.id), "starts_on": boxes(date(2026, 11, 16)), "ends_on": boxes(date(2026, 11, 18)),
        "link_adviser_id": str(adviser.id), "la_team": [str(consultant.id)], "school_users": [str(head.id)],
        "school_participants": "Jo Smith, Deputy headteacher\n\n  Sam Brown  \n"})
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]

    review = db.session.scalars(select(JointReview)).one()
    assert (review.school_id, review.lead_id, review.stage) == (school.id, sia.id, "planned")
    assert (review.starts_on, review.ends_on) == (date(2026, 11, 16), date(2026, 11, 18))
    assert review.framework.is_current and review.scale.is_current
    assert sorted((i.kind, i.status) for i in review.pre_review_items) == [
        ("notes_of_visit", "pending"), ("ofsted_report", "pending"), ("performance_data", "pending"),
        ("self_review", "pending"), ("sip", "pending")]
    assert team_of(review) == [
        ("la_team", "Con Sultant", ""), ("lead", sia.name, ""), ("link_adviser", "Lin Adviser", ""),
        ("school", "Hed Teacher", ""), ("school", "Jo Smith", "Deputy headteacher"), ("school", "Sam Brown", "")]
    events = db.session.scalars(select(SchoolEvent).where(SchoolEvent.school_id == school.id)).all()
    assert [e.summary for e in events] == ["Joint LEA/School Review planned for 16 November 2026"]
    assert db.session.scalars(select(AuditEntry.action).where(AuditEntry.action == "review.plan")).all()
    assert response.headers["Location"].endswith(f"/reviews/{review.id}")


def test_an_end_before_the_start_is_refused_and_what_was_typed_kept(client, db, login_as, create_school):
    school = create_school()
    sia = login_as("sia")
    url = f"/schools/{school.urn}/reviews/new"
    response = submit(client, url, {"lead_id": str(sia.id), "starts_on": boxes(date(2026, 11, 16)),
                                    "ends_on": boxes(date(2026, 11, 10)),
                                    "school_participants": "Jo Smith, Headteacher"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The end date must be the same as or after the start date" in page
    assert "Jo Smith, Headteacher" in page
    assert count(db, JointReview) == 0 and count(db, SchoolEvent) == 0


def test_a_missing_start_date_is_refused(client, db, login_as, create_school):
    school = create_school()
    sia = login_as("sia")
    response = submit(client, f"/schools/{school.urn}/reviews/new", {"lead_id": str(sia.id)})
    assert response.status_code == 422
    assert "Enter the start date" in response.get_data(as_text=True)
    assert count(db, JointReview) == 0


def test_the_lead_must_be_an_active_sia(db, create_school, create_user):
    school = create_school()
    admin = create_user("admin")
    with pytest.raises(DomainError, match="led by a School Improvement Adviser"):
        services.plan_review(admin, school, lead=create_user("link_adviser"), starts_on=date(2026, 11, 16))
    with pytest.raises(DomainError, match="Choose someone"):
        services.plan_review(admin, school, lead=None, starts_on=date(2026, 11, 16))
    other_head = create_user("school_leader", schools=[create_school()])
    with pytest.raises(DomainError, match="is not a leader of"):
        services.plan_review(admin, school, lead=create_user("sia"), starts_on=date(2026, 11, 16),
                             school_users=[other_head])
    assert count(db, JointReview) == 0


def test_an_administrator_plans_a_review_for_an_sia(client, db, login_as, create_school, create_user):
    school = create_school()
    sia = create_user("sia")
    login_as("admin")
    response = submit(client, f"/schools/{school.urn}/reviews/new",
                      {"lead_id": str(sia.id), "starts_on": boxes(date(2026, 11, 16))})
    assert response.status_code == 302
    assert db.session.scalars(select(JointReview)).one().lead_id == sia.id


def test_school_reviews_list_shows_governors_only_published_ones(client, db, create_school, create_user,
                                                                  create_review):
    from lea_support.reviews.models import PublishedReviewReport

    school = create_school()
    published = create_review(school=school, starts_on=date(2025, 11, 3), stage="published")
    # What governors see is what was published: a report version, not just the stage.
    db.session.add(PublishedReviewReport(review_id=published.id, version=1, content={}, pdf=b"%PDF-1.7",
                                         pdf_sha256="0" * 64))
    working = create_review(school=school, starts_on=date(2026, 11, 16), stage="fieldwork")
    governor = create_user("governor", schools=[school])
    sign_in(client, governor.email)
    page = client.get(f"/schools/{school.urn}/reviews").get_data(as_text=True)
    assert "3 November 2025" in page and "Read the report" in page
    assert "16 November 2026" not in page
    assert client.get(f"/reviews/{working.id}").status_code == 403
    assert client.get(f"/schools/{create_school().urn}/reviews").status_code == 403


def test_la_staff_see_every_review_of_the_school(client, login_as, create_school, create_review):
    school = create_school()
    create_review(school=school, starts_on=date(2025, 11, 3), stage="published")
    create_review(school=school, starts_on=date(2026, 11, 16), stage="fieldwork")
    login_as("project_team")
    page = client.get(f"/schools/{school.urn}/reviews").get_data(as_text=True)
    assert "3 November 2025" in page and "16 November 2026" in page and "Fieldwork" in page


# --- the review's page and its team ------------------------------------------------------------

def test_the_review_page_shows_stage_team_checklist_questions_and_evidence(client, db, create_user,
                                                                              create_review):
    adviser = create_user("link_adviser", name="Lin Adviser")
    review = create_review(stage="fieldwork", team=[(adviser, "link_adviser")])
    db.session.add(ReviewTeamMember(review_id=review.id, name="Jo Smith", job_title="Headteacher", team_role="school"))
    question = KeyQuestion(review_id=review.id, position=1, text="How well do pupils read?")
    db.session.add(question)
    db.session.commit()
    services.record_evidence(adviser, review, services.EvidenceData(
        kind="lesson_observation", occurred_on=date(2026, 11, 17), year_group="Year 4", subject="English",
        summary="Guided reading", answers={question.id: "Fluently, mostly"},
        judgements={review.framework.aspects[1].id: (3, "")}))
    db.session.commit()
    sign_in(client, review.lead.email)
    page = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    for text in ('id="review-stage">Fieldwork<', "Lin Adviser", "Jo Smith, Headteacher", "Latest Ofsted report" if
                 review.pre_review_items else "Pre-review", "How well do pupils read?", "Guided reading",
                 "Quality of teaching and learning: <strong>3 Good</strong>", "Fluently, mostly",
                 "Record a lesson observation"):
        assert text in page, text
    # The task list: fieldwork is under way; the evaluation and the report are not offered yet.
    assert task_statuses(page) == {"team": "Completed", "pre_review": "Completed", "fieldwork": "In progress",
                                   "evaluation": "Cannot start yet", "report": "Cannot start yet",
                                   "publish": "Cannot start yet"}
    assert f"/reviews/{review.id}/evaluation" not in page and f"/reviews/{review.id}/report-draft" not in page
    # One next step, the lead's: the evaluation, one stage on; no drop-down of stages.
    assert next_step(page) == "Start the evaluation with the school's leaders"
    assert '<select class="govuk-select" id="stage"' not in page
    services.change_stage(review.lead, review, "evaluation")
    db.session.commit()
    page = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert task_statuses(page)["evaluation"] == "Not yet started" and task_statuses(page)["report"] == "Not yet started"
    assert f"/reviews/{review.id}/evaluation" in page and f"/reviews/{review.id}/report-draft" in page
    assert next_step(page) == "Record the evaluation"


def task_statuses(page: str) -> dict[str, str]:
    """Each part of the review's task list with the status it shows."""
    return {code: re.sub(r"<[^>]+>|\s+", " ", status).strip().replace("  ", " ")
            for code, status in re.findall(r'id="task-(\w+)-status">(.*?)</div>', page, re.S)}


def next_step(page: str) -> str:
    """The words of the page's one primary button (the next step)."""
    group = page[page.index('id="next-step"'):]
    group = group[:group.index("</div>")]
    buttons = re.findall(r'class="govuk-button"[^>]*>([^<]+)<', group)
    assert len(buttons) == 1, buttons
    return html.unescape(buttons[0].strip())


def test_each_stage_offers_one_next_step_and_only_the_parts_now_possible(client, db, create_user, create_review):
    review = create_review(stage="planned")
    sign_in(client, review.lead.email)
    url = f"/reviews/{review.id}"
    expected = [
        ("planned", "Start the pre-review", {"pre_review": "Not yet started", "fieldwork": "Cannot start yet",
                                             "evaluation": "Cannot start yet", "report": "Cannot start yet"}),
        ("pre_review", "Start fieldwork", {"pre_review": "In progress", "fieldwork": "Cannot start yet"}),
        ("fieldwork", "Start the evaluation with the school's leaders", {"fieldwork": "Not yet started"}),
    ]
    for stage, button, statuses in expected:
        page = client.get(url).get_data(as_text=True)
        assert f'id="review-stage">{services.STAGES[stage]}<' in page
        assert next_step(page) == button, stage
        shown = task_statuses(page)
        assert {k: shown[k] for k in statuses} == statuses, stage
        assert "/evaluation" not in page and "/report-draft" not in page
        # The button moves the review on one stage.
        response = submit(client, f"{url}/stage", {"stage": services.next_stage(db.session.get(JointReview, review.id))},
                          form_url=url)
        assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(JointReview, review.id).stage == "evaluation"


def test_the_team_adds_and_removes_members_but_not_the_lead(client, db, create_user, create_review):
    adviser = create_user("link_adviser")
    consultant = create_user("project_team", name="Con Sultant")
    review = create_review(team=[(adviser, "link_adviser")])
    sign_in(client, adviser.email)
    url = f"/reviews/{review.id}"
    assert submit(client, f"{url}/team", {"team_role": "la_team", "user_id": str(consultant.id)},
                  form_url=url).status_code == 302
    assert submit(client, f"{url}/team", {"team_role": "school", "name": "Jo Smith", "job_title": "Headteacher"},
                  form_url=url).status_code == 302
    response = submit(client, f"{url}/team", {"team_role": "la_team", "user_id": str(consultant.id)}, form_url=url)
    assert response.status_code == 422 and "Con Sultant is already on the review team" in response.get_data(as_text=True)
    response = submit(client, f"{url}/team", {"team_role": "school", "name": "", "job_title": "Deputy head"},
                      form_url=url)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "enter the participant&#39;s name" in page and "Deputy head" in page

    db.session.expire_all()
    review = db.session.get(JointReview, review.id)
    assert ("school", "Jo Smith", "Headteacher") in team_of(review)
    lead_member = next(m for m in review.team if m.team_role == "lead")
    response = submit(client, f"{url}/team/{lead_member.id}/remove", {}, form_url=url)
    assert response.status_code == 422
    assert "The lead SIA cannot be removed from the review" in response.get_data(as_text=True)
    member = next(m for m in review.team if m.user_id == consultant.id)
    assert submit(client, f"{url}/team/{member.id}/remove", {}, form_url=url).status_code == 302
    db.session.expire_all()
    assert consultant.id not in {m.user_id for m in db.session.get(JointReview, review.id).team}
    assert review.lead_id in {m.user_id for m in db.session.get(JointReview, review.id).team}


def test_a_member_of_another_review_cannot_be_removed_through_this_one(client, create_review):
    review, other = create_review(), create_review()
    sign_in(client, review.lead.email)
    url = f"/reviews/{review.id}"
    assert submit(client, f"{url}/team/{other.team[0].id}/remove", {}, form_url=url).status_code == 404


def test_a_non_school_leader_cannot_join_as_a_school_participant(db, create_user, create_review):
    review = create_review()
    with pytest.raises(DomainError, match="is not a leader of"):
        services.add_team_member(review.lead, review, team_role="school",
                                  user=create_user("governor", schools=[review.school]))
    with pytest.raises(DomainError, match="not on the authority's staff"):
        services.add_team_member(review.lead, review, team_role="la_team",
                                  user=create_user("school_leader", schools=[review.school]))


# --- stages ------------------------------------------------------------------------------------

def test_stages_move_forward_one_at_a_time(db, create_review):
    review = create_review()
    lead = review.lead
    with pytest.raises(DomainError, match="one stage at a time: the next stage is Pre-review"):
        services.change_stage(lead, review, "fieldwork")
    for stage in ("pre_review", "fieldwork", "evaluation", "report_drafted"):
        services.change_stage(lead, review, stage)
    assert review.stage == "report_drafted"
    with pytest.raises(DomainError, match="Publish") as err:
        services.change_stage(lead, review, "published")
    assert err.value.field == "stage"
    changes = db.session.scalars(select(ReviewStageChange).order_by(ReviewStageChange.id)).all()
    assert [(c.from_stage, c.to_stage, c.changed_by_id) for c in changes] == [
        ("planned", "pre_review", lead.id), ("pre_review", "fieldwork", lead.id),
        ("fieldwork", "evaluation", lead.id), ("evaluation", "report_drafted", lead.id)]
    assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "review.stage")).all()) == 4
    events = db.session.scalars(select(SchoolEvent.summary).order_by(SchoolEvent.id)).all()
    assert events == ["Joint LEA/School Review: fieldwork began",
                      "Joint LEA/School Review: evaluation with the school's leaders began"]


def test_moving_back_needs_a_reason(db, create_review):
    review = create_review(stage="evaluation")
    with pytest.raises(DomainError, match="Enter why the review is going back to Pre-review") as err:
        services.change_stage(review.lead, review, "pre_review", reason="  ")
    assert err.value.field == "reason"
    services.change_stage(review.lead, review, "pre_review", reason="Ofsted report arrived late")
    assert review.stage == "pre_review"
    change = db.session.scalars(select(ReviewStageChange)).one()
    assert (change.from_stage, change.to_stage, change.reason) == ("evaluation", "pre_review",
                                                                    "Ofsted report arrived late")


def test_a_published_review_does_not_change_stage(db, create_review):
    review = create_review(stage="published")
    with pytest.raises(DomainError, match="published"):
        services.change_stage(review.lead, review, "report_drafted", reason="Typo")
    assert count(db, ReviewStageChange) == 0


def test_the_lead_changes_stage_on_the_page(app, client, db, create_user, create_review):
    adviser = create_user("link_adviser")
    review = create_review(stage="fieldwork", team=[(adviser, "link_adviser")])
    url = f"/reviews/{review.id}"
    other_client = app.test_client()
    sign_in(other_client, adviser.email)  # on the team, but stages are the lead's
    assert submit(other_client, f"{url}/stage", {"stage": "evaluation"}, form_url=url).status_code == 403

    sign_in(client, review.lead.email)
    response = submit(client, f"{url}/stage", {"stage": "planned", "reason": ""}, form_url=url)
    assert response.status_code == 422
    assert "Enter why the review is going back to Planned" in response.get_data(as_text=True)
    response = submit(client, f"{url}/stage", {"stage": "published"}, form_url=url)
    assert response.status_code == 422 and "Publish" in response.get_data(as_text=True)
    assert submit(client, f"{url}/stage", {"stage": "evaluation"}, form_url=url).status_code == 302
    db.session.expire_all()
    assert db.session.get(JointReview, review.id).stage == "evaluation"


# --- pre-review and key questions -------------------------------------------------------------

def test_the_pre_review_checklist_and_commentary(client, db, create_user, create_school, create_note):
    school = create_school()
    adviser = create_user("link_adviser")
    sia = create_user("sia")
    recent = create_note(school=school, adviser=adviser, status="finalised", visit_date=date(2026, 6, 10))
    create_note(school=school, adviser=adviser, status="planned", visit_date=date(2026, 10, 1))
    create_note(school=school, adviser=adviser, status="finalised", visit_date=date(2025, 6, 10))
    create_note(adviser=adviser, status="finalised", visit_date=date(2026, 6, 11))  # another school
    review = services.plan_review(sia, school, lead=sia, starts_on=date(2026, 11, 16))
    db.session.commit()
    url = f"/reviews/{review.id}/pre-review"

    sign_in(client, sia.email)
    page = client.get(url).get_data(as_text=True)
    assert f'href="/visits/{recent.id}"' in page and "10 June 2026" in page
    assert "1 October 2026" not in page and "10 June 2025" not in page and "11 June 2026" not in page

    data = {"commentary": "Results fell in 2026; the SIP does not say why.",
            "status_performance_data": "seen", "notes_performance_data": "KS2 2026 data",
            "status_sip": "seen", "status_notes_of_visit": "seen", "status_ofsted_report": "not_available",
            "notes_ofsted_report": "Not inspected since 2019", "status_self_review": "pending"}
    assert submit(client, url, data).status_code == 302
    db.session.expire_all()
    review = db.session.get(JointReview, review.id)
    assert review.pre_review_commentary == data["commentary"]
    assert {i.kind: (i.status, i.notes) for i in review.pre_review_items} == {
        "performance_data": ("seen", "KS2 2026 data"), "sip": ("seen", ""), "notes_of_visit": ("seen", ""),
        "ofsted_report": ("not_available", "Not inspected since 2019"), "self_review": ("pending", "")}
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "review.pre_review")).one()

    response = submit(client, url, {**data, "status_sip": "lost", "commentary": "New words"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "School Improvement Plan: choose seen" in page and "New words" in page
    db.session.expire_all()
    assert db.session.get(JointReview, review.id).pre_review_commentary == data["commentary"]


def test_key_questions_are_added_and_deleted_unless_answered(client, db, create_review):
    review = create_review(stage="fieldwork")
    url = f"/reviews/{review.id}"
    sign_in(client, review.lead.email)
    response = submit(client, f"{url}/key-questions", {"text": "  "}, form_url=url)
    assert response.status_code == 422 and "Enter the key question" in response.get_data(as_text=True)
    for text in ("How well do pupils read?", "Is the SIP driving improvement?"):
        assert submit(client, f"{url}/key-questions", {"text": text}, form_url=url).status_code == 302
    first, second = db.session.scalars(select(KeyQuestion).order_by(KeyQuestion.position)).all()
    assert (first.position, second.position) == (1, 2)

    services.record_evidence(review.lead, db.session.get(JointReview, review.id), services.EvidenceData(
        kind="discussion", occurred_on=date(2026, 11, 17), discussion_with="pupils", summary="Pupils read to us",
        answers={first.id: "Confidently"}))
    db.session.commit()
    response = submit(client, f"{url}/key-questions/{first.id}/delete", {}, form_url=url)
    assert response.status_code == 422
    assert "This key question is answered by 1 piece of evidence" in response.get_data(as_text=True)
    assert submit(client, f"{url}/key-questions/{second.id}/delete", {}, form_url=url).status_code == 302
    assert db.session.scalars(select(KeyQuestion.text)).all() == ["How well do pupils read?"]
    assert count(db, EvidenceAnswer) == 1


# --- who may change a review -------------------------------------------------------------------

EDIT_ROUTES = [
    ("POST", "/reviews/{r}/team"), ("POST", "/reviews/{r}/team/{m}/remove"), ("POST", "/reviews/{r}/stage"),
    ("GET", "/reviews/{r}/pre-review"), ("POST", "/reviews/{r}/pre-review"), ("POST", "/reviews/{r}/key-questions"),
    ("POST", "/reviews/{r}/key-questions/{q}/delete"), ("GET", "/reviews/{r}/evidence/new?kind=discussion"),
    ("POST", "/reviews/{r}/evidence/new?kind=discussion"), ("GET", "/reviews/{r}/evidence/{e}/edit"),
    ("POST", "/reviews/{r}/evidence/{e}/edit"), ("POST", "/reviews/{r}/evidence/{e}/delete"),
]


def _review_with_records(db, create_user, create_review, stage="fieldwork"):
    adviser = create_user("link_adviser")
    review = create_review(stage=stage, team=[(adviser, "link_adviser")])
    question = KeyQuestion(review_id=review.id, position=1, text="Q?")
    evidence = FieldworkEvidence(review_id=review.id, kind="discussion", occurred_on=date(2026, 11, 17),
                                 discussion_with="staff", summary="Talked")
    db.session.add_all([question, evidence])
    db.session.commit()
    member = next(m for m in review.team if m.user_id == adviser.id)
    return review, {"r": review.id, "m": member.id, "q": question.id, "e": evidence.id}


def _statuses(client, ids) -> dict[str, int]:
    """What each edit route answers, posted with a valid CSRF token from a page the user sees."""
    token_page = next(url for url in (f"/reviews/{ids['r']}", "/my-schools", "/governor")
                      if client.get(url).status_code == 200)
    token = csrf_token(client, token_page)
    statuses = {}
    for method, pattern in EDIT_ROUTES:
        url = pattern.format(**ids)
        response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token})
        statuses[f"{method} {pattern}"] = response.status_code
    return statuses


@pytest.mark.parametrize("outsider", ["sia", "link_adviser", "admin", "project_team", "school_leader", "governor"])
def test_nobody_outside_the_team_changes_a_review(outsider, client, db, create_user, create_review):
    review, ids = _review_with_records(db, create_user, create_review)
    school_roles = {"school_leader", "governor"}
    user = create_user(outsider, schools=[review.school] if outsider in school_roles else None)
    sign_in(client, user.email)
    statuses = _statuses(client, ids)
    assert set(statuses.values()) == {403}, statuses
    db.session.expire_all()
    assert count(db, FieldworkEvidence) == 1 and count(db, KeyQuestion) == 1
    assert len(db.session.get(JointReview, review.id).team) == 2
    assert db.session.get(JointReview, review.id).stage == "fieldwork"
    # LA staff may read the working review; the school's governors and leaders (off the team) may not.
    assert client.get(f"/reviews/{review.id}").status_code == (403 if outsider in school_roles else 200)


def test_school_participants_see_the_review_but_do_not_change_it(client, db, create_user, create_review):
    review, ids = _review_with_records(db, create_user, create_review)
    head = create_user("school_leader", schools=[review.school])
    db.session.add(ReviewTeamMember(review_id=review.id, user_id=head.id, team_role="school"))
    db.session.commit()
    sign_in(client, head.email)
    assert client.get(f"/reviews/{review.id}").status_code == 200
    assert set(_statuses(client, ids).values()) == {403}


def test_nothing_changes_once_published(client, db, create_user, create_review):
    review, ids = _review_with_records(db, create_user, create_review, stage="published")
    sign_in(client, review.lead.email)
    statuses = _statuses(client, ids)
    # The lead may still post a stage change, which the service refuses.
    assert statuses.pop("POST /reviews/{r}/stage") == 422
    assert set(statuses.values()) == {403}, statuses
    with pytest.raises(DomainError, match="published"):
        services.add_key_question(review.lead, review, "Late question")


def test_the_team_edits(client, db, create_user, create_review):
    review, ids = _review_with_records(db, create_user, create_review)
    adviser = next(m.user for m in review.team if m.team_role == "link_adviser")
    sign_in(client, adviser.email)
    for url in (f"/reviews/{review.id}/pre-review", f"/reviews/{review.id}/evidence/new?kind=discussion",
                f"/reviews/{review.id}/evidence/{ids['e']}/edit"):
        assert client.get(url).status_code == 200, url
    assert client.get(f"/reviews/{review.id}/evidence/new?kind=gossip").status_code == 404


def test_the_planning_page_is_for_sias_and_administrators(client, login_as, create_school):
    school = create_school()
    login_as("link_adviser")
    assert client.get(f"/schools/{school.urn}/reviews/new").status_code == 403


def test_recent_notes_of_visit_are_the_year_before_the_review(db, create_note, create_review):
    review = create_review(starts_on=date(2026, 11, 16))
    inside = create_note(school=review.school, status="sent", visit_date=review.starts_on - timedelta(days=300))
    create_note(school=review.school, status="sent", visit_date=review.starts_on - timedelta(days=400))
    assert [n.id for n in services.recent_notes_of_visit(review)] == [inside.id]
