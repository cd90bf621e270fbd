"""Order matching.

Sales side (customer purchase orders, `check_sales_order`): the customer is matched by the
party checks; each line's article (our SKU or the customer's own part number) is mapped to
our SKU, its price checked against the price list valid on the order date (customer price
first, then the default price, in the order's currency) and the requested delivery date
checked for plausibility.  The result is a sales-order proposal in the data of the
``sales.proposal`` check.

Purchase side (supplier invoices, `check_purchase_match`): a 2-way match of every invoice
line to our open purchase order (price, quantity) and, with the ``three_way`` option, a
3-way match against the goods received.  Tolerances (``price_pct``/``price_abs``,
``quantity_pct``/``quantity_abs``) come from the rules, per supplier.  Invoices without a
PO are checked against the price list (option ``price_list_check``).

Prices, part numbers and products are read into small in-memory indexes once per
master-data version (`md_index`).
"""
from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from validation.result import dec
from validation.masterdata.models import (GoodsReceipt, Partner, PartNumber, Price, Product,
                                          PurchaseOrder, PurchaseOrderLine, SalesOrder)
from validation.masterdata.repository import partner_set

if TYPE_CHECKING:
    from validation.checks import Ctx

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


@dataclass(frozen=True)
class PriceRow:
    partner_kind: str | None
    partner_number: str | None
    price: Decimal
    currency: str
    valid_from: date | None
    valid_to: date | None

    def valid_on(self, d: date | None) -> bool:
        return d is None or ((self.valid_from is None or self.valid_from <= d)
                             and (self.valid_to is None or self.valid_to >= d))


def price_index(repo: Any) -> dict[str, list[PriceRow]]:
    def build(vid: int) -> dict[str, list[PriceRow]]:
        out: dict[str, list[PriceRow]] = {}
        for p in repo.session.scalars(select(Price).where(Price.version_id == vid)):
            out.setdefault(p.sku, []).append(PriceRow(
                p.partner_kind, p.partner_number, Decimal(p.price), p.currency,
                p.valid_from, p.valid_to))
        for rows in out.values():
            rows.sort(key=lambda r: r.valid_from or date.min, reverse=True)
        return out
    return md_index(repo, "prices", build) or {}


def list_price(repo: Any, sku: str, on: date | None, kind: str, number: str | None,
               currency: str | None) -> tuple[PriceRow | None, str]:
    """(price row, "") or (None, why): partner price first, then the default price."""
    rows = price_index(repo).get(sku, [])
    if not rows:
        return None, f"no list price for {sku}"
    mine = [r for r in rows if r.partner_number is None or
            (r.partner_number == number and r.partner_kind == kind)]
    in_ccy = [r for r in mine if not currency or r.currency == currency]
    if not in_ccy:
        have = ", ".join(sorted({r.currency for r in mine})) or "none"
        return None, f"no {currency} list price for {sku} (price list in {have})"
    valid = [r for r in in_ccy if r.valid_on(on)]
    if not valid:
        return None, f"no list price for {sku} valid on {on}"
    specific = [r for r in valid if r.partner_number is not None]
    return (specific or valid)[0], ""


def sku_index(repo: Any) -> tuple[set[str], dict[tuple[str, str, str], str]]:
    """(our SKUs, {(partner kind, partner number, their part number): sku})."""
    def products(vid: int) -> set[str]:
        return set(repo.session.scalars(select(Product.sku).where(Product.version_id == vid)))

    def parts(vid: int) -> dict[tuple[str, str, str], str]:
        return {(r.partner_kind, r.partner_number, norm_part(r.part_number)): r.sku
                for r in repo.session.scalars(select(PartNumber).where(
                    PartNumber.version_id == vid))}
    return (md_index(repo, "products", products) or set(),
            md_index(repo, "part_numbers", parts) or {})


def norm_part(v: str) -> str:
    return re.sub(r"\s+", "", v).upper()


def map_sku(repo: Any, kind: str, partner_number: str | None, raw: str | None) -> str | None:
    """Our SKU for an article number printed on a partner's document."""
    if not raw:
        return None
    skus, parts = sku_index(repo)
    if raw in skus:
        return raw
    if partner_number:
        hit = parts.get((kind, partner_number, norm_part(raw)))
        if hit:
            return hit
    compact = norm_part(raw)
    return compact if compact in skus else None


def fmt(d: Decimal | None) -> str:
    """``Decimal("6.0000")`` -> ``"6"``; ``Decimal("10.5000")`` -> ``"10.5"``."""
    if d is None:
        return "-"
    n = d.normalize()
    return f"{n:f}" if n == n.to_integral() or n.as_tuple().exponent < -1 else f"{n:.2f}"


def within(value: Decimal, ref: Decimal, pct: Decimal, absolute: Decimal) -> bool:
    return abs(value - ref) <= max(absolute, abs(ref) * pct / 100)


