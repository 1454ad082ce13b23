"""A fictional demo authority: about 40 schools in every tier and level, a user for every role.

Every school here is invented (names, URNs in the 990000s, LA code 999), so no real school is
given a fictional judgement.
"""
from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update

from .auth.models import Role
from .auth.services import create_user
from .core.calendar_services import seed_term_dates
from .core.terms import Term, academic_year_for, parse_academic_year
from .extensions import db
from .schools import services as school_services
from .schools.models import School, SchoolEvent

DEMO_PASSWORD = "demo-sign-in-2026"
DEMO_LA_CODE, DEMO_LA_NAME = "999", "Fictional Borough"
DEMO_URN_BASE = 990000

# email, name, role, school index (for school roles)
DEMO_USERS: list[tuple[str, str, str, int | None]] = [
    ("admin@demo.invalid", "Alex Admin", Role.ADMIN, None),
    ("adviser@demo.invalid", "Lee Adviser", Role.LINK_ADVISER, None),
    ("adviser2@demo.invalid", "Priya Patel", Role.LINK_ADVISER, None),
    ("sia@demo.invalid", "Sam Improvement", Role.SIA, None),
    ("team@demo.invalid", "Jo Consultant", Role.PROJECT_TEAM, None),
    ("consultant@demo.invalid", "Kim Literacy", Role.CONSULTANT, None),
    ("head@demo.invalid", "Chris Head", Role.SCHOOL_LEADER, 0),
    ("governor@demo.invalid", "Gill Governor", Role.GOVERNOR, 0),
]
# The demo LA consultant's specialism (an LA consultant has one).
DEMO_SPECIALISMS = {"consultant@demo.invalid": "literacy"}

_PLACES = ["Ashby", "Brookfield", "Castlegate", "Dunmore", "Elmwood", "Fernhill", "Greyfriars", "Hollins",
           "Ivydale", "Juniper", "Kingsmead", "Larkrise", "Millbrook", "Northgate", "Oakridge", "Pennyfield",
           "Queensway", "Riverside", "Stonebridge", "Thornbury", "Upton", "Valley Road", "Westcliffe", "Yewtree"]
_KINDS = [
    ("Primary", "Community school", "Local authority maintained schools", 4, 11, "Primary School"),
    ("Primary", "Voluntary aided school", "Local authority maintained schools", 4, 11, "CofE Primary School"),
    ("Primary", "Academy converter", "Academies", 4, 11, "Primary Academy"),
    ("Secondary", "Community school", "Local authority maintained schools", 11, 16, "High School"),
    ("Secondary", "Academy sponsor led", "Academies", 11, 18, "Academy"),
    ("Nursery", "Local authority nursery school", "Local authority maintained schools", 2, 5, "Nursery School"),
    ("Not applicable", "Community special school", "Special schools", 3, 19, "Special School"),
]
# (tier, level) for each school in turn: mostly light touch, some enhanced, a few significant.
_TIERS = ([("light_touch", 1)] * 22 + [("enhanced", 2)] * 10 + [("significant", 3)] * 4
          + [("significant", 4)] * 2 + [("significant", 5)] * 2)


def _noon(day: date) -> datetime:
    # As record_school_event dates a past day: noon UTC is that day in any UK time zone.
    return datetime.combine(day, time(12), UTC)


def _history_columns() -> list[Any]:
    """The columns that say when something happened, of the rows a school's history is read from:
    its timeline, a note's own history, a review's stage changes, an action's progress."""
    from .casework.models import NoteEvent
    from .rap.models import ActionUpdate
    from .reviews.models import ReviewStageChange

    return [SchoolEvent.occurred_at, NoteEvent.occurred_at, ReviewStageChange.changed_at, ActionUpdate.updated_at]


@contextmanager
def _happened_on(day: date) -> Iterator[None]:
    """What the services inside record happened on `day`, not now. The demo makes months of work in
    one go, and the services date what they write by the clock: without this every entry on a
    school's timeline would share one time stamp, instead of reading as the school's history."""
    columns = _history_columns()
    db.session.flush()
    before = [db.session.scalar(select(func.max(c.class_.id))) or 0 for c in columns]
    yield
    db.session.flush()
    for column, last_id in zip(columns, before, strict=True):
        model = column.class_
        db.session.execute(update(model).where(model.id > last_id).values({column.key: _noon(day)}))


