"""Line-item table reading (`extraction.fields.table` and its `table_*` helpers)."""
from __future__ import annotations

from extraction.fields import extract_fields
from extraction.fields.table_header import resolve, Column
from extraction.fields.table_rows import join_groups
from extraction.fields.table_values import consistent
from extraction.layout import Page, Word


def _page(cells: list[tuple[str, float, float, float]]) -> Page:
    """cells: (text, x0, x1, y0) - one word per cell, as a PDF text layer gives them."""
    words = []
    for text, x0, x1, y0 in cells:
        toks = text.split()
        step = (x1 - x0) / max(1, len(toks))
        for k, t in enumerate(toks):
            words.append(Word(t, x0 + k * step, y0, x0 + (k + 1) * step - 0.004, y0 + 0.012))
    return Page(number=1, width=595, height=842, words=words)


def _lines(ext) -> list[dict[str, str]]:
    return [{f: v.value for f, v in ln.items()} for ln in ext.lines]


def test_position_column_kept_out_of_sku() -> None:
    hdr = [("Pos", 0.086, 0.114, 0.30), ("Item no.", 0.125, 0.183, 0.30),
           ("Description", 0.229, 0.312, 0.30), ("Qty", 0.554, 0.580, 0.30),
           ("Unit", 0.590, 0.619, 0.30), ("Unit price", 0.675, 0.745, 0.30),
           ("Amount", 0.857, 0.914, 0.30)]
    row = [("1", 0.086, 0.094, 0.32), ("HBE-25444", 0.125, 0.195, 0.32),
           ("Copper cable 3x1.5", 0.229, 0.330, 0.32), ("0.5", 0.560, 0.580, 0.32),
           ("m", 0.590, 0.600, 0.32), ("1.22", 0.715, 0.745, 0.32),
           ("0.61", 0.885, 0.914, 0.32), ("Net total 0.61", 0.483, 0.914, 0.36)]
    ext = extract_fields([_page(hdr + row)], "purchase_order")
    assert _lines(ext) == [{"sku": "HBE-25444", "description": "Copper cable 3x1.5",
                            "quantity": "0.5", "unit": "m", "unit_price": "1.22",
                            "line_total": "0.61"}]
    assert ext.lines[0]["line_total"].confidence > 0.8


def test_french_columns_and_spaced_thousands() -> None:
    hdr = [("Code article", 0.086, 0.163, 0.30), ("Qté", 0.231, 0.253, 0.30),
           ("Article", 0.332, 0.374, 0.30), ("Prix", 0.711, 0.737, 0.30),
           ("Taux TVA", 0.750, 0.800, 0.30), ("Montant", 0.862, 0.914, 0.30)]
    row = [("HBE-85746", 0.086, 0.148, 0.32), ("5", 0.246, 0.253, 0.32),
           ("Film étirable 500 mm", 0.332, 0.457, 0.32), ("218,21", 0.700, 0.737, 0.32),
           ("21 %", 0.770, 0.800, 0.32), ("1", 0.862, 0.869, 0.32),
           ("091,05", 0.873, 0.914, 0.32)]
    ext = extract_fields([_page(hdr + row)], "invoice")
    assert _lines(ext) == [{"sku": "HBE-85746", "description": "Film étirable 500 mm",
                            "quantity": "5", "unit_price": "218.21", "line_total": "1091.05",
                            "tax_rate": "21"}]


def test_amount_column_left_of_price_is_quantity() -> None:
    cols = [Column("", 0.1, 0.17, "amount", ("line_total", "amount_paid")),
            Column("", 0.2, 0.27, "product", ("description",)),
            Column("", 0.58, 0.63, "price", ("unit_price",)),
            Column("", 0.70, 0.75, "total", ("line_total",))]
    wanted = ("sku", "description", "quantity", "unit_price", "line_total", "tax_rate")
    assert [c.field for c in resolve(cols, wanted)] == [
        "quantity", "description", "unit_price", "line_total"]


def test_free_text_item_lines() -> None:
    p = _page([("Dear Sir,", 0.01, 0.1, 0.02),
               ("1. 3.75 m MU-98861 Copper cable 3x2.5 - Unit price 9.63 = 36.11",
                0.01, 0.40, 0.05)])
    ext = extract_fields([p], "purchase_order")
    assert _lines(ext) == [{"quantity": "3.75", "unit": "m", "unit_price": "9.63",
                            "line_total": "36.11", "sku": "MU-98861",
                            "description": "Copper cable 3x2.5"}]


