"""Seller-name rules of `extraction.fields.parties`: document titles are never party names;
the account holder names the issuer only when the footer repeats it."""
from __future__ import annotations

import pytest

from extraction.fields import extract_fields, parties
from extraction.fields.doc import Doc
from tests.unit.test_fields import page


@pytest.mark.parametrize("text", [
    "PAYMENT RECEIPT", "Invoice", "Tax Invoice", "Facture", "RECHNUNG", "Quittung",
    "Bon de commande", "Purchase Order", "Reçu de paiement", "Credit Note", "Lieferschein"])
def test_doc_titles(text: str) -> None:
    assert parties.is_doc_title(text)


@pytest.mark.parametrize("text", [
    "OYO", "NETPRESSE", "Receipt Bank Ltd", "Invoice Solutions GmbH", "ACME Payments Inc",
    "Max Mustermann", ""])
def test_not_doc_titles(text: str) -> None:
    assert not parties.is_doc_title(text)


def _sellers(rows: list[tuple[str, float, float]]) -> list[tuple[str, str]]:
    doc = Doc.build([page(rows)], None)
    return [(c.value, c.why) for c in parties.seller_candidates(doc)]


def test_title_heading_is_not_the_seller() -> None:
    got = _sellers([
        ("PAYMENT RECEIPT", 0.40, 0.05),
        ("Guest Name: Sanjay", 0.05, 0.09),
        ("Grand Total Rs 1939", 0.05, 0.30),
        ("Payment received by OYO Paid through Cash (Rs 1939)", 0.05, 0.36),
    ])
    assert all(v != "PAYMENT RECEIPT" for v, _ in got)
    assert all(not v.startswith("Guest Name") for v, _ in got)
    assert ("OYO", "received-by") in got


def test_account_holder_repeated_in_footer_is_the_seller() -> None:
    rows = [
        ("ALEXINUX", 0.10, 0.135),
        ("de Lattre Alexis", 0.10, 0.150),
        ("27 rue Henri Rolland", 0.10, 0.165),
        ("69100 Villeurbanne", 0.10, 0.180),
        ("Facture n° 2022089083", 0.10, 0.21),
        ("Virement BRED – Titulaire du compte : NETPRESSE", 0.10, 0.61),
        ("IBAN : FR76 1010 7002 4500 6170 5231 739", 0.10, 0.625),
        ("NETPRESSE", 0.45, 0.94),
        ("Siège social : 16 rue Mollien - 92100 BOULOGNE", 0.30, 0.952),
    ]
    got = _sellers(rows)
    assert ("NETPRESSE", "account-holder") in got
    assert ("NETPRESSE", "footer-holder") in got
    ext = extract_fields([page(rows)], "invoice")
    assert ext.fields["seller_name"].value == "NETPRESSE"


def test_account_holder_of_customer_mandate_is_ignored() -> None:
    # the customer's own mandate: the holder sits in the address window, not the footer
    got = _sellers([
        ("Stadtwerke Musterstadt GmbH", 0.10, 0.05),
        ("Herrn", 0.10, 0.15),
        ("Max Mustermann", 0.10, 0.165),
        ("Hauptstr. 1", 0.10, 0.18),
        ("12345 Musterstadt", 0.10, 0.195),
        ("Kontoinhaber: Max Mustermann", 0.10, 0.60),
        ("IBAN: DE02 1203 0000 0000 2020 51", 0.10, 0.615),
        ("Stadtwerke Musterstadt GmbH · Ringstr. 5 · 12345 Musterstadt", 0.10, 0.95),
    ])
    assert all(v != "Max Mustermann" for v, _ in got)
    assert all(why not in ("account-holder", "footer-holder") for _, why in got)
