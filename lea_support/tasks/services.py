"""What needs each person now: the kinds of task, who has them, and how many are waiting.

A *task kind* is a question the service can answer from its own records ("which of my notes are
past the school's deadline?") as one SELECT of rows with the same five columns: the record's id,
its school's name and URN, a line of detail and the date it is due (or None). The home page counts
every kind a person has in ONE query (a UNION ALL of `count(*)` and `min(due)` over each kind's
rows), so its cost does not grow with the number of kinds' records; the list behind each count
pages the same SELECT.

*Stalled cases* are task kinds too, for SIAs: each names the rule it applies (with its threshold
from the configuration, `STALLED_*`) and the way to fix it.

A person's own counts are asked afresh on each home page, each along an index that starts from the
person. The authority's counts (stalled cases, tier-review prompts, the LA totals beside an SIA's
own) are the same for everyone and read the whole country, so they are kept between requests until
the records they count change (`kept_counts`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Callable

from flask import current_app
from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Date,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import aliased

from ..auth.models import FailedSignIns, Role, User, user_schools
from ..casework.caseload import term_period_on
from ..casework.models import NOTE_STATUSES, AgreedAction, NoteOfVisit
from ..casework.services import owned_actions
from ..core.terms import Term, academic_year_for
from ..evidence.signals import open_prompts_query
from ..extensions import db
from ..governor_reports.models import BulkRun, GovernorReport, GovernorReportVersion
from ..intervention.models import InterventionPower, WarningNotice
from ..notifications.models import Notification
from ..programmes.models import MonitoringReturn, Programme, ProgrammeSchool
from ..rap.models import (
    ImprovementNotice,
    MidpointReview,
    PlanAction,
    PlanObjective,
    ProjectTeam,
    ProjectTeamMember,
    RaisingAchievementPlan,
    TeamMeeting,
)
from ..reviews.models import STAGES, JointReview, PublishedReviewReport
from ..schools.models import School, SupportAllocation
from . import kept_counts

OPEN_PLAN_ACTION = ("not_started", "in_progress")
SIGNIFICANT = "significant"
LIGHT_TOUCH = "light_touch"


def today() -> date:
    """The date tasks are worked out for. One seam for the clock, so tests can fix it."""
    return date.today()


@dataclass(frozen=True)
class Context:
    """What a task kind's question is asked for: the person, the day, and the thresholds."""

    user: Any
    today: date
    settings: dict[str, int]

    @property
    def at_once(self) -> bool:
        """Asked of everyone at once (`count_tasks_for_everyone`): the person is a column, not a user."""
        return not isinstance(self.user, User)

    def weeks_ago(self, name: str) -> date:
        return self.today - timedelta(weeks=self.settings[name])

    @property
    def due_soon(self) -> date:
        return self.today + timedelta(days=self.settings["TASK_DUE_SOON_DAYS"])


# A kind's rows: (record_id, school_name, urn, detail, due_on), in that order and with those labels.
Rows = Callable[[Context, bool], Select[Any] | CompoundSelect]


@dataclass(frozen=True)
class TaskKind:
    code: str
    title: str  # "Drafts not sent"
    roles: frozenset[str]
    rows: Rows  # rows(context, everyone): everyone=True for the LA total beside "mine"
    hint: str  # what to do about each row
    endpoint: str  # the page of one row's record, where the work is done
    id_arg: str  # that endpoint's argument for record_id ("": a list page that shows every row)
    due_word: str = "Due"
    stalled: bool = False
    la_total: bool = False  # show the authority's total beside the person's own count
    same_due: bool = False  # every row has the same date (a term's end): no "earliest"
    personal: bool = True  # False: the same rows whoever asks (the authority's)
    kept: bool = False  # reads only records `kept_counts` watches: its counts are kept between requests

    def url_args(self, row: Any) -> dict[str, Any]:
        return {self.id_arg: row.record_id} if self.id_arg else {}


def _rows(record_id: Any, school: Any, detail: Any, due_on: Any) -> list[Any]:
    # type_coerce, not CAST, for the date: SQLite's CAST(... AS DATE) makes '2026-12-18' the number 2026.
    return [record_id.label("record_id"), school.name.label("school_name"), school.urn.label("urn"),
            cast(detail, String).label("detail"), type_coerce(due_on, Date).label("due_on")]


def _stage_names(column: Any, names: dict[str, str]) -> Any:
    return case(*[(column == code, literal(name)) for code, name in names.items()], else_=column)


# --- link advisers ----------------------------------------------------------------------------------

