"""Who may see and change a Joint LEA/School Review."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..auth.models import Role
from ..auth.permissions import _signed_in, is_la_staff

if TYPE_CHECKING:
    from ..schools.models import School
    from .models import JointReview

# Team roles whose members change the review; school participants take part but do not edit.
EDITING_TEAM_ROLES = frozenset({"lead", "link_adviser", "la_team"})


def can_plan_review(user: Any) -> bool:
    """SIAs lead reviews (administrators may set one up on an SIA's behalf)."""
    return _signed_in(user) and user.role in {Role.SIA, Role.ADMIN}


def is_on_review_team(user: Any, review: "JointReview") -> bool:
    if not _signed_in(user):
        return False
    return review.lead_id == user.id or any(m.user_id == user.id for m in review.team)


def can_view_review(user: Any, review: "JointReview") -> bool:
    """LA staff, and the review team (school participants included), see the working review."""
    return is_la_staff(user) or is_on_review_team(user, review)


def can_edit_review(user: Any, review: "JointReview") -> bool:
    """Only the review team's LA members edit, and nothing once it is published."""
    if not _signed_in(user) or review.stage == "published":
        return False
    return review.lead_id == user.id or any(
        m.user_id == user.id and m.team_role in EDITING_TEAM_ROLES for m in review.team)


def can_lead_review(user: Any, review: "JointReview") -> bool:
    """Stage changes, publishing and corrections are the lead SIA's."""
    return _signed_in(user) and review.lead_id == user.id


def can_view_school_reviews(user: Any, school: "School") -> bool:
    return is_la_staff(user) or (_signed_in(user) and user.role in {Role.SCHOOL_LEADER, Role.GOVERNOR}
                                 and school.id in user.school_ids)


def can_read_published_report(user: Any, review: "JointReview") -> bool:
    """Published reports: LA staff, and the school's own leaders and governors."""
    if not review.reports:
        return False
    return is_la_staff(user) or (_signed_in(user) and user.role in {Role.SCHOOL_LEADER, Role.GOVERNOR}
                                 and review.school_id in user.school_ids)


def is_school_participant(user: Any, review: "JointReview") -> bool:
    """One of the school's own leaders named on the review team (the review is joint)."""
    return (_signed_in(user) and user.role == Role.SCHOOL_LEADER and review.school_id in user.school_ids
            and any(m.user_id == user.id and m.team_role == "school" for m in review.team))


def can_see_evaluation(user: Any, review: "JointReview") -> bool:
    """The evaluation and the evidence's grades: LA staff; the school's participants once the lead
    has shared it with them (or the report is published)."""
    if is_la_staff(user):
        return True
    return is_school_participant(user, review) and (review.evaluation_shared_at is not None
                                                    or review.stage == "published")


def can_share_evaluation(user: Any, review: "JointReview") -> bool:
    return can_lead_review(user, review)


def can_record_school_view(user: Any, review: "JointReview") -> bool:
    """The school's participants record the school's own view of each aspect, until publication."""
    return is_school_participant(user, review) and review.stage != "published"
