"""Render generated documents as PDFs with reportlab.

``render_pdf(doc)`` returns PDF bytes (and writes them when a path is given).  The layout
comes from ``doc.style.layout`` unless overridden; see :mod:`generators.pdf_layouts` for
the four layouts.  Labels follow ``doc.style.lang`` (EN/DE/FR), amounts and dates are
printed with :func:`generators.formats.printed`, so every ground-truth value appears in
the text layer in its printed form.  Long documents run over several pages and repeat the
table header; the output is byte-for-byte reproducible (``invariant=1``).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfgen.canvas import Canvas

from generators.documents import (CreditNote, Document, Invoice, PurchaseOrder,
                                  RemittanceAdvice)
from generators.formats import Style, fmt_date, fmt_iban, printed
from generators.labels import label
from generators.pdf_layouts import (COL_WEIGHTS, LAYOUT_SPECS, MARGIN, PAGE_H, PAGE_W,
                                    RIGHT_ALIGNED, Layout, draw_continuation, draw_footer,
                                    draw_header, fit)
from generators.parties import Party

LAYOUT_NAMES = tuple(LAYOUT_SPECS)
BOTTOM = 96.0


@dataclass
class Content:
    """Everything a layout needs to draw one document, already formatted as text."""

    sender: Party
    sender_lines: list[str]
    title: str
    number_text: str
    recipient: tuple[str, list[str]]
    extra: tuple[str, list[str]] | None
    info: list[tuple[str, str]]
    columns: list[str]
    headers: list[str]
    rows: list[dict[str, str]]
    totals: list[tuple[str, str, bool]]          # label, value, bold
    footer: list[list[str]]
    note: str = ""


def _p(name: str, value: object, style: Style) -> str:
    return printed(name, str(value), style)


def _footer(party: Party, style: Style, v: int) -> list[list[str]]:
    lang = style.lang
    cols = [[party.name] + party.address_lines(lang)]
    legal = [f"Tel. {party.phone}", party.email]
    if party.vat_id:
        legal.insert(0, f"{label(lang, 'vat_id', v)}: {party.vat_id}")
    cols.append(legal)
    if party.iban:
        bank = [f"{label(lang, 'iban', v)}: {fmt_iban(party.iban, style.iban_grouped)}"]
        if party.bic:
            bank.append(f"{label(lang, 'bic', v)}: {party.bic}")
        cols.append(bank)
    return cols


def _item_content(doc: PurchaseOrder | Invoice, lay: Layout) -> Content:
    st, v, lang = doc.style, lay.variant, doc.style.lang
    is_po = isinstance(doc, PurchaseOrder)
    kind = "po" if is_po else ("credit_note" if isinstance(doc, CreditNote) else "invoice")
    cur = doc.currency
    if isinstance(doc, PurchaseOrder):
        assert doc.buyer and doc.seller
        sender, other = doc.buyer, doc.seller
        recipient = (label(lang, "vendor", v), [other.name] + other.address_lines(lang))
        extra: tuple[str, list[str]] | None = (label(lang, "ship_to", v), doc.ship_to_lines)
        info = [(label(lang, "no_po", v), doc.number),
                (label(lang, "order_date", v), _p("order_date", doc.order_date, st)),
                (label(lang, "delivery_date", v), _p("delivery_date", doc.delivery_date, st)),
                (label(lang, "supplier_no", v), other.supplier_number),
                (label(lang, "contact", v), doc.contact)]
    else:
        assert doc.seller and doc.buyer
        sender, other = doc.seller, doc.buyer
        recipient = (label(lang, "bill_to", v), [other.name] + other.address_lines(lang))
        extra = None
        info = [(label(lang, f"no_{kind}", v), doc.number),
                (label(lang, "issue_date", v), _p("issue_date", doc.issue_date, st))]
        if doc.due_date:
            info.append((label(lang, "due_date", v), _p("due_date", doc.due_date, st)))
        if isinstance(doc, CreditNote):
            info.append((label(lang, "orig_invoice", v), doc.original_invoice))
        if doc.po_number:
            info.append((label(lang, "po_ref", v), doc.po_number))
        info.append((label(lang, "customer_no", v), doc.customer_number))
        if doc.show_buyer_vat and other.vat_id:
            info.append((label(lang, "buyer_vat", v), other.vat_id))
    if lay.info != "label_above":
        info.append((label(lang, "currency", v), cur))
    columns = [c for c in lay.cols_item if not (is_po and c == "vat")]
    pct = " %" if lang != "en" else "%"
    rows = [{
        "pos": str(i + 1), "sku": ln.sku, "description": ln.description,
        "qty": _p("quantity", ln.quantity, st), "unit": ln.unit,
        "price": _p("unit_price", ln.unit_price, st),
        "vat": _p("tax_rate", ln.tax_rate, st) + pct,
        "total": _p("line_total", ln.line_total, st),
    } for i, ln in enumerate(doc.lines)]
    totals = [(f"{label(lang, 'net', v)} ({cur})", _p("total_net", doc.total_net, st), False)]
    for rate, _net, tax in doc.tax_breakdown:
        rate_text = _p("tax_rate", rate, st)
        totals.append((label(lang, "tax", v).format(rate=rate_text),
                       _p("total_tax", tax, st), False))
    if len(doc.tax_breakdown) > 1:
        totals.append((label(lang, "tax_total", v), _p("total_tax", doc.total_tax, st), False))
    gross_key = "credit_total" if kind == "credit_note" else "gross"
    totals.append((f"{label(lang, gross_key, v)} ({cur})",
                   _p("total_gross", doc.total_gross, st), True))
    if isinstance(doc, Invoice) and (doc.prepaid or lay.name in ("classic", "boxed")) \
            and kind == "invoice":
        if doc.prepaid:
            totals.append((label(lang, "prepaid", v), _p("amount_due", -doc.prepaid, st),
                           False))
        totals.append((f"{label(lang, 'amount_due', v)} ({cur})",
                       _p("amount_due", doc.amount_due, st), True))
    return Content(
        sender=sender, sender_lines=sender.address_lines(lang),
        title=label(lang, f"title_{kind}", v), number_text=doc.number, recipient=recipient,
        extra=extra, info=info, columns=columns,
        headers=[label(lang, c, v) for c in columns], rows=rows, totals=totals,
        footer=_footer(sender, st, v), note="" if is_po else label(lang, "thanks", v))


def _remittance_content(doc: RemittanceAdvice, lay: Layout) -> Content:
    st, v, lang = doc.style, lay.variant, doc.style.lang
    cur = doc.currency
    info = [(label(lang, "pay_ref", v), doc.payment_reference),
            (label(lang, "pay_date", v), _p("payment_date", doc.payment_date, st)),
            (label(lang, "supplier_no", v), doc.payee.supplier_number),
            (label(lang, "currency", v), cur)]
    rows = [{
        "invoice": ln.invoice_number,
        "inv_date": fmt_date(ln.invoice_date, st.dates, lang),
        "inv_amount": _p("amount_paid", ln.invoice_amount, st),
        "discount": _p("discount", ln.discount, st),
        "deduction": _p("deduction", ln.deduction, st),
        "reason": ln.deduction_reason,
        "paid": _p("amount_paid", ln.amount_paid, st),
    } for ln in doc.lines]
    columns = list(lay.cols_remit)
    return Content(
        sender=doc.payer, sender_lines=doc.payer.address_lines(lang),
        title=label(lang, "title_remittance", v), number_text=doc.payment_reference,
        recipient=(label(lang, "vendor", v), [doc.payee.name] + doc.payee.address_lines(lang)),
        extra=None, info=info, columns=columns, headers=[label(lang, c, v) for c in columns],
        rows=rows,
        totals=[(f"{label(lang, 'pay_amount', v)} ({cur})",
                 _p("payment_amount", doc.payment_amount, st), True)],
        footer=_footer(doc.payer, st, v))


def build_content(doc: Document, lay: Layout) -> Content:
    """Format a document's values for drawing."""
    if isinstance(doc, RemittanceAdvice):
        return _remittance_content(doc, lay)
    return _item_content(doc, lay)


