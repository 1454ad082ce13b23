"""Named permission predicates. Views enforce them with `require(...)`; templates may ask them."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models import Role

if TYPE_CHECKING:
    from ..schools.models import School


def _signed_in(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_la_staff(user: Any) -> bool:
    return _signed_in(user) and user.is_la_staff


def can_manage_own_sign_in(user: Any) -> bool:
    """Everyone signed in looks after their own second factor and recovery codes."""
    return _signed_in(user)


def can_administer(user: Any) -> bool:
    """Users, reference data, imports, the audit log."""
    return _signed_in(user) and user.role == Role.ADMIN


def can_view_school_list(user: Any) -> bool:
    return is_la_staff(user)


def can_view_school(user: Any, school: "School") -> bool:
    """LA staff see every school; a school leader sees their own. Governors have their own
    pages (see `can_view_governor_pages`), not the LA's working view of the school."""
    if is_la_staff(user):
        return True
    return _signed_in(user) and user.role == Role.SCHOOL_LEADER and school.id in user.school_ids


def can_view_support_history(user: Any, school: "School") -> bool:
    return is_la_staff(user)


def can_change_support(user: Any) -> bool:
    """Tier, level and concern flags are decided by SIAs and administrators."""
    return _signed_in(user) and user.role in {Role.ADMIN, Role.SIA}


def can_view_allocations(user: Any) -> bool:
    return is_la_staff(user)


def can_adjust_allocation(user: Any) -> bool:
    return _signed_in(user) and user.role in {Role.ADMIN, Role.SIA}


def can_assign_link_advisers(user: Any) -> bool:
    """Administrators and senior advisers (SIAs) decide who is each school's link adviser."""
    return _signed_in(user) and user.role in {Role.ADMIN, Role.SIA}


def can_import_schools(user: Any) -> bool:
    return can_administer(user)


def can_view_audit_log(user: Any) -> bool:
    return can_administer(user)


def can_view_governor_pages(user: Any, school: "School") -> bool:
    """A governor sees their own schools' governor pages, and nothing else of the service."""
    return _signed_in(user) and user.role == Role.GOVERNOR and school.id in user.school_ids


def is_governor(user: Any) -> bool:
    return _signed_in(user) and user.role == Role.GOVERNOR


def timeline_audiences(user: Any, school: "School") -> frozenset[str]:
    """Which entries of a school's timeline the user may read (see `TIMELINE_AUDIENCES`): LA staff
    every entry, the school's leaders the school's and governors', its governors the governors'."""
    if is_la_staff(user):
        return frozenset({"la", "school", "governors"})
    if not _signed_in(user) or school.id not in user.school_ids:
        return frozenset()
    if user.role == Role.SCHOOL_LEADER:
        return frozenset({"school", "governors"})
    if user.role == Role.GOVERNOR:
        return frozenset({"governors"})
    return frozenset()


def can_read_la_internal_text(user: Any) -> bool:
    """The LA's own wording of a timeline entry (a decision's reason) is for LA staff only."""
    return is_la_staff(user)
