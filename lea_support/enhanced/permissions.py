"""Who may see and change a school's enhanced support plan."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..auth.models import Role
from ..auth.permissions import _signed_in, is_la_staff

if TYPE_CHECKING:
    from ..schools.models import School


def can_view_support_plans(user: Any, school: "School") -> bool:
    """LA staff, and the school's own leaders (the support is theirs)."""
    if is_la_staff(user):
        return True
    return _signed_in(user) and user.role == Role.SCHOOL_LEADER and school.id in user.school_ids


def can_manage_support_plans(user: Any) -> bool:
    """Advisers decide what enhanced support is for and which consultants are deployed on it."""
    return _signed_in(user) and user.role in {Role.ADMIN, Role.SIA, Role.LINK_ADVISER}