def _my_notes(ctx: Context, *statuses: str) -> Select[Any]:
    return (select(*_rows(NoteOfVisit.id, School, _stage_names(NoteOfVisit.status, NOTE_STATUSES),
                          NoteOfVisit.response_due_on if "sent" in statuses else NoteOfVisit.visit_date))
            .join(School, School.id == NoteOfVisit.school_id)
            .where(NoteOfVisit.adviser_id == ctx.user.id, NoteOfVisit.status.in_(statuses)))


def visits_to_write_up(ctx: Context, everyone: bool) -> Select[Any]:
    return _my_notes(ctx, "planned").where(NoteOfVisit.visit_date <= ctx.today)


def drafts_not_sent(ctx: Context, everyone: bool) -> Select[Any]:
    return _my_notes(ctx, "draft")


def responses_to_answer(ctx: Context, everyone: bool) -> Select[Any]:
    return _my_notes(ctx, "responded")


def notes_past_deadline(ctx: Context, everyone: bool) -> Select[Any]:
    return _my_notes(ctx, "sent").where(NoteOfVisit.response_due_on < ctx.today)


def overdue_agreed_actions(ctx: Context, everyone: bool) -> Select[Any]:
    return (select(*_rows(AgreedAction.note_id, School, AgreedAction.description, AgreedAction.due_on))
            .join(NoteOfVisit, NoteOfVisit.id == AgreedAction.note_id)
            .join(School, School.id == NoteOfVisit.school_id)
            .where(School.link_adviser_id == ctx.user.id, School.status != "Closed",
                   AgreedAction.status == "open", AgreedAction.due_on < ctx.today))


def schools_not_visited(ctx: Context, everyone: bool) -> Select[Any]:
    term = term_period_on(ctx.today)
    return (select(*_rows(School.urn, School, literal(f"Not visited in {term.label}"), literal(term.ends_on)))
            .where(School.link_adviser_id == ctx.user.id, School.status != "Closed",
                   or_(School.last_visit_on.is_(None), School.last_visit_on < term.starts_on)))


def _my_teams(ctx: Context) -> Any:
    if ctx.at_once:
        member = exists().where(ProjectTeamMember.team_id == ProjectTeam.id,
                                ProjectTeamMember.user_id == ctx.user.id, ProjectTeamMember.left_on.is_(None))
        return or_(ProjectTeam.coordinator_id == ctx.user.id, member)
    # One person: from their memberships (an index on the person), not from every team's members.
    mine = select(ProjectTeamMember.team_id).where(ProjectTeamMember.user_id == ctx.user.id,
                                                   ProjectTeamMember.left_on.is_(None))
    return or_(ProjectTeam.coordinator_id == ctx.user.id, ProjectTeam.id.in_(mine))


def team_meetings_due(ctx: Context, everyone: bool) -> Select[Any]:
    return (select(*_rows(ProjectTeam.plan_id, School, literal("Team meeting"), ProjectTeam.next_meeting_on))
            .join(School, School.id == ProjectTeam.school_id)
            .join(RaisingAchievementPlan, RaisingAchievementPlan.id == ProjectTeam.plan_id)
            .where(_my_teams(ctx), RaisingAchievementPlan.status == "agreed",
                   ProjectTeam.next_meeting_on <= ctx.due_soon))


def governor_reports_to_check(ctx: Context, everyone: bool) -> Select[Any]:
    return (select(*_rows(GovernorReport.id, School, GovernorReport.term,
                          func.date(GovernorReportVersion.generated_at)))
            .join(GovernorReport, GovernorReport.id == GovernorReportVersion.report_id)
            .join(School, School.id == GovernorReport.school_id)
            .where(School.link_adviser_id == ctx.user.id, GovernorReportVersion.status == "draft"))


# --- SIAs ---------------------------------------------------------------------------------------------

def tier_reviews(ctx: Context, everyone: bool) -> Select[Any]:
    """Open tier-review prompts on schools whose tier still does not reflect the signal."""
    prompts = open_prompts_query().subquery()
    return select(prompts.c.id.label("record_id"), prompts.c.name.label("school_name"), prompts.c.urn.label("urn"),
                  cast(prompts.c.evidence, String).label("detail"),
                  type_coerce(func.date(prompts.c.raised_at), Date).label("due_on"))


REVIEW_NEXT_STEPS = {
    "planned": "Add the pre-review items, then move to pre-review",
    "pre_review": "Look at the evidence sent in, then move to fieldwork",
    "fieldwork": "Record the fieldwork evidence, then move to evaluation",
    "evaluation": "Grade each aspect and write the findings",
    "report_drafted": "Check the report, then publish it",
}


