"""The audit log is append-only and searchable by school, user and date."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DatabaseError

from lea_support.core.audit import record_audit
from lea_support.core.models import AuditEntry
from lea_support.schools import services


def test_rows_cannot_be_changed_or_deleted(db, create_user):
    record_audit(None, "test.entry", "thing", 1, after={"a": 1})
    db.session.commit()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(update(AuditEntry).values(action="tampered"))
    db.session.rollback()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(delete(AuditEntry))
    db.session.rollback()
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "test.entry")) == "test.entry"


def test_admin_searches_by_school_user_and_date(client, login_as, create_school, create_user, db):
    sia = create_user("sia", email="sia.searcher@example.org")
    school, other = create_school(), create_school()
    for s in (school, other):
        services.change_support(sia, s, support_tier="enhanced", mcs_level=2, cause_for_concern=None,
                                is_vulnerable=False, has_significant_underachievement=False, reason=f"Why {s.urn}")
    db.session.commit()
    login_as("admin")
    by_school = client.get(f"/admin/audit?urn={school.urn}").get_data(as_text=True)
    assert f"Why {school.urn}" in by_school and f"Why {other.urn}" not in by_school
    by_user = client.get("/admin/audit?user=sia.searcher").get_data(as_text=True)
    assert by_user.count("school.support_decision") == 2
    none_later = client.get("/admin/audit?from=2099-01-01").get_data(as_text=True)
    assert "No changes match" in none_later
    bad = client.get("/admin/audit?from=yesterday").get_data(as_text=True)
    assert "Enter dates as YYYY-MM-DD" in bad
