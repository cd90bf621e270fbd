"""Compare what an embedded e-invoice XML says with what the visible PDF shows.

A disagreement is a real fraud/error signal (the XML is what accounting software books,
the picture is what a human approved), so each one becomes a review reason."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from extraction.model import Extraction

AMOUNT_FIELDS = {"total_net", "total_tax", "total_gross", "amount_due", "payment_amount"}
COMPARED = ("invoice_number", "issue_date", "due_date", "currency", "seller_vat_id",
            "seller_iban", "buyer_vat_id", "po_number", "total_net", "total_tax",
            "total_gross", "amount_due")
MIN_VISIBLE_CONFIDENCE = 0.5


def _norm(name: str, value: str) -> object:
    if name in AMOUNT_FIELDS:
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return re.sub(r"[\s\-_/.]", "", value).upper()


def compare_xml_visible(xml: Extraction, visible: Extraction) -> list[str]:
    reasons = []
    for name in COMPARED:
        x, v = xml.fields.get(name), visible.fields.get(name)
        if not x or not v or x.value is None or v.value is None:
            continue
        if v.confidence < MIN_VISIBLE_CONFIDENCE:
            continue
        if _norm(name, x.value) != _norm(name, v.value):
            reasons.append(f"xml_visible_mismatch: {name} is {x.value} in the embedded XML "
                           f"but {v.value} on page {v.page or '?'}")
    return reasons
