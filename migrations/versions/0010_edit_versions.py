"""edit versions: optimistic locks for the records people edit through a form that had none
(fieldwork evidence, a review's evaluation and report draft, a school's support decision, user
accounts, support tiers), so that the second of two saves from the same copy is refused

Revision ID: 0010_edit_versions
Revises: 0009_overview_summaries
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


revision = '0010_edit_versions'
down_revision = '0009_overview_summaries'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('fieldwork_evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('edit_version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('joint_reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evaluation_version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('findings_version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.add_column(sa.Column('support_version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('support_tiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('edit_version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('edit_version', sa.Integer(), server_default='1', nullable=False))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('edit_version')

    with op.batch_alter_table('support_tiers', schema=None) as batch_op:
        batch_op.drop_column('edit_version')

    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.drop_column('support_version')

    with op.batch_alter_table('joint_reviews', schema=None) as batch_op:
        batch_op.drop_column('findings_version')
        batch_op.drop_column('evaluation_version')

    with op.batch_alter_table('fieldwork_evidence', schema=None) as batch_op:
        batch_op.drop_column('edit_version')

