"""Joint LEA/School Reviews: planning a review and its team, moving between stages, the
pre-review checklist and key questions, and fieldwork evidence judged on the review's scale.

Every function validates, changes state, writes the audit entry and flushes; none commits.
The evaluation, the report and publishing are in `reporting.py`."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..auth.models import LA_ROLES, Role, User
from ..casework.models import NoteOfVisit
from ..core.audit import record_audit
from ..core.errors import DomainError
from ..core.limits import (
    MAX_FIELDWORK_EVIDENCE,
    MAX_KEY_QUESTIONS,
    MAX_REVIEW_TEAM,
    SHORT_TEXT,
    too_long,
)
from ..core.locking import AlreadyChanged, claim_edit, lock_for_update
from ..core.models import utcnow
from ..core.tasklist import Task, by_step
from ..core.terms import format_date
from ..extensions import db
from ..schools.services import record_school_event
from .models import (
    DISCUSSION_WITH,
    EVIDENCE_KINDS,
    PRE_REVIEW_KINDS,
    PRE_REVIEW_STATUSES,
    STAGE_ORDER,
    STAGES,
    EvidenceAnswer,
    EvidenceJudgement,
    FieldworkEvidence,
    JointReview,
    JudgementScale,
    KeyQuestion,
    PreReviewItem,
    ReviewFramework,
    ReviewStageChange,
    ReviewTeamMember,
)

if TYPE_CHECKING:
    from ..schools.models import School

# Stages in which fieldwork evidence may be recorded or changed: evidence gathered in the
# fieldwork is still corrected while it is evaluated with the school's leaders.
EVIDENCE_STAGES = ("fieldwork", "evaluation")
# Forward moves that are milestones on the school's timeline.
TIMELINE_STAGES = {"fieldwork": "fieldwork began", "evaluation": "evaluation with the school's leaders began"}
# Team roles that can be added after planning (there is one lead, set when the review is planned).
ADDABLE_TEAM_ROLES = ("link_adviser", "la_team", "school")
# LA roles that can be chosen for the review team (administrators set up, they do not review).
TEAM_USER_ROLES = (Role.SIA, Role.LINK_ADVISER, Role.PROJECT_TEAM)
NOTES_OF_VISIT_WINDOW = timedelta(days=365)


# --- reference data and look-ups ---------------------------------------------------------------

def current_framework() -> ReviewFramework:
    """The framework new reviews are judged on."""
    framework = db.session.scalars(select(ReviewFramework).where(ReviewFramework.is_current.is_(True))).first()
    if framework is None:
        raise DomainError("There is no current review framework; an administrator must set one up")
    return framework


def current_scale() -> JudgementScale:
    """The scale new reviews grade on."""
    scale = db.session.scalars(select(JudgementScale).where(JudgementScale.is_current.is_(True))).first()
    if scale is None:
        raise DomainError("There is no current judgement scale; an administrator must set one up")
    return scale


def active_users(roles: tuple[str, ...] | frozenset[str]) -> list[User]:
    """Users of these roles who can sign in, by name: the people who can be put on a team."""
    return list(db.session.scalars(
        select(User).where(User.role.in_(roles), User.is_disabled.is_(False)).order_by(User.name)))


def school_leaders(school: School) -> list[User]:
    """The school's leaders with an account, who can join its review as participants."""
    return [u for u in active_users((Role.SCHOOL_LEADER,)) if school.id in u.school_ids]


def reviews_for_school(school: School, *, published_only: bool = False,
                       participant: User | None = None) -> list[JointReview]:
    """The school's reviews, most recent first (for the school's own people, only published ones
    and those they take part in)."""
    query = select(JointReview).where(JointReview.school_id == school.id)
    if published_only:
        # Anything ever published stays readable, even while a correction is being drafted.
        readable = JointReview.reports.any()
        if participant is not None:
            readable = readable | JointReview.team.any(ReviewTeamMember.user_id == participant.id)
        query = query.where(readable)
    query = query.options(selectinload(JointReview.reports))
    return list(db.session.scalars(query.order_by(JointReview.starts_on.desc(), JointReview.id.desc())))