def _widths(columns: list[str]) -> list[float]:
    total = sum(COL_WEIGHTS[c] for c in columns)
    return [(PAGE_W - 2 * MARGIN) * COL_WEIGHTS[c] / total for c in columns]


def _table_header(c: Canvas, lay: Layout, ct: Content, y: float, rh: float) -> float:
    widths, x = _widths(ct.columns), MARGIN
    w = PAGE_W - 2 * MARGIN
    if lay.table in ("zebra", "shaded_grid"):
        if lay.table == "zebra":
            c.setFillColorRGB(*lay.accent)
        else:
            c.setFillColorRGB(0.85, 0.85, 0.85)
        c.rect(MARGIN, y - rh, w, rh, stroke=0, fill=1)
    c.setFillColorRGB(*((1, 1, 1) if lay.table == "zebra" else (0, 0, 0)))
    for col, head, cw in zip(ct.columns, ct.headers, widths):
        if lay.table in ("grid", "shaded_grid"):
            c.rect(x, y - rh, cw, rh, stroke=1, fill=0)
        fit(c, head, x + 3, y - rh + 5, cw - 6, "Helvetica-Bold", lay.size,
            "right" if col in RIGHT_ALIGNED else "left")
        x += cw
    c.setFillColorRGB(0, 0, 0)
    if lay.table == "rules":
        c.setLineWidth(1.2)
        c.line(MARGIN, y - rh, MARGIN + w, y - rh)
        c.setLineWidth(0.5)
    return y - rh


