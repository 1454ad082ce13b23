"""Unique indexes that make a doubled state change impossible in the database itself, whatever
the code above it: one version N of a plan series (two amendments started at once would both be
version 2), and one queued or running bulk run of the governor reports per term.

Revision ID: 0018_transition_uniques
Revises: 0017_action_owners_on_plan
Create Date: 2026-12-08

"""
from alembic import op
import sqlalchemy as sa


revision = '0018_transition_uniques'
down_revision = '0017_action_owners_on_plan'
branch_labels = None
depends_on = None

ACTIVE = sa.text("status IN ('queued', 'running')")


def _refuse_duplicates(sql: str, what: str) -> None:
    rows = op.get_bind().execute(sa.text(sql)).all()
    if rows:
        listed = ", ".join(" ".join(str(v) for v in row) for row in rows[:20])
        raise RuntimeError(f"Cannot add the unique index: {what} are doubled ({listed}). Resolve them by hand, "
                           "then migrate again.")


def upgrade():
    _refuse_duplicates("SELECT root_id, version FROM raising_achievement_plans WHERE root_id IS NOT NULL "
                       "GROUP BY root_id, version HAVING count(*) > 1",
                       "these plan series and versions (root_id version)")
    # A run left queued or running by a process that died is over: close it, as the next run would.
    op.execute("UPDATE report_bulk_runs SET status = 'failed', error = 'Stopped: another run of the same term was "
               "started at the same time.' WHERE status IN ('queued', 'running') AND id NOT IN "
               "(SELECT max(id) FROM report_bulk_runs WHERE status IN ('queued', 'running') GROUP BY term)")
    op.create_index('uq_raising_achievement_plans_series_version', 'raising_achievement_plans',
                    ['root_id', 'version'], unique=True)
    op.create_index('uq_report_bulk_runs_term_active', 'report_bulk_runs', ['term'], unique=True,
                    sqlite_where=ACTIVE, postgresql_where=ACTIVE)


def downgrade():
    op.drop_index('uq_report_bulk_runs_term_active', table_name='report_bulk_runs')
    op.drop_index('uq_raising_achievement_plans_series_version', table_name='raising_achievement_plans')
