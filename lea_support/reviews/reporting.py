"""The end of a Joint LEA/School Review: the evaluation agreed with the school's leaders, the
post-review report's findings, publishing it as a PDF that never changes, corrections as new
versions, and the school's reviews side by side across the years."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import defer

from ..core.audit import record_audit
from ..core.errors import DomainError
from ..core.limits import LONG_TEXT, MAX_FINDINGS, too_long
from ..core.locking import AlreadyChanged, claim_edit, lock_for_update
from ..core.models import utcnow
from ..core.terms import format_date
from ..extensions import db
from ..pdf import PdfBusy, PdfRenderError
from ..schools.services import record_school_event
from .documents import render_report_pdf, report_content, review_dates
from .models import (
    FINDING_KINDS,
    PRE_REVIEW_KINDS,
    AspectEvaluation,
    EvidenceAnswer,
    EvidenceJudgement,
    FieldworkEvidence,
    JointReview,
    JudgementScale,
    PublishedReviewReport,
    ReviewFinding,
    ReviewStageChange,
    SchoolAspectView,
)

if TYPE_CHECKING:
    from ..auth.models import User
    from ..schools.models import School

# The evaluation and the report's findings are worked on in these stages.
REPORTING_STAGES = ("evaluation", "report_drafted")
GRADES = range(1, 8)


class AspectError(DomainError):
    """A refusal about one aspect's row of the evaluation; `field` is the field in that row."""

    def __init__(self, message: str, aspect_id: int, field: str):
        super().__init__(message, field=field)
        self.aspect_id = aspect_id


class PublishRefused(DomainError):
    """Publishing refused; `problems` names each thing that is missing."""

    def __init__(self, problems: list[Problem]):
        super().__init__("The report cannot be published yet: " + "; ".join(problems) + ".")
        self.problems = problems


@dataclass
class AspectJudgement:
    """What the team and the school's leaders agreed on one aspect."""

    aspect_id: int
    proposed_grade: int | None = None
    agreed_grade: int | None = None
    rationale: str = ""
    school_disagreed: bool = False
    school_view: str = ""


@dataclass
class FindingData:
    """One point of the report; `id` is None for a new point."""

    kind: str
    text: str
    id: int | None = None
    aspect_id: int | None = None


def _require_reporting_stage(review: JointReview, what: str) -> None:
    if review.stage not in REPORTING_STAGES:
        raise DomainError(f"{what} can be changed only while the review is at the evaluation or "
                          f"report drafted stage (it is {review.stage_name.lower()})")


def _grade_name(review: JointReview, grade: int | None) -> str:
    return f"{grade} ({review.scale.label(grade)})" if grade else ""


def _move_stage(actor: User, review: JointReview, to_stage: str, reason: str = "",
                at: datetime | None = None) -> None:
    change = ReviewStageChange(review_id=review.id, from_stage=review.stage, to_stage=to_stage,
                               reason=reason, changed_by_id=actor.id)
    if at is not None:
        change.changed_at = at
    db.session.add(change)
    review.stage = to_stage


# --- evaluation ---------------------------------------------------------------------------------


def evidence_profiles(review: JointReview) -> dict[int, dict[int, int]]:
    """How many evidence judgements there are at each grade, per aspect (one grouped query)."""
    rows = db.session.execute(
        select(EvidenceJudgement.aspect_id, EvidenceJudgement.grade, func.count())
        .join(FieldworkEvidence, FieldworkEvidence.id == EvidenceJudgement.evidence_id)
        .where(FieldworkEvidence.review_id == review.id)
        .group_by(EvidenceJudgement.aspect_id, EvidenceJudgement.grade))
    profiles: dict[int, dict[int, int]] = {}
    for aspect_id, grade, count in rows:
        profiles.setdefault(aspect_id, {})[grade] = count
    return profiles


def evaluation_rows(review: JointReview) -> list[dict[str, Any]]:
    """Each aspect of the review's framework with its evidence profile and its evaluation."""
    profiles = evidence_profiles(review)
    evaluations = {e.aspect_id: e for e in review.evaluations}
    return [{"aspect": aspect,
             "profile": [(g, profiles.get(aspect.id, {}).get(g, 0)) for g in GRADES],
             "evidence_count": sum(profiles.get(aspect.id, {}).values()),
             "evaluation": evaluations.get(aspect.id)}
            for aspect in review.framework.aspects]


