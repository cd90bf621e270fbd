"""Merge adjacent label hits into one label and resolve what a totals label means.

Printed labels are often longer than any lexicon phrase: "Rechnungssumme Netto (excl.
USt.)", "Total TTC", "Summe brutto inkl. MwSt", "zuzüglich Umsatzsteuer".  The lexicon
finds several short hits in them; this module joins hits on one line that are separated
only by non-value words into one `Hit`, and for money labels decides net / tax / gross /
due from qualifier words (netto, excl., HT, ohne -> net; brutto, incl., TTC -> gross; a
tax word alone -> tax).
"""
from __future__ import annotations

import re

from extraction.fields.doc import DLine, Hit

TOTALS = {"total_net", "total_tax", "total_gross", "amount_due", "payment_amount"}
NET_Q = {"netto", "net", "ht", "excl", "exkl", "ohne", "hors", "before", "subtotal",
         "zwischensumme", "sous", "h", "exclusive", "excluding", "nettobetrag", "warenwert"}
GROSS_Q = {"brutto", "gross", "ttc", "inkl", "incl", "including", "inclusive", "einschl",
           "toutes", "bruttobetrag"}
TAX_W = {"ust", "mwst", "vat", "tva", "tax", "steuer", "umsatzsteuer", "mehrwertsteuer",
         "gst", "taxe", "taxes", "steuerbetrag"}
DUE_W = {"zahlbetrag", "due", "payable", "payer", "zahlen", "solde", "balance", "offen",
         "restbetrag", "zahlungsbetrag", "outstanding"}


_DIGIT = re.compile(r"\d")
_PERCENT = re.compile(r"\(?\d{1,2}([.,]\d+)?\s?%\)?:?")
_DECIMAL = re.compile(r"\d[.,]\d")


def _is_value(text: str) -> bool:
    return bool(_DIGIT.search(text)) and not _PERCENT.fullmatch(text)


def _own_value_below(a: Hit, b: Hit, below: list[DLine]) -> bool:
    """Column headers: the first line below with values has one under each label."""
    for other in below:
        nums = [w for w in other.words if _is_value(w.text) or _DECIMAL.search(w.text)]
        if not nums:
            continue
        under = [[w for w in nums if w.x1 > h.x0 - 0.01 and w.x0 < h.x1 + 0.01] for h in (a, b)]
        return bool(under[0] and under[1] and not set(map(id, under[0])) & set(map(id, under[1])))
    return False


def merge(line: DLine, hits: list[Hit], below: list[DLine] | None = None) -> list[Hit]:
    """Join hits separated only by non-value words; resolve totals meaning.  `below`: the
    next lines, which tell a row of column headers from one long label."""
    if not hits:
        return hits
    header_row = bool(below) and not any(_is_value(w.text) for w in line.words)
    out: list[Hit] = []
    cur = hits[0]
    for h in hits[1:]:
        between = line.words[cur.j:h.i]
        # "TOTAL HT  TOTAL TVA  TOTAL TTC": complete money labels side by side are columns
        columns = bool(set(cur.fields) & TOTALS and set(h.fields) & TOTALS and
                       len(h.phrase.split()) >= 2 and
                       h.phrase.split()[0] == cur.phrase.split()[0])
        if not columns and header_row and set(cur.fields) & TOTALS and \
                set(h.fields) & TOTALS and _own_value_below(cur, h, below or []):
            columns = True      # "Nettobetrag MwSt-Betrag Endbetrag" over a row of values
        if not columns and not any(_is_value(w.text) for w in between) and len(between) <= 3 and \
                (h.words[0].x0 - line.words[h.i - 1].x1) < 0.05 and \
                not any(line.big_gap(k) for k in range(cur.j, h.i + 1)) and \
                (set(cur.fields) & TOTALS or set(h.fields) & TOTALS or not cur.fields):
            if not cur.fields and not set(h.fields) & TOTALS:
                merged: tuple[str, ...] = ()   # "Contact seller": a qualifier, not the party
            else:
                merged = cur.fields + tuple(f for f in h.fields if f not in cur.fields)
            cur = Hit(line, cur.i, h.j, merged, cur.phrase + " " + h.phrase)
        else:
            out.append(cur)
            cur = h
    out.append(cur)
    ends = [h.i for h in out[1:]] + [len(line.words)]
    return [_resolve(line, h, end) for h, end in zip(out, ends)]


def _resolve(line: DLine, h: Hit, end: int | None = None) -> Hit:
    if not set(h.fields) & TOTALS:
        return h
    # label words plus trailing qualifier words up to the first value ("(excl. USt.)")
    # or the next label
    j = h.j
    end = len(line.words) if end is None else end
    while j < end and j - h.j < 4 and not _is_value(line.words[j].text):
        j += 1
    toks = " ".join(line.norms[h.i:j]).split()
    tset = set(toks)
    fields = list(h.fields)
    money = [f for f in fields if f in TOTALS]
    other = [f for f in fields if f not in TOTALS]
    if tset & DUE_W and "amount_due" in money and tset & NET_Q <= {"net"} and \
            not tset & GROSS_Q:
        pick = ["amount_due"]                # "Net à payer", "Net payable"
    elif tset & NET_Q and not tset & GROSS_Q:
        pick = ["total_net"]
    elif tset & GROSS_Q and not (toks and toks[0] in TAX_W) and \
            not (len(tset - GROSS_Q - TAX_W - {"%"}) == 0):
        pick = ["total_gross"]
    elif toks and (toks[0] in TAX_W or tset <= TAX_W | GROSS_Q | {"zzgl", "zuzuglich", "plus",
                                                                   "enthaltene", "%"}):
        pick = ["total_tax"]
    elif tset & DUE_W and "amount_due" in money:
        pick = ["amount_due"]
    elif tset & TAX_W and "total_tax" in money:
        pick = ["total_tax"]                 # "Total GST", "Summe MwSt": a tax total
    else:
        pick = money
    keep = tuple(pick + [f for f in money if f not in pick and f == "payment_amount"] + other)
    return Hit(line, h.i, h.j, keep, h.phrase)