def recent_notes_of_visit(review: JointReview) -> list[NoteOfVisit]:
    """The school's notes of visit from the twelve months before the review (planned visits,
    which have no note yet, left out): the "LA notes of visit" pre-review evidence."""
    since = review.starts_on - NOTES_OF_VISIT_WINDOW
    return list(db.session.scalars(
        select(NoteOfVisit)
        .where(NoteOfVisit.school_id == review.school_id, NoteOfVisit.visit_date >= since,
               NoteOfVisit.status != "planned")
        .order_by(NoteOfVisit.visit_date.desc(), NoteOfVisit.id.desc())))


def parse_participants(text: str) -> list[tuple[str, str]]:
    """School participants typed one a line as "Name, job title" (the job title optional)."""
    people = []
    for line in (text or "").splitlines():
        name, _, job_title = line.strip().partition(",")
        if name.strip():
            people.append((name.strip(), job_title.strip()))
    return people


def _ensure_not_published(review: JointReview) -> None:
    if review.stage == "published":
        raise DomainError("This review has been published and can no longer be changed")


# --- planning and the team ---------------------------------------------------------------------

def _check_team_user(user: User | None, team_role: str, school: School, field_name: str) -> User:
    if user is None or not user.is_active:
        raise DomainError("Choose someone with an active account", field=field_name)
    if team_role == "lead" and user.role != "sia":
        raise DomainError("The review must be led by a School Improvement Adviser", field=field_name)
    if team_role == "link_adviser" and user.role not in {"link_adviser", "sia"}:
        raise DomainError(f"{user.name} is not a link adviser", field=field_name)
    if team_role == "la_team" and user.role not in LA_ROLES:
        raise DomainError(f"{user.name} is not on the authority's staff", field=field_name)
    if team_role == "school" and not (user.role == "school_leader" and school.id in user.school_ids):
        raise DomainError(f"{user.name} is not a leader of {school.name}", field=field_name)
    return user


def plan_review(actor: User, school: School, *, lead: User | None, starts_on: date | None,
                ends_on: date | None = None, link_adviser: User | None = None,
                la_team: list[User] | None = None, school_users: list[User] | None = None,
                school_participants: list[tuple[str, str]] | None = None) -> JointReview:
    """Plan a review of a school on the current framework and scale, with its team and an
    empty pre-review checklist."""
    _check_team_user(lead, "lead", school, "lead_id")
    assert lead is not None
    if starts_on is None:
        raise DomainError("Enter the start date", field="starts_on")
    if ends_on is not None and ends_on < starts_on:
        raise DomainError("The end date must be the same as or after the start date", field="ends_on")
    if link_adviser is not None:
        _check_team_user(link_adviser, "link_adviser", school, "link_adviser_id")
    framework, scale = current_framework(), current_scale()

    team = [ReviewTeamMember(user_id=lead.id, team_role="lead")]
    on_team = {lead.id}
    if link_adviser is not None and link_adviser.id not in on_team:
        team.append(ReviewTeamMember(user_id=link_adviser.id, team_role="link_adviser"))
        on_team.add(link_adviser.id)
    for user in la_team or []:
        _check_team_user(user, "la_team", school, "la_team")
        if user.id not in on_team:
            team.append(ReviewTeamMember(user_id=user.id, team_role="la_team"))
            on_team.add(user.id)
    for user in school_users or []:
        _check_team_user(user, "school", school, "school_users")
        if user.id not in on_team:
            team.append(ReviewTeamMember(user_id=user.id, team_role="school"))
            on_team.add(user.id)
    leaders = {u.name.casefold(): u for u in school_leaders(school)} if school_participants else {}
    for name, job_title in school_participants or []:
        leader = leaders.get(name.casefold())
        if leader is not None:
            # A head named as a participant who has an account takes part with it (the review is joint).
            if leader.id not in on_team:
                team.append(ReviewTeamMember(user_id=leader.id, job_title=job_title[:SHORT_TEXT], team_role="school"))
                on_team.add(leader.id)
            continue
        if len(name) > SHORT_TEXT or len(job_title) > SHORT_TEXT:
            raise DomainError(f"{name[:40]}: names and job titles can be up to {SHORT_TEXT} characters",
                              field="school_participants")
        team.append(ReviewTeamMember(name=name, job_title=job_title, team_role="school"))
    if len(team) > MAX_REVIEW_TEAM:
        raise DomainError(f"A review team can have up to {MAX_REVIEW_TEAM} people, and this one would have "
                          f"{len(team)}: list fewer school participants or LA colleagues",
                          field="school_participants" if school_participants else "la_team")

    review = JointReview(school_id=school.id, framework_id=framework.id, scale_id=scale.id, lead_id=lead.id,
                         stage="planned", starts_on=starts_on, ends_on=ends_on, pre_review_commentary="")
    review.team = team
    review.pre_review_items = [PreReviewItem(kind=kind, status="pending", notes="") for kind in PRE_REVIEW_KINDS]
    db.session.add(review)
    db.session.flush()
    record_audit(actor, "review.plan", "joint_review", review.id, school_id=school.id,
                 after={"lead_id": lead.id, "starts_on": starts_on, "ends_on": ends_on,
                        "framework_id": framework.id, "scale_id": scale.id,
                        "team": [(m.user_id, m.name, m.team_role) for m in team]})
    record_school_event(school, "review_planned", f"Joint LEA/School Review planned for {format_date(starts_on)}", actor,
                        audience="school")
    return review


