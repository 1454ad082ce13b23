"""Who may see, draft, change and sign off a Raising Achievement Plan. Governors see only the
agreed plan's summary (governor_reports) and the notices' letters."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from ..auth.models import Role
from ..auth.permissions import _signed_in, is_la_staff
from ..extensions import db
from .models import ProjectTeam, ProjectTeamMember, RaisingAchievementPlan

if TYPE_CHECKING:
    from ..schools.models import School


def _leads_school(user: Any, school_id: int) -> bool:
    return _signed_in(user) and user.role == Role.SCHOOL_LEADER and school_id in user.school_ids


def can_view_school_plans(user: Any, school: "School") -> bool:
    """LA staff, and the school's own leaders."""
    return is_la_staff(user) or _leads_school(user, school.id)


def can_view_plan(user: Any, plan: "RaisingAchievementPlan") -> bool:
    return is_la_staff(user) or _leads_school(user, plan.school_id)


def viewable_plans(user: Any) -> "ColumnElement[bool]":
    """`can_view_plan` as a condition on `RaisingAchievementPlan` for a query, so that lists of
    plans (and of their actions) are filtered by the database, not row by row. Keep in step."""
    if is_la_staff(user):
        return true()
    if _signed_in(user) and user.role == Role.SCHOOL_LEADER and user.school_ids:
        return RaisingAchievementPlan.school_id.in_(sorted(user.school_ids))
    return false()


def can_own_action(person: Any, plan: "RaisingAchievementPlan") -> bool:
    """Who may be named as the owner of an action of the plan: a member of the LA's staff, or one
    of the plan's school's own leaders. These are exactly the people who may sit on the plan's
    project team (the school's leaders join it when it is formed); anyone else, a leader of another
    school above all, would be shown the plan's actions in "My actions"."""
    if person is None:
        return False
    return person.is_la_staff or (person.role == Role.SCHOOL_LEADER and plan.school_id in person.school_ids)


def can_draft_plan(user: Any) -> bool:
    """SIAs draft plans (administrators may on an SIA's behalf)."""
    return _signed_in(user) and user.role in {Role.SIA, Role.ADMIN}


def can_edit_plan(user: Any, plan: "RaisingAchievementPlan") -> bool:
    """The drafting SIA and administrators change a draft; nothing else is ever edited."""
    if not _signed_in(user) or plan.status != "draft":
        return False
    return user.role == Role.ADMIN or (user.role == Role.SIA and plan.drafted_by_id == user.id)


def can_submit_plan(user: Any, plan: "RaisingAchievementPlan") -> bool:
    return can_edit_plan(user, plan)


def can_sign_off_plan(user: Any, plan: "RaisingAchievementPlan") -> bool:
    """The school's leader signs for the school, an SIA or administrator for the LA, once each."""
    if not _signed_in(user) or plan.status != "submitted":
        return False
    if _leads_school(user, plan.school_id):
        return plan.school_signed_by_id is None
    return user.role in {Role.SIA, Role.ADMIN} and plan.la_signed_by_id is None


def can_amend_plan(user: Any, plan: "RaisingAchievementPlan") -> bool:
    return _signed_in(user) and user.role in {Role.SIA, Role.ADMIN} and plan.status == "agreed"


# The plan's steps, as a route checks them: who may take them at all. Whether the plan is at the step
# (a draft to submit, a submitted plan to sign) is the service's to say, after it has taken the plan's
# lock, so that a second click, made once the first has moved the plan on, is told that, not "forbidden".

def can_submit_plans_of(user: Any, plan: "RaisingAchievementPlan") -> bool:
    """The drafting SIA, or an administrator."""
    return _signed_in(user) and (user.role == Role.ADMIN or (user.role == Role.SIA and plan.drafted_by_id == user.id))


def can_sign_plans_of(user: Any, plan: "RaisingAchievementPlan") -> bool:
    """The school's leaders for the school; SIAs and administrators for the LA."""
    return _leads_school(user, plan.school_id) or (_signed_in(user) and user.role in {Role.SIA, Role.ADMIN})


def can_amend_plans_of(user: Any, plan: "RaisingAchievementPlan") -> bool:
    return _signed_in(user) and user.role in {Role.SIA, Role.ADMIN}


def can_log_time(user: Any, plan: "RaisingAchievementPlan") -> bool:
    """Adviser and consultant days used are logged against the plan's allocations by the LA staff
    who deliver it: the current members of its project team and its coordinator, and anyone the
    plan allocates time to; administrators on their behalf. (Which plans, dates and amounts are
    allowed is the service's rule: `log_time_used`.)"""
    if not is_la_staff(user):
        return False
    if user.role == Role.ADMIN or any(a.user_id == user.id for a in plan.allocations):
        return True
    return _on_plan_team(user, plan)


