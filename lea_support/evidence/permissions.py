"""Who may import national data and read a school's profile."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..auth.models import Role
from ..auth.permissions import can_administer, is_la_staff

if TYPE_CHECKING:
    from ..schools.models import School


def can_import_data(user: Any) -> bool:
    return can_administer(user)


def can_view_school_profile(user: Any, school: "School") -> bool:
    """LA staff see every school's profile; a school's leaders and governors see their own school's."""
    if is_la_staff(user):
        return True
    return bool(user and user.is_authenticated and user.is_active and user.role in {Role.SCHOOL_LEADER, Role.GOVERNOR}
                and school.id in user.school_ids)


def can_edit_signal_rules(user: Any) -> bool:
    return can_administer(user)


def can_review_tiers(user: Any) -> bool:
    """The tier-review queue is the SIAs' (who decide tiers); administrators may work it too."""
    return bool(user and user.is_authenticated and user.is_active and user.role in {Role.SIA, Role.ADMIN})


def can_view_signals(user: Any) -> bool:
    """Risk signals are the LA's reading of the data: LA staff only."""
    return is_la_staff(user)
