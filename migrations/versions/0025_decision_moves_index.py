"""index support_decisions (decided_at, previous_tier, support_tier): the overview's chart of tier
moves this academic year reads a range of the index instead of every decision in the country

Revision ID: 0025_decision_moves_index
Revises: 0024_signals
Create Date: 2026-12-06

"""
from alembic import op


revision = '0025_decision_moves_index'
down_revision = '0024_signals'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('support_decisions', schema=None) as batch_op:
        batch_op.create_index('ix_support_decisions_decided_tiers', ['decided_at', 'previous_tier', 'support_tier'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('support_decisions', schema=None) as batch_op:
        batch_op.drop_index('ix_support_decisions_decided_tiers')
