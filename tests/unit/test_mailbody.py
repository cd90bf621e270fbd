from extraction.mailbody import body_pages, html_rows, text_rows

HTML = b"""<html><head><style>p{}</style><script>alert(1)</script></head><body>
<p>Payer: ACME Corp<br>Reference: PAY-1<br>Value date: 2024-10-31</p>
<table><tr><th>Invoice</th><th>Paid</th></tr><tr><td>INV-1</td><td>1,234.50</td></tr></table>
<p><b>Total paid: 1,234.50 EUR</b></p></body></html>"""


def test_html_body_rows_keep_line_breaks_and_table_cells():
    rows = html_rows(HTML.decode())
    assert ["Payer: ACME Corp"] in rows and ["Reference: PAY-1"] in rows
    assert ["Invoice", "Paid"] in rows and ["INV-1", "1,234.50"] in rows
    assert not any("alert" in c for r in rows for c in r)


def test_table_cells_line_up_in_columns_on_the_pseudo_page():
    page = body_pages(HTML, html=True)[0]
    words = {w.text: w for w in page.words if w.text != "1,234.50"}
    paid_cell = next(w for w in page.words if w.text == "1,234.50" and w.y0 == words["INV-1"].y0)
    assert abs(words["Paid"].x0 - paid_cell.x0) < 1e-9
    assert words["Invoice"].y0 < words["INV-1"].y0
    assert all(0 <= w.x0 < w.x1 <= 1 and 0 <= w.y0 < w.y1 <= 1 for w in page.words)


def test_plain_text_columns():
    rows = text_rows("Invoice    Amount\nINV-7      99.00\n\n| A | B |\n")
    assert rows[0] == ["Invoice", "Amount"] and rows[1] == ["INV-7", "99.00"] and rows[2] == ["A", "B"]


def test_text_that_is_really_html_is_read_as_html():
    page = body_pages(HTML, html=False)[0]
    assert "INV-1" in page.text and "<td>" not in page.text


def test_long_bodies_make_several_pages():
    text = "\n".join(f"INV-{i}   {i}.00" for i in range(200)).encode()
    pages = body_pages(text, html=False)
    assert len(pages) == 3 and pages[2].number == 3


def test_semicolon_list_keeps_empty_cells():
    rows = text_rows("Payer: X\nInvoice;Disc.;Note;Paid\nINV-1;0.00;;99.00\n")
    assert rows[0] == ["Payer: X"] and rows[2] == ["INV-1", "0.00", "", "99.00"]


def test_fixed_width_empty_cell_keeps_its_column():
    rows = [("Invoice", "Discount", "Reason", "Paid"), ("INV-1", "0.00", "", "99.00"),
            ("INV-2", "1.00", "Damaged", "98.00")]
    text = "".join(f"{a:8s} {b:>8s}  {c:8s} {d:>6s}".rstrip() + "\n" for a, b, c, d in rows)
    words = body_pages(text.encode(), html=False)[0].words
    paid = [w for w in words if w.text in ("Paid", "99.00", "98.00")]
    assert max(w.x1 for w in paid) - min(w.x1 for w in paid) < 1e-9     # right-aligned


def _remittance(seed: int):
    import datetime as dt
    import random
    from generators.documents import make_remittance
    from generators.parties import make_world
    return make_remittance(random.Random(seed), make_world(seed), dt.date(2024, 11, 12),
                           n_lines=3)


def test_generated_text_remittances_give_their_lines():
    """All plain-text styles of the generator: fixed-width columns (with empty reason
    cells), one "label: value" block per invoice, semicolon list."""
    from decimal import Decimal
    from extraction.fields import extract_fields
    from generators.html import remittance_text
    for seed in (3, 4):
        doc = _remittance(seed)
        for variant in (0, 1, 2):
            body = remittance_text(doc, variant).encode()
            ext = extract_fields(body_pages(body, html=False), "remittance")
            got = [(ln["invoice_number"].value, Decimal(ln["amount_paid"].value),
                    Decimal(ln["discount"].value), Decimal(ln["deduction"].value))
                   for ln in ext.lines]
            want = [(ln.invoice_number, Decimal(str(ln.amount_paid)),
                     Decimal(str(ln.discount)), Decimal(str(ln.deduction)))
                    for ln in doc.lines]
            assert got == want, (seed, variant)
