"""Reading uploaded CSV files (GIAS and the national data): each record with the line it starts on,
so that a refusal can name the lines to fix."""
from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

# A refused file lists at most this many problems; the rest are counted.
MAX_PROBLEMS = 200


class LineProblems:
    """The problems found in a file so far, each naming its line: the first MAX_PROBLEMS kept, the
    rest only counted, and every line with a problem remembered."""

    def __init__(self) -> None:
        self.kept: list[str] = []
        self.count = 0
        self.lines: set[int] = set()

    def add(self, line: int, message: str) -> None:
        self.count += 1
        self.lines.add(line)
        if self.count <= MAX_PROBLEMS:
            self.kept.append(f"Line {line}: {message}")

    def listed(self) -> list[str]:
        more = self.count - len(self.kept)
        return self.kept + ([f"… and {more} more problems"] if more else [])


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
