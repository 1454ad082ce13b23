"""Link adviser assignment with history, and moving a leaving adviser's schools."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from lea_support.core.errors import DomainError
from lea_support.schools import services
from lea_support.schools.models import School
from tests.conftest import submit


def test_assignments_are_kept_as_history(db, create_school, create_user):
    admin, first, second = create_user("admin"), create_user("link_adviser"), create_user("link_adviser")
    school = create_school()
    services.assign_link_adviser(admin, school, first, on=date(2025, 9, 1))
    services.assign_link_adviser(admin, school, second, reason="Caseload rebalanced", on=date(2026, 1, 5))
    history = services.link_adviser_history(school)
    assert [(a.adviser_id, a.starts_on, a.ends_on) for a in history] == [
        (second.id, date(2026, 1, 5), None), (first.id, date(2025, 9, 1), date(2026, 1, 5))]
    assert school.link_adviser_id == second.id


def test_only_active_advisers_can_be_link_advisers(db, create_school, create_user):
    with pytest.raises(DomainError, match="active advisers"):
        services.assign_link_adviser(create_user("admin"), create_school(), create_user("governor", schools=[create_school()]))


def test_bulk_reassignment_moves_every_school(client, login_as, create_school, create_user, db):
    admin = create_user("admin")
    leaving, successor = create_user("link_adviser", name="Leaving Adviser"), create_user("link_adviser")
    schools = [create_school() for _ in range(3)]
    for s in schools:
        services.assign_link_adviser(admin, s, leaving)
    untouched = create_school()
    db.session.commit()
    login_as("admin")
    bad = submit(client, "/admin/link-advisers/reassign",
                 {"adviser": leaving.id, "successor": leaving.id, "reason": "Retiring"})
    assert bad.status_code == 422 and "Choose a different adviser" in bad.get_data(as_text=True)
    form = client.get("/admin/link-advisers/reassign").get_data(as_text=True)
    # Neither menu starts on an adviser, so the two never default to the same person.
    assert form.count('<option value="" selected>') == 2
    unchosen = submit(client, "/admin/link-advisers/reassign", {"adviser": "", "successor": "", "reason": "Retiring"})
    assert unchosen.status_code == 422 and "Choose the adviser who is leaving" in unchosen.get_data(as_text=True)
    preview = submit(client, "/admin/link-advisers/reassign",
                     {"adviser": leaving.id, "successor": successor.id, "reason": "Retiring"})
    page = preview.get_data(as_text=True)
    # First the list of schools that will move, and nothing moved yet.
    assert preview.status_code == 200 and "Move 3 schools from Leaving Adviser to" in page
    assert all(s.name in page for s in schools) and untouched.name not in page
    assert db.session.scalar(select(func.count()).where(School.link_adviser_id == leaving.id)) == 3
    good = submit(client, "/admin/link-advisers/reassign",
                  {"adviser": leaving.id, "successor": successor.id, "reason": "Retiring", "confirmed": "yes"})
    assert good.status_code == 302
    advisers = dict(db.session.execute(select(School.id, School.link_adviser_id)).all())
    assert all(advisers[s.id] == successor.id for s in schools)
    assert advisers[untouched.id] is None
    page = client.get(f"/schools/{schools[0].urn}/link-adviser").get_data(as_text=True)
    assert "Leaving Adviser" in page and "Retiring" in page
