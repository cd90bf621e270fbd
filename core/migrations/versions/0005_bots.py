"""bots: postings (idempotency keys, status, confirmation numbers, proof paths)

Revision ID: 0005_bots
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_bots"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "postings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, nullable=False),
        sa.Column("portal", sa.String(64), nullable=False),
        sa.Column("task", sa.String(64), nullable=False),
        sa.Column("business_key", sa.String(128)),
        sa.Column("idempotency_key", sa.String(64), nullable=False, unique=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("confirmation", sa.String(128)),
        sa.Column("screenshot_path", sa.String(1024)),
        sa.Column("trace_path", sa.String(1024)),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("recovered", sa.Integer, nullable=False, server_default="0"),
        sa.Column("error_kind", sa.String(64)),
        sa.Column("error_message", sa.Text),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("submitted_at", TS),
        sa.Column("confirmed_at", TS),
    )
    op.create_index("ix_postings_document_id", "postings", ["document_id"])
    op.create_index("ix_postings_status", "postings", ["status"])


def downgrade() -> None:
    op.drop_table("postings")
