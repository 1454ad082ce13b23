"""letterheads: the authority's letterhead on every PDF (name, logo, address, contact, signatory)

Revision ID: 0022_letterhead
Revises: 0021_notifications
Create Date: 2026-12-07

"""
from alembic import op
import sqlalchemy as sa


revision = '0022_letterhead'
down_revision = '0021_notifications'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'letterheads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('authority_name', sa.String(length=200), nullable=False),
        sa.Column('address', sa.String(length=500), nullable=False),
        sa.Column('contact', sa.String(length=300), nullable=False),
        sa.Column('signatory_name', sa.String(length=200), nullable=False),
        sa.Column('signatory_role', sa.String(length=200), nullable=False),
        sa.Column('logo', sa.LargeBinary(), nullable=True),
        sa.Column('logo_type', sa.String(length=20), nullable=True),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('id = 1', name=op.f('ck_letterheads_one_letterhead')),
        sa.CheckConstraint("logo_type IS NULL OR logo_type IN ('image/png', 'image/svg+xml')",
                           name=op.f('ck_letterheads_logo_type_known')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_letterheads')),
    )


def downgrade():
    op.drop_table('letterheads')
