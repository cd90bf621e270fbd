"""review UI: users, sessions, login failures, locks, corrections, review index

Revision ID: 0004_review
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_review"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "review_users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_login_at", TS),
    )
    op.create_table(
        "review_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer,
                  sa.ForeignKey("review_users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.Column("ip", sa.String(64)),
        sa.Column("queue_filters", sa.JSON),
    )
    op.create_index("ix_review_sessions_user_id", "review_sessions", ["user_id"])
    op.create_table(
        "review_login_failures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        sa.Column("at", TS, nullable=False),
    )
    op.create_index("ix_review_login_failures_key", "review_login_failures",
                    ["username", "ip", "at"])
    op.create_table(
        "review_locks",
        sa.Column("document_id", sa.Integer,
                  sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("acquired_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
    )
    op.create_table(
        "review_corrections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer,
                  sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("doc_type", sa.String(32)),
        sa.Column("field", sa.String(128), nullable=False),
        sa.Column("old_value", sa.Text),
        sa.Column("new_value", sa.Text),
        sa.Column("old_confidence", sa.Float),
        sa.Column("source", sa.String(32)),
        sa.Column("page", sa.Integer),
        sa.Column("bbox", sa.JSON),
        sa.Column("reviewer", sa.String(64), nullable=False),
        sa.Column("at", TS, nullable=False),
    )
    op.create_index("ix_review_corrections_document_id", "review_corrections", ["document_id"])
    op.create_table(
        "review_index",
        sa.Column("document_id", sa.Integer,
                  sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("doc_version", sa.Integer, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("doc_type", sa.String(32)),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("file_name", sa.String(512), nullable=False),
        sa.Column("number", sa.String(128)),
        sa.Column("partner", sa.String(256)),
        sa.Column("partner_norm", sa.String(256)),
        sa.Column("total", sa.String(32)),
        sa.Column("currency", sa.String(8)),
        sa.Column("due_date", sa.String(10)),
        sa.Column("priority", sa.Integer, nullable=False, server_default="0"),
        sa.Column("min_confidence", sa.Float),
        sa.Column("reason_codes", sa.String(512), nullable=False, server_default=""),
        sa.Column("reason_text", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("doc_updated_at", TS, nullable=False),
    )
    op.create_index("ix_review_index_state_created", "review_index", ["state", "created_at"])
    op.create_index("ix_review_index_state_due", "review_index", ["state", "due_date"])
    op.create_index("ix_review_index_state_priority", "review_index", ["state", "priority"])
    op.create_index("ix_review_index_partner", "review_index", ["partner_norm"])
    op.create_index("ix_review_index_number", "review_index", ["number"])
    op.create_index("ix_review_index_doc_updated_at", "review_index", ["doc_updated_at"])
    op.create_index("ix_review_index_state_type", "review_index", ["state", "doc_type"])
    op.create_index("ix_review_index_state_source", "review_index", ["state", "source"])
    op.create_table(
        "review_index_reasons",
        sa.Column("document_id", sa.Integer,
                  sa.ForeignKey("review_index.document_id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("code", sa.String(64), primary_key=True),
        sa.Column("state", sa.String(20), nullable=False),
    )
    op.create_index("ix_review_index_reasons_code", "review_index_reasons",
                    ["code", "document_id"])
    op.create_index("ix_review_index_reasons_state", "review_index_reasons", ["state", "code"])
    op.create_table(
        "review_search",
        sa.Column("document_id", sa.Integer,
                  sa.ForeignKey("review_index.document_id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("text", sa.Text, nullable=False, server_default=""),
    )


def downgrade() -> None:
    for t in ("review_search", "review_index_reasons", "review_index", "review_corrections", "review_locks",
              "review_login_failures", "review_sessions", "review_users"):
        op.drop_table(t)