def test_helpers() -> None:
    ws = join_groups([Word("1", 0.86, 0, 0.869, 0.01), Word("067,99", 0.873, 0, 0.914, 0.01)],
                     0.007)
    assert [w.text for w in ws] == ["1 067,99"]
    from decimal import Decimal as D
    assert consistent(D("3"), D("2.50"), D("7.50"))
    assert consistent(D("200"), D("12.50"), D("25.00"))      # price per 100
    assert not consistent(D("3"), D("2.50"), D("8.00"))


def test_included_tax_note_does_not_end_the_table() -> None:
    from pathlib import Path

    from extraction.pages import read_pdf
    pdf = (Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "einvoice" /
           "zugferd-2.0" / "zugferd_2p0_EN16931_Haftpflichtversicherung_Versicherungssteuer.pdf")
    if not pdf.exists():
        import pytest
        pytest.skip("corpora absent")
    # "Enthält 19% Versicherungssteuer = 9,50 Euro" under item 1 is a note, not the totals
    assert len(extract_fields(read_pdf(pdf)).lines) == 2


_HDR = [("Pos", 0.10, 0.13, 0.30), ("Description", 0.20, 0.30, 0.30), ("Price", 0.55, 0.60, 0.30),
        ("Qty", 0.66, 0.70, 0.30), ("VAT", 0.74, 0.78, 0.30), ("Amount", 0.84, 0.90, 0.30)]


def test_amount_printed_below_the_row_completes_it() -> None:
    rows = [("1", 0.10, 0.11, 0.32), ("Base fee", 0.20, 0.30, 0.32), ("3,90", 0.57, 0.60, 0.32),
            ("20 Stk", 0.66, 0.70, 0.32), ("7 %", 0.74, 0.78, 0.32), ("78,00", 0.86, 0.90, 0.332),
            ("2", 0.10, 0.11, 0.36), ("City ride", 0.20, 0.30, 0.36), ("2,00", 0.57, 0.60, 0.36),
            ("6", 0.68, 0.70, 0.36), ("7 %", 0.74, 0.78, 0.36), ("kilometres", 0.20, 0.30, 0.372),
            ("12,00", 0.86, 0.90, 0.372), ("Net total 90,00", 0.50, 0.90, 0.42)]
    lines = _lines(extract_fields([_page(_HDR + rows)], "invoice"))
    assert [(ln.get("quantity"), ln.get("unit_price"), ln["line_total"]) for ln in lines] == \
        [("20", "3.90", "78.00"), ("6", "2.00", "12.00")]
    assert lines[1]["description"] == "City ride kilometres"


def test_quantity_in_a_number_column_found_by_arithmetic() -> None:
    hdr = [("#", 0.10, 0.11, 0.30), ("Product", 0.20, 0.27, 0.30), ("Unit price", 0.58, 0.68, 0.30),
           ("Total", 0.72, 0.78, 0.30)]
    rows = [("400,00", 0.10, 0.16, 0.32), ("Balloon", 0.20, 0.29, 0.32), ("0,79", 0.64, 0.68, 0.32),
            ("316,00", 0.72, 0.78, 0.32)]
    lines = _lines(extract_fields([_page(hdr + rows)], "invoice"))
    assert lines[0]["quantity"] == "400" and lines[0]["line_total"] == "316.00"


def test_vertical_watermark_letters_are_ignored() -> None:
    mark = [(ch, 0.03, 0.035, 0.29 + 0.011 * k) for k, ch in enumerate("SPECIMENCOPY")]
    rows = [("1", 0.10, 0.11, 0.32), ("Paper A4", 0.20, 0.30, 0.32), ("9,90", 0.57, 0.60, 0.32),
            ("20", 0.68, 0.70, 0.32), ("19 %", 0.74, 0.78, 0.32), ("198,00", 0.85, 0.90, 0.32)]
    lines = _lines(extract_fields([_page(mark + _HDR + rows)], "invoice"))
    assert [(ln.get("quantity"), ln["line_total"]) for ln in lines] == [("20", "198.00")]


