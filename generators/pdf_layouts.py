"""Layout specifications and header/footer drawing for :mod:`generators.pdf`.

Four visibly different layouts:

* ``classic`` - logo square top-left, DIN-style sender line above the recipient,
  label-left / value-right info block, table with full grid lines.
* ``modern``  - coloured band across the top, label-above-value info cells, zebra table
  without grid, description first.
* ``compact`` - right-aligned sender block, "label: value" info, horizontal rules only,
  SKU and quantity before the description, smaller type.
* ``boxed``   - everything in stroked boxes, label-above-value grid, shaded header row.
"""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

PAGE_W, PAGE_H = A4
MARGIN = 48.0
RGB = tuple[float, float, float]


@dataclass(frozen=True)
class Layout:
    """How one sender lays out its documents."""

    name: str
    header: str                       # logo_left | band | right_block | boxed
    info: str                         # label_left | label_colon | label_above
    table: str                        # grid | zebra | rules | shaded_grid
    cols_item: tuple[str, ...]        # column order for item documents
    cols_remit: tuple[str, ...]       # column order for remittance advices
    variant: int                      # label wording variant
    accent: RGB
    size: float = 9.0


LAYOUT_SPECS: dict[str, Layout] = {
    "classic": Layout("classic", "logo_left", "label_left", "grid",
                      ("pos", "sku", "description", "qty", "unit", "price", "vat", "total"),
                      ("invoice", "inv_date", "inv_amount", "discount", "deduction", "reason",
                       "paid"), 0, (0.12, 0.25, 0.5)),
    "modern": Layout("modern", "band", "label_above", "zebra",
                     ("description", "sku", "qty", "unit", "price", "vat", "total"),
                     ("inv_date", "invoice", "reason", "inv_amount", "discount", "deduction",
                      "paid"), 1, (0.55, 0.12, 0.2)),
    "compact": Layout("compact", "right_block", "label_colon", "rules",
                      ("sku", "qty", "unit", "description", "price", "vat", "total"),
                      ("invoice", "inv_amount", "discount", "deduction", "paid", "reason"),
                      2, (0.1, 0.42, 0.3), size=8.0),
    "boxed": Layout("boxed", "boxed", "label_above", "shaded_grid",
                    ("pos", "description", "sku", "vat", "qty", "unit", "price", "total"),
                    ("invoice", "inv_date", "reason", "deduction", "discount", "inv_amount",
                     "paid"), 1, (0.3, 0.3, 0.3)),
}

COL_WEIGHTS = {"pos": 0.45, "sku": 1.2, "description": 3.4, "qty": 0.75, "unit": 0.75,
               "price": 1.15, "vat": 0.7, "total": 1.25, "invoice": 1.4, "inv_date": 1.1,
               "inv_amount": 1.2, "discount": 1.0, "deduction": 1.0, "reason": 2.0,
               "paid": 1.2}
RIGHT_ALIGNED = {"qty", "price", "vat", "total", "inv_amount", "discount", "deduction",
                 "paid"}


def fit(c: Canvas, text: str, x: float, y: float, width: float, font: str, size: float,
        align: str = "left", min_size: float = 5.5) -> None:
    """Draw ``text`` on one line, shrinking the font until it fits ``width``."""
    while size > min_size and stringWidth(text, font, size) > width:
        size -= 0.5
    c.setFont(font, size)
    if align == "right":
        c.drawRightString(x + width, y, text)
    elif align == "center":
        c.drawCentredString(x + width / 2, y, text)
    else:
        c.drawString(x, y, text)


def initials(name: str) -> str:
    words = [w for w in name.replace("&", " ").split() if w[:1].isalpha()]
    return "".join(w[0] for w in words[:2]).upper()


def draw_logo(c: Canvas, lay: Layout, name: str, x: float, y: float, s: float) -> None:
    """A logo-ish mark: coloured shape with the company's initials."""
    c.setFillColorRGB(*lay.accent)
    if lay.header == "right_block":
        c.circle(x + s / 2, y + s / 2, s / 2, stroke=0, fill=1)
    elif lay.header == "boxed":
        p = c.beginPath()
        p.moveTo(x, y)
        p.lineTo(x + s, y)
        p.lineTo(x + s / 2, y + s)
        p.close()
        c.drawPath(p, stroke=0, fill=1)
    else:
        c.roundRect(x, y, s, s, 6, stroke=0, fill=1)
    c.setFillColorRGB(1, 1, 1)
    c.setFont("Helvetica-Bold", s * 0.38)
    c.drawCentredString(x + s / 2, y + s * (0.22 if lay.header == "boxed" else 0.34),
                        initials(name))
    c.setFillColorRGB(0, 0, 0)


