"""Document-type classification: corpus golden pairs and synthetic pages."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from extraction.classify import classify
from extraction.layout import Page, Word

CORPORA = Path(__file__).resolve().parents[2].parent / "shared" / "corpora"


def page(rows: list[tuple[str, float, float, float]], number: int = 1) -> Page:
    """rows: (text, x0, y0, font height) -> one Page with one Word per token."""
    words: list[Word] = []
    for text, x0, y0, h in rows:
        x = x0
        for tok in text.split():
            w = len(tok) * h * 0.5
            words.append(Word(tok, x, y0, x + w, y0 + h))
            x += w + h * 0.3
    return Page(number=number, width=595, height=842, words=words)


def test_purchase_order_title() -> None:
    p = page([("ACME Trading Ltd", 0.05, 0.04, 0.012), ("PURCHASE ORDER", 0.6, 0.05, 0.025),
              ("PO number: 4500012345", 0.6, 0.1, 0.012),
              ("Please quote our PO number on your invoice", 0.05, 0.8, 0.01)])
    assert classify([p])[0] == "purchase_order"


def test_invoice_with_order_reference_stays_invoice() -> None:
    p = page([("Invoice", 0.6, 0.05, 0.025), ("Invoice No: 2024-001", 0.6, 0.1, 0.012),
              ("Your order no: PO-77", 0.6, 0.12, 0.012), ("Due date 01.04.2024", 0.6, 0.14, 0.012),
              ("IBAN DE89 3704 0044 0532 0130 00", 0.05, 0.9, 0.01)])
    dt, conf = classify([p])
    assert dt == "invoice" and 0.5 < conf <= 1.0


def test_credit_note_and_remittance_and_order_response() -> None:
    cn = page([("Gutschrift", 0.6, 0.05, 0.025), ("Gutschrift Nr. G-17", 0.6, 0.1, 0.012),
               ("zu Rechnung 2024-001", 0.6, 0.12, 0.012)])
    assert classify([cn])[0] == "credit_note"
    rem = page([("Remittance Advice", 0.05, 0.05, 0.025), ("Payment date 2024-03-01", 0.05, 0.1, 0.012),
                ("Invoice Amount paid", 0.05, 0.2, 0.012), ("INV-1 100.00", 0.05, 0.22, 0.012),
                ("INV-2 250.00", 0.05, 0.24, 0.012)])
    assert classify([rem])[0] == "remittance"
    resp = page([("ORDER RESPONSE: PO-1-R01", 0.05, 0.04, 0.012),
                 ("PURCHASE ORDER ID: PO-1", 0.05, 0.08, 0.012)])
    assert classify([resp])[0] == "other"


def test_empty_is_other() -> None:
    assert classify([Page(number=1, width=1, height=1)])[0] == "other"


def _expected(code: str, total: str) -> str:
    from extraction.fields.measure import expected_type
    return expected_type(code, total)


@pytest.mark.skipif(not (CORPORA / "einvoice").exists(), reason="corpora absent")
def test_einvoice_corpus_accuracy() -> None:
    from extraction.pages import read_pdf
    rows = list(csv.DictReader((CORPORA / "einvoice" / "manifest.csv").open()))
    rows = [r for r in rows if not r["pdf"].startswith("invalid/")][::3]
    ok = sum(classify(read_pdf(CORPORA / "einvoice" / r["pdf"]))[0]
             == _expected(r["type_code"], r["grand_total"]) for r in rows)
    assert ok / len(rows) >= 0.97, (ok, len(rows))


@pytest.mark.skipif(not (CORPORA / "orders").exists(), reason="corpora absent")
def test_order_x_orders_vs_responses() -> None:
    from extraction.pages import read_pdf
    rows = [r for r in csv.DictReader((CORPORA / "orders" / "manifest.csv").open())
            if r["file"].endswith(".pdf")]
    for r in rows:
        got = classify(read_pdf(CORPORA / "orders" / r["file"]))[0]
        assert got == _expected(r["type_code"], ""), r["file"]


@pytest.mark.skipif(not (CORPORA / "invoice2data").exists(), reason="corpora absent")
def test_invoice2data_are_invoices() -> None:
    from extraction.pages import read_pdf
    pdfs = sorted((CORPORA / "invoice2data").glob("*.pdf"))
    ok = sum(classify(read_pdf(p))[0] == "invoice" for p in pdfs)
    assert ok >= len(pdfs) - 1


def _mail(text: str) -> list[Page]:
    from extraction.mailbody import body_pages
    return body_pages(text.encode(), html=False)


@pytest.mark.parametrize("text", [
    "Hallo zusammen,\nwir haben heute folgende Rechnungen mit der Zahlung ZA1 vom 26.10.2024 "
    "beglichen.\nVon: Hartmann & Krüger KG\nVerwendungszweck: ZA1\nAusgeführt am: 26.10.2024\n"
    "Rechnungs-Nr. Re.-Datum Betrag Skonto Bezahlt\nRE-1 01.09.2024 10,00 0,00 10,00\n",
    "Chère équipe comptable,\nveuillez trouver ci-dessous le détail de notre virement ZA2 du "
    "5 nov. 2024.\nDe: Rousseau & Fournier SAS\nRéf. virement: ZA2\nPayé le: 5 nov. 2024\n"
    "Document Date doc. Montant Escompte Réglé\nRE-2 11 sept. 2024 20,00 0,00 20,00\n",
])
def test_remittance_mail_bodies_without_title(text: str) -> None:
    assert classify(_mail(text))[0] == "remittance"


def test_order_mail_body_without_title() -> None:
    text = ("Fournisseur: Metallbau Brenner GmbH\nMadame, Monsieur,\nmerci de nous livrer avant "
            "le 16/10/2024 les articles suivants (commande 4500143222 du 03/10/2024) :\n"
            "1. 12 m WHK22659 Profilé aluminium - Prix unitaire 8,78 = 105,36\n"
            "Total HT: 105,36 EUR\nAdresse de livraison:\n13 avenue Jean Jaurès\n15912 Lyon\n")
    assert classify(_mail(text))[0] == "purchase_order"


def test_corrected_invoice_is_an_invoice() -> None:
    p = Page(number=1, width=595, height=842, words=[
        Word("Rechnungskorrektur", 0.1, 0.05, 0.4, 0.07), Word("Nr.", 0.42, 0.05, 0.46, 0.07),
        Word("RK-1", 0.48, 0.05, 0.55, 0.07), Word("Gesamtbetrag", 0.5, 0.7, 0.65, 0.71),
        Word("-8,79", 0.7, 0.7, 0.75, 0.71)])
    assert classify([p])[0] == "invoice"


def test_reference_to_a_payment_advice_is_not_a_title() -> None:
    words = [Word("Références", 0.1, 0.30, 0.2, 0.31), Word("sur", 0.21, 0.30, 0.24, 0.31),
             Word("la", 0.25, 0.30, 0.27, 0.31), Word("facture", 0.28, 0.30, 0.34, 0.31),
             Word("NET", 0.5, 0.85, 0.53, 0.86), Word("A", 0.54, 0.85, 0.55, 0.86),
             Word("PAYER", 0.56, 0.85, 0.6, 0.86), Word("90,00", 0.62, 0.85, 0.66, 0.86),
             Word("REFERENCE", 0.5, 0.92, 0.58, 0.93), Word("AVIS", 0.59, 0.92, 0.62, 0.93),
             Word("DE", 0.63, 0.92, 0.65, 0.93), Word("PAIEMENT", 0.66, 0.92, 0.73, 0.93),
             Word(":", 0.74, 0.92, 0.75, 0.93), Word("F20180023BUYER", 0.76, 0.92, 0.86, 0.93)]
    assert classify([Page(number=1, width=595, height=842, words=words)])[0] == "invoice"


def test_compound_cues_and_printed_code() -> None:
    from extraction.classify import _compound_cues, _printed_code
    assert _compound_cues(["handelsrechnung", "380"]) == [(0, 1, ("invoice:strong",),
                                                          "handelsrechnung")]
    assert _compound_cues(["rechnung"]) == []           # the plain cue is found elsewhere
    assert _compound_cues(["", "abschlagsgutschrift x"])[0][2] == ("credit_note:strong",)
    assert _printed_code(["gutschrift", "381"]) == "credit_note"
    assert _printed_code(["rechnung", "(380)"]) is None   # norms carry no brackets
    assert _printed_code(["handelsrechnung 380"]) == "invoice"
    assert _printed_code(["page", "380"]) is None         # a short word before the code


def test_an_amount_is_not_a_printed_document_code() -> None:
    """"Remise: 389,50" normalises to "389 50": no UNTDID code 389 (self-billed invoice)."""
    from extraction.classify import classify_doc
    from extraction.fields.doc import Doc
    from extraction.mailbody import body_pages

    body = ("Bonjour,\n\nveuillez trouver ci-dessous le détail de notre virement PAY-1 du "
            "31/10/2024.\n\nRéférence: PAY-1\nDate de valeur: 31/10/2024\n\n"
            "N° facture: RE-2024-1\nMontant TTC: 19 475,02\nRemise: 389,50\n"
            "Montant payé: 19 085,52\n").encode()
    doc = Doc.build(body_pages(body, html=False), None)
    assert classify_doc(doc)[0] == "remittance"
