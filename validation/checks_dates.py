"""Date checks: the document date is not in the future, the due date is not before the
issue date, and a supplier's due date agrees with the payment terms on file.

``dates.due_terms`` (the invoice asks to be paid earlier than the partner's terms allow)
is a warning under the default rules; make it force review with ``review: [dates.due_terms]``.
"""
from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from validation.checks import Ctx



def terms_table(repo: Any) -> dict[str, tuple[int, Any, Any]]:
    """{code: (net_days, discount_percent, discount_days)} of the active payment terms,
    cached per master-data version."""
    from sqlalchemy import select

    from validation.masterdata.models import PaymentTerm

    from validation.matching import md_index

    def build(vid: int) -> dict[str, tuple[int, Any, Any]]:
        rows = repo.session.scalars(select(PaymentTerm).where(
            PaymentTerm.version_id == vid)).all()
        return {t.code: (t.net_days, t.discount_percent, t.discount_days) for t in rows}
    return md_index(repo, "payment_terms", build) or {}


def partner_terms(ctx: Ctx) -> tuple[str, tuple[int, Any, Any]] | None:
    """(code, (net_days, discount %, discount days)) of the matched partner."""
    m = ctx.partner
    if m is None or ctx.repo is None:
        return None
    from validation.matching import partner_facts
    kind = "supplier" if ctx.doc_type in ("invoice", "credit_note") else "customer"
    p = partner_facts(ctx.repo, kind, m.partner_id)
    if p is None or not p.payment_terms:
        return None
    t = terms_table(ctx.repo).get(p.payment_terms)
    return (p.payment_terms, t) if t else None


def check_dates(ctx: Ctx) -> None:
    issued = ctx.date("issue_date") or ctx.date("order_date") or ctx.date("payment_date")
    ahead = int(ctx.ruleset.tol("future_days"))
    name = ("issue_date" if ctx.value("issue_date") else
            "order_date" if ctx.value("order_date") else "payment_date")
    if issued and issued > ctx.today + timedelta(days=ahead):
        ctx.result.add("dates.future", False, f"the document date {issued} is in the future",
                       [name])
    due = ctx.date("due_date")
    if issued and due and due < issued:
        ctx.result.add("dates.due_before_issue", False,
                       f"due date {due} is before the issue date {issued}", ["due_date"])


def check_due_terms(ctx: Ctx) -> None:
    """``dates.due_terms``: due date vs. the supplier's payment terms."""
    if ctx.doc_type != "invoice":
        return
    issued, due = ctx.date("issue_date"), ctx.date("due_date")
    if not issued or not due or due < issued:
        return
    terms = partner_terms(ctx)
    if terms is None:
        return
    code, (net_days, _, _) = terms
    expected = issued + timedelta(days=net_days)
    grace = int(ctx.ruleset.tol("payment_terms_days"))
    ok = due >= expected - timedelta(days=grace)
    ctx.result.add("dates.due_terms", ok,
                   f"due date {due} agrees with payment terms {code} ({net_days} days net)"
                   if ok else
                   f"due date {due} is earlier than payment terms {code} allow "
                   f"({net_days} days net: {expected})", ["due_date"], blocking=False,
                   data={"terms": code, "expected_due": expected.isoformat()})


DATE_CHECKS: list[Any] = [check_dates, check_due_terms]