def seed_demo(*, if_empty: bool = False, schools: int = 40) -> int | None:
    """Create the demo authority. Returns the number of users created, or None if skipped."""
    if if_empty and db.session.scalar(select(School.id).limit(1)) is not None:
        return None
    rng = random.Random(2026)
    made: list[School] = []
    for i in range(schools):
        phase, type_name, group, low, high, suffix = _KINDS[i % len(_KINDS)]
        place = _PLACES[i % len(_PLACES)] + ("" if i < len(_PLACES) else " Park")
        school = School(
            urn=DEMO_URN_BASE + i + 1, la_code=DEMO_LA_CODE, la_name=DEMO_LA_NAME,
            establishment_number=f"{2000 + i}", name=f"{place} {suffix}", type_name=type_name, type_group=group,
            phase=phase, status="Open", statutory_low_age=low, statutory_high_age=high,
            number_of_pupils=rng.randint(40, 1400), head_name=f"Mx {place} Head",
            street=f"{i + 1} School Lane", town="Fictionville", postcode=f"FV{i % 9 + 1} {i % 9 + 1}AA",
        )
        db.session.add(school)
        made.append(school)
    db.session.flush()
    users = {}
    for email, name, role, school_index in DEMO_USERS:
        urns = [made[school_index].urn] if school_index is not None else []
        users[email] = create_user(None, email=email, name=name, role=role, password=DEMO_PASSWORD, school_urns=urns,
                                   specialism=DEMO_SPECIALISMS.get(email))
    admin = users["admin@demo.invalid"]
    advisers = [users["adviser@demo.invalid"], users["adviser2@demo.invalid"]]
    # The history runs from the start of last school year: link advisers then, this year's support
    # decided in the first fortnight of the autumn term.
    today = date.today()
    year = academic_year_for(today)
    year_starts = Term.current(today).academic_year_starts_on
    for i, school in enumerate(made):
        if i % 13 != 12:  # a few schools are left without a link adviser
            assigned = year_starts - timedelta(days=365 - 7 * (i % 5))
            with _happened_on(assigned):
                school_services.assign_link_adviser(admin, school, advisers[i % 2], reason="Demo: initial allocation",
                                                    on=assigned)
        tier, level = _TIERS[i % len(_TIERS)]
        # The first school (the demo head's and governor's) is in significant support.
        if i == 0:
            tier, level = "significant", 3
        if (tier, level) != ("light_touch", 1):
            decided = min(today, year_starts + timedelta(days=1 + i % 12))
            with _happened_on(decided):
                decision = school_services.change_support(
                    users["sia@demo.invalid"], school, support_tier=tier, mcs_level=level,
                    cause_for_concern="la" if level == 5 else None, is_vulnerable=level in (3, 4),
                    has_significant_underachievement=level >= 4,
                    reason="Demo: attainment below floor for two years" if tier == "significant" else "Demo: targeted support for early years",
                    evidence="Fictional demo data",
                )
            decision.decided_at, school.support_tier_since = _noon(decided), decided
    seed_term_dates(parse_academic_year(year), actor=admin)
    school_services.issue_annual_allocations(admin, year)
    _seed_visits(made, advisers)
    _seed_enhanced_support(next(s for s in made if s.support_tier == "enhanced"), users)
    review = _seed_review(made[0], users["sia@demo.invalid"], advisers[0])
    _seed_plan(review, users)
    db.session.flush()
    _seed_governor_report(made[0], users)
    return len(users)


def _seed_governor_report(school: School, users: dict) -> None:
    """This term's report to governors for the demo governor's school, drafted from the records
    above, checked by the link adviser with a covering note and published."""
    from .governor_reports import services as reports

    draft = reports.generate_draft(users["admin@demo.invalid"], school, Term.current(date.today()).slug)
    reports.check_report(users["adviser@demo.invalid"], draft, expected_version=draft.version_id,
                         covering_note="Thank you to staff and governors: writing has come on well this term.")
    reports.publish_report(users["sia@demo.invalid"], draft)


