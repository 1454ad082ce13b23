"""Two people saving the same record at the same instant: the version check in an UPDATE lets one
win; the other is told, their typed text kept. One record per area that has a version lock.

(Saves made from a stale copy, caught before any write, are tested in each area: tests/casework,
tests/rap, tests/reports. Here the second save passes that check and loses at the write itself.)
"""
from __future__ import annotations

import html
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Iterator

import pytest
from flask import has_request_context, request
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from lea_support.casework.models import NoteOfVisit
from lea_support.governor_reports.models import GovernorReportVersion
from lea_support.rap.models import MidpointReview, PlanObjective
from tests.casework.test_notes import note_form
from tests.conftest import ON_POSTGRES, sign_in, submit

TYPED = "Words I typed & must not lose"


@contextmanager
def someone_saves_first(db: Any, model: type, ident: int, **theirs: Any) -> Iterator[list[int]]:
    """When a request is about to write its change to the record (or, for a service that takes the
    record's row lock first, about to take it), another save of it lands first.

    On PostgreSQL that save is a real one, committed on another connection. SQLite lets one writer
    in at a time (the request holds the lock), so there it is made on the request's own connection:
    the request's UPDATE then finds the version moved on, exactly as it would after a real race."""
    table = model.__table__
    # The record's version counter: moved by the mapper at the write (version_id_col), or claimed
    # by a conditional UPDATE before any change is made (core/locking.py's claim_edit).
    mapper_version = model.__mapper__.version_id_col
    version = table.c[mapper_version.name if mapper_version is not None else next(
        name for name in ("version_id", "version", "edit_version") if name in table.c)]
    change = update(table).where(table.c.id == ident).values({version: version + 1, **theirs})
    fired: list[int] = []

    def rival_saves(session: Session) -> None:
        fired.append(1)
        if ON_POSTGRES:
            with db.engine.connect() as other:
                other.exec_driver_sql("SET lock_timeout = '5s'")  # never hang the suite
                other.execute(change)
                other.commit()
        else:
            session.connection().execute(change)

    def in_the_race() -> bool:
        return not fired and has_request_context() and request.method == "POST"

    def before_flush(session: Session, *_: Any) -> None:
        if in_the_race() and any(isinstance(obj, model) and obj.id == ident for obj in session.dirty):
            rival_saves(session)

    def before_claim_or_lock(state: Any) -> None:
        # core.locking: a claim is a conditional UPDATE; a lock_for_update a SELECT ... FOR UPDATE.
        # Once the request holds the row lock no other save can land before its own, so a save made
        # "at the same moment" is one made just before the claim or the lock.
        statement = state.statement
        claim = state.is_update and getattr(statement, "table", None) is table
        lock = state.is_select and statement._for_update_arg is not None and table in statement.get_final_froms()
        if in_the_race() and (claim or lock):
            rival_saves(state.session)

    event.listen(Session, "before_flush", before_flush)
    event.listen(Session, "do_orm_execute", before_claim_or_lock)
    try:
        yield fired
    finally:
        event.remove(Session, "before_flush", before_flush)
        event.remove(Session, "do_orm_execute", before_claim_or_lock)


@dataclass
class Case:
    client: Any
    url: str
    data: dict[str, Any]
    form_url: str
    model: type
    ident: int
    theirs: dict[str, Any]
    saved: Callable[[], str]  # the text now saved in the record


def _note(db, client, fx) -> Case:
    adviser = fx("create_user")("link_adviser")
    note = fx("create_note")(adviser=adviser, discussion="Before")
    sign_in(client, adviser.email)
    url = f"/visits/{note.id}/edit"
    return Case(client, url, note_form(version=str(note.version), discussion=TYPED), url, NoteOfVisit, note.id,
                {"discussion": "Theirs"}, lambda: db.session.get(NoteOfVisit, note.id).discussion)


def _objective(db, client, fx) -> Case:
    from tests.rap.test_plan_editing import draft

    sia = fx("create_user")("sia")
    plan = draft(db, sia, fx("create_school")(support_tier="significant", mcs_level=3))
    objective = plan.objectives[0]
    sign_in(client, sia.email)
    url = f"/plans/{plan.id}/objectives/{objective.id}/edit"
    return Case(client, url, {"version_id": str(objective.version_id), "text": TYPED}, url, PlanObjective,
                objective.id, {"text": "Theirs"}, lambda: db.session.get(PlanObjective, objective.id).text)


def _governor_report(db, client, fx) -> Case:
    from lea_support.governor_reports import services
    from tests.governor_reports.conftest import END_OF_TERM, TERM

    adviser = fx("create_user")("link_adviser")
    school = fx("create_school")(support_tier="light_touch", mcs_level=1, link_adviser_id=adviser.id)
    fx("create_note")(school=school, adviser=adviser, status="finalised", visit_date=date(2026, 10, 14))
    version = services.generate_draft(None, school, TERM, today=END_OF_TERM)
    db.session.commit()
    sign_in(client, adviser.email)
    show = f"/governor-reports/{version.report_id}"
    return Case(client, f"{show}/check", {"covering_note": TYPED, "version_id": str(version.version_id)}, show,
                GovernorReportVersion, version.id, {"covering_note": "Theirs"},
                lambda: db.session.get(GovernorReportVersion, version.id).covering_note or "")


def _midpoint_review(db, client, fx) -> Case:
    from tests.rap.test_monitoring import AGREED, first_review, form_data, record_url

    sia = fx("create_user")("sia")
    plan = fx("create_plan")(sia=sia, agreed_on=AGREED)
    review = first_review(db, plan)
    sign_in(client, sia.email)
    return Case(client, record_url(review), form_data(plan, review, sia, summary=TYPED), f"/plans/{plan.id}",
                MidpointReview, review.id, {"summary": "Theirs"},
                lambda: db.session.get(MidpointReview, review.id).summary or "")


@pytest.mark.parametrize("make, status, message", [
    (_note, 409, "This note was changed by someone else"),
    (_objective, 409, "This objective was changed by someone else since you opened it"),
    (_governor_report, 409, "Someone else changed this report since you opened it"),
    # Recording a review takes its row lock first: a save landing just before finds the version moved on.
    (_midpoint_review, 409, "Someone else saved this review since you opened it"),
], ids=["note of visit", "plan objective", "governor report check", "mid-point review"])
def test_the_loser_of_a_race_is_told_and_keeps_what_they_typed(db, client, request, make, status, message):
    case = make(db, client, request.getfixturevalue)
    with someone_saves_first(db, case.model, case.ident, **case.theirs) as fired:
        response = submit(case.client, case.url, case.data, form_url=case.form_url)
    assert fired, "the race was never run"
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == status, page[-3000:]
    assert message in page
    assert TYPED in page
    db.session.expire_all()
    saved = case.saved()
    assert TYPED not in saved  # the loser's save did not go in
    if ON_POSTGRES:
        assert saved == "Theirs"  # and the winner's did
