"""bounded text: every column people type free text into gets a maximum length that the database
itself enforces, a CHECK (length(col) <= N) named ck_<table>_<column>_length (SQLite does not
enforce VARCHAR lengths, so short columns get the check too), and names, job titles, subjects and
year groups typed in forms are widened to VARCHAR(200) to match the forms' limit for a name.

Existing rows longer than their column's new limit are TRUNCATED to it first (the forms used to
allow 20,000 characters in some fields now limited to 2,000: a visit's purpose and people met, an
addendum's reason, a review's key questions, pre-review notes and stage-change and correction
reasons, a plan's SIP reference and amendment reason, an action's "what" and evidence). The
truncation is not written to the audit log. Published governor report versions are never changed
(database triggers refuse it); their reason and covering note were always limited to 5,000
characters by the service, their new limit, so none needs truncating.

The limits are those of lea_support/core/limits.py at the time of writing (SHORT_TEXT 200,
MEDIUM_TEXT 2,000, LONG_TEXT 20,000, REPORT_NOTE_TEXT 5,000), copied here so that this migration
never changes.

Revision ID: 0015_bounded_text
Revises: 0014_stored_documents
Create Date: 2026-12-04

"""
from alembic import op
import sqlalchemy as sa


revision = '0015_bounded_text'
down_revision = '0014_stored_documents'
branch_labels = None
depends_on = None

SHORT, MEDIUM, LONG, REPORT_NOTE = 200, 2_000, 20_000, 5_000

# table -> {column: limit}
LIMITS = {
    'users': {'name': SHORT},
    'closure_days': {'name': SHORT},
    'support_tiers': {'name': SHORT, 'description': MEDIUM},
    'support_decisions': {'reason': LONG, 'evidence': LONG},
    'support_allocations': {'adjustment_reason': LONG},
    'link_adviser_assignments': {'reason': MEDIUM},
    'notes_of_visit': {'purpose': MEDIUM, 'people_met': MEDIUM, 'discussion': LONG, 'strengths': LONG,
                       'areas_for_development': LONG},
    'visit_actions': {'description': MEDIUM, 'owner': SHORT},
    'visit_note_events': {'comment': LONG, 'reason': MEDIUM},
    'joint_reviews': {'pre_review_commentary': LONG, 'overall_rationale': LONG},
    'review_team_members': {'name': SHORT, 'job_title': SHORT},
    'review_stage_changes': {'reason': MEDIUM},
    'pre_review_items': {'notes': MEDIUM},
    'key_questions': {'text': MEDIUM},
    'fieldwork_evidence': {'year_group': SHORT, 'subject': SHORT, 'summary': LONG},
    'evidence_answers': {'answer': LONG},
    'evidence_judgements': {'rationale': LONG},
    'aspect_evaluations': {'rationale': LONG, 'school_view': LONG},
    'review_findings': {'text': LONG},
    'published_review_reports': {'reason': MEDIUM},
    'raising_achievement_plans': {'amendment_reason': MEDIUM, 'sip_reference': MEDIUM,
                                  'professional_development': LONG},
    'plan_objectives': {'text': LONG},
    'plan_success_criteria': {'measure': MEDIUM, 'baseline': MEDIUM, 'target': MEDIUM},
    'plan_actions': {'what': MEDIUM, 'owner_role': SHORT, 'notes': LONG, 'evidence': MEDIUM},
    'plan_time_used': {'note': MEDIUM},
    'project_team_members': {'name': SHORT},
    'project_team_meetings': {'minutes': LONG, 'decisions': LONG},
    'plan_action_updates': {'note': MEDIUM},
    'midpoint_reviews': {'summary': LONG},
    'midpoint_objective_progress': {'evidence': LONG},
    'improvement_notices': {'improvements': LONG, 'status_reason': LONG},
    'governor_report_versions': {'reason': REPORT_NOTE, 'covering_note': REPORT_NOTE},
}

# (table, column) -> (width before, nullable): VARCHARs widened to SHORT.
WIDENED = {
    ('users', 'name'): (120, False),
    ('closure_days', 'name'): (120, False),
    ('support_tiers', 'name'): (80, False),
    ('review_team_members', 'name'): (120, False),
    ('review_team_members', 'job_title'): (120, False),
    ('fieldwork_evidence', 'year_group'): (40, False),
    ('fieldwork_evidence', 'subject'): (80, False),
}

# Frozen by triggers once published (0007); never longer than their limit (see above).
NOT_TRUNCATED = {'governor_report_versions'}


def _sqlite():
    return op.get_bind().dialect.name == 'sqlite'


def _truncate(table, column, limit):
    op.execute(f"UPDATE {table} SET {column} = substr({column}, 1, {limit}) WHERE length({column}) > {limit}")


def _governor_report_versions_rebuilt(before):
    """On SQLite a batch change rebuilds the table, which loses its triggers and could lose the
    WHERE of its partial unique index: drop both before and make them again after."""
    if not _sqlite():
        return
    if before:
        op.execute("DROP TRIGGER IF EXISTS governor_report_published_no_update")
        op.execute("DROP TRIGGER IF EXISTS governor_report_published_no_delete")
        op.drop_index('uq_governor_report_versions_open', table_name='governor_report_versions')
        return
    op.create_index('uq_governor_report_versions_open', 'governor_report_versions', ['report_id'], unique=True,
                    sqlite_where=sa.text("status <> 'published'"))
    message = "a published governor report never changes: re-issue it as a new version"
    for verb in ("UPDATE", "DELETE"):
        op.execute(f"""
            CREATE TRIGGER governor_report_published_no_{verb.lower()} BEFORE {verb} ON governor_report_versions
            WHEN OLD.status = 'published'
            BEGIN SELECT RAISE(ABORT, '{message}'); END
        """)


def upgrade():
    for table, columns in LIMITS.items():
        if table in NOT_TRUNCATED:
            continue
        for column, limit in columns.items():
            _truncate(table, column, limit)
    _governor_report_versions_rebuilt(before=True)
    for table, columns in LIMITS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, limit in columns.items():
                if (table, column) in WIDENED:
                    width, nullable = WIDENED[(table, column)]
                    batch_op.alter_column(column, existing_type=sa.String(length=width), type_=sa.String(length=SHORT),
                                          existing_nullable=nullable)
                batch_op.create_check_constraint(f'{column}_length', f'length({column}) <= {limit}')
    _governor_report_versions_rebuilt(before=False)


def downgrade():
    _governor_report_versions_rebuilt(before=True)
    for table, columns in reversed(list(LIMITS.items())):
        for column in columns:
            if (table, column) in WIDENED:
                _truncate(table, column, WIDENED[(table, column)][0])
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in reversed(list(columns)):
                batch_op.drop_constraint(op.f(f'ck_{table}_{column}_length'), type_='check')
                if (table, column) in WIDENED:
                    width, nullable = WIDENED[(table, column)]
                    batch_op.alter_column(column, existing_type=sa.String(length=SHORT), type_=sa.String(length=width),
                                          existing_nullable=nullable)
    _governor_report_versions_rebuilt(before=False)
