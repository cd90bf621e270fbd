"""Header key-value reading by layout: label phrase -> value right of it or below it.

For every label hit (see `Doc.hits`) we look at (a) the words to the right on the same
line up to the next label, and (b) the first line below whose words overlap the label
horizontally (label-above-value blocks).  The words are type-checked for the field's kind
(id, date, amount, currency, VAT id, IBAN, name) with `extraction.normalize`, and every
typed value becomes a `Cand` scored by geometry and label specificity.
"""
from __future__ import annotations

import re
from typing import Callable

from extraction.fields.doc import Cand, Doc, DLine, Hit
from extraction.layout import Word

KIND: dict[str, str] = {
    "invoice_number": "id", "po_number": "id", "payment_reference": "id",
    "issue_date": "date", "due_date": "date", "order_date": "date", "delivery_date": "date",
    "payment_date": "date", "currency": "currency", "seller_vat_id": "vat",
    "buyer_vat_id": "vat", "seller_iban": "iban", "total_net": "amount",
    "total_tax": "amount", "total_gross": "amount", "amount_due": "amount",
    "payment_amount": "amount", "seller_name": "name", "buyer_name": "name",
    "payer_name": "name", "seller_address": "block", "ship_to": "block",
}
_FILLER = {"no", "nr", "n", "no.", "nr.", "number", "nummer", "numero", "num", "#", ":", "",
           "n°", "no:", "-", "du", "de", "vom", "of", "date", "datum"}
# labels ending in a preposition ("Le", "Émis le", "Commande du") are only labels when
# the value follows at once; "LE FOURNISSEUR ... 12/03/2024" is running text
_PREPOSITION = frozenset(("le", "du", "vom", "am", "on"))
_BULLETS = frozenset("•·▪◦‣-–*")
_WORD_CHAR = re.compile(r"\w")
_DIGIT = re.compile(r"\d")
_AREA_CODE = re.compile(r"\(\d{3}\)")
_CURRENCY_WORD = re.compile(r"[€$£]|EUR|USD|GBP|CHF")
_ALPHA_WORD = re.compile(r"[^\W\d_]{3,}[:.]?")
_CODE = re.compile(r"[A-Z0-9][A-Z0-9\-_/.]{3,}")
_LONG_NUMBER = re.compile(r"\d{6,}")
_CENTS_END = re.compile(r"[.,]\d{2}$")
_CENTS = re.compile(r"[.,]\d{2}\b")
_LINE_REF = re.compile(r"(?:Zeile|Line|Ligne)\d+")
_DIGIT_MARK_END = re.compile(r"\d[.,]$")
_TWO_DIGITS = re.compile(r"\d{2}")
RIGHT_GAP = 0.42          # max horizontal gap (page widths) between label and value
BELOW_LINES = 2.6         # how many line heights below a label a value may sit


def _segment_right(doc: Doc, hit: Hit) -> list[Word]:
    ln = hit.line
    nxt = [h.i for h in doc.hits_by_line.get(ln.idx, []) if h.i >= hit.j]
    end = min(nxt) if nxt else len(ln.words)
    words = ln.words[hit.j:end]
    rest = _rest_of_label(hit)
    if rest is not None:
        words = [rest] + words
    out: list[Word] = []
    last = hit.x1
    content = False                 # a word with a letter or digit taken already
    for w in words:
        if w.x0 - last > RIGHT_GAP and content:
            break
        if w.x0 - last > RIGHT_GAP * 2.5:
            break
        out.append(w)
        last = w.x1
        if not content and _WORD_CHAR.search(w.text):
            content = True
    return out


def _rest_of_label(hit: Hit) -> Word | None:
    """Value glued to the label's last word ("Invoice#:12345", "Nr.4711")."""
    from extraction.labels import split_label
    lw = hit.words[-1]
    sp = split_label(lw.text, "header", include_ignored=True) if hit.j - hit.i == 1 else None
    if sp is None and hit.j - hit.i > 1:
        sp = split_label(" ".join(w.text for w in hit.words), "header", include_ignored=True)
    if not sp or not sp[1] or sp[1] not in lw.text or sp[1][0] in "/-&+":
        return None
    rest = sp[1]
    frac = 1 - len(rest) / max(1, len(lw.text))
    return Word(rest, lw.x0 + (lw.x1 - lw.x0) * frac, lw.y0, lw.x1, lw.y1, lw.conf)


