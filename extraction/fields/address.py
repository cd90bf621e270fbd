"""Postal addresses as blocks of lines: the issuer's address next to its name, and the
delivery address under a "Ship to" / "Lieferanschrift" heading.

An address is read as consecutive lines aligned with its first line: street / building
lines, then a postcode + city line, then optionally a country line.  The same address is
often printed several times (letterhead, sender line "Name | Street | City", footer), so
every occurrence of the issuer's name is tried and the most complete reading wins.
"""
from __future__ import annotations

import re

from extraction.fields.doc import Cand, Doc, DLine
from extraction.layout import Word

_COUNTRY_NAMES = frozenset(x.strip() for x in (
    "germany|deutschland|allemagne|duitsland|austria|osterreich|autriche|oostenrijk|"
    "switzerland|schweiz|suisse|svizzera|zwitserland|france|frankreich|frankrijk|belgium|"
    "belgien|belgique|belgie|netherlands|the netherlands|niederlande|pays bas|nederland|"
    "luxembourg|luxemburg|italy|italien|italie|italia|spain|spanien|espagne|espana|poland|"
    "polen|pologne|denmark|danemark|sweden|schweden|suede|norway|norwegen|finland|finnland|"
    "czech republic|tschechien|ireland|irland|irlande|portugal|united kingdom|uk|"
    "great britain|grossbritannien|royaume uni|usa|united states|united states of america|"
    "us|vereinigte staaten|etats unis|canada|kanada").split("|"))
_LOGO = re.compile(r"^[A-Z]{1,3}$")


def is_country(ln_norm: str) -> bool:
    return ln_norm.strip() in _COUNTRY_NAMES


def _postcode(txt: str) -> bool:
    from extraction.fields.parties import POSTCODE_CITY
    return bool(POSTCODE_CITY.search(txt))


def _stop_line(doc: Doc, ln: DLine, ws: list[Word]) -> bool:
    """Lines that end an address: labels, titles, closing formulas, contact data."""
    from extraction.fields.parties import _is_titleish
    from extraction.fields.roles import _CLOSING
    txt = " ".join(w.text for w in ws)
    norm = " ".join(ln.norms)
    if ":" in txt or _CLOSING.match(norm) or re.search(r"@|www\.|https?:|\+\d|\btel\b", txt,
                                                      re.IGNORECASE):
        return True
    if doc.hits_by_line.get(ln.idx) and any(h.i == ln.words.index(ws[0])
                                            for h in doc.hits_by_line[ln.idx]):
        return True
    return _is_titleish(doc, ln, ws) and not is_country(" ".join(
        doc_norm(w) for w in ws))


def doc_norm(w: Word) -> str:
    from extraction.fields import lex
    return lex.normalise(w.text)


def read_block(doc: Doc, lines: list[tuple[DLine, list[Word]]]) -> tuple[list[str], list[Word]]:
    """Address parts from aligned (line, segment) pairs: stop after postcode (+ country)."""
    parts: list[str] = []
    got: list[Word] = []
    seen_pc = False
    for ln, ws in lines:
        ws = list(ws)
        if not parts and len(ws) > 1 and _LOGO.match(ws[0].text) and re.match(r"\d", ws[1].text):
            ws = ws[1:]                       # logo initials printed into the street line
        txt = " ".join(w.text for w in ws).strip(" ,")
        norm = " ".join(doc_norm(w) for w in ws)
        if seen_pc:
            if is_country(norm):
                parts.append(txt)
                got.extend(ws)
                break
            if not (_postcode(txt) and not _stop_line(doc, ln, ws)):
                break                     # "2475 Commerce Drive" looked like a postcode

        if _stop_line(doc, ln, ws) and not is_country(norm):
            break
        from extraction.fields.parties import SEP
        pieces = [p.strip(" ,") for p in SEP.split(txt) if p.strip(" ,")]
        parts.extend(pieces or [txt])          # "Street 1 | 12345 City | Country"
        got.extend(ws)
        if _postcode(txt):
            seen_pc = True
            if len(pieces) > 1 and is_country(doc_norm(Word(pieces[-1], 0, 0, 0, 0))):
                break
        if len(parts) >= 5:
            break
    if not seen_pc:
        return [], []
    return parts, got


