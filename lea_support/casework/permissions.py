"""Who may see and do what with notes of visit, caseloads and calendar feeds."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..auth.models import Role
from ..auth.permissions import _signed_in, is_la_staff

if TYPE_CHECKING:
    from ..schools.models import School
    from .models import NoteOfVisit

# Advisers who visit schools and write notes; administrators may act for them.
ADVISER_ROLES = frozenset({Role.LINK_ADVISER, Role.SIA, Role.ADMIN})
# Notes a school sees: once they have been sent to it.
SHARED_STATUSES = frozenset({"sent", "responded", "finalised"})


# LA consultants record their own support visits, at schools where they are deployed.
WRITER_ROLES = ADVISER_ROLES | {Role.CONSULTANT}


def _adviser(user: Any) -> bool:
    return _signed_in(user) and user.role in ADVISER_ROLES


def _own_consultant_note(user: Any, note: "NoteOfVisit") -> bool:
    return _signed_in(user) and user.role == Role.CONSULTANT and note.adviser_id == user.id


def _owner_or_senior(user: Any, note: "NoteOfVisit") -> bool:
    return ((_adviser(user) and (note.adviser_id == user.id or user.role in {Role.ADMIN, Role.SIA}))
            or _own_consultant_note(user, note))


def can_view_note(user: Any, note: "NoteOfVisit") -> bool:
    """LA staff see every note; a school leader sees their school's notes once sent; governors never."""
    if is_la_staff(user):
        return True
    return (_signed_in(user) and user.role == Role.SCHOOL_LEADER and note.school_id in user.school_ids
            and note.status in SHARED_STATUSES)


def can_list_school_notes(user: Any, school: "School") -> bool:
    return is_la_staff(user) or (_signed_in(user) and user.role == Role.SCHOOL_LEADER and school.id in user.school_ids)


def can_record_visit(user: Any) -> bool:
    """Advisers record visits at any school (see `can_record_visit_at` for consultants)."""
    return _adviser(user)


def can_record_visit_at(user: Any, school: "School") -> bool:
    """Advisers at any school; an LA consultant at a school where a support plan deploys them."""
    if _adviser(user):
        return True
    if not (_signed_in(user) and user.role == Role.CONSULTANT):
        return False
    from ..enhanced.services import is_deployed_at

    return is_deployed_at(user, school.id)


def can_edit_note(user: Any, note: "NoteOfVisit") -> bool:
    """A planned or draft note may be edited by any adviser (two may edit the same draft), and a
    consultant's by the consultant."""
    return (_adviser(user) or _own_consultant_note(user, note)) and note.is_editable


def can_send_note(user: Any, note: "NoteOfVisit") -> bool:
    return _owner_or_senior(user, note) and note.status == "draft"


def can_respond_to_note(user: Any, note: "NoteOfVisit") -> bool:
    return (_signed_in(user) and user.role == Role.SCHOOL_LEADER and note.school_id in user.school_ids
            and note.status == "sent")


def can_reply_to_response(user: Any, note: "NoteOfVisit") -> bool:
    return _owner_or_senior(user, note) and note.status == "responded"


def can_finalise_note(user: Any, note: "NoteOfVisit") -> bool:
    return _owner_or_senior(user, note) and note.status in {"sent", "responded"}


def can_add_addendum(user: Any, note: "NoteOfVisit") -> bool:
    return _owner_or_senior(user, note) and note.status == "finalised"


# The steps of the factual-accuracy loop, as a route checks them: who may take them at all. Whether
# the note is at the step is the service's to say (as a refusal, after it has taken the note's lock),
# so that a second click, made once the first has moved the note on, is told that, not "forbidden".

def can_work_on_note(user: Any, note: "NoteOfVisit") -> bool:
    """The note's adviser, or an SIA or administrator: send, reply, finalise, add addenda."""
    return _owner_or_senior(user, note)


def can_answer_note(user: Any, note: "NoteOfVisit") -> bool:
    """A leader of the note's school, once it has been shared with them: mark it accurate or not."""
    return (_signed_in(user) and user.role == Role.SCHOOL_LEADER and note.school_id in user.school_ids
            and note.status in SHARED_STATUSES)


def can_attach_file(user: Any, note: "NoteOfVisit") -> bool:
    return (_adviser(user) or _own_consultant_note(user, note)) and note.status != "finalised"


def can_view_caseload(user: Any) -> bool:
    return _signed_in(user) and user.role in {Role.LINK_ADVISER, Role.SIA, Role.ADMIN}


def can_view_other_caseloads(user: Any) -> bool:
    return _signed_in(user) and user.role in {Role.SIA, Role.ADMIN}


def can_view_authority_overview(user: Any) -> bool:
    """Senior advisers (SIAs) and administrators."""
    return _signed_in(user) and user.role in {Role.SIA, Role.ADMIN}


def can_manage_calendar_feed(user: Any) -> bool:
    return _signed_in(user) and user.role in {Role.LINK_ADVISER, Role.SIA}
