"""failed_sign_ins: one row per e-mail address typed at sign-in (known to the service or not) with
its run of failures, the last failure and a lock, counted under a row lock so that concurrent
attempts take turns; login_attempts (one row per failure, counted by e-mail or network address)
goes: the limit per network address is now Flask-Limiter's, outside the database

Revision ID: 0013_sign_in_lockout
Revises: 0012_school_name_folded
Create Date: 2026-12-08

"""
from alembic import op
import sqlalchemy as sa


revision = '0013_sign_in_lockout'
down_revision = '0012_school_name_folded'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('failed_sign_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('failures', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('failures >= 0', name=op.f('ck_failed_sign_ins_failures_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_failed_sign_ins')),
    sa.UniqueConstraint('email', name=op.f('uq_failed_sign_ins_email'))
    )
    # Recent failures are not carried over: every count starts afresh (at worst, five more tries).
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_ip_at')
        batch_op.drop_index('ix_login_attempts_email_at')
    op.drop_table('login_attempts')


def downgrade():
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('ip_address', sa.String(length=45), nullable=True),
    sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempts_email_at', ['email', 'attempted_at'], unique=False)
        batch_op.create_index('ix_login_attempts_ip_at', ['ip_address', 'attempted_at'], unique=False)
    op.drop_table('failed_sign_ins')
