"""Line-table header rows: which printed column headers sit where, and what they mean.

A header row is a line where most words are column-header phrases (`extraction.labels`
COLUMN_LABELS, plus a few table-only spellings below) and at least one names a numeric
column.  A second header line right below ("Prix" / "unitaire", "Line" / "total") is
folded into the cells it sits under.  Each header cell becomes a `Column` with the x-span
of its words; cells naming a field already taken are resolved (SKU vs description by
phrase, two money columns: net before gross, the right-most remittance payment), and a
leading position column ("Pos", "Nr.", "#", "N°") is kept as ``_position`` so that its
small integers never end up in the SKU or description.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from extraction.fields.doc import Doc, DLine
from extraction.fields.lex import flat_tokens
from extraction.layout import Word

NUMERIC = frozenset({"quantity", "unit_price", "line_total", "tax_rate", "amount_paid",
                     "discount", "deduction"})
MONEY_COLS = ("line_total", "amount_paid")
POSITION = "_position"

# Table-only spellings (normalised) that the shared label lexicon does not carry.
_EXTRA: dict[str, tuple[str, ...]] = {
    "n": (POSITION,), "nr": (POSITION,), "no": (POSITION,), "num": (POSITION,),
    "lfd nr": (POSITION,), "lfd": (POSITION,), "pos nr": (POSITION,), "ligne": (POSITION,),
    "u": ("unit",), "short paid": ("deduction",),
    "short payment": ("deduction",), "note": ("deduction_reason",),
    "notes": ("deduction_reason",), "remark": ("deduction_reason",),
    "remarque": ("deduction_reason",), "doc date": ("_invoice_date",),
    "amount due": ("_invoice_amount",), "gross": ("_invoice_amount",),
    "deducted": ("deduction",), "artikelnr": ("sku",), "bestellnr": ("sku",),
    "item code": ("sku",), "item id": ("sku",),
    # remittance / order spellings: cash discount taken, gross invoice amount, short units
    "skontoabzug": ("discount",), "skontobetrag": ("discount",),
    "brutto": ("line_total", "_invoice_amount"), "re datum": ("_invoice_date",),
    "einh": ("unit",), "motif de retenue": ("deduction_reason",),
}
_CODEISH = re.compile(r"(nr|nummer|code|sku)$")
_GROSS = re.compile(r"\b(brutto|ttc|gross|incl|inkl)\b")
_IDISH = re.compile(r"\b(no|nr|n|num|code|ref|sku|id|ean|gtin|part|art|material|referenz)\b")


@dataclass
class Column:
    """One header cell: its field (``_``-prefixed when not a target) and x-span."""
    field: str
    x0: float
    x1: float
    phrase: str = ""
    alts: tuple[str, ...] = field(default_factory=tuple)

    @property
    def numeric(self) -> bool:
        return self.field in NUMERIC


@lru_cache(maxsize=1)
def _lookup() -> dict[str, tuple[str, ...]]:
    from extraction.labels import label_lookup
    out = dict(label_lookup("column", include_ignored=True))
    for k, v in _EXTRA.items():
        out.setdefault(k, v)
    out["line"] = (POSITION,)
    return out


@lru_cache(maxsize=1)
def _max_tokens() -> int:
    return max(len(k.split()) for k in _lookup())


def gaps(words: list[Word]) -> set[int]:
    """Indices of words preceded by a column-sized gap (> 1.2 character widths)."""
    cws = sorted((w.x1 - w.x0) / max(1, len(w.text)) for w in words)
    cw = cws[len(cws) // 2] if cws else 0.006
    return {k for k in range(1, len(words)) if words[k].x0 - words[k - 1].x1 > 1.2 * cw}


def scan(norms: list[str], breaks: set[int] | None = None
         ) -> list[tuple[int, int, tuple[str, ...], str]]:
    """Longest-match column phrases over a line's normalised words: (i, j, fields, key);
    a phrase never spans a word index in `breaks` (a column gap)."""
    idx = _lookup()
    breaks = breaks or set()
    toks, owner = flat_tokens(norms)
    out: list[tuple[int, int, tuple[str, ...], str]] = []
    i = 0
    while i < len(toks):
        if i > 0 and owner[i - 1] == owner[i]:
            i += 1
            continue
        for k in range(min(_max_tokens(), len(toks) - i), 0, -1):
            key = " ".join(toks[i:i + k])
            end = i + k
            if any(owner[t] in breaks and owner[t] != owner[t - 1] for t in range(i + 1, end)):
                continue
            if key in idx and (end == len(toks) or owner[end] != owner[end - 1]):
                out.append((owner[i], owner[end - 1] + 1, idx[key], key))
                i = end
                break
        else:
            i += 1
    return out


def _cells(ln: DLine) -> tuple[list[Column], int]:
    """Header cells of one line (unknown words become ``_unknown`` cells) and the
    number of words covered by known phrases."""
    cols: list[Column] = []
    covered = 0
    spans = scan(ln.norms, gaps(ln.words))
    taken: set[int] = set()
    for i, j, fields, key in spans:
        ws = ln.words[i:j]
        cols.append(Column("", ws[0].x0, ws[-1].x1, key, fields))
        covered += j - i
        taken.update(range(i, j))
    for k, w in enumerate(ln.words):
        if k not in taken and (ln.norms[k] or w.text.strip() == "#"):
            alts = ("sku",) if _CODEISH.search(ln.norms[k]) else ()
            cols.append(Column("_unknown", w.x0, w.x1, ln.norms[k] or "#", alts))
    cols.sort(key=lambda c: c.x0)
    if cols and cols[0].alts == () and cols[0].phrase == "#":
        cols[0].alts = (POSITION,)
    return cols, covered


def _plain(ln: DLine) -> bool:
    """A line that can be part of a header block: no "label:" and at most one number."""
    return not any(w.text.endswith(":") for w in ln.words) and \
        sum(bool(re.search(r"\d", w.text)) for w in ln.words) <= 1


def _neighbours(doc: Doc, ln: DLine) -> list[DLine]:
    """Header-block lines stacked within 1.5 line heights (a line pitch) above and below `ln`."""
    out: list[DLine] = []
    for step in (-1, 1):
        k, ref = ln.idx + step, ln
        while 0 <= k < len(doc.lines):
            o = doc.lines[k]
            if o.page != ln.page or abs(o.y0 - ref.y0) > 1.5 * ln.height or not _plain(o):
                break
            out.append(o)
            ref, k = o, k + step
    return out


def _is_header(doc: Doc, ln: DLine, wanted: tuple[str, ...]) -> list[Column] | None:
    if not _plain(ln) and (len(ln.words) <= 3 or any(w.text.endswith(":") for w in ln.words)
                           or sum(bool(re.search(r"\d", w.text)) for w in ln.words) > 1):
        return None
    cols, covered = _cells(ln)
    if covered < 0.6 * len(ln.words):
        return None
    have = {f for c in cols for f in c.alts if f in wanted}
    if len(have) < 2 or not have & NUMERIC:
        return None
    for o in _neighbours(doc, ln):
        for c in _cells(o)[0]:
            under = [k for k in cols if min(k.x1, c.x1) - max(k.x0, c.x0) > 0]
            if len(under) == 1:
                # one header cell printed on two lines ("Preis/" over "Einheit")
                k = under[0]
                key = f"{c.phrase} {k.phrase}" if o.y0 < ln.y0 else f"{k.phrase} {c.phrase}"
                if key in _lookup() and any(f in wanted for f in _lookup()[key]):
                    k.alts, k.phrase = _lookup()[key], key
                    k.x0, k.x1 = min(k.x0, c.x0), max(k.x1, c.x1)
                    have.update(f for f in k.alts if f in wanted)
                    continue
            new = [f for f in c.alts if f in wanted and f not in have]
            if new and not any(min(k.x1, c.x1) - max(k.x0, c.x0) > 0 for k in cols if k.alts):
                cols = [k for k in cols if min(k.x1, c.x1) - max(k.x0, c.x0) <= 0]
                cols.append(c)
                have.update(new)
    known = [c for c in cols if any(f in wanted for f in c.alts)]
    if len(known) < 2:
        return None
    return sorted(cols, key=lambda c: c.x0)


def _fold_second_line(doc: Doc, ln: DLine, cols: list[Column]) -> None:
    """A header cell continued on the line below ("Prix" / "unitaire")."""
    for nxt in doc.below(ln, 1.3):
        if any(re.search(r"\d", w.text) or not n for w, n in zip(nxt.words, nxt.norms)):
            return
        plan: list[tuple[Column, str, tuple[str, ...], float, float]] = []
        for w, n in zip(nxt.words, nxt.norms):
            c = next((c for c in cols if min(c.x1, w.x1) - max(c.x0, w.x0) > 0), None)
            if c is None:
                return
            key = f"{c.phrase} {n}".strip()
            if key in _lookup():
                plan.append((c, key, _lookup()[key], w.x0, w.x1))
            elif not c.alts and n in _lookup():
                plan.append((c, n, _lookup()[n], w.x0, w.x1))
        for c, key, alts, x0, x1 in plan:
            c.alts, c.phrase = alts, key
            c.x0, c.x1 = min(c.x0, x0), max(c.x1, x1)
        return


def resolve(cols: list[Column], wanted: tuple[str, ...]) -> list[Column]:
    """Give every cell one field: unambiguous cells first, then the rest in x order."""
    taken: dict[str, Column] = {}
    order = sorted(cols, key=lambda c: (len([f for f in c.alts if f in wanted]) != 1, c.x0))
    for c in order:
        cands = [f for f in c.alts if f in wanted]
        if not cands:
            c.field = next((f for f in c.alts if f.startswith("_")), "_unknown")
            continue
        free = [f for f in cands if f not in taken]
        if free:
            c.field = free[0]
            taken[c.field] = c
            continue
        f = cands[0]
        other = taken[f]
        if f in ("sku", "description"):
            alt = "description" if f == "sku" else "sku"
            if alt in wanted and alt not in taken:
                sku_c, desc_c = (c, other) if _IDISH.search(c.phrase) else (other, c)
                sku_c.field, desc_c.field = "sku", "description"
                taken["sku"], taken["description"] = sku_c, desc_c
                continue
        if f in MONEY_COLS:
            if f == "line_total":
                gross_new = bool(_GROSS.search(c.phrase))
                keep_other = gross_new or not _GROSS.search(other.phrase)
            else:
                keep_other = other.x0 > c.x0
            if keep_other:
                c.field = "_invoice_amount" if f == "amount_paid" else "_other"
            else:
                other.field = "_invoice_amount" if f == "amount_paid" else "_other"
                c.field = f
                taken[f] = c
            continue
        c.field = "_other"
    _amount_as_quantity(cols, wanted)
    return sorted(cols, key=lambda c: c.x0)


def _amount_as_quantity(cols: list[Column], wanted: tuple[str, ...]) -> None:
    """Two "amount" columns and no quantity: the one left of the unit price counts
    ("Amount | Product | Price | Total" - an English "amount" of pieces)."""
    if "quantity" not in wanted or any(c.field == "quantity" for c in cols):
        return
    money = [c for c in cols if "line_total" in c.alts and c.field in ("line_total", "_other")]
    price = next((c for c in cols if c.field == "unit_price"), None)
    if len(money) == 2 and price is not None:
        left, right = sorted(money, key=lambda c: c.x0)
        if left.x1 < price.x0 < right.x0:
            left.field, right.field = "quantity", "line_total"


def find_headers(doc: Doc, wanted: tuple[str, ...]) -> list[tuple[DLine, list[Column]]]:
    """Header rows (at most one per page) with their resolved columns."""
    out: list[tuple[DLine, list[Column]]] = []
    for ln in doc.lines:
        if out and out[-1][0].page == ln.page:
            continue
        cols = _is_header(doc, ln, wanted)
        if cols is None:
            continue
        _fold_second_line(doc, ln, cols)
        cols = resolve(cols, wanted)
        if sum(not c.field.startswith("_") for c in cols) >= 2:
            out.append((ln, cols))
    return out
