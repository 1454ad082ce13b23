"""Risk signals and what follows from the national data (issue 15, items 4-6): signal_rules (rules as
data, seeded with the shipped examples), school_signals (what each rule flags now, the values behind
it and its evidence key), tier_review_prompts (the SIAs' queue; one per school, rule and evidence
key, so a dismissed prompt does not come back for the same evidence); the Joint Review's performance
data as it stood when the review left pre-review; success criteria bound to a measure, with their
baseline, target, actual value and met / not met.

Chained after 0023_note_amendments, the head of main when this branch was rebased (0023 was taken by then).

Revision ID: 0024_signals
Revises: 0023_note_amendments
Create Date: 2026-12-10

"""
from alembic import op
import sqlalchemy as sa


revision = '0024_signals'
down_revision = '0023_note_amendments'
branch_labels = None
depends_on = None

_RC = ["OFSTED_RC_SAFEGUARDING", "OFSTED_RC_INCLUSION", "OFSTED_RC_CURRICULUM", "OFSTED_RC_ACHIEVEMENT",
       "OFSTED_RC_ATTENDANCE", "OFSTED_RC_PERSONAL", "OFSTED_RC_EARLY_YEARS", "OFSTED_RC_POST16",
       "OFSTED_RC_LEADERSHIP"]
# A copy of lea_support.evidence.signals.DEFAULT_RULES as it stood (a migration does not import the app).
RULES = [
    ("CATEGORY_OF_CONCERN", "Ofsted category of concern", "judgement_in",
     {"measures": ["OFSTED_CATEGORY", "OFSTED_OEIF_CATEGORY"], "values": []}, "significant"),
    ("URGENT_IMPROVEMENT", "Ofsted: \"Urgent improvement\" in any area", "judgement_in",
     {"measures": _RC, "values": ["Urgent improvement"]}, "significant"),
    ("NEEDS_ATTENTION", "Ofsted: \"Needs attention\" in leadership or achievement", "judgement_in",
     {"measures": ["OFSTED_RC_LEADERSHIP", "OFSTED_RC_ACHIEVEMENT"], "values": ["Needs attention"]}, "enhanced"),
    ("OFSTED_GRADE_3_4", "Ofsted overall grade 3 or 4 (graded inspection)", "judgement_in",
     {"measures": ["OFSTED_OE"], "values": ["3", "4"]}, "enhanced"),
    ("KS2_RWM_BELOW_ENGLAND", "KS2 reading, writing and maths below England by 10 points or more, two years running",
     "below_england", {"measures": ["PTRWM_EXP"], "points": 10, "years": 2, "group": "state-funded"}, "enhanced"),
    ("P8_BELOW", "Progress 8 below -0.5", "threshold",
     {"measures": ["P8MEA"], "direction": "below", "value": -0.5}, "enhanced"),
    ("PERSISTENT_ABSENCE", "Persistent absence above 25%", "threshold",
     {"measures": ["PPERSABS10"], "direction": "above", "value": 25}, "enhanced"),
    ("NO_INSPECTION", "No Ofsted inspection for 6 years", "no_inspection", {"years": 6}, ""),
    ("GIAS_NEW_HEAD", "GIAS: a new head in the last year", "gias_change", {"values": ["head_name"], "days": 365}, ""),
    ("GIAS_CLOSURE_PROPOSED", "GIAS: closure proposed", "gias_status", {"values": ["Open, but proposed to close"]}, ""),
    ("GIAS_ACADEMY", "GIAS: joining a trust or changing type (e.g. an academy order carried out) in the last year",
     "gias_change", {"values": ["trust_name", "type_name"], "days": 365}, ""),
]


def upgrade():
    rules = op.create_table('signal_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('min_tier', sa.String(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('edit_version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('below_england', 'threshold', 'judgement_in', 'no_inspection', 'gias_status', 'gias_change')", name=op.f('ck_signal_rules_kind_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signal_rules')),
    sa.UniqueConstraint('code', name=op.f('uq_signal_rules_code'))
    )
    op.create_table('school_signals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('evidence_key', sa.String(length=64), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['rule_id'], ['signal_rules.id'], name=op.f('fk_school_signals_rule_id_signal_rules'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_school_signals_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_school_signals')),
    sa.UniqueConstraint('school_id', 'rule_id', name='uq_school_signals_school_rule')
    )
    with op.batch_alter_table('school_signals', schema=None) as batch_op:
        batch_op.create_index('ix_school_signals_rule', ['rule_id'], unique=False)
    op.create_table('tier_review_prompts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('evidence_key', sa.String(length=64), nullable=False),
    sa.Column('evidence', sa.String(length=2000), nullable=False),
    sa.Column('tier_at_raise', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('dismiss_reason', sa.String(length=2000), nullable=False),
    sa.CheckConstraint("status IN ('open', 'accepted', 'dismissed')", name=op.f('ck_tier_review_prompts_status_known')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_tier_review_prompts_resolved_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rule_id'], ['signal_rules.id'], name=op.f('fk_tier_review_prompts_rule_id_signal_rules'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_tier_review_prompts_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tier_review_prompts')),
    sa.UniqueConstraint('school_id', 'rule_id', 'evidence_key', name='uq_tier_review_prompts_evidence')
    )
    with op.batch_alter_table('tier_review_prompts', schema=None) as batch_op:
        batch_op.create_index('ix_tier_review_prompts_status_raised', ['status', 'raised_at'], unique=False)

    with op.batch_alter_table('joint_reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('performance_snapshot', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('performance_snapshot_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('plan_success_criteria', schema=None) as batch_op:
        batch_op.add_column(sa.Column('measure_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('baseline_value', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('baseline_year', sa.String(length=7), server_default='', nullable=False))
        batch_op.add_column(sa.Column('target_value', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('actual', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('actual_value', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('actual_year', sa.String(length=7), server_default='', nullable=False))
        batch_op.add_column(sa.Column('met', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('met_source', sa.String(length=10), server_default='', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_plan_success_criteria_measure_id_evidence_measures'),
                                    'evidence_measures', ['measure_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index('ix_plan_success_criteria_measure', ['measure_id'], unique=False)

    from datetime import datetime, timezone
    now = datetime.now(timezone.utc)
    op.bulk_insert(rules, [
        {"code": code, "label": label, "kind": kind, "params": params, "min_tier": min_tier, "active": True,
         "sort_order": n, "edit_version": 1, "updated_at": now}
        for n, (code, label, kind, params, min_tier) in enumerate(RULES)])


def downgrade():
    with op.batch_alter_table('plan_success_criteria', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_success_criteria_measure')
        batch_op.drop_constraint(batch_op.f('fk_plan_success_criteria_measure_id_evidence_measures'), type_='foreignkey')
        for column in ('met_source', 'met', 'actual_year', 'actual_value', 'actual', 'target_value', 'baseline_year',
                       'baseline_value', 'measure_id'):
            batch_op.drop_column(column)
    with op.batch_alter_table('joint_reviews', schema=None) as batch_op:
        batch_op.drop_column('performance_snapshot_at')
        batch_op.drop_column('performance_snapshot')
    with op.batch_alter_table('tier_review_prompts', schema=None) as batch_op:
        batch_op.drop_index('ix_tier_review_prompts_status_raised')
    op.drop_table('tier_review_prompts')
    with op.batch_alter_table('school_signals', schema=None) as batch_op:
        batch_op.drop_index('ix_school_signals_rule')
    op.drop_table('school_signals')
    op.drop_table('signal_rules')
