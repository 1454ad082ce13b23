"""Who may read the schools area's documents (the register's own pages are guarded by the
predicates in auth.permissions)."""
from __future__ import annotations

from typing import Any

from ..auth.models import Role
from ..auth.permissions import _signed_in, is_la_staff
from .models import SupportAllocation


def can_download_allocation_letter(user: Any, allocation: SupportAllocation) -> bool:
    """The Annual Support Allocation letter: LA staff, and the school's own leaders and governors."""
    if is_la_staff(user):
        return True
    return (_signed_in(user) and user.role in {Role.SCHOOL_LEADER, Role.GOVERNOR}
            and allocation.school_id in user.school_ids)
