"""Migrations: empty -> head -> base -> head on this run's engine, and the models match them."""
from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from lea_support.extensions import db
from tests.conftest import ON_POSTGRES, PG_URL, make_app, private_postgres_database


def _check(url: str) -> None:
    app = make_app(url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        _check_constraints_match()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "schools" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def _check_constraints_match() -> None:
    """Alembic's comparison leaves CHECK constraints out: every one the models name is in the
    migrated database (the text limits of migration 0013 among them), and no other."""
    from sqlalchemy import CheckConstraint

    inspector = inspect(db.engine)
    for table in db.metadata.sorted_tables:
        wanted = {str(c.name) for c in table.constraints if isinstance(c, CheckConstraint)}
        found = {c["name"] for c in inspector.get_check_constraints(table.name)}
        assert found == wanted, f"{table.name}: missing {wanted - found}, not in the models {found - wanted}"
    if db.engine.dialect.name == "sqlite":  # a batch rebuild of the table must keep these
        with db.engine.connect() as conn:
            sql = dict(conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE tbl_name = "
                                            "'governor_report_versions' AND type IN ('index', 'trigger')").all())
        assert "WHERE status <> 'published'" in sql["uq_governor_report_versions_open"]
        assert {"governor_report_published_no_update", "governor_report_published_no_delete"} <= set(sql)


def test_empty_to_head_and_back(tmp_path: Path):
    if ON_POSTGRES:
        with private_postgres_database(PG_URL, suffix="_migrations") as url:
            _check(url)
    else:
        _check(f"sqlite:///{tmp_path / 'empty.db'}")


def test_upgrading_a_database_that_holds_data(tmp_path: Path):
    """Every migration from the first runs over real rows: batch table rebuilds on SQLite must not
    trip over the foreign keys that point at them."""
    if ON_POSTGRES:
        with private_postgres_database(PG_URL, suffix="_upgrade") as url:
            _upgrade_with_data(url)
    else:
        _upgrade_with_data(f"sqlite:///{tmp_path / 'old.db'}")


def _upgrade_with_data(url: str) -> None:
    from sqlalchemy import text

    app = make_app(url)
    with app.app_context():
        upgrade(revision="0001_foundation")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO users (email, name, role, password_hash, is_disabled, created_at) "
                              "VALUES ('a@example.org', 'A', 'link_adviser', 'x', false, CURRENT_TIMESTAMP)"))
            user_id = conn.execute(text("SELECT id FROM users")).scalar_one()
            conn.execute(text(
                "INSERT INTO schools (urn, la_code, la_name, establishment_number, name, type_name, type_group, "
                "phase, status, head_name, street, locality, address3, town, county, postcode, website, telephone, "
                "trust_name, ofsted_rating, gias_digest, support_tier, mcs_level, is_vulnerable, "
                "has_significant_underachievement, link_adviser_id, created_at, updated_at) VALUES (100000, '999', "
                "'', '', 'Old School', '', '', '', 'Open', '', '', '', '', '', '', '', '', '', '', '', '', "
                "'light_touch', 1, false, false, :uid, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"uid": user_id})
            conn.execute(text("INSERT INTO audit_log (occurred_at, user_id, action, entity_type) "
                              "VALUES (CURRENT_TIMESTAMP, :uid, 'test', 'x')"), {"uid": user_id})
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM link_adviser_assignments")).scalar_one() == 1
            assert conn.execute(text("SELECT name FROM users")).scalar_one() == "A"
        db.engine.dispose()