def _reviews_at(stage: str) -> Rows:
    def rows(ctx: Context, everyone: bool) -> Select[Any]:
        query = (select(*_rows(JointReview.id, School, literal(STAGES[stage]), JointReview.starts_on))
                 .join(School, School.id == JointReview.school_id).where(JointReview.stage == stage))
        return query if everyone else query.where(JointReview.lead_id == ctx.user.id)

    rows.__name__ = f"reviews_{stage}"
    return rows


def plans_awaiting_la_signature(ctx: Context, everyone: bool) -> Select[Any]:
    query = (select(*_rows(RaisingAchievementPlan.id, School, literal("Submitted"),
                           func.date(RaisingAchievementPlan.submitted_at)))
             .join(School, School.id == RaisingAchievementPlan.school_id)
             .where(RaisingAchievementPlan.status == "submitted", RaisingAchievementPlan.la_signed_on.is_(None)))
    return query if everyone else query.where(RaisingAchievementPlan.drafted_by_id == ctx.user.id)


def midpoint_reviews_due(ctx: Context, everyone: bool) -> Select[Any]:
    query = (select(*_rows(MidpointReview.id, School, literal("Mid-point review"), MidpointReview.scheduled_on))
             .join(School, School.id == MidpointReview.school_id)
             .join(RaisingAchievementPlan, RaisingAchievementPlan.id == MidpointReview.plan_id)
             .where(MidpointReview.recorded_at.is_(None), MidpointReview.scheduled_on <= ctx.due_soon))
    if everyone:
        return query
    return query.where(or_(MidpointReview.led_by_id == ctx.user.id,
                           and_(MidpointReview.led_by_id.is_(None),
                                RaisingAchievementPlan.drafted_by_id == ctx.user.id)))


def notices_due(ctx: Context, everyone: bool) -> Select[Any]:
    query = (select(*_rows(ImprovementNotice.id, School, literal("Improvement Notice"), ImprovementNotice.comply_by))
             .join(School, School.id == ImprovementNotice.school_id)
             .where(ImprovementNotice.status == "issued", ImprovementNotice.comply_by <= ctx.due_soon))
    return query if everyone else query.where(ImprovementNotice.issued_by_id == ctx.user.id)


def warning_notices_due(ctx: Context, everyone: bool) -> Select[Any]:
    """Warning notices not complied with whose compliance period ends soon or has ended (the school
    is then eligible for intervention) and no power has yet been recorded."""
    used = exists().where(InterventionPower.notice_id == WarningNotice.id)
    query = (select(*_rows(WarningNotice.id, School, literal("Warning notice"), WarningNotice.comply_by))
             .join(School, School.id == WarningNotice.school_id)
             .where(WarningNotice.status == "issued", WarningNotice.comply_by <= ctx.due_soon, ~used))
    return query if everyone else query.where(WarningNotice.issued_by_id == ctx.user.id)


# --- stalled cases (the authority's, for SIAs and the overview) --------------------------------------

def _open(query: Select[Any]) -> Select[Any]:
    return query.where(School.status != "Closed")


def stalled_no_review(ctx: Context, everyone: bool) -> Select[Any]:
    since = ctx.weeks_ago("STALLED_REVIEW_WEEKS")
    review_started = exists().where(JointReview.school_id == School.id,
                                     JointReview.starts_on >= School.support_tier_since)
    return _open(select(*_rows(School.urn, School, literal("Significant support, no review started"),
                               School.support_tier_since))
                 .where(School.support_tier == SIGNIFICANT, School.support_tier_since <= since, ~review_started))


def stalled_no_plan(ctx: Context, everyone: bool) -> Select[Any]:
    since = datetime.combine(ctx.weeks_ago("STALLED_PLAN_WEEKS"), time.min, timezone.utc)
    first_published = (select(PublishedReviewReport.review_id, func.min(PublishedReviewReport.published_at).label("at"))
                       .group_by(PublishedReviewReport.review_id).subquery())
    plan_drafted = exists().where(RaisingAchievementPlan.school_id == JointReview.school_id,
                                  func.date(RaisingAchievementPlan.created_at) >= JointReview.starts_on)
    return _open(select(*_rows(JointReview.id, School, literal("Review published, no plan drafted"),
                               func.date(first_published.c.at)))
                 .join(first_published, first_published.c.review_id == JointReview.id)
                 .join(School, School.id == JointReview.school_id)
                 .where(JointReview.stage == "published", first_published.c.at <= since, ~plan_drafted,
                        School.support_tier == SIGNIFICANT))


