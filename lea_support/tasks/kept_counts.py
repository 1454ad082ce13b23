"""Task counts kept between requests until the records they count change.

Stalled cases, tier-review prompts and the LA totals beside an SIA's own counts are the same for
everyone who sees them, and asking them afresh means reading every school in significant support,
every published review and every plan in the country on each home page. An SIA's own reviews,
plans, mid-point reviews, notices and teams change seldom (a few times a day) but are many. So
the counts of the kinds that read only such records are worked out once and kept in the process
(the authority's for everyone, a person's for that person), under the value of the `la_tasks`
change counter when they were worked out, and used again while that value stands (and the day
and the thresholds are the same). Notes of visit and actions change all day: counts that read
them are asked afresh, each along an index that starts from the person.

The counter goes up *after* each commit that adds, changes or removes a record those counts read
(a school's tier, flags, open state or link adviser; a review, a published report, a plan, a team,
a meeting, a notice, a mid-point review, an allocation, a tier-review prompt), in a transaction of
its own, so that no writer holds its row while waiting for another lock. A reader reads the value
first and counts second, so what it keeps is never older than the value it keeps it under: at
worst a count made between a commit and its bump is thrown away one request early. Writers that
bypass the ORM (bulk loaders) call `records_changed()` themselves; and nothing is kept longer than
`TASK_COUNTS_MAX_AGE_SECONDS` whatever happens, so a process that died between a commit and its
bump leaves the counts out of date for minutes, not for good.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from flask import current_app
from sqlalchemy import inspect, select, update
from sqlalchemy.orm import Session

from ..core.models import ChangeCounter
from ..core.transactions import after_commit, after_rollback, listen_on_sessions
from ..evidence.models import TierReviewPrompt
from ..extensions import db
from ..intervention.models import InterventionPower, WarningNotice
from ..rap.models import (
    ImprovementNotice,
    MidpointReview,
    ProjectTeam,
    ProjectTeamMember,
    RaisingAchievementPlan,
    TeamMeeting,
)
from ..reviews.models import JointReview, PublishedReviewReport
from ..schools.models import School, SupportAllocation

COUNTER = "la_tasks"
DEFAULT_MAX_AGE_SECONDS = 300
# What kept counts read: any change to these records, or to these attributes of a school.
_WATCHED_TYPES = (JointReview, PublishedReviewReport, RaisingAchievementPlan, ProjectTeam, ProjectTeamMember,
                  TeamMeeting, ImprovementNotice, MidpointReview, SupportAllocation, TierReviewPrompt, WarningNotice,
                  InterventionPower)
_SCHOOL_ATTRIBUTES = ("support_tier", "support_tier_since", "status", "link_adviser_id", "cause_for_concern",
                      "is_vulnerable", "has_significant_underachievement", "name", "urn")
_BUMP_PENDING = "lea_support.la_tasks_bump"


@dataclass
class _Kept:
    counter: int | None = None
    made_at: float = 0.0
    values: dict[Any, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _state() -> _Kept:
    # Kept by the application (one per server process; one per test), never across databases.
    state: _Kept = current_app.extensions.setdefault("kept_task_counts", _Kept())
    return state


def current_counter() -> int:
    value = db.session.scalar(select(ChangeCounter.value).where(ChangeCounter.name == COUNTER))
    return int(value or 0)


def kept(key: Any, counter: int, work_out: Callable[[], Any]) -> Any:
    """The value kept under `key` while the counter stands at `counter`; worked out afresh if not."""
    max_age = float(current_app.config.get("TASK_COUNTS_MAX_AGE_SECONDS", DEFAULT_MAX_AGE_SECONDS))
    now = time.monotonic()
    state = _state()
    with state.lock:
        if state.counter != counter or now - state.made_at > max_age:
            state.counter, state.made_at, state.values = counter, now, {}
        if key in state.values:
            return state.values[key]
    value = work_out()
    with state.lock:
        if state.counter == counter:
            state.values[key] = value
    return value


def forget() -> None:
    """Drop what this process keeps (tests that change records behind the ORM's back)."""
    state = _state()
    with state.lock:
        state.counter, state.values = None, {}


def _bump() -> None:
    with db.engine.begin() as connection:
        changed = connection.execute(update(ChangeCounter).where(ChangeCounter.name == COUNTER)
                                     .values(value=ChangeCounter.value + 1)).rowcount
        if not changed:  # a database made before the counter's row: start it
            connection.execute(ChangeCounter.__table__.insert().values(name=COUNTER, value=1))
    forget()


def records_changed(session: Session | None = None) -> None:
    """Say that the current transaction changes what the authority's counts read: the counter goes
    up once it commits (once per transaction however often this is called)."""
    session = session or db.session()
    if session.info.get(_BUMP_PENDING):
        return
    session.info[_BUMP_PENDING] = True

    def settled() -> None:
        session.info.pop(_BUMP_PENDING, None)

    def bump() -> None:
        settled()
        _bump()

    after_commit(bump, session)
    after_rollback(settled, session)


def _school_changed(obj: School, session: Session) -> bool:
    if obj in session.new or obj in session.deleted:
        return True
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in _SCHOOL_ATTRIBUTES)


def _note_changes(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get(_BUMP_PENDING):
        return
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, School):
            if _school_changed(obj, session):
                records_changed(session)
                return
        elif isinstance(obj, _WATCHED_TYPES) and (obj in session.new or obj in session.deleted
                                           or session.is_modified(obj, include_collections=False)):
            records_changed(session)
            return


def install_listeners() -> None:
    """Watch every flush for changes to what the authority's counts read: called once by create_app."""
    listen_on_sessions(("before_flush", _note_changes))
