"""Who may hold API tokens, and what each resource of the API shows to whom. The resources ask the
same predicates as the pages that show the same records; the list queries are those predicates as
SQL conditions (kept in step by tests/api/test_access.py)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true

from ..auth.models import Role
from ..auth.permissions import (
    _signed_in,
    can_view_governor_pages,
    can_view_school,
    can_view_support_history,
    is_la_staff,
)
from ..casework.models import NoteOfVisit
from ..casework.permissions import SHARED_STATUSES
from ..reviews.models import JointReview, PublishedReviewReport, ReviewTeamMember
from ..schools.models import School

if TYPE_CHECKING:
    from .models import PersonalAccessToken


def can_manage_api_tokens(user: Any) -> bool:
    """Everyone signed in may make tokens for themselves: a token reads no more than its owner's pages."""
    return _signed_in(user)


def can_revoke_api_token(user: Any, token: "PersonalAccessToken") -> bool:
    return _signed_in(user) and token.user_id == user.id


def can_read_school_record(user: Any, school: School) -> bool:
    """A school's name and details: whoever sees its pages, the LA's or the governors'."""
    return can_view_school(user, school) or can_view_governor_pages(user, school)


def can_read_school_support(user: Any, school: School) -> bool:
    """Its tier, level, concern flags and link adviser: those who see the LA's page of the school
    (governors' pages do not show them)."""
    return can_view_school(user, school)


def _own_schools(user: Any) -> list[int]:
    return sorted(user.school_ids) if _signed_in(user) else []


def readable_schools(user: Any) -> "ColumnElement[bool]":
    """`can_read_school_record` as a condition on School."""
    if is_la_staff(user):
        return true()
    if _signed_in(user) and user.role in {Role.SCHOOL_LEADER, Role.GOVERNOR}:
        return School.id.in_(_own_schools(user))
    return false()


def readable_decisions(user: Any) -> "ColumnElement[bool]":
    """`can_view_support_history` as a condition (LA staff only)."""
    return true() if is_la_staff(user) else false()


def can_read_decision(user: Any, school: School) -> bool:
    return can_view_support_history(user, school)


def readable_notes(user: Any) -> "ColumnElement[bool]":
    """`casework.permissions.can_view_note` as a condition on NoteOfVisit."""
    if is_la_staff(user):
        return true()
    if _signed_in(user) and user.role == Role.SCHOOL_LEADER:
        return and_(NoteOfVisit.school_id.in_(_own_schools(user)), NoteOfVisit.status.in_(sorted(SHARED_STATUSES)))
    return false()


def readable_reviews(user: Any) -> "ColumnElement[bool]":
    """`can_view_review` or `can_read_published_report` as a condition on JointReview: LA staff
    every review; the review team its review; a school's leaders and governors its published ones."""
    if is_la_staff(user):
        return true()
    if not _signed_in(user):
        return false()
    on_team = or_(JointReview.lead_id == user.id, exists(select(ReviewTeamMember.id).where(
        ReviewTeamMember.review_id == JointReview.id, ReviewTeamMember.user_id == user.id)))
    if user.role in {Role.SCHOOL_LEADER, Role.GOVERNOR}:
        published = and_(JointReview.school_id.in_(_own_schools(user)), exists(select(PublishedReviewReport.id).where(
            PublishedReviewReport.review_id == JointReview.id)))
        return or_(on_team, published)
    return on_team


def can_read_measures(user: Any, school: School) -> bool:
    """The national data of a school: whoever sees its profile page."""
    from ..evidence.permissions import can_view_school_profile

    return can_view_school_profile(user, school)


def readable_measure_schools(user: Any) -> "ColumnElement[bool]":
    """`can_read_measures` as a condition on School (LA staff every school; leaders and governors theirs)."""
    return readable_schools(user)
