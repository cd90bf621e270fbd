"""Per-version in-memory indexes of master data, for the matching checks.

`md_index(repo, kind, build)` builds an index once per active master-data version of
``kind`` and caches it per database (engine) and version id.  On top of it: partner facts
(country, payment terms), open purchase orders with their lines and goods receipts, and
sales orders by the customer's PO number.
"""
from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from validation.masterdata.models import (GoodsReceipt, Partner, PurchaseOrder,
                                          PurchaseOrderLine, SalesOrder)
from validation.masterdata.repository import partner_set

_CACHE: dict[tuple[Any, ...], Any] = {}
_ENGINES: dict[int, Any] = {}
_LOCK = threading.Lock()


def _stamp(repo: Any, kind: str) -> tuple[Any, ...] | None:
    """A cache key for the active version of ``kind``: (engine, version id) - version ids
    are never reused within a database, and the engine is checked by weak reference."""
    vid = repo.version(kind)
    if vid is None:
        return None
    engine = repo.session.get_bind().engine
    with _LOCK:
        ref = _ENGINES.get(id(engine))
        if ref is None or ref() is not engine:
            _ENGINES[id(engine)] = weakref.ref(engine)
            for k in [k for k in _CACHE if k[1] == id(engine)]:
                del _CACHE[k]
    return (id(engine), vid)


def md_index(repo: Any, kind: str, build: Callable[[int], Any]) -> Any:
    """``build(version_id)`` for the active version of ``kind``, cached per database and
    version (None when the kind was never imported)."""
    stamp = _stamp(repo, kind)
    if stamp is None:
        return None
    key = (build.__qualname__, *stamp)
    with _LOCK:
        hit = _CACHE.get(key)
    if hit is None:
        hit = build(stamp[1])
        with _LOCK:
            _CACHE[key] = hit
            while len(_CACHE) > 64:
                _CACHE.pop(next(iter(_CACHE)))
    return hit


@dataclass(frozen=True)
class PartnerFacts:
    id: int
    number: str
    country: str | None
    payment_terms: str | None


def partner_facts(repo: Any, kind: str, partner_id: int) -> PartnerFacts | None:
    """Country and payment terms of a partner, from a per-version index."""
    def build(vid: int) -> dict[int, PartnerFacts]:
        rows = repo.session.execute(select(Partner.id, Partner.number, Partner.country,
                                           Partner.payment_terms)
                                    .where(Partner.version_id == vid)).all()
        return {r[0]: PartnerFacts(*r) for r in rows}
    idx = md_index(repo, partner_set(kind), build) or {}
    return idx.get(partner_id)


@dataclass(frozen=True)
class OrderLine:
    line_no: int
    sku: str | None
    quantity: Decimal
    unit_price: Decimal | None


@dataclass(frozen=True)
class OrderHead:
    number: str
    supplier_number: str
    currency: str | None


@dataclass
class Order:
    header: OrderHead
    lines: list[OrderLine]
    received: dict[int, Decimal]


def purchase_orders(repo: Any) -> dict[str, Order]:
    """Open purchase orders with lines and received quantities, per version."""
    def build(vid: int) -> dict[str, Order]:
        out: dict[str, Order] = {}
        for h in repo.session.scalars(select(PurchaseOrder).where(
                PurchaseOrder.version_id == vid)):
            out[h.number] = Order(OrderHead(h.number, h.supplier_number, h.currency), [], {})
        for ln in repo.session.scalars(select(PurchaseOrderLine).where(
                PurchaseOrderLine.version_id == vid).order_by(PurchaseOrderLine.line_no)):
            if ln.order_number in out:
                out[ln.order_number].lines.append(OrderLine(
                    ln.line_no, ln.sku, Decimal(ln.quantity),
                    Decimal(ln.unit_price) if ln.unit_price is not None else None))
        for gr in repo.session.scalars(select(GoodsReceipt).where(
                GoodsReceipt.version_id == vid)):
            o = out.get(gr.order_number)
            if o is not None:
                o.received[gr.line_no] = o.received.get(gr.line_no, Decimal(0)) + gr.quantity
        return out
    return md_index(repo, "purchase_orders", build) or {}


def sales_orders_by_customer_po(repo: Any) -> dict[tuple[str, str], str]:
    def build(vid: int) -> dict[tuple[str, str], str]:
        rows = repo.session.execute(select(SalesOrder.customer_number,
                                           SalesOrder.customer_po_number, SalesOrder.number)
                                    .where(SalesOrder.version_id == vid)).all()
        return {(c, p): n for c, p, n in rows if p}
    return md_index(repo, "sales_orders", build) or {}
