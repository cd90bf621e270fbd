"""capture: mailbox state, mail envelopes, envelope_documents

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "mailbox_state",
        sa.Column("mailbox", sa.String(64), primary_key=True),
        sa.Column("folder", sa.String(255), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger),
        sa.Column("last_uid", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "mail_envelopes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("mailbox", sa.String(64), nullable=False),
        sa.Column("uid", sa.BigInteger, nullable=False),
        sa.Column("uidvalidity", sa.BigInteger, nullable=False),
        sa.Column("message_id", sa.String(998)),
        sa.Column("sender", sa.String(320)),
        sa.Column("subject", sa.Text),
        sa.Column("date", TS),
        sa.Column("size_bytes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("expected_doc_type", sa.String(32)),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("mailbox", "uidvalidity", "uid", name="uq_envelope_uid"),
    )
    op.create_index("ix_mail_envelopes_message_id", "mail_envelopes", ["message_id"])
    op.create_index("ix_mail_envelopes_status", "mail_envelopes", ["status"])
    op.create_table(
        "envelope_documents",
        sa.Column("envelope_id", sa.Integer,
                  sa.ForeignKey("mail_envelopes.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("document_id", sa.Integer,
                  sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_index("ix_envelope_documents_document", "envelope_documents", ["document_id"])


def downgrade() -> None:
    op.drop_table("envelope_documents")
    op.drop_table("mail_envelopes")
    op.drop_table("mailbox_state")
