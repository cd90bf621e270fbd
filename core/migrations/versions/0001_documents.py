"""documents and audit events

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("sender", sa.String(320)),
        sa.Column("original_name", sa.String(512), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("stored_path", sa.String(1024), nullable=False),
        sa.Column("mime_type", sa.String(128), nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("page_count", sa.Integer),
        sa.Column("doc_type", sa.String(32)),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("error_kind", sa.String(64)),
        sa.Column("error_message", sa.Text),
        sa.Column("extraction", sa.JSON),
        sa.Column("validation", sa.JSON),
        sa.Column("review_reasons", sa.JSON),
        sa.Column("posting", sa.JSON),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("claimed_at", TS),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_documents_state", "documents", ["state"])
    op.create_index("ix_documents_updated_at", "documents", ["updated_at"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer,
                  sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("before", sa.JSON),
        sa.Column("after", sa.JSON),
        sa.Column("detail", sa.Text),
    )
    op.create_index("ix_audit_doc", "audit_events", ["document_id", "id"])


def downgrade() -> None:
    op.drop_table("audit_events")
    op.drop_table("documents")
