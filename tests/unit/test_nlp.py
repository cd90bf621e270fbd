"""The spaCy NLP layer: label matcher, shipped model loading, party candidates, training."""
from __future__ import annotations

import logging
import socket
import time
from pathlib import Path

import pytest

from extraction.layout import Page, Word
from extraction.nlp import pipeline
from extraction.nlp.data import annotate, generated_samples
from extraction.nlp.pipeline import MODEL_DIR, build_blank, load
from extraction.nlp.text import page_text


@pytest.fixture(scope="module")
def blank():
    return build_blank()


def _labels(nlp, text: str) -> list[tuple[str, str, tuple[str, ...]]]:
    doc = nlp(text)
    return [(sp.text, sp.label_, tuple(sp._.o2c_fields)) for sp in doc.spans["labels"]]


@pytest.mark.parametrize("text, label_text, field", [
    ("Invoice No: 4711", "Invoice No", "invoice_number"),
    ("Invoice #: 4711", "Invoice #", "invoice_number"),
    ("Rechnungs-Nr.: 2024-001", "Rechnungs-Nr.", "invoice_number"),
    ("Rechnungsnummer 2024-001", "Rechnungsnummer", "invoice_number"),
    ("Rg.-Nr. 17", "Rg.-Nr.", "invoice_number"),
    ("N° de facture : F-12", "N° de facture", "invoice_number"),
    ("Numéro de facture F-12", "Numéro de facture", "invoice_number"),
    ("NUMERO DE FACTURE F-12", "NUMERO DE FACTURE", "invoice_number"),
    ("Fälligkeitsdatum: 01.02.2025", "Fälligkeitsdatum", "due_date"),
    ("Date d'échéance : 01/02/2025", "Date d'échéance", "due_date"),
    ("USt-IdNr.: DE123456789", "USt-IdNr.", "seller_vat_id"),
    ("Rechnungsempfänger", "Rechnungsempfänger", "buyer_name"),
    ("Adresse de livraison", "Adresse de livraison", "ship_to"),
    ("Ship to:", "Ship to", "ship_to"),
])
def test_label_matcher_en_de_fr(blank, text: str, label_text: str, field: str) -> None:
    found = _labels(blank, text)
    assert found, text
    span_text, label, fields = found[0]
    assert span_text == label_text
    assert field in fields and label == fields[0]


def test_label_matcher_ambiguous_and_shadowed(blank) -> None:
    (span, label, fields), = _labels(blank, "Total 119,00")
    assert span == "Total" and {"total_gross", "line_total"} <= set(fields)
    # "Customer No" is a known non-target label: it shadows "Customer" and is dropped
    assert _labels(blank, "Customer No: 4711") == []
    # labels never cross a line or column break
    found = _labels(blank, "Invoice\nNo 5")
    assert [f[0] for f in found] == ["Invoice"]


def test_load_offline_fast_and_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_net(*args, **kwargs):
        raise OSError("network disabled in test")
    monkeypatch.setattr(socket.socket, "connect", no_net)
    pipeline._load.cache_clear()
    t = time.perf_counter()
    nlp = load()
    assert time.perf_counter() - t < 10.0     # no download, no training: bounded load
    assert load() is nlp
    assert (MODEL_DIR / "config.cfg").is_file(), "shipped model missing"
    assert nlp.pipe_names == ["o2c_labels", "ner"]
    assert set(nlp.get_pipe("ner").labels) == {"SELLER", "BUYER", "ADDRESS"}


def test_load_missing_model_falls_back(tmp_path: Path, caplog: pytest.LogCaptureFixture
                                       ) -> None:
    with caplog.at_level(logging.WARNING):
        nlp = load(tmp_path / "nothing-here")
    assert nlp.pipe_names == ["o2c_labels"]
    assert "not found" in caplog.text


