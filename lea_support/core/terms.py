"""Academic years and terms, named as the domain names them ("2026/27", "autumn-2026")."""
from __future__ import annotations

import re
from datetime import date

# Dates typed into a URL or a form outside these years are mistakes, and the day after 31 December
# 9999 does not exist in Python: they are refused before any arithmetic on them.
MIN_YEAR, MAX_YEAR = 1900, 2199
_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


def academic_year_for(day: date) -> str:
    """The academic year (September to August) a date falls in, e.g. '2026/27'."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def parse_academic_year(text: str) -> int:
    """The calendar year an academic year starts in; ValueError if malformed."""
    match = _YEAR.match(text.strip())
    if not match:
        raise ValueError("Enter an academic year like 2026/27")
    start = int(match.group(1))
    if (start + 1) % 100 != int(match.group(2)):
        raise ValueError("The two years of an academic year must follow each other, like 2026/27")
    return start


def term_for(day: date) -> str:
    """A rough term name for a date: autumn (Sep-Dec), spring (Jan-Mar), summer (Apr-Aug).
    Exact term dates differ by LA; this is only for labels and defaults."""
    if day.month >= 9:
        return f"autumn-{day.year}"
    if day.month <= 3:
        return f"spring-{day.year}"
    return f"summer-{day.year}"
