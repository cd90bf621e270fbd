"""Read access to the *active* master data: the latest successful version of each kind.

    repo = MasterDataRepository(session)
    repo.partner("supplier", "S-00042"); repo.product("AB-1234")
    repo.sku_for_part_number("customer", "K10001", "4711-A"); repo.price("AB-1234", on=d)
    repo.purchase_order("PO-2024-0001"); repo.ar_invoice("RE-2024-10001")

Versions are resolved once per repository (one small query); build a new repository per
unit of work to see a newer import.  `partner_snapshots` returns light, session-free
copies of the partners of one kind - the input of the party-matching index.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from validation.masterdata.models import (PARTNER_KINDS, STATUS_OK, ArInvoice, GoodsReceipt,
                                          MasterDataVersion, Partner, PartNumber, PaymentTerm,
                                          Price, Product, PurchaseOrder, PurchaseOrderLine,
                                          SalesOrder, SalesOrderLine)

_PARTNER_SETS = {v: k for k, v in PARTNER_KINDS.items()}   # customer -> customers


def partner_set(kind: str) -> str:
    """``customer``/``customers`` -> ``customers``; ``supplier``(s) -> ``suppliers``."""
    k = kind.lower().rstrip("s")
    if k not in _PARTNER_SETS:
        raise ValueError(f"partner kind must be customer or supplier, not {kind!r}")
    return _PARTNER_SETS[k]


def active_versions(session: Session) -> dict[str, int]:
    """{kind: active version id} for every kind with at least one successful import."""
    rows = session.execute(select(MasterDataVersion.kind, func.max(MasterDataVersion.id))
                           .where(MasterDataVersion.status == STATUS_OK)
                           .group_by(MasterDataVersion.kind)).all()
    return {k: v for k, v in rows}


def reference_keys(session: Session, refs: tuple[tuple[str, str, bool], ...]
                   ) -> dict[str, set[str] | None]:
    """Keys of the kinds that ``refs`` point to (None where a kind has no active version)."""
    versions = active_versions(session)
    wanted = set()
    for _, target, _ in refs:
        wanted |= {"customers", "suppliers"} if target == "partner" else {target}
    out: dict[str, set[str] | None] = {}
    for kind in wanted:
        vid = versions.get(kind)
        if vid is None:
            out[kind] = None
            continue
        col = {"products": Product.sku, "payment_terms": PaymentTerm.code}.get(kind, Partner.number)
        out[kind] = set(session.scalars(select(col).where(col.class_.version_id == vid)))
    return out


@dataclass(frozen=True)
class PartnerSnapshot:
    """A detached copy of the partner fields that matching needs."""

    id: int
    kind: str
    number: str
    name: str
    aliases: tuple[str, ...]
    address_line1: str | None
    postcode: str | None
    city: str | None
    country: str | None
    vat_id: str | None
    ibans: tuple[str, ...]
    email_domains: tuple[str, ...]
    active: bool


@dataclass
class OrderView:
    """An open order with its lines; ``received`` maps line number -> received quantity."""

    header: PurchaseOrder | SalesOrder
    lines: list[PurchaseOrderLine] | list[SalesOrderLine]
    received: dict[int, Decimal] = field(default_factory=dict)


class MasterDataRepository:
    """Lookups against the active version of each master-data kind."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._versions: dict[str, int] | None = None
        self._stamps: dict[str, tuple[str, int, str, str] | None] = {}

    @property
    def versions(self) -> dict[str, int]:
        if self._versions is None:
            self._versions = active_versions(self.session)
        return self._versions

    def version(self, kind: str) -> int | None:
        return self.versions.get(kind)

    def version_stamp(self, kind: str) -> tuple[str, int, str, str] | None:
        """(database URL, version id, sha256, imported_at) - a cache key for ``kind``."""
        if kind not in self._stamps:
            vid = self.version(kind)
            v = self.session.get(MasterDataVersion, vid) if vid is not None else None
            self._stamps[kind] = None if v is None else (
                str(self.session.get_bind().engine.url), v.id, v.sha256, str(v.imported_at))
        return self._stamps[kind]

    def _one(self, model: Any, kind: str, *where: Any) -> Any:
        vid = self.version(kind)
        if vid is None:
            return None
        return self.session.scalars(select(model).where(model.version_id == vid, *where)
                                    .limit(1)).first()

    # ---- partners -----------------------------------------------------------------
    def partner(self, kind: str, number: str) -> Partner | None:
        return self._one(Partner, partner_set(kind), Partner.number == number)

    def partner_by_id(self, partner_id: int) -> Partner | None:
        return self.session.get(Partner, partner_id)

    def partner_snapshots(self, kind: str) -> list[PartnerSnapshot]:
        vid = self.version(partner_set(kind))
        if vid is None:
            return []
        cols = (Partner.id, Partner.kind, Partner.number, Partner.name, Partner.aliases,
                Partner.address_line1, Partner.postcode, Partner.city, Partner.country,
                Partner.vat_id, Partner.ibans, Partner.email_domains, Partner.active)
        rows = self.session.execute(select(*cols).where(Partner.version_id == vid)
                                    .order_by(Partner.id)).all()
        return [PartnerSnapshot(r.id, r.kind, r.number, r.name, tuple(r.aliases or ()),
                                r.address_line1, r.postcode, r.city, r.country, r.vat_id,
                                tuple(r.ibans or ()), tuple(r.email_domains or ()),
                                bool(r.active)) for r in rows]

    # ---- products, part numbers, prices --------------------------------------------
    def product(self, sku: str) -> Product | None:
        return self._one(Product, "products", Product.sku == sku)

    def sku_for_part_number(self, partner_kind: str, partner_number: str,
                            part_number: str) -> str | None:
        row = self._one(PartNumber, "part_numbers",
                        PartNumber.partner_kind == partner_set(partner_kind)[:-1],
                        PartNumber.partner_number == partner_number,
                        PartNumber.part_number == part_number)
        return row.sku if row else None

    def price(self, sku: str, *, on: date | None = None, partner_kind: str | None = None,
              partner_number: str | None = None, currency: str | None = None) -> Price | None:
        """The partner-specific price valid on ``on`` if any, else the default price."""
        vid = self.version("prices")
        if vid is None:
            return None
        q = select(Price).where(Price.version_id == vid, Price.sku == sku)
        if on is not None:
            q = q.where(or_(Price.valid_from.is_(None), Price.valid_from <= on),
                        or_(Price.valid_to.is_(None), Price.valid_to >= on))
        if currency:
            q = q.where(Price.currency == currency)
        rows = self.session.scalars(q.order_by(Price.valid_from.desc())).all()
        pk = partner_set(partner_kind)[:-1] if partner_kind else None
        specific = [p for p in rows if p.partner_number and p.partner_number == partner_number
                    and p.partner_kind == pk]
        default = [p for p in rows if not p.partner_number]
        return (specific or default or [None])[0]

    # ---- orders, invoices, terms ------------------------------------------------------
    def purchase_order(self, number: str) -> OrderView | None:
        head = self._one(PurchaseOrder, "purchase_orders", PurchaseOrder.number == number)
        if head is None:
            return None
        vid = head.version_id
        lines = self.session.scalars(select(PurchaseOrderLine).where(
            PurchaseOrderLine.version_id == vid, PurchaseOrderLine.order_number == number)
            .order_by(PurchaseOrderLine.line_no)).all()
        received: dict[int, Decimal] = {}
        for gr in self.session.scalars(select(GoodsReceipt).where(
                GoodsReceipt.version_id == vid, GoodsReceipt.order_number == number)):
            received[gr.line_no] = received.get(gr.line_no, Decimal(0)) + gr.quantity
        return OrderView(head, list(lines), received)

    def sales_order(self, number: str | None = None, *, customer_number: str | None = None,
                    customer_po_number: str | None = None) -> OrderView | None:
        """By our number, or by the customer's own PO number (optionally per customer)."""
        where: list[Any] = []
        if number:
            where.append(SalesOrder.number == number)
        if customer_po_number:
            where.append(SalesOrder.customer_po_number == customer_po_number)
        if customer_number:
            where.append(SalesOrder.customer_number == customer_number)
        head = self._one(SalesOrder, "sales_orders", *where) if where else None
        if head is None:
            return None
        lines = self.session.scalars(select(SalesOrderLine).where(
            SalesOrderLine.version_id == head.version_id,
            SalesOrderLine.order_number == head.number).order_by(SalesOrderLine.line_no)).all()
        return OrderView(head, list(lines))

    def ar_invoice(self, number: str) -> ArInvoice | None:
        return self._one(ArInvoice, "ar_invoices", ArInvoice.number == number)

    def open_ar_invoices(self, customer_number: str) -> list[ArInvoice]:
        vid = self.version("ar_invoices")
        if vid is None:
            return []
        return list(self.session.scalars(select(ArInvoice).where(
            ArInvoice.version_id == vid, ArInvoice.customer_number == customer_number,
            ArInvoice.amount_due != 0).order_by(ArInvoice.due_date)))

    def payment_terms(self, code: str) -> PaymentTerm | None:
        return self._one(PaymentTerm, "payment_terms", PaymentTerm.code == code)