# ------------------------------------------------------------------------- sales side
def check_sales_order(ctx: Ctx) -> None:
    if ctx.doc_type != "purchase_order" or ctx.repo is None:
        return
    m = ctx.partner
    if m is None:
        return
    rs, repo = ctx.ruleset, ctx.repo
    order_date, currency = ctx.date("order_date"), ctx.value("currency")
    pct, absolute = rs.tol("price_pct"), rs.tol("price_abs")
    proposal: list[dict[str, Any]] = []
    problems = 0
    for i, line in enumerate(ctx.lines(), 1):
        raw = line.get("sku")
        sku = map_sku(repo, "customer", m.number, raw)
        qty, price = dec(line.get("quantity")), dec(line.get("unit_price"))
        if sku is None:
            problems += 1
            ctx.result.add("sales.part_unknown", False,
                           f"line {i}: article {raw!r} is neither one of our SKUs nor a part "
                           f"number on file for customer {m.number}", [f"lines[{i}].sku"])
            continue
        row, why = list_price(repo, sku, order_date, "customer", m.number, currency)
        entry = {"line": i, "sku": sku, "part_number": raw if raw != sku else None,
                 "description": line.get("description"), "quantity": str(qty) if qty else None,
                 "unit": line.get("unit"), "unit_price": str(price) if price else None,
                 "list_price": fmt(row.price) if row else None}
        proposal.append(entry)
        if row is None:
            problems += 1
            code = "sales.price_validity" if "valid on" in why else "sales.price_unverified"
            ctx.result.add(code, False, f"line {i}: {why}", [f"lines[{i}].unit_price"])
            continue
        if price is not None and not within(price, row.price, pct, absolute):
            problems += 1
            code = "sales.price_above_list" if price > row.price else "sales.price_below_list"
            word = "above" if price > row.price else "below"
            ctx.result.add(code, False, f"line {i}: price {price} for {sku} is {word} the list "
                           f"price {fmt(row.price)} {row.currency} (tolerance {pct}% / {absolute})",
                           [f"lines[{i}].unit_price"],
                           data={"sku": sku, "price": str(price), "list_price": str(row.price)})
    _check_delivery(ctx, order_date)
    po_number = ctx.value("po_number")
    if po_number:
        existing = sales_orders_by_customer_po(repo).get((m.number, po_number))
        if existing is not None:
            problems += 1
            ctx.result.add("sales.order_exists", False,
                           f"customer PO {po_number} is already entered as sales order "
                           f"{existing}", ["po_number"], data={"sales_order": existing})
    ctx.result.add("sales.proposal", True,
                   f"sales order proposal for customer {m.number}: {len(proposal)} line(s)"
                   + (f", {problems} problem(s)" if problems else ""), blocking=False,
                   data={"customer_number": m.number, "customer_po_number": po_number,
                         "order_date": order_date.isoformat() if order_date else None,
                         "requested_delivery": ctx.value("delivery_date"),
                         "currency": currency, "lines": proposal})


def _check_delivery(ctx: Ctx, order_date: date | None) -> None:
    delivery = ctx.date("delivery_date")
    if delivery is None or order_date is None:
        return
    max_days = int(ctx.ruleset.tol("delivery_max_days"))
    if delivery < order_date:
        ctx.result.add("sales.delivery_date", False, f"requested delivery {delivery} is before "
                       f"the order date {order_date}", ["delivery_date"])
    elif delivery > order_date + timedelta(days=max_days):
        ctx.result.add("sales.delivery_date", False, f"requested delivery {delivery} is more "
                       f"than {max_days} days after the order date {order_date}",
                       ["delivery_date"])
    else:
        ctx.result.add("sales.delivery_date", True, f"requested delivery {delivery} is "
                       f"plausible", ["delivery_date"], blocking=False)


# ---------------------------------------------------------------------- purchase side
def check_purchase_match(ctx: Ctx) -> None:
    if ctx.doc_type != "invoice" or ctx.repo is None:
        return
    m = ctx.partner
    if m is None:
        return
    rs = ctx.ruleset
    po_number = ctx.value("po_number")
    if not po_number:
        ctx.result.add("matching.no_po", False, "the invoice names no purchase order; "
                       "it cannot be matched to an order", ["po_number"],
                       blocking=rs.option("require_po"))
        if rs.option("price_list_check"):
            _check_against_price_list(ctx, m.number)
        return
    view = purchase_orders(ctx.repo).get(po_number)
    if view is None:
        ctx.result.add("matching.po_unknown", False, f"purchase order {po_number} is not one "
                       "of our open purchase orders", ["po_number"])
        return
    head = view.header
    if head.supplier_number != m.number:
        ctx.result.add("matching.po_supplier", False, f"purchase order {po_number} was placed "
                       f"with supplier {head.supplier_number}, not {m.number}", ["po_number"])
        return
    currency = ctx.value("currency")
    if head.currency and currency and head.currency != currency:
        ctx.result.add("matching.po_currency", False, f"invoice currency {currency} differs "
                       f"from the order currency {head.currency}", ["currency"])
    _match_lines(ctx, view, m.number)