def test_header_cell_on_two_lines() -> None:
    hdr = [("Pos", 0.10, 0.13, 0.30), ("Description", 0.20, 0.30, 0.30), ("Qty", 0.50, 0.54, 0.30),
           ("Preis/", 0.71, 0.75, 0.288), ("Einheit", 0.71, 0.75, 0.30), ("Betrag", 0.85, 0.90, 0.30)]
    rows = [("1", 0.10, 0.11, 0.32), ("Paper", 0.20, 0.30, 0.32), ("20", 0.51, 0.53, 0.32),
            ("9,90", 0.71, 0.74, 0.32), ("198,00", 0.85, 0.90, 0.32)]
    lines = _lines(extract_fields([_page(hdr + rows)], "invoice"))
    assert lines[0]["unit_price"] == "9.90" and lines[0]["quantity"] == "20"


def test_annotation_and_document_allowance_rows() -> None:
    """"(Net): 60,00" inside an item does not end the table; "5% on 100,00" does."""
    rows = [("1", 0.10, 0.11, 0.32), ("Support", 0.20, 0.30, 0.32), ("60,00", 0.57, 0.60, 0.32),
            ("1", 0.68, 0.70, 0.32), ("0 %", 0.74, 0.78, 0.32), ("60,00", 0.86, 0.90, 0.32),
            ("(Net): 60,00", 0.50, 0.60, 0.335),
            ("2", 0.10, 0.11, 0.35), ("Paper", 0.20, 0.30, 0.35), ("10,00", 0.57, 0.60, 0.35),
            ("3", 0.68, 0.70, 0.35), ("10 %", 0.74, 0.78, 0.35), ("30,00", 0.86, 0.90, 0.35),
            ("DISCOUNT 5,00% on 90,00 EUR", 0.20, 0.60, 0.38), ("-4,50", 0.86, 0.90, 0.38)]
    lines = _lines(extract_fields([_page(_HDR + rows)], "invoice"))
    assert [ln["line_total"] for ln in lines] == ["60.00", "30.00"]


def test_free_text_item_with_spaced_thousands() -> None:
    from extraction.mailbody import body_pages
    text = ("Bonjour,\n\n1. 24 kg MU-41260 Tôle d'acier - Prix 3,23 = 77,52\n"
            "2. 24 pce MU-59987 Roulement à billes - Prix 46,45 = 1 114,80\n")
    lines = _lines(extract_fields(body_pages(text.encode(), html=False), "purchase_order"))
    assert [ln["line_total"] for ln in lines] == ["77.52", "1114.80"]
    assert lines[1]["description"] == "Roulement à billes"


def test_one_letter_units_in_a_column_are_not_vertical_text() -> None:
    hdr = [("Description", 0.20, 0.30, 0.30), ("Qty", 0.60, 0.62, 0.30), ("Unit", 0.63, 0.66, 0.30),
           ("Price", 0.75, 0.80, 0.30), ("Amount", 0.86, 0.91, 0.30)]
    rows = []
    for k in range(10):
        y = 0.32 + 0.02 * k
        rows += [(f"Cable {k}", 0.20, 0.30, y), ("2", 0.61, 0.62, y), ("m", 0.63, 0.645, y),
                 ("1.50", 0.77, 0.80, y), ("3.00", 0.88, 0.91, y)]
    lines = _lines(extract_fields([_page(hdr + rows)], "purchase_order"))
    assert len(lines) == 10 and all(ln.get("unit") == "m" for ln in lines)


def test_document_allowance_and_charge_rows_end_the_items() -> None:
    """"REMISE : ..." / "CHARGE : ..." rows below the items are document-level allowances
    and charges (EN 16931 BG-20/21), not line items."""
    rows = [("1", 0.10, 0.11, 0.32), ("Support", 0.20, 0.30, 0.32), ("60,00", 0.57, 0.60, 0.32),
            ("1", 0.68, 0.70, 0.32), ("0 %", 0.74, 0.78, 0.32), ("60,00", 0.86, 0.90, 0.32),
            ("2", 0.10, 0.11, 0.35), ("Paper", 0.20, 0.30, 0.35), ("10,00", 0.57, 0.60, 0.35),
            ("3", 0.68, 0.70, 0.35), ("10 %", 0.74, 0.78, 0.35), ("30,00", 0.86, 0.90, 0.35),
            ("REMISE : REMISE COMMERCIALE", 0.20, 0.50, 0.38), ("-5,00", 0.86, 0.90, 0.38),
            ("CHARGE : FRAIS DEPLACEMENT", 0.20, 0.50, 0.40), ("10,00", 0.86, 0.90, 0.40)]
    lines = _lines(extract_fields([_page(_HDR + rows)], "invoice"))
    assert [ln["line_total"] for ln in lines] == ["60.00", "30.00"]
