"""A generated supplier invoice and a generated remittance run through the pipeline
(`run_to_rest`) against demo master data: clean documents are approved and posted, bad ones
rest in needs_review with the right named reasons."""
from __future__ import annotations

import dataclasses
import hashlib
import random
from decimal import Decimal

import pytest

from core.models import Document
from generators.parties import make_party
from queues.stages import run_to_rest
from validation.bench import BASE_DATE, World, clean_invoice, clean_remittance, to_extraction
from validation.masterdata import IMPORT_ORDER, import_records
from validation.masterdata.demo_data import demo_world, generate_demo_masterdata
from validation.routing import explain

SIZES = dict(n_customers=30, n_suppliers=20, n_products=200)


@pytest.fixture
def world(rt):
    w = demo_world(3, **SIZES)
    md = generate_demo_masterdata(3, n_open_invoices=400, n_orders=60, world=w,
                                  base_date=BASE_DATE, **SIZES)
    with rt.db.session() as s:
        for kind in IMPORT_ORDER:
            import_records(s, kind, md[kind]).raise_for_errors()
    return World(w, md)


def submit(rt, truth, n=[0]):
    n[0] += 1
    extraction, _ = to_extraction(truth, random.Random(n[0]), False)
    with rt.db.session() as s:
        doc = Document(source="mail", original_name=f"doc-{n[0]}.pdf", stored_path="-",
                       sha256=hashlib.sha256(f"flow-{n[0]}".encode()).hexdigest(),
                       mime_type="application/pdf", state="extracted",
                       doc_type=truth["doc_type"], extraction=extraction)
        s.add(doc)
        s.flush()
        doc_id = doc.id
    return doc_id, run_to_rest(rt, doc_id)


def reasons(rt, doc_id):
    with rt.db.session() as s:
        doc = s.get(Document, doc_id)
        return {r["code"] for r in doc.review_reasons or []}, doc


def test_clean_invoice_and_remittance_are_posted(rt, world):
    rng = random.Random(11)
    inv = clean_invoice(rng, world)
    doc_id, state = submit(rt, inv.truth())
    codes, doc = reasons(rt, doc_id)
    assert state == "posted", (codes, explain(doc.validation))
    assert doc.validation["meta"]["partner_number"] == inv.seller.supplier_number
    remit, truth_numbers = clean_remittance(random.Random(5), world, typo_rate=0.5)
    doc_id, state = submit(rt, remit.truth())
    codes, doc = reasons(rt, doc_id)
    assert state == "posted", (codes, explain(doc.validation))
    app = next(c for c in doc.validation["checks"] if c["code"] == "cash.application")
    assert [ln["matched_invoice"] for ln in app["data"]["lines"]] == truth_numbers
    assert (rt.settings.exports_dir / f"remittance-{doc_id:08d}.json").exists()


def test_bad_documents_need_review_with_reasons(rt, world):
    rng = random.Random(12)
    inv = clean_invoice(rng, world)
    changed = dataclasses.replace(inv.seller, iban=make_party(rng, "DE").iban)
    inv.seller = changed
    doc_id, state = submit(rt, inv.truth())
    codes, doc = reasons(rt, doc_id)
    assert state == "needs_review" and "partner.iban_changed" in codes
    assert any(line.startswith("REVIEW partner.iban_changed") for line in explain(doc.validation))

    stranger = clean_invoice(rng, world)
    stranger.seller = make_party(rng, "NL")
    stranger.seller.name = "Qwertz Unknown " + stranger.seller.name
    doc_id, state = submit(rt, stranger.truth())
    assert state == "needs_review" and "partner.unknown" in reasons(rt, doc_id)[0]

    dup = clean_invoice(random.Random(99), world)
    first, _ = submit(rt, dup.truth())
    doc_id, state = submit(rt, dup.truth())
    assert state == "needs_review" and "duplicate.number" in reasons(rt, doc_id)[0]

    remit, _ = clean_remittance(random.Random(6), world, typo_rate=0)
    line = remit.lines[0]
    line.discount = line.deduction = Decimal("0.00")
    line.invoice_amount = (line.invoice_amount * Decimal("0.9")).quantize(Decimal("0.01"))
    doc_id, state = submit(rt, remit.truth())
    codes, doc = reasons(rt, doc_id)
    assert state == "needs_review" and "cash.short_pay" in codes
    app = next(c for c in doc.validation["checks"] if c["code"] == "cash.application")
    assert any(d["kind"] == "short_pay" for d in app["data"]["disputes"])
