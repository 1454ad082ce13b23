"""Action owners belong to the plan: a plan action's owner must be a member of the LA's staff or
a leader of the plan's own school (the people who may sit on its project team). The service
refuses anyone else from now on; this clears the rows saved before it did.

Each action whose owner account is someone else (a leader of another school, a governor) keeps
the person's name as free text in owner_role (the "named role at the school" column, which
plan_actions' one_owner check allows in place of an account) and loses the account link, so the
plan still reads as before but the person no longer finds the action, or the plan, in "My
actions". The action's version moves on (an edit form opened before sees a conflict rather than
saving the old owner back), and each change is written to the audit log as
plan.action.owner_unlinked, with the account it was linked to.

Downgrade leaves the rows as they are: the links were wrong and are not put back.

Revision ID: 0017_action_owners_on_plan
Revises: 0016_timeline_audience
Create Date: 2026-12-06

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


revision = '0017_action_owners_on_plan'
down_revision = '0016_timeline_audience'
branch_labels = None
depends_on = None

LA_ROLES = ('admin', 'link_adviser', 'sia', 'project_team')

users = sa.table('users', sa.column('id', sa.Integer), sa.column('name', sa.String), sa.column('role', sa.String))
user_schools = sa.table('user_schools', sa.column('user_id', sa.Integer), sa.column('school_id', sa.Integer))
plans = sa.table('raising_achievement_plans', sa.column('id', sa.Integer), sa.column('school_id', sa.Integer))
objectives = sa.table('plan_objectives', sa.column('id', sa.Integer), sa.column('plan_id', sa.Integer))
actions = sa.table('plan_actions', sa.column('id', sa.Integer), sa.column('objective_id', sa.Integer),
                   sa.column('owner_id', sa.Integer), sa.column('owner_role', sa.String),
                   sa.column('version_id', sa.Integer))
audit_log = sa.table('audit_log', sa.column('occurred_at', sa.DateTime(timezone=True)),
                     sa.column('user_id', sa.Integer), sa.column('action', sa.String),
                     sa.column('entity_type', sa.String), sa.column('entity_id', sa.String),
                     sa.column('school_id', sa.Integer), sa.column('before', sa.JSON), sa.column('after', sa.JSON))


def upgrade():
    conn = op.get_bind()
    leads_the_school = sa.exists().where(user_schools.c.user_id == users.c.id,
                                         user_schools.c.school_id == plans.c.school_id)
    bad = conn.execute(
        sa.select(actions.c.id, actions.c.owner_id, users.c.name, plans.c.school_id)
        .join(objectives, objectives.c.id == actions.c.objective_id)
        .join(plans, plans.c.id == objectives.c.plan_id)
        .join(users, users.c.id == actions.c.owner_id)
        .where(users.c.role.not_in(LA_ROLES),
               sa.not_(sa.and_(users.c.role == 'school_leader', leads_the_school)))
        .order_by(actions.c.id)).all()
    now = datetime.now(UTC)
    for action_id, owner_id, name, school_id in bad:
        conn.execute(actions.update().where(actions.c.id == action_id).values(
            owner_id=None, owner_role=name[:200], version_id=actions.c.version_id + 1))
        conn.execute(audit_log.insert().values(
            occurred_at=now, user_id=None, action='plan.action.owner_unlinked', entity_type='plan_action',
            entity_id=str(action_id), school_id=school_id, before={'owner_id': owner_id},
            after={'owner_role': name[:200],
                   'why': "the owner was neither LA staff nor a leader of the plan's school"}))


def downgrade():
    pass
