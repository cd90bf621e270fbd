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
