"""masterdata: versions, partners, products, part numbers, prices, open orders, AR invoices,
payment terms

Revision ID: 0003_masterdata
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_masterdata"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
MONEY = sa.Numeric(18, 4)


def _id_version() -> list[sa.Column]:
    return [sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("version_id", sa.Integer,
                      sa.ForeignKey("masterdata_versions.id", ondelete="CASCADE"),
                      nullable=False)]


def _table(name: str, *cols: sa.Column) -> None:
    op.create_table(name, *_id_version(), *cols)
    op.create_index(f"ix_{name}_version_id", name, ["version_id"])


def upgrade() -> None:
    op.create_table(
        "masterdata_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("source", sa.String(512), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("row_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("error_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("message", sa.Text),
        sa.Column("imported_at", TS, nullable=False),
    )
    op.create_index("ix_mdv_kind_status", "masterdata_versions", ["kind", "status", "id"])
    _table("md_partners",
           sa.Column("kind", sa.String(16), nullable=False),
           sa.Column("number", sa.String(64), nullable=False),
           sa.Column("name", sa.String(255), nullable=False),
           sa.Column("aliases", sa.JSON, nullable=False),
           sa.Column("address_line1", sa.String(255)),
           sa.Column("address_line2", sa.String(255)),
           sa.Column("postcode", sa.String(32)),
           sa.Column("city", sa.String(128)),
           sa.Column("country", sa.String(2)),
           sa.Column("vat_id", sa.String(32)),
           sa.Column("ibans", sa.JSON, nullable=False),
           sa.Column("email_domains", sa.JSON, nullable=False),
           sa.Column("currency", sa.String(3)),
           sa.Column("payment_terms", sa.String(32)),
           sa.Column("portal_recipe", sa.String(64)),
           sa.Column("portal_account", sa.String(128)),
           sa.Column("active", sa.Boolean, nullable=False))
    op.create_index("ix_md_partners_number", "md_partners", ["version_id", "number"])
    _table("md_products",
           sa.Column("sku", sa.String(64), nullable=False),
           sa.Column("description", sa.String(512), nullable=False),
           sa.Column("unit", sa.String(16)),
           sa.Column("active", sa.Boolean, nullable=False))
    op.create_index("ix_md_products_sku", "md_products", ["version_id", "sku"])
    _table("md_part_numbers",
           sa.Column("partner_kind", sa.String(16), nullable=False),
           sa.Column("partner_number", sa.String(64), nullable=False),
           sa.Column("part_number", sa.String(128), nullable=False),
           sa.Column("sku", sa.String(64), nullable=False))
    op.create_index("ix_md_part_numbers_key", "md_part_numbers",
                    ["version_id", "partner_kind", "partner_number", "part_number"])
    _table("md_prices",
           sa.Column("sku", sa.String(64), nullable=False),
           sa.Column("partner_kind", sa.String(16)),
           sa.Column("partner_number", sa.String(64)),
           sa.Column("price", MONEY, nullable=False),
           sa.Column("currency", sa.String(3), nullable=False),
           sa.Column("valid_from", sa.Date),
           sa.Column("valid_to", sa.Date))
    op.create_index("ix_md_prices_sku", "md_prices", ["version_id", "sku"])
    _table("md_purchase_orders",
           sa.Column("number", sa.String(64), nullable=False),
           sa.Column("supplier_number", sa.String(64), nullable=False),
           sa.Column("order_date", sa.Date),
           sa.Column("currency", sa.String(3)),
           sa.Column("status", sa.String(16), nullable=False))
    op.create_index("ix_md_po_number", "md_purchase_orders", ["version_id", "number"])
    for name, ix in (("md_purchase_order_lines", "ix_md_pol_order"),
                     ("md_sales_order_lines", "ix_md_sol_order")):
        _table(name,
               sa.Column("order_number", sa.String(64), nullable=False),
               sa.Column("line_no", sa.Integer, nullable=False),
               sa.Column("sku", sa.String(64)),
               sa.Column("description", sa.String(512)),
               sa.Column("quantity", MONEY, nullable=False),
               sa.Column("unit", sa.String(16)),
               sa.Column("unit_price", MONEY))
        op.create_index(ix, name, ["version_id", "order_number"])
    _table("md_goods_receipts",
           sa.Column("order_number", sa.String(64), nullable=False),
           sa.Column("line_no", sa.Integer, nullable=False),
           sa.Column("receipt_number", sa.String(64)),
           sa.Column("receipt_date", sa.Date),
           sa.Column("quantity", MONEY, nullable=False))
    op.create_index("ix_md_gr_order", "md_goods_receipts", ["version_id", "order_number"])
    _table("md_sales_orders",
           sa.Column("number", sa.String(64), nullable=False),
           sa.Column("customer_number", sa.String(64), nullable=False),
           sa.Column("customer_po_number", sa.String(64)),
           sa.Column("order_date", sa.Date),
           sa.Column("currency", sa.String(3)),
           sa.Column("status", sa.String(16), nullable=False))
    op.create_index("ix_md_so_number", "md_sales_orders", ["version_id", "number"])
    op.create_index("ix_md_so_customer_po", "md_sales_orders",
                    ["version_id", "customer_po_number"])
    _table("md_ar_invoices",
           sa.Column("number", sa.String(64), nullable=False),
           sa.Column("customer_number", sa.String(64), nullable=False),
           sa.Column("issue_date", sa.Date, nullable=False),
           sa.Column("due_date", sa.Date),
           sa.Column("amount", MONEY, nullable=False),
           sa.Column("amount_due", MONEY, nullable=False),
           sa.Column("currency", sa.String(3), nullable=False),
           sa.Column("status", sa.String(16), nullable=False))
    op.create_index("ix_md_ar_number", "md_ar_invoices", ["version_id", "number"])
    op.create_index("ix_md_ar_customer", "md_ar_invoices", ["version_id", "customer_number"])
    _table("md_payment_terms",
           sa.Column("code", sa.String(32), nullable=False),
           sa.Column("description", sa.String(255)),
           sa.Column("net_days", sa.Integer, nullable=False),
           sa.Column("discount_percent", sa.Numeric(6, 3)),
           sa.Column("discount_days", sa.Integer))
    op.create_index("ix_md_terms_code", "md_payment_terms", ["version_id", "code"])


TABLES = ("md_payment_terms", "md_ar_invoices", "md_sales_order_lines", "md_sales_orders",
          "md_goods_receipts", "md_purchase_order_lines", "md_purchase_orders", "md_prices",
          "md_part_numbers", "md_products", "md_partners", "masterdata_versions")


def downgrade() -> None:
    for name in TABLES:
        op.drop_table(name)
