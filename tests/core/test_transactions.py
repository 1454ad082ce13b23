"""Work that follows its transaction: after_commit and after_rollback, with savepoints."""
from __future__ import annotations

from typing import Any

from lea_support.core.transactions import after_commit, after_rollback
from tests.conftest import make_app


def _log() -> tuple[list[str], Any]:
    seen: list[str] = []
    return seen, lambda what: (lambda: seen.append(what))


def test_commit_runs_the_commit_callbacks_once_and_forgets_the_rollback_ones(db: Any) -> None:
    seen, note = _log()
    after_commit(note("sent"))
    after_rollback(note("removed"))
    assert seen == []
    db.session.commit()
    db.session.commit()
    assert seen == ["sent"]


def test_rollback_runs_the_rollback_callbacks_and_drops_the_commit_ones(db: Any) -> None:
    seen, note = _log()
    after_commit(note("sent"))
    after_rollback(note("removed"))
    db.session.rollback()
    db.session.commit()
    assert seen == ["removed"]


def test_releasing_a_savepoint_waits_for_the_outer_commit(db: Any) -> None:
    seen, note = _log()
    with db.session.begin_nested():
        after_commit(note("sent"))
    assert seen == []  # released, not committed
    db.session.commit()
    assert seen == ["sent"]


def test_a_savepoint_rolled_back_settles_only_its_own_callbacks(db: Any) -> None:
    seen, note = _log()
    after_commit(note("outer sent"))
    savepoint = db.session.begin_nested()
    after_commit(note("inner sent"))
    after_rollback(note("inner removed"))
    savepoint.rollback()
    assert seen == ["inner removed"]
    db.session.commit()
    assert seen == ["inner removed", "outer sent"]


def test_a_session_closed_without_committing_counts_as_a_rollback(db: Any) -> None:
    seen, note = _log()
    db.session.connection()  # a transaction is under way
    after_commit(note("sent"))
    after_rollback(note("removed"))
    db.session.close()
    assert seen == ["removed"]


def test_listeners_are_installed_once_however_many_apps_are_made(app: Any, db: Any) -> None:
    make_app(app.config["SQLALCHEMY_DATABASE_URI"]).extensions["sqlalchemy"].engines[None].dispose()
    seen, note = _log()
    after_commit(note("sent"))
    db.session.commit()
    assert seen == ["sent"]