def draw_block(c: Canvas, x: float, y: float, width: float, head: str | None,
               lines: list[str], size: float, bold_first: bool = True) -> float:
    """A block of lines (an address); returns the y below it."""
    if head:
        c.setFillColorRGB(0.35, 0.35, 0.35)
        fit(c, head, x, y, width, "Helvetica", size - 1.5)
        c.setFillColorRGB(0, 0, 0)
        y -= size + 3
    for i, text in enumerate(lines):
        font = "Helvetica-Bold" if i == 0 and bold_first else "Helvetica"
        fit(c, text, x, y, width, font, size + (1 if i == 0 and bold_first else 0))
        y -= size + 3
    return y


def draw_info(c: Canvas, lay: Layout, rows: list[tuple[str, str]], x: float, y: float,
              width: float) -> float:
    """The document's key facts (number, dates, references); returns the y below it."""
    size = lay.size + 0.5
    if lay.info == "label_above":
        per_row = 4 if lay.header == "band" else 2
        cell_w = width / per_row
        for i, (lab, val) in enumerate(rows):
            cx = x + (i % per_row) * cell_w
            cy = y - (i // per_row) * (2 * size + 14)
            if lay.header == "boxed":
                c.setLineWidth(0.6)
                c.rect(cx, cy - size - 8, cell_w - 4, 2 * size + 10, stroke=1, fill=0)
            c.setFillColorRGB(0.4, 0.4, 0.4)
            fit(c, lab, cx + 3, cy, cell_w - 10, "Helvetica", size - 2)
            c.setFillColorRGB(0, 0, 0)
            fit(c, val, cx + 3, cy - size - 3, cell_w - 10, "Helvetica-Bold", size)
        n_rows = (len(rows) + per_row - 1) // per_row
        return y - n_rows * (2 * size + 14)
    for lab, val in rows:
        if lay.info == "label_left":    # label flush left, value flush right
            fit(c, lab, x, y, width * 0.5, "Helvetica", size)
            fit(c, val, x + width * 0.5, y, width * 0.5, "Helvetica-Bold", size, "right")
        else:                            # "label:" then value at a tab stop
            fit(c, lab + ":", x, y, width * 0.42, "Helvetica-Bold", size)
            fit(c, val, x + width * 0.44, y, width * 0.56, "Helvetica", size)
        y -= size + 5
    return y


def draw_header(c: Canvas, lay: Layout, sender: str, sender_lines: list[str], title: str,
                recipient: tuple[str, list[str]], extra: tuple[str, list[str]] | None,
                info: list[tuple[str, str]]) -> float:
    """First-page header in the layout's style; returns the y where the table may start."""
    w = PAGE_W - 2 * MARGIN
    top = PAGE_H - MARGIN
    size = lay.size
    if lay.header == "logo_left":
        draw_logo(c, lay, sender, MARGIN, top - 40, 40)
        c.setFont("Helvetica-Bold", 14)
        c.drawString(MARGIN + 50, top - 14, sender)
        c.setFont("Helvetica", size - 1)
        for i, text in enumerate(sender_lines):
            c.drawString(MARGIN + 50, top - 26 - i * (size + 1), text)
        c.setFont("Helvetica", 6.5)
        c.drawString(MARGIN, top - 92, " - ".join([sender] + sender_lines[:2]))
        c.line(MARGIN, top - 94, MARGIN + 240, top - 94)
        y_left = draw_block(c, MARGIN, top - 110, 240, recipient[0], recipient[1], size)
        y_right = draw_info(c, lay, info, MARGIN + w * 0.56, top - 110, w * 0.44)
    elif lay.header == "band":
        c.setFillColorRGB(*lay.accent)
        c.rect(0, PAGE_H - 86, PAGE_W, 86, stroke=0, fill=1)
        c.setFillColorRGB(1, 1, 1)
        fit(c, sender, MARGIN, PAGE_H - 50, w * 0.6, "Helvetica-Bold", 18)
        fit(c, title, MARGIN + w * 0.6, PAGE_H - 50, w * 0.4, "Helvetica-Bold", 20, "right")
        c.setFillColorRGB(0.3, 0.3, 0.3)
        fit(c, "  |  ".join(sender_lines), MARGIN, PAGE_H - 104, w, "Helvetica", size - 1)
        c.setFillColorRGB(0, 0, 0)
        y_left = draw_block(c, MARGIN, PAGE_H - 134, w * 0.48, recipient[0], recipient[1],
                            size)
        y_right = y_left
        if extra:
            y_right = draw_block(c, MARGIN + w * 0.52, PAGE_H - 134, w * 0.48, extra[0],
                                 extra[1], size, False)
            extra = None
        y = draw_info(c, lay, info, MARGIN, min(y_left, y_right) - 14, w)
        return y - 10
    elif lay.header == "right_block":
        draw_logo(c, lay, sender, MARGIN, top - 36, 36)
        fit(c, sender, MARGIN + w * 0.4, top - 12, w * 0.6, "Helvetica-Bold", 12, "right")
        c.setFont("Helvetica", size)
        for i, text in enumerate(sender_lines):
            c.drawRightString(PAGE_W - MARGIN, top - 26 - i * (size + 2), text)
        y_left = draw_block(c, MARGIN, top - 100, 230, recipient[0], recipient[1], size)
        y_right = draw_info(c, lay, info, MARGIN + w * 0.5, top - 100, w * 0.5)
    else:  # boxed
        fit(c, sender, MARGIN, top - 14, w * 0.75, "Helvetica-Bold", 15)
        c.setFont("Helvetica", size)
        c.drawString(MARGIN, top - 28, ", ".join(sender_lines))
        draw_logo(c, lay, sender, PAGE_W - MARGIN - 42, top - 40, 42)
        c.setLineWidth(0.8)
        c.rect(MARGIN, top - 66, w * 0.45, 24, stroke=1, fill=0)
        fit(c, title, MARGIN + 6, top - 59, w * 0.45 - 12, "Helvetica-Bold", 13)
        block_h = (len(recipient[1]) + 1) * (size + 3) + 10
        c.rect(MARGIN, top - 84 - block_h, w * 0.45, block_h, stroke=1, fill=0)
        y_left = draw_block(c, MARGIN + 6, top - 94, w * 0.45 - 12, recipient[0],
                            recipient[1], size) - 6
        y_right = draw_info(c, lay, info, MARGIN + w * 0.5, top - 84, w * 0.5)
    if extra:
        y_left = draw_block(c, MARGIN, y_left - 10, 240, extra[0], extra[1], size, False)
    y = min(y_left, y_right) - 18
    if lay.header != "boxed":
        c.setFont("Helvetica-Bold", 16 if lay.header == "logo_left" else 13)
        c.drawString(MARGIN, y, title)
        y -= 16
    return y - 6


def draw_continuation(c: Canvas, lay: Layout, sender: str, text: str) -> float:
    """Small header on pages 2+; returns the y where the repeated table header goes."""
    top = PAGE_H - MARGIN
    if lay.header == "band":
        c.setFillColorRGB(*lay.accent)
        c.rect(0, PAGE_H - 40, PAGE_W, 40, stroke=0, fill=1)
        c.setFillColorRGB(1, 1, 1)
        c.setFont("Helvetica-Bold", 12)
        c.drawString(MARGIN, PAGE_H - 26, sender)
        c.drawRightString(PAGE_W - MARGIN, PAGE_H - 26, text)
        c.setFillColorRGB(0, 0, 0)
        return PAGE_H - 70
    c.setFont("Helvetica-Bold", 11)
    c.drawString(MARGIN, top - 10, sender)
    c.setFont("Helvetica", lay.size)
    c.drawRightString(PAGE_W - MARGIN, top - 10, text)
    c.line(MARGIN, top - 16, PAGE_W - MARGIN, top - 16)
    return top - 40


def draw_footer(c: Canvas, lay: Layout, columns: list[list[str]], page_text: str) -> None:
    """Footer with the sender's legal and bank details and the page number."""
    w = PAGE_W - 2 * MARGIN
    c.setLineWidth(0.5)
    c.setStrokeColorRGB(*lay.accent)
    c.line(MARGIN, 78, PAGE_W - MARGIN, 78)
    c.setStrokeColorRGB(0, 0, 0)
    c.setFillColorRGB(0.25, 0.25, 0.25)
    if lay.header == "band":        # centred lines
        for i, col in enumerate(columns):
            fit(c, "  |  ".join(col), MARGIN, 66 - i * 9, w, "Helvetica", 6.5, "center")
    else:
        col_w = w / max(1, len(columns))
        for i, col in enumerate(columns):
            for j, text in enumerate(col):
                fit(c, text, MARGIN + i * col_w, 66 - j * 9, col_w - 6, "Helvetica", 6.5)
    c.setFont("Helvetica", 7)
    c.drawRightString(PAGE_W - MARGIN, 34, page_text)
    c.setFillColorRGB(0, 0, 0)
