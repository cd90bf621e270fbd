"""Price list lookup, article-number mapping and tolerances for the matching checks.

`list_price` finds the price valid on a date (partner price first, then the default price,
in the document's currency); `map_sku` maps an article number printed on a partner's
document (our SKU or their own part number) to our SKU; `within` is the price/quantity
tolerance test (percent or absolute, whichever is larger).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from validation.masterdata.models import PartNumber, Price, Product
from validation.md_index import md_index


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

