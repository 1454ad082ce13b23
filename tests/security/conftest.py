"""A school whose every user-editable text field holds hostile input, made through the services
(as the forms would), for the payload tests: HTML and attribute injection, template injection and
spreadsheet formulas side by side in each field."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable

import pytest
from sqlalchemy import select

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
# Jinja would turn these into "SSTI49", the app's config, and a bare EVAL.
TEMPLATE = "SSTI{{7*7}}{{ config }}{% if 1 %}EVAL{% endif %}"
JS_URL = "javascript:alert(1)"
FORMULAS = ('=HYPERLINK("http://evil.invalid","x")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(1)")

_counter = iter(range(1, 10_000))


def hostile(limit: int = 10_000) -> str:
    """A payload that fits in `limit` characters: a formula start, then HTML, then template syntax,
    as much of it as fits (the HTML first)."""
    n = next(_counter)
    full = f"{FORMULAS[n % len(FORMULAS)]} {SCRIPT}{ATTRIBUTE}{TEMPLATE} {JS_URL}"
    for candidate in (full, f"{FORMULAS[n % len(FORMULAS)][:7]}{SCRIPT}{ATTRIBUTE}SSTI{{{{7*7}}}}",
                      f"{SCRIPT}{ATTRIBUTE}", f"{SCRIPT}SSTI{{{{7*7}}}}", SCRIPT, "<b>SSTI{{7*7}}</b>", "=1+1"):
        if len(candidate) <= limit:
            return candidate
    raise ValueError(limit)


@dataclass
class World:
    school: Any
    users: dict[str, Any]
    note: Any = None
    draft_note: Any = None
    current_review: Any = None
    planned_note: Any = None
    review: Any = None
    plan: Any = None
    amended_plan: Any = None
    midpoint: Any = None
    meeting: Any = None
    notice: Any = None
    governor_report: Any = None


@pytest.fixture
def rendered_html(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every piece of HTML handed to WeasyPrint while the test runs (the renderer still runs)."""
    from lea_support.pdf import render as pdf

    seen: list[str] = []
    original = pdf.html_to_rendered_pdf

    def spy(html: str, **kw: Any) -> Any:
        seen.append(html)
        return original(html, **kw)

    monkeypatch.setattr(pdf, "html_to_rendered_pdf", spy)
    return seen


