"""Template-free field extraction: synthetic layouts and corpus golden pairs.

Expected corpus values are read from the corpus truth files at test time (embedded XML,
invoice2data JSON); the extractor never sees them.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from extraction.fields import extract_fields
from extraction.layout import Page, Word

CORPORA = Path(__file__).resolve().parents[2].parent / "shared" / "corpora"


def page(rows: list[tuple[str, float, float]], h: float = 0.012) -> Page:
    """rows: (text, x0, y0); words laid out left to right, 0.5*h wide per character."""
    words: list[Word] = []
    for text, x0, y0 in rows:
        x = x0
        for tok in text.split():
            w = len(tok) * h * 0.5
            words.append(Word(tok, x, y0, x + w, y0 + h))
            x += w + h * 0.35
    return Page(number=1, width=595, height=842, words=words)


def test_label_right_of_value() -> None:
    p = page([("ACME GmbH", 0.05, 0.04), ("Invoice", 0.6, 0.05),
              ("Invoice No: INV-2024-0042", 0.6, 0.1), ("Invoice Date: 2024-03-15", 0.6, 0.12)])
    ext = extract_fields([p], "invoice")
    assert ext.value("invoice_number") == "INV-2024-0042"
    assert ext.value("issue_date") == "2024-03-15"
    f = ext.fields["invoice_number"]
    assert f.page == 1 and f.bbox is not None and 0 <= f.confidence <= 1 and f.source == "text"


def test_label_above_value() -> None:
    p = page([("Invoice", 0.05, 0.05), ("Invoice No", 0.05, 0.15), ("Due Date", 0.4, 0.15),
              ("98765", 0.05, 0.165), ("2024-04-30", 0.4, 0.165)])
    ext = extract_fields([p], "invoice")
    assert ext.value("invoice_number") == "98765"
    assert ext.value("due_date") == "2024-04-30"


def test_german_number_format_and_totals_cross_check() -> None:
    rows = [("Rechnung", 0.05, 0.05), ("Rechnungsnummer 4711", 0.55, 0.1),
            ("Rechnungsdatum 05.03.2024", 0.55, 0.12),
            ("Nettobetrag 1.234,56 EUR", 0.55, 0.70), ("MwSt. 19% 234,57 EUR", 0.55, 0.72),
            ("Gesamtbetrag 1.469,13 EUR", 0.55, 0.74)]
    ext = extract_fields([page(rows)], "invoice")
    assert ext.value("total_net") == "1234.56"
    assert ext.value("total_tax") == "234.57"
    assert ext.value("total_gross") == "1469.13"
    assert ext.value("currency") == "EUR"
    assert ext.meta["locale"]["comma_decimal"] is True
    consistent = ext.fields["total_gross"].confidence
    # same layout but the totals do not add up: confidence must drop
    rows[-1] = ("Gesamtbetrag 1.500,00 EUR", 0.55, 0.74)
    bad = extract_fields([page(rows)], "invoice")
    assert bad.fields["total_gross"].confidence < consistent


def test_ambiguous_date_resolved_by_seller_country() -> None:
    base = [("Invoice", 0.05, 0.05), ("Invoice No: 17", 0.55, 0.1), ("Date: 03/04/2024", 0.55, 0.12)]
    fr = extract_fields([page(base + [("VAT ID FR40303265045", 0.05, 0.9)])], "invoice")
    assert fr.value("issue_date") == "2024-04-03"          # day first in France
    us = extract_fields([page(base + [("Acme Inc, Austin, TX 78701, USD", 0.05, 0.9)])], "invoice")
    assert us.value("issue_date") == "2024-03-04"          # month first in the US


def test_iban_and_vat_patterns_without_labels() -> None:
    p = page([("Invoice", 0.05, 0.05), ("Invoice No: 5", 0.55, 0.1),
              ("ACME GmbH - DE89 3704 0044 0532 0130 00 - DE136695976", 0.05, 0.92)])
    ext = extract_fields([p], "invoice")
    assert ext.value("seller_iban") == "DE89370400440532013000"
    assert ext.value("seller_vat_id") == "DE136695976"


def test_line_items_table() -> None:
    rows = [("Invoice", 0.05, 0.05), ("Invoice No: 9", 0.55, 0.1),
            ("Description", 0.05, 0.3), ("Qty", 0.5, 0.3), ("Unit Price", 0.6, 0.3),
            ("Amount", 0.8, 0.3),
            ("Widget", 0.05, 0.32), ("2", 0.5, 0.32), ("10.00", 0.6, 0.32), ("20.00", 0.8, 0.32),
            ("blue, large", 0.05, 0.335),
            ("Gadget", 0.05, 0.35), ("1", 0.5, 0.35), ("5.50", 0.6, 0.35), ("5.50", 0.8, 0.35),
            ("Subtotal 25.50", 0.6, 0.4), ("VAT 4.85", 0.6, 0.42), ("Total 30.35", 0.6, 0.44)]
    ext = extract_fields([page(rows)], "invoice")
    assert len(ext.lines) == 2
    assert ext.lines[0]["description"].value == "Widget blue, large"
    assert ext.lines[0]["quantity"].value == "2"
    assert ext.lines[1]["line_total"].value == "5.50"
    assert ext.value("total_net") == "25.50" and ext.value("total_gross") == "30.35"


def test_doc_type_defaults_to_classifier() -> None:
    p = page([("Invoice", 0.05, 0.05), ("Invoice No: 77", 0.55, 0.1)])
    ext = extract_fields([p])
    assert ext.doc_type == "invoice" and ext.doc_type_confidence > 0


# ----------------------------------------------------------------------- corpora
def _score(cases: list[dict], check_presence: bool = False) -> tuple[int, int, int, int]:
    from extraction.fields.measure import evaluate
    r = evaluate(cases, check_presence)
    ok = sum(v[0] for sp in ("dev", "test") for v in r["fields"][sp].values())
    n = sum(v[1] for sp in ("dev", "test") for v in r["fields"][sp].values())
    hi_ok = r["high"]["dev"][0] + r["high"]["test"][0]
    hi_n = r["high"]["dev"][1] + r["high"]["test"][1]
    return ok, n, hi_ok, hi_n


@pytest.mark.skipif(not (CORPORA / "einvoice").exists(), reason="corpora absent")
def test_einvoice_visible_layer_golden() -> None:
    from extraction.fields.truth import einvoice_cases
    cases = einvoice_cases(CORPORA)[::4]
    ok, n, hi_ok, hi_n = _score(cases)
    assert n > 400 and ok / n >= 0.80, (ok, n)
    if hi_n:
        assert hi_ok / hi_n >= 0.97, (hi_ok, hi_n)


@pytest.mark.skipif(not (CORPORA / "einvoice").exists(), reason="corpora absent")
def test_one_known_invoice_fields() -> None:
    from extraction.fields.truth import cii_truth, same
    from extraction.pages import read_pdf
    pdf = CORPORA / "einvoice" / "factur-x-fnfe" / "Facture_DOM_EN16931.pdf"
    truth = cii_truth(pdf.with_suffix(".xml").read_bytes())
    ext = extract_fields(read_pdf(pdf))
    assert ext.doc_type == "invoice"
    for f in ("invoice_number", "issue_date", "due_date", "total_gross", "amount_due",
              "seller_iban", "currency"):
        assert same(f, ext.value(f), truth[f]), (f, ext.value(f), truth[f])
    assert Decimal(ext.value("total_gross") or "0") == Decimal(truth["total_gross"])


@pytest.mark.skipif(not (CORPORA / "invoice2data").exists(), reason="corpora absent")
def test_invoice2data_golden() -> None:
    from extraction.fields.truth import i2d_cases
    ok, n, _, _ = _score(i2d_cases(CORPORA), check_presence=True)
    assert n >= 50 and ok / n >= 0.65, (ok, n)     # measured 0.69 (Dutch docs unsupported)


def test_calibration_needs_cross_check_for_high_confidence() -> None:
    from extraction.fields.calibrate import calibrate, fit
    assert calibrate("invoice_number", 5.0, "right:invoice no|n=1|m=0.30") <= 0.94
    assert calibrate("total_gross", 5.0, "right:total") <= 0.94
    tab = fit({"total_gross|x": [(0.9 + i / 100, True) for i in range(30)],
               "total_gross": [(0.5 + i / 100, i % 3 > 0) for i in range(30)]})
    assert tab["total_gross|x"][-1][1] >= 0.95
    assert all(p <= 0.94 for _, p in tab["total_gross"])