def _check_grade(review: JointReview, grade: int | None, what: str, *, aspect_id: int | None, field: str) -> None:
    if grade is not None and grade not in GRADES:
        message = f"{what}: choose a grade from 1 to 7 on the {review.scale.name}"
        raise AspectError(message, aspect_id, field) if aspect_id else DomainError(message, field=field)


def _needs_rationale(review: JointReview, grade: int | None) -> bool:
    return any(g.grade == grade and g.needs_rationale for g in review.scale.grades)


def record_evaluation(actor: User, review: JointReview, judgements: list[AspectJudgement], *,
                      overall_grade: int | None, overall_rationale: str,
                      expected_version: int | None = None) -> JointReview:
    """Record the judgements agreed with the school's leaders, per aspect and overall. Every rule
    is checked before anything changes, so a refusal saves nothing; EditConflict if someone else
    saved the evaluation after this copy was opened."""
    _require_reporting_stage(review, "The evaluation")
    aspects = {a.id: a for a in review.framework.aspects}
    for item in judgements:
        aspect = aspects.get(item.aspect_id)
        if aspect is None:
            raise DomainError("Judge only the aspects of this review's framework")
        item.rationale, item.school_view = (item.rationale or "").strip(), (item.school_view or "").strip()
        _check_grade(review, item.proposed_grade, f"{aspect.name}, proposed judgement", aspect_id=aspect.id,
                     field="proposed_grade")
        _check_grade(review, item.agreed_grade, f"{aspect.name}, agreed judgement", aspect_id=aspect.id,
                     field="agreed_grade")
        if _needs_rationale(review, item.agreed_grade) and not item.rationale:
            raise AspectError(f"{aspect.name}: an agreed judgement of {_grade_name(review, item.agreed_grade)} "
                              "needs a rationale", aspect.id, "rationale")
        if item.school_disagreed and not item.school_view:
            raise AspectError(f"{aspect.name}: the school disagreed, so record the school's view",
                              aspect.id, "school_view")
    overall_rationale = (overall_rationale or "").strip()
    _check_grade(review, overall_grade, "Overall judgement", aspect_id=None, field="overall_grade")
    if _needs_rationale(review, overall_grade) and not overall_rationale:
        raise DomainError(f"An overall judgement of {_grade_name(review, overall_grade)} needs a rationale",
                          field="overall_rationale")
    claim_edit(review, expected_version, "evaluation", column="evaluation_version")

    existing = {e.aspect_id: e for e in review.evaluations}
    before = {str(a): _evaluation_snapshot(e) for a, e in existing.items()}
    before["overall"] = {"grade": review.overall_grade, "rationale": review.overall_rationale}
    for item in judgements:
        evaluation = existing.get(item.aspect_id)
        if evaluation is None:
            evaluation = AspectEvaluation(review_id=review.id, aspect_id=item.aspect_id)
            db.session.add(evaluation)
            review.evaluations.append(evaluation)
        # The judgement is read against the scale it was made on, even if the LA's scale changes later.
        evaluation.scale_id = review.scale_id
        evaluation.proposed_grade, evaluation.agreed_grade = item.proposed_grade, item.agreed_grade
        evaluation.rationale = item.rationale
        evaluation.school_disagreed = item.school_disagreed
        evaluation.school_view = item.school_view if item.school_disagreed else ""
    review.overall_grade, review.overall_rationale = overall_grade, overall_rationale
    db.session.flush()
    after = {str(e.aspect_id): _evaluation_snapshot(e) for e in review.evaluations}
    after["overall"] = {"grade": review.overall_grade, "rationale": review.overall_rationale}
    record_audit(actor, "review.evaluate", "joint_review", review.id, school_id=review.school_id,
                 before=before, after=after)
    return review


def _evaluation_snapshot(evaluation: AspectEvaluation) -> dict[str, Any]:
    return {"scale_id": evaluation.scale_id, "proposed": evaluation.proposed_grade, "agreed": evaluation.agreed_grade,
            "rationale": evaluation.rationale, "school_disagreed": evaluation.school_disagreed,
            "school_view": evaluation.school_view}


# --- the review is joint: the school's own view, and sharing the evaluation ---------------------------

