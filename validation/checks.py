"""The checks run on every extracted document.  Each check family is a small function
``(ctx) -> None`` that adds named results; `CHECKS` is the registry, in order.

Families live in their own modules: party (`checks_party`), arithmetic and tax
(`checks_arith`), dates (`checks_dates`), duplicates (`checks_duplicates`), purchase /
sales order matching (`matching`), remittance cash application (`cash_application`) and
credit-note linking (`credit_notes`).  The routing rules (`rules`) supply tolerances and
confidence thresholds through `Ctx.ruleset`, resolved per document type and matched partner.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from core.models import Document
from validation.result import ValidationResult, dec, parse_iso
from validation.rules import Rules, RuleSet, current_rules

REQUIRED: dict[str, tuple[str, ...]] = {
    "invoice": ("invoice_number", "issue_date", "seller_name", "total_gross", "currency"),
    "credit_note": ("invoice_number", "issue_date", "seller_name", "total_gross", "currency"),
    "purchase_order": ("po_number", "order_date", "buyer_name"),
    "remittance": ("payer_name", "payment_amount", "payment_date"),
}
MIN_CONFIDENCE = 0.90
AMOUNT_TOLERANCE = Decimal("0.02")


_dec = dec   # backwards-compatible name


@dataclass
class Ctx:
    doc: Document
    extraction: dict[str, Any]
    result: ValidationResult
    session: Session | None
    today: date
    rules: Rules | None = None
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def doc_type(self) -> str:
        return self.extraction.get("doc_type") or "other"

    def value(self, name: str) -> str | None:
        f = self.extraction.get("fields", {}).get(name)
        return f.get("value") if f else None

    def amount(self, name: str) -> Decimal | None:
        return dec(self.value(name))

    def date(self, name: str) -> date | None:
        return parse_iso(self.value(name))

    def lines(self) -> list[dict[str, Any]]:
        """Item lines as {field: value}."""
        if "lines" not in self.cache:
            self.cache["lines"] = [{k: (f or {}).get("value") for k, f in line.items()}
                                   for line in self.extraction.get("lines", [])]
        return self.cache["lines"]

    @property
    def repo(self) -> Any:
        """A `MasterDataRepository` for this run (None without a session)."""
        if "repo" not in self.cache:
            from validation.masterdata.repository import MasterDataRepository
            self.cache["repo"] = MasterDataRepository(self.session) if self.session else None
        return self.cache["repo"]

    @property
    def partner(self) -> Any:
        """The matched `PartyMatch` (None when unmatched or not applicable)."""
        from validation.checks_party import party_of
        m = party_of(self)
        return m if m is not None and m.matched else None

    @property
    def partner_number(self) -> str | None:
        m = self.partner
        return m.number if m is not None else None

    @property
    def ruleset(self) -> RuleSet:
        if "ruleset" not in self.cache:
            rules = self.rules or current_rules()
            self.cache["ruleset"] = rules.for_doc(self.doc_type, self.partner_number)
        return self.cache["ruleset"]


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


def field_confidences(extraction: dict[str, Any]) -> dict[str, float]:
    """{field or lines[i].field: confidence} for every extracted value below 1.0."""
    out: dict[str, float] = {}
    for n, f in extraction.get("fields", {}).items():
        if f and f.get("value") not in (None, "") and f.get("confidence", 0.0) < 1.0:
            out[n] = round(float(f.get("confidence") or 0.0), 4)
    for i, line in enumerate(extraction.get("lines", []), 1):
        for n, f in line.items():
            if f and f.get("value") not in (None, "") and f.get("confidence", 0.0) < 1.0:
                out[f"lines[{i}].{n}"] = round(float(f.get("confidence") or 0.0), 4)
    return out


def low_confidence(confidences: dict[str, float], rs: RuleSet) -> list[tuple[str, float, float]]:
    """[(field, confidence, threshold)] for the fields below their threshold."""
    return [(n, c, rs.threshold(n)) for n, c in confidences.items() if c < rs.threshold(n)]


def check_confidence(ctx: Ctx) -> None:
    conf = field_confidences(ctx.extraction)
    low = low_confidence(conf, ctx.ruleset)
    ctx.result.add("fields.confidence", not low,
                   "all fields confident" if not low else "low confidence: " +
                   ", ".join(f"{n} ({c:.2f} < {t:.2f})" for n, c, t in low),
                   [n for n, _, _ in low], data={"confidences": conf})


def check_extraction_reasons(ctx: Ctx) -> None:
    for reason in ctx.extraction.get("reasons", []):
        code = reason.split(":", 1)[0]
        ctx.result.add(f"extraction.{code}", False, reason)


def _registry() -> list[Callable[[Ctx], None]]:
    from validation.cash_application import check_cash_application
    from validation.checks_arith import ARITH_CHECKS
    from validation.checks_dates import DATE_CHECKS
    from validation.checks_duplicates import check_duplicate
    from validation.checks_party import PARTY_CHECKS
    from validation.credit_notes import check_credit_note
    from validation.matching import MATCHING_CHECKS
    return [check_type, check_required, *PARTY_CHECKS, check_confidence, *ARITH_CHECKS,
            *DATE_CHECKS, check_extraction_reasons, *MATCHING_CHECKS,
            check_cash_application, check_credit_note, check_duplicate]


CHECKS: list[Callable[[Ctx], None]] = _registry()


def validate_document(session: Session | None, doc: Document, today: date | None = None,
                      rules: Rules | None = None) -> ValidationResult:
    """Run every check in `CHECKS` on ``doc``'s extraction.  With a session, the
    document's duplicate keys are also recorded (flushed, committed by the caller)."""
    result = ValidationResult()
    ctx = Ctx(doc, doc.extraction or {}, result, session, today or date.today(), rules)
    for check in CHECKS:
        check(ctx)
    m = ctx.partner
    result.meta = {"doc_type": ctx.doc_type,
                   "partner_number": m.number if m else None,
                   "partner_name": m.name if m else None,
                   "partner_kind": {"invoice": "supplier", "credit_note": "supplier",
                                    "purchase_order": "customer",
                                    "remittance": "customer"}.get(ctx.doc_type)}
    return result