def add_team_member(actor: User, review: JointReview, *, team_role: str, user: User | None = None,
                    name: str = "", job_title: str = "") -> ReviewTeamMember:
    """Add an LA colleague, or a school participant (a school leader's account or just a name)."""
    _ensure_not_published(review)
    name, job_title = (name or "").strip(), (job_title or "").strip()
    if team_role not in ADDABLE_TEAM_ROLES:
        raise DomainError("Choose the person's role on the review", field="team_role")
    if user is None and team_role != "school":
        raise DomainError("Choose the colleague to add", field="user_id")
    if user is None and not name:
        raise DomainError("Choose a school leader or enter the participant's name", field="name")
    if len(name) > SHORT_TEXT or len(job_title) > SHORT_TEXT:
        raise DomainError(f"Names and job titles can be up to {SHORT_TEXT} characters", field="name")
    if len(review.team) >= MAX_REVIEW_TEAM:
        raise DomainError(f"A review team can have up to {MAX_REVIEW_TEAM} people: remove someone who is no longer "
                          "taking part first", field="user_id" if user is not None else "name")
    if user is not None:
        _check_team_user(user, team_role, review.school, "user_id")
        if any(m.user_id == user.id for m in review.team):
            raise DomainError(f"{user.name} is already on the review team", field="user_id")
        name = ""
    member = ReviewTeamMember(review_id=review.id, user_id=user.id if user else None, name=name,
                              job_title=job_title, team_role=team_role)
    review.team.append(member)
    db.session.flush()
    record_audit(actor, "review.team_add", "joint_review", review.id, school_id=review.school_id,
                 after={"member_id": member.id, "user_id": member.user_id, "name": name, "team_role": team_role})
    return member


def remove_team_member(actor: User, review: JointReview, member: ReviewTeamMember) -> None:
    """Take someone off the review team. The lead stays: a review always has its SIA."""
    _ensure_not_published(review)
    if member.review_id != review.id:
        raise DomainError("That person is not on this review's team")
    if member.team_role == "lead" or member.user_id == review.lead_id:
        raise DomainError("The lead SIA cannot be removed from the review")
    before = {"member_id": member.id, "user_id": member.user_id, "name": member.name, "team_role": member.team_role}
    review.team.remove(member)
    db.session.flush()
    record_audit(actor, "review.team_remove", "joint_review", review.id, school_id=review.school_id, before=before)


