"""Statutory intervention (issue 18, items 1 and 2): bank_holidays (England and Wales, 2020 to 2030,
seeded here from the gov.uk list with substitute days and the one-off holidays of 2020, 2022 and
2023; 2028 to 2030 by the rules the list follows, as gov.uk publishes only two years ahead; kept by
administrators from then on), warning_notices (s60 of the Education and Inspections Act 2006: at
least one of the three grounds, by the database's own check), intervention_powers (what the LA did
once the school became eligible for intervention) and dfe_referrals (concerns about academies and
free schools referred to the DfE's regional director)

Revision ID: 0027_warning_notices
Revises: 0026_task_home
Create Date: 2026-12-06

"""
from datetime import date

from alembic import op
import sqlalchemy as sa


revision = '0027_warning_notices'
down_revision = '0026_task_home'
branch_labels = None
depends_on = None

SUBSTITUTE = " (substitute day)"
BANK_HOLIDAYS = [
    (date(2020, 1, 1), "New Year’s Day"), (date(2020, 4, 10), "Good Friday"), (date(2020, 4, 13), "Easter Monday"),
    (date(2020, 5, 8), "Early May bank holiday (VE day)"), (date(2020, 5, 25), "Spring bank holiday"),
    (date(2020, 8, 31), "Summer bank holiday"), (date(2020, 12, 25), "Christmas Day"),
    (date(2020, 12, 28), "Boxing Day" + SUBSTITUTE),
    (date(2021, 1, 1), "New Year’s Day"), (date(2021, 4, 2), "Good Friday"), (date(2021, 4, 5), "Easter Monday"),
    (date(2021, 5, 3), "Early May bank holiday"), (date(2021, 5, 31), "Spring bank holiday"),
    (date(2021, 8, 30), "Summer bank holiday"), (date(2021, 12, 27), "Christmas Day" + SUBSTITUTE),
    (date(2021, 12, 28), "Boxing Day" + SUBSTITUTE),
    (date(2022, 1, 3), "New Year’s Day" + SUBSTITUTE), (date(2022, 4, 15), "Good Friday"),
    (date(2022, 4, 18), "Easter Monday"), (date(2022, 5, 2), "Early May bank holiday"),
    (date(2022, 6, 2), "Spring bank holiday"), (date(2022, 6, 3), "Platinum Jubilee bank holiday"),
    (date(2022, 8, 29), "Summer bank holiday"),
    (date(2022, 9, 19), "Bank Holiday for the State Funeral of Queen Elizabeth II"),
    (date(2022, 12, 26), "Boxing Day"), (date(2022, 12, 27), "Christmas Day" + SUBSTITUTE),
    (date(2023, 1, 2), "New Year’s Day" + SUBSTITUTE), (date(2023, 4, 7), "Good Friday"),
    (date(2023, 4, 10), "Easter Monday"), (date(2023, 5, 1), "Early May bank holiday"),
    (date(2023, 5, 8), "Bank holiday for the coronation of King Charles III"),
    (date(2023, 5, 29), "Spring bank holiday"), (date(2023, 8, 28), "Summer bank holiday"),
    (date(2023, 12, 25), "Christmas Day"), (date(2023, 12, 26), "Boxing Day"),
    (date(2024, 1, 1), "New Year’s Day"), (date(2024, 3, 29), "Good Friday"), (date(2024, 4, 1), "Easter Monday"),
    (date(2024, 5, 6), "Early May bank holiday"), (date(2024, 5, 27), "Spring bank holiday"),
    (date(2024, 8, 26), "Summer bank holiday"), (date(2024, 12, 25), "Christmas Day"),
    (date(2024, 12, 26), "Boxing Day"),
    (date(2025, 1, 1), "New Year’s Day"), (date(2025, 4, 18), "Good Friday"), (date(2025, 4, 21), "Easter Monday"),
    (date(2025, 5, 5), "Early May bank holiday"), (date(2025, 5, 26), "Spring bank holiday"),
    (date(2025, 8, 25), "Summer bank holiday"), (date(2025, 12, 25), "Christmas Day"),
    (date(2025, 12, 26), "Boxing Day"),
    (date(2026, 1, 1), "New Year’s Day"), (date(2026, 4, 3), "Good Friday"), (date(2026, 4, 6), "Easter Monday"),
    (date(2026, 5, 4), "Early May bank holiday"), (date(2026, 5, 25), "Spring bank holiday"),
    (date(2026, 8, 31), "Summer bank holiday"), (date(2026, 12, 25), "Christmas Day"),
    (date(2026, 12, 28), "Boxing Day" + SUBSTITUTE),
    (date(2027, 1, 1), "New Year’s Day"), (date(2027, 3, 26), "Good Friday"), (date(2027, 3, 29), "Easter Monday"),
    (date(2027, 5, 3), "Early May bank holiday"), (date(2027, 5, 31), "Spring bank holiday"),
    (date(2027, 8, 30), "Summer bank holiday"), (date(2027, 12, 27), "Christmas Day" + SUBSTITUTE),
    (date(2027, 12, 28), "Boxing Day" + SUBSTITUTE),
    (date(2028, 1, 3), "New Year’s Day" + SUBSTITUTE), (date(2028, 4, 14), "Good Friday"),
    (date(2028, 4, 17), "Easter Monday"), (date(2028, 5, 1), "Early May bank holiday"),
    (date(2028, 5, 29), "Spring bank holiday"), (date(2028, 8, 28), "Summer bank holiday"),
    (date(2028, 12, 25), "Christmas Day"), (date(2028, 12, 26), "Boxing Day"),
    (date(2029, 1, 1), "New Year’s Day"), (date(2029, 3, 30), "Good Friday"), (date(2029, 4, 2), "Easter Monday"),
    (date(2029, 5, 7), "Early May bank holiday"), (date(2029, 5, 28), "Spring bank holiday"),
    (date(2029, 8, 27), "Summer bank holiday"), (date(2029, 12, 25), "Christmas Day"),
    (date(2029, 12, 26), "Boxing Day"),
    (date(2030, 1, 1), "New Year’s Day"), (date(2030, 4, 19), "Good Friday"), (date(2030, 4, 22), "Easter Monday"),
    (date(2030, 5, 6), "Early May bank holiday"), (date(2030, 5, 27), "Spring bank holiday"),
    (date(2030, 8, 26), "Summer bank holiday"), (date(2030, 12, 25), "Christmas Day"),
    (date(2030, 12, 26), "Boxing Day"),
]


