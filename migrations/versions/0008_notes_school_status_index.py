"""index notes_of_visit (school_id, status, visit_date): a caseload's notes awaiting the school's
response are found through its schools, not by reading every sent note in the country (with
visit_date, so that a count of visits by school reads the index alone)

Revision ID: 0008_notes_school_status_index
Revises: 0007_governor_reports
Create Date: 2026-12-03

"""
from alembic import op


revision = '0008_notes_school_status_index'
down_revision = '0007_governor_reports'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_notes_of_visit_school_status', 'notes_of_visit', ['school_id', 'status', 'visit_date'], unique=False)


def downgrade():
    op.drop_index('ix_notes_of_visit_school_status', table_name='notes_of_visit')