def stalled_no_meeting(ctx: Context, everyone: bool) -> Select[Any]:
    since = ctx.weeks_ago("STALLED_MEETING_WEEKS")
    met = exists().where(TeamMeeting.team_id == ProjectTeam.id)
    return _open(select(*_rows(RaisingAchievementPlan.id, School, literal("Plan agreed, no team meeting"),
                               RaisingAchievementPlan.agreed_on))
                 .join(School, School.id == RaisingAchievementPlan.school_id)
                 .outerjoin(ProjectTeam, ProjectTeam.plan_id == RaisingAchievementPlan.id)
                 .where(RaisingAchievementPlan.status == "agreed", RaisingAchievementPlan.agreed_on <= since,
                        or_(ProjectTeam.id.is_(None), ~met)))


def stalled_notice_without_review(ctx: Context, everyone: bool) -> Select[Any]:
    further = exists().where(MidpointReview.school_id == ImprovementNotice.school_id,
                             MidpointReview.scheduled_on >= ImprovementNotice.issued_on,
                             MidpointReview.recorded_at.is_(None))
    return _open(select(*_rows(ImprovementNotice.id, School, literal("Notice issued, no further review scheduled"),
                               ImprovementNotice.issued_on))
                 .join(School, School.id == ImprovementNotice.school_id)
                 .where(ImprovementNotice.status == "issued", ~further))


def stalled_plan_after_deescalation(ctx: Context, everyone: bool) -> Select[Any]:
    return _open(select(*_rows(RaisingAchievementPlan.id, School, School.support_tier, RaisingAchievementPlan.agreed_on))
                 .join(School, School.id == RaisingAchievementPlan.school_id)
                 .where(RaisingAchievementPlan.status == "agreed", School.support_tier != SIGNIFICANT))


def stalled_no_link_adviser(ctx: Context, everyone: bool) -> Select[Any]:
    return _open(select(*_rows(School.urn, School, literal("No link adviser"), School.support_tier_since))
                 .where(School.support_tier == SIGNIFICANT, School.link_adviser_id.is_(None)))


def stalled_flags_against_tier(ctx: Context, everyone: bool) -> Select[Any]:
    flagged = or_(School.cause_for_concern.is_not(None), School.is_vulnerable.is_(True),
                  School.has_significant_underachievement.is_(True))
    return _open(select(*_rows(School.urn, School, literal("Concern flags at light touch"), School.support_tier_since))
                 .where(School.support_tier == LIGHT_TOUCH, flagged))


def stalled_allocation_against_tier(ctx: Context, everyone: bool) -> Select[Any]:
    year = academic_year_for(ctx.today)
    return _open(select(*_rows(School.urn, School, SupportAllocation.support_tier, School.support_tier_since))
                 .join(SupportAllocation, SupportAllocation.school_id == School.id)
                 .where(SupportAllocation.academic_year == year, SupportAllocation.support_tier != School.support_tier))


# --- project teams and school leaders --------------------------------------------------------------

def _my_plan_actions(ctx: Context) -> Select[Any]:
    return (select(*_rows(PlanObjective.plan_id, School, PlanAction.what, PlanAction.due_on))
            .join(PlanObjective, PlanObjective.id == PlanAction.objective_id)
            .join(RaisingAchievementPlan, RaisingAchievementPlan.id == PlanObjective.plan_id)
            .join(School, School.id == RaisingAchievementPlan.school_id)
            .where(PlanAction.owner_id == ctx.user.id, PlanAction.status.in_(OPEN_PLAN_ACTION),
                   RaisingAchievementPlan.status == "agreed"))


def _my_visit_actions(ctx: Context) -> Select[Any]:
    return (select(*_rows(AgreedAction.note_id, School, AgreedAction.description, AgreedAction.due_on))
            .join(NoteOfVisit, NoteOfVisit.id == AgreedAction.note_id)
            .join(School, School.id == NoteOfVisit.school_id)
            .where(owned_actions(ctx.user), AgreedAction.status == "open"))


# "My actions": plan actions and visit agreed actions together (rows of both lead to My actions).
def my_actions_overdue(ctx: Context, everyone: bool) -> CompoundSelect:
    return union_all(_my_plan_actions(ctx).where(PlanAction.due_on < ctx.today),
                     _my_visit_actions(ctx).where(AgreedAction.due_on < ctx.today))


def my_actions_due_soon(ctx: Context, everyone: bool) -> CompoundSelect:
    return union_all(_my_plan_actions(ctx).where(PlanAction.due_on >= ctx.today, PlanAction.due_on <= ctx.due_soon),
                     _my_visit_actions(ctx).where(AgreedAction.due_on >= ctx.today,
                                                  AgreedAction.due_on <= ctx.due_soon))


