"""validation: denormalised duplicate-detection keys per validated document

Revision ID: 0006_validation
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_validation"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "validation_keys",
        sa.Column("document_id", sa.Integer,
                  sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("doc_type", sa.String(32), nullable=False),
        sa.Column("partner_key", sa.String(160), nullable=False),
        sa.Column("number_norm", sa.String(128)),
        sa.Column("number", sa.String(128)),
        sa.Column("amount", sa.String(32)),
        sa.Column("doc_date", sa.Date),
    )
    op.create_index("ix_validation_keys_number", "validation_keys",
                    ["partner_key", "doc_type", "number_norm"])
    op.create_index("ix_validation_keys_amount", "validation_keys",
                    ["partner_key", "doc_type", "amount", "doc_date"])


def downgrade() -> None:
    op.drop_table("validation_keys")