# The school's participants record their view of each aspect from the fieldwork on, until publication.
SCHOOL_VIEW_STAGES = ("fieldwork", "evaluation", "report_drafted")


@dataclass
class SchoolView:
    """The school's own grade (None: not given) and comment on one aspect."""

    aspect_id: int
    grade: int | None = None
    comment: str = ""


def record_school_views(actor: User, review: JointReview, views: list[SchoolView]) -> list[SchoolAspectView]:
    """Record the school's own view of each aspect (grade and comment), apart from the judgement
    the SIA records as agreed. Every row is checked before anything changes."""
    if review.stage not in SCHOOL_VIEW_STAGES:
        raise DomainError("The school's view can be recorded from the fieldwork until the report is published "
                          f"(the review is {review.stage_name.lower()})")
    aspects = {a.id: a for a in review.framework.aspects}
    grades = {g.grade for g in review.scale.grades}
    for view in views:
        aspect = aspects.get(view.aspect_id)
        if aspect is None:
            raise DomainError("Give a view only on the aspects of this review's framework")
        view.comment = (view.comment or "").strip()
        if view.grade is not None and view.grade not in grades:
            raise AspectError(f"{aspect.name}: choose a grade from 1 to 7 on the {review.scale.name}",
                              aspect.id, "grade")
        if len(view.comment) > LONG_TEXT:
            raise AspectError(too_long(f"The comment on {aspect.name.lower()}", LONG_TEXT), aspect.id, "comment")
    existing = {v.aspect_id: v for v in review.school_views}
    before = {str(a): [v.grade, v.comment] for a, v in existing.items()}
    saved = []
    for view in views:
        row = existing.get(view.aspect_id)
        if row is None:
            if view.grade is None and not view.comment:
                continue
            row = SchoolAspectView(review_id=review.id, aspect_id=view.aspect_id)
            review.school_views.append(row)
        row.scale_id, row.grade, row.comment = review.scale_id, view.grade, view.comment
        row.recorded_by_id = actor.id
        saved.append(row)
    db.session.flush()
    record_audit(actor, "review.school_view", "joint_review", review.id, school_id=review.school_id, before=before,
                 after={str(v.aspect_id): [v.grade, v.comment] for v in review.school_views})
    return saved


def share_evaluation(actor: User, review: JointReview) -> JointReview:
    """Share the evaluation with the school's participants on the review (the lead's step)."""
    lock_for_update(review)
    if review.evaluation_shared_at is not None:
        raise AlreadyChanged("The evaluation has already been shared with the school: reload the page to see it")
    if review.stage not in REPORTING_STAGES:
        raise DomainError("The evaluation can be shared once the review is at the evaluation stage "
                          f"(it is {review.stage_name.lower()})")
    review.evaluation_shared_at, review.evaluation_shared_by_id = utcnow(), actor.id
    db.session.flush()
    record_audit(actor, "review.share_evaluation", "joint_review", review.id, school_id=review.school_id,
                 after={"evaluation_shared_at": review.evaluation_shared_at})
    record_school_event(review.school, "review_evaluation_shared",
                        "Joint LEA/School Review: the evaluation was shared with the school", actor, audience="school")
    return review


# --- the report's findings ------------------------------------------------------------------------


