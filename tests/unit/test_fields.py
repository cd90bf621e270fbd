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


def test_calibration_fit_keeps_bins_with_dev_errors_below_095() -> None:
    from extraction.fields.calibrate import calibrate, fit
    # 40 clean samples below 1.0, then a saturated raw score of 1.0 with 2 errors in 40:
    # the tie must stay in one bin and that bin must not be lifted to 0.96 by the clean one
    pairs = [(0.9 + i / 1000, True) for i in range(40)] + [(1.0, i >= 2) for i in range(40)]
    tab = fit({"total_gross|x": pairs})["total_gross|x"]
    assert tab[-1][1] <= 0.94
    assert all(ub != 1.0 for ub, _ in tab[:-1])          # no bin boundary inside the tie
    assert any(p >= 0.95 for _, p in tab)                  # the clean bins may still reach it
    assert calibrate("total_gross", 0.5, "x") <= 0.94


# ---------------------------------------------------------------- mail bodies, roles, addresses

def _mail(text: str):
    from extraction.mailbody import body_pages
    return body_pages(text.encode(), html=False)


REMIT_MAIL = """Dear Sir or Madam,
please find below the details of our payment ZA8280677 dated 11/09/2024.
Payer: Calloway Redfield Engineering LLC
Payment reference: ZA8280677
Payment date: 11/09/2024
Currency: USD
Invoice  Paid  Discount  Deduction  Reason  Invoice amount  Invoice date
RE-2024-75148  1,123.28  22.92  0.00    1,146.20  10/17/2024
Payment amount: 1,123.28 USD
Kind regards
Calloway Redfield Engineering LLC
2475 Commerce Drive, Austin, TX 53827, USA
"""

PO_MAIL = """To: Metallbau Brenner GmbH
Dear Sir or Madam,
please deliver the following items by 26 Oct 2024 (our order PO-45827377 of 30 Sep 2024):
1. 4 pcs WHK42355 Cardboard box - Rate 1.37 = 5.48
Total net: 5.48 GBP
Deliver to:
85 Station Road
Bristol UX6 1RG
United Kingdom
Kind regards
J. Smith
Hollis Industrial Ltd.
85 Station Road, Bristol UX6 1RG, United Kingdom
"""


def test_remittance_mail_body_is_classified_and_read() -> None:
    from extraction.classify import classify
    pages = _mail(REMIT_MAIL)
    assert classify(pages)[0] == "remittance"
    ext = extract_fields(pages, "remittance")
    assert ext.value("payer_name") == "Calloway Redfield Engineering LLC"
    assert ext.value("payment_reference") == "ZA8280677"
    assert ext.value("payment_date") == "2024-11-09"


def test_purchase_order_mail_roles_prose_and_ship_to() -> None:
    from extraction.classify import classify
    pages = _mail(PO_MAIL)
    assert classify(pages)[0] == "purchase_order"
    ext = extract_fields(pages, "purchase_order")
    assert ext.value("seller_name") == "Metallbau Brenner GmbH"      # the addressee
    assert ext.value("buyer_name") == "Hollis Industrial Ltd."       # the signature
    assert ext.value("po_number") == "PO-45827377"
    assert ext.value("order_date") == "2024-09-30"
    assert ext.value("delivery_date") == "2024-10-26"
    assert ext.value("ship_to") == "85 Station Road, Bristol UX6 1RG, United Kingdom"


def test_po_letterhead_is_the_buyer_and_address_window_the_seller() -> None:
    rows = [("Hollis Industrial Ltd.", 0.1, 0.05), ("85 Station Road", 0.1, 0.065),
            ("Bristol UX6 1RG", 0.1, 0.08),
            ("Hollis Industrial Ltd. - 85 Station Road - Bristol UX6 1RG", 0.1, 0.17),
            ("Metallbau Brenner GmbH", 0.1, 0.19), ("Gartenweg 71", 0.1, 0.205),
            ("56571 Köln", 0.1, 0.22), ("PURCHASE ORDER", 0.1, 0.3),
            ("PO number PO-4711", 0.6, 0.19)]
    ext = extract_fields([page(rows)], "purchase_order")
    assert ext.value("buyer_name") == "Hollis Industrial Ltd."
    assert ext.value("seller_name") == "Metallbau Brenner GmbH"


