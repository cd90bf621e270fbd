"""Fields found by pattern, without labels: IBAN, VAT ids, currency.

* IBAN: any checksum-valid IBAN printed on the pages (spaces allowed);
* VAT ids: checksum-valid EU/GB/CH/NO VAT ids; the seller's is the one printed in the
  header or footer band (the letterhead) or repeated; the buyer's sits in the upper
  half near the recipient block, or next to a customer cue ("client", "Kunde"...);
* currency: ISO codes and symbols counted over the document, weighted near amounts.
"""
from __future__ import annotations

import re
from collections import Counter

from extraction.fields.doc import Cand, Doc

_IBAN_RE = re.compile(r"\b([A-Z]{2}\d{2}(?:[ \u00a0]?[A-Z0-9]{2,5}){3,8})\b")
_VAT_RE = re.compile(r"\b((?:ATU|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|GB|HR|HU|IE|IT|LT|LU|LV|MT|"
                     r"NL|PL|PT|RO|SE|SI|SK|CHE|XI|NO)[\s\-.]?[0-9A-Z][0-9A-Z\s.\-]{6,16})")
_IBAN_HINT = re.compile(r"[A-Z]{2}\d{2}")
_SYMBOL = re.compile(r"[€$£₹]")
_AMOUNT_CHARS = re.compile(r"[\d.,\s\-]")
_SLASH_SYMBOL = re.compile(r"[€$£]$")
_BUYER_CUES = ("client", "kunde", "customer", "acheteur", "buyer", "empfanger", "destinataire",
               "bill to", "votre", "ihre", "your")


def iban_candidates(doc: Doc) -> list[Cand]:
    from extraction.normalize import iban_valid, normalize_iban
    out: list[Cand] = []
    for ln in doc.lines:
        text = ln.text
        if not _IBAN_HINT.search(text):
            continue
        for m in _IBAN_RE.finditer(text):
            raw = m.group(1)
            # try the longest prefix of space-separated groups that validates
            parts = raw.split()
            for n in range(len(parts), 0, -1):
                v = normalize_iban("".join(parts[:n]))
                if v and iban_valid(v):
                    ws = [w for w in ln.words if w.text.strip(":,;") in parts[:n]] or ln.words
                    out.append(Cand("seller_iban", v, 0.8, ln.page, ws, ln.source, "pattern"))
                    break
            else:
                out.extend(_wrapped_iban(doc, ln, parts))
    return out


def _wrapped_iban(doc: Doc, ln, parts: list[str]) -> list[Cand]:
    """An IBAN cut by a narrow table cell: "DE67 1004 8392 7221" / "8882 72" on the next
    line, under the first part.  Only a checksum-valid join is kept."""
    from extraction.normalize import iban_valid, normalize_iban
    ws = [w for w in ln.words if w.text.strip(":,;") in parts]
    nxt = doc.lines[ln.idx + 1] if ln.idx + 1 < len(doc.lines) else None
    if not ws or nxt is None or nxt.page != ln.page or nxt.y0 - ln.y1 > 1.5 * ln.height:
        return []
    x0, x1 = ws[0].x0, ws[-1].x1
    under = [w for w in nxt.words if w.x1 > x0 - 0.01 and w.x0 < x1 + 0.01]
    for n in range(len(parts), 0, -1):
        for m in range(len(under), 0, -1):
            v = normalize_iban("".join(parts[:n]) + "".join(w.text for w in under[:m]))
            if v and iban_valid(v):
                return [Cand("seller_iban", v, 0.7, ln.page, ws + under[:m], ln.source,
                             "pattern-wrapped")]
    return []


def vat_candidates(doc: Doc) -> list[Cand]:
    from extraction.fields.terms import vat_shape_ok
    from extraction.normalize import normalize_vat_id, vat_id_valid
    out: list[Cand] = []
    for ln in doc.lines:
        text = ln.text
        for m in _VAT_RE.finditer(text):
            raw = m.group(1)
            toks = raw.split()
            for n in range(len(toks), 0, -1):
                v = normalize_vat_id("".join(toks[:n]))
                ok = bool(v) and vat_id_valid(v or "")
                if v and (ok or vat_shape_ok(v)):
                    ws = [w for w in ln.words if w.text.strip(":,;()") in toks[:n]] or ln.words
                    out.append(Cand("vat", v, 0.6 if ok else 0.45, ln.page, ws, ln.source,
                                    "pattern", raw=ln))
                    break
    return out


def split_vats(doc: Doc, cands: list[Cand]) -> tuple[list[Cand], list[Cand]]:
    """Assign unlabeled VAT candidates to the seller or the buyer."""
    if not cands:
        return [], []
    counts = Counter(c.value for c in cands)
    seller: list[Cand] = []
    buyer: list[Cand] = []
    for c in cands:
        ln = c.raw
        low = " ".join(getattr(ln, "norms", []))
        y = c.words[0].y0
        buyerish = any(cue in low for cue in _BUYER_CUES)
        if buyerish:
            buyer.append(Cand("buyer_vat_id", c.value, 0.55, c.page, c.words, c.source, "pattern"))
            continue
        s = c.score - 0.05 + (0.1 if y > 0.8 or y < 0.18 else 0.0) + \
            (0.1 if counts[c.value] > 1 else 0.0)
        seller.append(Cand("seller_vat_id", c.value, s, c.page, c.words, c.source, "pattern"))
    if len(counts) >= 2 and not buyer:
        vals = sorted(counts, key=lambda v: -max(c.score for c in seller if c.value == v))
        top = vals[0]
        for c in seller:
            if c.value != top:
                buyer.append(Cand("buyer_vat_id", c.value, 0.4, c.page, c.words, c.source,
                                  "pattern"))
        seller = [c for c in seller if c.value == top]
    return seller, buyer


def currency_candidates(doc: Doc) -> list[Cand]:
    from extraction.normalize import normalize_currency
    votes: Counter[str] = Counter()
    where: dict[str, Cand] = {}
    for ln in doc.lines:
        for k, w in enumerate(ln.words):
            t = w.text.strip(".,:;()*")
            if t.upper() == "BHD" and k and ln.words[k - 1].text.strip(".").upper() == "SDN":
                continue          # "Sdn. Bhd." (Malaysian company), not Bahraini dinars
            if not t or len(t) > 4 or t.isdigit():
                if not (len(w.text) <= 14 and _SYMBOL.search(w.text)):
                    continue
            tok = t if len(t) <= 4 else _AMOUNT_CHARS.sub("", w.text)
            if "/" in tok and _SLASH_SYMBOL.search(tok):
                tok = tok.rsplit("/", 1)[1]    # column headers "Einzel/€", "Gesamt/€"
            rupee = tok == "Rs"                # "Rs 1939": Indian rupees
            if len(tok) == 3 and not tok.isupper() or len(tok) == 2 and tok.isalpha() and \
                    not rupee:
                continue          # "FR" / "DE" are country codes, not "Fr." francs
            if not (tok.isupper() or not tok.isalpha() or rupee):
                continue          # a lower-case word ("Fr", "euro") never counts
            c = normalize_currency(tok, doc.country)
            if c:
                votes[c] += 1
                where.setdefault(c, Cand("currency", c, 0.0, ln.page, [w], ln.source, "pattern"))
    if not votes:
        return []
    total = sum(votes.values())
    out = []
    for c, n in votes.most_common(2):
        cand = where[c]
        cand.score = 0.5 + 0.4 * (n / total) * min(1.0, n / 3)
        out.append(cand)
    return out
