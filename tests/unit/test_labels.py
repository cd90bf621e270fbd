"""Tests for extraction.labels: the EN/DE/FR label lexicon, label matching and the
document-type cue phrases."""
from __future__ import annotations

import pytest

from extraction.labels import (
    COLUMN_LABELS, DOC_TYPE_CUES, HEADER_LABELS, find_doc_type_cues, is_ignored, label_lookup,
    match_label, normalise_label, split_label,
)
from extraction.model import DOC_TYPES, HEADER_FIELDS, LINE_FIELDS

ALL_HEADER = {f for fields in HEADER_FIELDS.values() for f in fields}
ALL_LINE = {f for fields in LINE_FIELDS.values() for f in fields}

# ------------------------------------------------------------------------- registry shape


def test_every_canonical_field_has_labels() -> None:
    assert ALL_HEADER <= set(HEADER_LABELS)
    assert ALL_LINE <= set(COLUMN_LABELS)


def test_registry_names_are_canonical_or_ignored() -> None:
    for name in HEADER_LABELS:
        assert name in ALL_HEADER or is_ignored(name), name
    for name in COLUMN_LABELS:
        assert name in ALL_LINE or is_ignored(name), name


def test_registry_phrases_are_clean() -> None:
    for registry in (HEADER_LABELS, COLUMN_LABELS):
        for name, phrases in registry.items():
            assert phrases, name
            for phrase in phrases:
                assert phrase == phrase.strip() and "|" not in phrase, (name, phrase)
                assert normalise_label(phrase), (name, phrase)


def test_doc_type_cues_cover_doc_types() -> None:
    assert set(DOC_TYPE_CUES) == set(DOC_TYPES) - {"other"}
    for doc_type, by_strength in DOC_TYPE_CUES.items():
        assert set(by_strength) == {"strong", "weak"}, doc_type
        assert all(by_strength.values()), doc_type

# -------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize("text, expected", [
    ("Invoice No.:", "invoice no"),
    ("  INVOICE   NUMBER  ", "invoice number"),
    ("Rechnungs-Nr.", "rechnungs nr"),
    ("N° de facture", "n de facture"),
    ("Nº facture", "n facture"),
    ("Date d'émission", "date d emission"),
    ("Date d’émission", "date d emission"),
    ("Fälligkeitsdatum", "falligkeitsdatum"),
    ("Straße", "strasse"),
    ("Échéance", "echeance"),
    ("Qté", "qte"),
    ("P.U. HT", "p u ht"),
    ("VAT %", "vat %"),
    ("VAT%", "vat %"),
    ("Invoice #", "invoice"),
    ("Total (EUR)", "total eur"),
    ("Art.-Nr.", "art nr"),
    ("Liefer-/Leistungsdatum", "liefer leistungsdatum"),
    ("", ""),
    ("...:::", ""),
])
def test_normalise_label(text: str, expected: str) -> None:
    assert normalise_label(text) == expected


@pytest.mark.parametrize("junk", [None, 12, b"x", []])
def test_normalise_label_junk(junk: object) -> None:
    assert normalise_label(junk) == ""  # type: ignore[arg-type]

# ------------------------------------------------------------------------ header matching


