"""Typed results of extraction: what a document claims, field by field.

Every extractor (XML, text layer, OCR, mail body) produces an `Extraction`; the CLI's
`o2c extract --json` prints `Extraction.to_json_dict()` and the pipeline stores it on the
`Document` row.  Boxes are page-relative fractions ``(x0, y0, x1, y1)`` in ``[0, 1]`` with
the origin at the top-left, so the review UI can draw them on a page image of any size.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field as PydField

DOC_TYPES = ("purchase_order", "invoice", "credit_note", "remittance", "other")

# Canonical field names per document type (header fields, line fields).
HEADER_FIELDS: dict[str, tuple[str, ...]] = {
    "invoice": (
        "invoice_number", "issue_date", "due_date", "currency", "seller_name",
        "seller_address", "seller_vat_id", "seller_iban", "buyer_name", "buyer_vat_id",
        "po_number", "total_net", "total_tax", "total_gross", "amount_due",
    ),
    "purchase_order": (
        "po_number", "order_date", "delivery_date", "currency", "buyer_name",
        "seller_name", "ship_to", "total_net", "total_gross",
    ),
    "remittance": (
        "payer_name", "payment_date", "payment_reference", "payment_amount", "currency",
    ),
}
HEADER_FIELDS["credit_note"] = HEADER_FIELDS["invoice"]
HEADER_FIELDS["other"] = ()

LINE_FIELDS: dict[str, tuple[str, ...]] = {
    "invoice": ("sku", "description", "quantity", "unit_price", "line_total", "tax_rate"),
    "purchase_order": ("sku", "description", "quantity", "unit", "unit_price", "line_total"),
    "remittance": ("invoice_number", "amount_paid", "discount", "deduction", "deduction_reason"),
}
LINE_FIELDS["credit_note"] = LINE_FIELDS["invoice"]
LINE_FIELDS["other"] = ()

BBox = tuple[float, float, float, float]


class Field(BaseModel):
    """One extracted value with its confidence and provenance."""

    value: str | None
    confidence: float = 0.0
    page: int | None = None          # 1-based page number, None when not from a page
    bbox: BBox | None = None         # page-relative fractions, top-left origin
    source: str = "text"             # xml | text | ocr | mail | derived | human


Line = dict[str, Field]


class Extraction(BaseModel):
    """Everything extraction learned about one document."""

    doc_type: str = "other"
    doc_type_confidence: float = 0.0
    fields: dict[str, Field] = PydField(default_factory=dict)
    lines: list[Line] = PydField(default_factory=list)
    pages: int = 0
    language: str | None = None
    reasons: list[str] = PydField(default_factory=list)   # review reasons raised by extraction
    meta: dict[str, Any] = PydField(default_factory=dict)  # reader used, timings, xml profile...

    def value(self, name: str) -> str | None:
        f = self.fields.get(name)
        return f.value if f else None

    def to_json_dict(self, file: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if file is not None:
            out["file"] = file
        out["doc_type"] = self.doc_type
        out["doc_type_confidence"] = round(self.doc_type_confidence, 4)
        out["fields"] = {k: f.model_dump() for k, f in self.fields.items()}
        out["lines"] = [{k: f.model_dump() for k, f in line.items()} for line in self.lines]
        out["pages"] = self.pages
        out["reasons"] = list(self.reasons)
        return out
