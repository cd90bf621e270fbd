"""Totals with arithmetic cross-checks.

Label candidates for total_net / total_tax / total_gross / amount_due are combined: the
triple with ``net + tax == gross`` (and lines summing to net, when lines were read) wins
and its members' scores are raised; when no consistent triple exists the best single
candidates are kept with a lowered score.  Missing members are derived when the others
are consistent (gross = net + tax; amount_due = gross when no prepayment is printed).
"""
from __future__ import annotations

from decimal import Decimal
from itertools import product

import re

from extraction.fields.doc import Cand, Doc

TOTALS = ("total_net", "total_tax", "total_gross")
TOL = Decimal("0.011")


def _top(cands: list[Cand], k: int = 4) -> list[Cand]:
    best: dict[str, Cand] = {}
    for c in sorted(cands, key=lambda c: -c.score):
        best.setdefault(c.value, c)
    return list(best.values())[:k]


def block_candidates(doc: "Doc") -> dict[str, list[Cand]]:
    """Unlabelled (or unknown-label) amounts ending short lines in the lower part of the
    last page: weak candidates that only win through the arithmetic check."""
    from extraction.normalize import format_amount
    out: dict[str, list[Cand]] = {}
    if not doc.pages:
        return out
    last = doc.pages[-1].number
    for ln in doc.lines:
        if ln.page != last or ln.y0 < 0.25 or len(ln.words) > 8:
            continue
        w = ln.words[-1]
        v = doc.amount(w.text)
        if v is None or not re.search(r"[.,]\d{2}$", w.text.rstrip("€$£ ")):
            continue
        if not re.search(r"[A-Za-zÀ-ÿ]{3}", ln.text):
            continue
        for f in ("total_net", "total_tax", "total_gross"):
            out.setdefault(f, []).append(Cand(f, format_amount(v), 0.25, ln.page, [w],
                                              ln.source, "block"))
    return out


def _d(c: Cand) -> Decimal:
    return Decimal(c.value)


def _plausible_tax(net: Decimal, tax: Decimal) -> bool:
    if net == 0:
        return tax == 0
    return (net > 0 and 0 <= tax <= net * Decimal("0.35")) or \
        (net < 0 and net * Decimal("0.35") <= tax <= 0)


def _mk(c: Cand, field: str, score: float, why: str) -> Cand:
    return Cand(field, c.value, max(0.0, min(1.0, score)), c.page, c.words, c.source,
                c.why + why)


