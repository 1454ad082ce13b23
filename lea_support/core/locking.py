"""Optimistic locks for records edited through a form: of two people who saved from the same copy,
one wins and the other is told, with what they typed kept.

A record that uses this has an integer `edit_version` column. Its edit form carries the version it
was opened at (`core.forms.EditVersionField`); the service calls `claim_edit(record, expected,
what)` before changing anything. The claim is one conditional UPDATE (`... SET edit_version =
edit_version + 1 WHERE id = ? AND edit_version = ?`), atomic on SQLite and PostgreSQL alike, so two
saves made at the same instant cannot both pass. Only these edits move the counter: a column the
system changes by itself (a sign-in time, a kept summary) does not make a person's save a conflict.
"""
from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, inspect, select, update
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from .errors import DomainError


class EditConflict(DomainError):
    """Someone else saved this record since this copy was opened. Nothing has been changed."""

    def __init__(self, record: Any, what: str, column: str = "edit_version", message: str | None = None):
        super().__init__(message or f"This {what} was changed by someone else since you opened it. Your changes are "
                         f"still in the form: check the {what} as it is now saved, then save again to keep yours.")
        self.record = record
        self.what = what
        self.column = column

    @property
    def saved_version(self) -> int:
        """The version now saved (read afresh once the refused transaction is rolled back)."""
        return int(getattr(self.record, self.column))


def claim_edit(record: Any, expected_version: int | None, what: str, *, column: str = "edit_version",
               message: str | None = None) -> None:
    """Move the record's edit counter on from the version the form was opened at, or raise
    EditConflict if someone else saved it since. `expected_version` None (a caller that did not
    come from a form) claims whatever version is current."""
    mapper = inspect(type(record))
    table = mapper.local_table
    counter = table.c[column]
    expected = getattr(record, column) if expected_version is None else expected_version
    same_record = [key == value for key, value in zip(mapper.primary_key, mapper.primary_key_from_instance(record), strict=True)]
    result = db.session.execute(update(table).where(*same_record, counter == expected)
                                .values({column: counter + 1}).execution_options(synchronize_session=False))
    if cast(CursorResult[Any], result).rowcount != 1:
        raise EditConflict(record, what, column, message)
    set_committed_value(record, column, expected + 1)


# --- state changes ---------------------------------------------------------------------------------
# A button that moves a record on (send a note, agree a plan, move a review to Fieldwork) is not edited
# through a form with a version, and a second click of it, or a second tab, must not make the change
# twice. Each such service takes the record's row lock first and then checks its state as it now is.


class AlreadyChanged(DomainError):
    """The record moved on while this request waited for it (a double click, a second tab, a
    colleague): nothing has been changed, and the message says what the record is now."""


def lock_for_update(record: Any) -> Any:
    """Wait for and take the record's row lock until the transaction ends, then read it afresh, so
    that a state change checked after this sees what any other request did first.

    PostgreSQL: `SELECT ... FOR UPDATE`, which waits for the other transaction and then reads its
    committed row. SQLite has no row locks and needs none here: every writing transaction begins
    IMMEDIATE (core/db.py), so writers already run one at a time and read each other's changes.
    Call it before changing anything on the record: reading afresh drops unsaved changes."""
    mapper = inspect(type(record))
    same_record = [key == value for key, value in zip(mapper.primary_key, mapper.primary_key_from_instance(record), strict=True)]
    db.session.execute(select(*mapper.primary_key).where(*same_record).with_for_update())
    db.session.refresh(record)
    return record