def _segments_at(doc: Doc, ln: DLine, x0: float, tol: float = 0.02) -> list[Word] | None:
    from extraction.fields.parties import segments
    for s in segments(ln):
        if abs(s[0].x0 - x0) < tol:
            return s
    return None


def block_below(doc: Doc, ln: DLine, x0: float, max_lines: int = 6) -> list[tuple[DLine, list[Word]]]:
    """Segments aligned at `x0` on the lines right below `ln` (no wide vertical gap)."""
    out: list[tuple[DLine, list[Word]]] = []
    last = ln
    for other in doc.lines[ln.idx + 1:]:
        if other.page != ln.page or other.y0 - last.y1 > 1.8 * max(last.height, other.height):
            break
        seg = _segments_at(doc, other, x0)
        if seg is None:
            if out:
                break
            continue
        out.append((other, seg))
        last = other
        if len(out) >= max_lines:
            break
    return out


def centred_below(doc: Doc, ln: DLine, seg: list[Word], max_lines: int = 5
                  ) -> list[tuple[DLine, list[Word]]]:
    """Centred letterheads (receipts): the lines below a name whose centre is near the
    name's centre; a registration number or date line right under the name is skipped."""
    cx = (seg[0].x0 + seg[-1].x1) / 2
    out: list[tuple[DLine, list[Word]]] = []
    last = ln
    for other in doc.lines[ln.idx + 1:ln.idx + 4 + max_lines]:
        if other.page != ln.page or other.y0 - last.y1 > 2.5 * max(last.height, other.height):
            break
        ocx = (other.bbox[0] + other.bbox[2]) / 2
        if abs(ocx - cx) > 0.08:
            break
        last = other
        txt = other.text
        if not out and (not re.search(r"[A-Za-zÀ-ÿ]{3}", txt) or re.match(r"^[({\[]", txt)
                        or doc.date(" ".join(txt.split()[:3])) is not None):
            continue                     # "(867388-L)", "14 Mar 2018 18:40"
        out.append((other, other.words))
        if len(out) >= max_lines:
            break
    return out


def ship_to_candidates(doc: Doc) -> list[Cand]:
    """The address block under a delivery-address heading (the heading alone or with a
    value to its right that belongs to another label)."""
    out: list[Cand] = []
    for hit in doc.hits:
        if "ship_to" not in hit.fields:
            continue
        ln = hit.line
        right = [w for w in ln.words[hit.j:] if w.text != ":"]
        if right and right[0].x0 - hit.x1 < 0.03:
            inline = " ".join(w.text for w in right)
            if _postcode(inline):
                out.append(Cand("ship_to", inline, 0.7, ln.page, right, ln.source,
                                "ship-inline"))
            continue
        parts, got = read_block(doc, block_below(doc, ln, hit.x0))
        if parts:
            out.append(Cand("ship_to", ", ".join(parts), 0.78, ln.page, got, ln.source,
                            "ship-block"))
    return out


