"""Document number and date printed in the title line.

Many documents print the number and date in the title instead of a label/value block:
"Handelsrechnung (380) Nr. 471102 vom 05.03.2018", "Rechnung # RE-2015/503 von
13.06.2015", "INVOICE 2024-001 dated 3 March 2024", "FACTURE N° : F2022-28 du
31/01/2022".  A title is a doc-type cue (or a German compound ending in one) at the start
of a line segment on page 1; the first ID-like word after an optional code and number
token is the number, and a date after "vom / du / of / dated / from / von / le" (or right
after the number) is the issue date.
"""
from __future__ import annotations

import re

from extraction.fields.doc import Cand, Doc

_NUM = {"no", "nr", "n", "num", "numero", "number", "nummer", "#", ""}
_DATE_LEAD = {"vom", "von", "du", "of", "dated", "from", "le", "date", "datum", "am"}
_TITLE_TYPES = {"invoice", "credit_note", "purchase_order", "remittance"}


def title_candidates(doc: Doc, number_field: str, date_field: str) -> list[Cand]:
    from extraction.classify import _compound_cues, _despace, _segment_ids
    from extraction.fields import lex
    from extraction.normalize import iso_date
    out: list[Cand] = []
    if not doc.pages:
        return out
    first = doc.pages[0].number
    for ln in doc.lines:
        if ln.page != first or ln.y0 > 0.5:
            continue
        norms, words = _despace(ln.norms, ln.words)
        coded = _coded_title(doc, ln, words, number_field, date_field)
        if coded:
            out.extend(coded)
            continue
        cues = [c for c in list(lex.find_cues(norms)) + _compound_cues(norms)
                if any(x.endswith(":strong") and x.split(":")[0] in _TITLE_TYPES
                       for x in c[2])]
        if not cues:
            continue
        seg = _segment_ids(words)
        for (i, j, _t, _ph) in cues:
            if i > 0 and seg[i - 1] == seg[i]:
                continue                       # not at a segment start: running text
            k = j
            tail = norms[j:]
            # skip "(380)" codes and number tokens
            while k < len(words) and k - j < 4 and (
                    re.fullmatch(r"\(?\d{3}\)?", words[k].text) and k == j
                    or norms[k] in _NUM or words[k].text in (":", "#", "N°", "n°")):
                k += 1
            if k == j:
                # "Rechnung des Versicherers Nr. 00.123.456.7-2018-1": a short qualifier
                # between the title word and the number token
                nr = next((m for m in range(j + 1, min(j + 4, len(words) - 1))
                           if norms[m] in _NUM - {""} and seg[m] == seg[i]), None)
                if nr is not None and all(re.fullmatch(r"[^\W\d_]+", norms[q])
                                          for q in range(j, nr)) and \
                        not _refers_elsewhere(norms[j:nr + 1], number_field):
                    k = nr + 1
            dated = _date_at(doc, words, k) if k == j and k < len(words) else None
            if dated is not None:                  # "Beitragsrechnung      24. Januar 2014"
                out.append(Cand(date_field, dated[0], 0.7, ln.page, dated[1], ln.source,
                                "title"))
                continue
            if k >= len(words) and k == j:
                nxt_c = _number_below(doc, ln, number_field)
                if nxt_c is not None:           # "FACTURE" / "AFFACTUREE N° UC1_2023020"
                    out.append(nxt_c)
                continue
            if k >= len(words) or seg[k] != seg[i] or words[k].x0 - words[k - 1].x1 > 0.06:
                continue
            tok = words[k].text.strip(":,;")
            if not re.search(r"\d", tok) or len(tok) < 2:
                continue
            if doc.date(tok) is not None and not re.fullmatch(r"[\d]{5,}", tok):
                continue
            score = 0.82 if k > j else 0.7
            out.append(Cand(number_field, tok.lstrip("#"), score, ln.page, [words[k]],
                            ln.source, "title"))
            m = k + 1
            if m < len(norms) and norms[m] in _DATE_LEAD:
                m += 1
            nxt = doc.lines[ln.idx + 1] if ln.idx + 1 < len(doc.lines) else None
            if m >= len(words) and nxt is not None and nxt.page == ln.page and (
                    norms[-1] in _DATE_LEAD or nxt.norms[0] in _DATE_LEAD):
                # the date wrapped onto the next line ("... Nr. 471102 / vom 05.03.2018")
                skip = 1 if nxt.norms[0] in _DATE_LEAD else 0
                words, m = list(words) + nxt.words[skip:skip + 3], len(words)
            for n in (1, 3, 2):
                ws = words[m:m + n]
                if len(ws) < n:
                    continue
                d = doc.date(" ".join(w.text for w in ws).strip(",."))
                if d is not None:
                    out.append(Cand(date_field, iso_date(d), 0.8, ln.page, ws, ln.source,
                                    "title"))
                    if k > j and norms[m - 1] in _DATE_LEAD:
                        num = out[-2]           # "<title> Nr. <id> vom <date>": certain
                        num.score, num.why = 0.9, "title+date"
                    break
            del tail
            break
    return out


