"""Stage 4, monitoring improvement: the mid-point review (and further reviews), Improvement
Notices and the escalation watch."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ...auth.models import Role, User
from ...core.audit import record_audit, snapshot
from ...core.errors import DomainError
from ...core.locking import AlreadyChanged, claim_edit, lock_for_update
from ...core.models import utcnow
from ...core.terms import format_date
from ...evidence.outcomes import record_outcome
from ...extensions import db
from ...intervention.services import academy_refusal
from ...reviews.models import JudgementScale
from ...reviews.services import current_scale
from ...schools.models import School, SupportDecision
from ...schools.services import change_support, record_school_event
from ..models import (
    MIDPOINT_OUTCOMES,
    OBJECTIVE_PROGRESS,
    ImprovementNotice,
    MidpointReview,
    ObjectiveProgress,
    PlanObjective,
    RaisingAchievementPlan,
)

__all__ = [
    "CriterionJudgement", "EscalationRow", "MidpointRecord", "NoticeFollowUp", "ObjectiveJudgement", "PlanMonitoring",
    "change_notice_status", "notice_follow_up",
    "check_midpoint_date", "escalation_query", "latest_held_review", "escalation_watch", "issue_improvement_notice",
    "load_improvement_notice", "load_midpoint_review", "midpoint_review_date", "midpoint_window",
    "monitoring_for_plan", "notices_for_school", "plan_in_force", "record_midpoint_review",
    "reschedule_midpoint_review", "review_scale", "schedule_first_midpoint_review", "time_in_tier",
    "upcoming_midpoint_reviews",
]

# What a stale save is told (core.locking.EditConflict), in this stage's words.
REVIEW_CHANGED = ("Someone else saved this review since you opened it. What you typed is still in the form: check "
                  "the review as it is now before you save again.")
NOTICE_CHANGED = ("Someone else changed this Improvement Notice since you opened it. What you typed is still in the "
                  "form: check the notice's status as it is now before you save again.")
# An Improvement Notice puts the school at least at this level of significant support; a
# recommendation of cause for concern at this one.
NOTICE_LEVEL = 4
CONCERN_LEVEL = 5
# Capacity to improve judged at this grade or better (1 excellent to 3 good) makes an Improvement
# Notice unusual: one given all the same needs its reason.
GOOD_OR_BETTER = 3


def _clean(text: str | None) -> str:
    return (text or "").strip()


# --- scheduling ----------------------------------------------------------------------------------

def midpoint_window(agreed_on: date) -> tuple[date, date]:
    """The first and last day the mid-point review may fall on, for a plan agreed on `agreed_on`
    (8 to 16 weeks later unless the authority has set its own window)."""
    low, high = current_app.config["MIDPOINT_WINDOW_WEEKS"]
    return agreed_on + timedelta(weeks=low), agreed_on + timedelta(weeks=high)


def check_midpoint_date(agreed_on: date, day: date | None, *, field: str = "midpoint_review_on") -> date:
    """Refuse a mid-point review date outside the window after agreement, saying which dates are allowed."""
    low, high = current_app.config["MIDPOINT_WINDOW_WEEKS"]
    earliest, latest = midpoint_window(agreed_on)
    if day is None:
        raise DomainError(f"Enter the mid-point review date: {low} to {high} weeks after the plan is agreed, "
                          f"between {format_date(earliest)} and {format_date(latest)}", field=field)
    if not earliest <= day <= latest:
        raise DomainError(f"The mid-point review must fall {low} to {high} weeks after the plan is agreed "
                          f"({format_date(agreed_on)}): choose a date between {format_date(earliest)} and "
                          f"{format_date(latest)}", field=field)
    return day


def midpoint_review_date(plan: RaisingAchievementPlan) -> date | None:
    """When the plan's formal mid-point review is: once scheduled, the review's own date (a
    reschedule moves it there, and only there); before the plan is agreed, the date proposed in it."""
    scheduled = db.session.scalar(select(MidpointReview.scheduled_on).where(
        MidpointReview.plan_id == plan.series_id, MidpointReview.sequence == 1))
    return scheduled or plan.midpoint_review_on


def schedule_first_midpoint_review(actor: User, plan: RaisingAchievementPlan) -> MidpointReview:
    """Schedule the plan's mid-point review on the date agreed in the plan (called when the first
    version is agreed; the date has been checked against the window by then)."""
    assert plan.agreed_on is not None and plan.midpoint_review_on is not None
    review = MidpointReview(plan_id=plan.series_id, school_id=plan.school_id, sequence=1,
                            scheduled_on=plan.midpoint_review_on)
    db.session.add(review)
    db.session.flush()
    record_audit(actor, "midpoint_review.schedule", "midpoint_review", review.id, school_id=plan.school_id,
                 after={"plan_id": plan.series_id, "scheduled_on": review.scheduled_on})
    record_school_event(plan.school, "midpoint_scheduled",
                        f"Mid-point review scheduled for {format_date(review.scheduled_on)}", actor, audience="school")
    return review


def _previous_review(review: MidpointReview) -> MidpointReview | None:
    if review.sequence <= 1:
        return None
    return db.session.scalars(select(MidpointReview).where(
        MidpointReview.plan_id == review.plan_id, MidpointReview.sequence == review.sequence - 1)).one_or_none()


def _review_name(review: MidpointReview) -> str:
    return "Mid-point review" if review.sequence == 1 else f"Further review {review.sequence - 1}"


def _claim_review(review: MidpointReview, expected_version: int | None) -> None:
    """Claim the review's edit counter, or refuse with EditConflict if someone else saved it since."""
    claim_edit(review, expected_version, "review", column="version_id", message=REVIEW_CHANGED)