def save_findings(actor: User, review: JointReview, findings: list[FindingData], *,
                  expected_version: int | None = None) -> list[ReviewFinding]:
    """Save both lists of the report's points. A point keeps its id when edited (the Raising
    Achievement Plan refers to it); new points are added and points left out are removed.
    The first save of a draft at the evaluation stage moves the review to "report drafted".
    EditConflict if someone else saved the report's points after this copy was opened."""
    _require_reporting_stage(review, "The report")
    aspect_ids = {a.id for a in review.framework.aspects}
    existing = {f.id: f for f in review.findings}
    kept: list[FindingData] = []
    for item in findings:
        item.text = (item.text or "").strip()
        if item.kind not in FINDING_KINDS:
            raise DomainError("Each point belongs to one of the report's two lists")
        if item.id is not None and item.id not in existing:
            raise DomainError("A point of another review cannot be changed here")
        if item.aspect_id is not None and item.aspect_id not in aspect_ids:
            raise DomainError("Tag a point only with an aspect of this review's framework")
        if item.text:
            kept.append(item)
    for kind, name in FINDING_KINDS.items():
        if sum(item.kind == kind for item in kept) > MAX_FINDINGS:
            raise DomainError(f"The report can have up to {MAX_FINDINGS} points on {name[0].lower()}{name[1:]}: "
                              "combine some, or leave the rest out", field=kind)
    claim_edit(review, expected_version, "report draft", column="findings_version")
    before = {f.id: {"kind": f.kind, "text": f.text, "aspect_id": f.aspect_id} for f in existing.values()}

    positions = {kind: 0 for kind in FINDING_KINDS}
    saved: list[ReviewFinding] = []
    for item in kept:
        finding = existing.pop(item.id) if item.id is not None and item.id in existing else None
        if finding is None:
            finding = ReviewFinding(review_id=review.id)
            db.session.add(finding)
        finding.kind, finding.text, finding.aspect_id = item.kind, item.text, item.aspect_id
        finding.position = positions[item.kind]
        positions[item.kind] += 1
        saved.append(finding)
    for removed in existing.values():
        db.session.delete(removed)
    if review.stage == "evaluation":
        _move_stage(actor, review, "report_drafted")
    db.session.flush()
    db.session.expire(review, ["findings"])
    record_audit(actor, "review.findings", "joint_review", review.id, school_id=review.school_id,
                 before={"findings": before},
                 after={"findings": {f.id: {"kind": f.kind, "text": f.text, "aspect_id": f.aspect_id} for f in saved}})
    return saved


# --- publishing -----------------------------------------------------------------------------------


class Problem(str):
    """One thing that stops publishing, said as what to fix; `where` names the part of the
    review it is fixed in (the route turns it into a link)."""

    where: str

    def __new__(cls, text: str, where: str) -> "Problem":
        problem = super().__new__(cls, text)
        problem.where = where
        return problem


