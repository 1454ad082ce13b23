"""Who may see and do what on an LA-wide programme: LA staff see it all and its managers run it; a
school leader sees their own school's part and fills in its returns; governors see nothing."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..auth.models import Role
from ..auth.permissions import _signed_in, is_la_staff

if TYPE_CHECKING:
    from ..casework.models import NoteOfVisit
    from .models import ProgrammeSchool, ReviewAssignment

MANAGING_ROLES = frozenset({Role.ADMIN, Role.SIA, Role.LINK_ADVISER})


def _leader_of(user: Any, school_id: int) -> bool:
    return _signed_in(user) and user.role == Role.SCHOOL_LEADER and school_id in user.school_ids


def can_view_programmes(user: Any) -> bool:
    """The authority's programmes, every school's part in them: LA staff."""
    return is_la_staff(user)


def can_manage_programmes(user: Any) -> bool:
    """Advisers set programmes up, enrol schools, run sessions and assign review visits."""
    return _signed_in(user) and user.role in MANAGING_ROLES


def can_view_school_programmes(user: Any, school_id: int) -> bool:
    """A school's part in programmes: LA staff, and the school's own leaders."""
    return is_la_staff(user) or _leader_of(user, school_id)


def can_view_enrolment(user: Any, enrolment: "ProgrammeSchool") -> bool:
    return can_view_school_programmes(user, enrolment.school_id)


def can_manage_participants(user: Any, enrolment: "ProgrammeSchool") -> bool:
    """The school's leaders keep its list of participants up to date, as do the programme's managers."""
    return enrolment.status == "enrolled" and (_leader_of(user, enrolment.school_id) or can_manage_programmes(user))


def can_fill_in_return(user: Any, enrolment: "ProgrammeSchool") -> bool:
    """The school's leaders fill in its monitoring returns (advisers may, on the school's behalf)."""
    return enrolment.status == "enrolled" and (_leader_of(user, enrolment.school_id) or can_manage_programmes(user))


def can_record_review(user: Any, assignment: "ReviewAssignment") -> bool:
    """The assigned reviewer records the visit's levels and writes its report; managers may too."""
    return _signed_in(user) and (assignment.reviewer.user_id == user.id or can_manage_programmes(user))


def is_programme_review(note: "NoteOfVisit") -> bool:
    """A note of visit that reports on a programme review visit."""
    return note.programme_assignment_id is not None
