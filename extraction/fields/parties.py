"""Parties without templates: seller (issuer), buyer (recipient), addresses.

Lines are cut into *segments* at wide horizontal gaps (two columns on one visual line).
Seller candidates: the sender line above the address window ("ACME GmbH · Street 1 ·
12345 City"), company-like segments (legal-form suffix) at the top of page 1, the largest
text at the top, and company-like segments in the footer.  Buyer candidates: the first
line of the recipient block (a left-hand block in the upper part of page 1 ending with a
postcode + city line).  Label-based candidates ("Bill to", "Verkäufer"...) come from
`header.py` and are merged by the caller.
"""
from __future__ import annotations

import re
from functools import lru_cache

from extraction.fields import lex
from extraction.fields.doc import Cand, Doc, DLine
from extraction.layout import Word

LEGAL = re.compile(
    r"(?:\b(?:GmbH|AG|KG|KGaA|SE|SARL|SAS|SASU|EURL|SA|S\.A\.?|Ltd|Limited|Inc|LLC|B\.V|BV|"
    r"N\.V|NV|e\.K|OHG|UG|GbR|Corp|Corporation|PLC|plc|S\.à\s?r\.l|Sàrl|SNC|Co|GmbH\s?&\s?Co|"
    r"Sdn\.?\s?Bhd|Bhd|Pvt|Pte|S\.p\.A|SpA|S\.r\.l|Srl|SRL|SPRL|BVBA|e\.U|a\.G)"
    r"\b\.?|\b(?:S[DO0]N\.?\s?BH[DO0]|BHD|BERHAD|ENTERPRISES?|TRADING|LTD|LIMITED|GMBH|PLT|"
    r"S/B|INC|LLC|PTE|CORPORATION)\b\.?)", re.UNICODE)
