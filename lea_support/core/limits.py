"""How much anyone may type or add: the one place the forms, the services and the database
constraints read their limits from. A bound on every input keeps every page and PDF a size the
server can make in time (issue 13)."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import CheckConstraint

# Text, by kind: names and titles; a line or a paragraph; a narrative (discussion, evaluation,
# findings, covering notes). Counted in characters, as typed (a line break is sent as two).
SHORT_TEXT = 200
MEDIUM_TEXT = 2_000
LONG_TEXT = 20_000
# A governor report's covering note and re-issue reason: printed in the report, so at most a page.
REPORT_NOTE_TEXT = 5_000

# Items on one parent, enforced by the services (and by any form with a growing list of rows).
MAX_AGREED_ACTIONS = 100            # agreed actions on a note of visit
MAX_ATTACHMENTS = 20                # files attached to a note of visit
MAX_REVIEW_TEAM = 30                # people on a Joint LEA/School Review
MAX_KEY_QUESTIONS = 20              # key questions of a review
MAX_FIELDWORK_EVIDENCE = 300        # fieldwork evidence records of a review
MAX_FINDINGS = 50                   # points of each kind in a review's report
MAX_FRAMEWORK_ASPECTS = 50          # aspects a review framework judges (rows of the evaluation form)
MAX_OBJECTIVES = 30                 # objectives of a plan
MAX_CRITERIA = 20                   # success criteria of an objective
MAX_ACTIONS_PER_OBJECTIVE = 50      # actions of an objective
MAX_PLAN_ACTIONS = 100              # actions of a plan, over all its objectives
MAX_TIME_ALLOCATIONS = 50           # adviser time allocations of a plan
MAX_TIME_ENTRIES = 500              # days-used entries against one allocation
MAX_PROJECT_TEAM = 50               # current members of a project team
MAX_USER_SCHOOLS = 50               # schools a school leader or governor belongs to


def too_long(what: str, limit: int) -> str:
    """The message for text over its limit, in the Design System's words."""
    return f"{what} must be {limit:,} characters or fewer"


def sql_values(values: Iterable[str]) -> str:
    """Codes as an SQL list for a CHECK constraint's IN (...): `'a', 'b'` (codes are the service's own
    identifiers, never typed by a user)."""
    return ", ".join(f"'{v}'" for v in values)


def length_check(column: str, limit: int) -> CheckConstraint:
    """The database's own refusal of over-long text in `column` (both engines count characters).
    Named `ck_<table>_<column>_length` by the naming convention; migration 0013 adds them."""
    return CheckConstraint(f"length({column}) <= {limit}", name=f"{column}_length")