def resolve(cands: dict[str, list[Cand]], line_sum: Decimal | None) -> dict[str, Cand]:
    """Pick net / tax / gross / due; "+sum" in `why` marks an arithmetic confirmation."""
    net_c = _top(cands.get("total_net", []), 8)
    tax_c = _top(cands.get("total_tax", []), 8)
    due_c = _top([c for c in cands.get("amount_due", []) if c.why != "block"], 4)
    gross_c = _top(cands.get("total_gross", []), 8)
    gross_pool = gross_c + [Cand("total_gross", c.value, c.score * 0.8, c.page, c.words,
                                 c.source, c.why + "(due)") for c in due_c]
    picked: dict[str, Cand] = {}
    best: tuple[float, Cand, Cand | None, Cand, bool] | None = None
    maxg = max((abs(_d(g)) for g in gross_pool), default=Decimal(0))
    for n in net_c:
        for g in gross_pool:
            nv, gv = _d(n), _d(g)
            if gv == 0 or abs(gv) < abs(nv):
                continue
            same = bool(n.words and g.words and n.words[0] is g.words[0])
            big = 0.3 if abs(gv) == maxg else 0.0      # the grand total is the largest
            for t in tax_c:
                if same and t.why.startswith("block"):
                    continue      # one printed amount + an unlabelled 0.00 proves nothing
                if sum(c.why.startswith("block") for c in (n, t, g)) >= 2:
                    continue      # two unlabelled amounts: a coincidence, not a cross-check
                if abs(nv + _d(t) - gv) <= TOL and _plausible_tax(nv, _d(t)):
                    sc = n.score + t.score + g.score + 0.6 + big
                    if best is None or sc > best[0]:
                        best = (sc, n, t, g, True)
            if _plausible_tax(nv, gv - nv):
                sc = n.score + g.score + 0.1 + big
                if best is None or sc > best[0]:
                    best = (sc, n, None, g, False)
    if best is not None:
        _, n, t, g, full = best
        lines_ok = line_sum is not None and abs(line_sum - _d(n)) <= TOL
        bonus = 0.35 if full else 0.15
        picked["total_net"] = _mk(n, "total_net", n.score + bonus + (0.1 if lines_ok else 0),
                                  "+sum" if full else "+pair")
        picked["total_gross"] = _mk(g, "total_gross", g.score + bonus,
                                    "+sum" if full else "+pair")
        if t is not None:
            picked["total_tax"] = _mk(t, "total_tax", t.score + bonus, "+sum")
        else:
            tv = _d(g) - _d(n)
            match = next((c for c in tax_c if _d(c) == tv), None)
            if match is not None:
                picked["total_tax"] = _mk(match, "total_tax", match.score + 0.2, "+pair")
            else:
                picked["total_tax"] = Cand("total_tax", f"{tv:.2f}", 0.45, None, [],
                                           "derived", "derived:gross-net")
    else:
        net_c = [c for c in net_c if c.why != "block"]
        tax_c = [c for c in tax_c if c.why != "block"]
        gross_c = [c for c in gross_c if c.why != "block"]
        for name, lst in (("total_net", net_c), ("total_tax", tax_c),
                          ("total_gross", [c for c in gross_c if _d(c) != 0] or gross_c)):
            if lst:
                c = lst[0]
                lines_ok = name == "total_net" and line_sum is not None and \
                    abs(line_sum - _d(c)) <= TOL
                picked[name] = _mk(c, name, c.score * 0.8 + (0.2 if lines_ok else 0.0),
                                   "+lines" if lines_ok else "")
        if "total_net" not in picked and "total_gross" in picked and "total_tax" in picked:
            nv = _d(picked["total_gross"]) - _d(picked["total_tax"])
            if _plausible_tax(nv, _d(picked["total_tax"])):
                picked["total_net"] = Cand("total_net", f"{nv:.2f}", 0.4, None, [], "derived",
                                           "derived:gross-tax")
        if "total_gross" not in picked and "total_net" in picked and "total_tax" in picked:
            v = _d(picked["total_net"]) + _d(picked["total_tax"])
            picked["total_gross"] = Cand("total_gross", f"{v:.2f}", 0.3, None, [], "derived",
                                         "derived")
    gross = picked.get("total_gross")
    if due_c:
        d = due_c[0]
        bonus = 0.15 if gross and _d(gross) == _d(d) else 0.0
        if gross and not bonus:
            for alt in due_c[1:]:
                if _d(alt) == _d(gross) and alt.score > d.score - 0.15:
                    d, bonus = alt, 0.15
        picked["amount_due"] = _mk(d, "amount_due", d.score + bonus, "+gross" if bonus else "")
    elif gross is not None:
        picked["amount_due"] = Cand("amount_due", gross.value, gross.score * 0.6, gross.page,
                                    gross.words, gross.source, "derived:gross")
    if "total_gross" not in picked and "amount_due" in picked and due_c:
        d = picked["amount_due"]
        picked["total_gross"] = Cand("total_gross", d.value, d.score * 0.5, d.page, d.words,
                                     d.source, "derived:due")
    return picked


# ---------------------------------------------------------------- till receipts
# A till receipt prints "TOTAL", "ROUNDED TOTAL", "NET TOTAL" or "TOTAL (RM)" above the
# tendered "CASH" and the "CHANGE".  OCR misreads a letter now and then ("TOTA1", "Rour ding"),
# so label words are matched within one edit.
_R_TOTAL = ("total", "totai", "tota1", "totat", "tolal", "jotal", "tatal", "toial", "totel")
_R_TENDER = {"cash", "change", "tender", "tendered", "paid", "card", "visa", "master",
             "mastercard", "credit", "debit", "balance", "payment", "received"}
_R_NEG = {"qty", "quantity", "excl", "excluding", "exclusive", "exc", "discount", "disc",
          "sub", "subtotal", "saving", "savings", "items", "item", "before", "gross", "net"}
_R_TAX = {"gst", "tax", "vat", "sst", "service"}
_R_BOOST = {"round", "rounded", "rounding", "nett", "grand", "incl", "inclusive", "including",
            "inc", "payable", "due", "amount", "amt", "rm", "sales"}
_R_AMOUNT = re.compile(r"^(?:RM|\$|S\$)?-?\d{1,3}(?:[,.]?\d{3})*[.,]\s?\d{2}$")


def _near(tok: str, vocab: set[str] | tuple[str, ...]) -> bool:
    if tok in vocab:
        return True
    if len(tok) < 4:
        return False
    index = _NEAR_INDEX.get(id(vocab))
    if index is None or index[0] is not vocab:
        index = (vocab, *_near_index(vocab))
    _v, lens, subs, dels, words = index
    n = len(tok)
    if n not in lens:
        return False            # no vocabulary word within one character of its length
    # same length, at most one substitution: both sides agree with one position wildcarded
    for i in range(n):
        if (tok[:i] + "\0" + tok[i + 1:]) in subs:
            return True
    # vocabulary word one longer: `tok` is it minus one character
    if tok in dels:
        return True
    # vocabulary word one shorter (>= 4): `tok` minus one character is it
    if n - 1 >= 4:
        for i in range(n):
            if (tok[:i] + tok[i + 1:]) in words:
                return True
    return False