def publication_problems(review: JointReview, *, today: date | None = None) -> list[Problem]:
    """Everything that stops the report being published, each named: a review is published once
    it has happened (its pre-review done, key questions asked, evidence behind every judgement,
    nothing dated in the future), and its evaluation and report are complete."""
    today = today or date.today()
    problems: list[Problem] = []
    marked = {i.kind: i for i in review.pre_review_items}
    for kind, name in PRE_REVIEW_KINDS.items():
        item = marked.get(kind)
        if item is None or item.status == "pending":
            problems.append(Problem(f"Pre-review: mark \u201c{name}\u201d as seen or not available", "pre_review"))
        elif item.status == "not_available" and not item.notes.strip():
            problems.append(Problem(f"Pre-review: \u201c{name}\u201d is marked not available: add a note saying why",
                                    "pre_review"))
    if not review.key_questions:
        problems.append(Problem("There are no key questions: add at least one to explore with the school",
                                "key_questions"))
    if review.starts_on > today:
        problems.append(Problem(f"The review starts on {format_date(review.starts_on)}, in the future: a review is "
                                "published once it has happened", "dates"))
    if review.ends_on is not None and review.ends_on > today:
        problems.append(Problem(f"The review ends on {format_date(review.ends_on)}, in the future: a review is "
                                "published once it has happened", "dates"))
    for evidence in review.evidence:
        if evidence.occurred_on > today:
            problems.append(Problem(f"The {evidence.kind_name.lower()} of {format_date(evidence.occurred_on)} is dated "
                                    "in the future: correct its date", f"evidence-{evidence.id}"))
    agreed = {e.aspect_id for e in review.evaluations if e.agreed_grade is not None}
    problems += [Problem(f"{a.name} has no agreed judgement", "evaluation")
                 for a in review.framework.aspects if a.id not in agreed]
    profiles = evidence_profiles(review)
    problems += [Problem(f"{a.name} is judged with no fieldwork evidence behind it: record evidence that judges it",
                         "evidence")
                 for a in review.framework.aspects if a.id in agreed and not profiles.get(a.id)]
    if review.overall_grade is None:
        problems.append(Problem("There is no overall judgement", "evaluation"))
    answered = set(db.session.scalars(
        select(EvidenceAnswer.key_question_id)
        .join(FieldworkEvidence, FieldworkEvidence.id == EvidenceAnswer.evidence_id)
        .where(FieldworkEvidence.review_id == review.id, func.trim(EvidenceAnswer.answer) != "")))
    for number, question in enumerate(review.key_questions, start=1):
        if question.id not in answered:
            problems.append(Problem(f"Key question {number} '{_short(question.text)}' is unanswered", "evidence"))
    kinds = {f.kind for f in review.findings}
    problems += [Problem(f"'{name}' has no points", "findings") for kind, name in FINDING_KINDS.items()
                 if kind not in kinds]
    return problems


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def publish_report(actor: User, review: JointReview, *, reason: str = "", on: date | None = None) -> PublishedReviewReport:
    """Publish the post-review report: check nothing is missing, make the PDF from plain data,
    store both for good, and tell the school's governors. A correction (any version after the
    first) needs a reason. `on` is the day of publication when it is not today (the demo's history)."""
    on = on or date.today()
    reason = (reason or "").strip()
    # Two clicks at once queue here rather than both making the same version.
    lock_for_update(review)
    if review.stage == "published":
        raise AlreadyChanged("This report has already been published: reload the page to see it")
    if review.stage != "report_drafted":
        raise DomainError(f"Only a drafted report can be published (the review is {review.stage_name.lower()})")
    latest = db.session.scalar(select(func.max(PublishedReviewReport.version))
                               .where(PublishedReviewReport.review_id == review.id)) or 0
    if latest and not reason:
        raise DomainError(f"Version {latest} is already published: give the reason for the correction",
                          field="reason")
    problems = publication_problems(review)
    if problems:
        raise PublishRefused(problems)

    version = latest + 1
    content = report_content(review, version=version, reason=reason, published_on=on)
    try:
        pdf = render_report_pdf(content)
    except PdfBusy:
        raise  # the "busy, try again" page (503), as for every PDF
    except PdfRenderError as err:
        raise DomainError(f"The report's PDF could not be made, so nothing was published: {err}") from err
    report = PublishedReviewReport(review_id=review.id, version=version, reason=reason, content=content,
                                   pdf=pdf, pdf_sha256=hashlib.sha256(pdf).hexdigest(), published_by_id=actor.id)
    # Another day than today: noon of it, which is that day in any UK time zone.
    published_at = datetime.combine(on, time(12), UTC) if on != date.today() else None
    if published_at is not None:
        report.published_at = published_at
    db.session.add(report)
    _move_stage(actor, review, "published", reason, at=published_at)
    db.session.flush()
    db.session.expire(review, ["reports"])
    record_audit(actor, "review.publish", "joint_review", review.id, school_id=review.school_id,
                 after={"version": version, "reason": reason, "pdf_sha256": report.pdf_sha256})
    summary = "Joint LEA/School Review report published" if version == 1 else \
        f"Joint LEA/School Review report corrected (version {version}): {reason}"
    # The correction's reason is printed on the published report itself: the governors read it there too.
    record_school_event(review.school, "review_published", summary, actor, audience="governors", occurred_on=on)
    return report


def reopen_review(actor: User, review: JointReview, *, reason: str) -> JointReview:
    """Take a published review back to "report drafted" to correct it. The published report
    stays as it is; publishing again makes the next version."""
    reason = (reason or "").strip()
    lock_for_update(review)
    if review.stage == "report_drafted":
        raise AlreadyChanged("This review has already been reopened for a correction: reload the page to see it")
    if review.stage != "published":
        raise DomainError("Only a published review can be reopened for a correction")
    if not reason:
        raise DomainError("Give the reason for reopening the published report", field="reason")
    _move_stage(actor, review, "report_drafted", reason)
    db.session.flush()
    record_audit(actor, "review.reopen", "joint_review", review.id, school_id=review.school_id,
                 before={"stage": "published"}, after={"stage": "report_drafted", "reason": reason})
    public = "Joint LEA/School Review reopened for a correction"
    record_school_event(review.school, "review_reopened", f"{public}: {reason}", actor, audience="school",
                        public_summary=public)
    return review


# --- reading --------------------------------------------------------------------------------------


def published_versions(review: JointReview) -> list[PublishedReviewReport]:
    """Every published version, oldest first, without loading the PDFs."""
    return list(db.session.scalars(
        select(PublishedReviewReport).options(defer(PublishedReviewReport.pdf))
        .where(PublishedReviewReport.review_id == review.id).order_by(PublishedReviewReport.version)))