@pytest.mark.parametrize("text, field", [
    # invoice_number
    ("Invoice No", "invoice_number"), ("Invoice Number:", "invoice_number"),
    ("Invoice #", "invoice_number"), ("Inv. No.", "invoice_number"), ("Invoice", "invoice_number"),
    ("Invoice Nr.", "invoice_number"), ("Rechnungsnummer", "invoice_number"),
    ("Rechnungs-Nr.", "invoice_number"), ("Rechnung Nr.", "invoice_number"),
    ("Re-Nr.", "invoice_number"), ("N° de facture", "invoice_number"),
    ("Numéro de facture", "invoice_number"), ("Facture n°", "invoice_number"),
    ("No. facture", "invoice_number"), ("Nº facture", "invoice_number"),
    # dates
    ("Invoice Date", "issue_date"), ("Date", "issue_date"), ("Date of issue", "issue_date"),
    ("Rechnungsdatum", "issue_date"), ("Datum", "issue_date"), ("Date de facture", "issue_date"),
    ("Date d'émission", "issue_date"), ("Le", "issue_date"),
    ("Due Date", "due_date"), ("Payment due", "due_date"), ("Fällig am", "due_date"),
    ("Fälligkeitsdatum", "due_date"), ("Zahlbar bis", "due_date"),
    ("Date d'échéance", "due_date"), ("Échéance", "due_date"), ("Echeance", "due_date"),
    ("Order Date", "order_date"), ("Bestelldatum", "order_date"),
    ("Date de commande", "order_date"), ("Date", "order_date"),
    ("Delivery Date", "delivery_date"), ("Liefertermin", "delivery_date"),
    ("Lieferdatum", "delivery_date"), ("Date de livraison", "delivery_date"),
    ("Payment date", "payment_date"), ("Value date", "payment_date"),
    ("Zahlungsdatum", "payment_date"), ("Valuta", "payment_date"),
    ("Date de paiement", "payment_date"), ("Date de valeur", "payment_date"),
    # order references
    ("PO Number", "po_number"), ("Purchase Order", "po_number"), ("Order No", "po_number"),
    ("Your order", "po_number"), ("Customer PO", "po_number"), ("Bestellnummer", "po_number"),
    ("Ihre Bestellung", "po_number"), ("Bestell-Nr.", "po_number"),
    ("N° de commande", "po_number"), ("Bon de commande", "po_number"),
    ("Votre commande", "po_number"),
    # totals
    ("Subtotal", "total_net"), ("Net amount", "total_net"), ("Total net", "total_net"),
    ("Total excl. VAT", "total_net"), ("Nettobetrag", "total_net"), ("Summe netto", "total_net"),
    ("Zwischensumme", "total_net"), ("Total HT", "total_net"), ("Montant HT", "total_net"),
    ("VAT", "total_tax"), ("Tax", "total_tax"), ("Sales Tax", "total_tax"), ("GST", "total_tax"),
    ("MwSt.", "total_tax"), ("USt.", "total_tax"), ("Umsatzsteuer", "total_tax"),
    ("TVA", "total_tax"), ("Montant TVA", "total_tax"), ("zzgl. 19% MwSt.", "total_tax"),
    ("Total", "total_gross"), ("Grand Total", "total_gross"), ("Total amount", "total_gross"),
    ("Invoice total", "total_gross"), ("Gesamtbetrag", "total_gross"),
    ("Bruttobetrag", "total_gross"), ("Rechnungsbetrag", "total_gross"),
    ("Total TTC", "total_gross"), ("Montant TTC", "total_gross"),
    ("Amount due", "amount_due"), ("Balance due", "amount_due"), ("Total due", "amount_due"),
    ("Zahlbetrag", "amount_due"), ("Zu zahlen", "amount_due"), ("Offener Betrag", "amount_due"),
    ("Net à payer", "amount_due"), ("Reste à payer", "amount_due"),
    # parties and ids
    ("Currency", "currency"), ("Währung", "currency"), ("Devise", "currency"),
    ("VAT ID", "seller_vat_id"), ("VAT No", "buyer_vat_id"), ("VAT Reg No", "seller_vat_id"),
    ("Tax ID", "seller_vat_id"), ("USt-IdNr.", "seller_vat_id"), ("USt-ID", "buyer_vat_id"),
    ("N° TVA", "seller_vat_id"), ("TVA intracommunautaire", "seller_vat_id"),
    ("GST No", "seller_vat_id"), ("GST Reg No", "seller_vat_id"),
    ("Your VAT ID", "buyer_vat_id"), ("Customer VAT No", "buyer_vat_id"),
    ("IBAN", "seller_iban"), ("Coordonnées bancaires", "seller_iban"),
    ("Payer", "payer_name"), ("Paid by", "payer_name"), ("Donneur d'ordre", "payer_name"),
    ("Payment reference", "payment_reference"), ("Remittance No", "payment_reference"),
    ("Advice No", "payment_reference"), ("Zahlungsreferenz", "payment_reference"),
    ("Avis-Nr.", "payment_reference"), ("Référence de paiement", "payment_reference"),
    ("N° d'avis", "payment_reference"),
    ("Payment amount", "payment_amount"), ("Total paid", "payment_amount"),
    ("Amount paid", "payment_amount"), ("Zahlbetrag", "payment_amount"),
    ("Überweisungsbetrag", "payment_amount"), ("Montant du paiement", "payment_amount"),
    ("Montant réglé", "payment_amount"),
    ("Ship to", "ship_to"), ("Deliver to", "ship_to"), ("Delivery address", "ship_to"),
    ("Lieferadresse", "ship_to"), ("Lieferanschrift", "ship_to"),
    ("Adresse de livraison", "ship_to"), ("Livrer à", "ship_to"),
    ("Bill to", "buyer_name"), ("Sold to", "buyer_name"), ("Customer", "buyer_name"),
    ("Rechnungsempfänger", "buyer_name"), ("Kunde", "buyer_name"), ("Client", "buyer_name"),
    ("Facturé à", "buyer_name"),
    ("From", "seller_name"), ("Supplier", "seller_name"), ("Vendor", "seller_name"),
    ("Lieferant", "seller_name"), ("Fournisseur", "seller_name"),
])
def test_header_labels(text: str, field: str) -> None:
    assert field in match_label(text, "header")
    assert field in match_label(text)                       # kind="all" keeps it too


