"""What a termly governor report says, as plain data (strings, numbers, lists and dicts), built
from the school's records in a fixed number of queries. The data is stored with each version of
the report and is all the PDF template ever sees.

It opens with the celebration of progress (the domain asks reports to governors to put it
first): actions completed this term, objectives whose actions are all done or judged on track,
judgements that improved between reviews, and any move to lighter support. Then the support
this term, progress on the plan with RAG per objective, the mid-point review, and what happens
next. A light-touch school gets a one-page summary; every other school the full report.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..casework.documents import service_name
from ..casework.models import NoteOfVisit, VisitType
from ..core.terms import LOCAL_TZ, format_date, format_days
from ..enhanced.services import support_plan_days
from ..evidence.outcomes import criteria_met
from ..extensions import db
from ..rap.models import (
    ACTION_STATUSES,
    PLAN_STATUSES,
    RAG_LABELS,
    ActionUpdate,
    ImprovementNotice,
    MidpointReview,
    ObjectiveProgress,
    PlanAction,
    PlanObjective,
    ProjectTeam,
    RaisingAchievementPlan,
    TimeAllocation,
)
from ..reviews.models import JointReview, PublishedReviewReport
from ..schools.models import SupportAllocation, SupportDecision, SupportTier, TierLevel
from .terms import ReportTerm, report_term

if TYPE_CHECKING:
    from ..schools.models import School

# The one-page summary lists at most this many items in each list ("and 3 more").
SUMMARY_ITEMS = 4
RAG_WORST_FIRST = ("red", "amber", "green", "complete")


def report_layout(school: "School") -> str:
    """A light-touch school gets the one-page summary; every other school the full report."""
    return "summary" if school.support_tier == "light_touch" else "full"


def _local_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


def _local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


def governor_report_content(school: "School", term: ReportTerm | str, *, today: date | None = None) -> dict[str, Any]:
    """Everything the report for `school` in `term` shows, as plain data. RAG statuses and what
    happens next are as at the end of the term, or today if the term has not ended."""
    if isinstance(term, str):
        term = report_term(term)
    today = today or date.today()
    as_of = min(today, term.ends_on)
    window = (_local_start(term.starts_on), _local_start(term.ends_on + timedelta(days=1)))
    tiers = {t.code: t for t in db.session.scalars(select(SupportTier))}
    level_text = db.session.scalar(select(TierLevel.description).where(
        TierLevel.tier_code == school.support_tier, TierLevel.level == school.mcs_level)) or ""
    decisions = list(db.session.scalars(select(SupportDecision).where(SupportDecision.school_id == school.id)
                                        .order_by(SupportDecision.decided_at, SupportDecision.id)))

    plan = _plan_in_force(school)
    plan_data, plan_actions = _plan_progress(plan, as_of) if plan is not None else (None, [])
    midpoint = _midpoint(plan, as_of) if plan is not None else {"last": None, "next": None}
    reviews = _published_reviews(school, term)
    criteria = criteria_met(plan.id) if plan is not None else None

    celebrating = {
        "actions_completed": _actions_completed(school, plan_actions, window),
        "objectives_complete": plan_data["objectives_complete"] if plan_data else [],
        "objectives_on_track": _on_track(midpoint["last"], term),
        "improved_judgements": reviews["improved"] if reviews["latest_in_year"] else [],
        "lighter_support": _lighter_support(decisions, tiers, window),
        "measured_improvements": criteria.improvements if criteria else [],
    }
    celebrating["count"] = sum(len(v) for v in celebrating.values())

    support = _support(school, term, tiers, level_text, plan, as_of)
    content = {
        "kind": "governor_report",
        "layout": report_layout(school),
        "title": f"Report to governors: {school.name}, {term.name}",
        "author": service_name(school.la_name),
        "school": {"name": school.name, "urn": school.urn, "la_name": school.la_name, "phase": school.phase,
                   "type_name": school.type_name},
        "term": term.as_dict(),
        "as_of": as_of.isoformat(),
        "as_of_text": format_date(as_of),
        "generated_on_text": format_date(today),
        "celebrating": celebrating,
        "support": support,
        "plan": plan_data,
        "criteria_met": criteria.text if criteria and criteria.total else "",
        "plan_pending": plan_status_text(school) if plan is None else "",
        "midpoint": midpoint,
        "notice": _notice(school, as_of),
        "judgements": reviews["latest"],
        "tier_history": _tier_history(decisions, tiers, school, term),
        "next_steps": _next_steps(school, term, as_of, plan, plan_actions, midpoint, support),
    }
    return content


# --- the plan -----------------------------------------------------------------------------------------


def _plan_in_force(school: "School") -> RaisingAchievementPlan | None:
    return db.session.scalars(
        select(RaisingAchievementPlan)
        .where(RaisingAchievementPlan.school_id == school.id, RaisingAchievementPlan.status == "agreed")
        .options(selectinload(RaisingAchievementPlan.objectives).selectinload(PlanObjective.criteria),
                 selectinload(RaisingAchievementPlan.objectives).selectinload(PlanObjective.actions)
                 .joinedload(PlanAction.owner),
                 selectinload(RaisingAchievementPlan.allocations).selectinload(TimeAllocation.usage),
                 selectinload(RaisingAchievementPlan.allocations).joinedload(TimeAllocation.user))
        .order_by(RaisingAchievementPlan.agreed_on.desc(), RaisingAchievementPlan.id.desc())).first()


def _plan_progress(plan: RaisingAchievementPlan, as_of: date) -> tuple[dict[str, Any], list[PlanAction]]:
    objectives, complete, actions = [], [], []
    totals: Counter[str] = Counter()
    for number, objective in enumerate(plan.objectives, start=1):
        live = [a for a in objective.actions if a.status != "dropped"]
        actions += objective.actions
        rags = Counter(a.rag(as_of) for a in live)
        totals.update(rags)
        worst = next((r for r in RAG_WORST_FIRST if rags.get(r)), "green")
        objectives.append({
            "number": number, "text": objective.text, "rag": worst, "rag_label": RAG_LABELS[worst],
            "counts": {r: rags.get(r, 0) for r in RAG_WORST_FIRST},
            "criteria": [{"measure": c.measure, "baseline": c.baseline, "target": c.target,
                          "by_when_text": format_date(c.by_when)} for c in objective.criteria],
            "actions": [{"what": a.what, "owner": a.owner_name, "due_text": format_date(a.due_on),
                         "status": ACTION_STATUSES[a.status], "rag": a.rag(as_of) if a.status != "dropped" else "",
                         "rag_label": RAG_LABELS[a.rag(as_of)] if a.status != "dropped" else "Dropped"}
                        for a in objective.actions],
        })
        if live and all(a.status == "done" for a in live):
            complete.append({"text": objective.text, "number": number})
    return {
        "version": plan.version,
        "agreed_on_text": format_date(plan.agreed_on),
        "objectives": objectives,
        "rag_counts": {r: totals.get(r, 0) for r in RAG_WORST_FIRST},
        "actions_total": sum(totals.values()),
        "objectives_complete": complete,
    }, actions


def _actions_completed(school: "School", plan_actions: list[PlanAction],
                       window: tuple[datetime, datetime]) -> list[dict[str, Any]]:
    """Actions whose status changed to done during the term (their update history), and any action
    of the plan in force marked done in the term without one; an action carried across versions of
    the plan counts once."""
    rows = db.session.execute(
        select(ActionUpdate.updated_at, PlanAction.what, PlanObjective.text)
        .join(PlanAction, PlanAction.id == ActionUpdate.action_id)
        .join(PlanObjective, PlanObjective.id == PlanAction.objective_id)
        .where(ActionUpdate.school_id == school.id, ActionUpdate.status_to == "done",
               ActionUpdate.updated_at >= window[0], ActionUpdate.updated_at < window[1])
        .order_by(ActionUpdate.updated_at, ActionUpdate.id)).all()
    done: dict[tuple[str, str], datetime] = {}
    for updated_at, what, objective in rows:
        done.setdefault((objective, what), updated_at)
    for action in plan_actions:
        if action.status == "done" and action.updated_at is not None and window[0] <= action.updated_at < window[1]:
            done.setdefault((action.objective.text, action.what), action.updated_at)
    return [{"what": what, "objective": objective, "completed_on_text": format_date(_local_day(when))}
            for (objective, what), when in sorted(done.items(), key=lambda item: item[1])]


def _midpoint(plan: RaisingAchievementPlan, as_of: date) -> dict[str, Any]:
    reviews = list(db.session.scalars(
        select(MidpointReview).where(MidpointReview.plan_id == plan.series_id)
        .options(selectinload(MidpointReview.progress).joinedload(ObjectiveProgress.objective))
        .order_by(MidpointReview.sequence)))
    held = [r for r in reviews if r.held_on is not None and r.held_on <= as_of]
    pending = [r for r in reviews if r.held_on is None]
    last = held[-1] if held else None
    upcoming = min((r.scheduled_on for r in pending), default=None)
    if last is not None and last.further_review_on and not pending:
        upcoming = last.further_review_on
    return {
        "last": None if last is None else {
            "sequence": last.sequence,
            "name": "Mid-point review" if last.sequence == 1 else f"Further review ({last.sequence})",
            "held_on": last.held_on.isoformat(), "held_on_text": format_date(last.held_on),
            "outcome": last.outcome_name, "summary": last.summary,
            "adequate_improvement": last.adequate_improvement,
            "progress": [{"objective": p.objective.text, "progress": p.progress_name, "key": p.progress}
                         for p in last.progress],
        },
        "next": None if upcoming is None else {
            "on_text": format_date(upcoming), "overdue": upcoming < as_of,
            "name": "The mid-point review" if not held else "A further review",
        },
    }


def _on_track(last: dict[str, Any] | None, term: ReportTerm) -> list[dict[str, Any]]:
    if last is None or not term.starts_on <= date.fromisoformat(last["held_on"]) <= term.ends_on:
        return []
    return [{"text": p["objective"], "review": last["name"], "held_on_text": last["held_on_text"]}
            for p in last["progress"] if p["key"] == "on_track"]


def _notice(school: "School", as_of: date) -> dict[str, Any] | None:
    notice = db.session.scalars(select(ImprovementNotice).where(
        ImprovementNotice.school_id == school.id, ImprovementNotice.status == "issued",
        ImprovementNotice.issued_on <= as_of).order_by(ImprovementNotice.issued_on.desc())).first()
    if notice is None:
        return None
    return {"issued_on_text": format_date(notice.issued_on), "comply_by_text": format_date(notice.comply_by),
            "improvements": notice.improvements}


# --- reviews and support ------------------------------------------------------------------------------


def _published_reviews(school: "School", term: ReportTerm) -> dict[str, Any]:
    """The latest published Joint Review report (as published) up to the end of the term, each
    aspect beside the one before it; and the aspects whose judgement improved."""
    reviews = select(JointReview.id).where(JointReview.school_id == school.id)
    latest_version = (select(PublishedReviewReport.review_id, func.max(PublishedReviewReport.version).label("v"))
                      .where(PublishedReviewReport.review_id.in_(reviews))
                      .group_by(PublishedReviewReport.review_id).subquery())
    rows = db.session.execute(
        select(JointReview.starts_on, PublishedReviewReport.content)
        .join(PublishedReviewReport, PublishedReviewReport.review_id == JointReview.id)
        .join(latest_version, (latest_version.c.review_id == PublishedReviewReport.review_id)
              & (latest_version.c.v == PublishedReviewReport.version))
        .where(JointReview.school_id == school.id, JointReview.starts_on <= term.ends_on)
        .order_by(JointReview.starts_on.desc(), JointReview.id.desc()).limit(2)).all()
    if not rows:
        return {"latest": None, "improved": [], "latest_in_year": False}
    starts_on, latest = rows[0]
    previous = {a["code"]: a for a in rows[1][1].get("aspects", [])} if len(rows) > 1 else {}
    aspects, improved = [], []
    for a in latest.get("aspects", []):
        before = previous.get(a["code"])
        aspects.append({"name": a["name"], "grade": a["grade"], "label": a["label"],
                        "previous_grade": before["grade"] if before else None,
                        "previous_label": before["label"] if before else ""})
        if before and a["grade"] and before["grade"] and a["grade"] < before["grade"]:
            improved.append({"aspect": a["name"], "from": f"{before['grade']} ({before['label']})",
                             "to": f"{a['grade']} ({a['label']})"})
    overall, before_overall = latest.get("overall") or {}, (rows[1][1].get("overall") or {}) if len(rows) > 1 else {}
    if overall.get("grade") and before_overall.get("grade") and overall["grade"] < before_overall["grade"]:
        improved.append({"aspect": "Overall", "from": f"{before_overall['grade']} ({before_overall['label']})",
                         "to": f"{overall['grade']} ({overall['label']})"})
    return {
        "latest": {"dates": latest.get("dates", ""), "scale_name": latest.get("scale", {}).get("name", ""),
                   "previous_dates": rows[1][1].get("dates", "") if len(rows) > 1 else "",
                   "aspects": aspects, "overall": {"grade": overall.get("grade"), "label": overall.get("label", "")}},
        "improved": improved,
        "latest_in_year": starts_on >= term.academic_year_start,
    }


def _tier_label(tiers: dict[str, SupportTier], code: str | None, level: int | None) -> str:
    name = tiers[code].name if code in tiers else (code or "")
    return f"{name} (level {level})" if level else name


def _lighter_support(decisions: list[SupportDecision], tiers: dict[str, SupportTier],
                     window: tuple[datetime, datetime]) -> list[dict[str, Any]]:
    moves = []
    for d in decisions:
        if not window[0] <= d.decided_at < window[1] or d.previous_level is None:
            continue
        lighter_tier = (d.previous_tier in tiers and d.support_tier in tiers
                        and tiers[d.support_tier].sort_order < tiers[d.previous_tier].sort_order)
        if lighter_tier or d.mcs_level < d.previous_level:
            moves.append({"from": _tier_label(tiers, d.previous_tier, d.previous_level),
                          "to": _tier_label(tiers, d.support_tier, d.mcs_level),
                          "on_text": format_date(d.decided_at), "reason": d.reason})
    return moves


def _tier_history(decisions: list[SupportDecision], tiers: dict[str, SupportTier], school: "School",
                  term: ReportTerm) -> dict[str, Any]:
    """The level of support over (at most) the three years to the end of the term, as points for
    the chart: where it started, then each decision."""
    end = term.ends_on
    earliest = end - timedelta(days=3 * 365)
    upto = [d for d in decisions if _local_day(d.decided_at) <= end]
    if not upto:
        return {"points": [], "start": None, "end": end.isoformat(),
                "current": _tier_label(tiers, school.support_tier, school.mcs_level)}
    before = [d for d in upto if _local_day(d.decided_at) < earliest]
    within = [d for d in upto if _local_day(d.decided_at) >= earliest]
    start = max(earliest, _local_day(within[0].decided_at) - timedelta(days=60)) if within else earliest
    points = []
    first = before[-1] if before else None
    start_level = first.mcs_level if first else (within[0].previous_level or within[0].mcs_level)
    start_tier = first.support_tier if first else (within[0].previous_tier or within[0].support_tier)
    points.append({"date": start.isoformat(), "date_text": format_date(start), "level": start_level,
                   "tier_name": tiers[start_tier].name if start_tier in tiers else start_tier})
    for d in within:
        day = _local_day(d.decided_at)
        points.append({"date": day.isoformat(), "date_text": format_date(day), "level": d.mcs_level,
                       "tier_name": tiers[d.support_tier].name if d.support_tier in tiers else d.support_tier})
    return {"points": points, "start": start.isoformat(), "end": end.isoformat(),
            "current": _tier_label(tiers, school.support_tier, school.mcs_level)}


def _support(school: "School", term: ReportTerm, tiers: dict[str, SupportTier], level_text: str,
             plan: RaisingAchievementPlan | None, as_of: date) -> dict[str, Any]:
    visits = db.session.execute(
        select(NoteOfVisit.visit_date, VisitType.name)
        .join(VisitType, VisitType.code == NoteOfVisit.visit_type_code)
        .where(NoteOfVisit.school_id == school.id, NoteOfVisit.status != "planned",
               NoteOfVisit.visit_date >= term.academic_year_start, NoteOfVisit.visit_date <= term.ends_on)
        .order_by(NoteOfVisit.visit_date, NoteOfVisit.id)).all()
    this_term = [{"date_text": format_date(day), "type": name} for day, name in visits if day >= term.starts_on]
    allocation = db.session.scalars(select(SupportAllocation).where(
        SupportAllocation.school_id == school.id, SupportAllocation.academic_year == term.academic_year)).first()
    consultant_rows, allocated, used = [], Decimal("0"), Decimal("0")
    if plan is not None:
        for a in plan.allocations:
            if a.term != term.code:
                continue
            allocated += a.days
            used += a.days_used
            consultant_rows.append({"name": a.user.name, "allocated": format_days(a.days), "used": format_days(a.days_used)})
    tier = tiers.get(school.support_tier)
    return {
        "tier_code": school.support_tier,
        "tier_name": tier.name if tier else school.support_tier,
        "level": school.mcs_level,
        "level_text": level_text,
        "since_text": format_date(school.support_tier_since),
        "designations": school.concern_flags,
        "link_adviser": school.link_adviser.name if school.link_adviser else "",
        "visits": this_term,
        "visits_count": len(this_term),
        "visits_year_count": len(visits),
        "visits_allocated": allocation.link_visits if allocation else None,
        "annual_consultant_days": format_days(allocation.consultant_days) if allocation else None,
        "consultant_days": {"rows": consultant_rows, "allocated": format_days(allocated), "used": format_days(used)}
        if consultant_rows else None,
        "support_plan_days": _support_plan_days(school, term),
    }


def _support_plan_days(school: "School", term: ReportTerm) -> dict[str, Any] | None:
    """The consultants deployed on the school's enhanced support plan for the year, and the days
    their support visits (notes of visit against the deployment) used this term and this year."""
    lines = support_plan_days(school.id, term.academic_year, year_starts=term.academic_year_start,
                              term_starts=term.starts_on, term_ends=term.ends_on)
    if not lines:
        return None
    rows = [{"name": line.deployment.consultant.name, "specialism": line.deployment.consultant.specialism_name,
             "purpose": line.deployment.purpose, "allocated": format_days(line.deployment.days_allocated),
             "used_term": format_days(line.used_in_term), "used_year": format_days(line.used_in_year)}
            for line in lines]
    return {"rows": rows, "academic_year": term.academic_year,
            "allocated": format_days(sum((line.deployment.days_allocated for line in lines), Decimal(0))),
            "used_term": format_days(sum((line.used_in_term for line in lines), Decimal(0))),
            "used_year": format_days(sum((line.used_in_year for line in lines), Decimal(0)))}


# --- what happens next ------------------------------------------------------------------------------


def _next_steps(school: "School", term: ReportTerm, as_of: date, plan: RaisingAchievementPlan | None,
                plan_actions: list[PlanAction], midpoint: dict[str, Any], support: dict[str, Any]) -> list[dict[str, str]]:
    steps: list[dict[str, str]] = []
    if midpoint["next"] is not None:
        n = midpoint["next"]
        steps.append({"what": f"{n['name']} of the Raising Achievement Plan" + (" (now due)" if n["overdue"] else ""),
                      "when": n["on_text"]})
    if plan is not None:
        next_meeting = db.session.scalar(select(ProjectTeam.next_meeting_on).where(ProjectTeam.plan_id == plan.series_id))
        if next_meeting is not None and next_meeting >= as_of:
            steps.append({"what": "The next project team meeting", "when": format_date(next_meeting)})
    planned = db.session.scalar(select(func.min(NoteOfVisit.visit_date)).where(
        NoteOfVisit.school_id == school.id, NoteOfVisit.visit_date > as_of,
        or_(NoteOfVisit.status == "planned", NoteOfVisit.status == "draft")))
    promised = db.session.scalar(select(func.max(NoteOfVisit.next_visit_date)).where(
        NoteOfVisit.school_id == school.id, NoteOfVisit.status != "planned", NoteOfVisit.visit_date <= as_of))
    candidates = [d for d in (planned, promised) if d is not None and d > as_of]
    if candidates:
        steps.append({"what": "The link adviser's next visit", "when": format_date(min(candidates))})
    notice = db.session.scalar(select(ImprovementNotice.comply_by).where(
        ImprovementNotice.school_id == school.id, ImprovementNotice.status == "issued",
        ImprovementNotice.issued_on <= as_of).order_by(ImprovementNotice.comply_by))
    if notice is not None:
        steps.append({"what": "The improvements in the Improvement Notice are due", "when": format_date(notice)})
    following = report_term(term.term.next())
    due_next = [a for a in plan_actions if a.status not in {"done", "dropped"}
                and following.starts_on <= a.due_on <= following.ends_on]
    if due_next:
        steps.append({"what": f"{len(due_next)} action{'s' if len(due_next) != 1 else ''} of the plan "
                              f"{'are' if len(due_next) != 1 else 'is'} due", "when": following.name})
    steps.append({"what": "The next report to governors", "when": f"End of the {following.name.lower()}"})
    return steps


def plan_status_text(school: "School") -> str:
    """What to say when the school has no agreed plan (one may be in draft or awaiting agreement)."""
    status = db.session.scalar(select(RaisingAchievementPlan.status).where(
        RaisingAchievementPlan.school_id == school.id, RaisingAchievementPlan.status.in_(["draft", "submitted"])))
    return PLAN_STATUSES.get(status or "", "")