def upgrade():
    op.create_table('bank_holidays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('falls_on', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.CheckConstraint('length(name) <= 200', name=op.f('ck_bank_holidays_name_length')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_holidays')),
    sa.UniqueConstraint('falls_on', name=op.f('uq_bank_holidays_falls_on'))
    )
    holidays = sa.table('bank_holidays', sa.column('falls_on', sa.Date()), sa.column('name', sa.String()))
    op.bulk_insert(holidays, [{"falls_on": day, "name": name} for day, name in BANK_HOLIDAYS])
    op.create_table('dfe_referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('referred_on', sa.Date(), nullable=False),
    sa.Column('referred_by_id', sa.Integer(), nullable=False),
    sa.Column('grounds', sa.Text(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(evidence) <= 20000', name=op.f('ck_dfe_referrals_evidence_length')),
    sa.CheckConstraint('length(grounds) <= 20000', name=op.f('ck_dfe_referrals_grounds_length')),
    sa.ForeignKeyConstraint(['referred_by_id'], ['users.id'], name=op.f('fk_dfe_referrals_referred_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_dfe_referrals_school_id_schools'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dfe_referrals'))
    )
    with op.batch_alter_table('dfe_referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dfe_referrals_school_id'), ['school_id'], unique=False)

    op.create_table('warning_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=False),
    sa.Column('ground_standards', sa.Boolean(), nullable=False),
    sa.Column('ground_leadership', sa.Boolean(), nullable=False),
    sa.Column('ground_safety', sa.Boolean(), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('required_action', sa.Text(), nullable=False),
    sa.Column('comply_by', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_changed_on', sa.Date(), nullable=True),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version_id', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("status IN ('issued', 'complied')", name=op.f('ck_warning_notices_status_known')),
    sa.CheckConstraint('comply_by > issued_on', name=op.f('ck_warning_notices_comply_after_issue')),
    sa.CheckConstraint('ground_standards OR ground_leadership OR ground_safety', name=op.f('ck_warning_notices_a_ground')),
    sa.CheckConstraint('length(reasons) <= 20000', name=op.f('ck_warning_notices_reasons_length')),
    sa.CheckConstraint('length(required_action) <= 20000', name=op.f('ck_warning_notices_required_action_length')),
    sa.CheckConstraint('length(status_reason) <= 20000', name=op.f('ck_warning_notices_status_reason_length')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_warning_notices_issued_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_warning_notices_school_id_schools'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warning_notices'))
    )
    with op.batch_alter_table('warning_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_warning_notices_school_id'), ['school_id'], unique=False)
        batch_op.create_index('ix_warning_notices_status_comply_by', ['status', 'comply_by'], unique=False)

    op.create_table('intervention_powers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('power', sa.String(length=40), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('takes_effect_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('documents', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("power IN ('additional_governors', 'interim_executive_board', 'suspend_budget')", name=op.f('ck_intervention_powers_power_known')),
    sa.CheckConstraint('ends_on IS NULL OR ends_on > takes_effect_on', name=op.f('ck_intervention_powers_ends_after_effect')),
    sa.CheckConstraint('length(documents) <= 20000', name=op.f('ck_intervention_powers_documents_length')),
    sa.CheckConstraint('takes_effect_on >= decided_on', name=op.f('ck_intervention_powers_effect_after_decision')),
    sa.ForeignKeyConstraint(['notice_id'], ['warning_notices.id'], name=op.f('fk_intervention_powers_notice_id_warning_notices'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_intervention_powers_recorded_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_intervention_powers_school_id_schools'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intervention_powers'))
    )
    with op.batch_alter_table('intervention_powers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intervention_powers_notice_id'), ['notice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_intervention_powers_school_id'), ['school_id'], unique=False)



def downgrade():
    with op.batch_alter_table('intervention_powers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intervention_powers_school_id'))
        batch_op.drop_index(batch_op.f('ix_intervention_powers_notice_id'))

    op.drop_table('intervention_powers')
    with op.batch_alter_table('warning_notices', schema=None) as batch_op:
        batch_op.drop_index('ix_warning_notices_status_comply_by')
        batch_op.drop_index(batch_op.f('ix_warning_notices_school_id'))

    op.drop_table('warning_notices')
    with op.batch_alter_table('dfe_referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dfe_referrals_school_id'))

    op.drop_table('dfe_referrals')
    op.drop_table('bank_holidays')