@pytest.mark.parametrize("text, expected", [
    # longest match wins over a generic prefix
    ("Total net: 100,00", ["total_net"]),
    ("Total excl. VAT 100.00", ["total_net"]),
    ("Total VAT 19.00", ["total_tax"]),
    ("Invoice Date: 25.12.2018", ["issue_date"]),
    ("Invoice total 119.00", ["total_gross"]),
    ("Net à payer 12", ["amount_due"]),
    ("Delivery address: Hauptstr. 1", ["ship_to"]),
    ("Customer PO 4500012345", ["po_number"]),
    # known non-target labels shadow shorter generic ones
    ("Customer No: 4711", []),
    ("Kundennummer 4711", []),
    ("Steuernummer 123/456/78901", []),
    ("SIRET 123 456 789 00012", []),
    ("BIC COBADEFFXXX", []),
    ("Total quantity 12", []),
    ("Your reference: ABC", []),
    # not a label
    ("Lorem ipsum", []), ("12.50", []), ("", []), ("Invoiced", []),
])
def test_match_label_longest_and_ignored(text: str, expected: list[str]) -> None:
    assert match_label(text, "header") == expected


def test_match_label_include_ignored() -> None:
    assert match_label("Customer No: 4711", "header", include_ignored=True) == ["_customer_number"]
    assert match_label("Steuer-Nr.", include_ignored=True) == ["_tax_number"]


def test_ambiguous_labels_map_to_several_fields() -> None:
    assert {"total_gross", "line_total", "payment_amount"} <= set(label_lookup()["total"])
    assert {"amount_due", "payment_amount", "amount_paid"} <= set(label_lookup()["zahlbetrag"])
    assert {"total_net", "line_total"} <= set(label_lookup()["total ht"])
    assert {"seller_vat_id", "buyer_vat_id"} <= set(label_lookup()["ust idnr"])
    assert {"issue_date", "order_date", "payment_date"} <= set(label_lookup()["date"])


def test_label_lookup_kinds_and_ignored() -> None:
    everything = label_lookup()
    assert all(not n.startswith("_") for names in everything.values() for n in names)
    assert "customer no" not in everything
    assert "_customer_number" in label_lookup(include_ignored=True)["customer no"]
    assert label_lookup("header")["total"] == ["total_gross", "payment_amount"]
    assert label_lookup("column")["total"] == ["line_total"]
    label_lookup()["total"].append("mutated")          # callers get a copy
    assert "mutated" not in label_lookup()["total"]


@pytest.mark.parametrize("text, fields, rest", [
    ("Invoice No.: 12345", ["invoice_number"], "12345"),
    ("Rechnungs-Nr.: 2024-001", ["invoice_number"], "2024-001"),
    ("N° de facture : F-12", ["invoice_number"], "F-12"),
    ("Facture n° 123", ["invoice_number"], "123"),
    ("Invoice #INV-1", ["invoice_number"], "INV-1"),
    ("Date d'émission : 3 mars 2024", ["issue_date"], "3 mars 2024"),
    ("Fällig am 25.12.2018", ["due_date"], "25.12.2018"),
    ("Total net: -12,50 €", ["total_net"], "-12,50 €"),
    ("IBAN: DE89 3704 0044 0532 0130 00", ["seller_iban"], "DE89 3704 0044 0532 0130 00"),
    ("Customer No: 4711", [], "4711"),
    ("Total", ["total_gross", "payment_amount"], ""),
])
def test_split_label(text: str, fields: list[str], rest: str) -> None:
    assert split_label(text, "header") == (fields, rest)