def _of_my_schools(query: Select[Any], ctx: Context) -> Select[Any]:
    """The rows of the person's own schools. For one person, `IN (their schools)`: the few schools
    lead, each along its own index, where a join let SQLite start from every sent note in the
    country. Asked of everyone at once, a join (the person is named in WHERE, and joined in after by
    count_tasks_for_everyone): PostgreSQL ran an `IN (SELECT ...)` again for every row and person."""
    if ctx.at_once:
        return query.join(user_schools, user_schools.c.school_id == School.id).where(
            user_schools.c.user_id == ctx.user.id)
    return query.where(School.id.in_(select(user_schools.c.school_id).where(user_schools.c.user_id == ctx.user.id)))


def notes_awaiting_my_response(ctx: Context, everyone: bool) -> Select[Any]:
    return _of_my_schools(select(*_rows(NoteOfVisit.id, School, literal("Note of visit"), NoteOfVisit.response_due_on))
                          .join(School, School.id == NoteOfVisit.school_id)
                          .where(NoteOfVisit.status == "sent"), ctx)


def plans_awaiting_school_signature(ctx: Context, everyone: bool) -> Select[Any]:
    return _of_my_schools(select(*_rows(RaisingAchievementPlan.id, School, literal("Submitted"),
                                        func.date(RaisingAchievementPlan.submitted_at)))
                          .join(School, School.id == RaisingAchievementPlan.school_id)
                          .where(RaisingAchievementPlan.status == "submitted",
                                 RaisingAchievementPlan.school_signed_on.is_(None)), ctx)


def reports_published_lately(ctx: Context, everyone: bool) -> Select[Any]:
    """Governor reports of my schools published since my last visit before this one (the last
    term's worth of weeks for someone signing in for the first time)."""
    first_time = datetime.combine(ctx.today - timedelta(weeks=14), time.min, timezone.utc)
    previous = ctx.user.previous_sign_in_at
    since = (func.coalesce(previous, first_time) if isinstance(previous, ColumnElement)  # everyone at once
             else previous or first_time)
    return _of_my_schools(
        select(*_rows(School.urn, School, GovernorReport.term, func.date(GovernorReportVersion.published_at)))
        .join(GovernorReport, GovernorReport.id == GovernorReportVersion.report_id)
        .join(School, School.id == GovernorReport.school_id)
        .where(GovernorReportVersion.status == "published", GovernorReportVersion.published_at >= since), ctx)


def monitoring_returns_due(ctx: Context, everyone: bool) -> Select[Any]:
    """My schools' monitoring returns for this term of each programme running now, not yet submitted."""
    term = Term.current(ctx.today)
    submitted = (select(MonitoringReturn.id).where(MonitoringReturn.enrolment_id == ProgrammeSchool.id,
                                                   MonitoringReturn.term == term.slug,
                                                   MonitoringReturn.status == "submitted").exists())
    return _of_my_schools(
        select(*_rows(ProgrammeSchool.id, School, Programme.name, literal(term.ends_on)))
        .join(School, School.id == ProgrammeSchool.school_id)
        .join(Programme, Programme.id == ProgrammeSchool.programme_id)
        .where(ProgrammeSchool.status == "enrolled", Programme.starts_on <= term.ends_on,
               Programme.ends_on >= term.starts_on, ~submitted), ctx)


# --- administrators -------------------------------------------------------------------------------

def failed_bulk_runs(ctx: Context, everyone: bool) -> Select[Any]:
    since = datetime.combine(ctx.today - timedelta(days=30), time.min, timezone.utc)
    return (select(BulkRun.id.label("record_id"), literal("All schools").label("school_name"),
                   literal(None, Integer).label("urn"), cast(BulkRun.term, String).label("detail"),
                   type_coerce(func.date(BulkRun.created_at), Date).label("due_on"))
            .where(BulkRun.status == "failed", BulkRun.created_at >= since))


def locked_accounts(ctx: Context, everyone: bool) -> Select[Any]:
    now = datetime.now(timezone.utc)
    return (select(User.id.label("record_id"), User.name.label("school_name"), literal(None, Integer).label("urn"),
                   cast(User.email, String).label("detail"), type_coerce(func.date(FailedSignIns.locked_until), Date).label("due_on"))
            .join(FailedSignIns, func.lower(FailedSignIns.email) == func.lower(User.email))
            .where(FailedSignIns.locked_until > now))


def failed_emails(ctx: Context, everyone: bool) -> Select[Any]:
    since = datetime.combine(ctx.today - timedelta(days=30), time.min, timezone.utc)
    return (select(Notification.id.label("record_id"), User.name.label("school_name"),
                   literal(None, Integer).label("urn"), cast(Notification.subject, String).label("detail"),
                   type_coerce(func.date(Notification.created_at), Date).label("due_on"))
            .join(User, User.id == Notification.user_id)
            .where(Notification.email_state == "failed", Notification.created_at >= since))


