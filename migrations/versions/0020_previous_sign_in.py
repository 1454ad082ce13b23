"""users.previous_sign_in_at: the sign-in before the last, so that a home page can say what was
published since the person's last visit

Revision ID: 0020_previous_sign_in
Revises: 0019_national_data
Create Date: 2026-12-06

"""
from alembic import op
import sqlalchemy as sa


revision = '0020_previous_sign_in'
down_revision = '0019_national_data'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_sign_in_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('previous_sign_in_at')