def test_seller_address_from_sender_line_and_title_on_letterhead() -> None:
    rows = [("Mulder & Bakker N.V.", 0.1, 0.04), ("Credit Note", 0.7, 0.04),
            ("Havenstraat 31  |  3227 UD Utrecht  |  Netherlands", 0.1, 0.056),
            ("Invoice to", 0.1, 0.17), ("Metallbau Brenner GmbH", 0.1, 0.185),
            ("Gartenweg 71", 0.1, 0.2), ("56571 Köln", 0.1, 0.215),
            ("Credit note no. CN-44420", 0.6, 0.25), ("Subtotal 51.95", 0.6, 0.6),
            ("Tax 21% 10.91", 0.6, 0.62), ("Credit amount -62.86", 0.6, 0.64)]
    ext = extract_fields([page(rows)], "credit_note")
    assert ext.value("seller_name") == "Mulder & Bakker N.V."
    assert ext.value("seller_address") == "Havenstraat 31, 3227 UD Utrecht, Netherlands"
    assert ext.value("buyer_name") == "Metallbau Brenner GmbH"


def test_credit_note_amounts_are_magnitudes() -> None:
    rows = [("Gutschrift", 0.05, 0.05), ("Gutschriftsnummer GS-1", 0.55, 0.1),
            ("Nettobetrag -100,00 EUR", 0.55, 0.70), ("MwSt. 19% -19,00 EUR", 0.55, 0.72),
            ("Gesamtbetrag -119,00 EUR", 0.55, 0.74)]
    ext = extract_fields([page(rows)], "credit_note")
    assert ext.value("total_net") == "100.00"
    assert ext.value("total_gross") == "119.00"
    inv = extract_fields([page(rows)], "invoice")          # a corrected invoice keeps the sign
    assert inv.value("total_gross") == "-119.00"


def test_dutch_labels_and_months() -> None:
    rows = [("FACTUUR", 0.05, 0.05), ("Factuurnummer: 993548900", 0.05, 0.2),
            ("Factuurdatum: 19 april 2014", 0.05, 0.22), ("Vervaldatum: 3 mei 2014", 0.05, 0.24),
            ("Ordernummer: 12572103", 0.05, 0.26),
            ("Exclusief BTW € 593,36", 0.5, 0.7), ("BTW 21% € 124,61", 0.5, 0.72),
            ("Totaal € 717,97", 0.5, 0.74)]
    ext = extract_fields([page(rows)], "invoice")
    assert ext.value("invoice_number") == "993548900"
    assert ext.value("issue_date") == "2014-04-19"
    assert ext.value("due_date") == "2014-05-03"
    assert ext.value("po_number") == "12572103"
    assert ext.value("total_net") == "593.36"
    assert ext.value("total_gross") == "717.97"


def test_column_total_labels_and_net_a_payer() -> None:
    rows = [("FACTURE N° : F1", 0.5, 0.05),
            ("TOTAL HT  TOTAL TVA  TOTAL TTC", 0.55, 0.80),
            ("Les réglements reçus avant la date d'échéance", 0.05, 0.815),
            ("100,00", 0.56, 0.83), ("4,90", 0.66, 0.83), ("104,90", 0.76, 0.83),
            ("NET A PAYER 104,90 EUR", 0.5, 0.86)]
    ext = extract_fields([page(rows)], "invoice")
    assert ext.value("total_net") == "100.00"
    assert ext.value("total_tax") == "4.90"
    assert ext.value("total_gross") == "104.90"
    assert ext.value("amount_due") == "104.90"


