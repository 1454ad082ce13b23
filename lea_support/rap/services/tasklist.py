"""The plan page's task list: a plan's parts, from drafting to the mid-point review, each with its
status read from what is recorded (the page links each part and offers one next step)."""
from __future__ import annotations

from ...core.tasklist import Task
from ..models import MidpointReview, ProjectTeam, RaisingAchievementPlan

__all__ = ["plan_tasks", "ready_to_submit", "open_midpoint_review", "midpoint_tasks"]


def ready_to_submit(plan: RaisingAchievementPlan) -> bool:
    """Whether a draft has what `submit_plan` asks for: objectives, each with criteria and actions."""
    return bool(plan.objectives) and all(o.criteria and o.actions for o in plan.objectives)


def open_midpoint_review(reviews: list[MidpointReview]) -> MidpointReview | None:
    """The series' review still to hold (the mid-point review, or a further review), if any."""
    return next((r for r in reviews if not r.is_held), None)


def _each_objective(plan: RaisingAchievementPlan, has: str) -> str:
    if not plan.objectives:
        return "cannot_start"
    count = sum(1 for o in plan.objectives if getattr(o, has))
    if count == len(plan.objectives):
        return "completed"
    return "in_progress" if count else "not_started"


def plan_tasks(plan: RaisingAchievementPlan, team: ProjectTeam | None,
               reviews: list[MidpointReview]) -> list[Task]:
    """The plan's parts in order. A draft's parts are written by the SIA; once it is submitted they
    are done, and the sign-offs, the project team and the mid-point review follow in turn."""
    draft = plan.status == "draft"
    if draft:
        objectives = "in_progress" if plan.objectives else "not_started"
        criteria, actions = _each_objective(plan, "criteria"), _each_objective(plan, "actions")
        resources = ("completed" if plan.allocations else
                     "in_progress" if plan.standards_fund is not None or plan.professional_development
                     else "not_started")
        submission = "not_started" if ready_to_submit(plan) else "cannot_start"
    else:
        objectives = criteria = actions = resources = submission = "completed"
    signatures = sum(1 for signed in (plan.school_signed_by_id, plan.la_signed_by_id) if signed)
    if plan.status in ("agreed", "superseded"):
        sign_offs = "completed"
    elif plan.status == "submitted":
        sign_offs = "in_progress" if signatures else "not_started"
    else:
        sign_offs = "cannot_start"
    if team is None:
        team_status = "cannot_start"
    else:
        team_status = "completed" if team.coordinator_id and team.meetings else "in_progress"
    if not reviews:
        midpoint = "cannot_start"
    elif open_midpoint_review(reviews) is None:
        midpoint = "completed"
    else:
        midpoint = "in_progress" if reviews[0].is_held else "not_started"
    sign_hint = {0: "", 1: "One of two signatures", 2: ""}[signatures] if plan.status == "submitted" else ""
    return [
        Task("objectives", "Objectives", objectives),
        Task("criteria", "Success criteria", criteria),
        Task("actions", "Actions", actions),
        Task("resources", "Resources and adviser time", resources),
        Task("submission", "Submit for agreement", submission),
        Task("sign_offs", "Sign-offs by the school and the LA", sign_offs, hint=sign_hint),
        Task("project_team", "Project team", team_status),
        Task("midpoint", "Mid-point review", midpoint),
    ]


def midpoint_tasks(review: MidpointReview, following: MidpointReview | None, has_notice: bool) -> list[Task]:
    """A mid-point (or further) review's parts: its date, what is recorded when it is held (progress,
    judgement, outcome), and what its outcome brings (a further review, a notice), in turn."""
    held = "completed" if review.is_held else "not_started"
    if not review.is_held:
        follow_up = "cannot_start"
    elif review.outcome == "continue":
        follow_up = "completed" if following is not None and following.is_held else "not_started"
    elif review.outcome == "improvement_notice":
        follow_up = "completed" if has_notice else "not_started"
    else:
        follow_up = "completed"
    follow_title = {"continue": "The further review", "improvement_notice": "The Improvement Notice"}.get(
        review.outcome or "", "What the outcome brings")
    return [
        Task("date", "Date of the review", "completed" if review.is_held else "in_progress"),
        Task("progress", "Progress on each objective", held),
        Task("judgement", "Capacity to improve and adequate improvement", held),
        Task("outcome", "Outcome and support decision", held),
        Task("follow_up", follow_title, follow_up),
    ]