def reschedule_midpoint_review(actor: User, review: MidpointReview, *, scheduled_on: date | None,
                               expected_version: int | None = None) -> MidpointReview:
    """Move a review not yet held to another date: the mid-point review stays inside the window
    after the plan's first agreement; a further review falls after the review before it was held."""
    _claim_review(review, expected_version)
    if review.is_held:
        raise DomainError(f"This review was held on {format_date(review.held_on)} and cannot be rescheduled")
    if review.sequence == 1:
        first = review.plan
        assert first.agreed_on is not None
        scheduled_on = check_midpoint_date(first.agreed_on, scheduled_on, field="scheduled_on")
    else:
        previous = _previous_review(review)
        if scheduled_on is None:
            raise DomainError("Enter the date of the further review", field="scheduled_on")
        if previous is not None and previous.held_on is not None and scheduled_on <= previous.held_on:
            raise DomainError(f"A further review must fall after the review before it, held on "
                              f"{format_date(previous.held_on)}: choose a later date", field="scheduled_on")
    if scheduled_on == review.scheduled_on:
        raise DomainError(f"The review is already scheduled for {format_date(scheduled_on)}: choose another date",
                          field="scheduled_on")
    before = {"scheduled_on": review.scheduled_on}
    review.scheduled_on = scheduled_on
    db.session.flush()
    record_audit(actor, "midpoint_review.reschedule", "midpoint_review", review.id, school_id=review.school_id,
                 before=before, after={"scheduled_on": scheduled_on})
    record_school_event(review.school, "midpoint_scheduled",
                        f"{_review_name(review)} moved from {format_date(before['scheduled_on'])} to "
                        f"{format_date(scheduled_on)}", actor, audience="school")
    return review


def upcoming_midpoint_reviews(today: date, *, within_days: int | None = None) -> list[MidpointReview]:
    """Reviews not yet held that are overdue or due within the notice window (MIDPOINT_NOTICE_DAYS
    unless given), soonest first, with their schools: one query."""
    if within_days is None:
        within_days = current_app.config["MIDPOINT_NOTICE_DAYS"]
    return list(db.session.scalars(
        select(MidpointReview)
        .where(MidpointReview.held_on.is_(None), MidpointReview.scheduled_on <= today + timedelta(days=within_days))
        .options(joinedload(MidpointReview.school))
        .order_by(MidpointReview.scheduled_on, MidpointReview.id)))


# --- reading -------------------------------------------------------------------------------------

def load_midpoint_review(review_id: int) -> MidpointReview | None:
    """A review with its school, leader and progress on each objective."""
    return db.session.scalars(select(MidpointReview).where(MidpointReview.id == review_id).options(
        joinedload(MidpointReview.school), joinedload(MidpointReview.led_by),
        selectinload(MidpointReview.progress).joinedload(ObjectiveProgress.objective),
    )).unique().one_or_none()


