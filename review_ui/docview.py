"""What the document page shows: fields in a fixed order per document type (missing
required ones included, empty), which of them need attention, the reasons for review
linked to their fields, lines, history, and partner suggestions for the autocomplete."""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Document
from review_ui.editing import LINE_COLUMNS
from review_ui.models import ReviewIndex

MIN_CONFIDENCE = 0.90
SCHEMA: dict[str, tuple[str, ...]] = {
    "invoice": ("invoice_number", "issue_date", "due_date", "seller_name", "seller_vat_id",
                "seller_iban", "buyer_name", "currency", "total_net", "total_tax",
                "total_gross", "amount_due"),
    "purchase_order": ("po_number", "order_date", "delivery_date", "buyer_name", "seller_name",
                       "currency", "total_net", "total_gross"),
    "remittance": ("payer_name", "payment_date", "payment_amount", "payment_reference",
                   "currency"),
}
SCHEMA["credit_note"] = SCHEMA["invoice"]
SCHEMA["other"] = SCHEMA["invoice"]
PARTNER_FIELDS = {"seller_name": "supplier", "buyer_name": "customer", "payer_name": "customer"}
LINE_REF = re.compile(r"^lines\[(\d+)\]\.(\w+)$")


def anchor(field: str) -> str:
    """DOM id of a field's input: ``f-<name>`` or ``l-<index>-<column>``."""
    m = LINE_REF.match(field)
    return f"l-{int(m.group(1)) - 1}-{m.group(2)}" if m else f"f-{field}"


def field_rows(extraction: dict[str, Any], failing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    fields: dict[str, Any] = extraction.get("fields") or {}
    doc_type = extraction.get("doc_type") or "other"
    names = list(SCHEMA.get(doc_type, SCHEMA["other"]))
    names += [n for n in fields if n not in names]
    flagged = {f for r in failing for f in r.get("fields", [])}
    rows = []
    for n in names:
        f = fields.get(n) or {}
        conf = f.get("confidence")
        reviewed = f.get("source") == "reviewer"
        attention = not reviewed and (n in flagged or (f.get("value") not in (None, "") and
                                                       (conf or 0) < MIN_CONFIDENCE))
        rows.append({"name": n, "label": n.replace("_", " "), "value": f.get("value") or "",
                     "confidence": conf, "page": f.get("page"), "bbox": f.get("bbox"),
                     "source": f.get("source") or "", "attention": attention,
                     "partner": PARTNER_FIELDS.get(n), "reviewed": reviewed})
    return rows


def line_rows(extraction: dict[str, Any]) -> tuple[list[str], list[list[dict[str, Any]]]]:
    lines = extraction.get("lines") or []
    cols = [c for c in LINE_COLUMNS if c in ("description", "quantity", "unit_price", "line_total")
            or any(c in ln for ln in lines)]
    out = []
    for ln in lines:
        out.append([{"column": c, "value": (ln.get(c) or {}).get("value") or "",
                     "confidence": (ln.get(c) or {}).get("confidence"),
                     "page": (ln.get(c) or {}).get("page"), "bbox": (ln.get(c) or {}).get("bbox")}
                    for c in cols])
    return cols, out


def reasons(failing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"code": r.get("code", ""), "reason": r.get("reason", ""),
             "fields": [{"name": f, "anchor": anchor(f)} for f in r.get("fields", [])]}
            for r in failing]


def history(doc: Document) -> list[dict[str, Any]]:
    out = []
    for e in reversed(doc.events):
        before, after = e.before or {}, e.after or {}
        if e.action == "transition":
            what = f"{before.get('state', '')} → {after.get('state', '')}"
        elif "field" in after or "field" in before:
            what = f"{after.get('field') or before.get('field')}: {before.get('value')!s} → {after.get('value')!s}"
        else:
            what = ""
        out.append({"at": e.at, "actor": e.actor, "action": e.action, "what": what,
                    "detail": e.detail or ""})
    return out


def suggest_partners(session: Session, q: str, field: str, limit: int = 10) -> list[dict[str, Any]]:
    """Master data partners matching `q` when that module is available, else names seen
    on other documents."""
    q = q.strip().casefold()
    if len(q) < 1:
        return []
    kind = PARTNER_FIELDS.get(field, "supplier")
    try:
        from validation.masterdata.repository import MasterDataRepository

        found = []
        with session.begin_nested():
            for p in MasterDataRepository(session).partner_snapshots(kind):
                names = (p.name, *p.aliases)
                if any(q in n.casefold() for n in names) or q == (p.number or "").casefold():
                    found.append({"name": p.name, "number": p.number, "vat_id": p.vat_id,
                                  "city": p.city, "source": "master data"})
                    if len(found) >= limit:
                        break
        if found:
            return found
    except Exception:    # master data not installed / tables missing: fall back
        pass
    like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    names = session.scalars(select(ReviewIndex.partner).distinct()
                            .where(ReviewIndex.partner_norm.like(like, escape="\\"))
                            .limit(limit))
    return [{"name": n, "number": None, "vat_id": None, "city": None, "source": "seen before"}
            for n in names if n]
