"""The demo authority that `make run` seeds: every tier and level, every role, real workflows."""
from __future__ import annotations

from sqlalchemy import func, select

from lea_support.auth.models import User
from lea_support.casework.models import NoteOfVisit
from lea_support.reviews.models import PublishedReviewReport
from lea_support.schools.models import School
from tests.conftest import sign_in


def test_demo_seeds_once_and_every_role_can_sign_in(app, db, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "governor@demo.invalid" in first.output
    again = runner.invoke(args=["demo", "--if-empty"])
    assert "already has schools" in again.output
    assert db.session.scalar(select(func.count()).select_from(School)) == 40
    levels = set(db.session.execute(select(School.support_tier, School.mcs_level)).all())
    assert levels == {("light_touch", 1), ("enhanced", 2), ("significant", 3), ("significant", 4), ("significant", 5)}
    assert {u.role for u in db.session.scalars(select(User))} == {
        "admin", "link_adviser", "sia", "project_team", "school_leader", "governor"}
    assert db.session.scalar(select(func.count()).select_from(NoteOfVisit).where(NoteOfVisit.status == "sent")) >= 1
    assert db.session.scalar(select(func.count()).select_from(PublishedReviewReport)) == 1
    assert sign_in(client, "governor@demo.invalid", "demo-sign-in-2026").status_code == 302
    page = client.get("/governor/schools/990001").get_data(as_text=True)
    assert "Joint LEA/School Review" in page
