"""Task counts kept between requests (tasks/kept_counts.py): asked once while the records they
count stand still, asked again as soon as a commit (in this process or another) changes them."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import text

from lea_support.schools.models import School
from lea_support.tasks import kept_counts
from lea_support.tasks import services as tasks
from tests.conftest import count_queries, new_review, new_school, new_user, sign_in

TODAY = date(2026, 12, 6)
STALLED = "Significant support with no link adviser"


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tasks, "today", lambda: TODAY)


def stalled_count(client: Any) -> int:
    page = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser")
    for item in page.select(".app-task"):
        if item.select_one("h3 a").get_text(" ", strip=True).startswith(STALLED):
            return int(item.select_one(".app-task__count").get_text(strip=True))
    return 0


def counter(db: Any) -> int:
    return int(db.session.execute(text("SELECT value FROM change_counters WHERE name = 'la_tasks'")).scalar() or 0)


def _significant(**kw: Any) -> Any:
    return new_school(support_tier="significant", mcs_level=4, support_tier_since=TODAY - timedelta(weeks=1), **kw)


def test_the_authoritys_counts_are_asked_once_while_nothing_changes(client: Any, db: Any) -> None:
    sia = new_user("sia")
    _significant()
    new_review(lead=sia, stage="planned")
    sign_in(client, sia.email)
    first = count_queries(client, "/")
    again = count_queries(client, "/")
    assert again < first  # the kept counts are not asked again
    assert stalled_count(client) == 2  # the school above, and the review's


def test_a_change_behind_the_orms_back_shows_once_the_counter_moves(client: Any, db: Any) -> None:
    """Another process's commit is followed by its bump: until then the kept count stands, after it
    the count is asked afresh."""
    sia = new_user("sia")
    school = _significant()
    sign_in(client, sia.email)
    assert stalled_count(client) == 1
    db.session.execute(text("UPDATE schools SET support_tier = 'enhanced', mcs_level = 2 WHERE id = :id"),
                       {"id": school.id})
    db.session.commit()
    assert stalled_count(client) == 1  # kept: nothing said the records changed
    db.session.execute(text("UPDATE change_counters SET value = value + 1 WHERE name = 'la_tasks'"))
    db.session.commit()
    assert stalled_count(client) == 0


def test_a_commit_through_the_orm_moves_the_counter_once_and_a_rollback_not_at_all(client: Any, db: Any) -> None:
    school = _significant()
    before = counter(db)
    school.support_tier_since = TODAY - timedelta(weeks=2)
    db.session.flush()
    school.name = "Renamed Primary"
    db.session.commit()
    assert counter(db) == before + 1
    school.support_tier, school.mcs_level = "enhanced", 2
    db.session.flush()
    db.session.rollback()
    assert counter(db) == before + 1
    school = db.session.get(School, school.id)
    school.last_visit_on = TODAY  # not read by any kept count
    db.session.commit()
    assert counter(db) == before + 1
    school.link_adviser_id = new_user("link_adviser").id
    db.session.commit()
    assert counter(db) == before + 2


def test_bulk_writers_say_what_they_changed(client: Any, db: Any) -> None:
    before = counter(db)
    kept_counts.records_changed()
    kept_counts.records_changed()
    db.session.commit()
    assert counter(db) == before + 1


def test_nothing_is_kept_longer_than_the_maximum_age(app: Any, client: Any, db: Any) -> None:
    app.config["TASK_COUNTS_MAX_AGE_SECONDS"] = 0
    sia = new_user("sia")
    school = _significant()
    sign_in(client, sia.email)
    assert stalled_count(client) == 1
    db.session.execute(text("UPDATE schools SET support_tier = 'enhanced', mcs_level = 2 WHERE id = :id"),
                       {"id": school.id})
    db.session.commit()
    assert stalled_count(client) == 0


def test_a_persons_kept_counts_are_theirs(app: Any, client: Any, db: Any) -> None:
    """An SIA's own reviews are kept per person: another SIA's home does not show them as theirs."""
    mine, theirs = new_user("sia"), new_user("sia")
    new_review(lead=mine, stage="planned")
    sign_in(client, mine.email)
    assert 'href="/tasks/reviews-planned"' in client.get("/").get_data(as_text=True)
    other = app.test_client()
    sign_in(other, theirs.email)
    assert 'href="/tasks/reviews-planned"' not in other.get("/").get_data(as_text=True)
    assert 'href="/tasks/reviews-planned"' in client.get("/").get_data(as_text=True)
