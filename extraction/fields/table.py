"""Line-item tables: header row -> columns -> typed rows until the totals.

1. `table_header.find_headers`: a header row is a line made of column-header phrases
   (>= 2 target columns, one numeric); each header cell keeps the x-span of its words;
   fields are resolved (SKU vs description, net vs gross amount, position column).
2. Rows below the header are read until a totals label, a repeated header, a long
   vertical gap or the page end (`table_rows.assign` places words by overlap and
   alignment).  A line with an amount in the money column (or, without one, in any
   numeric column) starts an item; other lines continue the previous item's text.
3. Tables that repeat on later pages are read the same way and concatenated.
4. Per table, content decides between SKU and description columns, and a leading run
   of 1, 2, 3... is a position number, not part of the text (`_tidy`).
5. `table_values` types each cell and checks quantity x unit price = line total.
6. Without any header row, `table_free` reads item lines of plain-text mails
   ("1. 3.75 m MU-98861 Copper cable - Unit price 9.63 = 36.11") by arithmetic.
"""
from __future__ import annotations

import re
from decimal import Decimal

from extraction.fields.doc import Doc, DLine
from extraction.fields.table_header import MONEY_COLS, NUMERIC, Column, find_headers, scan
from extraction.fields.table_rows import assign
from extraction.fields.table_values import to_fields, typed_row
from extraction.layout import Word
from extraction.model import Field

STOP_FIELDS = {"total_net", "total_gross", "total_tax", "amount_due", "payment_amount"}
Cells = dict[str, list[Word]]
# "contains / including" before a tax label: the tax included in one item, not a total
_INCLUDED = frozenset(("enthalt", "enthaltene", "inkl", "incl", "including", "includes",
                       "dont", "inclus", "incluse"))
_CODE = re.compile(r"^(?=.*\d)[A-Za-z0-9][\w\-./]{2,}$")


def _is_stop(doc: Doc, ln: DLine, is_item: bool) -> bool:
    """A totals label starting the line, or anywhere on a line that is not an item row."""
    for h in doc.hits_by_line.get(ln.idx, []):
        money = STOP_FIELDS & set(h.fields)
        if not money:
            continue
        if money == {"total_tax"} and _INCLUDED.intersection(ln.norms[:h.i]):
            continue            # "Enthält 19% Versicherungssteuer = 9,50": an item's note
        lead = all(len(w.text) <= 2 for w in ln.words[:h.i])
        if lead or not is_item or money - {"total_tax"}:
            return True
    return False


def _is_repeat_header(ln: DLine, cols: list[Column]) -> bool:
    known = {c.phrase for c in cols}
    hits = [s for s in scan(ln.norms) if s[3] in known]
    return len(hits) >= 2 and sum(j - i for i, j, _f, _k in hits) >= 0.6 * len(ln.words)


def _key_field(cols: list[Column]) -> str | None:
    money = next((c.field for c in cols if c.field in MONEY_COLS), None)
    return money or next((c.field for c in cols if c.field in NUMERIC), None)


def _read_rows(doc: Doc, headers: list[tuple[DLine, list[Column]]], remit: bool = False
               ) -> list[tuple[Cells, int, str]]:
    items: list[tuple[Cells, int, str]] = []
    header_pages = {h.page for h, _ in headers}
    for hdr, cols in headers:
        key = _key_field(cols)
        last_y, page = hdr.y1, hdr.page
        for ln in doc.lines[hdr.idx + 1:]:
            if ln.y0 > 0.93 or (ln.page != hdr.page and ln.y0 < 0.04):
                continue            # running footer / header band
            if ln.page != page:
                if ln.page in header_pages or ln.page != page + 1:
                    break           # the next page has its own table header
                page, last_y = ln.page, ln.y0
            if ln.y0 - last_y > 5 * ln.height:
                break
            if _is_repeat_header(ln, cols):
                last_y = ln.y1
                continue            # second header line / repeated header
            cells = assign(cols, ln.words)
            starts = key in cells and any(doc.amount(w.text) is not None for w in cells[key])
            near_header = ln.page == hdr.page and ln.y0 - hdr.y1 < 3 * ln.height
            if _is_stop(doc, ln, starts) and not (near_header and not starts):
                break
            if starts:
                items.append((cells, ln.page, ln.source))
            elif items and remit and any(w.text.endswith(":") for w in ln.words):
                break               # "Payment amount: ..." - prose after the table
            elif items and items[-1][1] == ln.page and ln.y0 - last_y < 2.5 * ln.height:
                _continue(items[-1][0], cells)
            last_y = ln.y1
    return items


