"""Writing the audit log. Services call `record_audit` for every change they make."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..extensions import db
from .models import AuditEntry

if TYPE_CHECKING:
    from ..auth.models import User


def to_json_ready(value: Any) -> Any:
    """Dates, decimals and nested containers as plain JSON values."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: to_json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_ready(v) for v in value]
    return value


def snapshot(obj: Any, fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """The named attributes of an object as JSON-ready data, for before/after."""
    return {f: to_json_ready(getattr(obj, f)) for f in fields}


def record_audit(
    actor: "User | None",
    action: str,
    entity_type: str,
    entity_id: Any = None,
    *,
    school_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the audit log in the current transaction."""
    entry = AuditEntry(
        user_id=actor.id if actor is not None else None,
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        school_id=school_id,
        before=to_json_ready(before) if before is not None else None,
        after=to_json_ready(after) if after is not None else None,
    )
    db.session.add(entry)
    return entry
