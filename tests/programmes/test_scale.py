"""A programme at the MITA case study's size (44 schools, 600 participants, 40 sessions, 200 review
reports), inserted in bulk: its pages run the same number of queries as a small programme's."""
from __future__ import annotations

import re

from tests.conftest import count_queries
from tools.programme_data import programme_urls, reviewer_accounts, seed_programme


def test_programme_pages_run_as_many_queries_at_full_size_as_small(app, db, client, login_as, create_school):
    login_as("sia")
    reviewers = reviewer_accounts(15)
    small_schools = [create_school().id for _ in range(2)]
    large_schools = [create_school().id for _ in range(44)]
    small = seed_programme(small_schools, reviewers[:2], participants=6, sessions=2, reviews=3, name="Small")
    large = seed_programme(large_schools, reviewers, participants=600, sessions=40, reviews=200, name="MITA", seed=2)
    for (name, small_url), (_name, large_url) in zip(programme_urls(small), programme_urls(large), strict=True):
        few, many = count_queries(client, small_url), count_queries(client, large_url)
        assert many <= few, f"{name}: {few} queries for a small programme, {many} at full size"
    # The full-size pages show the full-size figures.
    page = client.get(f"/programmes/{large.programme_id}").get_data(as_text=True)
    assert re.search(r">\s*600\s*<", page) and re.search(r">\s*200\s*<", page)
    assert client.get(f"/programmes/{large.programme_id}/report.pdf").status_code == 200
