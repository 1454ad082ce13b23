"""sign-in with the council's identity provider: sign_in_groups (a group's role),
council_identities (whose council account is whose) and council_sessions (the ID token of each
session a council sign-in began, for the provider's sign-out)

Revision ID: 0029_oidc
Revises: 0028_api_tokens
Create Date: 2026-12-07

"""
from alembic import op
import sqlalchemy as sa


revision = '0029_oidc'
down_revision = '0028_api_tokens'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_in_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_name', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('admin', 'sia', 'link_adviser', 'project_team')",
                       name=op.f('ck_sign_in_groups_role_for_staff')),
    sa.CheckConstraint('length(group_name) >= 1', name=op.f('ck_sign_in_groups_group_name_not_empty')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_groups')),
    sa.UniqueConstraint('group_name', name=op.f('uq_sign_in_groups_group_name'))
    )
    op.create_table('council_identities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('linked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_sign_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_council_identities_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_council_identities')),
    sa.UniqueConstraint('issuer', 'subject', name=op.f('uq_council_identities_issuer_subject')),
    sa.UniqueConstraint('user_id', 'issuer', name=op.f('uq_council_identities_user_id_issuer'))
    )
    op.create_table('council_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_session_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=255), nullable=False),
    sa.Column('id_token', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_council_sessions_user_id_users'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_session_id'], ['user_sessions.id'],
                            name=op.f('fk_council_sessions_user_session_id_user_sessions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_council_sessions')),
    sa.UniqueConstraint('user_session_id', name=op.f('uq_council_sessions_user_session_id'))
    )
    with op.batch_alter_table('council_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_council_sessions_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_council_sessions_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('council_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_council_sessions_user_id'))
        batch_op.drop_index(batch_op.f('ix_council_sessions_created_at'))
    op.drop_table('council_sessions')
    op.drop_table('council_identities')
    op.drop_table('sign_in_groups')