def _continue(prev: Cells, cells: Cells) -> None:
    """A line without numbers continues the previous item's description (or reason)."""
    targets = {f for f in cells if not f.startswith("_")}
    if not targets or not targets <= {"description", "deduction_reason", "sku"}:
        return
    for f, ws in cells.items():
        if not f.startswith("_"):
            tgt = "description" if f == "sku" and "description" in prev else f
            prev.setdefault(tgt, []).extend(ws)


def _mean_words(items: list[tuple[Cells, int, str]], f: str) -> float:
    ns = [len(c[f]) for c, _p, _s in items if c.get(f)]
    return sum(ns) / len(ns) if ns else 0.0


def _code_share(items: list[tuple[Cells, int, str]], f: str) -> float:
    vals = [c[f] for c, _p, _s in items if c.get(f)]
    return sum(len(v) == 1 and bool(_CODE.match(v[0].text)) for v in vals) / max(1, len(vals))


def _tidy(items: list[tuple[Cells, int, str]], wanted: tuple[str, ...]) -> None:
    """Position numbers out of the text; SKU vs description decided by content."""
    text_fields = [f for f in ("sku", "description", "invoice_number")
                   if any(c.get(f) for c, _p, _s in items)]
    for f in text_fields:
        firsts = [c[f][0].text.rstrip(".") if c.get(f) else "" for c, _p, _s in items]
        seq = all(x.isdigit() and int(x) == i + 1 for i, x in enumerate(firsts))
        if seq and all(len(c[f]) > 1 for c, _p, _s in items):
            for c, _p, _s in items:
                c[f] = c[f][1:]
    if "sku" in wanted and "description" in wanted:
        has_s = any(c.get("sku") for c, _p, _s in items)
        has_d = any(c.get("description") for c, _p, _s in items)
        swap = False
        if has_s and has_d:
            swap = _code_share(items, "description") > 0.8 > _code_share(items, "sku") and \
                _mean_words(items, "sku") > _mean_words(items, "description")
        elif has_s:
            swap = _code_share(items, "sku") < 0.5 and _mean_words(items, "sku") > 1.5
        elif has_d:
            swap = _code_share(items, "description") > 0.8
        if swap:
            for c, _p, _s in items:
                s, d = c.pop("sku", None), c.pop("description", None)
                if s:
                    c["description"] = s
                if d:
                    c["sku"] = d
    for c, _p, _s in items:
        _split_sku(c, wanted)


def _split_sku(c: Cells, wanted: tuple[str, ...]) -> None:
    """An SKU printed at the start of the description cell ("MU-86211 Kupferkabel")."""
    if "sku" not in wanted or c.get("sku") or len(c.get("description", [])) < 2:
        return
    first = c["description"][0]
    if _CODE.match(first.text) and re.search(r"[A-Za-z]", first.text) and \
            re.search(r"\d{3}", first.text):
        c["sku"], c["description"] = [first], c["description"][1:]


def read_tables(doc: Doc, doc_type: str) -> tuple[list[dict[str, Field]], Decimal | None]:
    """Line items and the sum of their money column (None when not all rows had one)."""
    from extraction.model import LINE_FIELDS
    wanted = LINE_FIELDS.get(doc_type) or LINE_FIELDS["invoice"]
    items = _read_rows(doc, find_headers(doc, wanted), "amount_paid" in wanted)
    if not items:
        from extraction.fields.table_free import free_items
        items = free_items(doc, wanted)
    _tidy(items, wanted)
    out: list[dict[str, Field]] = []
    total = Decimal(0)
    complete = bool(items)
    for cells, page, source in items:
        row = to_fields(typed_row(doc, cells, wanted), page, source)
        money = row.get("line_total") or row.get("amount_paid")
        if money is None or money.value is None:
            complete = False
        else:
            total += Decimal(money.value)
        out.append(row)
    return out, (total if complete else None)
