"""Who sees which tasks: a kind of task belongs to the roles it names."""
from __future__ import annotations

from typing import Any

from ..auth.permissions import _signed_in
from .services import TaskKind


def can_see_tasks(user: Any, kind: TaskKind) -> bool:
    return _signed_in(user) and user.role in kind.roles
