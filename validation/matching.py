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

This module is the entry point (``MATCHING_CHECKS``) and re-exports the pieces:
`validation.md_index` (cached master-data indexes, purchase/sales orders),
`validation.price_list` (price lookup, SKU mapping, tolerances), `validation.sales_order`
and `validation.po_match` (the two checks).
"""
from __future__ import annotations

from typing import Any

from validation.md_index import (Order, OrderHead, OrderLine, PartnerFacts, md_index,
                                 partner_facts, purchase_orders, sales_orders_by_customer_po)
from validation.po_match import check_purchase_match
from validation.price_list import (PriceRow, fmt, list_price, map_sku, norm_part,
                                   price_index, sku_index, within)
from validation.sales_order import check_sales_order

MATCHING_CHECKS: list[Any] = [check_sales_order, check_purchase_match]

__all__ = ["MATCHING_CHECKS", "Order", "OrderHead", "OrderLine", "PartnerFacts", "PriceRow",
           "check_purchase_match", "check_sales_order", "fmt", "list_price", "map_sku",
           "md_index", "norm_part", "partner_facts", "price_index", "purchase_orders",
           "sales_orders_by_customer_po", "sku_index", "within"]