# --- the kinds, most urgent first within each role ---------------------------------------------------

ADVISERS = frozenset({Role.LINK_ADVISER, Role.SIA})
# Whoever writes notes of visit: the advisers, and LA consultants (their support visits). The kinds
# about one's own notes are theirs; those about a link adviser's caseload stay the advisers'.
NOTE_WRITERS = ADVISERS | {Role.CONSULTANT}
SIAS = frozenset({Role.SIA})

KINDS: tuple[TaskKind, ...] = (
    TaskKind("notes-past-deadline", "Notes past the school's deadline", NOTE_WRITERS, notes_past_deadline,
             "Remind the school, or finalise the note if no response is coming", "casework.show_note", "note_id",
             "Response was due"),
    TaskKind("responses-to-answer", "School responses needing a reply", NOTE_WRITERS, responses_to_answer,
             "Read the school's response, reply or amend, then finalise", "casework.show_note", "note_id", "Visit"),
    TaskKind("visits-to-write-up", "Visits to write up", NOTE_WRITERS, visits_to_write_up,
             "Write up the note of visit", "casework.show_note", "note_id", "Visit"),
    TaskKind("drafts-not-sent", "Drafts not sent", NOTE_WRITERS, drafts_not_sent,
             "Finish the note and send it to the school", "casework.show_note", "note_id", "Visit"),
    TaskKind("overdue-agreed-actions", "Overdue agreed actions", ADVISERS, overdue_agreed_actions,
             "Follow up the action with the school, or mark it done", "casework.show_note", "note_id"),
    TaskKind("team-meetings-due", "Team meetings due", ADVISERS | {Role.PROJECT_TEAM}, team_meetings_due,
             "Hold the meeting and record its minutes", "rap.show_team", "plan_id", "Meeting", kept=True),
    TaskKind("governor-reports-to-check", "Governor report drafts to check", ADVISERS, governor_reports_to_check,
             "Read the draft, add a covering note, then mark it checked", "governor_reports.show_report",
             "report_id", "Drafted"),
    TaskKind("schools-not-visited", "Schools not visited this term", ADVISERS, schools_not_visited,
             "Plan a visit", "casework.school_notes", "urn", "Term ends", same_due=True),
    TaskKind("midpoint-reviews-due", "Mid-point reviews due", SIAS, midpoint_reviews_due,
             "Hold the review and record its outcome", "rap.show_midpoint_review", "review_id", "Scheduled",
             la_total=True, kept=True),
    TaskKind("notices-due", "Improvement Notices reaching their comply-by date", SIAS, notices_due,
             "Check whether the school has complied, then record it", "rap.show_notice", "notice_id", "Comply by",
             la_total=True, kept=True),
    TaskKind("warning-notices-due", "Warning notices reaching their compliance date", SIAS, warning_notices_due,
             "Check whether the governing body has complied; if not, record the power the authority uses",
             "intervention.show_warning_notice", "notice_id", "Compliance ends", la_total=True, kept=True),
    TaskKind("plans-awaiting-la-signature", "Plans awaiting the LA's signature", SIAS, plans_awaiting_la_signature,
             "Read the plan, then sign it for the LA or ask for changes", "rap.show_plan", "plan_id", "Submitted",
             la_total=True, kept=True),
    *(TaskKind(f"reviews-{stage.replace('_', '-')}", f"Reviews at {STAGES[stage].lower()}", SIAS, _reviews_at(stage),
               step, "reviews.show_review", "review_id", "Starts", la_total=True, kept=True)
      for stage, step in REVIEW_NEXT_STEPS.items()),
    TaskKind("stalled-no-review", "Significant support with no review started", SIAS, stalled_no_review,
             "Plan the Joint Review", "reviews.school_reviews", "urn", "In significant support since", stalled=True, personal=False, kept=True),
    TaskKind("stalled-no-plan", "Published reviews with no plan drafted", SIAS, stalled_no_plan,
             "Draft the Raising Achievement Plan from the review", "reviews.show_review", "review_id", "Published",
             stalled=True, personal=False, kept=True),
    TaskKind("stalled-no-meeting", "Agreed plans with no team meeting", SIAS, stalled_no_meeting,
             "Form the project team and hold its first meeting", "rap.show_team", "plan_id", "Agreed", stalled=True, personal=False, kept=True),
    TaskKind("stalled-notice-no-review", "Improvement Notices with no further review", SIAS,
             stalled_notice_without_review, "Schedule the further review", "rap.show_notice", "notice_id", "Issued",
             stalled=True, personal=False, kept=True),
    TaskKind("stalled-plan-after-deescalation", "Plans still in force after de-escalation", SIAS,
             stalled_plan_after_deescalation, "Close the plan, or return the school to significant support",
             "rap.show_plan", "plan_id", "Agreed", stalled=True, personal=False, kept=True),
    TaskKind("stalled-no-link-adviser", "Significant support with no link adviser", SIAS | {Role.ADMIN},
             stalled_no_link_adviser, "Choose a link adviser", "schools.set_link_adviser", "urn",
             "In significant support since", stalled=True, personal=False, kept=True),
    TaskKind("stalled-flags-against-tier", "Concern flags at light touch", SIAS, stalled_flags_against_tier,
             "Review the school's tier, or clear the flags", "schools.change_support", "urn", "Tier since",
             stalled=True, personal=False, kept=True),
    TaskKind("tier-reviews", "Tier reviews: risk signals the tier does not reflect", SIAS, tier_reviews,
             "Review the school's tier with the signal cited, or dismiss the prompt with a reason",
             "evidence.show_prompt", "prompt_id", "Raised", personal=False, kept=True),
    TaskKind("stalled-allocation-against-tier", "Allocations that no longer match the tier", SIAS | {Role.ADMIN},
             stalled_allocation_against_tier, "Re-issue the allocation for the school's tier",
             "schools.show_school", "urn", "Tier since", stalled=True, personal=False, kept=True),
    TaskKind("my-actions-overdue", "My actions overdue", frozenset({Role.PROJECT_TEAM, Role.SCHOOL_LEADER}) | ADVISERS,
             my_actions_overdue, "Update the action's status, with evidence", "rap.my_actions", ""),
    TaskKind("my-actions-due-soon", "My actions due soon", frozenset({Role.PROJECT_TEAM, Role.SCHOOL_LEADER}) | ADVISERS,
             my_actions_due_soon, "Update the action's status, with evidence", "rap.my_actions", ""),
    TaskKind("notes-awaiting-response", "Notes of visit awaiting your response", frozenset({Role.SCHOOL_LEADER}),
             notes_awaiting_my_response, "Confirm the note is accurate, or say what is not", "casework.show_note",
             "note_id", "Respond by"),
    TaskKind("plans-awaiting-school-signature", "Plans awaiting your signature", frozenset({Role.SCHOOL_LEADER}),
             plans_awaiting_school_signature, "Read the plan, then sign it for the school", "rap.show_plan",
             "plan_id", "Submitted"),
    TaskKind("monitoring-returns-due", "Programme monitoring returns to submit this term",
             frozenset({Role.SCHOOL_LEADER}), monitoring_returns_due,
             "Fill in the return for the term, then submit it", "programmes.show_enrolment", "enrolment_id",
             "Due by"),
    TaskKind("reports-published", "Reports published since your last visit", frozenset({Role.GOVERNOR}),
             reports_published_lately, "Read the report", "governor_reports.governor_school", "urn", "Published"),
    TaskKind("school-reports-published", "Governor reports published since your last visit",
             frozenset({Role.SCHOOL_LEADER}), reports_published_lately, "Read the report", "schools.show_school",
             "urn", "Published"),
    TaskKind("locked-accounts", "Locked accounts", frozenset({Role.ADMIN}), locked_accounts,
             "Unlock the account if the person asks", "auth.edit_user", "user_id", "Unlocks"),
    TaskKind("failed-bulk-runs", "Bulk runs that stopped with an error", frozenset({Role.ADMIN}), failed_bulk_runs,
             "Read the error, then start the run again", "governor_reports.show_bulk_run", "run_id", "Started"),
    TaskKind("failed-emails", "E-mails that could not be sent", frozenset({Role.ADMIN}), failed_emails,
             "Tell the person another way (the reason is on the list)", "notifications.failed_emails",
             "notification_id", "Made"),
)
BY_CODE = {kind.code: kind for kind in KINDS}