def _on_plan_team(user: Any, plan: "RaisingAchievementPlan") -> bool:
    """Whether the user coordinates or is a current member of the project team of the plan's series."""
    member = and_(ProjectTeamMember.team_id == ProjectTeam.id, ProjectTeamMember.user_id == user.id,
                  ProjectTeamMember.left_on.is_(None))
    return db.session.scalar(
        select(ProjectTeam.id).outerjoin(ProjectTeamMember, member)
        .where(ProjectTeam.plan_id == plan.series_id,
               or_(ProjectTeam.coordinator_id == user.id, ProjectTeamMember.id.is_not(None))).limit(1)) is not None


def can_view_plans_dashboard(user: Any) -> bool:
    """LA staff see every open plan; a school leader sees their own schools' plans."""
    return is_la_staff(user) or (_signed_in(user) and user.role == Role.SCHOOL_LEADER)


# --- Stage 4: monitoring (mid-point reviews, Improvement Notices, the escalation watch) ----------

def can_view_midpoint_review(user: Any, review: Any) -> bool:
    """LA staff, and the school's leaders (who sit on the project team)."""
    return is_la_staff(user) or _leads_school(user, review.school_id)


def can_record_midpoint_review(user: Any, review: Any) -> bool:
    """The SIA leads the review and records it (administrators may on an SIA's behalf)."""
    return _signed_in(user) and user.role in {Role.SIA, Role.ADMIN}


def can_reschedule_midpoint_review(user: Any, review: Any) -> bool:
    return _signed_in(user) and user.role in {Role.SIA, Role.ADMIN}


def can_issue_notice(user: Any) -> bool:
    """Improvement Notices are issued by SIAs and administrators."""
    return _signed_in(user) and user.role in {Role.SIA, Role.ADMIN}


def can_view_school_notices(user: Any, school: "School") -> bool:
    """LA staff, and the school's own leaders; governors not (their reports say what they need)."""
    return is_la_staff(user) or _leads_school(user, school.id)


def can_view_notice(user: Any, notice: Any) -> bool:
    return is_la_staff(user) or _leads_school(user, notice.school_id)


def can_read_notice_letter(user: Any, notice: Any) -> bool:
    """The notice's letter: whoever sees the notice, and the school's governors (read-only)."""
    return can_view_notice(user, notice) or (_signed_in(user) and user.role == Role.GOVERNOR
                                             and notice.school_id in user.school_ids)


def can_change_notice_status(user: Any, notice: Any) -> bool:
    return _signed_in(user) and user.role in {Role.SIA, Role.ADMIN}


def can_view_escalation_watch(user: Any) -> bool:
    return is_la_staff(user)


# --- Stage 3: the project team, its meetings, and action updates ----------------------------------

def _current_member(user: Any, team: Any) -> bool:
    return any(m.user_id == user.id and m.left_on is None for m in team.members)


def can_view_team(user: Any, team: Any) -> bool:
    """LA staff, and the school's own leaders (the team's minutes are the school's too)."""
    return is_la_staff(user) or _leads_school(user, team.school_id)


def can_manage_team(user: Any, team: Any) -> bool:
    """The coordinator, the plan's SIA (who drafted it, or the SIA on the team) and administrators
    change the team's members and its coordinator."""
    if not _signed_in(user):
        return False
    if user.role == Role.ADMIN or (user.is_la_staff and team.coordinator_id == user.id):
        return True
    return user.role == Role.SIA and (team.plan.drafted_by_id == user.id or any(
        m.user_id == user.id and m.team_role == "sia" and m.left_on is None for m in team.members))


def can_record_meeting(user: Any, team: Any) -> bool:
    """Those who lead the team record its meetings (and sign the LA's side of actions agreed there)."""
    return can_manage_team(user, team)


def can_update_action(user: Any, action: Any, team: Any) -> bool:
    """An action of the plan in force is updated by its owner, the team's coordinator, current
    team members on the LA's staff, administrators, and the school's leaders when it is owned by a
    named role at the school. `team` is the plan's project team (None if it has none)."""
    if not _signed_in(user) or user.role == Role.GOVERNOR:
        return False
    plan = action.objective.plan
    if plan.status != "agreed" or not can_view_plan(user, plan):
        return False
    if user.role == Role.ADMIN or action.owner_id == user.id:
        return True
    if action.owner_role and _leads_school(user, plan.school_id):
        return True
    if team is None:
        return False
    return user.is_la_staff and (team.coordinator_id == user.id or _current_member(user, team))


def can_view_my_actions(user: Any) -> bool:
    """LA staff and school leaders have actions to deliver."""
    return is_la_staff(user) or (_signed_in(user) and user.role == Role.SCHOOL_LEADER)
