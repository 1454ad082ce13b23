"""Who may see, draft, change and sign off a Raising Achievement Plan. Governors see none of it."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..auth.permissions import _signed_in, is_la_staff

if TYPE_CHECKING:
    from ..schools.models import School
    from .models import RaisingAchievementPlan


def _leads_school(user: Any, school_id: int) -> bool:
    return _signed_in(user) and user.role == "school_leader" and school_id in user.school_ids


def can_view_school_plans(user: Any, school: "School") -> bool:
    """LA staff, and the school's own leaders."""
    return is_la_staff(user) or _leads_school(user, school.id)


def can_view_plan(user: Any, plan: "RaisingAchievementPlan") -> bool:
    return is_la_staff(user) or _leads_school(user, plan.school_id)


def can_draft_plan(user: Any) -> bool:
    """SIAs draft plans (administrators may on an SIA's behalf)."""
    return _signed_in(user) and user.role in {"sia", "admin"}


def can_edit_plan(user: Any, plan: "RaisingAchievementPlan") -> bool:
    """The drafting SIA and administrators change a draft; nothing else is ever edited."""
    if not _signed_in(user) or plan.status != "draft":
        return False
    return user.role == "admin" or (user.role == "sia" and plan.drafted_by_id == user.id)


def can_submit_plan(user: Any, plan: "RaisingAchievementPlan") -> bool:
    return can_edit_plan(user, plan)


def can_sign_off_plan(user: Any, plan: "RaisingAchievementPlan") -> bool:
    """The school's leader signs for the school, an SIA or administrator for the LA, once each."""
    if not _signed_in(user) or plan.status != "submitted":
        return False
    if _leads_school(user, plan.school_id):
        return plan.school_signed_by_id is None
    return user.role in {"sia", "admin"} and plan.la_signed_by_id is None


def can_amend_plan(user: Any, plan: "RaisingAchievementPlan") -> bool:
    return _signed_in(user) and user.role in {"sia", "admin"} and plan.status == "agreed"


def can_log_time(user: Any, plan: "RaisingAchievementPlan") -> bool:
    """LA staff log adviser and consultant days used against the plan's allocations."""
    return is_la_staff(user)
