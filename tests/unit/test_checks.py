"""Check families: arithmetic and tax, dates, confidence, duplicates (database keys),
credit-note linking, result serialisation and export."""
from __future__ import annotations

import hashlib
import json
from datetime import date

import httpx
import pytest

from core.models import Document
from validation.checks import validate_document
from validation.masterdata import import_records
from validation.result import ValidationResult
from validation.routing import decide

TODAY = date(2024, 11, 15)


def ext(doc_type="invoice", lines=None, conf=0.99, **fields):
    base = {"invoice_number": "RE-1", "issue_date": "2024-11-01", "seller_name": "Müller "
            "Feinmechanik GmbH", "total_net": "100.00", "total_tax": "19.00",
            "total_gross": "119.00", "currency": "EUR", "seller_vat_id": "DE136695976"}
    base.update(fields)
    return {"doc_type": doc_type,
            "fields": {k: {"value": v, "confidence": conf} for k, v in base.items() if v},
            "lines": [{k: {"value": v, "confidence": conf} for k, v in ln.items()}
                      for ln in (lines or [])]}


def run(extraction, session=None, doc_id=None):
    doc = Document(id=doc_id, extraction=extraction, source="upload")
    r = validate_document(session, doc, today=TODAY)
    return {c.code: c for c in r.checks}, r


LINE = {"sku": "A", "quantity": "2", "unit_price": "50.00", "line_total": "100.00",
        "tax_rate": "19"}


def test_clean_arithmetic_passes():
    checks, _ = run(ext(lines=[LINE]))
    assert checks["arithmetic.net_tax_gross"].ok and checks["arithmetic.lines_net"].ok
    assert checks["tax.amount"].ok and "arithmetic.line" not in checks


@pytest.mark.parametrize("change, code", [
    ({"total_gross": "120.00"}, "arithmetic.net_tax_gross"),
    ({"total_net": "90.00", "total_gross": "109.00"}, "arithmetic.lines_net"),
    ({"total_tax": "25.00", "total_gross": "125.00"}, "tax.amount"),
])
def test_arithmetic_failures(change, code):
    checks, _ = run(ext(lines=[LINE], **change))
    assert not checks[code].ok and checks[code].reason


def test_line_total_and_tax_rate_table():
    checks, _ = run(ext(lines=[{**LINE, "quantity": "3"}]))
    assert not checks["arithmetic.line"].ok and "3 x 50.00" in checks["arithmetic.line"].reason
    checks, _ = run(ext(lines=[{**LINE, "tax_rate": "16"}], total_tax="16.00",
                        total_gross="116.00"))
    assert not checks["tax.rate"].ok and "DE VAT rate" in checks["tax.rate"].reason
    checks, _ = run(ext(total_tax="23.00", total_gross="123.00", seller_vat_id="FR40303265045"))
    assert not checks["tax.rate"].ok                       # 23 % is no French rate
    checks, _ = run(ext(total_tax="20.00", total_gross="120.00", seller_vat_id="FR40303265045"))
    assert checks["tax.rate"].ok
    checks, _ = run(ext(seller_vat_id=None))
    assert "tax.rate" not in checks                         # no country: not judged


def test_dates():
    checks, _ = run(ext(issue_date="2024-12-24"))
    assert not checks["dates.future"].ok
    checks, _ = run(ext(due_date="2024-10-01"))
    assert not checks["dates.due_before_issue"].ok


def test_confidence_threshold_and_data():
    checks, r = run(ext(conf=0.8))
    c = checks["fields.confidence"]
    assert not c.ok and c.data["confidences"]["total_gross"] == 0.8
    d = r.to_dict()
    json.dumps(d)
    assert d["checks"][0]["code"] == "document.type" and d["meta"]["doc_type"] == "invoice"


def test_result_add_and_get():
    r = ValidationResult()
    r.add("x.y", False, "why", ["f"], data={"n": 1})
    assert r.get("x.y").data == {"n": 1} and r.to_dict()["checks"][0]["data"] == {"n": 1}
    assert r.summary().startswith("1 of 1 checks failed")


