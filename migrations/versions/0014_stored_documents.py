"""stored_documents: the PDF of a document that can no longer change (a finalised note of visit,
an agreed plan), made once and served from the store after that, keyed by the SHA-256 of the HTML
it was made from

Revision ID: 0014_stored_documents
Revises: 0013_sign_in_lockout
Create Date: 2026-12-04

"""
from alembic import op
import sqlalchemy as sa


revision = '0014_stored_documents'
down_revision = '0013_sign_in_lockout'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('source_sha256', sa.String(length=64), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('pdf_pages', sa.Integer(), nullable=False),
    sa.Column('made_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('note_of_visit', 'plan')", name=op.f('ck_stored_documents_kind_known')),
    sa.CheckConstraint('pdf_pages >= 1', name=op.f('ck_stored_documents_pages_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_documents')),
    sa.UniqueConstraint('kind', 'object_id', name='uq_stored_documents_object')
    )


def downgrade():
    op.drop_table('stored_documents')