# --- stages ------------------------------------------------------------------------------------

def change_stage(actor: User, review: JointReview, to_stage: str, *, reason: str = "") -> ReviewStageChange:
    """Move a review one stage forward, or back any number of stages with a reason.
    Publishing is its own step (it makes the report), not a stage move."""
    reason = (reason or "").strip()
    lock_for_update(review)  # a second click waits here, then finds the stage already moved
    current = review.stage
    if current == "published":
        raise DomainError("This review has been published; its stage can no longer change. "
                          "Correct the report by publishing a new version instead")
    if to_stage not in STAGES:
        raise DomainError("Choose a stage", field="stage")
    if to_stage == "published":
        raise DomainError("Publish the review from its report with Publish; that makes the PDF for the school",
                          field="stage")
    if to_stage == current:
        raise AlreadyChanged(f"This review has already moved to {STAGES[current]}: reload the page to see it",
                             field="stage")
    here, there = STAGE_ORDER.index(current), STAGE_ORDER.index(to_stage)
    if there > here + 1:
        raise DomainError(f"Move forward one stage at a time: the next stage is {STAGES[STAGE_ORDER[here + 1]]}",
                          field="stage")
    if there < here and not reason:
        raise DomainError(f"Enter why the review is going back to {STAGES[to_stage]}", field="reason")
    change = ReviewStageChange(review_id=review.id, from_stage=current, to_stage=to_stage, reason=reason,
                               changed_by_id=actor.id)
    db.session.add(change)
    review.stage = to_stage
    if current == "pre_review" and there > here and review.performance_snapshot is None:
        # The "achievement and performance data" item keeps the profile as it stood when the
        # review left pre-review; later imports do not rewrite what the review was based on.
        from ..evidence.services import profile_snapshot

        review.performance_snapshot = profile_snapshot(review.school)
        review.performance_snapshot_at = utcnow()
    db.session.flush()
    record_audit(actor, "review.stage", "joint_review", review.id, school_id=review.school_id,
                 before={"stage": current}, after={"stage": to_stage, "reason": reason})
    if there > here and to_stage in TIMELINE_STAGES:
        record_school_event(review.school, f"review_{to_stage}",
                            f"Joint LEA/School Review: {TIMELINE_STAGES[to_stage]}", actor, audience="school")
    return change


# --- the review's task list ---------------------------------------------------------------------

def review_tasks(review: JointReview) -> list[Task]:
    """The review's parts, in order, each with its status read from the stage and what is recorded."""
    here = STAGE_ORDER.index(review.stage)

    def by_stage(stage: str, *, started: bool = True) -> str:
        return by_step(here, STAGE_ORDER.index(stage), started=started)

    pre_review_started = bool(review.pre_review_commentary) or any(
        i.status != "pending" for i in review.pre_review_items) or bool(review.key_questions)
    pre_review = by_stage("pre_review")
    if review.stage == "planned":
        pre_review = "in_progress" if pre_review_started else "not_started"
    report = "cannot_start"
    if review.stage == "evaluation":
        report = "not_started"
    elif review.stage == "report_drafted":
        report = "in_progress"
    elif review.stage == "published":
        report = "completed"
    return [
        Task("team", "Plan the review and its team", "completed"),
        Task("pre_review", "Pre-review and key questions", pre_review),
        Task("fieldwork", "Fieldwork evidence", by_stage("fieldwork", started=bool(review.evidence))),
        Task("evaluation", "Evaluation with the school's leaders",
                   by_stage("evaluation", started=review.overall_grade is not None)),
        Task("report", "Post-review report", report),
        Task("publish", "Publish the report",
                   "completed" if review.stage == "published"
                   else "not_started" if review.stage == "report_drafted" else "cannot_start"),
    ]


