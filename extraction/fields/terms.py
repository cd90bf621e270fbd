"""Dates inside payment-terms sentences, and VAT ids valid in shape but not checksum.

* "Zahlbar innerhalb 30 Tagen netto bis 04.04.2013", "Bitte überweisen Sie bis zum
  04.07.2015", "Payable by 3 April 2024", "à régler avant le 05/12/2017": a due date is
  a date after "bis / until / by / before / avant le / au plus tard le" on a line that
  talks about paying.
* `vat_shape_ok`: the VAT id has a country prefix and the right length/format, only its
  check digit fails (sample documents use "DE123456789").  Such ids are accepted with a
  lower score than checksum-valid ones and never reach high confidence by themselves.
"""
from __future__ import annotations

import re

from extraction.fields.doc import Cand, Doc

_PAY = re.compile(r"\b(zahlbar|zahlung|uberweisen|bezahlen|payable|payment|pay|due|paid|"
                  r"regler|reglement|paiement|payer|echeance|faellig|fallig)\b")
_BEFORE = {"bis", "until", "by", "before", "avant", "spatestens", "zum", "le", "am", "on"}


def due_candidates(doc: Doc) -> list[Cand]:
    from extraction.normalize import iso_date
    out: list[Cand] = []
    for ln in doc.lines:
        low = " ".join(ln.norms)
        if not _PAY.search(low):
            continue
        for k, n in enumerate(ln.norms):
            if n not in _BEFORE:
                continue
            m = k + 1
            while m < len(ln.norms) and ln.norms[m] in _BEFORE | {"dem", "the", "plus", "tard"}:
                m += 1
            for size in (1, 3, 2):
                ws = ln.words[m:m + size]
                if len(ws) < size:
                    continue
                d = doc.date(" ".join(w.text for w in ws).strip(".,;:)("))
                if d is not None:
                    out.append(Cand("due_date", iso_date(d), 0.55, ln.page, ws, ln.source,
                                    "terms"))
                    break
    return out


def vat_shape_ok(text: str) -> bool:
    """Right country prefix and format; only the check digits may be wrong."""
    try:
        from stdnum.eu import vat as eu_vat
        from stdnum.exceptions import InvalidChecksum, ValidationError
    except ImportError:
        return False
    if text.startswith("GB"):
        from stdnum.gb import vat as gb_vat
        return bool(re.fullmatch(r"GB(\d{9}|\d{12}|GD\d{3}|HA\d{3})", text)) or \
            bool(gb_vat.is_valid(text))
    try:
        eu_vat.validate(text)
        return True
    except InvalidChecksum:
        return True
    except ValidationError:
        return False
    except Exception:  # noqa: BLE001 - a validator must not break extraction
        return False


def lone_date_candidates(doc: Doc) -> list[Cand]:
    """An unlabelled date near the top of page 1 (receipts print "14 Mar 2018 18:40" under
    the shop name): a weak issue-date candidate that only wins when nothing is labelled."""
    from extraction.normalize import iso_date
    if not doc.pages:
        return []
    first = doc.pages[0].number
    for ln in doc.lines:              # a letter's date ends its line at the right margin:
        if ln.page != first or ln.y0 > 0.45 or ln.words[-1].x1 < 0.6:   # "... 18. April 2014"
            continue
        for size in (3, 1):
            ws = ln.words[-size:]
            if len(ln.words) > size and ws[0].x0 - ln.words[-size - 1].x1 > 0.04:
                d = doc.date(" ".join(w.text for w in ws).strip(".,;:*"))
                if d is not None:
                    return [Cand("issue_date", iso_date(d), 0.36, ln.page, ws, ln.source,
                                 "letter-date")]
    for ln in doc.lines:
        if ln.page != first or ln.y0 > 0.45:
            continue
        if doc.hits_by_line.get(ln.idx):
            continue
        for k in range(min(3, len(ln.words))):
            for size in (3, 1, 2):
                ws = ln.words[k:k + size]
                if len(ws) < size:
                    continue
                d = doc.date(" ".join(w.text for w in ws).strip(".,;:*"))
                if d is not None:
                    return [Cand("issue_date", iso_date(d), 0.35, ln.page, ws, ln.source,
                                 "lone-date")]
    # receipts print the date anywhere on a line ("ORD #50 -REG #19- 18/01/2018 10:27:03")
    for ln in doc.lines:
        if ln.page != first:
            continue
        if any(n in _NOT_ISSUE for n in ln.norms):
            continue
        for w in ln.words:
            t = w.text.strip(".,;:*()[]")
            if not _NUM_DATE.fullmatch(t):
                continue
            d = doc.date(t)
            if d is not None and 1990 <= d.year <= 2100:
                return [Cand("issue_date", iso_date(d), 0.3, ln.page, [w], ln.source,
                             "any-date")]
    return []


_NUM_DATE = re.compile(r"\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})")
_NOT_ISSUE = {"due", "expiry", "expires", "exp", "valid", "until", "birth", "faellig",
              "fallig", "echeance", "delivery", "lieferdatum"}