@pytest.mark.parametrize("text", ["", "   ", "xyz", "12.50", None, 5])
def test_split_label_no_match(text: object) -> None:
    assert split_label(text) is None  # type: ignore[arg-type]

# ------------------------------------------------------------------------ column headers


@pytest.mark.parametrize("text, field", [
    ("Item", "sku"), ("Item No", "sku"), ("Article", "sku"), ("SKU", "sku"), ("Part No", "sku"),
    ("Art.-Nr.", "sku"), ("Artikelnummer", "sku"), ("Réf.", "sku"), ("Référence", "sku"),
    ("Code", "sku"),
    ("Description", "description"), ("Bezeichnung", "description"),
    ("Beschreibung", "description"), ("Artikel", "description"), ("Désignation", "description"),
    ("Libellé", "description"), ("Item", "description"),
    ("Qty", "quantity"), ("Qty.", "quantity"), ("Quantity", "quantity"), ("Menge", "quantity"),
    ("Anzahl", "quantity"), ("Qté", "quantity"), ("Quantité", "quantity"),
    ("Unit", "unit"), ("UoM", "unit"), ("Einheit", "unit"), ("ME", "unit"), ("Unité", "unit"),
    ("Unit Price", "unit_price"), ("Price", "unit_price"), ("Rate", "unit_price"),
    ("Einzelpreis", "unit_price"), ("E-Preis", "unit_price"), ("Preis", "unit_price"),
    ("Prix unitaire", "unit_price"), ("P.U. HT", "unit_price"),
    ("Amount", "line_total"), ("Total", "line_total"), ("Line Total", "line_total"),
    ("Gesamtpreis", "line_total"), ("Betrag", "line_total"), ("Gesamt", "line_total"),
    ("Montant", "line_total"), ("Total HT", "line_total"),
    ("VAT %", "tax_rate"), ("Tax %", "tax_rate"), ("MwSt %", "tax_rate"), ("USt %", "tax_rate"),
    ("TVA %", "tax_rate"), ("Taux", "tax_rate"), ("VAT%", "tax_rate"),
    ("Invoice", "invoice_number"), ("Invoice No", "invoice_number"),
    ("Your reference", "invoice_number"), ("Document", "invoice_number"),
    ("Rechnung", "invoice_number"), ("Beleg-Nr.", "invoice_number"),
    ("Facture", "invoice_number"),
    ("Paid", "amount_paid"), ("Amount paid", "amount_paid"), ("Payment", "amount_paid"),
    ("Bezahlt", "amount_paid"), ("Zahlbetrag", "amount_paid"), ("Montant payé", "amount_paid"),
    ("Réglé", "amount_paid"),
    ("Discount", "discount"), ("Skonto", "discount"), ("Escompte", "discount"),
    ("Remise", "discount"),
    ("Deduction", "deduction"), ("Short pay", "deduction"), ("Abzug", "deduction"),
    ("Kürzung", "deduction"), ("Déduction", "deduction"),
    ("Reason", "deduction_reason"), ("Grund", "deduction_reason"), ("Motif", "deduction_reason"),
])
def test_column_labels(text: str, field: str) -> None:
    assert field in match_label(text, "column")


@pytest.mark.parametrize("text, expected", [
    ("Unit Price", ["unit_price"]),          # not "unit"
    ("Invoice date", []),                    # remittance column, not invoice_number
    ("Invoice amount", []),
    ("Rechnungsdatum", []),
    ("Pos.", []),
    ("Discount %", []),
])
def test_column_longest_and_ignored(text: str, expected: list[str]) -> None:
    assert match_label(text, "column") == expected

# ------------------------------------------------------------------------ doc-type cues


def _cues(text: str) -> set[tuple[str, str]]:
    return {(c.doc_type, c.strength) for c in find_doc_type_cues(text)}