def plan_in_force(series_id: int) -> RaisingAchievementPlan | None:
    """The agreed version of a plan series (not a superseded one, nor an amendment in draft),
    with its objectives."""
    return db.session.scalars(select(RaisingAchievementPlan).where(
        or_(RaisingAchievementPlan.id == series_id, RaisingAchievementPlan.root_id == series_id),
        RaisingAchievementPlan.status == "agreed")
        .options(selectinload(RaisingAchievementPlan.objectives).selectinload(PlanObjective.criteria))).first()


def review_scale(review: MidpointReview) -> JudgementScale | None:
    """The scale the review's capacity to improve was judged on (the current one before it is held)."""
    if review.scale_id is not None:
        return db.session.get(JudgementScale, review.scale_id)
    return current_scale()


@dataclass
class PlanMonitoring:
    reviews: list[MidpointReview]
    notices: list[ImprovementNotice]


def monitoring_for_plan(plan: RaisingAchievementPlan) -> PlanMonitoring:
    """The plan series' mid-point and further reviews, and the notices issued on it (two queries)."""
    reviews = list(db.session.scalars(select(MidpointReview).where(MidpointReview.plan_id == plan.series_id)
                                      .options(joinedload(MidpointReview.led_by))
                                      .order_by(MidpointReview.sequence)))
    notices = list(db.session.scalars(select(ImprovementNotice).where(ImprovementNotice.plan_id == plan.series_id)
                                      .options(joinedload(ImprovementNotice.issued_by))
                                      .order_by(ImprovementNotice.issued_on.desc(), ImprovementNotice.id.desc())))
    return PlanMonitoring(reviews=reviews, notices=notices)


def notices_for_school(school: School) -> list[ImprovementNotice]:
    return list(db.session.scalars(select(ImprovementNotice).where(ImprovementNotice.school_id == school.id)
                                   .options(joinedload(ImprovementNotice.issued_by))
                                   .order_by(ImprovementNotice.issued_on.desc(), ImprovementNotice.id.desc())))


def load_improvement_notice(notice_id: int) -> ImprovementNotice | None:
    return db.session.scalars(select(ImprovementNotice).where(ImprovementNotice.id == notice_id).options(
        joinedload(ImprovementNotice.school), joinedload(ImprovementNotice.issued_by),
        joinedload(ImprovementNotice.midpoint_review))).one_or_none()


# --- support decisions that follow a review or a notice -----------------------------------------

def _decide_support(actor: User, school: School, *, support_tier: str, mcs_level: int,
                    cause_for_concern: str | None, is_vulnerable: bool, has_significant_underachievement: bool,
                    reason: str, evidence: str = "") -> SupportDecision | None:
    """Change the school's support through `change_support`, or do nothing if it is there already."""
    target = (support_tier, mcs_level, cause_for_concern, is_vulnerable, has_significant_underachievement)
    current = (school.support_tier, school.mcs_level, school.cause_for_concern, school.is_vulnerable,
               school.has_significant_underachievement)
    if target == current:
        return None
    return change_support(actor, school, support_tier=support_tier, mcs_level=mcs_level,
                          cause_for_concern=cause_for_concern, is_vulnerable=is_vulnerable,
                          has_significant_underachievement=has_significant_underachievement, reason=reason,
                          evidence=evidence)


def _raise_to_notice_level(actor: User, school: School, reason: str, evidence: str) -> SupportDecision | None:
    """An Improvement Notice puts the school in significant support at level 4 if it is below."""
    if school.support_tier == "significant" and school.mcs_level >= NOTICE_LEVEL:
        return None
    return _decide_support(actor, school, support_tier="significant", mcs_level=NOTICE_LEVEL,
                           cause_for_concern=school.cause_for_concern, is_vulnerable=school.is_vulnerable,
                           has_significant_underachievement=school.has_significant_underachievement,
                           reason=reason, evidence=evidence)


# --- Improvement Notices -------------------------------------------------------------------------

def _refuse_academy(school: School, field: str | None = None) -> None:
    """An academy or free school answers to its trust and the DfE: the LA gives it no notice."""
    if school.is_academy:
        raise DomainError(academy_refusal(school, "an Improvement Notice"), field=field)


def _check_notice(improvements: str, comply_by: date | None, issued_on: date) -> None:
    if not improvements:
        raise DomainError("Enter what the school must improve", field="improvements")
    if comply_by is None:
        raise DomainError("Enter the date the school must comply by", field="comply_by")
    if comply_by <= issued_on:
        raise DomainError(f"The comply-by date must be after the notice is issued ({format_date(issued_on)})",
                          field="comply_by")


