"""Purchase-order matching (2-way / 3-way with per-supplier tolerances) and customer-PO
checks (part numbers, price list with validity, delivery date, sales-order proposal)."""
from __future__ import annotations

from datetime import date

import pytest

from core.models import Document
from validation.checks import validate_document
from validation.masterdata import import_records
from validation.rules import parse_rules

TODAY = date(2024, 11, 15)
MD = {
    "payment_terms": [{"code": "NT30", "net_days": 30}],
    "suppliers": [{"number": "S-1", "name": "Müller Feinmechanik GmbH", "vat_id": "DE136695976",
                   "country": "DE", "payment_terms": "NT30"}],
    "customers": [{"number": "K-1", "name": "Durand Emballages SARL", "country": "FR"}],
    "products": [{"sku": "AB-1", "description": "Bolt"}, {"sku": "AB-2", "description": "Nut"}],
    "part_numbers": [{"partner_kind": "customer", "partner_number": "K-1",
                      "part_number": "DUR-77", "sku": "AB-2"}],
    "prices": [{"sku": "AB-1", "price": "10.00", "currency": "EUR", "valid_from": "2024-01-01"},
               {"sku": "AB-2", "price": "4.00", "currency": "EUR", "valid_from": "2024-01-01",
                "valid_to": "2024-06-30"},
               {"sku": "AB-2", "partner_kind": "customer", "partner_number": "K-1",
                "price": "3.50", "currency": "EUR", "valid_from": "2024-07-01"}],
    "purchase_orders": [
        {"po_number": "4500001", "supplier_number": "S-1", "currency": "EUR", "line_no": 10,
         "sku": "AB-1", "quantity": "10", "unit_price": "10.00", "received_qty": "6",
         "receipt_number": "GR-1", "receipt_date": "2024-11-01"},
        {"po_number": "4500001", "supplier_number": "S-1", "currency": "EUR", "line_no": 20,
         "sku": "AB-2", "quantity": "5", "unit_price": "4.00"}],
    "sales_orders": [{"so_number": "SO-1", "customer_number": "K-1",
                      "customer_po_number": "CPO-OLD", "line_no": 1, "sku": "AB-1",
                      "quantity": "1"}],
}


@pytest.fixture
def session(rt):
    with rt.db.session() as s:
        for kind in ("payment_terms", "suppliers", "customers", "products", "part_numbers",
                     "prices", "purchase_orders", "sales_orders"):
            import_records(s, kind, MD[kind]).raise_for_errors()
        yield s


def invoice(lines, po="4500001"):
    net = sum(float(q) * float(p) for _, q, p in lines)
    f = {"invoice_number": "RE-9", "issue_date": "2024-11-05", "due_date": "2024-12-05",
         "seller_name": "Müller Feinmechanik GmbH", "seller_vat_id": "DE136695976",
         "currency": "EUR", "po_number": po, "total_net": f"{net:.2f}",
         "total_tax": f"{net * 0.19:.2f}", "total_gross": f"{net * 1.19:.2f}"}
    ls = [{"sku": s, "quantity": q, "unit_price": p, "line_total": f"{float(q) * float(p):.2f}"}
          for s, q, p in lines]
    return _ext("invoice", f, ls)


def _ext(t, f, ls):
    return {"doc_type": t, "fields": {k: {"value": v, "confidence": 0.99} for k, v in f.items()
                                      if v},
            "lines": [{k: {"value": v, "confidence": 0.99} for k, v in ln.items()} for ln in ls]}


def codes(session, extraction, rules=None, failed=True):
    r = validate_document(session, Document(id=None, extraction=extraction), TODAY, rules)
    return {c.code: c for c in r.checks if not c.ok or not failed}


def test_three_way_match_passes(session):
    got = codes(session, invoice([("AB-1", "6", "10.00")]), failed=False)
    assert got["matching.po"].ok and got["matching.po"].data["three_way"]
    assert got["matching.po"].data["lines"][0]["po_line"] == 10
    assert not [c for c in got.values() if not c.ok and c.blocking]


def test_price_quantity_and_goods_receipt(session):
    got = codes(session, invoice([("AB-1", "6", "10.50")]))
    assert "matching.price" in got and "above the order price 10" in got["matching.price"].reason
    got = codes(session, invoice([("AB-1", "8", "10.00")]))
    assert "matching.goods_receipt" in got and "only 6 received" in \
        got["matching.goods_receipt"].reason
    got = codes(session, invoice([("AB-2", "5", "4.00")]))
    assert "no goods receipt" in got["matching.goods_receipt"].reason
    got = codes(session, invoice([("AB-1", "12", "10.00")]))
    assert "matching.quantity" in got
    assert "matching.po_unknown" in codes(session, invoice([("AB-1", "6", "10.00")], po="X"))


def test_per_supplier_tolerances_and_two_way(session):
    rules = parse_rules({"partners": {"S-1": {"tolerances": {"price_pct": 10},
                                              "options": {"three_way": False}}}})
    got = codes(session, invoice([("AB-1", "6", "10.50"), ("AB-2", "5", "4.00")]), rules)
    assert not got, got
    assert "matching.price" in codes(session, invoice([("AB-1", "6", "11.50")]), rules)


def test_invoice_without_po_checked_against_price_list(session):
    got = codes(session, invoice([("AB-1", "1", "12.00")], po=None))
    assert "matching.price_above_list" in got and not got["matching.no_po"].blocking


def po(lines, **kw):
    f = {"po_number": "CPO-1", "order_date": "2024-11-01", "delivery_date": "2024-11-20",
         "buyer_name": "Durand Emballages SARL", "currency": "EUR", **kw}
    return _ext("purchase_order", f, [{"sku": s, "quantity": q, "unit_price": p,
                                       "line_total": f"{float(q) * float(p):.2f}"}
                                      for s, q, p in lines])


def test_customer_po_proposal_with_part_numbers(session):
    got = codes(session, po([("AB-1", "3", "10.00"), ("DUR-77", "2", "3.50")]), failed=False)
    prop = got["sales.proposal"].data
    assert prop["customer_number"] == "K-1"
    assert [(ln["sku"], ln["part_number"], ln["list_price"]) for ln in prop["lines"]] == [
        ("AB-1", None, "10"), ("AB-2", "DUR-77", "3.50")]
    assert not [c for c in got.values() if not c.ok and c.blocking]


def test_customer_po_problems(session):
    got = codes(session, po([("AB-1", "3", "11.00"), ("ZZ-9", "1", "1.00")]))
    assert {"sales.price_above_list", "sales.part_unknown"} <= set(got)
    got = codes(session, po([("AB-2", "1", "4.00")], order_date="2023-11-01",
                            delivery_date="2023-10-01"))
    assert {"sales.price_validity", "sales.delivery_date"} <= set(got)
    got = codes(session, po([("AB-1", "1", "10.00")], currency="GBP"))
    assert "sales.price_unverified" in got
    got = codes(session, po([("AB-1", "1", "10.00")], po_number="CPO-OLD"))
    assert got["sales.order_exists"].data == {"sales_order": "SO-1"}
