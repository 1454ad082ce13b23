"""Who may see and use the LA's statutory powers: warning notices, the powers used after them, and
referrals of academies to the DfE. SIAs and administrators act; LA staff read; a school's own
leaders read their school's notices (the notice is addressed to the governing body, copied to the
headteacher); governors see none of it here yet."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..auth.models import Role
from ..auth.permissions import _signed_in, is_la_staff

if TYPE_CHECKING:
    from ..schools.models import School


def _leads_school(user: Any, school_id: int) -> bool:
    return _signed_in(user) and user.role == Role.SCHOOL_LEADER and school_id in user.school_ids


def _acts_for_la(user: Any) -> bool:
    return _signed_in(user) and user.role in {Role.SIA, Role.ADMIN}


def can_view_intervention(user: Any, school: "School") -> bool:
    """The school's statutory intervention page: LA staff, and the school's own leaders."""
    return is_la_staff(user) or _leads_school(user, school.id)


def can_give_warning_notice(user: Any) -> bool:
    """Warning notices are given by SIAs and administrators (whether the school may be given one
    is the service's rule: a maintained school only)."""
    return _acts_for_la(user)


def can_view_warning_notice(user: Any, notice: Any) -> bool:
    return is_la_staff(user) or _leads_school(user, notice.school_id)


def can_read_warning_notice_letter(user: Any, notice: Any) -> bool:
    """The warning notice's letter: whoever sees the notice, and the school's governors (read-only)."""
    return can_view_warning_notice(user, notice) or (_signed_in(user) and user.role == Role.GOVERNOR
                                                     and notice.school_id in user.school_ids)


def can_record_compliance(user: Any, notice: Any) -> bool:
    return _acts_for_la(user)


def can_record_power(user: Any, notice: Any) -> bool:
    return _acts_for_la(user)


def can_refer_to_dfe(user: Any) -> bool:
    """Concerns about academies are referred to the DfE by SIAs and administrators."""
    return _acts_for_la(user)


def can_view_school_referrals(user: Any, school: "School") -> bool:
    """The LA's own letters to the DfE about a school: LA staff only."""
    return is_la_staff(user)


def can_view_referral(user: Any, referral: Any) -> bool:
    """The LA's own letter to the DfE: LA staff only."""
    return is_la_staff(user)