# words that make "Rechnung gemäß Bestellung Nr. X" cite another document's number
_ELSEWHERE = frozenset(("gemass", "gemaess", "laut", "lt", "per", "according", "selon",
                        "suivant", "aus"))


def _refers_elsewhere(norms: list[str], number_field: str) -> bool:
    """The qualifier between title and number names another document ("gemäß Bestellung
    Nr.") or cites one ("laut", "according to")."""
    from extraction.fields import lex
    if any(t in _ELSEWHERE for n in norms for t in n.split()):
        return True
    return any(f and number_field not in f for (_i, _j, f, _p) in lex.find_labels(norms))


def _number_below(doc: Doc, ln, number_field: str) -> Cand | None:
    """A title alone on its line, the number on the next: "[qualifier] N° <id>"."""
    nxt = doc.lines[ln.idx + 1] if ln.idx + 1 < len(doc.lines) else None
    if nxt is None or nxt.page != ln.page or nxt.y0 - ln.y1 > 2.0 * ln.height:
        return None
    for k in range(min(3, len(nxt.words) - 1)):
        if nxt.norms[k] in _NUM - {""} or nxt.words[k].text in ("#", "N°", "n°"):
            if not all(re.fullmatch(r"[^\W\d_]+", n) for n in nxt.norms[:k]) or \
                    _refers_elsewhere(nxt.norms[:k + 1], number_field):
                return None
            tok = nxt.words[k + 1].text.strip(":,;")
            if tok in (":", "") and k + 2 < len(nxt.words):
                tok = nxt.words[k + 2].text.strip(":,;")
            if re.search(r"\d", tok) and len(tok) >= 2 and doc.date(tok) is None:
                return Cand(number_field, tok.lstrip("#"), 0.75, nxt.page,
                            [nxt.words[k + 1]], nxt.source, "title-below")
            return None
    return None


# UNTDID 1001 document codes ("(380)"), not a phone area code ("fon (555) 23 78")
def _date_at(doc: Doc, words: list, k: int) -> tuple[str, list] | None:
    """A date of one to three words starting at word k (ISO string, words)."""
    from extraction.normalize import iso_date
    for n in (3, 1, 2):
        ws = words[k:k + n]
        if len(ws) == n and not re.fullmatch(r"\d{5,}", ws[0].text.strip(":,;")):
            d = doc.date(" ".join(w.text for w in ws).strip(",."))
            if d is not None:
                return iso_date(d), ws
    return None


_CODED = re.compile(r"^\((3[0-9]{2}|87[5-7]|751|575|204|22[0-9]|23[01])\)$")


def _coded_title(doc: Doc, ln, words, number_field: str, date_field: str) -> list[Cand]:
    """E-invoice viewers print "<title> (380) Nr. <id> vom <date>" even when the title is
    not a known cue ("Rechnung des Versicherers (575) Nr. ...")."""
    from extraction.normalize import iso_date
    for k, w in enumerate(words[:-2]):
        if not _CODED.match(w.text) or k == 0:
            continue
        m = k + 1
        if words[m].text.strip(".:").casefold() in ("nr", "no", "n°", "#"):
            m += 1
        if m >= len(words):
            return []
        tok = words[m].text.strip(",;")
        if not re.search(r"\d", tok):
            return []
        out = [Cand(number_field, tok, 0.85, ln.page, [words[m]], ln.source, "title")]
        d0 = m + 1
        nxt = doc.lines[ln.idx + 1] if ln.idx + 1 < len(doc.lines) else None
        if d0 >= len(words) and nxt is not None and nxt.page == ln.page and nxt.words and \
                nxt.words[0].text.casefold() in _DATE_LEAD:
            words, d0 = list(words) + nxt.words[:4], len(words)   # "vom <date>" wrapped
        if d0 < len(words) and words[d0].text.casefold() in _DATE_LEAD:
            d0 += 1
        for n in (1, 3, 2):
            ws = words[d0:d0 + n]
            if len(ws) == n:
                d = doc.date(" ".join(x.text for x in ws).strip(",."))
                if d is not None:
                    out.append(Cand(date_field, iso_date(d), 0.82, ln.page, ws, ln.source,
                                    "title"))
                    break
        return out
    return []
