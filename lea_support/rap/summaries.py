"""Summaries kept with the data: whenever a flush adds, changes or removes a plan's actions, the
plan's `first_open_due_on` is recomputed in the same transaction. Every service (and any future
one) keeps it right without having to remember to; bulk loaders that bypass the ORM call
`refresh_first_open_due(plan_ids)` themselves."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..core.transactions import listen_on_sessions
from .models import PlanAction, PlanObjective, RaisingAchievementPlan

_PENDING = "rap_summary_plans"


def refresh_first_open_due(connection: Any, plan_ids: Iterable[int]) -> None:
    ids = sorted(set(plan_ids))
    if not ids:
        return
    earliest = (select(func.min(PlanAction.due_on)).join(PlanObjective)
                .where(PlanObjective.plan_id == RaisingAchievementPlan.id,
                       PlanAction.status.not_in(("done", "dropped")))
                .scalar_subquery())
    connection.execute(update(RaisingAchievementPlan).where(RaisingAchievementPlan.id.in_(ids))
                       .values(first_open_due_on=earliest)
                       .execution_options(synchronize_session=False))


def _plan_id(obj: Any) -> int | None:
    if isinstance(obj, PlanAction):
        objective = obj.objective
        if objective is None:
            return None
        return objective.plan_id or (objective.plan.id if objective.plan is not None else None)
    if isinstance(obj, PlanObjective):
        return obj.plan_id or (obj.plan.id if obj.plan is not None else None)
    return None


def _note_changed_plans(session: Session, _context: Any, _instances: Any) -> None:
    touched = [o for o in (*session.new, *session.dirty, *session.deleted) if isinstance(o, (PlanAction, PlanObjective))]
    if touched:
        pending = session.info.setdefault(_PENDING, set())
        pending.update(o for o in (_plan_id(t) for t in touched) if o is not None)
        # New objects only get their plan id after the flush: keep the objects and resolve them then.
        session.info.setdefault(_PENDING + "_objects", []).extend(t for t in touched if _plan_id(t) is None)


def _refresh_changed_plans(session: Session, _context: Any) -> None:
    pending: set[int] = session.info.pop(_PENDING, set())
    for obj in session.info.pop(_PENDING + "_objects", []):
        plan_id = _plan_id(obj)
        if plan_id is not None:
            pending.add(plan_id)
    if pending:
        refresh_first_open_due(session.connection(), pending)
        session.info[_PENDING + "_done"] = pending


def _expire_refreshed(session: Session, _context: Any) -> None:
    for plan_id in session.info.pop(_PENDING + "_done", set()):
        plan = session.identity_map.get(session.identity_key(RaisingAchievementPlan, plan_id))
        if plan is not None:
            # The column was changed behind the ORM's back: reload it when next read.
            session.expire(plan, ["first_open_due_on"])


def install_listeners() -> None:
    """Keep the summaries in the same flush as what they count: called once by create_app."""
    listen_on_sessions(
        ("before_flush", _note_changed_plans),
        ("after_flush", _refresh_changed_plans),
        ("after_flush_postexec", _expire_refreshed),
    )