def next_stage(review: JointReview) -> str | None:
    """The stage a lead moves the review on to with the page's button (None from "evaluation" on:
    drafting the report and publishing it move the review themselves)."""
    if review.stage in ("planned", "pre_review", "fieldwork"):
        return STAGE_ORDER[STAGE_ORDER.index(review.stage) + 1]
    return None


# --- pre-review and key questions ---------------------------------------------------------------

def update_pre_review(actor: User, review: JointReview, *, commentary: str,
                      items: dict[str, tuple[str, str]]) -> JointReview:
    """Save the pre-review commentary and, for each checklist item (by kind), its status and notes."""
    _ensure_not_published(review)
    for kind, (status, _notes) in items.items():
        if kind not in PRE_REVIEW_KINDS:
            raise DomainError("Unknown pre-review evidence")
        if status not in PRE_REVIEW_STATUSES:
            raise DomainError(f"{PRE_REVIEW_KINDS[kind]}: choose seen, not available or not yet looked at",
                              field=f"status_{kind}")
    before = {"commentary": review.pre_review_commentary,
              "items": {i.kind: [i.status, i.notes] for i in review.pre_review_items}}
    review.pre_review_commentary = (commentary or "").strip()
    by_kind = {i.kind: i for i in review.pre_review_items}
    for kind, (status, notes) in items.items():
        item = by_kind.get(kind)
        if item is None:  # a checklist from before an item was added: add it now
            item = PreReviewItem(review_id=review.id, kind=kind)
            review.pre_review_items.append(item)
        item.status, item.notes = status, (notes or "").strip()
    db.session.flush()
    record_audit(actor, "review.pre_review", "joint_review", review.id, school_id=review.school_id, before=before,
                 after={"commentary": review.pre_review_commentary,
                        "items": {i.kind: [i.status, i.notes] for i in review.pre_review_items}})
    return review


def add_key_question(actor: User, review: JointReview, text: str) -> KeyQuestion:
    """Add a key question to explore with the school."""
    _ensure_not_published(review)
    text = (text or "").strip()
    if not text:
        raise DomainError("Enter the key question", field="text")
    if len(review.key_questions) >= MAX_KEY_QUESTIONS:
        raise DomainError(f"A review can have up to {MAX_KEY_QUESTIONS} key questions: delete or combine some "
                          "first", field="text")
    position = db.session.scalar(
        select(func.coalesce(func.max(KeyQuestion.position), 0)).where(KeyQuestion.review_id == review.id)) + 1
    question = KeyQuestion(review_id=review.id, position=position, text=text)
    review.key_questions.append(question)
    db.session.flush()
    record_audit(actor, "review.key_question_add", "key_question", question.id, school_id=review.school_id,
                 after={"review_id": review.id, "text": text})
    return question


def delete_key_question(actor: User, review: JointReview, question: KeyQuestion) -> None:
    """Remove a key question that no evidence has answered yet."""
    _ensure_not_published(review)
    if question.review_id != review.id:
        raise DomainError("That key question is not part of this review")
    answered = db.session.scalar(
        select(func.count()).select_from(EvidenceAnswer).where(EvidenceAnswer.key_question_id == question.id))
    if answered:
        raise DomainError(f"This key question is answered by {answered} piece{'s' if answered != 1 else ''} "
                          "of evidence; remove those answers before deleting it")
    before = {"review_id": review.id, "text": question.text}
    review.key_questions.remove(question)
    db.session.flush()
    record_audit(actor, "review.key_question_delete", "key_question", question.id, school_id=review.school_id,
                 before=before)


# --- fieldwork evidence --------------------------------------------------------------------------

@dataclass
class EvidenceData:
    """What a reviewer records about one piece of fieldwork evidence. `judgements` maps an
    aspect id to (grade or None for "not judged", rationale); `answers` a key question id to text."""

    kind: str
    occurred_on: date | None
    summary: str = ""
    year_group: str = ""
    subject: str = ""
    joint_with_school_leader: bool = False
    discussion_with: str | None = None
    answers: dict[int, str] = field(default_factory=dict)
    judgements: dict[int, tuple[Any, str]] = field(default_factory=dict)


