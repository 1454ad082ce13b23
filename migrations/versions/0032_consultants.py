"""Consultants and enhanced support (issue 19, item 1): the `consultant` role with a specialism;
support_plans (a school's enhanced support for a year: purposes, outcomes hoped for and reached)
and consultant_deployments (who, for what, how many days); a note of visit may be a consultant's
support visit, recorded against a deployment with the days it used. Sharing4Success (item 2):
good_practice (the directory: nominated from a note of visit or a review's "what works well"
finding, agreed by the school with a contact) and school_partnerships (a lead school supports a
partner for a purpose, with dates and outcomes).

Revision ID: 0032_consultants
Revises: 0031_data_protection
Create Date: 2026-12-06

"""
from alembic import op
import sqlalchemy as sa


revision = '0032_consultants'
down_revision = '0031_data_protection'
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('admin', 'link_adviser', 'sia', 'project_team', 'school_leader', 'governor')"
NEW_ROLES = "role IN ('admin', 'link_adviser', 'sia', 'project_team', 'consultant', 'school_leader', 'governor')"
ASPECTS = "'support4success', 'sharing4success', 'leading4success', 'thirst4success'"
THEMES = ("'reading', 'writing', 'mathematics', 'science', 'early_years', 'send', 'assessment', 'teaching', "
          "'curriculum', 'leadership', 'support_staff', 'ict', 'attendance', 'other'")
