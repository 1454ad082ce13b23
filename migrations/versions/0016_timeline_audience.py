"""school_events.audience and public_summary: who may read each timeline entry ('la', 'school',
'governors'), and the neutral line the school and its governors read where the LA's own line
carries its reasoning ("Support changed to ..., level 4: head is weak, considering removal").
Replaces school_events.for_governors.

Existing rows: for_governors -> 'governors', every other row -> 'school', except a governor
report's re-issue (a draft, the LA's work) -> 'la'. Rows of the kinds whose line ends with the LA's
reason (support decisions, allocation adjustments, a review reopened, a notice complied with or
escalated) get as their neutral line the text before the first ": ", which is how those lines are
written ("<what happened>: <reason>").

Downgrade: for_governors is true again for 'governors' rows; the audience and neutral lines are lost.

Revision ID: 0016_timeline_audience
Revises: 0015_bounded_text
Create Date: 2026-12-06

"""
from alembic import op
import sqlalchemy as sa


revision = '0016_timeline_audience'
down_revision = '0015_bounded_text'
branch_labels = None
depends_on = None

# Kinds whose line is "<what happened>: <the LA's reason>".
REASONED_KINDS = ('support_decision', 'allocation', 'review_reopened', 'notice_complied', 'notice_escalated')
LA_ONLY_KINDS = ('governor_report_reissue',)


def _in(values):
    return ", ".join(f"'{v}'" for v in values)


def upgrade():
    with op.batch_alter_table('school_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audience', sa.String(length=10), server_default='la', nullable=False))
        batch_op.add_column(sa.Column('public_summary', sa.Text(), nullable=True))

    op.execute("UPDATE school_events SET audience = CASE "
               f"WHEN kind IN ({_in(LA_ONLY_KINDS)}) THEN 'la' "
               "WHEN for_governors THEN 'governors' ELSE 'school' END")
    find = "strpos(summary, ': ')" if op.get_bind().dialect.name == "postgresql" else "instr(summary, ': ')"
    op.execute(f"UPDATE school_events SET public_summary = substr(summary, 1, {find} - 1) "
               f"WHERE kind IN ({_in(REASONED_KINDS)}) AND {find} > 0")

    with op.batch_alter_table('school_events', schema=None) as batch_op:
        batch_op.drop_column('for_governors')
        batch_op.create_check_constraint(op.f('ck_school_events_audience_known'), "audience IN ('la', 'school', 'governors')")


def downgrade():
    with op.batch_alter_table('school_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('for_governors', sa.Boolean(), server_default='0', nullable=False))

    op.execute("UPDATE school_events SET for_governors = (audience = 'governors')")

    with op.batch_alter_table('school_events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_school_events_audience_known'), type_='check')
        batch_op.drop_column('public_summary')
        batch_op.drop_column('audience')