def _ensure_fieldwork(review: JointReview) -> None:
    _ensure_not_published(review)
    if review.stage not in EVIDENCE_STAGES:
        raise DomainError("Fieldwork evidence can be recorded or changed only while the review is at "
                          f"Fieldwork or Evaluation; it is at {review.stage_name}")


def _clean_evidence(review: JointReview, data: EvidenceData) -> EvidenceData:
    if data.kind not in EVIDENCE_KINDS:
        raise DomainError("Choose the kind of evidence: a lesson observation, a discussion or a work scrutiny")
    if data.occurred_on is None:
        raise DomainError("Enter the date", field="occurred_on")
    data.summary = (data.summary or "").strip()
    data.year_group, data.subject = (data.year_group or "").strip(), (data.subject or "").strip()
    if len(data.year_group) > SHORT_TEXT:
        raise DomainError(too_long("Year group", SHORT_TEXT), field="year_group")
    if len(data.subject) > SHORT_TEXT:
        raise DomainError(too_long("Subject", SHORT_TEXT), field="subject")
    if data.kind == "discussion":
        if data.discussion_with not in DISCUSSION_WITH:
            raise DomainError("Say who the discussion was with: staff, pupils or governors", field="discussion_with")
        data.year_group = data.subject = ""
    else:
        data.discussion_with = None
    if data.kind != "lesson_observation":
        data.joint_with_school_leader = False

    questions = {q.id for q in review.key_questions}
    unknown = set(data.answers) - questions
    if unknown:
        raise DomainError("An answer is for a key question that is not part of this review")
    data.answers = {qid: text.strip() for qid, text in data.answers.items() if (text or "").strip()}

    aspects = {a.id: a for a in review.framework.aspects}
    if set(data.judgements) - set(aspects):
        raise DomainError("A judgement is for an aspect that is not in this review's framework")
    grades = {g.grade: g for g in review.scale.grades}
    judgements: dict[int, tuple[Any, str]] = {}
    for aspect in review.framework.aspects:  # in the framework's order, so the first problem is named
        if aspect.id not in data.judgements:
            continue
        grade, rationale = data.judgements[aspect.id]
        rationale = (rationale or "").strip()
        if grade is None or grade == "":
            if rationale:
                raise DomainError(f"{aspect.name}: choose a grade for this rationale, or clear it",
                                  field=f"grade_{aspect.id}")
            continue
        if isinstance(grade, bool) or not isinstance(grade, int) or grade not in grades:
            lowest, highest = min(grades), max(grades)
            raise DomainError(f"{aspect.name}: a grade must be from {lowest} to {highest} "
                              f"({grades[lowest].label} to {grades[highest].label})", field=f"grade_{aspect.id}")
        if grades[grade].needs_rationale and not rationale:
            raise DomainError(f"{aspect.name}: a grade of {grade} ({grades[grade].label}) needs a rationale",
                              field=f"rationale_{aspect.id}")
        judgements[aspect.id] = (grade, rationale)
    data.judgements = judgements
    if not data.summary and not judgements:
        raise DomainError("Enter a summary or at least one judgement", field="summary")
    return data