def _doc(s, i, extraction, state="validated"):
    d = Document(source="mail", original_name=f"{i}.pdf", sha256=hashlib.sha256(
        str(i).encode()).hexdigest(), stored_path="-", mime_type="application/pdf",
        state=state, extraction=extraction, doc_type=extraction["doc_type"])
    s.add(d)
    s.flush()
    return d


@pytest.fixture
def session(rt):
    with rt.db.session() as s:
        import_records(s, "suppliers", [{"number": "S-1", "name": "Müller Feinmechanik GmbH",
                                         "vat_id": "DE136695976", "country": "DE"}])
        yield s


def test_duplicates_by_number_and_by_amount_date(session):
    first = _doc(session, 1, ext())
    checks, _ = run(first.extraction, session, first.id)
    assert checks["duplicate.none"].ok
    again = _doc(session, 2, ext(invoice_number="re 1"))         # same number, other channel
    checks, r = run(again.extraction, session, again.id)
    assert checks["duplicate.number"].data["duplicates"][0]["document_id"] == first.id
    assert not decide(r.to_dict()).approve
    other = _doc(session, 3, ext(invoice_number="RE-2", issue_date="2024-11-04"))
    checks, _ = run(other.extraction, session, other.id)
    assert not checks["duplicate.amount_date"].ok
    far = _doc(session, 4, ext(invoice_number="RE-3", issue_date="2024-09-01"))
    checks, _ = run(far.extraction, session, far.id)
    assert checks["duplicate.none"].ok
    first.state = "rejected"                                     # dead documents do not count
    session.flush()
    checks, _ = run(again.extraction, session, again.id)
    assert "duplicate.number" not in checks


def test_credit_note_links_to_invoice(session):
    inv = _doc(session, 10, ext(invoice_number="RE-77", total_net="200.00", total_tax="38.00",
                                total_gross="238.00"))
    run(inv.extraction, session, inv.id)
    cn = _doc(session, 11, ext("credit_note", invoice_number="GS-1",
                               original_invoice="RE-77"))
    checks, _ = run(cn.extraction, session, cn.id)
    assert checks["credit_note.linked"].data == {"invoice_document_id": inv.id,
                                                 "invoice_number": "RE-77",
                                                 "method": "reference"}
    cn2 = _doc(session, 12, ext("credit_note", invoice_number="GS-2", total_net="200.00",
                                total_tax="38.00", total_gross="238.00"))
    checks, _ = run(cn2.extraction, session, cn2.id)
    assert checks["credit_note.linked"].data["method"] == "amount"
    big = _doc(session, 13, ext("credit_note", invoice_number="GS-3", original_invoice="RE-77",
                                total_net="300.00", total_tax="57.00", total_gross="357.00"))
    checks, _ = run(big.extraction, session, big.id)
    assert not checks["credit_note.exceeds_original"].ok
    lone = _doc(session, 14, ext("credit_note", invoice_number="GS-4", original_invoice="X-1"))
    checks, r = run(lone.extraction, session, lone.id)
    assert not checks["credit_note.unlinked"].ok
    assert "credit_note.unlinked" in {w["code"] for w in decide(r.to_dict()).warnings}


def test_export_json_csv_and_webhook_retries(settings, monkeypatch):
    from validation.export import export_document, replay_outbox
    calls = []

    def handler(request):
        calls.append(json.loads(request.content))
        return httpx.Response(503 if len(calls) < 3 else 200)

    s = settings.model_copy(update={"webhook_url": "http://hook.test/x", "webhook_retries": 1})
    snap = {"id": 5, "doc_type": "invoice", "sha256": "ab", "extraction": ext(lines=[LINE]),
            "validation": {"checks": [], "meta": {"partner_number": "S-1"}}}
    import validation.export as ex
    monkeypatch.setattr(ex.time, "sleep", lambda _s: None)
    out = export_document(s, snap, transport=httpx.MockTransport(handler))
    assert out["webhook"] == {"status": "failed", "attempts": 2, "error": "HTTP 503"}
    rec = json.loads(open(out["json"]).read())
    assert rec["fields"]["total_gross"] == "119.00" and rec["partner"]["number"] == "S-1"
    assert "line_quantity" in open(out["csv"]).read().splitlines()[0]
    assert replay_outbox(s, transport=httpx.MockTransport(handler)) == {"sent": 1, "failed": 0}
    assert len(calls) == 3