DEFAULT_SETTINGS = {"TASK_DUE_SOON_DAYS": 14, "STALLED_REVIEW_WEEKS": 6, "STALLED_PLAN_WEEKS": 4,
                    "STALLED_MEETING_WEEKS": 4}


def context_for(user: Any, on: date | None = None) -> Context:
    settings = {name: int(current_app.config.get(name, default)) for name, default in DEFAULT_SETTINGS.items()}
    return Context(user, on or today(), settings)


def kinds_for(user: Any) -> list[TaskKind]:
    return [kind for kind in KINDS if user.role in kind.roles]


@dataclass(frozen=True)
class TaskCount:
    kind: TaskKind
    count: int
    earliest_due: date | None
    la_count: int | None  # the authority's total, where the kind shows one

    def overdue(self, on: date) -> bool:
        return self.earliest_due is not None and self.earliest_due < on


def count_tasks(ctx: Context, kinds: list[TaskKind]) -> list[TaskCount]:
    """Each kind's count and earliest due date (and the LA's total where shown): the person's own
    in one query, the authority's kept between requests (worked out in one query when not)."""
    if not kinds:
        return []
    live = [(kind, False) for kind in kinds if not kind.kept]
    mine = [(kind, False) for kind in kinds if kind.kept and kind.personal]
    shared = [(kind, False) for kind in kinds if kind.kept and not kind.personal]
    shared += [(kind, True) for kind in kinds if kind.la_total]
    found: dict[tuple[str, bool], tuple[int, date | None]] = {}
    if mine or shared:
        counter = kept_counts.current_counter()  # first: what is kept is never older than its counter
        at = (ctx.today, tuple(sorted(ctx.settings.items())))
        for asked, whose in ((shared, None), (mine, ctx.user.id)):
            if asked:
                key = (whose, at, tuple((kind.code, everyone) for kind, everyone in asked))
                found.update(kept_counts.kept(key, counter, lambda asked=asked: _count(ctx, asked)))
    if live:
        found.update(_count(ctx, live))
    return [TaskCount(kind, found[(kind.code, False)][0], found[(kind.code, False)][1],
                      found[(kind.code, True)][0] if kind.la_total else None) for kind in kinds]