def issuer_address(doc: Doc, name: str, page_hint: int | None = None) -> Cand | None:
    """The most complete address printed with the issuer's name: on the same line after
    separators ("Name | Street | 12345 City | Country") or in the lines below it."""
    from extraction.fields.parties import SEP, segments
    key = re.sub(r"\s+", " ", name).strip().casefold()
    if len(key) < 3:
        return None
    rc = receipt_address(doc, name)
    if rc is not None:
        return rc
    best: tuple[float, Cand] | None = None
    for ln in doc.lines:
        for seg in segments(ln):
            txt = " ".join(w.text for w in seg)
            if not txt.casefold().startswith(key):
                continue
            rest = txt[len(key):].strip(" ,|·•–-")
            from extraction.fields.parties import LEGAL
            lead = LEGAL.match(rest)
            if lead:                              # "Au bon moulin | SARL, 1242 chemin ..."
                rest = rest[lead.end():].strip(" ,|·•–-")
            parts: list[str] = []
            got: list[Word] = []
            if rest:
                pieces = [p.strip(" ,") for p in SEP.split(rest) if p.strip(" ,")]
                if len(pieces) == 1:
                    pieces = [p.strip() for p in rest.split(",") if p.strip()]
                keep = []
                for p in pieces:
                    if re.search(r"@|www\.|\+\d|:", p):
                        break
                    keep.append(p)
                if any(_postcode(p) for p in keep):
                    parts, got = keep, seg
            if not parts:
                parts, got = read_block(doc, block_below(doc, ln, seg[0].x0, 5))
            if not parts:
                parts, got = read_block(doc, centred_below(doc, ln, seg))
            if not parts:
                continue
            score = 0.55 + 0.05 * min(len(parts), 4) + (0.05 if is_country(
                doc_norm(Word(parts[-1], 0, 0, 0, 0))) else 0.0)
            c = Cand("seller_address", ", ".join(parts), score, ln.page, got, ln.source,
                     "issuer-address")
            if best is None or score > best[0]:
                best = (score, c)
    return best[1] if best else None


# --- receipts (scanned till slips, e.g. Malaysian SROIE) -------------------------------
_ALNUM = re.compile(r"[^0-9a-z]")
_RC_STOP = re.compile(
    r"\b(tel|telephone|phone|fax|h/?p|hp|gst|reg|regn|invoice|receipt|tax|e-?mail|website|"
    r"cashier|table|date|time|doc|counter|bill|order|member|slip|trans|pos)\b|\bco\s*\.|"
    r"@|www\.|https?:|\.com\b|\b0\d{1,2}\s*-\s*\d{3,4}\s*\d{3,4}\b|\b1[38]00\s*-?\s*\d\d",
    re.IGNORECASE)
_RC_REGNO = re.compile(r"\d{3,}\s*-\s*[A-Z]\)?\s*$|^\(\s*\w*\d|^\S*\d\S*-[A-Z]\)?$")
_RC_POSTCODE = re.compile(r"\b\d{5}\b")
_RC_LOTNO = re.compile(r"(?:^\W*(?:(?:lot|p\.?\s*t)\b[\s.,:]*)+|\b(?:lot|no|pt)\W{0,3})$",
                       re.IGNORECASE)


def _has_postcode(txt: str) -> bool:
    """A 5-digit postcode, not a lot / plot number ("LOT 11995", "LOT P.T, 33198")."""
    return any(not _RC_LOTNO.search(txt[:m.start()]) for m in _RC_POSTCODE.finditer(txt))
# an address label: "ADD:", "ADDRESS.", "HQ ADD:" (head office, OCR'd "HO ADD:")
_RC_ADD = re.compile(r"^(?:h[qo]\s*|head\s*office\s*)?add(?:ress)?\s*[:.;]\s*", re.IGNORECASE)
_RC_STREET = re.compile(
    r"\b(lot|no|unit|jalan|jln|lorong|lrg|taman|tmn|flr|floor|level|block|blok|plaza|wisma|"
    r"kompleks|complex|kawasan|persiaran|lebuh|lebuhraya|batu|bangunan|menara|mall|seksyen)\b",
    re.IGNORECASE)
_RC_LEGAL = re.compile(r"\b(sdn|bhd|s/b|dimiliki|owned)\b", re.IGNORECASE)
_RC_STATE = frozenset(
    "johor selangor kuala lumpur kl malaysia darul ehsan takzim d e de wilayah persekutuan "
    "perak pahang kedah kelantan terengganu melaka malacca negeri sembilan penang pulau "
    "pinang sabah sarawak perlis putrajaya labuan".split())