def _seed_visits(schools: list[School], advisers: list) -> None:
    """A term's worth of visits: finalised notes, one awaiting the demo head's check, plans."""
    from .casework import services as visits

    today = date.today()
    for i, school in enumerate(schools[:24]):
        if school.link_adviser_id is None:
            continue
        adviser = next(a for a in advisers if a.id == school.link_adviser_id)
        visit_day = today - timedelta(days=7 + (i * 5) % 60)
        with _happened_on(visit_day):
            note = visits.record_visit(adviser, school, visits.NoteData(
                visit_date=visit_day, visit_type_code=["core_support", "target_setting", "enhanced_support"][i % 3],
                purpose="Review progress against the school improvement plan",
                support_aspects=["support4success", "leading4success"][: 1 + i % 2],
                people_met="Headteacher; deputy headteacher", discussion="Reviewed pupil progress data and the SIP.",
                strengths="Leaders know the school well.", areas_for_development="Consistency of feedback in KS2.",
                minutes_spent=90 + 30 * (i % 3),
                actions=[visits.ActionData(description="Share moderation outcomes with governors", owner="Headteacher",
                                           due_on=visit_day + timedelta(days=21 + i % 30))]))
        if i == 0:
            _send_note_on(adviser, note, visit_day + timedelta(days=1))  # awaiting the demo head's check
            continue
        if i % 4 != 3:
            _send_note_on(adviser, note, visit_day + timedelta(days=1))
            assert note.response_due_on is not None
            if note.response_due_on < today:
                # Demo history: as if the school's deadline had passed without comment.
                finalised_on = note.response_due_on + timedelta(days=1)
                with _happened_on(finalised_on):
                    visits.finalise_note(adviser, note, today=finalised_on)
                note.finalised_at = _noon(finalised_on)
        if i % 3 == 0:
            with _happened_on(today - timedelta(days=1 + i % 5)):
                visits.plan_visit(adviser, school, visit_date=today + timedelta(days=3 + i),
                                  visit_type_code="core_support", purpose="Follow up agreed actions")


def _seed_enhanced_support(school: School, users: dict) -> None:
    """An enhanced-support school's plan for this year, the demo LA consultant deployed on it for
    literacy, and one support visit of theirs written up and sent, its day counted against the plan."""
    from .casework import services as visits
    from .enhanced import services as enhanced

    today = date.today()
    consultant = users["consultant@demo.invalid"]
    started = min(today, (school.support_tier_since or today) + timedelta(days=7))
    with _happened_on(started):
        plan = enhanced.create_support_plan(
            users["sia@demo.invalid"], school, academic_year=academic_year_for(today),
            purposes="Literacy: guided reading in Key Stage 2 and phonics catch-up in Year 3",
            outcome_hoped="Reading at the expected standard in line with the LA by the end of the year")
        deployment = enhanced.deploy_consultant(users["sia@demo.invalid"], plan, consultant_id=consultant.id,
                                                purpose="Guided reading in Key Stage 2", days_allocated="6")
    visit_day = max(started, today - timedelta(days=12))
    with _happened_on(visit_day):
        note = visits.record_visit(consultant, school, visits.NoteData(
            visit_date=visit_day, visit_type_code="enhanced_support",
            purpose="Model guided reading in Years 5 and 6", support_aspects=["support4success"],
            people_met="English lead; Year 5 and 6 teachers",
            discussion="Modelled a guided reading session and planned the next three with the English lead.",
            strengths="Pupils are keen readers; the English lead knows where the gaps are.",
            areas_for_development="Questioning in guided reading rarely goes beyond retrieval.",
            minutes_spent=360, deployment_id=deployment.id, days_spent="1",
            actions=[visits.ActionData(description="Plan guided reading sessions with inference questions",
                                       owner="English lead", due_on=visit_day + timedelta(days=21))]))
    _send_note_on(consultant, note, min(today, visit_day + timedelta(days=1)))


