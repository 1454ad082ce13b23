"""GOV.UK task lists: a record's parts, each with its status, as a page shows them (the
`task_list` macro in macros.html). The areas say what the parts are and where each is worked on;
a part that cannot start yet is shown but not offered."""
from __future__ import annotations

from dataclasses import dataclass

TASK_STATUSES = {"completed": "Completed", "in_progress": "In progress", "not_started": "Not yet started",
                 "cannot_start": "Cannot start yet"}


@dataclass(frozen=True)
class Task:
    """One part of a record: `code` names the part (the page links it), `status` is a key of
    TASK_STATUSES, `hint` a short line under its name."""

    code: str
    title: str
    status: str
    hint: str = ""

    @property
    def possible(self) -> bool:
        return self.status != "cannot_start"


def by_step(here: int, step: int, *, started: bool = True) -> str:
    """The status of a part worked on at `step` of a record now at `here` (both indexes of one
    sequence of stages): done before, under way (or not yet begun) at, impossible after."""
    if here > step:
        return "completed"
    if here == step:
        return "in_progress" if started else "not_started"
    return "cannot_start"
