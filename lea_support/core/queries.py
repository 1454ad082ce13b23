"""Query shapes shared by several areas."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select


def distinct_values(column: Any) -> Select:
    """The distinct non-empty values of an indexed column, found by hopping along the index
    (a loose index scan) rather than reading every row: one probe per distinct value."""
    first = select(func.min(column).label("v")).where(column != "")
    seen = first.cte("seen", recursive=True)
    following = select(select(func.min(column)).where(column > seen.c.v).scalar_subquery().label("v")) \
        .where(seen.c.v.is_not(None))
    seen = seen.union_all(following)
    return select(seen.c.v).where(seen.c.v.is_not(None)).order_by(seen.c.v)
