"""Duplicate detection across every channel (mail, folder, upload, API).

Each validated document leaves one row in ``validation_keys`` (`ValidationKey`): its
partner key (matched partner number, else VAT ID, else normalised name), normalised
document number, gross amount and document date.  A new document is a duplicate when
another live document (not failed / rejected) has

* ``duplicate.number`` - the same partner, type and number (invoice, credit note, PO,
  remittance reference), or
* ``duplicate.amount_date`` - the same partner, type and gross amount with a document date
  within ``duplicate_window_days`` (invoices and credit notes).

Both are single indexed queries - no document is loaded.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Date, ForeignKey, Index, String, bindparam, text
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base
from validation.party_match import split_name

if TYPE_CHECKING:
    from validation.checks import Ctx

NUMBER_FIELD = {"invoice": "invoice_number", "credit_note": "invoice_number",
                "purchase_order": "po_number", "remittance": "payment_reference"}
AMOUNT_FIELD = {"invoice": "total_gross", "credit_note": "total_gross",
                "purchase_order": "total_gross", "remittance": "payment_amount"}
DATE_FIELD = {"invoice": "issue_date", "credit_note": "issue_date",
              "purchase_order": "order_date", "remittance": "payment_date"}
PREFIX = {"invoice": "seller", "credit_note": "seller", "purchase_order": "buyer",
          "remittance": "payer"}
DEAD_STATES = ("failed", "rejected")


class ValidationKey(Base):
    """Denormalised duplicate-detection keys of one validated document."""

    __tablename__ = "validation_keys"
    __table_args__ = (
        Index("ix_validation_keys_number", "partner_key", "doc_type", "number_norm"),
        Index("ix_validation_keys_amount", "partner_key", "doc_type", "amount", "doc_date"),
    )

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(32))
    partner_key: Mapped[str] = mapped_column(String(160))
    number_norm: Mapped[str | None] = mapped_column(String(128))
    number: Mapped[str | None] = mapped_column(String(128))
    amount: Mapped[str | None] = mapped_column(String(32))
    doc_date: Mapped[date | None] = mapped_column(Date)


def norm_number(v: str | None) -> str | None:
    """Upper-case alphanumerics only: ``re-2024 / 001`` -> ``RE2024001``."""
    if not v:
        return None
    n = re.sub(r"[^0-9A-Za-z]", "", v).upper()
    return n or None


def partner_key(ctx: Ctx) -> str | None:
    m = ctx.partner
    if m is not None:
        return f"p:{m.number}"
    prefix = PREFIX.get(ctx.doc_type, "seller")
    vat = ctx.value(f"{prefix}_vat_id")
    if vat:
        return "v:" + re.sub(r"[^0-9A-Za-z]", "", vat).upper()
    name = ctx.value(f"{prefix}_name")
    if name:
        core = " ".join(sorted(split_name(name)[0].split()))
        return f"n:{core}"[:160] if core else None
    return None


def keys_of(ctx: Ctx) -> ValidationKey | None:
    t = ctx.doc_type
    if t not in NUMBER_FIELD:
        return None
    pk = partner_key(ctx)
    if pk is None:
        return None
    amount = ctx.amount(AMOUNT_FIELD[t])
    return ValidationKey(document_id=ctx.doc.id, doc_type=t, partner_key=pk,
                         number_norm=norm_number(ctx.value(NUMBER_FIELD[t])),
                         number=ctx.value(NUMBER_FIELD[t]),
                         amount=str(amount.quantize(Decimal("0.01"))) if amount is not None
                         else None, doc_date=ctx.date(DATE_FIELD[t]))


_LIVE = ("FROM validation_keys k JOIN documents d ON d.id = k.document_id "
         "WHERE k.partner_key = :pk AND k.doc_type = :t AND k.document_id != :id "
         "AND d.state NOT IN ('failed', 'rejected') ")
_BY_NUMBER = text("SELECT k.document_id, k.number " + _LIVE +
                  "AND k.number_norm = :n ORDER BY k.document_id LIMIT 3")
_BY_AMOUNT = text("SELECT k.document_id, k.number " + _LIVE +
                  "AND k.amount = :a AND k.doc_date BETWEEN :d0 AND :d1 "
                  "ORDER BY k.document_id LIMIT 3").bindparams(
    bindparam("d0", type_=Date()), bindparam("d1", type_=Date()))
_UPSERT = text(
    "INSERT INTO validation_keys (document_id, doc_type, partner_key, number_norm, number, "
    "amount, doc_date) VALUES (:id, :t, :pk, :n, :num, :a, :d) ON CONFLICT (document_id) "
    "DO UPDATE SET doc_type = excluded.doc_type, partner_key = excluded.partner_key, "
    "number_norm = excluded.number_norm, number = excluded.number, amount = excluded.amount, "
    "doc_date = excluded.doc_date").bindparams(bindparam("d", type_=Date()))


def find_duplicates(session: Any, key: ValidationKey, window_days: int
                    ) -> list[tuple[str, int, str | None]]:
    """[(code, other document id, its number)] for the live documents sharing ``key``
    (two indexed queries; plain SQL that SQLite and PostgreSQL both run)."""
    assert DEAD_STATES == ("failed", "rejected")
    args = {"pk": key.partner_key, "t": key.doc_type, "id": key.document_id}
    out: list[tuple[str, int, str | None]] = []
    if key.number_norm:
        for doc_id, number in session.execute(_BY_NUMBER, {**args, "n": key.number_norm}):
            out.append(("duplicate.number", doc_id, number))
    if not out and key.amount and key.doc_date and key.doc_type in ("invoice", "credit_note") \
            and Decimal(key.amount) != 0:
        w = timedelta(days=window_days)
        for doc_id, number in session.execute(_BY_AMOUNT, {
                **args, "a": key.amount, "d0": key.doc_date - w, "d1": key.doc_date + w}):
            out.append(("duplicate.amount_date", doc_id, number))
    return out


def upsert_key(session: Any, key: ValidationKey) -> None:
    """Insert or replace the document's keys in one statement (SQLite >= 3.24 and
    PostgreSQL both support ``ON CONFLICT ... DO UPDATE``)."""
    session.execute(_UPSERT, {"id": key.document_id, "t": key.doc_type, "pk": key.partner_key,
                              "n": key.number_norm, "num": key.number, "a": key.amount,
                              "d": key.doc_date})


def check_duplicate(ctx: Ctx) -> None:
    """Record this document's keys and report live documents that share them."""
    if ctx.session is None or ctx.doc.id is None:
        return
    key = keys_of(ctx)
    if key is None:
        return
    window = int(ctx.ruleset.tol("duplicate_window_days"))
    hits = find_duplicates(ctx.session, key, window)
    upsert_key(ctx.session, key)
    if not hits:
        ctx.result.add("duplicate.none", True, "no earlier document with the same number or "
                       "amount and date from this partner", blocking=False)
        return
    code, other, number = hits[0]
    label = ctx.doc_type.replace("_", " ")
    if code == "duplicate.number":
        reason = (f"possible duplicate: document {other} already has {label} number "
                  f"{number} from the same partner")
        fields = [NUMBER_FIELD[ctx.doc_type]]
    else:
        reason = (f"possible duplicate: document {other} ({label} {number}) has the same "
                  f"amount {key.amount} from the same partner within {window} days")
        fields = [AMOUNT_FIELD[ctx.doc_type], DATE_FIELD[ctx.doc_type]]
    ctx.result.add(code, False, reason, fields,
                   data={"duplicates": [{"document_id": d, "number": n, "code": c}
                                        for c, d, n in hits]})
