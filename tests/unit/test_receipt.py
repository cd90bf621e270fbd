"""Receipt rules (extraction.fields.receipt) on synthetic OCR'd till slips: no Tesseract."""
from __future__ import annotations

from decimal import Decimal

from extraction.fields import extract_fields
from extraction.fields.doc import Doc
from extraction.fields.receipt import (clean_name, is_receipt, lenient_amount, receipt_date,
                                       receipt_name, receipt_total)
from extraction.layout import Page, Word
from extraction.ocr import _clean_text


def _slip(lines: list[str], *, width: float = 600, height: float = 1500,
          centred: bool = True) -> Page:
    """One word per token, lines 0.025 apart from the top, centred like a till slip."""
    words = []
    y = 0.05
    for text in lines:
        toks = text.split()
        total = sum(len(t) + 1 for t in toks) * 0.018
        x = 0.5 - total / 2 if centred else 0.05
        for t in toks:
            w = len(t) * 0.018
            words.append(Word(t, x, y, x + w, y + 0.015, conf=0.9))
            x += w + 0.018
        y += 0.025
    return Page(number=1, width=width, height=height, words=words, source="ocr")


SLIP = [
    "LIAN CHI PU TIAN VEGETARIAN",
    "RESTAURANT SDN BHD",
    "(1095514-X)",
    "54, JALAN SS23/11",
    "TAMAN SEA,47400",
    "PETALING JAYA.SELANGOR",
    "Tel: 03-7805 7889",
    "TAX INVOICE",
    "Date: 21/05/2018Time: 11:12:56AM",
    "FRIED RICE 2 12.00",
    "Sub Total 51.42",
    "GST 6% 3.09",
    "Rounding Adj -0.01",
    "Total =3.50",
    "CASH 60.00",
    "CHANGE 6.50",
    "THANK YOU PLEASE COME AGAIN",
]


def _doc(lines: list[str], **kw: object) -> Doc:
    return Doc.build([_slip(lines, **kw)], None)


def test_is_receipt_needs_a_tall_ocr_page() -> None:
    assert is_receipt(_doc(SLIP))
    assert not is_receipt(_doc(SLIP, width=1000, height=1000))
    text_page = _slip(SLIP)
    text_page.source = "text"
    assert not is_receipt(Doc.build([text_page], None))


def test_name_joins_a_generic_legal_line_with_the_line_above() -> None:
    c = receipt_name(_doc(SLIP))
    assert c is not None and c.value == "LIAN CHI PU TIAN VEGETARIAN RESTAURANT SDN BHD"


def test_name_without_legal_form_is_the_line_above_the_registration() -> None:
    c = receipt_name(_doc(["scribbled name", "KEDAI PAPAN YEW CHUAN", "(0005583085-K)",
                           "LOT 276 JALAN BANTING", "43800 DENGKIL, SELANGOR."]))
    assert c is not None and c.value == "KEDAI PAPAN YEW CHUAN"


def test_name_skips_a_contact_line_printed_above_it() -> None:
    c = receipt_name(_doc(["TQ FOR SHOPPING WITH myNEWS.com", "PAGOH REST AND SERVICE AREA",
                           "LOT R1, KWS REHAT & RAWAT PAGOH", "84600,PAGOH,JOHOR"]))
    assert c is not None and c.value == "PAGOH REST AND SERVICE AREA"


def test_clean_name_repairs_legal_form_and_drops_registration() -> None:
    assert clean_name("MR. D.I.Y. SON BHD") == "MR. D.I.Y. SDN BHD"
    assert clean_name("99 SPEED MART 5/8 (519537-X)") == "99 SPEED MART S/B"
    assert clean_name("SUNFISH <484297 -M>") == "SUNFISH"
    assert clean_name("HAI-0 RAYA BHD") == "HAI-O RAYA BHD"


def test_date_glued_to_the_next_label() -> None:
    c = receipt_date(_doc(SLIP))
    assert c is not None and c.value == "2018-05-21"


def test_date_with_spaces_and_month_names() -> None:
    assert receipt_date(_doc(["SHOP", "Date: 2016- 07-31 13:48: 37"])).value == "2016-07-31"
    assert receipt_date(_doc(["SHOP", "Oct 3, 2016 12:16:25 PM"])).value == "2016-10-03"
    assert receipt_date(_doc(["SHOP", "25 DEC 2018 10:00"])).value == "2018-12-25"