POSTCODE_CITY = re.compile(r"(?:\b[A-Z]{1,2}-)?\b\d{4,5}\s+[A-ZÀ-Ýa-zß][\w\-' .]+|"
                           r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b|, [A-Z]{2} \d{5}")
SEP = re.compile(r"\s+[·•|–]\s+|\s+-\s+|\s{3,}")
_SKIP_WORDS = {"herr", "frau", "firma", "monsieur", "madame", "m.", "mme", "mr", "mrs", "ms",
               "z.hd.", "attn", "attn:", "c/o", "an", "to", "a", "t.a.v."}
SEG_GAP = 0.045
INITIAL_PERSON = re.compile(r"([A-ZÀ-Ý]\.\s?)+[A-ZÀ-Ý][\w'\-]+")   # "C. Martin": a contact
# "Payer: X", "To: X": a labelled value, not a letterhead
_LABEL_LEAD = re.compile(r"^[A-Za-zÀ-ÿ][\w .\-]{0,24}:\s")


# Document-type headings beyond the classifier's cue phrases (`labels_data.DOC_TYPE_CUES`):
# head nouns, and qualifiers that only ever accompany one ("PAYMENT RECEIPT", "Tax Invoice
# Copy").  A name made only of these words is a title, never a party.
_TITLE_HEADS = frozenset(
    "invoice invoices bill receipt receipts quittung beleg kassenbeleg kassenbon recu quittance "
    "ticket facture factures rechnung factuur fattura factura statement quotation quote "
    "angebot devis offerte proforma lieferschein delivery note bordereau memo order orders "
    "bestellung commande auftragsbestatigung confirmation gutschrift avoir".split())
_TITLE_QUALIFIERS = frozenset(
    "payment paiement zahlungs zahlung cash sales tax vat official original copy duplicate "
    "simplified commercial pro forma de du d la of credit debit purchase bon client customer "
    "final interim advance acompte abschlags teil partial summary and et und".split())


@lru_cache(maxsize=1)
def _title_vocab() -> tuple[frozenset[str], frozenset[str]]:
    """(head words, every word allowed in a title), from the strong cue phrases + above."""
    strong = [k for k, v in lex.cue_index().items() if any(s.endswith(":strong") for s in v)]
    heads = _TITLE_HEADS | {k for k in strong if " " not in k}
    return heads, heads | _TITLE_QUALIFIERS | {t for k in strong for t in k.split()}


def is_doc_title(text: str) -> bool:
    """A document-type heading ("PAYMENT RECEIPT", "Facture", "Bon de commande")."""
    toks = [t for w in text.split() for t in lex.normalise(w).split() if not t.isdigit()]
    if not toks:
        return False
    heads, vocab = _title_vocab()
    return any(t in heads for t in toks) and all(t in vocab for t in toks)


def segments(ln: DLine) -> list[list[Word]]:
    segs: list[list[Word]] = []
    for w in ln.words:
        if segs and w.x0 - segs[-1][-1].x1 <= SEG_GAP:
            segs[-1].append(w)
        else:
            segs.append([w])
    return segs


def _text(ws: list[Word]) -> str:
    return " ".join(w.text for w in ws)


def _is_titleish(doc: Doc, ln: DLine, ws: list[Word]) -> bool:
    from extraction.fields import lex
    norms = [lex.normalise(w.text) for w in ws]
    if lex.find_cues(norms):
        return True
    txt = _text(ws)
    if is_doc_title(txt):
        return True
    if not re.search(r"[A-Za-zÀ-ÿ]{3}", txt) or re.search(r"@|www\.|https?:|\+\d", txt):
        return True
    if len(ws) > 3 or not doc.hits_by_line.get(ln.idx):
        return False
    first, last = ws[0].x0, ws[-1].x1      # a label inside this very segment
    return any(h.x0 >= first - 1e-6 and h.x1 <= last + 1e-6 for h in doc.hits_by_line[ln.idx])


def _first_part(txt: str) -> str:
    return SEP.split(txt)[0].strip(" ,;")


def _letterhead_block(doc: Doc, ln: DLine, ws: list[Word]) -> bool:
    """A company name heading its own address block: "Coolblue B.V." / "Weena 664" /
    "3012 CN Rotterdam" in the same column, and no recipient label above it."""
    prev = doc.lines[ln.idx - 1] if ln.idx > 0 else None
    if prev is not None and prev.page == ln.page and any(
            set(h.fields) & {"buyer_name", "ship_to", "payer_name"}
            for h in doc.hits_by_line.get(prev.idx, [])):
        return False
    x0, x1 = ws[0].x0, ws[-1].x1
    last = ln
    for other in doc.lines[ln.idx + 1:ln.idx + 5]:
        if other.page != ln.page or other.y0 - last.y1 > 2.0 * ln.height:
            return False
        col = [w for w in other.words if w.x0 < x1 and w.x1 > x0 and abs(w.x0 - x0) < 0.03
               or w.x0 >= x0 - 0.01 and w.x0 < x1 and w is other.words[0]]
        if not col:
            continue
        last = other
        if POSTCODE_CITY.search(_text([w for w in other.words if w.x0 >= x0 - 0.01])):
            return True
    return False


def seller_candidates(doc: Doc) -> list[Cand]:
    out: list[Cand] = []
    first = doc.lines_on(doc.pages[0].number) if doc.pages else []
    if not first:
        return out
    heights = sorted(ln.height for ln in first)
    med_h = heights[len(heights) // 2]
    from extraction.fields.roles import strip_title
    for ln in first:
        y = ln.y0
        for ws in segments(ln):
            if y < 0.22:
                ws = strip_title(doc, ln, ws)   # "ACME GmbH   Credit Note"
            txt = _text(ws)
            if _is_titleish(doc, ln, ws) or _LABEL_LEAD.match(txt):
                continue
            legal = bool(LEGAL.search(txt))
            small = ln.height < med_h * 0.95
            # sender line above the address window
            if 0.08 < y < 0.35 and small and (SEP.search(txt) or ", " in txt) and \
                    POSTCODE_CITY.search(txt):
                name = _first_part(re.split(r",\s", txt)[0] if not SEP.search(txt) else txt)
                streetish = bool(re.search(r"\d", name)) and not LEGAL.search(name)
                if len(name) >= 3 and not streetish and not POSTCODE_CITY.search(name) and \
                        POSTCODE_CITY.search(txt[len(name):]):
                    out.append(Cand("seller_name", name, 0.62 + (0.1 if legal else 0),
                                    ln.page, ws, ln.source, "sender-line"))
                continue
            if y < 0.22:
                name = _first_part(txt)
                if legal:
                    part = name if LEGAL.search(name) else txt
                    head = _letterhead_block(doc, ln, ws)
                    out.append(Cand("seller_name", part, 0.6 - y + (0.2 if head else 0.0),
                                    ln.page, ws, ln.source,
                                    "top-legal" + ("+block" if head else "")))
                elif ln.height >= med_h * 1.25 and len(name) >= 3:
                    out.append(Cand("seller_name", name, 0.5 - y, ln.page, ws, ln.source,
                                    "top-large"))
            elif y > 0.82 and legal:
                out.append(Cand("seller_name", _first_part(txt), 0.42, ln.page, ws, ln.source,
                                "footer-legal"))
    out.extend(_legal_line(doc, first))
    out.extend(_issuer_statements(doc))
    if not out:
        for ln in first[:3]:
            ws = segments(ln)[0]
            if is_doc_title(_text(ws)):
                continue                    # "PAYMENT RECEIPT" over the letterhead
            if _LABEL_LEAD.match(ln.text) or doc.hits_by_line.get(ln.idx):
                break                       # "Guest Name: ...": the body has begun
            if not _is_titleish(doc, ln, ws) and ln.y0 < 0.2:
                out.append(Cand("seller_name", _first_part(_text(ws)), 0.3, ln.page, ws,
                                ln.source, "first-line"))
                break
    return out


def _blocks(lines: list[DLine]) -> list[list[tuple[DLine, list[Word]]]]:
    """Left-aligned runs of segments (address-like blocks) on one page."""
    items = []
    for ln in lines:
        for ws in segments(ln):
            items.append((ln, ws))
    blocks: list[list[tuple[DLine, list[Word]]]] = []
    for ln, ws in items:
        placed = False
        for b in blocks:
            pl, pw = b[-1]
            if abs(pw[0].x0 - ws[0].x0) < 0.012 and 0 < ln.y0 - pl.y1 < 1.6 * pl.height \
                    and ln.idx != pl.idx:
                b.append((ln, ws))
                placed = True
                break
        if not placed:
            blocks.append([(ln, ws)])
    return blocks


def buyer_candidates(doc: Doc, seller_names: set[str]) -> list[Cand]:
    out: list[Cand] = []
    if not doc.pages:
        return out
    first = [ln for ln in doc.lines_on(doc.pages[0].number) if ln.y0 < 0.5]
    for b in _blocks(first):
        if len(b) < 2 or len(b) > 8:
            continue
        if not any(POSTCODE_CITY.search(_text(ws)) for _, ws in b[1:]):
            continue
        x0 = b[0][1][0].x0
        for k, (ln, ws) in enumerate(b):
            txt = _text(ws)
            if _is_titleish(doc, ln, ws) or txt.casefold().strip(" :") in _SKIP_WORDS:
                continue
            if SEP.search(txt) and POSTCODE_CITY.search(txt):
                continue          # sender line
            if POSTCODE_CITY.search(txt) or re.match(r"^\d", txt):
                break
            score = 0.5 + (0.1 if x0 < 0.5 else -0.1) - 0.05 * k
            if txt.strip().casefold() in seller_names:
                score -= 0.3
            out.append(Cand("buyer_name", txt.strip(), score, ln.page, ws, ln.source,
                            "address-block"))
            break
    return out


def address_below(doc: Doc, cand: Cand, field: str) -> Cand | None:
    """The address lines under a name candidate (same left edge), joined with ', '."""
    if not cand.words:
        return None
    x0 = cand.words[0].x0
    lines = [ln for ln in doc.lines if ln.page == cand.page and ln.y0 > cand.words[0].y1 - 0.002]
    got: list[Word] = []
    parts: list[str] = []
    last_y = cand.words[0].y1
    for ln in lines:
        if ln.y0 - last_y > 2.0 * ln.height:
            break
        ws = [s for s in segments(ln) if abs(s[0].x0 - x0) < 0.015]
        if not ws:
            continue
        parts.append(_text(ws[0]))
        got.extend(ws[0])
        last_y = ln.y1
        if POSTCODE_CITY.search(_text(ws[0])) or len(parts) >= 4:
            break
    if not parts:
        return None
    return Cand(field, ", ".join(parts), cand.score * 0.8, cand.page, got, cand.source,
                "below-name")


_NAME_LEAD = {"name", "nom", "firma", "company", "raison sociale", "societe", "denomination"}
_SECTION_FIELDS = ("seller_name", "buyer_name", "ship_to", "payer_name")


def section_candidates(doc: Doc, wanted: set[str]) -> list[Cand]:
    """A party label heading its own block ("Verkäufer", "Bill to:") -> the name below it,
    or after a "Name:" line inside the block."""
    out: list[Cand] = []
    for hit in doc.hits:
        fields = [f for f in hit.fields if f in _SECTION_FIELDS and f in wanted]
        if not fields:
            continue
        ln = hit.line
        rest = [w for w in ln.words[hit.j:] if w.x0 - hit.x1 < 0.04 and w.text not in (":",)]
        if rest and rest[0].x0 - hit.x1 < 0.04:
            continue                      # label has a value on its right: header.py's job
        x0 = hit.x0
        seen = 0
        for other in doc.below(ln, 8.0):
            ws = [s for s in segments(other) if abs(s[0].x0 - x0) < 0.03 or
                  (s[0].x0 <= x0 + 0.01 and s[-1].x1 > x0 + 0.02)]
            if not ws:
                continue
            seg = ws[0]
            seen += 1
            if seen > 6:
                break
            txt = _text(seg)
            norms = [lex.normalise(w.text) for w in seg]
            lead = norms[0] if norms else ""
            if lead in _NAME_LEAD:
                k0 = other.words.index(seg[0])
                val = [w for w in other.words[k0 + 1:] if w.text != ":"]
                if val:
                    val = _line_above(doc, other, val) + val
                    name = _text(val).strip(" :")
                    for f in fields:
                        out.append(Cand(f, name, 0.8, other.page, val, other.source,
                                        "section-name"))
                    break
                nxt = next(iter(doc.below(other, 2.0)), None)
                if nxt is not None:
                    for f in fields:
                        out.append(Cand(f, nxt.text.strip(), 0.72, nxt.page, nxt.words,
                                        nxt.source, "section-name-below"))
                break
            labelled = doc.hits_by_line.get(other.idx) and any(
                h.i == other.words.index(seg[0]) for h in doc.hits_by_line[other.idx])
            if labelled or ":" in other.text or re.match(r"^[\d+(]", txt) or \
                    re.search(r"\d{6,}", txt) or \
                    not re.search(r"[A-Za-zÀ-ÿ]{2}", txt) or _is_titleish(doc, other, seg):
                continue
            person = 0.55 if INITIAL_PERSON.fullmatch(txt.strip()) else 1.0
            seg, txt = _continued_name(doc, other, seg, txt)
            for f in fields:
                out.append(Cand(f, txt.strip(), (0.68 - 0.04 * (seen - 1)) * person,
                                other.page, seg, other.source, "section-first"))
            break
    return out


def _line_above(doc: Doc, ln: DLine, val: list[Word]) -> list[Word]:
    """First line of a two-line value printed beside a vertically centred label ("Name:"):
    unlabelled words right above the value, starting at the same x."""
    if ln.idx == 0:
        return []
    prev = doc.lines[ln.idx - 1]
    if prev.page != ln.page or ln.y0 - prev.y1 > 0.6 * ln.height:
        return []
    ws = [w for w in prev.words if w.x0 >= val[0].x0 - 0.005]
    if not ws or abs(ws[0].x0 - val[0].x0) > 0.008 or len(ws) != len(
            [w for w in prev.words if w.x0 > val[0].x0 - 0.1]) or \
            doc.hits_by_line.get(prev.idx) or re.search(r"\d|:", _text(ws)):
        return []
    return ws


_SALUTATION = {"herrn", "herr", "frau", "mr", "mrs", "ms", "monsieur", "madame", "m", "mme"}


def _continued_name(doc: Doc, ln: DLine, seg: list[Word], txt: str) -> tuple[list[Word], str]:
    """A party name printed over two lines: "Herrn / Max Mustermann", "MVM Musterhafter /
    Versicherungsverein Musterstadt a.G." (the legal form only on the second line)."""
    nxt = next(iter(doc.below(ln, 1.6)), None)
    if nxt is None:
        return seg, txt
    nseg = [s for s in segments(nxt) if abs(s[0].x0 - seg[0].x0) < 0.01]
    if not nseg:
        return seg, txt
    ntxt = _text(nseg[0])
    if POSTCODE_CITY.search(ntxt) or re.search(r"\d", ntxt) or ":" in ntxt:
        return seg, txt
    salut = lex.normalise(txt.strip()) in _SALUTATION
    legal_next = bool(LEGAL.search(ntxt) or re.search(r"\ba\.\s?G\.", ntxt)) and \
        not LEGAL.search(txt)
    if salut or legal_next:
        return seg + nseg[0], f"{txt.strip()} {ntxt.strip()}"
    return seg, txt


_SECTION_OF = {"seller_name": "seller", "buyer_name": "buyer", "payer_name": "buyer",
               "ship_to": "ship"}


def section_of(doc: Doc, cand: Cand) -> str | None:
    """Which party block a value sits in: the nearest party heading above it in its column
    (or on its own line to the left)."""
    if not cand.words or cand.page is None:
        return None
    x, y = cand.words[0].x0, cand.words[0].y0
    best: tuple[float, str] | None = None
    for h in doc.hits:
        if h.line.page != cand.page:
            continue
        kinds = [_SECTION_OF[f] for f in h.fields if f in _SECTION_OF]
        if len(set(kinds)) != 1:
            continue
        hy = h.line.y0
        if hy > y + 0.002 or y - hy > 0.35:
            continue
        if not (h.x0 - 0.03 <= x and (x - h.x0) < 0.45):
            continue
        # the heading column must be the nearest one to the left
        d = (y - hy) + 0.5 * abs(x - h.x0)
        if best is None or d < best[0]:
            best = (d, kinds[0])
    return best[1] if best else None


_REG_TAIL = re.compile(r"\s*[(<\[{]?\s*(?:co\.?\s*(?:reg|no)\.?\s*:?\s*)?\d{3,}[\s-]*[A-Z]\b.*$", re.I)
_LEGAL_ONLY = re.compile(r"^\(?[A-Z]{1,2}\)?\s*$")


def _legal_line(doc: Doc, first: list[DLine]) -> list[Cand]:
    """The first full line at the top carrying a legal form ("MR. D.I.Y. (M) SDN BHD"),
    joined with the line above when it holds only the legal form ("(M) SDN BHD" under
    "POPULAR BOOK CO."); a trailing registration number ("(126926-H)") is dropped."""
    if not first or first[0].source != "ocr":
        return []                 # scanned receipts; digital letterheads have other rules
    for k, ln in enumerate(first):
        if ln.y0 > 0.3:
            break
        txt = ln.text
        if _LABEL_LEAD.match(txt) or doc.hits_by_line.get(ln.idx):
            continue
        m = LEGAL.search(txt)
        if not m or re.search(r"@|www\.|https?:|\btel\b|\bfax\b", txt, re.I):
            continue
        head = txt[:m.start()].strip()
        words = list(ln.words)
        if k > 0 and (not head or _LEGAL_ONLY.match(head) or len(head) <= 4):
            prev = first[k - 1]
            gap = ln.y0 - prev.y1
            if gap < 2.5 * ln.height and not re.search(r"\d{3,}", prev.text) and \
                    re.search(r"[A-Za-z]{2}", prev.text):
                txt = prev.text + " " + txt
                words = list(prev.words) + words
        txt = _REG_TAIL.sub("", txt[:len(txt)]).strip(" ,;:-")
        # keep up to the end of the legal form
        ms = list(LEGAL.finditer(txt))
        if ms:
            txt = txt[:ms[-1].end()].strip()
        if len(txt) < 4:
            continue
        # OCR misreads of the Malaysian legal form ("SON BHD", "SDN 8HD")
        txt = re.sub(r"\bS[O0IB]N(\.?\s?)[B8]H[DO0]\b", r"SDN\1BHD", txt)
        return [Cand("seller_name", txt, 0.8 - ln.y0 * 0.3, ln.page, words, ln.source,
                     "top-legal-line")]
    return []


# "Titulaire du compte : NETPRESSE", "Account holder: ACME Ltd" in the payment block
_HOLDER = re.compile(
    r"\b(?:titulaire(?:\s+du\s+compte)?|account\s+(?:holder|name)|kontoinhaber(?:in)?|"
    r"beneficiary(?:\s+name)?|b[ée]n[ée]ficiaire)\s*:\s*(?P<v>[^:]+?)\s*"
    r"(?=$|\s[-–—|·]\s|,|;|\s{3,}|\b(?:IBAN|BIC|SWIFT|Bank|Banque)\b)", re.I)
# "Payment received by OYO Paid through ...": a receipt names its issuer as the payee
_RECEIVED_BY = re.compile(r"\b(?:payment|amount)\s+received\s+by\s+(?P<v>.+)$", re.I)
_NAME_STOP = {"paid", "via", "through", "on", "vide", "by", "for", "dated", "at", "from", "with"}
HOLDER_SCORE = 0.8
FOOTER_Y = 0.8


def _footer_names(doc: Doc) -> dict[str, tuple[DLine, list[Word]]]:
    """Whole segments of the footer band, keyed by their folded text."""
    out: dict[str, tuple[DLine, list[Word]]] = {}
    for ln in doc.lines:
        if ln.y0 < FOOTER_Y:
            continue
        for ws in segments(ln):
            out.setdefault(_text(ws).strip(" ,;").casefold(), (ln, ws))
    return out


def _issuer_statements(doc: Doc) -> list[Cand]:
    """The issuer named in the body: the holder of the account to pay into, kept only when
    the footer (the issuer's own imprint) repeats the name as a line of its own -- a
    customer's mandate ("Kontoinhaber: Max Mustermann") names the customer, who appears
    in the address window, not in the footer; and the payee of a receipt ("Payment
    received by X")."""
    out: list[Cand] = []
    footer: dict[str, tuple[DLine, list[Word]]] | None = None
    for ln in doc.lines:
        m = _HOLDER.search(ln.text)
        if m:
            name = m["v"].strip(" .,;")
            if len(name) >= 3 and re.search(r"[A-Za-zÀ-ÿ]{3}", name) and \
                    not re.search(r"\d{3,}", name) and not is_doc_title(name):
                if footer is None:
                    footer = _footer_names(doc)
                hit = footer.get(name.casefold())
                if hit is not None and hit[0].idx != ln.idx:
                    fl, fws = hit
                    words = [w for w in ln.words if w.text in name.split()] or ln.words
                    out.append(Cand("seller_name", name, HOLDER_SCORE, ln.page, words,
                                    ln.source, "account-holder"))
                    out.append(Cand("seller_name", _text(fws).strip(" ,;"), HOLDER_SCORE,
                                    fl.page, fws, fl.source, "footer-holder"))
        m = _RECEIVED_BY.search(ln.text)
        if m:
            toks: list[str] = []
            for t in m["v"].split():
                if t.casefold() in _NAME_STOP or not t[:1].isupper() or len(toks) >= 4:
                    break
                toks.append(t)
                if t[-1:] in ",.;(":
                    break
            name = " ".join(toks).strip(" ,.;(")
            if len(name) >= 2 and not is_doc_title(name):
                words = [w for w in ln.words if w.text in toks]
                out.append(Cand("seller_name", name, 0.5, ln.page, words, ln.source,
                                "received-by"))
    return out