def _series_in_force(school: School) -> int | None:
    """The series id of the school's latest agreed plan, if it has one."""
    plan = db.session.scalars(select(RaisingAchievementPlan).where(
        RaisingAchievementPlan.school_id == school.id, RaisingAchievementPlan.status == "agreed")
        .order_by(RaisingAchievementPlan.id.desc())).first()
    return plan.series_id if plan is not None else None


def _create_notice(actor: User, school: School, *, improvements: str, comply_by: date, issued_on: date,
                   plan_id: int | None, review: MidpointReview | None, reason: str,
                   capacity_reason: str = "") -> tuple[ImprovementNotice, SupportDecision | None]:
    notice = ImprovementNotice(school_id=school.id, plan_id=plan_id,
                               midpoint_review_id=review.id if review is not None else None,
                               issued_on=issued_on, issued_by_id=actor.id, improvements=improvements,
                               comply_by=comply_by, status="issued", capacity_reason=capacity_reason)
    db.session.add(notice)
    db.session.flush()
    record_audit(actor, "improvement_notice.issue", "improvement_notice", notice.id, school_id=school.id,
                 after=snapshot(notice, ("plan_id", "midpoint_review_id", "issued_on", "improvements", "comply_by")))
    record_school_event(school, "notice_issued",
                        f"Improvement Notice issued: the school must comply by {format_date(comply_by)}", actor,
                        audience="school")
    return notice, _raise_to_notice_level(actor, school, reason, improvements)


@dataclass
class NoticeFollowUp:
    """How the project team reviews progress after a notice issued directly: on the school's plan in
    force (its series id), at the review already scheduled on it, or at a further review whose date
    the notice sets. A school without an agreed plan has its mid-point review once a plan is agreed."""
    plan_id: int | None
    latest: MidpointReview | None  # the plan's latest review, held or not

    @property
    def pending(self) -> MidpointReview | None:
        """The review already scheduled and not yet held: it reviews progress after the notice."""
        return self.latest if self.latest is not None and not self.latest.is_held else None

    @property
    def needs_date(self) -> bool:
        """The plan's reviews are all held: the notice schedules the next one, on a date it is given."""
        return self.plan_id is not None and self.pending is None


def notice_follow_up(school: School) -> NoticeFollowUp:
    """What follows a notice issued to `school` directly (two queries)."""
    plan_id = _series_in_force(school)
    latest = None if plan_id is None else db.session.scalars(select(MidpointReview).where(
        MidpointReview.plan_id == plan_id).order_by(MidpointReview.sequence.desc()).limit(1)).first()
    return NoticeFollowUp(plan_id=plan_id, latest=latest)


def _schedule_further_review(actor: User, school: School, *, plan_id: int, sequence: int,
                             on: date) -> MidpointReview:
    """Schedule the plan series' next review (after a review, or after a notice issued directly)."""
    further = MidpointReview(plan_id=plan_id, school_id=school.id, sequence=sequence, scheduled_on=on)
    db.session.add(further)
    db.session.flush()
    record_audit(actor, "midpoint_review.schedule", "midpoint_review", further.id, school_id=school.id,
                 after={"plan_id": plan_id, "sequence": sequence, "scheduled_on": on})
    record_school_event(school, "midpoint_scheduled", f"{'Mid-point' if sequence == 1 else 'Further'} review "
                        f"scheduled for {format_date(on)}", actor, audience="school")
    return further


def _check_notice_review(follow_up: NoticeFollowUp, on: date | None, issued_on: date) -> None:
    """A notice on a plan whose reviews are all held needs the date of the next one, after the
    notice and after the review before it."""
    if not follow_up.needs_date:
        return
    if on is None:
        raise DomainError("Enter the date of the further review: after the notice the project team reviews the "
                          "school's progress again", field="further_review_on")
    after = max(issued_on, follow_up.latest.held_on or issued_on) if follow_up.latest is not None else issued_on
    if on <= after:
        what = "the notice is issued" if after == issued_on else "the review before it was held"
        raise DomainError(f"The further review must be after {what} ({format_date(after)}): choose a later date",
                          field="further_review_on")


def latest_held_review(school: School) -> MidpointReview | None:
    """The school's most recently held mid-point or further review."""
    return db.session.scalars(select(MidpointReview).where(
        MidpointReview.school_id == school.id, MidpointReview.held_on.is_not(None))
        .order_by(MidpointReview.held_on.desc(), MidpointReview.id.desc()).limit(1)).first()