SPECIALISMS = "specialism IS NULL OR specialism IN ('literacy', 'numeracy', 'ict', 'science', 'early_years', 'other')"


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('specialism', sa.String(length=20), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_users_role_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_users_role_known'), NEW_ROLES)
        batch_op.create_check_constraint(batch_op.f('ck_users_specialism_known'), SPECIALISMS)
        batch_op.create_check_constraint(batch_op.f('ck_users_specialism_for_consultants'),
                                         "(role = 'consultant') = (specialism IS NOT NULL)")

    op.create_table('support_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('academic_year', sa.String(length=7), nullable=False),
    sa.Column('purposes', sa.Text(), nullable=False),
    sa.Column('outcome_hoped', sa.Text(), nullable=False),
    sa.Column('outcome_reached', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('length(purposes) <= 20000', name=op.f('ck_support_plans_purposes_length')),
    sa.CheckConstraint('length(outcome_hoped) <= 20000', name=op.f('ck_support_plans_outcome_hoped_length')),
    sa.CheckConstraint('length(outcome_reached) <= 20000', name=op.f('ck_support_plans_outcome_reached_length')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_support_plans_created_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_support_plans_school_id_schools'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_plans')),
    sa.UniqueConstraint('school_id', 'academic_year', name='uq_support_plans_school_year')
    )
    op.create_table('consultant_deployments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('consultant_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('days_allocated', sa.Numeric(precision=4, scale=1), nullable=False),
    sa.CheckConstraint('days_allocated > 0 AND days_allocated <= 200', name=op.f('ck_consultant_deployments_days_in_range')),
    sa.CheckConstraint('length(purpose) <= 2000', name=op.f('ck_consultant_deployments_purpose_length')),
    sa.ForeignKeyConstraint(['consultant_id'], ['users.id'], name=op.f('fk_consultant_deployments_consultant_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['plan_id'], ['support_plans.id'], name=op.f('fk_consultant_deployments_plan_id_support_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_consultant_deployments_school_id_schools'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultant_deployments'))
    )
    with op.batch_alter_table('consultant_deployments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultant_deployments_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index('ix_consultant_deployments_consultant', ['consultant_id', 'school_id'], unique=False)

    with op.batch_alter_table('notes_of_visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deployment_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('days_spent', sa.Numeric(precision=3, scale=1), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notes_of_visit_deployment_id_consultant_deployments'),
                                    'consultant_deployments', ['deployment_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_index(batch_op.f('ix_notes_of_visit_deployment_id'), ['deployment_id'], unique=False)
        batch_op.create_check_constraint(batch_op.f('ck_notes_of_visit_days_spent_in_range'),
                                         'days_spent IS NULL OR (days_spent > 0 AND days_spent <= 5)')
        batch_op.create_check_constraint(batch_op.f('ck_notes_of_visit_deployment_days_given'),
                                         'deployment_id IS NULL OR days_spent IS NOT NULL')

    op.create_table('good_practice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('theme', sa.String(length=20), nullable=False),
    sa.Column('aspect', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('note_id', sa.Integer(), nullable=True),
    sa.Column('finding_id', sa.Integer(), nullable=True),
    sa.Column('nominated_by_id', sa.Integer(), nullable=False),
    sa.Column('nominated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=False),
    sa.Column('contact_email', sa.String(length=200), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=False),
    sa.CheckConstraint(f"theme IN ({THEMES})", name=op.f('ck_good_practice_theme_known')),
    sa.CheckConstraint(f"aspect IN ({ASPECTS})", name=op.f('ck_good_practice_aspect_known')),
    sa.CheckConstraint("status IN ('nominated', 'agreed', 'declined')", name=op.f('ck_good_practice_status_known')),
    sa.CheckConstraint('(note_id IS NULL) <> (finding_id IS NULL)', name=op.f('ck_good_practice_one_source')),
    sa.CheckConstraint("status <> 'agreed' OR (contact_name <> '' AND decided_at IS NOT NULL)", name=op.f('ck_good_practice_agreed_with_contact')),
    sa.CheckConstraint('length(title) <= 200', name=op.f('ck_good_practice_title_length')),
    sa.CheckConstraint('length(summary) <= 20000', name=op.f('ck_good_practice_summary_length')),
    sa.CheckConstraint('length(contact_name) <= 200', name=op.f('ck_good_practice_contact_name_length')),
    sa.CheckConstraint('length(contact_email) <= 200', name=op.f('ck_good_practice_contact_email_length')),
    sa.CheckConstraint('length(decline_reason) <= 2000', name=op.f('ck_good_practice_decline_reason_length')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_good_practice_school_id_schools'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['note_id'], ['notes_of_visit.id'], name=op.f('fk_good_practice_note_id_notes_of_visit'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['finding_id'], ['review_findings.id'], name=op.f('fk_good_practice_finding_id_review_findings'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['nominated_by_id'], ['users.id'], name=op.f('fk_good_practice_nominated_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_good_practice_decided_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_good_practice'))
    )
    with op.batch_alter_table('good_practice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_good_practice_note_id'), ['note_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_good_practice_finding_id'), ['finding_id'], unique=False)
        batch_op.create_index('ix_good_practice_status_theme', ['status', 'theme', 'aspect'], unique=False)
        batch_op.create_index('ix_good_practice_school', ['school_id', 'status'], unique=False)

    op.create_table('school_partnerships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_school_id', sa.Integer(), nullable=False),
    sa.Column('partner_school_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('aspect', sa.String(length=20), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('outcomes', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('lead_school_id <> partner_school_id', name=op.f('ck_school_partnerships_two_schools')),
    sa.CheckConstraint('ends_on IS NULL OR ends_on >= starts_on', name=op.f('ck_school_partnerships_ends_after_start')),
    sa.CheckConstraint(f"aspect IN ({ASPECTS})", name=op.f('ck_school_partnerships_aspect_known')),
    sa.CheckConstraint('length(purpose) <= 2000', name=op.f('ck_school_partnerships_purpose_length')),
    sa.CheckConstraint('length(outcomes) <= 20000', name=op.f('ck_school_partnerships_outcomes_length')),
    sa.ForeignKeyConstraint(['lead_school_id'], ['schools.id'], name=op.f('fk_school_partnerships_lead_school_id_schools'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['partner_school_id'], ['schools.id'], name=op.f('fk_school_partnerships_partner_school_id_schools'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_school_partnerships_created_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_school_partnerships'))
    )
    with op.batch_alter_table('school_partnerships', schema=None) as batch_op:
        batch_op.create_index('ix_school_partnerships_lead', ['lead_school_id', 'starts_on'], unique=False)
        batch_op.create_index('ix_school_partnerships_partner', ['partner_school_id', 'starts_on'], unique=False)


def downgrade():
    op.drop_table('school_partnerships')
    op.drop_table('good_practice')
    with op.batch_alter_table('notes_of_visit', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_notes_of_visit_deployment_days_given'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_notes_of_visit_days_spent_in_range'), type_='check')
        batch_op.drop_index(batch_op.f('ix_notes_of_visit_deployment_id'))
        batch_op.drop_constraint(batch_op.f('fk_notes_of_visit_deployment_id_consultant_deployments'), type_='foreignkey')
        batch_op.drop_column('days_spent')
        batch_op.drop_column('deployment_id')
    with op.batch_alter_table('consultant_deployments', schema=None) as batch_op:
        batch_op.drop_index('ix_consultant_deployments_consultant')
        batch_op.drop_index(batch_op.f('ix_consultant_deployments_plan_id'))
    op.drop_table('consultant_deployments')
    op.drop_table('support_plans')
    # Consultants become project team members again (their notes and deployments are gone above).
    op.execute("UPDATE users SET role = 'project_team', specialism = NULL WHERE role = 'consultant'")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_specialism_for_consultants'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_users_specialism_known'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_users_role_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_users_role_known'), OLD_ROLES)
        batch_op.drop_column('specialism')
