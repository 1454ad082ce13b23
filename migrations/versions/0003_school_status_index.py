"""index schools.status: every school list counts the open schools

Revision ID: 0003_school_status_index
Revises: 0002_casework
Create Date: 2026-11-23

"""
from alembic import op


revision = '0003_school_status_index'
down_revision = '0002_casework'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.create_index('ix_schools_status', ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.drop_index('ix_schools_status')