def issue_improvement_notice(actor: User, school: School, *, improvements: str, comply_by: date | None,
                             issued_on: date | None = None, capacity_reason: str = "",
                             further_review_on: date | None = None) -> ImprovementNotice:
    """Issue an Improvement Notice to a school directly (not from a review): what it must improve
    and by when. A school below level 4 moves to significant support at level 4. On a plan whose
    reviews are all held, the notice schedules the further review on `further_review_on`; a review
    already scheduled is the one after the notice (and the date is not asked for)."""
    _refuse_academy(school)
    issued_on = issued_on or date.today()
    improvements = _clean(improvements)
    if issued_on > date.today():
        raise DomainError("The notice cannot be issued on a date in the future", field="issued_on")
    _check_notice(improvements, comply_by, issued_on)
    assert comply_by is not None
    follow_up = notice_follow_up(school)
    _check_notice_review(follow_up, further_review_on, issued_on)
    latest = latest_held_review(school)
    if latest is not None:
        _check_capacity_reason(latest.capacity_grade, latest.adviser_capacity_grade, capacity_reason,
                               db.session.get(JudgementScale, latest.scale_id) if latest.scale_id else None)
    lock_for_update(school)  # the same notice sent twice at once: the second waits, then finds the first
    if db.session.scalar(select(exists().where(
            ImprovementNotice.school_id == school.id, ImprovementNotice.status == "issued",
            ImprovementNotice.issued_on == issued_on, ImprovementNotice.improvements == improvements))):
        raise AlreadyChanged("This Improvement Notice has already been issued: reload the page to see it")
    notice, _decision = _create_notice(actor, school, improvements=improvements, comply_by=comply_by,
                                       issued_on=issued_on, plan_id=follow_up.plan_id, review=None,
                                       reason=f"Improvement Notice issued on {format_date(issued_on)}",
                                       capacity_reason=_clean(capacity_reason))
    if follow_up.needs_date:
        assert follow_up.plan_id is not None and further_review_on is not None
        _schedule_further_review(actor, school, plan_id=follow_up.plan_id, on=further_review_on,
                                 sequence=follow_up.latest.sequence + 1 if follow_up.latest is not None else 1)
    return notice


def change_notice_status(actor: User, notice: ImprovementNotice, *, status: str, on: date | None, reason: str,
                         expected_version: int | None = None) -> ImprovementNotice:
    """Record that the school complied with a notice, or that it was escalated: on which date and why."""
    lock_for_update(notice)  # a second click waits here, then finds the notice changed (a conflict)
    claim_edit(notice, expected_version, "Improvement Notice", column="version_id", message=NOTICE_CHANGED)
    reason = _clean(reason)
    if notice.status != "issued":
        raise AlreadyChanged(f"This notice is already marked {notice.status_name.lower()}: its status cannot "
                             "change again (reload the page to see it)")
    if status not in {"complied", "escalated"}:
        raise DomainError("Choose whether the school complied or the notice was escalated", field="status")
    if on is None:
        raise DomainError("Enter the date of the change", field="on")
    if on > date.today():
        raise DomainError("The date cannot be in the future", field="on")
    if on < notice.issued_on:
        raise DomainError(f"The date cannot be before the notice was issued ({format_date(notice.issued_on)})",
                          field="on")
    if not reason:
        raise DomainError("Enter the reason, and the evidence it rests on", field="reason")
    before = snapshot(notice, ("status", "status_changed_on", "status_reason"))
    notice.status, notice.status_changed_on, notice.status_reason = status, on, reason
    db.session.flush()
    record_audit(actor, "improvement_notice.status", "improvement_notice", notice.id, school_id=notice.school_id,
                 before=before, after=snapshot(notice, ("status", "status_changed_on", "status_reason")))
    what = "complied with" if status == "complied" else "escalated"
    public = f"Improvement Notice of {format_date(notice.issued_on)} {what} on {format_date(on)}"
    record_school_event(notice.school, f"notice_{status}", f"{public}: {reason}", actor, audience="school",
                        public_summary=public)
    return notice


# --- recording a review --------------------------------------------------------------------------

@dataclass
class ObjectiveJudgement:
    progress: str | None
    evidence: str = ""