def test_ocr_speck_between_total_labels_and_values_is_skipped() -> None:
    """A scan speck OCR'd as a tiny "3" under "TOTAL HT" is no value: the amounts row
    below is read instead, even past running text on the label line."""
    p = page([("FACTURE N° : F1", 0.5, 0.05),
              ("calculée sur la base de trois fois le taux", 0.05, 0.80),
              ("TOTAL HT", 0.55, 0.80), ("TOTAL TVA", 0.65, 0.80), ("TOTAL TTC", 0.75, 0.80),
              ("100,00", 0.56, 0.837), ("10,00", 0.66, 0.837), ("110,00", 0.76, 0.837)])
    p.words += [Word("3", 0.562, 0.820, 0.5635, 0.8215), Word("5", 0.662, 0.820, 0.6635, 0.8215)]
    p.words.sort(key=lambda w: (w.y0, w.x0))
    ext = extract_fields([p], "invoice")
    assert ext.value("total_net") == "100.00"
    assert ext.value("total_tax") == "10.00"
    assert ext.value("total_gross") == "110.00"


def test_country_code_is_not_a_currency() -> None:
    rows = [("Invoice", 0.05, 0.05), ("69001 LYON", 0.05, 0.1), ("FR", 0.05, 0.115),
            ("Currency: EUR", 0.5, 0.2), ("Total 10,00", 0.5, 0.7)]
    assert extract_fields([page(rows)], "invoice").value("currency") == "EUR"


def test_le_is_a_date_label_only_before_a_date() -> None:
    rows = [("Facture N° F7", 0.5, 0.05), ("LE FOURNISSEUR SARL", 0.05, 0.1),
            ("Émise le 12/03/2024", 0.5, 0.12), ("LE CLIENT du 01/01/2020", 0.05, 0.3)]
    ext = extract_fields([page(rows)], "invoice")
    assert ext.value("issue_date") == "2024-03-12"


def test_receipt_centred_letterhead_address_and_lone_date() -> None:
    rows = [("UNIHAKKA INTERNATIONAL SDN BHD", 0.32, 0.22), ("14 Mar 2018 18:40", 0.41, 0.235),
            ("(867388-L)", 0.43, 0.25), ("12, Jalan Tampoi 7/4,Kawasan Perindustrian", 0.34, 0.265),
            ("Tampoi,81200 Johor Bahru, Johor", 0.37, 0.28), ("TAX INVOICE", 0.42, 0.30),
            ("Total Amount: $8.20", 0.5, 0.4)]
    ext = extract_fields([page(rows)], "invoice")
    assert ext.value("issue_date") == "2018-03-14"
    assert ext.fields["issue_date"].confidence < 0.5          # unlabelled: weak evidence
    assert ext.value("seller_address") == ("12, Jalan Tampoi 7/4,Kawasan Perindustrian, "
                                           "Tampoi,81200 Johor Bahru, Johor")


# ------------------------------------------------- digital layout rules (real corpus files)
def _corpus_ext(rel: str):
    from extraction.pages import read_pdf
    path = CORPORA / "einvoice" / rel
    if not path.exists():
        pytest.skip("corpora absent")
    return extract_fields(read_pdf(path))


def test_totals_table_sum_row_and_title_citing_an_order() -> None:
    # "Nettobetrag MwSt-Betrag MwSt-% Endbetrag" over one row per rate and the sum row
    ext = _corpus_ext("zugferd-1.0/ZUGFeRD_1p0_EXTENDED_Warenrechnung.pdf")
    assert (ext.value("total_net"), ext.value("total_tax"), ext.value("total_gross")) == \
        ("448.99", "70.00", "518.99")
    # "Rechnung gemäß Bestellung Nr. 2013-471331" cites the order, not the invoice number
    assert _corpus_ext("zugferd-1.0/ZUGFeRD_1p0_COMFORT_Rabatte.pdf").value(
        "invoice_number") == "471102"


def test_iban_after_line_end_label_and_in_wrapped_cell() -> None:
    ext = _corpus_ext("zugferd-1.0/ZUGFeRD_1p0_COMFORT_Haftpflichtversicherung_Versicherungssteuer.pdf")
    assert ext.value("seller_iban") == "DE75123456780000001234"     # "...: IBAN" / "DE75..."
    assert (ext.value("total_net"), ext.value("total_gross")) == ("50.00", "59.50")
    ext = _corpus_ext("misc/103767-Invoice-2026-03-24-1.pdf")          # "DE67 ... 7221" / "8882 72"
    assert ext.value("seller_iban") == "DE67100483927221888272"


