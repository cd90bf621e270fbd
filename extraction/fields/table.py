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
   ("1. 3.75 m MU-98861 Copper cable - Unit price 9.63 = 36.11") by arithmetic, and
   blocks of "label: value" lines (one block per invoice paid) as one item each.
"""
from __future__ import annotations

import re
from decimal import Decimal

from extraction.fields.doc import Doc, DLine
from extraction.fields.table_header import MONEY_COLS, NUMERIC, Column, find_headers, scan
from extraction.fields.table_rows import assign, is_numlike
from extraction.fields.table_values import consistent, to_fields, typed_row
from extraction.layout import Word
from extraction.model import Field

STOP_FIELDS = {"total_net", "total_gross", "total_tax", "amount_due", "payment_amount"}
Cells = dict[str, list[Word]]
# "contains / including" before a tax label: the tax included in one item, not a total
_INCLUDED = frozenset(("enthalt", "enthaltene", "inkl", "incl", "including", "includes",
                       "dont", "inclus", "incluse"))
# a percentage of a base amount: a document-level allowance or charge below the items
_ON_BASE = re.compile(r"\d\s?%\s+(sur|of|on|auf|von)\s+[-+]?\d[\d.,]*\d\b", re.I)
_CODE = re.compile(r"^(?=.*\d)[A-Za-z0-9][\w\-./]{2,}$")
# "REMISE : REMISE COMMERCIALE  -5,00", "Zuschlag: Fracht  10,00": a document-level
# allowance or charge (EN 16931 BG-20/21) printed as a row below the items
_ALLOWANCE_ROW = re.compile(r"^(remise|charge|rabatt|nachlass|zuschlag|abschlag|discount|"
                            r"allowance|surcharge)\s?:", re.I)


def _is_stop(doc: Doc, ln: DLine, is_item: bool) -> bool:
    """A totals label starting the line, or anywhere on a line that is not an item row."""
    for h in doc.hits_by_line.get(ln.idx, []):
        money = STOP_FIELDS & set(h.fields)
        if not money or ln.words[h.i].text.startswith("("):
            continue            # "(Net): 60,00" - an annotation inside an item
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
        loose = pending = False
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
            if pending and not (key in cells and any(doc.amount(w.text) is not None
                                                     for w in cells[key])):
                # a row of numbers not completed by an amount on the next line: it was
                # text of the item before it after all
                c0 = items.pop()[0]
                pending = False
                if items:
                    _continue(items[-1][0], c0)
            starts = key in cells and any(doc.amount(w.text) is not None for w in cells[key])
            near_header = ln.page == hdr.page and ln.y0 - hdr.y1 < 3 * ln.height
            if _is_stop(doc, ln, starts) and not (near_header and not starts):
                break
            if items and (_ON_BASE.search(ln.text) or starts and _ALLOWANCE_ROW.match(ln.text)):
                break               # "REMISE 5,00% sur 100,00 EUR": document allowances
            nums = {f for f, ws in cells.items() if f in NUMERIC and f != key and
                    any(is_numlike(w.text) for w in ws)}
            if starts and pending and not nums and items[-1][1] == ln.page and \
                    ln.y0 - last_y < 1.5 * ln.height:
                # the amount printed just below a row of the other numbers (a two-line
                # row, "1 Grundpreis 3,90 1 7 %" / "3,90"): it completes that row
                prev = items[-1][0]
                prev[key] = cells.pop(key)
                _continue(prev, cells)
                pending = False
            elif starts:
                items.append((cells, ln.page, ln.source))
                loose = pending = False
            elif len(nums) >= 2 and not pending and (items or near_header or
                                                       ln.y0 - last_y < 2.5 * ln.height):
                items.append((cells, ln.page, ln.source))   # waits for its amount
                loose, pending = False, True
            elif items and remit and any(w.text.endswith(":") for w in ln.words):
                break               # "Payment amount: ..." - prose after the table
            elif items and not loose and items[-1][1] == ln.page and \
                    ln.y0 - last_y < 2.5 * ln.height and not pending:
                _continue(items[-1][0], cells)
            elif items:
                loose = True        # a line too far below the item: no more text for it
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


def _vertical(words: list[Word]) -> set[int]:
    """Indices of the letters of vertical text (a rotated watermark or margin note):
    >= 8 one-character words, mostly letters, stacked at one x position, each touching
    the one above."""
    stacks: dict[int, list[int]] = {}
    for k, w in enumerate(words):
        if len(w.text) == 1:
            stacks.setdefault(round(w.x0 * 500), []).append(k)
    out: set[int] = set()
    for ks in stacks.values():
        ks.sort(key=lambda k: words[k].y0)
        runs: list[list[int]] = []
        for k in ks:        # letters touching each other, not rows of a table column
            prev = words[runs[-1][-1]] if runs else None
            size = max(prev.y1 - prev.y0, prev.x1 - prev.x0) if prev is not None else 0.0
            if prev is not None and words[k].y0 - prev.y1 <= 0.3 * size:
                runs[-1].append(k)
            else:
                runs.append([k])
        for run in runs:
            if len(run) >= 8 and sum(words[k].text.isalpha() for k in run) >= 0.5 * len(run):
                out.update(run)
    return out


def _upright(doc: Doc) -> Doc:
    """The document without vertical text, which would otherwise be merged into the
    table's lines (header words scattered among single letters)."""
    import dataclasses
    pages, changed = [], False
    for p in doc.pages:
        drop = _vertical(p.words)
        changed |= bool(drop)
        pages.append(dataclasses.replace(p, words=[w for k, w in enumerate(p.words)
                                                   if k not in drop]) if drop else p)
    if not changed:
        return doc
    out = Doc.build(pages)
    out.lang, out.comma_decimal, out.day_first, out.country = \
        doc.lang, doc.comma_decimal, doc.day_first, doc.country
    return out


