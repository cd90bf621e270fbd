"""The checks run on every extracted document.  Each check family is a small function
``(ctx) -> None`` that adds named results; `CHECKS` is the registry, in order."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Document
from validation.result import ValidationResult

REQUIRED: dict[str, tuple[str, ...]] = {
    "invoice": ("invoice_number", "issue_date", "seller_name", "total_gross", "currency"),
    "credit_note": ("invoice_number", "issue_date", "seller_name", "total_gross", "currency"),
    "purchase_order": ("po_number", "order_date", "buyer_name"),
    "remittance": ("payer_name", "payment_amount", "payment_date"),
}
MIN_CONFIDENCE = 0.90
AMOUNT_TOLERANCE = Decimal("0.02")


@dataclass
class Ctx:
    doc: Document
    extraction: dict[str, Any]
    result: ValidationResult
    session: Session | None
    today: date

    @property
    def doc_type(self) -> str:
        return self.extraction.get("doc_type") or "other"

    def value(self, name: str) -> str | None:
        f = self.extraction.get("fields", {}).get(name)
        return f.get("value") if f else None

    def amount(self, name: str) -> Decimal | None:
        v = self.value(name)
        try:
            return Decimal(v) if v not in (None, "") else None
        except InvalidOperation:
            return None


def _dec(v: Any) -> Decimal | None:
    try:
        return Decimal(v) if v not in (None, "") else None
    except InvalidOperation:
        return None


def check_type(ctx: Ctx) -> None:
    ok = ctx.doc_type in REQUIRED
    ctx.result.add("document.type", ok, "document type recognised" if ok else
                   "could not tell what kind of document this is (not an invoice, credit note, "
                   "purchase order or remittance)")


def check_required(ctx: Ctx) -> None:
    missing = [n for n in REQUIRED.get(ctx.doc_type, ()) if not ctx.value(n)]
    ctx.result.add("fields.required", not missing,
                   "all required fields present" if not missing else
                   "missing required field(s): " + ", ".join(missing), missing)


def check_confidence(ctx: Ctx) -> None:
    low = [(n, f.get("confidence", 0.0)) for n, f in ctx.extraction.get("fields", {}).items()
           if f.get("value") is not None and f.get("confidence", 0.0) < MIN_CONFIDENCE]
    ctx.result.add("fields.confidence", not low,
                   "all fields confident" if not low else "low confidence: " +
                   ", ".join(f"{n} ({c:.2f})" for n, c in low), [n for n, _ in low])


def check_arithmetic(ctx: Ctx) -> None:
    net, tax, gross = ctx.amount("total_net"), ctx.amount("total_tax"), ctx.amount("total_gross")
    if net is not None and tax is not None and gross is not None:
        ok = abs(net + tax - gross) <= AMOUNT_TOLERANCE
        ctx.result.add("arithmetic.net_tax_gross", ok,
                       f"net {net} + tax {tax} = gross {gross}" if ok else
                       f"net {net} + tax {tax} = {net + tax}, but the gross total says {gross}",
                       ["total_net", "total_tax", "total_gross"])
    totals = [_dec(line.get("line_total", {}).get("value")) for line in ctx.extraction.get("lines", [])]
    if net is not None and totals and all(t is not None for t in totals):
        s = sum(totals, Decimal(0))
        ok = abs(s - net) <= max(AMOUNT_TOLERANCE, abs(net) * Decimal("0.001"))
        ctx.result.add("arithmetic.lines_net", ok,
                       f"{len(totals)} lines sum to the net total {net}" if ok else
                       f"the {len(totals)} lines sum to {s}, but the net total says {net}",
                       ["total_net"], blocking=True)
    for i, line in enumerate(ctx.extraction.get("lines", []), 1):
        q, p, t = (_dec(line.get(k, {}).get("value")) for k in ("quantity", "unit_price", "line_total"))
        if q is not None and p is not None and t is not None and abs(q * p - t) > max(
                Decimal("0.05"), abs(t) * Decimal("0.01")):
            ctx.result.add("arithmetic.line", False,
                           f"line {i}: {q} x {p} = {q * p}, but the line total says {t}",
                           [f"lines[{i}].line_total"])


def check_dates(ctx: Ctx) -> None:
    def d(name: str) -> date | None:
        try:
            return date.fromisoformat(ctx.value(name) or "")
        except ValueError:
            return None
    issued = d("issue_date") or d("order_date") or d("payment_date")
    if issued and issued > ctx.today + timedelta(days=1):
        ctx.result.add("dates.future", False, f"the document date {issued} is in the future")
    due = d("due_date")
    if issued and due and due < issued:
        ctx.result.add("dates.due_before_issue", False,
                       f"due date {due} is before the issue date {issued}", ["due_date"])


def check_extraction_reasons(ctx: Ctx) -> None:
    for reason in ctx.extraction.get("reasons", []):
        code = reason.split(":", 1)[0]
        ctx.result.add(f"extraction.{code}", False, reason)


def check_duplicate(ctx: Ctx) -> None:
    number = ctx.value("invoice_number") or ctx.value("po_number")
    if ctx.session is None or not number or ctx.doc_type not in REQUIRED:
        return
    seller = (ctx.value("seller_vat_id") or ctx.value("seller_name") or "").upper()
    rows = ctx.session.scalars(select(Document).where(
        Document.id != ctx.doc.id, Document.doc_type == ctx.doc_type,
        Document.state.notin_(["failed", "rejected"]))).all()
    for other in rows:
        f = (other.extraction or {}).get("fields", {})
        o_num = (f.get("invoice_number") or f.get("po_number") or {}).get("value")
        o_seller = ((f.get("seller_vat_id") or f.get("seller_name") or {}).get("value") or "").upper()
        if o_num == number and o_seller == seller:
            ctx.result.add("duplicate.number", False,
                           f"document {other.id} already has {ctx.doc_type} number {number} "
                           f"from the same party", ["invoice_number"])
            return


CHECKS: list[Callable[[Ctx], None]] = [
    check_type, check_required, check_confidence, check_arithmetic, check_dates,
    check_extraction_reasons, check_duplicate,
]


def validate_document(session: Session | None, doc: Document, today: date | None = None) -> ValidationResult:
    result = ValidationResult()
    ctx = Ctx(doc, doc.extraction or {}, result, session, today or date.today())
    for check in CHECKS:
        check(ctx)
    return result
