"""Item lines without a table header, found by arithmetic (plain-text mails and notes).

"1. 3.75 m MU-98861 Copper cable 3x2.5 - Unit price 9.63 = 36.11": a line whose numbers
contain a quantity q, a price p and a final amount t with q x p = t is an item.  The
token after q that looks like a unit is the unit, a code-like token is the SKU, the
remaining words (minus column phrases such as "Unit price" and separators) are the
description; a leading "1." is the position number.  Thousands groups printed with a
space ("1 114,80") are joined first.

Blocks of "label: value" lines, one block per item (remittance advices written as
"Invoice no.: ... / Discount: ... / Amount paid: ..."), are read by `block_items`.
"""
from __future__ import annotations

import re

from extraction.fields.doc import Doc
from extraction.fields.table_header import scan
from extraction.fields.table_rows import char_w, join_groups
from extraction.fields.table_values import consistent
from extraction.layout import Word

Cells = dict[str, list[Word]]
_SEP = re.compile(r"^[-=x×@*|:;/]+$|^(à|a|at|zu|je|per|each)$", re.I)
_CODE = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9][\w\-./]{3,}$")
_UNIT = re.compile(r"^[A-Za-zÀ-ÿ]{1,6}\.?$")


def _item(doc: Doc, words: list[Word]) -> Cells | None:
    nums = [(k, doc.amount(w.text)) for k, w in enumerate(words)
            if re.fullmatch(r"[-+]?\d[\d.,\u00a0 ]*", w.text.rstrip(".:"))]
    nums = [(k, a) for k, a in nums if a is not None]
    if len(nums) < 3:
        return None
    kt, t = nums[-1]
    for i, (kq, q) in enumerate(nums[:-1]):
        for kp, p in nums[i + 1:-1]:
            if q and p and consistent(q, p, t):
                return _cells(words, kq, kp, kt)
    return None


def _cells(words: list[Word], kq: int, kp: int, kt: int) -> Cells:
    cells: Cells = {"quantity": [words[kq]], "unit_price": [words[kp]],
                    "line_total": [words[kt]]}
    used = {kq, kp, kt}
    if kq + 1 < len(words) and _UNIT.match(words[kq + 1].text) and kq + 1 != kp:
        cells["unit"] = [words[kq + 1]]
        used.add(kq + 1)
    if kq > 0 and re.fullmatch(r"\d{1,3}[.)]?", words[0].text):
        used.add(0)
    labels = {k for i, j, f, _key in scan([w.text.lower() for w in words]) for k in range(i, j)
              if any(x in ("unit_price", "quantity", "line_total") for x in f)}
    near = used | labels
    for k, w in enumerate(words):
        if k in used or k in labels or k > kt:
            continue
        if _SEP.match(w.text) and (k - 1 in near or k + 1 in near):
            continue        # "- Unit price", "24 pce à 3,23": a separator, not text
        if "sku" not in cells and _CODE.match(w.text) and re.search(r"\d{3}", w.text):
            cells["sku"] = [w]
            continue
        cells.setdefault("description", []).append(w)
    return cells


def free_items(doc: Doc, wanted: tuple[str, ...]) -> list[tuple[Cells, int, str]]:
    """Items from arithmetic-consistent lines (at most one block of adjacent lines)."""
    if "quantity" not in wanted:
        return []
    out: list[tuple[Cells, int, str]] = []
    for ln in doc.lines:
        if ln.idx in doc.hits_by_line and any(
                {"total_net", "total_gross", "amount_due"} & set(h.fields)
                for h in doc.hits_by_line[ln.idx]):
            continue
        cells = _item(doc, join_groups(ln.words, char_w(ln.words)))
        if cells is not None:
            out.append(({f: ws for f, ws in cells.items() if f in wanted}, ln.page, ln.source))
    return out


def _kv(doc: Doc, ln, wanted: tuple[str, ...]) -> tuple[str, list[Word]] | None:
    """A "Column label: value" line -> (field, value words); the label must be one column
    phrase ending in a colon (`_`-fields such as the invoice date count but are dropped)."""
    k = next((i for i, w in enumerate(ln.words) if w.text.endswith(":")), None)
    if k is None or k + 1 >= len(ln.words) or k > 3:
        return None
    spans = scan(ln.norms[:k + 1])
    if len(spans) != 1 or spans[0][0] != 0 or spans[0][1] != k + 1:
        return None
    fields = spans[0][2]
    f = next((f for f in fields if f in wanted), None) or \
        next((f for f in fields if f.startswith("_")), "_" + spans[0][3])
    return f, join_groups(ln.words[k + 1:], char_w(ln.words))


def block_items(doc: Doc, wanted: tuple[str, ...]) -> list[tuple[Cells, int, str]]:
    """One item per block of "label: value" lines ("Invoice no.: RE-1 / Discount: 0.00 /
    Amount paid: 99.00", repeated per invoice).  A block ends at any other line or when a
    field repeats; it is an item when it names the document (invoice number, SKU or
    description) and has an amount in the money column, with >= 3 column fields."""
    money = next((f for f in ("amount_paid", "line_total") if f in wanted), None)
    ident = [f for f in ("invoice_number", "sku", "description") if f in wanted]
    if money is None:
        return []
    out: list[tuple[Cells, int, str]] = []
    cur: Cells = {}
    where: tuple[int, str] = (1, "text")

    def close() -> None:
        if len(cur) >= 3 and any(cur.get(f) for f in ident) and cur.get(money) and \
                any(doc.amount(w.text) is not None for w in cur[money]):
            out.append(({f: ws for f, ws in cur.items() if f in wanted}, *where))
        cur.clear()

    for ln in doc.lines:
        kv = _kv(doc, ln, wanted)
        if kv is None or kv[0] in cur:
            close()
        if kv is not None:
            if not cur:
                where = (ln.page, ln.source)
            cur[kv[0]] = kv[1]
    close()
    return out