def test_due_date_column_and_letter_date() -> None:
    ext = _corpus_ext("zugferd-2.1.1/zugferd_2p1_EN16931_Betriebskostenabrechnung.pdf")
    assert ext.value("due_date") == "2018-04-04"      # "Beschreibung  Fälligkeit  Teilzahlung"
    ext = _corpus_ext("zugferd-1.0/ZUGFeRD_1p0_COMFORT_Sachversicherung_berechneter_Steuersatz.pdf")
    assert ext.value("issue_date") == "2014-04-18"    # "... Nr: 00.123.456.7   18. April 2014"


def test_title_number_on_next_line_glued_line_ref_and_currency_header() -> None:
    p = page([("FACTURE", 0.05, 0.04), ("AFFACTUREE N° UC1_2023020_AFF", 0.05, 0.058),
              ("PO Number: ORDER84359Zeile1", 0.05, 0.2),
              ("Menge Einzel/€ Gesamt/€", 0.05, 0.3)])
    ext = extract_fields([p], "invoice")
    assert ext.value("invoice_number") == "UC1_2023020_AFF"
    assert ext.value("po_number") == "ORDER84359"
    assert ext.value("currency") == "EUR"


def test_letterhead_block_beats_item_text() -> None:
    from extraction.pages import read_pdf
    pdf = CORPORA / "invoice2data" / "coolblue1.pdf"
    if not pdf.exists():
        pytest.skip("corpora absent")
    assert extract_fields(read_pdf(pdf)).value("seller_name") == "Coolblue B.V."


def test_labels_never_span_a_column_gap() -> None:
    """A scan mapped back through the deskew rotation: the right-hand totals labels share
    one visual line with a small-print paragraph on their left; "le" (a date label) must
    not be joined across the gap to "TOTAL HT" (the line is split into segments at gaps
    wider than `BIG_GAP_EM` font sizes before labels are matched and merged)."""
    from extraction.fields.doc import Doc
    rows = [("FACTURE N° : F1", 0.5, 0.05),
            ("compter de la date calculée sur la base de trois fois le taux", 0.16, 0.80),
            ("légal. Les règlements reçus avant la date ne donnent pas lieu", 0.16, 0.83),
            ("TOTAL HT", 0.55, 0.80), ("TOTAL TVA", 0.64, 0.80), ("TOTAL TTC", 0.735, 0.80),
            ("100,00", 0.56, 0.83), ("4,90", 0.65, 0.83), ("104,90", 0.745, 0.83)]
    p = page(rows)
    doc = Doc.build([p])
    ln = next(ln for ln in doc.lines if "TOTAL" in ln.text)
    segs = ln.segments()
    assert len(segs) == 4 and [ln.words[a].text for a, _ in segs[1:]] == ["TOTAL"] * 3
    assert [(h.phrase, h.fields) for h in doc.hits_by_line[ln.idx] if "total" in h.phrase] == [
        ("total ht", ("total_net",)), ("total tva", ("total_tax",)),
        ("total ttc", ("total_gross",))]
    ext = extract_fields([p], "invoice")
    assert ext.value("total_net") == "100.00"
    assert ext.value("total_tax") == "4.90"
    assert ext.value("total_gross") == "104.90"


def test_ocr_quotes_around_amounts_and_labels() -> None:
    """Speckle read as quotes ("‘100,00.", "“TOTAL") does not hide an amount or a label."""
    from extraction.fields.doc import Doc
    from extraction.labels import normalise_label
    doc = Doc([])
    doc.comma_decimal = True
    assert str(doc.amount("‘100,00.")) == "100.00"
    assert str(doc.amount("-5,00")) == "-5.00"
    assert doc.amount("12.") is None
    assert normalise_label("“TOTAL") == "total" and normalise_label("«Total»") == "total"


