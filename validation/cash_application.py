"""Remittance cash application: match each remittance line to an open AR invoice and
propose how the payment is applied.

Matching, strongest first: the exact invoice number (normalised) -> a fuzzy number among
the payer's open invoices (OCR / typing errors, `rapidfuzz`, confirmed by the amount) ->
a unique open amount of the payer.  Each line is then classified against the invoice's
open amount: full payment, early-payment discount (checked against the customer's
payment terms), declared deduction (a dispute record with its reason), undeclared short
pay (a dispute), overpayment, or unapplied cash.  The remittance is auto-approvable only
when every line is applied with confidence >= ``cash_min_confidence`` and the lines sum
to the payment amount - the router sees this through the blocking checks added here.

The pure core (`ArIndex`, `apply_remittance`) needs no database; `ar_index(repo)` builds
the index from master data once per AR version.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz, process
from sqlalchemy import select

from validation.result import dec
from validation.masterdata.models import ArInvoice
from validation.rules import DEFAULT_RULESET, RuleSet

if TYPE_CHECKING:
    from validation.checks import Ctx

ZERO = Decimal(0)


def norm_invoice_number(v: str | None) -> str:
    return re.sub(r"[^0-9A-Z]", "", (v or "").upper())


_OCR = str.maketrans("OQDILZSBG", "001112586")


def ocr_fold(key: str) -> str:
    """Fold OCR look-alikes to digits (O->0, I/L->1, S->5, B->8, ...) after a leading
    letter prefix: ``RE2O24lOOOO2`` -> ``RE2024100002``."""
    m = re.match(r"[A-Z]*", key)
    head = m.group(0) if m else ""
    return head + key[len(head):].translate(_OCR)


@dataclass(frozen=True)
class OpenItem:
    number: str
    customer_number: str
    issue_date: date | None
    due_date: date | None
    amount: Decimal
    amount_due: Decimal
    currency: str = "EUR"


class ArIndex:
    """Open AR items by normalised number and by customer."""

    def __init__(self, items: list[OpenItem]) -> None:
        self.by_number: dict[str, OpenItem] = {}
        self.by_folded: dict[str, OpenItem] = {}
        self.by_customer: dict[str, list[OpenItem]] = {}
        for it in items:
            self.by_number.setdefault(norm_invoice_number(it.number), it)
            self.by_folded.setdefault(ocr_fold(norm_invoice_number(it.number)), it)
            self.by_customer.setdefault(it.customer_number, []).append(it)
        self.numbers = list(self.by_number)
        self._cust_numbers: dict[str, list[str]] = {}

    def customer_numbers(self, customer: str) -> list[str]:
        hit = self._cust_numbers.get(customer)
        if hit is None:
            hit = [norm_invoice_number(i.number) for i in self.by_customer.get(customer, [])]
            self._cust_numbers[customer] = hit
        return hit


def ar_index(repo: Any) -> ArIndex:
    from validation.matching import md_index

    def build(vid: int) -> ArIndex:
        rows = repo.session.execute(select(
            ArInvoice.number, ArInvoice.customer_number, ArInvoice.issue_date,
            ArInvoice.due_date, ArInvoice.amount, ArInvoice.amount_due, ArInvoice.currency)
            .where(ArInvoice.version_id == vid, ArInvoice.amount_due != 0)).all()
        return ArIndex([OpenItem(r[0], r[1], r[2], r[3], Decimal(r[4]), Decimal(r[5]), r[6])
                        for r in rows])
    return md_index(repo, "ar_invoices", build) or ArIndex([])


@dataclass
class Terms:
    code: str
    net_days: int
    discount_percent: Decimal | None = None
    discount_days: int | None = None


@dataclass
class LineApplication:
    line: int
    invoice_number: str | None
    matched_invoice: str | None = None
    customer_number: str | None = None
    method: str = "none"              # number | ocr_number | fuzzy_number | amount | none
    confidence: float = 0.0
    paid: str = "0"
    discount: str = "0"
    deduction: str = "0"
    open_before: str | None = None
    open_after: str | None = None
    status: str = "unapplied"         # paid | partial | overpaid | unapplied
    issues: list[tuple[str, str]] = field(default_factory=list)   # (code, reason)


@dataclass
class Application:
    customer_number: str | None
    lines: list[LineApplication]
    disputes: list[dict[str, Any]]
    applied: Decimal
    unapplied: Decimal
    payment_amount: Decimal | None
    sum_issue: str | None = None

    @property
    def confidence(self) -> float:
        return min((ln.confidence for ln in self.lines), default=0.0)

    def to_dict(self) -> dict[str, Any]:
        return {"customer_number": self.customer_number,
                "lines": [{**asdict(ln), "issues": [list(i) for i in ln.issues]}
                          for ln in self.lines],
                "disputes": self.disputes, "applied": str(self.applied),
                "unapplied": str(self.unapplied),
                "payment_amount": None if self.payment_amount is None
                else str(self.payment_amount), "confidence": round(self.confidence, 3)}


def _find(index: ArIndex, customer: str | None, number: str | None, gross: Decimal,
          used: set[str], rs: RuleSet) -> tuple[OpenItem | None, str, float]:
    tol = rs.tol("cash_amount_abs")
    key = norm_invoice_number(number)
    if key:
        it = index.by_number.get(key)
        if it is not None:
            if customer and it.customer_number != customer:
                return it, "number", 0.5
            return it, "number", 1.0
        it = index.by_folded.get(ocr_fold(key))
        if it is not None and (not customer or it.customer_number == customer):
            exact_amount = abs(it.amount_due - gross) <= tol
            return it, "ocr_number", 0.97 if exact_amount else 0.9
        cutoff = float(rs.tol("cash_fuzzy_min"))
        choices = index.customer_numbers(customer) if customer else index.numbers
        hits = process.extract(key, choices, scorer=fuzz.ratio, limit=10, score_cutoff=cutoff)
        items = [index.by_number[h[0]] for h in hits]
        agree = [(h, it) for h, it in zip(hits, items) if abs(it.amount_due - gross) <= tol
                 and it.number not in used]
        if len(agree) == 1:
            return agree[0][1], "fuzzy_number", 0.95 if agree[0][0][1] >= 90 else 0.9
        if hits and len(hits) == 1:
            return items[0], "fuzzy_number", 0.6
    if customer:
        same = [it for it in index.by_customer.get(customer, [])
                if abs(it.amount_due - gross) <= tol and it.number not in used]
        if len(same) == 1:
            return same[0], "amount", 0.85 if key else 0.8
    return None, "none", 0.0


def apply_remittance(lines: list[dict[str, Any]], customer: str | None,
                     payment_date: date | None, payment_amount: Decimal | None,
                     index: ArIndex, terms: Terms | None = None,
                     rs: RuleSet = DEFAULT_RULESET) -> Application:
    """Propose the application of a remittance's ``lines`` ({invoice_number, amount_paid,
    discount, deduction, deduction_reason} as strings) to open items of ``customer``."""
    tol = rs.tol("cash_amount_abs")
    min_conf = float(rs.tol("cash_min_confidence"))
    used: set[str] = set()
    out: list[LineApplication] = []
    disputes: list[dict[str, Any]] = []
    applied = ZERO
    for i, raw in enumerate(lines, 1):
        paid = dec(raw.get("amount_paid")) or ZERO
        disc = dec(raw.get("discount")) or ZERO
        ded = dec(raw.get("deduction")) or ZERO
        gross = paid + disc + ded
        la = LineApplication(i, raw.get("invoice_number"), paid=str(paid), discount=str(disc),
                             deduction=str(ded))
        out.append(la)
        it, method, conf = _find(index, customer, raw.get("invoice_number"), gross, used, rs)
        if it is None:
            la.issues.append(("cash.unapplied", f"line {i}: no open invoice matches "
                              f"{raw.get('invoice_number')!r} / {gross}; {paid} stays unapplied"))
            continue
        if it.number in used:
            la.issues.append(("cash.invoice_twice", f"line {i}: invoice {it.number} is paid "
                              f"twice on this remittance"))
            conf = min(conf, 0.5)
        used.add(it.number)
        la.matched_invoice, la.customer_number, la.method = it.number, it.customer_number, method
        la.confidence, la.open_before = conf, str(it.amount_due)
        if customer and it.customer_number != customer:
            la.issues.append(("cash.other_customer", f"line {i}: invoice {it.number} belongs to "
                              f"customer {it.customer_number}, not the payer {customer}"))
        elif conf < min_conf:
            la.issues.append(("cash.low_confidence", f"line {i}: {raw.get('invoice_number')!r} "
                              f"matched to {it.number} by {method} only "
                              f"(confidence {conf:.2f})"))
        _classify(la, it, paid, disc, ded, raw, payment_date, terms, rs, disputes)
        applied += paid
    unapplied = (payment_amount - applied) if payment_amount is not None else ZERO
    total = sum((dec(r.get("amount_paid")) or ZERO for r in lines), ZERO)
    issue = None
    if payment_amount is not None and abs(total - payment_amount) > tol:
        issue = (f"the lines add up to {total}, but the payment amount is {payment_amount}"
                 f" (difference {payment_amount - total})")
    return Application(customer, out, disputes, applied, unapplied, payment_amount, issue)


def _classify(la: LineApplication, it: OpenItem, paid: Decimal, disc: Decimal, ded: Decimal,
              raw: dict[str, Any], payment_date: date | None, terms: Terms | None,
              rs: RuleSet, disputes: list[dict[str, Any]]) -> None:
    tol = rs.tol("cash_amount_abs")
    due = it.amount_due
    gross = paid + disc + ded
    i = la.line
    if disc > 0:
        ok_terms = terms is not None and terms.discount_percent and terms.discount_days
        late = True
        if ok_terms and payment_date and it.issue_date:
            grace = int(rs.tol("discount_grace_days"))
            late = payment_date > it.issue_date + timedelta(days=terms.discount_days + grace)
        max_disc = (due * (terms.discount_percent or ZERO) / 100) if ok_terms else ZERO
        if not ok_terms or late or disc > max_disc + tol:
            why = ("no early-payment discount in the payment terms" if not ok_terms else
                   f"paid after the {terms.discount_days}-day discount period" if late else
                   f"more than the {terms.discount_percent}% allowed ({max_disc:.2f})")
            la.issues.append(("cash.discount_unearned", f"line {i}: discount {disc} on "
                              f"{it.number} not earned: {why}"))
            disputes.append({"invoice": it.number, "amount": str(disc),
                             "reason": f"unearned discount: {why}", "kind": "discount"})
        else:
            la.issues.append(("cash.discount", f"line {i}: early-payment discount {disc} on "
                              f"{it.number} within terms {terms.code}"))
    if ded > 0:
        reason = raw.get("deduction_reason") or "deduction without reason"
        la.issues.append(("cash.deduction", f"line {i}: deduction {ded} on {it.number}: "
                          f"{reason} - dispute recorded"))
        disputes.append({"invoice": it.number, "amount": str(ded), "reason": reason,
                         "kind": "deduction"})
    if abs(gross - due) <= tol:
        la.status, la.open_after = "paid", "0.00"
    elif gross < due:
        short = due - gross
        la.status, la.open_after = "partial", str(short)
        la.issues.append(("cash.short_pay", f"line {i}: {it.number} is open for {due}, the "
                          f"remittance settles {gross} - short by {short} without a reason"))
        disputes.append({"invoice": it.number, "amount": str(short),
                         "reason": "short payment without reason", "kind": "short_pay"})
    else:
        over = gross - due
        la.status, la.open_after = "overpaid", "0.00"
        la.issues.append(("cash.overpay", f"line {i}: {it.number} is open for {due}, the "
                          f"remittance settles {gross} - overpaid by {over}"))


def check_cash_application(ctx: Ctx) -> None:
    """``cash.application`` with the proposal, plus one check per problem line."""
    if ctx.doc_type != "remittance" or ctx.repo is None:
        return
    m = ctx.partner
    customer = m.number if m else None
    terms = None
    if m is not None:
        from validation.checks_dates import partner_terms
        pt = partner_terms(ctx)
        if pt:
            code, (net, pct, days) = pt
            terms = Terms(code, net, Decimal(pct) if pct is not None else None, days)
    rs = ctx.ruleset
    app = apply_remittance(ctx.lines(), customer, ctx.date("payment_date"),
                           ctx.amount("payment_amount"), ar_index(ctx.repo), terms, rs)
    failures = 0
    for la in app.lines:
        for code, reason in la.issues:
            fields = [f"lines[{la.line}].invoice_number", f"lines[{la.line}].amount_paid"]
            blocking = code not in ("cash.deduction", "cash.discount")
            ok = code == "cash.discount"
            failures += 0 if ok or not blocking else 1
            ctx.result.add(code, ok, reason, fields, blocking=blocking)
    if app.sum_issue:
        failures += 1
        ctx.result.add("cash.sum_mismatch", False, app.sum_issue, ["payment_amount"])
    n_ok = sum(1 for la in app.lines if la.matched_invoice)
    ctx.result.add("cash.application", failures == 0,
                   f"{n_ok} of {len(app.lines)} line(s) applied (confidence "
                   f"{app.confidence:.2f}), {len(app.disputes)} dispute(s), unapplied "
                   f"{app.unapplied}", [], blocking=False, data=app.to_dict())
