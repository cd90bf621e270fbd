"""Typed values of a line item's cells, checked by arithmetic.

Cells are typed per column: amounts per the document's locale, quantities with an
optional unit ("0,5 m", "3 Stk" - the unit goes to ``unit`` when the table has no unit
column of its own), percentages, and text as printed.  ``quantity x unit_price ==
line_total`` (also per 10/100/1000 price basis, and within a cent per unit of rounding)
raises the confidence of the three numbers; a mismatch lowers it.
"""
from __future__ import annotations

import re
from decimal import Decimal

from extraction.fields.doc import Doc
from extraction.layout import Word, union
from extraction.model import Field

AMOUNTS = ("line_total", "unit_price", "amount_paid", "discount", "deduction")
_CURRENCY = re.compile(r"^(EUR|USD|GBP|CHF|€|\$|£)$", re.I)
_UNIT = re.compile(r"^[A-Za-zÀ-ÿ.²³]{1,8}$")


def _amount(doc: Doc, ws: list[Word]) -> tuple[Decimal | None, list[Word]]:
    vals = [(doc.amount(w.text), w) for w in ws if not _CURRENCY.match(w.text)]
    vals = [(a, w) for a, w in vals if a is not None]
    if not vals:
        joined = " ".join(w.text for w in ws if not _CURRENCY.match(w.text))
        a = doc.amount(joined) if joined else None
        return a, ws if a is not None else []
    return vals[-1][0], [vals[-1][1]]


def _quantity(doc: Doc, ws: list[Word]) -> tuple[Decimal | None, str | None, list[Word]]:
    from extraction.normalize import parse_quantity
    for k, w in enumerate(ws):
        m = re.match(r"^([-+]?[\d.,]+)\s*([A-Za-zÀ-ÿ.²³]{1,8})?$", w.text)
        if not m:
            continue
        q = parse_quantity(m.group(1), doc.num_hint)
        if q is None:
            continue
        unit = m.group(2)
        if unit is None and k + 1 < len(ws) and _UNIT.match(ws[k + 1].text):
            unit = ws[k + 1].text
        return q, unit, [w]
    return None, None, []


def _percent(doc: Doc, ws: list[Word]) -> Decimal | None:
    from extraction.normalize import parse_percent
    txt = " ".join(w.text for w in ws)
    m = re.search(r"[-+]?\d+(?:[.,]\d+)?\s*%?", txt)
    return parse_percent(m.group(0), doc.num_hint) if m else None


def typed_row(doc: Doc, cells: dict[str, list[Word]], wanted: tuple[str, ...]
              ) -> dict[str, tuple[str, list[Word]]]:
    """Field -> (normalised value, source words) for one item."""
    from extraction.normalize import format_amount, format_quantity
    out: dict[str, tuple[str, list[Word]]] = {}
    for f, ws in cells.items():
        if f.startswith("_") or f not in wanted or not ws:
            continue
        if f in AMOUNTS:
            a, used = _amount(doc, ws)
            if a is not None:
                out[f] = (format_amount(a), used)
        elif f == "quantity":
            q, unit, used = _quantity(doc, ws)
            if q is not None:
                out[f] = (format_quantity(q), used)
                if unit and "unit" in wanted and not cells.get("unit"):
                    out["unit"] = (unit, used)
        elif f == "tax_rate":
            p = _percent(doc, ws)
            if p is not None:
                out[f] = (format(p.normalize(), "f") if p == p.to_integral() else str(p), ws)
        else:
            txt = re.sub(r"\s+", " ", " ".join(w.text for w in ws)).strip(" -|;")
            if txt:
                out[f] = (txt, ws)
    return out


def consistent(q: Decimal, p: Decimal, t: Decimal) -> bool:
    """quantity x unit price == line total, allowing a price basis and rounding."""
    for basis in (1, 10, 100, 1000):
        exp = q * p / basis
        if abs(exp - t) <= Decimal("0.011") + abs(q) * Decimal("0.005") / basis:
            return True
    return False


def to_fields(row: dict[str, tuple[str, list[Word]]], page: int, source: str
              ) -> dict[str, Field]:
    """Fields with confidences: arithmetic-consistent numbers score higher."""
    conf = {f: 0.6 for f in row}
    try:
        q = Decimal(row["quantity"][0])
        p = Decimal(row["unit_price"][0])
        t = Decimal(row["line_total"][0])
    except (KeyError, ArithmeticError):
        pass
    else:
        ok = consistent(q, p, t)
        for f in ("quantity", "unit_price", "line_total"):
            conf[f] = 0.9 if ok else 0.4
    return {f: Field(value=v, confidence=conf[f], page=page, bbox=union(ws), source=source)
            for f, (v, ws) in row.items()}