@dataclass
class CriterionJudgement:
    """The SIA's actual value and met / not met for a success criterion without a measure."""
    actual: str = ""
    met: bool | None = None


@dataclass
class MidpointRecord:
    held_on: date | None
    led_by_id: int | None
    progress: dict[int, ObjectiveJudgement]
    capacity_grade: int | None
    adequate_improvement: bool | None
    summary: str
    outcome: str | None
    further_review_on: date | None = None
    improvements: str = ""
    comply_by: date | None = None
    # The link adviser's judgement of capacity to improve (capacity_grade is the SIA's).
    adviser_capacity_grade: int | None = None
    # Why a mid-point review was held outside the window; why a notice though capacity is good.
    off_window_reason: str = ""
    capacity_reason: str = ""
    # By criterion id: those without a measure. One left blank stays "not yet measured".
    outcomes: dict[int, CriterionJudgement] = field(default_factory=dict)


def _check_record(review: MidpointReview, plan: RaisingAchievementPlan, data: MidpointRecord,
                  scale: JudgementScale) -> User:
    """Every rule of recording a review, checked before anything changes."""
    today = date.today()
    first = review.plan
    if data.held_on is None:
        raise DomainError("Enter the date the review was held", field="held_on")
    if data.held_on > today:
        raise DomainError("The review cannot be recorded before it is held: the date is in the future",
                          field="held_on")
    if first.agreed_on is not None and data.held_on < first.agreed_on:
        raise DomainError(f"The review cannot be held before the plan was agreed ({format_date(first.agreed_on)})",
                          field="held_on")
    previous = _previous_review(review)
    if previous is not None and previous.held_on is not None and data.held_on <= previous.held_on:
        raise DomainError(f"A further review must be held after the review before it ({format_date(previous.held_on)})",
                          field="held_on")
    if review.sequence == 1 and first.agreed_on is not None:
        earliest, latest = midpoint_window(first.agreed_on)
        if not earliest <= data.held_on <= latest and not _clean(data.off_window_reason):
            low, high = current_app.config["MIDPOINT_WINDOW_WEEKS"]
            raise DomainError(f"The mid-point review was held outside the {low} to {high} week window after the plan "
                              f"was agreed ({format_date(earliest)} to {format_date(latest)}): enter the reason",
                              field="off_window_reason")
    leader = db.session.get(User, data.led_by_id) if data.led_by_id else None
    if leader is None or leader.is_disabled or leader.role not in {Role.SIA, Role.ADMIN}:
        raise DomainError("Choose the School Improvement Adviser who led the review", field="led_by_id")
    for number, objective in enumerate(plan.objectives, start=1):
        judged = data.progress.get(objective.id)
        name = f"objective {number} (\u201c{objective.text[:60]}\u201d)"
        if judged is None or judged.progress not in OBJECTIVE_PROGRESS:
            raise DomainError(f"Choose the progress made on {name}", field=f"progress_{objective.id}")
        if not _clean(judged.evidence):
            raise DomainError(f"Enter the evidence of progress on {name}", field=f"evidence_{objective.id}")
        for c_number, criterion in enumerate(objective.criteria, start=1):
            outcome = data.outcomes.get(criterion.id)
            if criterion.measure_id is not None or outcome is None:
                continue
            which = f"success criterion {c_number} of objective {number}"
            if _clean(outcome.actual) and outcome.met is None:
                raise DomainError(f"Choose whether {which} was met", field=f"met_{criterion.id}")
            if outcome.met is not None and not _clean(outcome.actual):
                raise DomainError(f"Enter the actual value of {which}", field=f"actual_{criterion.id}")
    if data.capacity_grade not in {g.grade for g in scale.grades}:
        raise DomainError(f"Choose the SIA's judgement of the school's capacity to improve on the {scale.name}",
                          field="capacity_grade")
    if data.adviser_capacity_grade not in {g.grade for g in scale.grades}:
        raise DomainError(f"Choose the link adviser's judgement of the school's capacity to improve on the "
                          f"{scale.name}", field="adviser_capacity_grade")
    if data.adequate_improvement is None:
        raise DomainError("Answer whether adequate improvement is evidenced", field="adequate_improvement")
    if not _clean(data.summary):
        raise DomainError("Enter a summary of the review", field="summary")
    if data.outcome not in MIDPOINT_OUTCOMES:
        raise DomainError("Choose the outcome of the review", field="outcome")
    if data.outcome in ("continue", "improvement_notice"):
        if data.further_review_on is None:
            if data.outcome == "continue":
                raise DomainError("Enter the date of the further review", field="further_review_on")
            raise DomainError("Enter the date of the further review after the notice: the project team reviews "
                              "progress again", field="notice_review_on")
        if data.further_review_on <= data.held_on:
            raise DomainError(f"The further review must be after this review ({format_date(data.held_on)})",
                              field="further_review_on" if data.outcome == "continue" else "notice_review_on")
    if data.outcome == "de_escalate" and not data.adequate_improvement:
        raise DomainError("A school moves to enhanced support only where adequate improvement is evidenced: "
                          "answer \u201cYes\u201d or choose another outcome", field="outcome")
    if data.outcome == "improvement_notice":
        _refuse_academy(review.school, field="outcome")
        _check_notice(_clean(data.improvements), data.comply_by, data.held_on)
        _check_capacity_reason(data.capacity_grade, data.adviser_capacity_grade, data.capacity_reason, scale)
    return leader


