"""Work that must follow the database transaction it belongs to: an e-mail that goes only once
what it announces is saved, a file removed only once the row that pointed at it is deleted for
good, a file written for a row that was never saved removed again.

`after_commit(fn)` runs `fn` once the outermost transaction commits; `after_rollback(fn)` runs it
if the work it belongs to is undone. Savepoints are honoured: callbacks registered inside a
savepoint that rolls back are settled then (its rollback callbacks run, its commit callbacks are
dropped); releasing a savepoint only hands its callbacks to the enclosing transaction. A session
closed without committing counts as a rollback.

The session listeners are installed explicitly by `create_app` (`install_transaction_hooks`), as
are every area's (`listen_on_sessions`): nothing listens merely because a module was imported.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable, Literal

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from ..extensions import db

LOGGER = logging.getLogger(__name__)
_PENDING = "lea_support.transaction_callbacks"


@dataclass
class _Callback:
    when: Literal["commit", "rollback"]
    fn: Callable[[], None]
    transaction: SessionTransaction | None
    key: str | None = None


def _register(session: Session, when: Literal["commit", "rollback"], fn: Callable[[], None],
              key: str | None = None) -> None:
    if not session.in_transaction():
        session.begin()  # the callback belongs to the transaction its work is part of: start it now
    transaction = session.get_nested_transaction() or session.get_transaction()
    pending = session.info.setdefault(_PENDING, [])
    if key is not None:  # one of its kind, run after everything registered before it
        pending[:] = [c for c in pending if c.key != key]
    pending.append(_Callback(when, fn, transaction, key))


def after_commit(fn: Callable[[], None], session: Session | None = None, *, last_of: str | None = None) -> None:
    """Run `fn` once the current transaction has committed; forget it if it rolls back. With
    `last_of`, only the latest callback of that name runs, after all the others registered before
    it (e.g. one summary of the e-mails the commit sent)."""
    _register(session or db.session(), "commit", fn, last_of)


def after_rollback(fn: Callable[[], None], session: Session | None = None) -> None:
    """Run `fn` if the current transaction (or the savepoint we are in) rolls back or is closed
    without committing; forget it once the work is committed."""
    _register(session or db.session(), "rollback", fn)


def _within(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def _run(callbacks: list[_Callback]) -> None:
    for callback in callbacks:
        try:
            callback.fn()
        except Exception:  # the transaction's outcome is settled; one failed follow-up must not stop the rest
            LOGGER.exception("A callback after the transaction ended failed")


def _settle(session: Session, *, ended: SessionTransaction | None, committed: bool) -> None:
    """Run what the end of `ended` (None: the outermost transaction) decides, and keep the rest."""
    pending: list[_Callback] = session.info.get(_PENDING, [])
    if not pending:
        return
    settled = [c for c in pending if ended is None or _within(c.transaction, ended)]
    session.info[_PENDING] = [c for c in pending if c not in settled]
    _run([c for c in settled if c.when == ("commit" if committed else "rollback")])


def _on_commit(session: Session) -> None:
    # after_commit also fires when a savepoint is released: only the outermost commit is final.
    if session.in_nested_transaction():
        return
    _settle(session, ended=None, committed=True)


def _on_soft_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    _settle(session, ended=None if previous_transaction.parent is None else previous_transaction, committed=False)


def _on_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # The outermost transaction ended without a commit (e.g. the session was closed): nothing
    # it did was saved. (After a commit the list is already empty.)
    if transaction.parent is None:
        _settle(session, ended=None, committed=False)


def listen_on_sessions(*listeners: tuple[str, Callable[..., Any]]) -> None:
    """Listen on every Session for these (event name, function) pairs, once per process: create_app
    calls the installers each time it runs, and a listener added twice would run twice."""
    for name, listener in listeners:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def install_transaction_hooks() -> None:
    """The listeners behind `after_commit` and `after_rollback`: called once by create_app."""
    listen_on_sessions(("after_commit", _on_commit), ("after_soft_rollback", _on_soft_rollback),
                       ("after_transaction_end", _on_transaction_end))
