"""notifications (what each person was told, in the app and by e-mail, with the e-mail's fate and a
key that stops the same notice being made twice), notification_preferences (immediate, digest or
off, per person and kind) and reminders_sent (one daily digest per person per day)

Revision ID: 0021_notifications
Revises: 0020_previous_sign_in
Create Date: 2026-12-06

"""
from alembic import op
import sqlalchemy as sa


revision = '0021_notifications'
down_revision = '0020_previous_sign_in'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification_preferences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.CheckConstraint("mode IN ('immediate', 'digest', 'off')", name=op.f('ck_notification_preferences_mode_known')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_preferences')),
    sa.UniqueConstraint('user_id', 'kind', name=op.f('uq_notification_preferences_user_id_kind'))
    )
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('about_type', sa.String(length=40), nullable=True),
    sa.Column('about_id', sa.Integer(), nullable=True),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivery', sa.String(length=10), nullable=False),
    sa.Column('email_state', sa.String(length=10), nullable=False),
    sa.Column('emailed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('email_error', sa.Text(), nullable=True),
    sa.CheckConstraint("delivery IN ('immediate', 'digest', 'off')", name=op.f('ck_notifications_delivery_known')),
    sa.CheckConstraint("email_state IN ('not_sent', 'queued', 'sent', 'failed')", name=op.f('ck_notifications_email_state_known')),
    sa.CheckConstraint("kind IN ('note_sent', 'note_response', 'plan_submitted', 'plan_agreed', 'team_meeting', 'governor_report')", name=op.f('ck_notifications_kind_known')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('user_id', 'dedupe_key', name=op.f('uq_notifications_user_id_dedupe_key'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_state_delivery', ['email_state', 'delivery', 'created_at'], unique=False)
        batch_op.create_index('ix_notifications_user_created', ['user_id', 'created_at'], unique=False)
        batch_op.create_index('ix_notifications_user_read', ['user_id', 'read_at'], unique=False)
    op.create_table('reminders_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('about', sa.JSON(), nullable=False),
    sa.Column('email_state', sa.String(length=10), nullable=False),
    sa.Column('email_error', sa.Text(), nullable=True),
    sa.CheckConstraint("email_state IN ('not_sent', 'queued', 'sent', 'failed')", name=op.f('ck_reminders_sent_email_state_known')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reminders_sent_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders_sent')),
    sa.UniqueConstraint('user_id', 'sent_on', name=op.f('uq_reminders_sent_user_id_sent_on'))
    )


def downgrade():
    op.drop_table('reminders_sent')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_read')
        batch_op.drop_index('ix_notifications_user_created')
        batch_op.drop_index('ix_notifications_state_delivery')
    op.drop_table('notifications')
    op.drop_table('notification_preferences')