def _send_note_on(adviser: Any, note: Any, day: date) -> None:
    """Send the note as if on `day`: its response deadline counted from then."""
    from .casework import services as visits
    from .core.calendar import add_working_days
    from .core.terms import format_date

    with _happened_on(day):
        visits.send_note(adviser, note)
    note.sent_at = _noon(day)
    note.response_due_on = add_working_days(day, int(current_app.config.get("FACTUAL_ACCURACY_WORKING_DAYS", 10)))
    for event in note.events:
        if event.kind == "sent":
            event.comment = f"Response due by {format_date(note.response_due_on)}"


def _seed_review(school: School, sia, link_adviser):
    """A published Joint LEA/School Review of the demo head's school (so its governor has a
    report to read) that happened: its pre-review done, a key question asked, one piece of each
    kind of fieldwork evidence (all in the past) behind every judgement, the school's own view
    recorded by the head (a participant with their account) and the evaluation shared."""
    from .reviews import reporting
    from .reviews import services as reviews

    # Planned four weeks before the fieldwork, published five days after it.
    start = date.today() - timedelta(days=30)
    with _happened_on(start - timedelta(days=28)):
        review = reviews.plan_review(sia, school, lead=sia, starts_on=start, ends_on=start + timedelta(days=1),
                                     link_adviser=link_adviser,
                                     school_participants=[("Chris Head", "Headteacher")])
        # The head takes part with their account where they have one (the bench's schools have none yet).
        head = next((m.user for m in review.team if m.team_role == "school" and m.user is not None), None)
        question = reviews.add_key_question(sia, review, "How well does teaching help pupils catch up in reading?")
    with _happened_on(start - timedelta(days=14)):
        reviews.change_stage(sia, review, "pre_review")
        reviews.update_pre_review(sia, review, commentary="Reading at KS2 has been below the LA's for two years.", items={
            "performance_data": ("seen", "KS2 reading below the LA and England for two years"),
            "sip": ("seen", "Priority 1 is reading"),
            "notes_of_visit": ("seen", "Three notes this year"),
            "ofsted_report": ("not_available", "Not inspected since it opened as a new school"),
            "self_review": ("seen", "Accurate on reading; generous on writing")})
    aspects = review.framework.aspects
    with _happened_on(start):
        reviews.change_stage(sia, review, "fieldwork")
        for kind, extra in (("lesson_observation", {"year_group": "Year 4", "subject": "English",
                                                    "joint_with_school_leader": True}),
                            ("discussion", {"discussion_with": "pupils"}),
                            ("work_scrutiny", {"year_group": "Year 6", "subject": "Writing"})):
            reviews.record_evidence(sia, review, reviews.EvidenceData(
                kind=kind, occurred_on=start, summary="Demo evidence: phonics is taught consistently.",
                answers={question.id: "Catch-up groups are well targeted."} if kind == "lesson_observation" else {},
                judgements={a.id: (4 if a.code != "leadership" else 3, "") for a in aspects}, **extra))
        if head is not None:
            reporting.record_school_views(head, review, [
                reporting.SchoolView(aspect_id=a.id, grade=3, comment="Our own tracking shows pupils catching up")
                for a in aspects if a.code in ("achievement", "leadership")])
    with _happened_on(start + timedelta(days=2)):
        reviews.change_stage(sia, review, "evaluation")
        reporting.share_evaluation(sia, review)
        reporting.record_evaluation(sia, review, [
            reporting.AspectJudgement(aspect_id=a.id, proposed_grade=4, agreed_grade=3 if a.code == "leadership" else 4)
            for a in aspects], overall_grade=4, overall_rationale="Satisfactory, with good leadership driving improvement")
    with _happened_on(start + timedelta(days=4)):
        reporting.save_findings(sia, review, [
            reporting.FindingData(kind="works_well", text="Leaders have an accurate view of the school's strengths."),
            reporting.FindingData(kind="works_well", text="Phonics is taught consistently from Reception."),
            reporting.FindingData(kind="more_effective", text="Raise attainment in reading at Key Stage 2."),
            reporting.FindingData(kind="more_effective", text="Make feedback in writing consistent across classes."),
        ])
    published_on = start + timedelta(days=5)
    with _happened_on(published_on):
        reporting.publish_report(sia, review, on=published_on)
    return review


