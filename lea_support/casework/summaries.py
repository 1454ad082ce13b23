"""Summaries kept with the data, so that the authority overview reads a few small rows instead of
adding up every visit and action in the country on each request (issue 7).

What is kept, and from what:

- `schools.last_visit_on`: the date of the school's latest visit done (a note that is not just
  planned; a visit is written up on or after its date, so this is never in the future).
- `school_year_tallies`: per school and academic year, the link adviser visits done (not consultants'
  support visits, which use consultant days) and the link visits of the year's issued allocation, with the tier and open state they were counted under.
- `tier_year_tallies`: the sums of those rows over open schools, per tier and year. They change
  by the difference between a school's old and new rows, so an update costs one school's history,
  never the country's.
- `open_action_tallies`: per open school, its open agreed actions by due date, with its link
  adviser ("overdue by adviser" is then a range of a few rows: the due dates before today).

Whenever a flush adds, changes or removes a note of visit, an agreed action, an allocation, or a
school's tier, open state or link adviser, the schools concerned are worked out afresh from their own rows in
the same transaction, so every service (and any future one) keeps the summaries right without
having to remember to. Bulk loaders that bypass the ORM call `refresh_school_tallies` themselves.
On PostgreSQL the schools' rows are locked first, so two transactions refreshing one school take
turns rather than both applying their difference to the tier totals.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..core.terms import academic_year_for
from ..core.transactions import listen_on_sessions
from ..schools.models import School, SupportAllocation
from .models import (
    AgreedAction,
    NoteOfVisit,
    OpenActionTally,
    SchoolYearTally,
    TierYearTally,
)

CHUNK = 500
_PENDING = "casework_summary_schools"
# The attributes whose change alters a school's summaries.
_WATCHED: dict[type, tuple[str, ...]] = {
    NoteOfVisit: ("school_id", "status", "visit_date", "deployment_id", "programme_assignment_id"),
    AgreedAction: ("note_id", "status", "due_on"),
    SupportAllocation: ("school_id", "academic_year", "link_visits"),
    School: ("support_tier", "status", "link_adviser_id"),
}


def _is_open(status: str) -> bool:
    return status != "Closed"


def refresh_school_tallies(connection: Any, school_ids: Iterable[int]) -> None:
    """Work out the schools' kept summaries afresh from their notes, actions and allocations, and
    move the tier totals by the difference."""
    ids = sorted(set(school_ids))
    for start in range(0, len(ids), CHUNK):
        _refresh(connection, ids[start:start + CHUNK])


def forget_schools(connection: Any, school_ids: Iterable[int]) -> None:
    """Take schools about to be deleted out of the tier totals (their own rows go with them)."""
    ids = sorted(set(school_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        _apply_tier_deltas(connection, _contributions(_stored_rows(connection, chunk), sign=-1))
        connection.execute(delete(SchoolYearTally).where(SchoolYearTally.school_id.in_(chunk)))


def _stored_rows(connection: Any, ids: Sequence[int]) -> list[Mapping[str, Any]]:
    return list(connection.execute(select(SchoolYearTally.__table__)
                                   .where(SchoolYearTally.school_id.in_(ids))).mappings())


def _contributions(rows: Iterable[Mapping[str, Any]], *, sign: int) -> dict[tuple[str, str], list[int]]:
    """What rows add to the tier totals: (tier, year) -> [visits, allocations issued, visits issued]."""
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in rows:
        if not row["counted"]:
            continue
        total = totals[(row["tier_code"], row["academic_year"])]
        total[0] += sign * row["visits_done"]
        if row["allocated_visits"] is not None:
            total[1] += sign
            total[2] += sign * row["allocated_visits"]
    return totals


def _refresh(connection: Any, ids: Sequence[int]) -> None:
    schools = select(School.id, School.support_tier, School.status, School.last_visit_on).where(School.id.in_(ids))
    if connection.dialect.name == "postgresql":
        schools = schools.order_by(School.id).with_for_update()
    current = {row.id: row for row in connection.execute(schools)}

    visits: Counter[tuple[int, str]] = Counter()
    last: dict[int, date] = {}
    for school_id, day, deployment_id, assignment_id in connection.execute(
            select(NoteOfVisit.school_id, NoteOfVisit.visit_date, NoteOfVisit.deployment_id,
                   NoteOfVisit.programme_assignment_id)
            .where(NoteOfVisit.school_id.in_(ids), NoteOfVisit.status != "planned")):
        # A consultant's support visit uses consultant days, and a programme review visit the
        # reviewer's days on the programme: neither is one of the link adviser visits.
        if deployment_id is None and assignment_id is None:
            visits[(school_id, academic_year_for(day))] += 1
        if school_id not in last or day > last[school_id]:
            last[school_id] = day
    allocations = {(school_id, year): link_visits for school_id, year, link_visits in connection.execute(
        select(SupportAllocation.school_id, SupportAllocation.academic_year, SupportAllocation.link_visits)
        .where(SupportAllocation.school_id.in_(ids)))}

    new_rows = []
    for school_id, year in sorted(set(visits) | set(allocations)):
        school = current.get(school_id)
        if school is None:
            continue
        new_rows.append({"school_id": school_id, "academic_year": year, "visits_done": visits.get((school_id, year), 0),
                         "allocated_visits": allocations.get((school_id, year)), "tier_code": school.support_tier,
                         "counted": _is_open(school.status)})
    old = _contributions(_stored_rows(connection, ids), sign=-1)
    new = _contributions(new_rows, sign=1)
    for key, (v, n, a) in new.items():
        total = old[key]
        total[0] += v
        total[1] += n
        total[2] += a
    _apply_tier_deltas(connection, old)

    connection.execute(delete(SchoolYearTally).where(SchoolYearTally.school_id.in_(ids)))
    if new_rows:
        connection.execute(insert(SchoolYearTally), new_rows)

    connection.execute(delete(OpenActionTally).where(OpenActionTally.school_id.in_(ids)))
    connection.execute(insert(OpenActionTally).from_select(
        ["school_id", "due_on", "link_adviser_id", "actions"],
        select(NoteOfVisit.school_id, AgreedAction.due_on, School.link_adviser_id, func.count())
        .join(NoteOfVisit, NoteOfVisit.id == AgreedAction.note_id)
        .join(School, School.id == NoteOfVisit.school_id)
        .where(NoteOfVisit.school_id.in_(ids), AgreedAction.status == "open", AgreedAction.due_on.is_not(None),
               School.status != "Closed")
        .group_by(NoteOfVisit.school_id, AgreedAction.due_on, School.link_adviser_id)))

    changed = [{"b_id": school_id, "b_last": last.get(school_id)} for school_id, row in current.items()
               if row.last_visit_on != last.get(school_id)]
    if changed:
        table = School.__table__
        # updated_at is left as it was: a visit is not an edit of the school's record.
        connection.execute(update(table).where(table.c.id == bindparam("b_id"))
                           .values(last_visit_on=bindparam("b_last"), updated_at=table.c.updated_at), changed)


def _apply_tier_deltas(connection: Any, deltas: dict[tuple[str, str], list[int]]) -> None:
    rows = [{"tier_code": tier, "academic_year": year, "visits_done": v, "allocations_issued": n,
             "allocated_visits_issued": a} for (tier, year), (v, n, a) in sorted(deltas.items()) if v or n or a]
    if not rows:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(TierYearTally)
    table = TierYearTally.__table__
    connection.execute(statement.on_conflict_do_update(
        index_elements=["tier_code", "academic_year"],
        set_={name: table.c[name] + statement.excluded[name]
              for name in ("visits_done", "allocations_issued", "allocated_visits_issued")}), rows)


# --- keeping them with every flush ----------------------------------------------------------------

def _changed(obj: Any, state: Any) -> bool:
    return any(state.attrs[name].history.has_changes() for name in _WATCHED[type(obj)])


def _values(state: Any, name: str) -> set[Any]:
    """The attribute's value now and, if this flush changes it, before."""
    history = state.attrs[name].history
    return {v for v in (*history.added, *history.unchanged, *history.deleted) if v is not None}