def _table_row(c: Canvas, lay: Layout, ct: Content, row: dict[str, str], idx: int,
               y: float, rh: float) -> float:
    widths, x = _widths(ct.columns), MARGIN
    w = PAGE_W - 2 * MARGIN
    if lay.table == "zebra" and idx % 2:
        c.setFillColorRGB(0.93, 0.93, 0.93)
        c.rect(MARGIN, y - rh, w, rh, stroke=0, fill=1)
        c.setFillColorRGB(0, 0, 0)
    c.setLineWidth(0.5)
    for col, cw in zip(ct.columns, widths):
        if lay.table in ("grid", "shaded_grid"):
            c.rect(x, y - rh, cw, rh, stroke=1, fill=0)
        fit(c, row[col], x + 3, y - rh + 5, cw - 6, "Helvetica", lay.size,
            "right" if col in RIGHT_ALIGNED else "left")
        x += cw
    if lay.table == "rules":
        c.setStrokeColorRGB(0.6, 0.6, 0.6)
        c.line(MARGIN, y - rh, MARGIN + w, y - rh)
        c.setStrokeColorRGB(0, 0, 0)
    return y - rh


def _draw_totals(c: Canvas, lay: Layout, ct: Content, y: float) -> float:
    x0, x1 = PAGE_W - MARGIN - 260, PAGE_W - MARGIN
    y -= 16
    for text, value, bold in ct.totals:
        font = "Helvetica-Bold" if bold else "Helvetica"
        if bold:
            c.line(x0, y + lay.size + 2, x1, y + lay.size + 2)
        fit(c, text, x0, y, 170, font, lay.size + 1)
        fit(c, value, x0 + 170, y, 90, font, lay.size + 1, "right")
        y -= lay.size + 7
    if ct.note:
        c.setFont("Helvetica-Oblique", lay.size)
        c.drawString(MARGIN, y - 10, ct.note)
        y -= 20
    return y


def _paginate(n_rows: int, first_top: float, next_top: float, rh: float,
              totals_h: float) -> list[list[int]]:
    """Row indices per page; an extra empty page when the totals do not fit."""
    pages: list[list[int]] = [[]]
    y = first_top - rh
    for i in range(n_rows):
        if y - rh < BOTTOM:
            pages.append([])
            y = next_top - rh
        pages[-1].append(i)
        y -= rh
    if y - totals_h < BOTTOM:
        pages.append([])
    return pages


def render_pdf(doc: Document, path: str | Path | None = None,
               layout: str | None = None) -> bytes:
    """Render ``doc`` as PDF bytes; also write them to ``path`` when given."""
    lay = LAYOUT_SPECS[layout or doc.style.layout]
    ct = build_content(doc, lay)
    lang, v = doc.style.lang, lay.variant
    rh = lay.size + 8
    scratch = Canvas(io.BytesIO(), pagesize=(PAGE_W, PAGE_H))
    first_top = draw_header(scratch, lay, ct.sender.name, ct.sender_lines, ct.title,
                            ct.recipient, ct.extra, ct.info)
    cont_text = f"{ct.title} {ct.number_text} - {label(lang, 'continued', v)}"
    next_top = draw_continuation(scratch, lay, ct.sender.name, cont_text)
    totals_h = len(ct.totals) * (lay.size + 7) + (40 if ct.note else 20)
    pages = _paginate(len(ct.rows), first_top, next_top, rh, totals_h)

    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(PAGE_W, PAGE_H), invariant=1, pageCompression=1)
    c.setTitle(f"{ct.title} {ct.number_text}")
    c.setAuthor(ct.sender.name)
    c.setCreator("o2c-capture generators")
    for n, rows in enumerate(pages, start=1):
        if n == 1:
            y = draw_header(c, lay, ct.sender.name, ct.sender_lines, ct.title, ct.recipient,
                            ct.extra, ct.info)
        else:
            y = draw_continuation(c, lay, ct.sender.name, cont_text)
        if rows or n == 1:
            y = _table_header(c, lay, ct, y, rh)
            for i in rows:
                y = _table_row(c, lay, ct, ct.rows[i], i, y, rh)
        if n == len(pages):
            _draw_totals(c, lay, ct, y)
        page_text = label(lang, "page", v).format(n=n, m=len(pages))
        draw_footer(c, lay, ct.footer, page_text)
        c.showPage()
    c.save()
    data = buf.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data