def _count(ctx: Context, asked: list[tuple[TaskKind, bool]]) -> dict[tuple[str, bool], tuple[int, date | None]]:
    parts = []
    for kind, everyone in asked:
        rows = kind.rows(ctx, everyone).subquery()
        parts.append(select(literal(kind.code, String).label("code"), literal(everyone).label("everyone"),
                            func.count().label("n"), func.min(rows.c.due_on).label("due")).select_from(rows))
    return {(code, bool(everyone)): (int(count), _as_date(due))
            for code, everyone, count, due in db.session.execute(union_all(*parts))}


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


# The person a kind's question is asked for, as a column: the same SELECT then asks it of everyone at
# once (`count_tasks_for_everyone`), one query per kind instead of one per person.
PERSON = aliased(User, name="person")


def _for_each_person(rows: Any, kind: TaskKind) -> Any:
    # Joined on true: a kind that does not depend on the person (a stalled case) counts for each.
    return (rows.join(PERSON, true()).add_columns(PERSON.id.label("person_id"))
            .where(PERSON.role.in_([str(role) for role in kind.roles]), PERSON.is_disabled.is_(False)))


def count_tasks_for_everyone(on: date, kinds: list[TaskKind] | None = None) -> dict[int, list[TaskCount]]:
    """Each active person's counts (what `count_tasks` gives them one by one), for the daily digest:
    each kind's rows asked with the person as a column, grouped by person. Only non-zero counts."""
    ctx = context_for(PERSON, on)
    counts: dict[int, list[TaskCount]] = {}
    for kind in kinds if kinds is not None else list(KINDS):
        asked = kind.rows(ctx, False)
        parts = asked.selects if isinstance(asked, CompoundSelect) else [asked]
        rows = union_all(*(_for_each_person(part, kind) for part in parts)).subquery()
        for person_id, count, due in db.session.execute(
                select(rows.c.person_id, func.count(), func.min(rows.c.due_on)).group_by(rows.c.person_id)):
            counts.setdefault(person_id, []).append(TaskCount(kind, int(count), _as_date(due), None))
    return counts


def home_tasks(user: Any, on: date | None = None) -> tuple[list[TaskCount], list[TaskCount], Context]:
    """A person's tasks with something waiting, most urgent first (overdue, then by the earliest
    due date), and the stalled cases apart; kinds with nothing waiting are left out."""
    ctx = context_for(user, on)
    counts = [count for count in count_tasks(ctx, kinds_for(user)) if count.count]
    far = date.max
    counts.sort(key=lambda c: (not c.overdue(ctx.today), c.earliest_due or far))
    return [c for c in counts if not c.kind.stalled], [c for c in counts if c.kind.stalled], ctx


def task_rows(kind: TaskKind, user: Any, *, page: int, per_page: int, everyone: bool = False,
              on: date | None = None) -> tuple[list[Any], int]:
    """One page of a kind's rows, soonest due first, and how many there are."""
    ctx = context_for(user, on)
    rows = kind.rows(ctx, everyone and kind.la_total).subquery()
    total = db.session.scalar(select(func.count()).select_from(rows)) or 0
    page_rows = db.session.execute(
        select(rows).order_by(rows.c.due_on.is_(None), rows.c.due_on, rows.c.school_name, rows.c.record_id)
        .limit(per_page).offset((page - 1) * per_page)).all()
    return list(page_rows), total