def test_lenient_amount() -> None:
    assert lenient_amount("Total Incl. GST@6% <RM_34.80 N") == Decimal("34.80")
    assert lenient_amount("CHANGE 7-40") == Decimal("7.40")
    assert lenient_amount("Total Sales Incl GST @ 6% RM8 60") == Decimal("8.60")
    assert lenient_amount("Net Amt : §3.55") == Decimal("53.55")
    assert lenient_amount("Cashier : MANIS") is None


def test_total_repaired_by_tendered_minus_change() -> None:
    c = receipt_total(_doc(SLIP))         # "=3.50" lost a digit: 60.00 - 6.50 = 53.50
    assert c is not None and c.value == "53.50" and "tender" in c.why


def test_total_prefers_strong_total_and_ignores_tax_note() -> None:
    c = receipt_total(_doc(["SHOP", "Sub Total 10.00", "Total (incl GST) 70.30",
                            "Change 0.00", "TOTAL INCLUDES 6% GST 3.98"]))
    assert c is not None and c.value == "70.30"


def test_total_equal_to_tender_wins() -> None:
    c = receipt_total(_doc(["SHOP", "Total (Inclusive of GST): 8.80", "TOTAL: 8.60",
                            "CASH : 8.60"]))
    assert c is not None and c.value == "8.60"


def test_extract_fields_uses_receipt_rules() -> None:
    ext = extract_fields([_slip(SLIP)], "invoice")
    assert ext.fields["seller_name"].value == "LIAN CHI PU TIAN VEGETARIAN RESTAURANT SDN BHD"
    assert ext.fields["total_gross"].value == "53.50"
    assert ext.fields["issue_date"].value == "2018-05-21"


def test_ocr_clean_text_letter_confusions() -> None:
    assert _clean_text("$S6/5A") == "SS6/5A"
    assert _clean_text("$/B") == "S/B"
    assert _clean_text("$12.00") == "$12.00"
    assert _clean_text("JIn") == "Jln"
    assert _clean_text("In") == "In"
    assert _clean_text("§3.55") == "53.55"


def test_clean_name_braces_apostrophes_and_misread_registration() -> None:
    assert clean_name("BEMED {SP} SDN. BHD.") == "BEMED (SP) SDN. BHD."
    assert clean_name("NANDO’S CHICKENLAND") == "NANDO'S CHICKENLAND"
    assert clean_name("KEDAI PAPAN'YEW CHUAN") == "KEDAI PAPAN YEW CHUAN"
    assert clean_name("99 SPEED MART 5/8 (S19S37-X)") == "99 SPEED MART S/B"


def test_name_wrapped_over_two_banner_lines() -> None:
    c = receipt_name(_doc(["WESTERN EASTERN", "STATIONERY SDN. BHD", "(7910-U)",
                           "42-46, JLN SULTAN AZLAN SHAH", "51200 KUALA LUMPUR"]))
    assert c is not None and c.value == "WESTERN EASTERN STATIONERY SDN. BHD"


def test_name_not_joined_with_a_brand_line_it_repeats() -> None:
    c = receipt_name(_doc(["GARDENIA", "GARDENIA SDN BHD", "(139386-X)", "LOT 3, JALAN PELABUR",
                           "40000 SHAH ALAM"]))
    assert c is not None and c.value == "GARDENIA SDN BHD"


def test_address_after_contact_lines_with_hq_label() -> None:
    from extraction.fields.address import receipt_address
    doc = _doc(["HAI-O RAYA BHD (169199-V)", "KEPONG OUTLET", "TEL / FAX : 03-62636977",
                "GST ID NO: 001600892928", "HQ ADD: LOT 11995, BATU 2, JALAN KAPAR",
                "41400 KLANG, SELANGOR", "DATE: 15/12/2016"])
    c = receipt_address(doc, "HAI-O RAYA BHD")
    assert c is not None
    assert c.value == "LOT 11995, BATU 2, JALAN KAPAR, 41400 KLANG, SELANGOR"


def test_address_lot_number_is_not_a_postcode() -> None:
    from extraction.fields.address import _has_postcode
    assert not _has_postcode("LOT P.T, 33198, BATU 4")
    assert not _has_postcode("LOT 11995, BATU 2")
    assert _has_postcode("NO 5, JALAN X, 47400 PETALING JAYA")
