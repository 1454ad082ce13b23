"""Who may make, check, publish and read governor reports and the service's other documents.
Governors read their own schools' published reports and nothing else."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..auth.models import Role
from ..auth.permissions import _signed_in, can_administer, is_la_staff

if TYPE_CHECKING:
    from ..schools.models import School
    from .models import GovernorReport, GovernorReportVersion


def _links_school(user: Any, school: "School") -> bool:
    return _signed_in(user) and user.role == Role.LINK_ADVISER and school.link_adviser_id == user.id


def _senior(user: Any) -> bool:
    return _signed_in(user) and user.role in {Role.SIA, Role.ADMIN}


def can_view_governor_reports(user: Any) -> bool:
    """The termly reports of every school, drafts included: LA staff."""
    return is_la_staff(user)


def can_view_school_governor_reports(user: Any, school: "School") -> bool:
    return is_la_staff(user)


def can_draft_governor_report(user: Any, school: "School") -> bool:
    """The school's link adviser, SIAs and administrators make a draft from the school's records."""
    return _links_school(user, school) or _senior(user)


def can_check_governor_report(user: Any, report: "GovernorReport") -> bool:
    """The link adviser checks the draft (an SIA or administrator may stand in)."""
    return _links_school(user, report.school) or _senior(user)


def can_publish_governor_report(user: Any, report: "GovernorReport") -> bool:
    return _links_school(user, report.school) or _senior(user)


def can_reissue_governor_report(user: Any, report: "GovernorReport") -> bool:
    return _links_school(user, report.school) or _senior(user)


def can_download_governor_report(user: Any, report: "GovernorReport", version: "GovernorReportVersion") -> bool:
    """LA staff read every version; the school's governors and leaders read its published versions."""
    if is_la_staff(user):
        return True
    return (_signed_in(user) and version.status == "published" and user.role in {Role.GOVERNOR, Role.SCHOOL_LEADER}
            and report.school_id in user.school_ids)


def can_run_bulk_generation(user: Any) -> bool:
    return can_administer(user)


def is_school_governor(user: Any, school_id: int) -> bool:
    """A governor of this school: they read its agreed plan's summary, its notices and its
    allocation letter, read-only, once agreed or issued."""
    return _signed_in(user) and user.role == Role.GOVERNOR and school_id in user.school_ids
