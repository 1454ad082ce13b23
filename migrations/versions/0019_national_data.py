"""National data about schools (issue 15): the catalogue of measures and where each is read from,
the LA and England totals schools are compared with, every import, every value keyed by (school
or comparator, measure, academic year) with the import it came from, and the values a later
import replaced. Indexed for one pass over every school and year: (measure, year) and
(school, measure, year).

Revision ID: 0019_national_data
Revises: 0018_transition_uniques
Create Date: 2026-12-09

"""
from alembic import op
import sqlalchemy as sa


revision = '0019_national_data'
down_revision = '0018_transition_uniques'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evidence_comparators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('la_code', sa.String(length=10), nullable=False),
    sa.Column('school_group', sa.String(length=40), nullable=False),
    sa.CheckConstraint("level IN ('la', 'national')", name=op.f('ck_evidence_comparators_level_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_comparators')),
    sa.UniqueConstraint('level', 'la_code', 'school_group', name='uq_evidence_comparators')
    )
    op.create_table('evidence_measures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('area', sa.String(length=80), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('higher_is_better', sa.Boolean(), nullable=True),
    sa.Column('charted', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=400), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_measures')),
    sa.UniqueConstraint('code', name=op.f('uq_evidence_measures_code'))
    )
    op.create_table('evidence_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('academic_year', sa.String(length=7), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('not_in_register', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_evidence_imports_imported_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_imports'))
    )
    with op.batch_alter_table('evidence_imports', schema=None) as batch_op:
        batch_op.create_index('ix_evidence_imports_imported_at', ['imported_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_imports_sha256'), ['sha256'], unique=False)

    op.create_table('evidence_measure_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('column_name', sa.String(length=200), nullable=False),
    sa.Column('date_column', sa.String(length=200), nullable=False),
    sa.Column('first_year', sa.String(length=7), nullable=False),
    sa.Column('last_year', sa.String(length=7), nullable=False),
    sa.ForeignKeyConstraint(['measure_id'], ['evidence_measures.id'], name=op.f('fk_evidence_measure_sources_measure_id_evidence_measures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_measure_sources')),
    sa.UniqueConstraint('measure_id', 'kind', 'column_name', 'first_year', name='uq_evidence_measure_sources')
    )
    with op.batch_alter_table('evidence_measure_sources', schema=None) as batch_op:
        batch_op.create_index('ix_evidence_measure_sources_kind', ['kind'], unique=False)

    op.create_table('evidence_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('comparator_id', sa.Integer(), nullable=True),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('academic_year', sa.String(length=7), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('number', sa.Float(), nullable=True),
    sa.Column('text', sa.String(length=200), nullable=True),
    sa.Column('day', sa.Date(), nullable=True),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("state IN ('value', 'suppressed', 'not_available', 'not_applicable')", name=op.f('ck_evidence_values_state_known')),
    sa.CheckConstraint('(school_id IS NULL) <> (comparator_id IS NULL)', name=op.f('ck_evidence_values_school_or_comparator')),
    sa.ForeignKeyConstraint(['comparator_id'], ['evidence_comparators.id'], name=op.f('fk_evidence_values_comparator_id_evidence_comparators'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['import_id'], ['evidence_imports.id'], name=op.f('fk_evidence_values_import_id_evidence_imports'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['measure_id'], ['evidence_measures.id'], name=op.f('fk_evidence_values_measure_id_evidence_measures'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_evidence_values_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_values')),
    sa.UniqueConstraint('comparator_id', 'measure_id', 'academic_year', name='uq_evidence_values_comparator'),
    sa.UniqueConstraint('school_id', 'measure_id', 'academic_year', name='uq_evidence_values_school')
    )
    with op.batch_alter_table('evidence_values', schema=None) as batch_op:
        batch_op.create_index('ix_evidence_values_import', ['import_id'], unique=False)
        batch_op.create_index('ix_evidence_values_measure_year', ['measure_id', 'academic_year'], unique=False)

    op.create_table('evidence_value_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('value_id', sa.Integer(), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['evidence_imports.id'], name=op.f('fk_evidence_value_changes_import_id_evidence_imports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['value_id'], ['evidence_values.id'], name=op.f('fk_evidence_value_changes_value_id_evidence_values'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_value_changes'))
    )
    with op.batch_alter_table('evidence_value_changes', schema=None) as batch_op:
        batch_op.create_index('ix_evidence_value_changes_import', ['import_id'], unique=False)



def downgrade():
    with op.batch_alter_table('evidence_value_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_value_changes_import')

    op.drop_table('evidence_value_changes')
    with op.batch_alter_table('evidence_values', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_values_measure_year')
        batch_op.drop_index('ix_evidence_values_import')

    op.drop_table('evidence_values')
    with op.batch_alter_table('evidence_measure_sources', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_measure_sources_kind')

    op.drop_table('evidence_measure_sources')
    with op.batch_alter_table('evidence_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_imports_sha256'))
        batch_op.drop_index('ix_evidence_imports_imported_at')

    op.drop_table('evidence_imports')
    op.drop_table('evidence_measures')
    op.drop_table('evidence_comparators')