def _check_capacity_reason(sia_grade: int | None, adviser_grade: int | None, reason: str,
                           scale: JudgementScale | None) -> None:
    """A notice where capacity to improve was judged good or better needs its reason."""
    judged = [g for g in (sia_grade, adviser_grade) if g is not None]
    if judged and min(judged) <= GOOD_OR_BETTER and not _clean(reason):
        label = scale.label(min(judged)) if scale is not None else ""
        raise DomainError(f"Capacity to improve was judged {min(judged)}{f' ({label})' if label else ''}, good or "
                          "better: enter why an Improvement Notice is given all the same", field="capacity_reason")


def record_midpoint_review(actor: User, review: MidpointReview, data: MidpointRecord, *,
                           expected_version: int | None = None) -> MidpointReview:
    """Record a review as held: progress on each objective of the plan in force, the school's
    capacity to improve, whether adequate improvement is evidenced, and the outcome, whose change
    to the school's support (through `change_support`) is part of the same transaction."""
    lock_for_update(review)  # a second click waits here, then finds the review recorded (a conflict)
    _claim_review(review, expected_version)
    if review.is_held:
        raise AlreadyChanged(f"This review has already been recorded as held on {format_date(review.held_on)}: "  # type: ignore[arg-type]  # held_on is set: the review was recorded
                             "reload the page to see it")
    plan = plan_in_force(review.plan_id)
    if plan is None:
        raise DomainError("The plan has no agreed version to review")
    scale = current_scale()
    leader = _check_record(review, plan, data, scale)
    assert data.held_on is not None
    school = review.school
    name = _review_name(review)

    review.held_on, review.led_by_id = data.held_on, leader.id
    review.scale_id, review.capacity_grade = scale.id, data.capacity_grade
    review.adviser_capacity_grade, review.link_adviser_id = data.adviser_capacity_grade, school.link_adviser_id
    review.off_window_reason = _clean(data.off_window_reason)
    review.adequate_improvement, review.summary = data.adequate_improvement, _clean(data.summary)
    review.outcome = data.outcome
    review.further_review_on = data.further_review_on if data.outcome in ("continue", "improvement_notice") else None
    review.recorded_at = utcnow()
    review.progress = [ObjectiveProgress(objective_id=o.id, progress=data.progress[o.id].progress or "",
                                         evidence=_clean(data.progress[o.id].evidence)) for o in plan.objectives]
    outcomes = {}
    for criterion in (c for o in plan.objectives for c in o.criteria if c.measure_id is None):
        judged = data.outcomes.get(criterion.id)
        if judged is not None and judged.met is not None and _clean(judged.actual):
            record_outcome(criterion, actual=judged.actual, met=judged.met)
            outcomes[str(criterion.id)] = {"actual": criterion.actual, "met": criterion.met}
    db.session.flush()
    record_audit(actor, "midpoint_review.record", "midpoint_review", review.id, school_id=review.school_id,
                 after={**snapshot(review, ("held_on", "led_by_id", "scale_id", "capacity_grade", "adviser_capacity_grade",
                                            "link_adviser_id", "off_window_reason", "adequate_improvement", "summary",
                                            "outcome", "further_review_on")),
                        "plan_version_id": plan.id,
                        "progress": {str(p.objective_id): p.progress for p in review.progress},
                        "criteria": outcomes})
    record_school_event(school, "midpoint_held",
                        f"{name} held on {format_date(data.held_on)}: {MIDPOINT_OUTCOMES[data.outcome or '']}", actor,
                        audience="school")

    because = f"{name} held on {format_date(data.held_on)}"
    decision: SupportDecision | None = None
    if data.outcome in ("continue", "improvement_notice"):
        assert data.further_review_on is not None
        _schedule_further_review(actor, school, plan_id=review.plan_id, sequence=review.sequence + 1,
                                 on=data.further_review_on)
    if data.outcome == "de_escalate":
        _close_plan(actor, plan, on=data.held_on,
                    outcome=f"{because}: adequate improvement evidenced; the school moved to enhanced support")
        decision = _decide_support(actor, school, support_tier="enhanced", mcs_level=2, cause_for_concern=None,
                                   is_vulnerable=False, has_significant_underachievement=False,
                                   reason=f"{because}: adequate improvement evidenced, moving to enhanced support",
                                   evidence=review.summary)
    elif data.outcome == "improvement_notice":
        assert data.comply_by is not None
        _notice, decision = _create_notice(actor, school, improvements=_clean(data.improvements),
                                           comply_by=data.comply_by, issued_on=data.held_on,
                                           plan_id=review.plan_id, review=review,
                                           reason=f"{because}: Improvement Notice issued",
                                           capacity_reason=_clean(data.capacity_reason))
    elif data.outcome == "cause_for_concern":
        decision = _decide_support(actor, school, support_tier="significant", mcs_level=CONCERN_LEVEL,
                                   # An Ofsted designation stays: it is the stronger one.
                                   cause_for_concern=school.cause_for_concern or "la",
                                   is_vulnerable=school.is_vulnerable,
                                   has_significant_underachievement=school.has_significant_underachievement,
                                   reason=f"{because}: cause for concern recommended", evidence=review.summary)
    if decision is not None:
        review.decision_id = decision.id
    db.session.flush()
    return review