@pytest.mark.parametrize("text, doc_type", [
    ("INVOICE", "invoice"), ("Tax Invoice", "invoice"), ("Rechnung", "invoice"),
    ("Facture", "invoice"),
    ("Credit Note", "credit_note"), ("Credit Memo", "credit_note"), ("Gutschrift", "credit_note"),
    ("Rechnungskorrektur", "invoice"), ("Avoir", "credit_note"), ("Factuur", "invoice"),
    ("Facture d'avoir", "credit_note"),
    ("Purchase Order", "purchase_order"), ("Bestellung", "purchase_order"),
    ("Bon de commande", "purchase_order"),
    ("Remittance Advice", "remittance"), ("Payment Advice", "remittance"),
    ("Payment Notification", "remittance"), ("Zahlungsavis", "remittance"),
    ("Avis de paiement", "remittance"), ("Avis de virement", "remittance"),
])
def test_strong_cues(text: str, doc_type: str) -> None:
    assert (doc_type, "strong") in _cues(text)


@pytest.mark.parametrize("text, doc_type", [
    ("Order", "purchase_order"), ("Auftrag", "purchase_order"), ("Commande", "purchase_order"),
    ("Payment date: 12.03.2024", "remittance"), ("Amount due", "invoice"),
    ("Original invoice", "credit_note"),
])
def test_weak_cues(text: str, doc_type: str) -> None:
    assert (doc_type, "weak") in _cues(text)


def test_cues_longest_non_overlapping() -> None:
    cues = find_doc_type_cues("FACTURE D'AVOIR n° 12")
    assert [(c.doc_type, c.strength, c.phrase) for c in cues] == [
        ("credit_note", "strong", "facture d avoir")]
    cues = find_doc_type_cues("Credit Note for Invoice 4711")
    assert {c.phrase for c in cues} == {"credit note", "invoice"}
    assert ("credit_note", "weak") not in _cues("Credit Note")   # "credit" is inside the phrase


@pytest.mark.parametrize("text", ["", "Lorem ipsum dolor", "Rechnungsnummer123x", None, 42])
def test_cues_none(text: object) -> None:
    assert find_doc_type_cues(text) == []  # type: ignore[arg-type]


@pytest.mark.parametrize("text, field", [
    ("Factuurnummer", "invoice_number"), ("Factuurdatum", "issue_date"),
    ("Vervaldatum", "due_date"), ("Totaal", "total_gross"), ("BTW", "total_tax"),
    ("Subtotaal", "total_net"), ("Ordernummer", "po_number"),
    ("Rechnungsersteller", "seller_name"), ("Beleg-Datum", "issue_date"),
    ("Credit amount", "total_gross"), ("Gesamtgutschrift", "total_gross"),
    ("Total crédité", "total_gross"), ("Rechnungssumme ohne USt.", "total_net"),
    ("Verwendungszweck", "payment_reference"), ("Ausgeführt am", "payment_date"),
    ("Verkäufer-IBAN", "seller_iban"), ("Bruttosumme", "total_gross"),
    ("Votre référence", "po_number"), ("Residual", "amount_due"),
])
def test_more_header_labels(text: str, field: str) -> None:
    from extraction.labels import match_label
    assert field in match_label(text, "header")


@pytest.mark.parametrize("text", ["Klantnummer", "Gesamtbetrag der Zuschläge/Abschläge",
                                  "Erhaltene Anzahlungen", "Käufer-IBAN", "Réf. facture"])
def test_more_non_target_labels(text: str) -> None:
    from extraction.labels import match_label, split_label
    assert match_label(text, "header") == []
    assert split_label(text, "header") is not None


def test_entgelt_is_a_line_total_column() -> None:
    from extraction.labels import match_label
    assert "line_total" in match_label("Entgelt", "column")


@pytest.mark.parametrize("text, field", [
    ("Fälligkeitstag:", "due_date"), ("Please remit until", "due_date"),
    ("Gesamtbeitrag", "total_net"), ("Versicherungsteuer 19 %", "total_tax"),
    ("Rechnungsbeitrag", "total_gross"), ("zu zahlender Beitrag", "amount_due"),
    ("Due payable:", "amount_due"),
])
def test_premium_and_remit_labels(text: str, field: str) -> None:
    assert field in match_label(text, "header")


def test_label_data_module_is_the_registry() -> None:
    from extraction import labels_data
    assert labels_data.HEADER_LABELS is HEADER_LABELS
    assert labels_data.DOC_TYPE_CUES is DOC_TYPE_CUES
