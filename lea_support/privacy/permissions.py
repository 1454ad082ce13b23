"""Who may read the read audit, set the retention schedule and anonymise staff: administrators."""
from __future__ import annotations

from typing import Any

from ..auth.models import LA_ROLES, Role


def _admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role == Role.ADMIN


def can_view_read_audit(user: Any) -> bool:
    return _admin(user)


def can_manage_retention(user: Any) -> bool:
    return _admin(user)


def can_anonymise_user(user: Any, subject: Any) -> bool:
    """An administrator, for another member of the authority's staff not anonymised already."""
    from .services import is_anonymised

    return _admin(user) and subject.id != user.id and subject.role in LA_ROLES and not is_anonymised(subject)
