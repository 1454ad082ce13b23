"""The home page of tasks at national scale (issue 16, item 7): change_counters (the `la_tasks`
counter under which task counts are kept between requests), and indexes from the person: an
adviser's notes by stage, the owners of visit and plan actions, a team's coordinator

Revision ID: 0026_task_home
Revises: 0025_decision_moves_index
Create Date: 2026-12-06

"""
import sqlalchemy as sa
from alembic import op


revision = '0026_task_home'
down_revision = '0025_decision_moves_index'
branch_labels = None
depends_on = None


def upgrade():
    counters = op.create_table(
        'change_counters',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.CheckConstraint('value >= 0', name=op.f('ck_change_counters_not_negative')),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_change_counters')),
    )
    op.bulk_insert(counters, [{'name': 'la_tasks', 'value': 0}])
    with op.batch_alter_table('notes_of_visit', schema=None) as batch_op:
        batch_op.create_index('ix_notes_of_visit_adviser_status', ['adviser_id', 'status', 'response_due_on'],
                              unique=False)
    with op.batch_alter_table('visit_actions', schema=None) as batch_op:
        batch_op.create_index('ix_visit_actions_owner', ['owner_id', 'status', 'due_on'], unique=False)
    with op.batch_alter_table('plan_actions', schema=None) as batch_op:
        batch_op.create_index('ix_plan_actions_owner', ['owner_id', 'status', 'due_on'], unique=False)
    with op.batch_alter_table('project_teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_teams_coordinator_id'), ['coordinator_id'], unique=False)


def downgrade():
    with op.batch_alter_table('project_teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_teams_coordinator_id'))
    with op.batch_alter_table('plan_actions', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_actions_owner')
    with op.batch_alter_table('visit_actions', schema=None) as batch_op:
        batch_op.drop_index('ix_visit_actions_owner')
    with op.batch_alter_table('notes_of_visit', schema=None) as batch_op:
        batch_op.drop_index('ix_notes_of_visit_adviser_status')
    op.drop_table('change_counters')
