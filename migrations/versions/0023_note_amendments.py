"""visit_note_amendments: the adviser's changes to a note's body in answer to the school's
factual-accuracy comments, each with before and after; visit_actions.owner_id: an agreed action's
owner as an account, so that "My actions" lists it for them

Revision ID: 0023_note_amendments
Revises: 0022_letterhead
Create Date: 2026-12-07

"""
from alembic import op
import sqlalchemy as sa


revision = '0023_note_amendments'
# Chained after 0021_notifications once that is on main (written concurrently); until then after 0020.
down_revision = '0022_letterhead'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('visit_note_amendments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=30), nullable=False),
    sa.Column('before_text', sa.Text(), nullable=False),
    sa.Column('after_text', sa.Text(), nullable=False),
    sa.Column('answers_event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('amended_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("field IN ('purpose', 'people_met', 'discussion', 'strengths', 'areas_for_development')",
                       name=op.f('ck_visit_note_amendments_field_known')),
    sa.CheckConstraint('length(before_text) <= 20000', name=op.f('ck_visit_note_amendments_before_text_length')),
    sa.CheckConstraint('length(after_text) <= 20000', name=op.f('ck_visit_note_amendments_after_text_length')),
    sa.ForeignKeyConstraint(['note_id'], ['notes_of_visit.id'], ondelete='CASCADE',
                            name=op.f('fk_visit_note_amendments_note_id_notes_of_visit')),
    sa.ForeignKeyConstraint(['answers_event_id'], ['visit_note_events.id'], ondelete='RESTRICT',
                            name=op.f('fk_visit_note_amendments_answers_event_id_visit_note_events')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='RESTRICT',
                            name=op.f('fk_visit_note_amendments_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_note_amendments'))
    )
    op.create_index(op.f('ix_visit_note_amendments_note_id'), 'visit_note_amendments', ['note_id'], unique=False)
    with op.batch_alter_table('visit_actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_visit_actions_owner_id_users'), 'users', ['owner_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_visit_actions_owner_id'), ['owner_id'], unique=False)


def downgrade():
    with op.batch_alter_table('visit_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_actions_owner_id'))
        batch_op.drop_constraint(batch_op.f('fk_visit_actions_owner_id_users'), type_='foreignkey')
        batch_op.drop_column('owner_id')
    op.drop_index(op.f('ix_visit_note_amendments_note_id'), table_name='visit_note_amendments')
    op.drop_table('visit_note_amendments')