def published_report(review: JointReview, version: int) -> PublishedReviewReport | None:
    return db.session.scalars(select(PublishedReviewReport).where(
        PublishedReviewReport.review_id == review.id, PublishedReviewReport.version == version)).first()


def published_reviews_for_school(school: School) -> list[dict[str, Any]]:
    """The school's reviews with a published report, newest first, for its governors' page."""
    # Grouped after the join, so that only this school's reports are read (never every review's).
    rows = db.session.execute(
        select(JointReview.id, JointReview.starts_on, JointReview.ends_on, func.max(PublishedReviewReport.version))
        .join(PublishedReviewReport, PublishedReviewReport.review_id == JointReview.id)
        .where(JointReview.school_id == school.id)
        .group_by(JointReview.id, JointReview.starts_on, JointReview.ends_on)
        .order_by(JointReview.starts_on.desc(), JointReview.id.desc()))
    return [{"review_id": rid, "starts_on": starts, "ends_on": ends, "version": version}
            for rid, starts, ends, version in rows]


def school_review_history(school: School, *, published_only: bool) -> dict[str, Any]:
    """The school's reviews side by side, oldest first: one row per aspect (matched by code across
    framework versions), each cell the agreed grade and its label on that review's own scale.
    Readers who see only published reports see what was published. A fixed number of queries."""
    query = select(JointReview).where(JointReview.school_id == school.id)
    if published_only:
        query = query.where(exists().where(PublishedReviewReport.review_id == JointReview.id))
    reviews = list(db.session.scalars(query.order_by(JointReview.starts_on, JointReview.id)).unique())
    ids = [r.id for r in reviews]
    cells: dict[int, dict[str, dict[str, Any]]] = {r.id: {} for r in reviews}
    overall: dict[int, dict[str, Any]] = {}
    names: dict[str, tuple[int, str]] = {}  # code -> (sort position, name from the newest framework)
    versions: dict[int, int] = {}
    if published_only and ids:
        latest = (select(PublishedReviewReport.review_id, func.max(PublishedReviewReport.version).label("version"))
                  .where(PublishedReviewReport.review_id.in_(ids)).group_by(PublishedReviewReport.review_id).subquery())
        for report in db.session.scalars(
                select(PublishedReviewReport).options(defer(PublishedReviewReport.pdf))
                .join(latest, (latest.c.review_id == PublishedReviewReport.review_id)
                      & (latest.c.version == PublishedReviewReport.version))):
            versions[report.review_id] = report.version
            for position, aspect in enumerate(report.content.get("aspects", [])):
                cells[report.review_id][aspect["code"]] = {"grade": aspect["grade"], "label": aspect["label"]}
                names[aspect["code"]] = (position, aspect["name"])
            overall[report.review_id] = report.content.get("overall", {})
    elif ids:
        evaluations = list(db.session.scalars(select(AspectEvaluation).where(AspectEvaluation.review_id.in_(ids))))
        # Each judgement is read against the scale it was made on (stored with it), not today's.
        scales = {s.id: s for s in db.session.scalars(select(JudgementScale).where(
            JudgementScale.id.in_({e.scale_id for e in evaluations} | {r.scale_id for r in reviews})))}
        for evaluation in evaluations:
            if evaluation.agreed_grade is not None:
                cells[evaluation.review_id][evaluation.aspect.code] = {
                    "grade": evaluation.agreed_grade, "label": scales[evaluation.scale_id].label(evaluation.agreed_grade)}
        for review in reviews:
            for aspect in review.framework.aspects:
                names[aspect.code] = (aspect.sort_order, aspect.name)
            overall[review.id] = {"grade": review.overall_grade, "label": review.scale.label(review.overall_grade)}
    columns = [{"review_id": r.id, "dates": review_dates(r), "starts_on": r.starts_on, "stage": r.stage_name,
                "version": versions.get(r.id), "framework_version": r.framework.version,
                "scale_name": r.scale.name, "overall": overall.get(r.id, {})} for r in reviews]
    rows = [{"code": code, "name": name, "cells": [cells[r.id].get(code) for r in reviews]}
            for code, (_, name) in sorted(names.items(), key=lambda item: item[1][0])]
    return {"columns": columns, "rows": rows}
