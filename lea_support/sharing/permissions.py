"""Who may see and do what with good practice, partnerships and the four aspects report."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..auth.models import Role
from ..auth.permissions import _signed_in, is_la_staff

if TYPE_CHECKING:
    from ..schools.models import School
    from .models import GoodPractice, Partnership

NOMINATING_ROLES = frozenset({Role.ADMIN, Role.SIA, Role.LINK_ADVISER})


def _leader_of(user: Any, school_id: int) -> bool:
    return _signed_in(user) and user.role == Role.SCHOOL_LEADER and school_id in user.school_ids


def can_view_good_practice_directory(user: Any) -> bool:
    """LA staff and school leaders: the agreed entries of every school."""
    return is_la_staff(user) or (_signed_in(user) and user.role == Role.SCHOOL_LEADER)


def can_view_good_practice(user: Any, entry: "GoodPractice") -> bool:
    """LA staff see every entry; a school its own, and others' once agreed."""
    if is_la_staff(user) or _leader_of(user, entry.school_id):
        return True
    return entry.status == "agreed" and _signed_in(user) and user.role == Role.SCHOOL_LEADER


def can_nominate_good_practice(user: Any) -> bool:
    """Advisers nominate a school's practice (from their notes and reviews)."""
    return _signed_in(user) and user.role in NOMINATING_ROLES


def can_decide_good_practice(user: Any, entry: "GoodPractice") -> bool:
    """A leader of the school agrees (or declines) to share its practice."""
    return _leader_of(user, entry.school_id)


def can_view_school_sharing(user: Any, school: "School") -> bool:
    return is_la_staff(user) or _leader_of(user, school.id)


def can_manage_partnerships(user: Any) -> bool:
    return _signed_in(user) and user.role in NOMINATING_ROLES


def can_view_partnership(user: Any, partnership: "Partnership") -> bool:
    return (is_la_staff(user) or _leader_of(user, partnership.lead_school_id)
            or _leader_of(user, partnership.partner_school_id))


def can_view_support_aspects(user: Any) -> bool:
    """The four aspects of LA support across the authority."""
    return is_la_staff(user)