def _seed_plan(review, users: dict) -> None:
    """The demo head's school's Raising Achievement Plan, drafted from the review's "can be made
    more effective" points and agreed three weeks ago; its project team has met once and some
    actions are under way."""
    from .rap import services as rap

    sia, head, consultant = users["sia@demo.invalid"], users["head@demo.invalid"], users["team@demo.invalid"]
    today = date.today()
    # Drafted the day after the review's report was published, agreed three weeks ago, the project
    # team's first meeting a week later.
    agreed_on, met_on = today - timedelta(weeks=3), today - timedelta(weeks=2)
    with _happened_on(agreed_on - timedelta(days=3)):
        plan = rap.draft_plan(sia, review.school, review=review, sip_reference="SIP 2026-27, priorities 1 and 2")
        rap.update_plan(sia, plan, sip_reference=plan.sip_reference, standards_fund="4500",
                        professional_development="Reading and writing CPD for all teaching staff")
    steps = [
        ("Pupils reaching the expected standard in KS2 reading", "58%", "70%",
         [("Whole-staff CPD on guided reading", consultant.id, "", -20, 10, "done"),
          ("Daily catch-up reading groups in Years 5 and 6", None, "English lead", -14, 60, "in_progress"),
          ("Half-termly reading assessments analysed by SLT", None, "Deputy headteacher", -7, -1, "not_started")]),
        ("Classes where feedback in writing follows the policy", "4 of 10", "10 of 10",
         [("Agree and launch the feedback policy", None, "Headteacher", -20, -5, "done"),
          ("Termly book scrutiny with the link adviser", users["adviser@demo.invalid"].id, "", 10, 40, "not_started")]),
    ]
    with _happened_on(agreed_on - timedelta(days=3)):
        for objective, (measure, baseline, target, actions) in zip(plan.objectives, steps, strict=True):
            rap.add_criterion(sia, objective, measure=measure, baseline=baseline, target=target,
                              by_when=today + timedelta(weeks=30))
            for what, owner_id, role, start, due, _status in actions:
                rap.add_action(sia, objective, rap.ActionData(
                    what=what, owner_id=owner_id, owner_role=role, starts_on=today + timedelta(days=start),
                    due_on=today + timedelta(days=due)))
        allocation = rap.allocate_time(sia, plan, user_id=consultant.id, term=Term.current(today).slug, days="6")
    with _happened_on(agreed_on - timedelta(days=1)):
        rap.submit_plan(sia, plan)
    with _happened_on(agreed_on):
        rap.sign_off_plan(head, plan, on=agreed_on)
        rap.sign_off_plan(sia, plan, on=agreed_on, midpoint_review_on=agreed_on + timedelta(weeks=10))
    # The first meeting of the project team: who came, and the actions' progress reported there.
    statuses = [status for _m, _b, _t, actions in steps for *_rest, status in actions]
    team = rap.team_for_plan(plan)
    assert team is not None  # agreeing the plan formed it
    with _happened_on(met_on):
        rap.record_meeting(sia, team, rap.MeetingData(
            held_on=met_on, attendee_ids=[m.id for m in team.members],
            minutes="First meeting of the project team: support planned from the Raising Achievement Plan.",
            decisions="Meet every four weeks; the link adviser coordinates from now on.",
            next_meeting_on=met_on + timedelta(weeks=4),
            changes=[rap.ProgressChange(action_id=action.id, status=status,
                                        note="Demo: progress reported at the first team meeting")
                     for action, status in zip((a for o in plan.objectives for a in o.actions), statuses, strict=True)
                     if status != "not_started"]))
    rap.log_time_used(consultant, allocation, used_on=today - timedelta(days=10), days="1",
                      note="Guided reading CPD")
    rap.log_time_used(consultant, allocation, used_on=today - timedelta(days=9), days="0.5",
                      note="Guided reading CPD, twilight session")