def _near_index(vocab) -> tuple[frozenset[int], frozenset[str], frozenset[str],
                                frozenset[str]]:
    """(token lengths that may match, words of length >= 4 with one position replaced by
    NUL, words of length >= 5 with one character deleted, words of length >= 4) - the
    edit-1 neighbours `_edit1` finds."""
    long = [v for v in vocab if len(v) >= 4]
    lens = {len(v) + d for v in long for d in (-1, 0, 1)}
    subs = {v[:i] + "\0" + v[i + 1:] for v in long for i in range(len(v))}
    dels = {v[:i] + v[i + 1:] for v in long if len(v) - 1 >= 4 for i in range(len(v))}
    return frozenset(lens), frozenset(subs), frozenset(dels), frozenset(long)


_R_CHANGE = frozenset(("change",))
# The vocabularies `_near` is asked about are module constants: their edit-1
# neighbourhoods are indexed once instead of comparing a token with every word.
_NEAR_INDEX: dict[int, tuple] = {id(v): (v, *_near_index(v)) for v in (_R_TOTAL, _R_TENDER,
                                                                         _R_CHANGE)}


def _edit1(a: str, b: str) -> bool:
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) <= 1
    if len(a) > len(b):
        a, b = b, a
    return any(a == b[:i] + b[i + 1:] for i in range(len(b)))


def _line_amount(doc: Doc, ln) -> tuple[Decimal, object] | None:
    for w in reversed(ln.words):
        t = w.text.strip(":;*")
        if _R_AMOUNT.match(t):
            v = doc.amount(t.removeprefix("RM").removeprefix("S$").removeprefix("$"))
            if v is not None:
                return v, w
    return None


def _toks(ln) -> list[str]:
    return [t for n in ln.norms for t in n.split()]


def receipt_total(doc: Doc) -> Cand | None:
    """The grand total of a till receipt: the TOTAL line above CASH / CHANGE, preferring
    "rounded / net / incl. tax" totals, confirmed when tendered - change equals it."""
    from extraction.normalize import format_amount
    if not doc.pages:
        return None
    last = doc.pages[-1].number
    lines = doc.lines_on(last)
    tender_at = None
    tender: dict[str, Decimal] = {}
    totals: list[tuple[int, object, Decimal, object, bool]] = []
    for k, ln in enumerate(lines):
        toks = _toks(ln)
        if not toks:
            continue
        head = toks[:3]
        if any(_near(t, _R_TENDER) for t in head) and not any(_near(t, _R_TOTAL) for t in toks):
            am = _line_amount(doc, ln)
            if am is not None:
                if tender_at is None and totals:
                    tender_at = k
                key = "change" if any(_near(t, _R_CHANGE) for t in head) else "tender"
                tender.setdefault(key, am[0])
            continue
        if tender_at is not None:
            continue
        if not any(_near(t, _R_TOTAL) for t in toks[:4]):
            continue
        if any(t in _R_NEG for t in toks) and not any(t in ("incl", "inclusive", "including",
                                                            "rounded", "round") for t in toks):
            continue
        boost = any(t in _R_BOOST for t in toks)
        if any(t in _R_TAX for t in toks) and not any(
                t in ("incl", "inclusive", "including", "inc") for t in toks):
            if len([t for t in toks if t.isalpha()]) <= 3:
                continue                          # "TOTAL GST : 3.08"
        am = _line_amount(doc, ln)
        if am is None and k + 1 < len(lines):
            nxt = lines[k + 1]
            if len(nxt.words) <= 2:
                am = _line_amount(doc, nxt)
        if am is None or am[0] <= 0:
            continue
        totals.append((k, ln, am[0], am[1], boost))
    if tender_at is None or not totals:
        return None
    paid = None
    if "tender" in tender and "change" in tender:
        paid = tender["tender"] - tender["change"]
    pick = None
    why = "receipt-total"
    if paid is not None:
        pick = next((t for t in reversed(totals) if t[2] == paid), None)
        if pick is not None:
            why += "+tender"
    if pick is None:
        pick = totals[-1]                # the last total above the tendered amount
    k, ln, v, w, boost = pick
    score = 0.95 if why.endswith("+tender") else 0.8
    return Cand("total_gross", format_amount(v), score, ln.page, [w], ln.source, why)
