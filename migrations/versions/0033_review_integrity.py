"""Review integrity and monitoring that keeps to the process (issue 18, items 3 and 4):
joint_reviews.evaluation_shared_at/by (the lead shares the evaluation with the school's
participants), school_aspect_views (the school's own view of each aspect, apart from the agreed
judgement), midpoint_reviews.adviser_capacity_grade and link_adviser_id (capacity to improve
judged by the link adviser as well as the SIA) and off_window_reason (a mid-point review held
outside the 8-16 week window), improvement_notices.capacity_reason (a notice although capacity was
judged good or better), raising_achievement_plans.closed_on and closure_outcome with the status
"closed" (a plan closed on de-escalation rather than left in force)

Revision ID: 0033_review_integrity
Revises: 0032_consultants
Create Date: 2026-12-07

"""
from alembic import op
import sqlalchemy as sa

revision = '0033_review_integrity'
down_revision = '0032_consultants'
branch_labels = None
depends_on = None

LONG_TEXT = 20000
OLD_PLAN_STATUSES = "status IN ('draft', 'submitted', 'agreed', 'superseded')"
NEW_PLAN_STATUSES = "status IN ('draft', 'submitted', 'agreed', 'superseded', 'closed')"


def upgrade():
    with op.batch_alter_table('joint_reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evaluation_shared_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('evaluation_shared_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_joint_reviews_evaluation_shared_by_id_users'), 'users',
                                    ['evaluation_shared_by_id'], ['id'], ondelete='RESTRICT')

    op.create_table(
        'school_aspect_views',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('aspect_id', sa.Integer(), nullable=False),
        sa.Column('scale_id', sa.Integer(), nullable=False),
        sa.Column('grade', sa.Integer(), nullable=True),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('grade IS NULL OR grade BETWEEN 1 AND 7', name=op.f('ck_school_aspect_views_grade_on_scale')),
        sa.CheckConstraint(f'length(comment) <= {LONG_TEXT}', name=op.f('ck_school_aspect_views_comment_length')),
        sa.ForeignKeyConstraint(['review_id'], ['joint_reviews.id'], name=op.f('fk_school_aspect_views_review_id_joint_reviews'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['aspect_id'], ['review_aspects.id'],
                                name=op.f('fk_school_aspect_views_aspect_id_review_aspects'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['scale_id'], ['judgement_scales.id'],
                                name=op.f('fk_school_aspect_views_scale_id_judgement_scales'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_school_aspect_views_recorded_by_id_users'),
                                ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_school_aspect_views')),
        sa.UniqueConstraint('review_id', 'aspect_id', name='uq_school_aspect_views_pair'),
    )

    with op.batch_alter_table('midpoint_reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('adviser_capacity_grade', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('link_adviser_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('off_window_reason', sa.Text(), server_default='', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_midpoint_reviews_link_adviser_id_users'), 'users',
                                    ['link_adviser_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_check_constraint(
            'adviser_capacity_on_scale', 'adviser_capacity_grade IS NULL OR adviser_capacity_grade BETWEEN 1 AND 7')
        batch_op.create_check_constraint('off_window_reason_length', f'length(off_window_reason) <= {LONG_TEXT}')

    with op.batch_alter_table('improvement_notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('capacity_reason', sa.Text(), server_default='', nullable=False))
        batch_op.create_check_constraint('capacity_reason_length', f'length(capacity_reason) <= {LONG_TEXT}')

    with op.batch_alter_table('raising_achievement_plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('closure_outcome', sa.Text(), server_default='', nullable=False))
        batch_op.drop_constraint(op.f('ck_raising_achievement_plans_status_known'), type_='check')
        batch_op.create_check_constraint('status_known', NEW_PLAN_STATUSES)
        batch_op.create_check_constraint('closure_outcome_length', f'length(closure_outcome) <= {LONG_TEXT}')
        batch_op.create_check_constraint('closed_with_date', "(status = 'closed') = (closed_on IS NOT NULL)")


def downgrade():
    with op.batch_alter_table('raising_achievement_plans', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_raising_achievement_plans_closed_with_date'), type_='check')
        batch_op.drop_constraint(op.f('ck_raising_achievement_plans_closure_outcome_length'), type_='check')
        batch_op.drop_constraint(op.f('ck_raising_achievement_plans_status_known'), type_='check')
        batch_op.create_check_constraint('status_known', OLD_PLAN_STATUSES)
        batch_op.drop_column('closure_outcome')
        batch_op.drop_column('closed_on')

    with op.batch_alter_table('improvement_notices', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_improvement_notices_capacity_reason_length'), type_='check')
        batch_op.drop_column('capacity_reason')

    with op.batch_alter_table('midpoint_reviews', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_midpoint_reviews_off_window_reason_length'), type_='check')
        batch_op.drop_constraint(op.f('ck_midpoint_reviews_adviser_capacity_on_scale'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_midpoint_reviews_link_adviser_id_users'), type_='foreignkey')
        batch_op.drop_column('off_window_reason')
        batch_op.drop_column('link_adviser_id')
        batch_op.drop_column('adviser_capacity_grade')

    op.drop_table('school_aspect_views')

    with op.batch_alter_table('joint_reviews', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_joint_reviews_evaluation_shared_by_id_users'), type_='foreignkey')
        batch_op.drop_column('evaluation_shared_by_id')
        batch_op.drop_column('evaluation_shared_at')
