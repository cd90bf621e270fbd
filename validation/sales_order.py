"""Sales side of order matching: a customer purchase order becomes a sales-order proposal.

`check_sales_order` maps each line's article to our SKU, checks its price against the price
list valid on the order date, checks the requested delivery date for plausibility and that
the customer PO is not already entered; the proposal is the data of ``sales.proposal``.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from validation.md_index import sales_orders_by_customer_po
from validation.price_list import fmt, list_price, map_sku, within
from validation.result import dec

if TYPE_CHECKING:
    from validation.checks import Ctx


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

