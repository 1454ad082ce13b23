"""Data protection (issue 18, item 6): read_audit (who viewed or downloaded which note, report,
plan or file), retention_rules (the retention schedule as data, seeded with the defaults below) and
retention_runs (what each run of `lea-support retention apply` did)

Revision ID: 0031_data_protection
Revises: 0030_mfa
Create Date: 2026-12-07

"""
from alembic import op
import sqlalchemy as sa


revision = '0031_data_protection'
down_revision = '0030_mfa'
branch_labels = None
depends_on = None

# The defaults: a finalised note of visit six years (the LA's usual schedule for school
# improvement casework), the read audit two years, failed sign-ins 90 days, notifications a year.
DEFAULT_RULES = [
    {"kind": "note_of_visit", "date_field": "finalised_at", "period": 6, "period_unit": "years", "action": "delete"},
    {"kind": "read_audit", "date_field": "occurred_at", "period": 2, "period_unit": "years", "action": "delete"},
    {"kind": "failed_sign_ins", "date_field": "last_failed_at", "period": 90, "period_unit": "days", "action": "delete"},
    {"kind": "notifications", "date_field": "created_at", "period": 1, "period_unit": "years", "action": "delete"},
]


def upgrade():
    op.create_table('read_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('record_kind', sa.String(length=30), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('how', sa.String(length=10), nullable=False),
    sa.CheckConstraint("how IN ('view', 'download')", name=op.f('ck_read_audit_how_known')),
    sa.CheckConstraint("record_kind IN ('note_of_visit', 'visit_attachment', 'review_report', 'plan', "
                       "'governor_report')", name=op.f('ck_read_audit_kind_known')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_read_audit_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_read_audit'))
    )
    with op.batch_alter_table('read_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_read_audit_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index('ix_read_audit_record', ['record_kind', 'record_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_read_audit_user_occurred', ['user_id', 'occurred_at'], unique=False)

    op.create_table('retention_rules',
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('date_field', sa.String(length=40), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('period_unit', sa.String(length=10), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default='1', nullable=False),
    sa.CheckConstraint("action IN ('delete', 'anonymise')", name=op.f('ck_retention_rules_action_known')),
    sa.CheckConstraint("period_unit IN ('days', 'months', 'years')", name=op.f('ck_retention_rules_unit_known')),
    sa.CheckConstraint('period BETWEEN 1 AND 1200', name=op.f('ck_retention_rules_period_in_range')),
    sa.PrimaryKeyConstraint('kind', name=op.f('pk_retention_rules'))
    )
    rules = sa.table('retention_rules', sa.column('kind', sa.String()), sa.column('date_field', sa.String()),
                     sa.column('period', sa.Integer()), sa.column('period_unit', sa.String()),
                     sa.column('action', sa.String()))
    op.bulk_insert(rules, DEFAULT_RULES)

    op.create_table('retention_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('results', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_runs'))
    )


def downgrade():
    op.drop_table('retention_runs')
    op.drop_table('retention_rules')
    with op.batch_alter_table('read_audit', schema=None) as batch_op:
        batch_op.drop_index('ix_read_audit_user_occurred')
        batch_op.drop_index('ix_read_audit_record')
        batch_op.drop_index(batch_op.f('ix_read_audit_occurred_at'))

    op.drop_table('read_audit')
