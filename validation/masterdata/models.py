"""Master-data tables: partners, products, part numbers, prices, open orders, open AR
invoices and payment terms, all versioned.

Every import creates one `MasterDataVersion` row for its *kind* (``customers``,
``products``, ...); the data rows it writes carry that ``version_id`` and are never
updated afterwards.  The active version of a kind is its latest version with status
``ok``; a failed import is recorded with status ``failed`` and writes no data rows, so the
previous version stays active.  Order lines and goods receipts reference their order by
(version, order number) rather than by a foreign key, so every table can be bulk-inserted.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, Numeric,
                        String, Text)
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base, utcnow

KINDS = ("customers", "suppliers", "products", "part_numbers", "prices", "purchase_orders",
         "sales_orders", "ar_invoices", "payment_terms")
PARTNER_KINDS = {"customers": "customer", "suppliers": "supplier"}
STATUS_OK, STATUS_FAILED, STATUS_IMPORTING = "ok", "failed", "importing"

Money = Numeric(18, 4, asdecimal=True)


def _version_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("masterdata_versions.id", ondelete="CASCADE"), index=True)


class MasterDataVersion(Base):
    __tablename__ = "masterdata_versions"
    __table_args__ = (Index("ix_mdv_kind_status", "kind", "status", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(512))
    sha256: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16))
    message: Mapped[str | None] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "source": self.source, "sha256": self.sha256,
                "rows": self.row_count, "errors": self.error_count, "status": self.status,
                "message": self.message,
                "imported_at": self.imported_at.isoformat() if self.imported_at else None}


class Partner(Base):
    """A customer or supplier (``kind``) with its number in our books."""

    __tablename__ = "md_partners"
    __table_args__ = (Index("ix_md_partners_number", "version_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = _version_fk()
    kind: Mapped[str] = mapped_column(String(16))            # customer | supplier
    number: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    aliases: Mapped[list[Any]] = mapped_column(JSON, default=list)
    address_line1: Mapped[str | None] = mapped_column(String(255))
    address_line2: Mapped[str | None] = mapped_column(String(255))
    postcode: Mapped[str | None] = mapped_column(String(32))
    city: Mapped[str | None] = mapped_column(String(128))
    country: Mapped[str | None] = mapped_column(String(2))
    vat_id: Mapped[str | None] = mapped_column(String(32))
    ibans: Mapped[list[Any]] = mapped_column(JSON, default=list)
    email_domains: Mapped[list[Any]] = mapped_column(JSON, default=list)
    currency: Mapped[str | None] = mapped_column(String(3))
    payment_terms: Mapped[str | None] = mapped_column(String(32))
    portal_recipe: Mapped[str | None] = mapped_column(String(64))
    portal_account: Mapped[str | None] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Product(Base):
    __tablename__ = "md_products"
    __table_args__ = (Index("ix_md_products_sku", "version_id", "sku"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = _version_fk()
    sku: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(512))
    unit: Mapped[str | None] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class PartNumber(Base):
    """A customer's or supplier's own part number for one of our SKUs."""

    __tablename__ = "md_part_numbers"
    __table_args__ = (Index("ix_md_part_numbers_key", "version_id", "partner_kind",
                            "partner_number", "part_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = _version_fk()
    partner_kind: Mapped[str] = mapped_column(String(16))
    partner_number: Mapped[str] = mapped_column(String(64))
    part_number: Mapped[str] = mapped_column(String(128))
    sku: Mapped[str] = mapped_column(String(64))


class Price(Base):
    """A price for a SKU, partner-specific or default (no partner), valid in a date range."""

    __tablename__ = "md_prices"
    __table_args__ = (Index("ix_md_prices_sku", "version_id", "sku"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = _version_fk()
    sku: Mapped[str] = mapped_column(String(64))
    partner_kind: Mapped[str | None] = mapped_column(String(16))
    partner_number: Mapped[str | None] = mapped_column(String(64))
    price: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)


class PurchaseOrder(Base):
    """An open purchase order of ours to a supplier."""

    __tablename__ = "md_purchase_orders"
    __table_args__ = (Index("ix_md_po_number", "version_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = _version_fk()
    number: Mapped[str] = mapped_column(String(64))
    supplier_number: Mapped[str] = mapped_column(String(64))
    order_date: Mapped[date | None] = mapped_column(Date)
    currency: Mapped[str | None] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), default="open")


class PurchaseOrderLine(Base):
    __tablename__ = "md_purchase_order_lines"
    __table_args__ = (Index("ix_md_pol_order", "version_id", "order_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = _version_fk()
    order_number: Mapped[str] = mapped_column(String(64))
    line_no: Mapped[int] = mapped_column(Integer)
    sku: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(String(512))
    quantity: Mapped[Decimal] = mapped_column(Money)
    unit: Mapped[str | None] = mapped_column(String(16))
    unit_price: Mapped[Decimal | None] = mapped_column(Money)


class GoodsReceipt(Base):
    __tablename__ = "md_goods_receipts"
    __table_args__ = (Index("ix_md_gr_order", "version_id", "order_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = _version_fk()
    order_number: Mapped[str] = mapped_column(String(64))
    line_no: Mapped[int] = mapped_column(Integer)
    receipt_number: Mapped[str | None] = mapped_column(String(64))
    receipt_date: Mapped[date | None] = mapped_column(Date)
    quantity: Mapped[Decimal] = mapped_column(Money)


class SalesOrder(Base):
    """An open sales order of a customer to us (with the customer's own PO number)."""

    __tablename__ = "md_sales_orders"
    __table_args__ = (Index("ix_md_so_number", "version_id", "number"),
                      Index("ix_md_so_customer_po", "version_id", "customer_po_number"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = _version_fk()
    number: Mapped[str] = mapped_column(String(64))
    customer_number: Mapped[str] = mapped_column(String(64))
    customer_po_number: Mapped[str | None] = mapped_column(String(64))
    order_date: Mapped[date | None] = mapped_column(Date)
    currency: Mapped[str | None] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), default="open")


class SalesOrderLine(Base):
    __tablename__ = "md_sales_order_lines"
    __table_args__ = (Index("ix_md_sol_order", "version_id", "order_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = _version_fk()
    order_number: Mapped[str] = mapped_column(String(64))
    line_no: Mapped[int] = mapped_column(Integer)
    sku: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(String(512))
    quantity: Mapped[Decimal] = mapped_column(Money)
    unit: Mapped[str | None] = mapped_column(String(16))
    unit_price: Mapped[Decimal | None] = mapped_column(Money)


class ArInvoice(Base):
    """An open accounts-receivable invoice of ours to a customer."""

    __tablename__ = "md_ar_invoices"
    __table_args__ = (Index("ix_md_ar_number", "version_id", "number"),
                      Index("ix_md_ar_customer", "version_id", "customer_number"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = _version_fk()
    number: Mapped[str] = mapped_column(String(64))
    customer_number: Mapped[str] = mapped_column(String(64))
    issue_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    amount_due: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), default="open")


class PaymentTerm(Base):
    __tablename__ = "md_payment_terms"
    __table_args__ = (Index("ix_md_terms_code", "version_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = _version_fk()
    code: Mapped[str] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(String(255))
    net_days: Mapped[int] = mapped_column(Integer)
    discount_percent: Mapped[Decimal | None] = mapped_column(Numeric(6, 3))
    discount_days: Mapped[int | None] = mapped_column(Integer)


# The tables each kind's import writes (header table first).
KIND_TABLES: dict[str, tuple[type[Base], ...]] = {
    "customers": (Partner,), "suppliers": (Partner,), "products": (Product,),
    "part_numbers": (PartNumber,), "prices": (Price,),
    "purchase_orders": (PurchaseOrder, PurchaseOrderLine, GoodsReceipt),
    "sales_orders": (SalesOrder, SalesOrderLine), "ar_invoices": (ArInvoice,),
    "payment_terms": (PaymentTerm,),
}
