"""CSV downloads that spreadsheet programs cannot be tricked into running as formulas, streamed to
the browser as they are written: a download of 100,000 rows never sits whole in memory."""
from __future__ import annotations

import csv
import io
from typing import Any, Callable, Iterable, Iterator

from flask import Response, stream_with_context

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Rows written per chunk sent to the browser, and rows fetched per round trip from the database.
CHUNK_ROWS = 1000


def neutralise(value: Any) -> Any:
    """Prefix a text cell that a spreadsheet would read as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_chunks(header: list[str], rows: Iterable[Iterable[Any]]) -> Iterator[bytes]:
    """The CSV file, a chunk of rows at a time (UTF-8 with a byte-order mark, for Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    for n, row in enumerate(rows, start=1):
        writer.writerow([neutralise(v) for v in row])
        if n % CHUNK_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable[Any]] | Callable[[], Iterable[Iterable[Any]]]
                 ) -> Response:
    """A CSV download, streamed. `rows` may be a function that makes the rows when the body is
    written: a query run there (with `yield_per`) runs after the request's transaction has ended at
    the edge, in the request context that `stream_with_context` keeps open until the last row."""

    def body() -> Iterator[bytes]:
        yield from csv_chunks(header, rows() if callable(rows) else rows)

    return Response(
        stream_with_context(body()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
