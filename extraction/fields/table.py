"""Line-item tables: header row -> column x-ranges -> rows until the totals.

1. A header row is a line with >= 2 column-header phrases (`labels` column vocabulary);
   phrases on the line right below (two-line headers such as "Prix / unitaire") are merged.
2. Each column gets an x-range: boundaries halfway between neighbouring header phrases.
3. Rows below the header are read until a totals label, a repeated header, a long vertical
   gap or the page end.  A line with an amount in the money column (or a quantity) starts
   an item; other lines are description continuations of the previous item.
4. Tables that repeat on later pages are read the same way and concatenated.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from extraction.fields import lex
from extraction.fields.doc import Doc, DLine
from extraction.layout import Word, union
from extraction.model import Field

NUMERIC = {"quantity", "unit_price", "line_total", "tax_rate", "amount_paid", "discount",
           "deduction"}
MONEY_COLS = ("line_total", "amount_paid")
STOP_FIELDS = {"total_net", "total_gross", "total_tax", "amount_due", "payment_amount"}


@dataclass
class Column:
    field: str
    x0: float
    x1: float
    lo: float = 0.0
    hi: float = 1.0


def _header_columns(doc: Doc, ln: DLine, wanted: tuple[str, ...]) -> list[Column]:
    cols: dict[str, Column] = {}
    for (i, j, fields, _ph) in lex.find_columns(ln.norms):
        f = next((f for f in fields if f in wanted and f not in cols), None)
        if f:
            cols[f] = Column(f, ln.words[i].x0, ln.words[j - 1].x1)
    return sorted(cols.values(), key=lambda c: c.x0)


def find_headers(doc: Doc, wanted: tuple[str, ...]) -> list[tuple[DLine, list[Column]]]:
    out: list[tuple[DLine, list[Column]]] = []
    for ln in doc.lines:
        cols = _header_columns(doc, ln, wanted)
        if len(cols) < 2 or not any(c.field in NUMERIC for c in cols):
            continue
        for nxt in doc.below(ln, 1.2):
            more = [c for c in _header_columns(doc, nxt, wanted)
                    if c.field not in {k.field for k in cols}]
            cols = sorted(cols + more, key=lambda c: c.x0)
        if len(cols) >= 2 and (not out or out[-1][0].page != ln.page):
            _money_fallback(ln, cols)
            out.append((ln, cols))
    return out


def _bounds(cols: list[Column]) -> None:
    for a, b in zip(cols, cols[1:]):
        mid = (a.x1 + b.x0) / 2
        a.hi, b.lo = mid, mid
    cols[0].lo, cols[-1].hi = 0.0, 1.0


def _assign(cols: list[Column], words: list[Word]) -> dict[str, list[Word]]:
    cells: dict[str, list[Word]] = {}
    for w in words:
        cx = (w.x0 + w.x1) / 2
        col = next((c for c in cols if c.lo <= cx < c.hi), cols[-1])
        cells.setdefault(col.field, []).append(w)
    return cells


def _is_stop(doc: Doc, ln: DLine, is_item: bool) -> bool:
    """A totals label starting the line, or anywhere on a line that is not an item row."""
    for h in doc.hits_by_line.get(ln.idx, []):
        money = STOP_FIELDS & set(h.fields)
        if not money:
            continue
        lead = all(len(w.text) <= 2 for w in ln.words[:h.i])
        if lead or not is_item or money - {"total_tax"}:
            return True
    return False


def _money_fallback(ln: DLine, cols: list[Column]) -> None:
    """No amount column header known ("Entgelt"...): an unknown right-most header word
    right of every known column is the line total."""
    if any(c.field in MONEY_COLS for c in cols) or not cols:
        return
    last = ln.words[-1]
    if last.x0 > max(c.x1 for c in cols) + 0.01 and not re.search(r"\d", last.text):
        cols.append(Column("line_total", last.x0, last.x1))


def read_tables(doc: Doc, doc_type: str) -> tuple[list[dict[str, Field]], Decimal | None]:
    """Line items and the sum of their money column (None when not all rows had one)."""
    from extraction.model import LINE_FIELDS
    wanted = LINE_FIELDS.get(doc_type) or LINE_FIELDS["invoice"]
    headers = find_headers(doc, wanted)
    items: list[dict[str, list[Word]]] = []
    pages: list[tuple[int, str]] = []
    for hdr, cols in headers:
        _bounds(cols)
        money = next((c.field for c in cols if c.field in MONEY_COLS), None)
        key = money or next((c.field for c in cols if c.field in NUMERIC), None)
        last_y = hdr.y1
        header_fields = {c.field for c in cols}
        header_pages = {h.page for h, _ in headers}
        page = hdr.page
        for ln in doc.lines[hdr.idx + 1:]:
            if ln.y0 > 0.93 or (ln.page != hdr.page and ln.y0 < 0.04):
                continue            # running footer / header band
            if ln.page != page:
                if ln.page in header_pages or ln.page != page + 1:
                    break           # the next page has its own table header
                page, last_y = ln.page, ln.y0
            if ln.y0 - last_y > 5 * ln.height:
                break
            if len({c.field for c in _header_columns(doc, ln, wanted)} & header_fields) >= 2:
                continue            # second header line
            cells = _assign(cols, ln.words)
            starts = key in cells and any(doc.amount(w.text) is not None for w in cells[key])
            near_header = ln.page == hdr.page and ln.y0 - hdr.y1 < 3 * ln.height
            if _is_stop(doc, ln, starts) and not (near_header and not starts):
                break
            if starts:
                items.append(cells)
                pages.append((ln.page, ln.source))
            elif items and pages[-1][0] == ln.page and ln.y0 - last_y < 2.5 * ln.height:
                for f, ws in cells.items():
                    if f not in NUMERIC:
                        items[-1].setdefault(f, []).extend(ws)
            last_y = ln.y1
    return _to_fields(doc, items, pages)


def _to_fields(doc: Doc, items: list[dict[str, list[Word]]], pages: list[tuple[int, str]]
               ) -> tuple[list[dict[str, Field]], Decimal | None]:
    from extraction.normalize import format_amount, format_quantity, parse_percent, parse_quantity
    out: list[dict[str, Field]] = []
    total = Decimal(0)
    complete = bool(items)
    for cells, (page, source) in zip(items, pages):
        row: dict[str, Field] = {}
        for f, ws in cells.items():
            txt = " ".join(w.text for w in ws)
            val: str | None
            if f in ("line_total", "unit_price", "amount_paid", "discount", "deduction"):
                amts = [doc.amount(w.text) for w in ws]
                amts = [a for a in amts if a is not None]
                val = format_amount(amts[-1]) if amts else None
            elif f == "quantity":
                q = parse_quantity(ws[0].text, doc.num_hint)
                val = format_quantity(q) if q is not None else None
            elif f == "tax_rate":
                p = parse_percent(ws[0].text, doc.num_hint)
                val = str(p) if p is not None else None
            else:
                val = txt.strip() or None
            if val is not None:
                row[f] = Field(value=val, confidence=0.6, page=page, bbox=union(ws),
                               source=source)
        money = row.get("line_total") or row.get("amount_paid")
        if money is None or money.value is None:
            complete = False
        else:
            total += Decimal(money.value)
        out.append(row)
    return out, (total if complete else None)
