"""Reading uploaded CSV files (GIAS and the national data): each record with the line it starts on,
so that a refusal can name the lines to fix."""
from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator


def numbered_records(lines: Iterable[str]) -> Iterator[tuple[int, list[str] | csv.Error]]:
    """Each record with the physical line it starts on (the header is line 1), or the CSV error
    met there (an unclosed quote, a stray carriage return): the caller says what to fix."""
    reader = csv.reader(lines, strict=True)
    line_after = 0
    while True:
        try:
            record: list[str] | csv.Error = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            record = err
        yield line_after + 1, record
        line_after = reader.line_num