def _quantity_by_arithmetic(doc: Doc, cells: Cells, typed: dict) -> None:
    """No quantity column read: a number in a cell of no target field (a "#" column that
    holds the quantities, an unlabelled column) with number x unit price = line total
    is the quantity."""
    from extraction.normalize import format_quantity
    try:
        p, t = Decimal(typed["unit_price"][0]), Decimal(typed["line_total"][0])
    except (KeyError, ArithmeticError):
        return
    for f, ws in cells.items():
        if not f.startswith("_"):
            continue
        for w in ws:
            q = doc.amount(w.text) if is_numlike(w.text) else None
            if q and q > 0 and consistent(q, p, t):
                typed["quantity"] = (format_quantity(q), [w])
                return


def read_tables(doc: Doc, doc_type: str) -> tuple[list[dict[str, Field]], Decimal | None]:
    """Line items and the sum of their money column (None when not all rows had one)."""
    from extraction.model import LINE_FIELDS
    wanted = LINE_FIELDS.get(doc_type) or LINE_FIELDS["invoice"]
    doc = _upright(doc)
    items = _read_rows(doc, find_headers(doc, wanted), "amount_paid" in wanted)
    if not items:
        from extraction.fields.table_free import free_items
        items = free_items(doc, wanted)
    if not items:
        from extraction.fields.table_free import block_items
        items = block_items(doc, wanted)
    _tidy(items, wanted)
    out: list[dict[str, Field]] = []
    total = Decimal(0)
    complete = bool(items)
    for cells, page, source in items:
        typed = typed_row(doc, cells, wanted)
        if "quantity" in wanted and "quantity" not in typed:
            _quantity_by_arithmetic(doc, cells, typed)
        row = to_fields(typed, page, source)
        money = row.get("line_total") or row.get("amount_paid")
        if money is None or money.value is None:
            complete = False
        else:
            total += Decimal(money.value)
        out.append(row)
    return out, (total if complete else None)
