"""Purchase side of order matching: supplier invoice lines against our purchase orders.

`check_purchase_match` does a 2-way match of every invoice line to the open purchase order
(price, quantity) and, with the ``three_way`` option, a 3-way match against the goods
received, within the supplier's tolerances.  Invoices without a PO are checked against the
price list (option ``price_list_check``).
"""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from validation.md_index import purchase_orders
from validation.price_list import fmt, list_price, map_sku, within
from validation.result import dec

if TYPE_CHECKING:
    from validation.checks import Ctx


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