def _segment_below(doc: Doc, hit: Hit, columns: bool = False) -> tuple[list[Word], DLine | None]:
    """The value under a label.  Under a row of column labels ("TOTAL HT  TOTAL TVA  TOTAL
    TTC") the values may sit a few lines lower, past wrapped text without digits."""
    x0, x1 = hit.x0, max(hit.x1, hit.x0 + 0.06)
    # the neighbouring labels on the same line bound this label's column
    hs = doc.hits_by_line.get(hit.line.idx, [])
    left = max((h.x1 for h in hs if h.j <= hit.i), default=-1.0)
    right = min((h.x0 for h in hs if h.i >= hit.j), default=2.0)
    label_h = sorted(w.y1 - w.y0 for w in hit.words)[len(hit.words) // 2]
    for other in doc.below(hit.line, BELOW_LINES * (1.8 if columns else 1.0)):
        lab = doc.labelled_words(other)
        ws = [w for k, w in enumerate(other.words)
              if k not in lab and w.x1 > max(x0 - 0.01, left) and w.x0 < min(x1 + 0.02, right)
              and not _speck(w, label_h)]
        if ws:
            # extend the run to the right while words are close together
            k = other.words.index(ws[-1])
            run = list(ws)
            for w in other.words[k + 1:]:
                if w.x0 - run[-1].x1 > 0.03 or other.words.index(w) in lab or w.x0 >= right:
                    break
                if not _speck(w, label_h):
                    run.append(w)
            if columns and not any(_DIGIT.search(w.text) for w in run):
                continue
            return run, other
        if any(w.x1 > x0 and w.x0 < x1 and not _speck(w, label_h) for w in other.words):
            return [], None        # a label sits below this label: not a value
    return [], None


def _speck(w: Word, label_h: float) -> bool:
    """OCR noise: a one- or two-character token (a scan speck read as "3", "5", "B") far
    smaller than the label's font; it is no value, the value row lies further down."""
    return len(w.text) <= 2 and label_h > 0 and (w.y1 - w.y0) < 0.35 * label_h


def _sum_row(doc: Doc, hit: Hit, first: DLine) -> tuple[list[Word], DLine] | None:
    """Under a column label of a totals table ("Nettobetrag  MwSt-Betrag  Endbetrag") one
    row per tax rate is followed by the sum row: the last value that adds up the ones above."""
    from decimal import Decimal
    hs = doc.hits_by_line.get(hit.line.idx, [])
    left = max((h.x1 for h in hs if h.j <= hit.i), default=-1.0)
    right = min((h.x0 for h in hs if h.i >= hit.j), default=2.0)
    x0, x1 = max(hit.x0 - 0.01, left), min(max(hit.x1, hit.x0 + 0.06) + 0.02, right)
    vals: list[tuple[Decimal, list[Word], DLine]] = []
    prev = hit.line
    for other in doc.lines[first.idx:first.idx + 8]:
        if other.page != first.page or other.y0 - prev.y1 > 2.5 * prev.height:
            break
        ws = [w for w in other.words if x0 < (w.x0 + w.x1) / 2 < x1]
        v = doc.amount(ws[-1].text) if ws else None
        if v is None:
            break
        vals.append((v, ws[-1:], other))
        prev = other
    for k in range(2, len(vals)):
        if sum(v for v, _w, _l in vals[:k]) == vals[k][0]:
            return vals[k][1], vals[k][2]
    return None


def _ids(doc: Doc, ws: list[Word]) -> list[tuple[str, list[Word], float]]:
    out = []
    stray = 0
    for k, w in enumerate(ws[:4]):
        t = w.text.strip(":;,()")
        if t.casefold() in _FILLER or not t or _AREA_CODE.fullmatch(w.text):
            continue
        if t in (">", "<", "=", ">=", "<=") or k + 1 < len(ws) and \
                _CURRENCY_WORD.fullmatch(ws[k + 1].text.strip("().,")):
            return []                     # "(commande > 300 € HT)": an amount, not an ID
        if _ALPHA_WORD.fullmatch(t):
            if not (w.text.endswith(":") and k + 1 < len(ws)):
                stray += 1           # an unknown word continues the label ("associée"), but
            continue                 # "Bestellung Nr. Kunde: BT-13" ends the label with ":"
        if not _DIGIT.search(t) or len(t) < 2:
            if _CODE.fullmatch(t) and _DIGIT.search(t):
                pass
            else:
                continue
        if doc.date(t.rstrip(".")) is not None and not _LONG_NUMBER.fullmatch(t):
            continue
        if doc.amount(t) is not None and _CENTS_END.search(t):
            continue
        pen = 0.08 * k + 0.3 * stray
        if _GLUED_LINE.fullmatch(t) or _LINE_REF.fullmatch(t):
            pen += 0.3               # "Zeile000001": a line reference, not a document's
        return [(_unglue(t), [w], max(0.1, 1.0 - pen))]
    return out


# a line / position reference glued to an order number: "ORDER84359Zeile1", "PO-77Line3"
_GLUED_LINE = re.compile(r"(?<=[A-Z0-9])(?:Zeile|Position|Pos|Line|Ligne|Item)\.?\d{1,6}$")


# the label's own abbreviation run into the value ("Nr.471102"), and a sentence's full stop
# after it ("... Bestellung 2018092011804.")
_GLUED_LABEL = re.compile(r"^(?:[Nn][Rr]|[Nn][Oo]|N[°º])[.:]+(?=[A-Z0-9])")
_END_STOP = re.compile(r"(?<=\d)\.$")


def _unglue(t: str) -> str:
    return clean_id(_GLUED_LINE.sub("", t), t)


def clean_id(t: str, fallback: str | None = None) -> str:
    """An ID value without a label abbreviation run into it or a full stop after it."""
    out = _END_STOP.sub("", _GLUED_LABEL.sub("", t))
    return out if _DIGIT.search(out) and len(out) >= 3 else (t if fallback is None else fallback)


def _dates(doc: Doc, ws: list[Word]) -> list[tuple[str, list[Word], float]]:
    from extraction.normalize import iso_date
    for s in range(min(4, len(ws))):
        for n in (1, 3, 2, 4):
            if s + n > len(ws):
                continue
            d = doc.date(" ".join(w.text for w in ws[s:s + n]).strip(":,"))
            if d is not None:
                stray = sum(1 for w in ws[:s] if _ALPHA_WORD.fullmatch(w.text)
                            and w.text.casefold().strip(":.") not in _FILLER)
                return [(iso_date(d), ws[s:s + n], max(0.1, 1.0 - 0.1 * s - 0.3 * stray))]
    return []


def _amounts(doc: Doc, ws: list[Word]) -> list[tuple[str, list[Word], float]]:
    from extraction.normalize import format_amount
    found = []
    k = 0
    while k < len(ws):
        got = None
        for n in (3, 2, 1):
            if k + n > len(ws):
                continue
            part = ws[k:k + n]
            if n > 1 and any(b.x0 - a.x1 > (0.045 if _split_cents(a, b) else 0.02)
                             for a, b in zip(part, part[1:])):
                continue
            v = doc.amount(" ".join(w.text for w in part))
            if v is not None:
                got = (format_amount(v), part)
                break
        if got:
            found.append(got)
            k += len(got[1])
        else:
            k += 1
    if not found:
        return []
    val, part = found[-1]                      # totals sit in the right-most column
    plaus = 1.0 if len(found) == 1 else 0.85
    if not _CENTS.search(" ".join(w.text for w in part)):
        plaus *= 0.6                           # totals are printed with cents
    return [(val, part, plaus)]


def _split_cents(a: Word, b: Word) -> bool:
    """OCR cut an amount at its decimal mark: "64." + "15"."""
    return bool(_DIGIT_MARK_END.search(a.text) and _TWO_DIGITS.fullmatch(b.text))


def _currency(doc: Doc, ws: list[Word]) -> list[tuple[str, list[Word], float]]:
    from extraction.normalize import normalize_currency
    for k, w in enumerate(ws[:3]):
        c = normalize_currency(w.text, doc.country)
        if c:
            return [(c, [w], 1.0 - 0.1 * k)]
    return []


def _vat(doc: Doc, ws: list[Word]) -> list[tuple[str, list[Word], float]]:
    from extraction.fields.terms import vat_shape_ok
    from extraction.normalize import normalize_vat_id, vat_id_valid
    for s in range(min(3, len(ws))):
        for n in range(min(5, len(ws) - s), 0, -1):
            txt = "".join(w.text for w in ws[s:s + n]).strip(":;,")
            v = normalize_vat_id(txt)
            if v and vat_id_valid(v):
                return [(v, ws[s:s + n], 1.0)]
            if v and vat_shape_ok(v):
                return [(v, ws[s:s + n], 0.75)]
    # labelled but malformed (sample data: "DE09687654321"): country prefix + 8-12 digits
    for s in range(min(3, len(ws))):
        raw = re.sub(r"[\s.\-]", "", ws[s].text).strip(":;,").upper()
        if re.fullmatch(r"(DE|AT|FR|BE|NL|IT|ES|LU)[0-9A-Z]{8,13}", raw) and \
                sum(ch.isdigit() for ch in raw) >= 8:
            return [(raw, ws[s:s + 1], 0.45)]
    return []


def _iban(doc: Doc, ws: list[Word]) -> list[tuple[str, list[Word], float]]:
    from extraction.normalize import iban_valid, normalize_iban
    for s in range(min(3, len(ws))):
        for n in range(min(9, len(ws) - s), 0, -1):
            v = normalize_iban("".join(w.text for w in ws[s:s + n]).strip(":;,"))
            if v and iban_valid(v):
                return [(v, ws[s:s + n], 1.0)]
    from extraction.normalize import iban_shape_ok
    for s in range(min(3, len(ws))):          # labelled but checksum-invalid (samples)
        for n in range(min(9, len(ws) - s), 0, -1):
            v = normalize_iban("".join(w.text for w in ws[s:s + n]).strip(":;,"))
            if v and (iban_shape_ok(v) or len(v) >= 15):
                return [(v, ws[s:s + n], 0.6 if iban_shape_ok(v) else 0.5)]
    return []


def _wrapped(doc: Doc, hit: Hit) -> tuple[list[Word], DLine] | None:
    """A label ending its line ("... auf folgende Bankverbindung: IBAN") with the value
    starting the next line."""
    ln = hit.line
    if len(ln.words) - hit.j > 2 or any(_DIGIT.search(w.text) for w in ln.words[hit.j:]):
        return None
    nxt = doc.lines[ln.idx + 1] if ln.idx + 1 < len(doc.lines) else None
    if nxt is None or nxt.page != ln.page or nxt.y0 - ln.y1 > 1.5 * ln.height or \
            nxt.words[0].x0 > hit.x0:
        return None
    return nxt.words[:9], nxt


def _name(doc: Doc, ws: list[Word]) -> list[tuple[str, list[Word], float]]:
    ws = [w for w in ws if w.text not in (":", "-")]
    if not ws or ws[0].text[0] in "/-&+(":
        return []
    txt = " ".join(w.text for w in ws).strip(" :")
    if len(txt) < 2 or not re.search(r"[A-Za-zÀ-ÿ]{2}", txt) or re.fullmatch(r"[\d\W]+", txt):
        return []
    if re.search(r"@|https?:|www\.|\d{3}", txt) or txt.endswith(":"):
        return []
    if re.fullmatch(r"([A-ZÀ-Ý]\.\s?)+[A-ZÀ-Ý][\w'\-]+", txt):
        return [(txt, ws, 0.45)]      # "P. Janssen": a contact person, not the party
    return [(txt, ws, 0.8)]


PARSERS: dict[str, Callable[[Doc, list[Word]], list[tuple[str, list[Word], float]]]] = {
    "id": _ids, "date": _dates, "amount": _amounts, "currency": _currency, "vat": _vat,
    "iban": _iban, "name": _name,
}


def _is_header_row(doc: Doc, hit: Hit) -> bool:
    """A row made only of labels (three or more: all but one word) is a column-header row."""
    hs = doc.hits_by_line.get(hit.line.idx, [])
    covered = sum(h.j - h.i for h in hs)
    if len(hs) >= 3:
        return covered >= len(hit.line.words) - 1
    return len(hs) == 2 and covered == len(hit.line.words)


def _totals_row(doc: Doc, hit: Hit) -> bool:
    """A row of three or more money labels and no values: the head of a totals table."""
    hs = doc.hits_by_line.get(hit.line.idx, [])
    money = [h for h in hs if {"total_net", "total_tax", "total_gross", "amount_due"} &
             set(h.fields)]
    return len(money) >= 3 and not any(_DIGIT.search(w.text) for w in hit.line.words)


def _money_columns(doc: Doc, hit: Hit) -> bool:
    """A money label in a run of three or more money labels with no digit from the first
    of them to the line's end ("... le taux  TOTAL HT  TOTAL TVA  TOTAL TTC"): column heads
    of a totals table, though running text precedes them on the line."""
    money = {"total_net", "total_tax", "total_gross", "amount_due"}
    if not money & set(hit.fields):
        return False
    hs = [h for h in doc.hits_by_line.get(hit.line.idx, []) if money & set(h.fields)]
    if len(hs) < 3:
        return False
    first = min(h.i for h in hs)
    return not any(_DIGIT.search(w.text) for w in hit.line.words[first:])


def _separated(hit: Hit, first: Word) -> bool:
    """Is a party label set off from the name to its right ("Client: X", "Client   X")?
    A name label run straight into text ("Buyer line 2") is an address line, not a label."""
    words = hit.line.words
    if words[hit.j - 1].text.endswith((":", "#")):
        return True
    if hit.j < len(words) and words[hit.j].text in (":", "#", "-", "–"):
        return True
    return first.x0 - hit.x1 > 0.02


def label_candidates(doc: Doc, wanted: tuple[str, ...]) -> dict[str, list[Cand]]:
    """All typed label-value candidates for the wanted header fields."""
    out: dict[str, list[Cand]] = {}
    wanted_set = set(wanted)
    for hit in doc.hits:
        fields = [f for f in hit.fields if f in wanted_set and KIND.get(f) in PARSERS]
        if not fields:
            continue
        spec = min(1.0, 0.75 + 0.1 * (hit.j - hit.i)) * (1.0 if len(fields) == 1 else 0.85)
        if hit.i > 0 and hit.line.words[hit.i - 1].text in _BULLETS:
            spec *= 0.85         # "• Bestell-Nr.: ..." under an item: a line-level reference
        right = _segment_right(doc, hit)
        header_row = _is_header_row(doc, hit)
        below, below_line = _segment_below(doc, hit, header_row or _money_columns(doc, hit))
        rel = hit.line.idx / max(1, len(doc.lines))
        nxt = hit.line.words[hit.j] if hit.j < len(hit.line.words) else None
        label_ends_segment = header_row or nxt is None or nxt.x0 - hit.x1 > 0.04 or (
            nxt.text in (":", "#") and (hit.j + 1 >= len(hit.line.words)
                                         or hit.line.words[hit.j + 1].x0 - nxt.x1 > 0.04))
        if not label_ends_segment and below and nxt is not None and \
                all(w.x1 <= nxt.x0 + 0.005 for w in below):
            label_ends_segment = True   # "Fälligkeit  Teilzahlung" / value under the first
        for f in fields:
            parse = PARSERS[KIND[f]]
            if KIND[f] == "amount":
                spec_f = spec * (0.88 + 0.12 * rel)   # totals sit low in the document
            else:
                spec_f = spec
            parsed_right = parse(doc, right)      # the parsers are pure: read once
            for (val, ws, plaus) in parsed_right:
                if hit.phrase.split()[-1] in _PREPOSITION and ws[0] is not right[0]:
                    continue               # "le" / "du" must be followed by the value itself
                if KIND[f] == "name" and not _separated(hit, ws[0]):
                    continue               # "Buyer line 2": a word of running text, not a label
                gap = max(0.0, ws[0].x0 - hit.x1)
                geo = 1.0 - min(0.25, gap * 0.6)
                out.setdefault(f, []).append(Cand(f, val, spec_f * geo * plaus, hit.line.page,
                                                  ws, hit.line.source, "right:" + hit.phrase))
            if KIND[f] == "iban" and not (right and parsed_right):
                wrap = _wrapped(doc, hit)
                for (val, ws, plaus) in (parse(doc, wrap[0]) if wrap else []):
                    out.setdefault(f, []).append(Cand(f, val, spec_f * 0.85 * plaus,
                                                      wrap[1].page, ws, wrap[1].source,
                                                      "wrapped:" + hit.phrase))
            if below and label_ends_segment and KIND[f] != "name" and \
                    (not right or not parsed_right):
                summed = _sum_row(doc, hit, below_line) if KIND[f] == "amount" and \
                    below_line is not None and _totals_row(doc, hit) else None
                if summed is not None:
                    for (val, ws, plaus) in parse(doc, summed[0]):
                        out.setdefault(f, []).append(Cand(f, val, spec_f * plaus, summed[1].page,
                                                          ws, summed[1].source,
                                                          "below-sum:" + hit.phrase))
                    continue
                for (val, ws, plaus) in parse(doc, below):
                    assert below_line is not None
                    dy = max(0.0, below_line.y0 - hit.line.y1) / max(hit.line.height, 0.005)
                    geo = 0.9 - min(0.3, 0.1 * dy)
                    out.setdefault(f, []).append(Cand(f, val, spec_f * geo * plaus,
                                                      below_line.page, ws, below_line.source,
                                                      "below:" + hit.phrase))
    return out
