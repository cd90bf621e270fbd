"""Link a supplier credit note to the invoice it corrects.

First by the invoice number the credit note references (fields ``original_invoice``,
``referenced_invoice`` or ``invoice_reference``, or ``meta.referenced_invoice`` from
e-invoices), looked up among the validated invoices of the same supplier in
``validation_keys``; failing that by amount: the supplier's latest invoice, dated on or
before the credit note, whose gross equals the credit.  ``credit_note.linked`` carries the
link in its data; ``credit_note.unlinked`` is a warning under the default rules and
``credit_note.exceeds_original`` (credit larger than the invoice) forces review.
"""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.models import Document
from validation.checks_duplicates import DEAD_STATES, ValidationKey, norm_number, partner_key

if TYPE_CHECKING:
    from validation.checks import Ctx

REF_FIELDS = ("original_invoice", "referenced_invoice", "invoice_reference")


def referenced_number(ctx: Ctx) -> str | None:
    for name in REF_FIELDS:
        v = ctx.value(name)
        if v:
            return v
    meta = ctx.extraction.get("meta") or {}
    return meta.get("referenced_invoice") or None


def _invoices(ctx: Ctx, pkey: str) -> Any:
    return (select(ValidationKey.document_id, ValidationKey.number, ValidationKey.amount,
                   ValidationKey.doc_date)
            .join(Document, Document.id == ValidationKey.document_id)
            .where(ValidationKey.partner_key == pkey, ValidationKey.doc_type == "invoice",
                   Document.state.notin_(DEAD_STATES), ValidationKey.document_id != ctx.doc.id))


def check_credit_note(ctx: Ctx) -> None:
    if ctx.doc_type != "credit_note" or ctx.session is None:
        return
    pkey = partner_key(ctx)
    ref = referenced_number(ctx)
    gross = ctx.amount("total_gross")
    if pkey is None:
        return
    row = None
    method = ""
    if ref and norm_number(ref):
        row = ctx.session.execute(_invoices(ctx, pkey).where(
            ValidationKey.number_norm == norm_number(ref)).limit(1)).first()
        method = "reference"
    if row is None and gross is not None:
        q = _invoices(ctx, pkey).where(ValidationKey.amount == str(abs(gross).quantize(
            Decimal("0.01"))))
        issued = ctx.date("issue_date")
        if issued:
            q = q.where(ValidationKey.doc_date <= issued)
        row = ctx.session.execute(q.order_by(ValidationKey.doc_date.desc()).limit(1)).first()
        method = "amount"
    if row is None:
        why = (f"references invoice {ref}, which has not been received from this supplier"
               if ref else "names no original invoice and no invoice of the same amount was "
               "found")
        ctx.result.add("credit_note.unlinked", False, f"credit note {why}",
                       [REF_FIELDS[0]] if ref else ["total_gross"], blocking=False,
                       data={"referenced_invoice": ref})
        return
    doc_id, number, amount, _ = row
    ctx.result.add("credit_note.linked", True,
                   f"credit note linked to invoice {number} (document {doc_id}) by {method}",
                   [], blocking=False, data={"invoice_document_id": doc_id,
                                             "invoice_number": number, "method": method})
    if gross is not None and amount is not None and abs(gross) > Decimal(amount) + Decimal(
            "0.01"):
        ctx.result.add("credit_note.exceeds_original", False,
                       f"credit of {abs(gross)} exceeds the original invoice {number} "
                       f"({amount})", ["total_gross"])