def _match_lines(ctx: Ctx, view: Any, supplier: str) -> None:
    rs = ctx.ruleset
    pct, pabs = rs.tol("price_pct"), rs.tol("price_abs")
    qpct, qabs = rs.tol("quantity_pct"), rs.tol("quantity_abs")
    three_way = rs.option("three_way")
    remaining = {ln.line_no: Decimal(ln.quantity) for ln in view.lines}
    received = {k: Decimal(v) for k, v in view.received.items()}
    matched: list[dict[str, Any]] = []
    failures = 0
    po = view.header.number
    for i, line in enumerate(ctx.lines(), 1):
        sku = map_sku(ctx.repo, "supplier", supplier, line.get("sku"))
        qty, price = dec(line.get("quantity")), dec(line.get("unit_price"))
        cands = [ln for ln in view.lines if sku and ln.sku == sku]
        pol = next((ln for ln in cands if remaining.get(ln.line_no, 0) > 0), None) or \
            (cands[0] if cands else None)
        if pol is None:
            failures += 1
            ctx.result.add("matching.line_not_ordered", False, f"line {i}: article "
                           f"{line.get('sku')!r} is not on purchase order {po}",
                           [f"lines[{i}].sku"])
            continue
        entry = {"invoice_line": i, "po_line": pol.line_no, "sku": sku,
                 "quantity": str(qty) if qty is not None else None,
                 "ordered": fmt(pol.quantity), "received": fmt(received.get(pol.line_no, Decimal(0))),
                 "price": str(price) if price is not None else None,
                 "po_price": fmt(pol.unit_price) if pol.unit_price is not None else None}
        matched.append(entry)
        if price is not None and pol.unit_price is not None and not within(
                price, Decimal(pol.unit_price), pct, pabs):
            failures += 1
            word = "above" if price > pol.unit_price else "below"
            ctx.result.add("matching.price", False, f"line {i}: price {price} is {word} the "
                           f"order price {fmt(pol.unit_price)} on {po} line "
                           f"{pol.line_no} (tolerance {pct}% / {pabs})",
                           [f"lines[{i}].unit_price"], data=entry)
        if qty is None:
            continue
        open_qty = remaining.get(pol.line_no, Decimal(0))
        if qty > open_qty and not within(qty, open_qty, qpct, qabs):
            failures += 1
            ctx.result.add("matching.quantity", False, f"line {i}: invoiced quantity {qty} "
                           f"exceeds the open order quantity {fmt(open_qty)} on {po} line "
                           f"{pol.line_no}", [f"lines[{i}].quantity"], data=entry)
        remaining[pol.line_no] = open_qty - qty
        if three_way:
            got = received.get(pol.line_no, Decimal(0))
            if qty > got and not within(qty, got, qpct, qabs):
                failures += 1
                ctx.result.add("matching.goods_receipt", False,
                               f"line {i}: invoiced quantity {qty} but only {fmt(got)} received "
                               f"for {po} line {pol.line_no}" if got else
                               f"line {i}: no goods receipt yet for {po} line {pol.line_no}",
                               [f"lines[{i}].quantity"], data=entry)
            received[pol.line_no] = got - qty
    ctx.result.add("matching.po", failures == 0,
                   f"{len(matched)} line(s) matched to purchase order {po}"
                   + (" with goods receipts (3-way)" if three_way else " (2-way)")
                   if failures == 0 else
                   f"{failures} difference(s) against purchase order {po}",
                   ["po_number"], blocking=False,
                   data={"po_number": po, "three_way": three_way, "lines": matched})


def _check_against_price_list(ctx: Ctx, supplier: str) -> None:
    rs = ctx.ruleset
    pct, absolute = rs.tol("price_pct"), rs.tol("price_abs")
    on, currency = ctx.date("issue_date"), ctx.value("currency")
    for i, line in enumerate(ctx.lines(), 1):
        sku = map_sku(ctx.repo, "supplier", supplier, line.get("sku"))
        price = dec(line.get("unit_price"))
        if sku is None or price is None:
            continue
        row, _ = list_price(ctx.repo, sku, on, "supplier", supplier, currency)
        if row is not None and price > row.price and not within(price, row.price, pct,
                                                                  absolute):
            ctx.result.add("matching.price_above_list", False,
                           f"line {i}: price {price} for {sku} is above the list price "
                           f"{row.price} {row.currency} (tolerance {pct}% / {absolute})",
                           [f"lines[{i}].unit_price"],
                           data={"sku": sku, "price": str(price), "list_price": str(row.price)})


MATCHING_CHECKS: list[Any] = [check_sales_order, check_purchase_match]