@pytest.fixture
def hostile_world(request: pytest.FixtureRequest, db: Any, rendered_html: list[str],
                  create_school: Callable[..., Any], create_user: Callable[..., Any]) -> World:
    """Everything a school's record holds, with hostile text in each free-text field."""
    from lea_support.auth import services as auth
    from lea_support.casework import services as casework
    from lea_support.casework.models import VisitAttachment
    from lea_support.core import calendar_services as calendar
    from lea_support.governor_reports import services as reports
    from lea_support.governor_reports.models import BulkRun
    from lea_support.rap import services as rap
    from lea_support.rap.models import MidpointReview
    from lea_support.reviews import reporting
    from lea_support.reviews import services as reviews
    from lea_support.schools import services as schools
    from lea_support.schools.models import GiasImport, SupportTier

    today = date.today()
    users = {role: create_user(role, name=hostile(120)) for role in
             ("admin", "sia", "link_adviser", "project_team")}
    school = create_school(
        name=hostile(200), head_name=hostile(200), street=hostile(200), locality=hostile(200), address3=hostile(200),
        town=hostile(120), county=hostile(120), postcode="@SUM(1)", website=JS_URL, telephone=SCRIPT,
        trust_name=hostile(200), type_name=hostile(120), type_group=hostile(120), la_name=hostile(120),
        ofsted_rating=hostile(60), phase=hostile(60), support_tier="significant", mcs_level=3)
    users["school_leader"] = create_user("school_leader", name=hostile(120), schools=[school])
    users["governor"] = create_user("governor", name=hostile(120), schools=[school])
    admin, sia, adviser, head = users["admin"], users["sia"], users["link_adviser"], users["school_leader"]
    auth.update_user(admin, users["project_team"], name=hostile(120), role="project_team", school_urns=[],
                     is_disabled=False)

    # The register: tier (restored afterwards: reference data outlives the test on PostgreSQL),
    # link adviser, support decision, allocation.
    tier = db.session.get(SupportTier, "significant")
    saved_tier = (tier.name, tier.description)

    def restore_tier() -> None:
        db.session.rollback()
        tier = db.session.get(SupportTier, "significant")
        tier.name, tier.description = saved_tier
        db.session.commit()

    request.addfinalizer(restore_tier)
    schools.update_support_tier(admin, tier, name=hostile(80), description=hostile(),
                                default_link_visits=tier.default_link_visits,
                                default_consultant_days=tier.default_consultant_days)
    schools.assign_link_adviser(admin, school, adviser, reason=hostile())
    schools.change_support(sia, school, support_tier="significant", mcs_level=4, cause_for_concern=None,
                           is_vulnerable=True, has_significant_underachievement=False, reason=hostile(),
                           evidence=hostile())
    year = "2026/27" if today < date(2027, 9, 1) else f"{today.year}/{str(today.year + 1)[2:]}"
    schools.issue_annual_allocations(None, year)
    schools.adjust_allocation(sia, school, year, link_visits=7, consultant_days="4", reason=hostile())
    db.session.commit()

    # A note of visit through the whole factual-accuracy loop, and a planned visit.
    note = casework.record_visit(adviser, school, casework.NoteData(
        visit_date=today - timedelta(days=20), visit_type_code="core_support", purpose=hostile(),
        support_aspects=["support4success"], people_met=hostile(), discussion=hostile(), strengths=hostile(),
        areas_for_development=hostile(), next_visit_date=today + timedelta(days=30), minutes_spent=90,
        actions=[casework.ActionData(description=hostile(), owner=hostile(200), due_on=today + timedelta(days=14))]))
    casework.send_note(adviser, note)
    casework.respond_to_note(head, note, accurate=False, comment=hostile())
    casework.reply_to_response(adviser, note, comment=hostile())
    casework.amend_note(adviser, note, casework.AmendmentData(
        purpose=hostile(), people_met=hostile(), discussion=hostile(), strengths=hostile(),
        areas_for_development=hostile()), expected_version=None)
    casework.finalise_note(adviser, note, comment=hostile())
    casework.add_addendum(adviser, note, text=hostile(), reason=hostile())
    db.session.add(VisitAttachment(note_id=note.id, original_name=hostile(255), stored_name="0" * 64,
                                   content_type="application/pdf", size_bytes=10, sha256="0" * 64,
                                   uploaded_by_id=adviser.id))
    draft = casework.record_visit(adviser, school, casework.NoteData(
        visit_date=today - timedelta(days=3), visit_type_code="core_support", purpose=hostile(),
        support_aspects=["leading4success"], people_met=hostile(), discussion=hostile(), strengths=hostile(),
        areas_for_development=hostile(), actions=[casework.ActionData(description=hostile(), owner=hostile(200))]))
    planned = casework.plan_visit(adviser, school, visit_date=today + timedelta(days=30),
                                  visit_type_code="core_support", purpose=hostile())
    db.session.commit()

    # A Joint LEA/School Review, from planning to its published report.
    review = reviews.plan_review(sia, school, lead=sia, starts_on=today - timedelta(days=60),
                                 link_adviser=adviser, school_users=[head],
                                 school_participants=[(hostile(120), hostile(120))])
    reviews.add_team_member(sia, review, team_role="school", name=hostile(120), job_title=hostile(120))
    reviews.change_stage(sia, review, "pre_review")
    reviews.update_pre_review(sia, review, commentary=hostile(),
                              items={kind: ("seen", hostile()) for kind in
                                     ("performance_data", "sip", "notes_of_visit", "ofsted_report", "self_review")})
    question = reviews.add_key_question(sia, review, hostile())
    reviews.change_stage(sia, review, "fieldwork")
    reviews.change_stage(sia, review, "pre_review", reason=hostile())
    reviews.change_stage(sia, review, "fieldwork")
    aspects = review.framework.aspects
    reviews.record_evidence(sia, review, reviews.EvidenceData(
        kind="lesson_observation", occurred_on=today - timedelta(days=55), summary=hostile(), year_group=hostile(40),
        subject=hostile(80), joint_with_school_leader=True, answers={question.id: hostile()},
        judgements={a.id: (5, hostile()) for a in aspects}))
    reviews.record_evidence(sia, review, reviews.EvidenceData(
        kind="discussion", occurred_on=today - timedelta(days=55), summary=hostile(), discussion_with="pupils"))
    reporting.record_school_views(head, review, [reporting.SchoolView(aspect_id=a.id, grade=4, comment=hostile())
                                                 for a in aspects])
    reviews.change_stage(sia, review, "evaluation")
    reporting.record_evaluation(sia, review, [
        reporting.AspectJudgement(aspect_id=a.id, proposed_grade=4, agreed_grade=5, rationale=hostile(),
                                  school_disagreed=True, school_view=hostile()) for a in aspects],
        overall_grade=5, overall_rationale=hostile())
    reporting.save_findings(sia, review, [reporting.FindingData("works_well", hostile()),
                                          reporting.FindingData("more_effective", hostile())])
    reporting.publish_report(sia, review)
    reporting.reopen_review(sia, review, reason=hostile())
    reporting.publish_report(sia, review, reason=hostile())
    db.session.commit()

    # The next review, in fieldwork: its pre-review and evidence can still be edited.
    current = reviews.plan_review(sia, school, lead=sia, starts_on=today - timedelta(days=5), link_adviser=adviser)
    reviews.change_stage(sia, current, "pre_review")
    reviews.update_pre_review(sia, current, commentary=hostile(), items={"sip": ("seen", hostile())})
    reviews.add_key_question(sia, current, hostile())
    reviews.change_stage(sia, current, "fieldwork")
    reviews.record_evidence(sia, current, reviews.EvidenceData(
        kind="work_scrutiny", occurred_on=today - timedelta(days=4), summary=hostile(), year_group=hostile(40),
        subject=hostile(80), judgements={aspects[0].id: (6, hostile())}))
    db.session.commit()

    # A Raising Achievement Plan from the review, agreed 100 days ago, then monitored.
    agreed_on = today - timedelta(days=100)
    plan = rap.draft_plan(sia, school, sip_reference=hostile(), review=review)
    rap.update_plan(sia, plan, sip_reference=hostile(), standards_fund="1000", professional_development=hostile())
    objective = rap.add_objective(sia, plan, hostile())
    for o in plan.objectives:
        rap.add_criterion(sia, o, measure=hostile(), baseline=hostile(), target=hostile(),
                          by_when=today + timedelta(days=100))
        rap.add_action(sia, o, rap.ActionData(what=hostile(), owner_id=None, owner_role=hostile(200),
                                              starts_on=agreed_on, due_on=today + timedelta(days=7),
                                              notes=hostile(), evidence=hostile()))
    allocation = rap.allocate_time(sia, plan, user_id=adviser.id, term="autumn-2026", days="3")
    rap.submit_plan(sia, plan)
    rap.sign_off_plan(head, plan, on=agreed_on)
    rap.sign_off_plan(sia, plan, on=agreed_on, midpoint_review_on=agreed_on + timedelta(weeks=10))
    rap.log_time_used(sia, allocation, used_on=today - timedelta(days=30), days="1", note=hostile())
    # The SIA's own reading of a criterion without a measure, at the mid-point review.
    from lea_support.evidence.outcomes import record_outcome

    record_outcome(plan.objectives[0].criteria[0], actual=hostile(200), met=True)
    db.session.commit()

    team = rap.team_for_plan(plan)
    rap.add_team_member(sia, team, user_id=None, name=hostile(200), team_role="other_officer")
    rap.add_team_member(sia, team, user_id=users["project_team"].id, team_role="consultant")
    actions = [a for o in plan.objectives for a in o.actions]
    meeting = rap.record_meeting(sia, team, rap.MeetingData(
        held_on=today - timedelta(days=10), attendee_ids=[m.id for m in team.members if m.user_id],
        minutes=hostile(), decisions=hostile(), next_meeting_on=today + timedelta(days=20),
        changes=[rap.ProgressChange(action_id=actions[0].id, status="in_progress", note=hostile())],
        new_actions=[rap.NewAction(row=1, objective_id=objective.id, action=rap.ActionData(
            what=hostile(), owner_id=None, owner_role=hostile(200), starts_on=today - timedelta(days=10),
            due_on=today + timedelta(days=40)))]), today=today)
    in_force = rap.plan_in_force(plan.series_id)  # the meeting's new action amended the plan
    rap.update_action_progress(sia, in_force.objectives[0].actions[-1], status="done", note=hostile(),
                               evidence=hostile())
    db.session.commit()

    midpoint = db.session.scalars(select(MidpointReview).where(MidpointReview.plan_id == plan.series_id)).one()
    rap.record_midpoint_review(sia, midpoint, rap.MidpointRecord(
        held_on=today - timedelta(days=28), led_by_id=sia.id, capacity_grade=4, adviser_capacity_grade=4,
        adequate_improvement=False, off_window_reason=hostile(), summary=hostile(), outcome="continue", further_review_on=today + timedelta(days=42),
        progress={o.id: rap.ObjectiveJudgement("some_progress", hostile()) for o in in_force.objectives}))
    notice = rap.issue_improvement_notice(sia, school, improvements=hostile(), comply_by=today + timedelta(days=60),
                                          issued_on=today - timedelta(days=2), capacity_reason=hostile())
    # A closed plan's outcome (closing it here would end the plan the pages below show).
    plan.closure_outcome = hostile()
    db.session.commit()
    rap.change_notice_status(sia, notice, status="complied", on=today, reason=hostile())
    db.session.commit()

    # Statutory intervention: a maintained school's warning notices (one ended in a power used, one
    # complied with), an academy's referral to the DfE, and a bank holiday (reference data: removed
    # afterwards, as it outlives the test on PostgreSQL).
    from lea_support.core import working_days
    from lea_support.intervention import services as intervention

    maintained = create_school(name=hostile(200), type_name="Community school",
                               type_group="Local authority maintained schools", head_name=hostile(200))
    warning = intervention.give_warning_notice(sia, maintained, grounds=["standards", "safety"], reasons=hostile(),
                                               required_action=hostile(), comply_by=date(2026, 2, 27),
                                               issued_on=date(2025, 12, 15))
    intervention.record_power(sia, warning, power="additional_governors", decided_on=date(2026, 3, 2),
                              takes_effect_on=date(2026, 3, 9), ends_on=None, documents=hostile())
    complied = intervention.give_warning_notice(sia, maintained, grounds=["leadership"], reasons=hostile() + " 2",
                                                required_action=hostile(), comply_by=today + timedelta(days=60))
    intervention.record_compliance(sia, complied, on=today, reason=hostile(), expected_version=complied.version_id)
    academy = create_school(name=hostile(200), type_name="Academy converter", type_group="Academies",
                            trust_name=hostile(200))
    intervention.refer_to_dfe(sia, academy, grounds=hostile(), evidence=hostile())
    holiday = working_days.add_bank_holiday(admin, falls_on=date(2030, 6, 12), name=hostile(200))
    holiday_id = holiday.id
    db.session.commit()

    def remove_holiday() -> None:
        db.session.rollback()
        row = db.session.get(working_days.BankHoliday, holiday_id)
        if row is not None:
            db.session.delete(row)
            db.session.commit()

    request.addfinalizer(remove_holiday)

    # The term's report to governors: drafted, checked with a covering note, published, re-issued.
    version = reports.generate_draft(admin, school, "autumn-2026", today=today)
    reports.check_report(adviser, version, covering_note=hostile(), expected_version=None)
    reports.publish_report(sia, version, today=today)
    db.session.commit()
    reports.reissue_report(sia, version.report, reason=hostile(), today=today)
    db.session.commit()

    amended = rap.amend_plan(sia, in_force, reason=hostile())
    db.session.commit()

    # What administrators see of their own runs: closure days, GIAS imports (the uploaded file's
    # name) and a bulk report run whose failures name the school.
    calendar.add_closure(admin, name=hostile(120), starts_on=today + timedelta(days=200),
                         ends_on=today + timedelta(days=201))
    db.session.add(GiasImport(imported_by_id=admin.id, filename=hostile(255), sha256="0" * 64))
    # National data: a hostile file name, an Ofsted outcome and a census total's group.
    from lea_support.evidence.imports import import_data

    outcome = hostile(150).replace('"', '""')
    import_data(admin, (f"URN,Inspection start date,Date of latest ungraded inspection,Ungraded inspection overall outcome\n"
                        f'{school.urn},NULL,01/10/2025,"{outcome}"\n').encode(), filename="=SUM(1) <b>SSTI{{7*7}}.csv",
                kind="ofsted")
    import_data(admin, (f"URN,LA,ESTAB,NOR,PNUMFSMEVER\n{school.urn},{school.la_code},1,10,5\n"
                        f"LA,{school.la_code},{SCRIPT[:40]},100,6\n").encode(), filename="census-2025-26.csv")
    # A risk rule an administrator named, and a tier-review prompt an SIA dismissed with a reason.
    from lea_support.evidence.models import SignalRule, TierReviewPrompt

    rule = SignalRule(code="HOSTILE_RULE", label=hostile(200), kind="threshold",
                      params={"measures": ["PPERSABS10"], "direction": "above", "value": 25}, min_tier="enhanced")
    db.session.add(rule)
    db.session.flush()
    db.session.add(TierReviewPrompt(school_id=school.id, rule_id=rule.id, evidence_key="0" * 64, evidence=hostile(2000),
                                    tier_at_raise="light_touch", status="dismissed", dismiss_reason=hostile(2000),
                                    resolved_by_id=sia.id))
    from lea_support.pdf.letterhead import LetterheadData, save_letterhead

    save_letterhead(admin, LetterheadData(authority_name=hostile(200), address=hostile(1000), contact=hostile(500),
                                          signatory_name=hostile(200), signatory_role=hostile(200)),
                    expected_version=None)
    db.session.add(BulkRun(term="autumn-2026", status="failed", started_by_id=admin.id, total=1, failed=1,
                           failures=[{"urn": school.urn, "school": hostile(), "reason": hostile()}], error=hostile()))
    # A group name an administrator mapped to a role, and an API token someone named.
    from lea_support.api.services import TokenData, create_token
    from lea_support.auth.oidc_models import SignInGroup

    db.session.add(SignInGroup(group_name=hostile(200), role="link_adviser"))
    create_token(admin, TokenData(hostile(100), ["schools:read"], today + timedelta(days=30)))
    # Enhanced support and Sharing4Success: a support plan with a consultant deployed, a partnership
    # with another school, and good practice nominated from the note and declined with a reason.
    from lea_support.enhanced.models import ConsultantDeployment, SupportPlan
    from lea_support.sharing.models import GoodPractice, Partnership

    consultant = create_user("consultant")
    support = SupportPlan(school_id=school.id, academic_year="2026/27", purposes=hostile(2000),
                          outcome_hoped=hostile(2000), outcome_reached=hostile(2000), created_by_id=admin.id)
    db.session.add(support)
    db.session.flush()
    db.session.add(ConsultantDeployment(plan_id=support.id, school_id=school.id, consultant_id=consultant.id,
                                        purpose=hostile(2000), days_allocated=2))
    db.session.add(Partnership(lead_school_id=school.id, partner_school_id=create_school().id, purpose=hostile(2000),
                               starts_on=today, outcomes=hostile(2000), created_by_id=admin.id))
    db.session.add(GoodPractice(school_id=school.id, title=hostile(200), summary=hostile(2000), theme="leadership",
                                aspect="sharing4success", status="declined", note_id=note.id, nominated_by_id=admin.id,
                                contact_name=hostile(200), contact_email=hostile(200), decided_by_id=admin.id,
                                decided_at=datetime.now(timezone.utc), decline_reason=hostile(2000)))
    # An LA-wide programme with everything its people type: its name, aims and funder, a criterion and
    # questions, a session, a participant whose absence was followed up, the school's baseline
    # summary and a return's answer.
    from lea_support.programmes.models import (
        Attendance,
        MonitoringReturn,
        Participant,
        Programme,
        ProgrammeCriterion,
        ProgrammeSchool,
        ReturnAnswer,
        ReturnQuestion,
        TrainingSession,
    )

    programme = Programme(name=hostile(200), aims=hostile(2000), funder=hostile(200), participant_title=hostile(200),
                          starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=300),
                          created_by_id=admin.id)
    db.session.add(programme)
    db.session.flush()
    question = ReturnQuestion(programme_id=programme.id, position=1, text=hostile(2000), hint=hostile(2000), kind="text")
    enrolment = ProgrammeSchool(programme_id=programme.id, school_id=school.id, enrolled_on=today, status="enrolled",
                                baseline_on=today, baseline_summary=hostile(2000))
    session = TrainingSession(programme_id=programme.id, title=hostile(200), venue=hostile(200), held_on=today,
                              mandatory=True)
    db.session.add_all([ProgrammeCriterion(programme_id=programme.id, position=1, text=hostile(2000)), question,
                        enrolment, session])
    db.session.flush()
    participant = Participant(programme_id=programme.id, enrolment_id=enrolment.id, name=hostile(200),
                              job_title=hostile(200))
    returned = MonitoringReturn(programme_id=programme.id, enrolment_id=enrolment.id, term="autumn-2026",
                                status="submitted")
    db.session.add_all([participant, returned])
    db.session.flush()
    db.session.add_all([Attendance(session_id=session.id, participant_id=participant.id, programme_id=programme.id,
                                   status="absent", follow_up=hostile(2000), followed_up_at=datetime.now(timezone.utc)),
                        ReturnAnswer(return_id=returned.id, question_id=question.id, answer=hostile(2000))])
    db.session.commit()

    world = World(school=school, users=users, note=note, draft_note=draft, planned_note=planned, review=review,
                  current_review=current, plan=plan,
                  amended_plan=amended, midpoint=midpoint, meeting=meeting, notice=notice,
                  governor_report=version.report)
    return world