def _apply_evidence(evidence: FieldworkEvidence, review: JointReview, data: EvidenceData) -> None:
    evidence.occurred_on = data.occurred_on  # type: ignore[assignment]  # the form checked it is a date
    evidence.summary, evidence.year_group, evidence.subject = data.summary, data.year_group, data.subject
    evidence.joint_with_school_leader = data.joint_with_school_leader
    evidence.discussion_with = data.discussion_with
    # Update in place, so each judgement and answer keeps its row (and unique pair) across edits.
    by_aspect = {j.aspect_id: j for j in evidence.judgements}
    for aspect_id, judgement in list(by_aspect.items()):
        if aspect_id not in data.judgements:
            evidence.judgements.remove(judgement)
    for aspect_id, (grade, rationale) in data.judgements.items():
        judgement = by_aspect.get(aspect_id)
        if judgement is None:
            evidence.judgements.append(EvidenceJudgement(aspect_id=aspect_id, scale_id=review.scale_id,
                                                         grade=grade, rationale=rationale))
        else:
            judgement.scale_id, judgement.grade, judgement.rationale = review.scale_id, grade, rationale
    by_question = {a.key_question_id: a for a in evidence.answers}
    for qid, answer in list(by_question.items()):
        if qid not in data.answers:
            evidence.answers.remove(answer)
    for qid, text in data.answers.items():
        if qid in by_question:
            by_question[qid].answer = text
        else:
            evidence.answers.append(EvidenceAnswer(key_question_id=qid, answer=text))


def _evidence_snapshot(evidence: FieldworkEvidence) -> dict[str, Any]:
    return {"kind": evidence.kind, "occurred_on": evidence.occurred_on, "year_group": evidence.year_group,
            "subject": evidence.subject, "joint_with_school_leader": evidence.joint_with_school_leader,
            "discussion_with": evidence.discussion_with, "summary": evidence.summary,
            "judgements": {str(j.aspect_id): [j.grade, j.rationale] for j in evidence.judgements},
            "answers": {str(a.key_question_id): a.answer for a in evidence.answers}}


def record_evidence(actor: User, review: JointReview, data: EvidenceData) -> FieldworkEvidence:
    """Record a lesson observation, discussion or work scrutiny with its answers and judgements."""
    _ensure_fieldwork(review)
    recorded = db.session.scalar(select(func.count()).where(FieldworkEvidence.review_id == review.id)) or 0
    if recorded >= MAX_FIELDWORK_EVIDENCE:
        raise DomainError(f"A review can have up to {MAX_FIELDWORK_EVIDENCE} pieces of fieldwork evidence: delete any "
                          "recorded twice, or add to an existing record instead")
    data = _clean_evidence(review, data)
    evidence = FieldworkEvidence(review_id=review.id, kind=data.kind, recorded_by_id=actor.id)
    _apply_evidence(evidence, review, data)
    review.evidence.append(evidence)
    db.session.flush()
    record_audit(actor, "review.evidence_record", "fieldwork_evidence", evidence.id, school_id=review.school_id,
                 after={"review_id": review.id, **_evidence_snapshot(evidence)})
    return evidence


def update_evidence(actor: User, evidence: FieldworkEvidence, data: EvidenceData, *,
                    expected_version: int | None = None) -> FieldworkEvidence:
    """Correct a piece of evidence (its kind stays what it was recorded as). Refuses with
    EditConflict if someone else saved it after this copy was opened."""
    review = db.session.get(JointReview, evidence.review_id)
    assert review is not None
    _ensure_fieldwork(review)
    data.kind = evidence.kind
    data = _clean_evidence(review, data)
    claim_edit(evidence, expected_version, "piece of evidence")
    before = _evidence_snapshot(evidence)
    _apply_evidence(evidence, review, data)
    db.session.flush()
    record_audit(actor, "review.evidence_update", "fieldwork_evidence", evidence.id, school_id=review.school_id,
                 before=before, after=_evidence_snapshot(evidence))
    return evidence


def delete_evidence(actor: User, evidence: FieldworkEvidence) -> None:
    """Remove a piece of evidence recorded in error, with its answers and judgements."""
    review = db.session.get(JointReview, evidence.review_id)
    assert review is not None
    _ensure_fieldwork(review)
    before = {"review_id": review.id, **_evidence_snapshot(evidence)}
    db.session.delete(evidence)
    db.session.flush()
    db.session.expire(review, ["evidence"])
    record_audit(actor, "review.evidence_delete", "fieldwork_evidence", evidence.id, school_id=review.school_id,
                 before=before)
