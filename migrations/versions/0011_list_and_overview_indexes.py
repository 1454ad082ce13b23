"""the school list and the overview read indexes, not whole tables: schools (phase, name,
status) and (phase, number_of_pupils, name, status), so that one phase's schools are paged by
name or by size and counted from an index (replacing the index on phase alone); the overview's
kept open actions carry their school's link adviser, so that a page of advisers' overdue actions
is a range of an index (open schools only); the plans dashboard counts open plans and reviews due
from covering indexes

Revision ID: 0011_list_and_overview_indexes
Revises: 0010_edit_versions
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


revision = '0011_list_and_overview_indexes'
down_revision = '0010_edit_versions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('open_action_tallies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_adviser_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_open_action_tallies_adviser_due', ['link_adviser_id', 'due_on', 'school_id', 'actions'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_open_action_tallies_link_adviser_id_users'), 'users', ['link_adviser_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schools_phase'))
        batch_op.create_index('ix_schools_phase_name', ['phase', 'name', 'status'], unique=False)
        batch_op.create_index('ix_schools_phase_pupils', ['phase', 'number_of_pupils', 'name', 'status'], unique=False)

    # The plans dashboard's totals from indexes alone.
    with op.batch_alter_table('midpoint_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_midpoint_reviews_due'))
        batch_op.create_index('ix_midpoint_reviews_due', ['held_on', 'scheduled_on', 'school_id'], unique=False)
    with op.batch_alter_table('raising_achievement_plans', schema=None) as batch_op:
        batch_op.create_index('ix_raising_achievement_plans_school_open',
                              ['school_id', 'status', 'root_id', 'first_open_due_on'], unique=False)

    # The kept open actions carry their school's link adviser, and are kept for open schools only.
    op.execute("UPDATE open_action_tallies SET link_adviser_id = "
               "(SELECT link_adviser_id FROM schools WHERE schools.id = open_action_tallies.school_id)")
    op.execute("DELETE FROM open_action_tallies WHERE school_id IN (SELECT id FROM schools WHERE status = 'Closed')")


def downgrade():
    with op.batch_alter_table('raising_achievement_plans', schema=None) as batch_op:
        batch_op.drop_index('ix_raising_achievement_plans_school_open')
    with op.batch_alter_table('midpoint_reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_midpoint_reviews_due')
        batch_op.create_index(batch_op.f('ix_midpoint_reviews_due'), ['held_on', 'scheduled_on'], unique=False)

    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.drop_index('ix_schools_phase_pupils')
        batch_op.drop_index('ix_schools_phase_name')
        batch_op.create_index(batch_op.f('ix_schools_phase'), ['phase'], unique=False)

    with op.batch_alter_table('open_action_tallies', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_open_action_tallies_link_adviser_id_users'), type_='foreignkey')
        batch_op.drop_index('ix_open_action_tallies_adviser_due')
        batch_op.drop_column('link_adviser_id')