def _is_receipt(doc: Doc) -> bool:
    if not doc.pages or len(doc.pages) > 2:
        return False
    p = doc.pages[0]
    return p.source == "ocr" and p.width > 0 and p.height / p.width > 1.5


def _fuzzy_in(key: str, t: str) -> bool:
    """The (OCR-repaired) name matches the line up to a few misread characters:
    "mrdiysdnbhd" in "mrdiysonbhd12345"."""
    from difflib import SequenceMatcher
    if len(key) < 6:
        return False
    best = max(SequenceMatcher(None, key, t[:len(key) + d], autojunk=False).ratio()
               for d in (0, 2))           # the name alone, or with a speck glued on
    return best >= 0.85 or (len(t) >= 6 and SequenceMatcher(
        None, key[:len(t)], t, autojunk=False).ratio() >= 0.85 and len(t) >= 0.5 * len(key))


def receipt_address(doc: Doc, name: str) -> Cand | None:
    """Receipts: the centred lines right under the shop's name (and its registration
    number), up to the phone / GST / title / date lines."""
    if not _is_receipt(doc):
        return None
    key = _ALNUM.sub("", name.casefold())
    if len(key) < 4:
        return None
    top = [ln for ln in doc.lines if ln.page == doc.pages[0].number and ln.y0 < 0.45]
    anchor = -1
    for k, ln in enumerate(top[:15]):
        t = _ALNUM.sub("", ln.text.casefold())
        if len(t) >= 4 and (key in t or t in key or (len(key) >= 10 and key[:10] in t)
                            or _fuzzy_in(key, t)):
            if anchor >= 0 and k - anchor > 2:
                break
            anchor = k
        elif anchor >= 0 and k - anchor > 2:
            break
    if anchor < 0:
        return None
    lines: list[DLine] = []
    seen_pc = False
    skipped = 0
    prev = top[anchor]
    at = prev.text.strip()
    if (re.match(r"(no\b|lot\b|\d)", at, re.IGNORECASE) and _RC_STREET.search(at)
            and not _RC_LEGAL.search(at)):
        lines.append(prev)                # the "name" picked was the street line
        seen_pc = _has_postcode(at)
    for ln in top[anchor + 1:]:
        if lines and ln.y0 - prev.y1 > 3.0 * max(prev.height, ln.height):
            break
        prev = ln
        txt = _RC_ADD.sub("", ln.text.strip())
        if not lines:
            if ((not re.search(r"\d", txt) and not _RC_STREET.search(txt))
                    or _RC_REGNO.search(txt) or _RC_STOP.search(txt) or _RC_LEGAL.search(txt)
                    or not re.search(r"[A-Za-z]{3}", txt)
                    or (len(txt) <= 12 and re.search(r"\d\s*-\s*[A-Z]\)?$", txt))
                    or doc.date(" ".join(txt.split()[:3])) is not None):
                skipped += 1
                if skipped > 4:
                    return None
                continue
        elif _RC_STOP.search(txt) or _RC_REGNO.search(txt):
            break
        elif len(_ALNUM.sub("", txt.casefold())) < 3:
            continue                      # OCR specks
        elif len(txt.split()) > 10:
            break
        elif seen_pc and not set(re.findall(r"[a-z]+", txt.casefold())) <= _RC_STATE and not (
                re.search(r"\d{5}\W*$", lines[-1].text) and not re.search(r"\d", txt)):
            break                         # after "TAMAN SEA,47400" the city line follows
        lines.append(ln)
        if _has_postcode(txt):
            seen_pc = True
        if len(lines) >= 6:
            break
    if not lines or not (seen_pc or len(lines) >= 2):
        return None
    parts = [_RC_ADD.sub("", ln.text.strip()).strip(" ,") for ln in lines]
    words = [w for ln in lines for w in ln.words]
    return Cand("seller_address", ", ".join(parts), 0.7, lines[0].page, words,
                lines[0].source, "receipt-address")