def _forget_deleted_schools(session: Session, _context: Any, _instances: Any) -> None:
    gone = [s.id for s in session.deleted if isinstance(s, School) and s.id is not None]
    if gone:
        forget_schools(session.connection(), gone)


def _refresh_changed_schools(session: Session, _context: Any) -> None:
    school_ids: set[int] = set()
    note_ids: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        kind = type(obj)
        if kind not in _WATCHED:
            continue
        state = inspect(obj)
        if obj not in session.new and obj not in session.deleted and not _changed(obj, state):
            continue
        if kind is School:
            # A new school has nothing to count until its first visit or allocation.
            if obj not in session.deleted and obj not in session.new:
                school_ids.add(obj.id)
        elif kind is AgreedAction:
            note_ids |= _values(state, "note_id")
        else:
            school_ids |= _values(state, "school_id")
    if note_ids:
        school_ids |= set(session.connection().scalars(
            select(NoteOfVisit.school_id).where(NoteOfVisit.id.in_(sorted(note_ids)))))
    if not school_ids:
        return
    refresh_school_tallies(session.connection(), school_ids)
    session.info[_PENDING] = school_ids


def _expire_refreshed(session: Session, _context: Any) -> None:
    for school_id in session.info.pop(_PENDING, set()):
        school = session.identity_map.get(session.identity_key(School, school_id))
        if school is not None:
            # The column was changed behind the ORM's back: reload it when next read.
            session.expire(school, ["last_visit_on"])


def install_listeners() -> None:
    """Keep the summaries in the same flush as what they count: called once by create_app."""
    listen_on_sessions(
        ("before_flush", _forget_deleted_schools),
        ("after_flush", _refresh_changed_schools),
        ("after_flush_postexec", _expire_refreshed),
    )