def test_page_text_columns_and_offsets() -> None:
    words = [Word("Bill", 0.05, 0.10, 0.09, 0.12), Word("to", 0.10, 0.10, 0.12, 0.12),
             Word("Invoice", 0.60, 0.10, 0.68, 0.12), Word("ACME", 0.05, 0.13, 0.10, 0.15),
             Word("GmbH", 0.11, 0.13, 0.16, 0.15)]
    pt = page_text(Page(1, 595, 842, words))
    assert pt.text == "Bill to\tInvoice\nACME GmbH"
    start = pt.text.index("ACME")
    assert [w.text for w in pt.words_in(start, start + 9)] == ["ACME", "GmbH"]
    assert pt.bbox(start, start + 9) == (0.05, 0.13, 0.16, 0.15)


def test_annotate_names_and_address_lines() -> None:
    text = "ACME GmbH\nHauptstr. 1\n10115 Berlin\nGermany\nBill to\tNo 5\nBeta SA"
    ents = annotate(text, {"SELLER": ["ACME  GmbH"], "BUYER": ["Beta SA"]},
                    ["Hauptstr. 1", "10115 Berlin"], ["Germany"])
    assert [(text[a:b], lab) for a, b, lab in ents] == [
        ("ACME GmbH", "SELLER"), ("Hauptstr. 1", "ADDRESS"), ("10115 Berlin", "ADDRESS"),
        ("Germany", "ADDRESS"), ("Beta SA", "BUYER")]


def _seller_case(corpora: Path) -> tuple[Path, str]:
    from extraction.fields.truth import cii_truth
    pdf = corpora / "einvoice" / "zugferd-2.1.1" / "zugferd_2p1_EN16931_Einfach.pdf"
    if not pdf.exists():
        pytest.skip("corpus PDF missing")
    return pdf, cii_truth(pdf.with_suffix(".xml").read_bytes())["seller_name"]


def test_party_candidates_on_corpus_pdf(corpora: Path) -> None:
    from extraction.nlp.parties import PartyCandidate, best_by_role, party_candidates
    from extraction.pages import read_pdf
    pdf, seller = _seller_case(corpora)
    cands = party_candidates(read_pdf(pdf))
    assert cands and all(isinstance(c, PartyCandidate) for c in cands)
    for c in cands:
        assert c.page == 1 and 0 < c.score <= 1
        x0, y0, x1, y1 = c.bbox
        assert 0 <= x0 <= x1 <= 1 and 0 <= y0 <= y1 <= 1
    best = best_by_role(cands)
    assert best["seller_name"].text == seller
    assert any(c.role.endswith("address") for c in cands)


def test_party_candidates_names_only_same_names(corpora: Path) -> None:
    """``names_only`` (what the field extractor asks for) skips the label matcher and the
    address blocks but returns exactly the name candidates of a full run."""
    from extraction.nlp.parties import party_candidates
    from extraction.pages import read_pdf
    pdf, _seller = _seller_case(corpora)
    pages = read_pdf(pdf)
    for dt in (None, "purchase_order"):
        full = party_candidates(pages, doc_type=dt, max_y=0.45)
        names = party_candidates(pages, doc_type=dt, max_y=0.45, names_only=True)
        assert names == [c for c in full if c.role in ("seller_name", "buyer_name")]
        assert names


def test_training_is_reproducible() -> None:
    from extraction.nlp.train import train_on
    samples = generated_samples(6, seed=3)
    texts = [s.text for s in generated_samples(2, seed=4)]

    def run() -> tuple[list[list[tuple[int, int, str]]], bytes]:
        nlp, losses = train_on(samples, seed=7, n_iter=2)
        assert len(losses) == 2
        preds = [[(e.start_char, e.end_char, e.label_) for e in nlp(t).ents] for t in texts]
        return preds, nlp.get_pipe("ner").to_bytes()

    preds1, bytes1 = run()
    preds2, bytes2 = run()
    assert preds1 == preds2
    assert bytes1 == bytes2
