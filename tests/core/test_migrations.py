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
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "schools" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_empty_to_head_and_back(tmp_path: Path):
    if ON_POSTGRES:
        with private_postgres_database(PG_URL, suffix="_migrations") as url:
            _check(url)
    else:
        _check(f"sqlite:///{tmp_path / 'empty.db'}")