def test_party_label_run_into_text_is_an_address_line() -> None:
    """"Buyer line 2" inside an address block is text, not a label; "Buyer: X" is a label."""
    from extraction.fields import header
    from extraction.fields.doc import Doc

    body = [("Invoice No: 4711", 0.6, 0.05), ("Ship to", 0.05, 0.2), ("Harbour Depot", 0.05, 0.215),
            ("Buyer line 2", 0.05, 0.23)]
    cands = header.label_candidates(Doc.build([page(body)]), ("buyer_name",))
    assert "line 2" not in {c.value for c in cands.get("buyer_name", [])}
    cands = header.label_candidates(Doc.build([page(body + [("Buyer: Nordwind AG", 0.05, 0.3)])]),
                                    ("buyer_name",))
    assert "Nordwind AG" in {c.value for c in cands.get("buyer_name", [])}


def test_ocr_label_with_one_misread_letter() -> None:
    """OCR reads "Date d'échéance" as "pate d'échéance": still the due-date label, on OCR'd
    lines only; a text layer spells its labels exactly."""
    from extraction.fields import lex

    hits = lex.fuzzy_labels(["pate", "d echeance", ":", "02/03/2026"], [])
    assert [(i, j, f) for (i, j, f, _) in hits] == [(0, 2, ("due_date",))]
    assert lex.fuzzy_labels(["date", "d echeance"], lex.find_labels(["date", "d echeance"])) == []
    glued = lex.fuzzy_labels(["totalttc", "110,00"], [])     # "TOTAL TTC" read without its space
    assert [(i, j, f) for (i, j, f, _) in glued] == [(0, 1, ("total_gross",))]
    rows = [("Rechnung", 0.05, 0.05), ("Invoice No: 4711", 0.6, 0.05),
            ("pate d'échéance : 02/03/2026", 0.05, 0.8)]
    ocr_page = page(rows)
    ocr_page.source = "ocr"
    assert extract_fields([ocr_page], "invoice").value("due_date") == "2026-03-02"
    assert extract_fields([page(rows)], "invoice").value("due_date") is None


def test_preceding_invoice_reference_is_not_the_invoice_number() -> None:
    """"N° de facture associée" / "Date de facture associée" cite the corrected invoice."""
    rows = [("Facture", 0.05, 0.05), ("Le Fournisseur SARL", 0.05, 0.1),
            ("31/01/2026", 0.75, 0.1), ("N° DE FACTURE ASSOCIÉE : F20260003", 0.05, 0.3),
            ("DATE DE FACTURE ASSOCIÉE : 01/01/2026", 0.05, 0.32)]
    ext = extract_fields([page(rows)], "invoice")
    assert ext.value("invoice_number") != "F20260003"
    assert ext.value("issue_date") != "2026-01-01"


def test_ocr_umlaut_in_a_french_name_is_read_as_circumflex() -> None:
    rows = [("Facture N° : F2026", 0.6, 0.05), ("Date de la facture : 31/01/2026", 0.6, 0.07),
            ("Client :", 0.05, 0.2), ("Hötel Saint Denis", 0.05, 0.215),
            ("Montant total de la facture à payer avec la date", 0.05, 0.5)]
    ocr_page = page(rows)
    ocr_page.source = "ocr"
    ext = extract_fields([ocr_page], "invoice")
    assert ext.meta["locale"]["lang"] == "fr"
    assert ext.value("buyer_name") == "Hôtel Saint Denis"
    assert extract_fields([page(rows)], "invoice").value("buyer_name") == "Hötel Saint Denis"


def test_a_label_is_never_a_party_name() -> None:
    from extraction.fields import _ends_in_colon

    assert _ends_in_colon("auent: ©") and _ends_in_colon("Client :")
    assert not _ends_in_colon("LE CLIENT") and not _ends_in_colon("Ma jolie boutique")


def test_id_values_lose_a_glued_label_and_a_full_stop() -> None:
    from extraction.fields.header import clean_id

    assert clean_id("Nr.471102") == "471102" and clean_id("N°:F2026") == "F2026"
    assert clean_id("2018092011804.") == "2018092011804"
    assert clean_id("NO12345") == "NO12345" and clean_id("RE-2015/503") == "RE-2015/503"