def _close_plan(actor: User, plan: RaisingAchievementPlan, *, on: date, outcome: str) -> None:
    """Close the plan in force (the school has left significant support): no longer in force, with its outcome."""
    before = snapshot(plan, ("status", "closed_on", "closure_outcome"))
    plan.status, plan.closed_on, plan.closure_outcome = "closed", on, outcome
    db.session.flush()
    record_audit(actor, "plan.close", "raising_achievement_plan", plan.id, school_id=plan.school_id, before=before,
                 after=snapshot(plan, ("status", "closed_on", "closure_outcome")))
    record_school_event(plan.school, "plan_closed", f"Raising Achievement Plan closed: {outcome}", actor,
                        audience="school")


# --- the escalation watch ------------------------------------------------------------------------

@dataclass
class EscalationRow:
    school: School
    since: date
    time_in_tier: str


def _year_before(today: date) -> date:
    try:
        return today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28)


def time_in_tier(since: date, today: date) -> str:
    """How long since `since`, in years and months ("1 year, 3 months")."""
    months = (today.year - since.year) * 12 + today.month - since.month - (today.day < since.day)
    years, months = divmod(max(months, 0), 12)
    parts = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in ((years, "year"), (months, "month")) if n]
    return ", ".join(parts) or "less than a month"


def escalation_query(today: date) -> Any:
    """The schools on the escalation watch on `today`, longest in the tier first."""
    improved = exists().where(
        MidpointReview.school_id == School.id, MidpointReview.held_on.is_not(None),
        MidpointReview.adequate_improvement.is_(True), MidpointReview.held_on >= School.support_tier_since)
    return (select(School).where(
        # support_tier then support_tier_since: the ix_schools_tier_since index.
        School.support_tier == "significant", School.support_tier_since <= _year_before(today),
        School.is_vulnerable.is_(True), School.cause_for_concern.is_(None), School.status != "Closed", ~improved)
        .order_by(School.support_tier_since, School.name, School.id))


def escalation_watch(today: date | None = None) -> list[EscalationRow]:
    """Vulnerable schools in significant support for a year or more that are not yet a cause for
    concern and have had no review evidencing adequate improvement since they entered the tier:
    those the LA should normally consider a cause for concern. One query, longest first."""
    today = today or date.today()
    return [EscalationRow(school=s, since=s.support_tier_since, time_in_tier=time_in_tier(s.support_tier_since, today))
            for s in db.session.scalars(escalation_query(today)).unique() if s.support_tier_since is not None]
