"""Cash application on small in-memory open-item lists (no database)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from validation.cash_application import ArIndex, OpenItem, Terms, apply_remittance
from validation.rules import parse_rules

PAY = date(2024, 11, 10)
ITEMS = [
    OpenItem("RE-2024-100001", "K1", date(2024, 11, 5), date(2024, 12, 5), D("100.00"), D("100.00")),
    OpenItem("RE-2024-100002", "K1", date(2024, 9, 1), date(2024, 10, 1), D("250.00"), D("250.00")),
    OpenItem("RE-2024-100003", "K1", date(2024, 9, 2), date(2024, 10, 2), D("80.00"), D("40.00")),
    OpenItem("RE-2024-100004", "K2", date(2024, 9, 2), date(2024, 10, 2), D("99.00"), D("99.00")),
]
TERMS = Terms("SK2-10-30", 30, D("2"), 10)


def apply(lines, customer="K1", amount=None, terms=TERMS, **kw):
    total = amount if amount is not None else sum(D(ln["amount_paid"]) for ln in lines)
    return apply_remittance(lines, customer, PAY, total, ArIndex(ITEMS), terms, **kw)


def codes(app):
    return {c for ln in app.lines for c, _ in ln.issues}


def test_exact_number_full_payment():
    app = apply([{"invoice_number": "RE-2024-100002", "amount_paid": "250.00"}])
    ln = app.lines[0]
    assert (ln.matched_invoice, ln.method, ln.status, ln.confidence) == (
        "RE-2024-100002", "number", "paid", 1.0)
    assert not codes(app) and app.sum_issue is None and app.unapplied == 0


def test_ocr_typo_number_confirmed_by_amount():
    app = apply([{"invoice_number": "RE-2O24-1OOOO2", "amount_paid": "250.00"}])
    assert app.lines[0].matched_invoice == "RE-2024-100002"
    assert app.lines[0].method == "ocr_number" and app.lines[0].confidence >= 0.9
    app = apply([{"invoice_number": "RE-2024-10002", "amount_paid": "250.00"}])  # dropped digit
    assert app.lines[0].matched_invoice == "RE-2024-100002"
    assert app.lines[0].method == "fuzzy_number" and app.lines[0].confidence >= 0.9


def test_partial_open_item_paid_in_full():
    app = apply([{"invoice_number": "RE-2024-100003", "amount_paid": "40.00"}])
    assert app.lines[0].status == "paid" and not codes(app)


def test_discount_within_terms_is_fine():
    app = apply([{"invoice_number": "RE-2024-100001", "amount_paid": "98.00", "discount": "2.00"}])
    assert codes(app) == {"cash.discount"} and app.lines[0].status == "paid"


def test_discount_outside_terms_is_a_dispute():
    app = apply([{"invoice_number": "RE-2024-100002", "amount_paid": "245.00", "discount": "5.00"}])
    assert "cash.discount_unearned" in codes(app)
    assert app.disputes[0]["kind"] == "discount"
    assert "cash.discount_unearned" in codes(apply(
        [{"invoice_number": "RE-2024-100001", "amount_paid": "98.00", "discount": "2.00"}],
        terms=None))


def test_deduction_becomes_dispute_with_reason():
    app = apply([{"invoice_number": "RE-2024-100002", "amount_paid": "230.00",
                  "deduction": "20.00", "deduction_reason": "Damaged goods"}])
    assert codes(app) == {"cash.deduction"}
    assert app.disputes == [{"invoice": "RE-2024-100002", "amount": "20.00",
                             "reason": "Damaged goods", "kind": "deduction"}]


def test_short_pay_and_overpay():
    short = apply([{"invoice_number": "RE-2024-100002", "amount_paid": "200.00"}])
    assert "cash.short_pay" in codes(short) and short.lines[0].open_after == "50.00"
    assert short.disputes[0]["kind"] == "short_pay"
    over = apply([{"invoice_number": "RE-2024-100002", "amount_paid": "260.00"}])
    assert "cash.overpay" in codes(over) and over.lines[0].status == "overpaid"


def test_unapplied_and_sum_mismatch():
    app = apply([{"invoice_number": "XYZ-1", "amount_paid": "12.34"}], amount=D("20.00"))
    assert "cash.unapplied" in codes(app) and app.unapplied == D("20.00")
    assert "add up to 12.34" in app.sum_issue


def test_amount_only_match_is_not_confident_enough():
    app = apply([{"invoice_number": "", "amount_paid": "250.00"}])
    ln = app.lines[0]
    assert ln.matched_invoice == "RE-2024-100002" and ln.method == "amount"
    assert "cash.low_confidence" in codes(app)
    rs = parse_rules({"defaults": {"tolerances": {"cash_min_confidence": 0.75}}}).for_doc(
        "remittance")
    assert not codes(apply([{"invoice_number": "", "amount_paid": "250.00"}], rs=rs))


def test_invoice_of_another_customer_and_paid_twice():
    other = apply([{"invoice_number": "RE-2024-100004", "amount_paid": "99.00"}])
    assert "cash.other_customer" in codes(other)
    twice = apply([{"invoice_number": "RE-2024-100002", "amount_paid": "125.00"},
                   {"invoice_number": "RE-2024-100002", "amount_paid": "125.00"}])
    assert "cash.invoice_twice" in codes(twice)
