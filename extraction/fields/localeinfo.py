"""Locale decisions for one document: language, decimal convention, date order, country.

* language: votes of common EN/DE/FR function words and business terms;
* decimal convention: the amounts printed on the pages ("1.234,56" / "12,50" -> comma,
  "1,234.56" / "12.50" -> point), falling back to the language;
* date order: an unambiguous numeric date on the page (a day > 12) decides; otherwise the
  seller's country (first checksum-valid VAT id or IBAN prefix, else a US/UK hint), else
  the language (DE/FR day-first; EN day-first unless a US dollar document).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extraction.fields.doc import Doc

_LANG_WORDS = {
    "en": set("the and of to for invoice total amount date due number bill order payment "
              "please our your with tax from description quantity price".split()),
    "de": set("der die das und rechnung betrag datum gesamt summe nummer bitte zahlbar mit "
              "fur von bei menge preis netto brutto mwst ust zahlung lieferung ihre unsere".split()),
    "fr": set("le la les et de du des facture montant date total numero payer avec pour "
              "tva ht ttc quantite prix commande reglement votre notre echeance".split()),
}
_COMMA_AMT = re.compile(r"^-?\d{1,3}(?:[.\u00a0\u202f ]\d{3})*,\d{2}$")
_DOT_AMT = re.compile(r"^-?\d{1,3}(?:[,\u00a0\u202f ]\d{3})*\.\d{2}$")
_NUM_DATE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})$")
_VAT = re.compile(r"^(?:[A-Z]{2})[0-9A-Z]{8,12}$")
_IBAN = re.compile(r"\b([A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,4})?)\b")
_US_HINT = re.compile(r"\bUSD\b|US\$|\bUnited States\b|, [A-Z]{2} \d{5}\b")
_HAS_DIGIT = re.compile(r"\d")
# word -> the languages whose vocabulary holds it (in `_LANG_WORDS` order)
_LANG_OF: dict[str, tuple[str, ...]] = {}
for _lang, _ws in _LANG_WORDS.items():
    for _w in _ws:
        _LANG_OF[_w] = _LANG_OF.get(_w, ()) + (_lang,)


def _strip(t: str) -> str:
    return t.strip("€$£()*:;").replace("EUR", "").replace("USD", "")


def detect_language(doc: "Doc") -> str | None:
    votes = {k: 0 for k in _LANG_WORDS}
    lang_of = _LANG_OF
    for ln in doc.lines[:400]:
        for t in ln.norms:
            langs = lang_of.get(t)
            if langs:
                for lang in langs:
                    votes[lang] += 1
    best = max(votes, key=lambda k: votes[k])
    return best if votes[best] >= 2 else None


def seller_country(doc: "Doc") -> str | None:
    from extraction.normalize import iban_valid, vat_id_valid
    for ln in doc.lines:
        for w in ln.words:
            if len(w.text) < 10:
                continue          # too short for a VAT id even before stripping
            t = w.text.strip(".,;:()")
            if len(t) >= 10 and t[:2].isalpha() and t[:2].isupper() and _VAT.match(t):
                if vat_id_valid(t):
                    return "GR" if t[:2] == "EL" else t[:2]
    for ln in doc.lines:
        m = _IBAN.search(ln.text)
        if m and iban_valid(m.group(1)):
            return m.group(1)[:2]
    return None


def decide(doc: "Doc", locale_hint: str | None) -> None:
    from extraction.normalize import date_order_for_country
    doc.lang = detect_language(doc)
    if locale_hint and not doc.lang:
        doc.lang = locale_hint[:2].lower()
    comma = dot = 0
    first_big = second_big = 0
    has_digit = _HAS_DIGIT.search
    for ln in doc.lines:
        for w in ln.words:
            if not has_digit(w.text):
                continue          # no amount, no date
            t = _strip(w.text)
            if _COMMA_AMT.match(t):
                comma += 1
            elif _DOT_AMT.match(t):
                dot += 1
            m = _NUM_DATE.match(t)
            if m:
                a, b = int(m.group(1)), int(m.group(2))
                if a > 12 >= b:
                    first_big += 1
                elif b > 12 >= a:
                    second_big += 1
    if comma > dot:
        doc.comma_decimal = True
    elif dot > comma:
        doc.comma_decimal = False
    elif doc.lang in ("de", "fr"):
        doc.comma_decimal = True
    doc.country = seller_country(doc)
    if first_big and not second_big:
        doc.day_first = True
    elif second_big and not first_big:
        doc.day_first = False
    else:
        order = date_order_for_country(doc.country) if doc.country else None
        if order is None:
            txt = " ".join(ln.text for ln in doc.lines[:200])
            if _US_HINT.search(txt):
                order = False
            elif doc.lang in ("de", "fr", "en"):
                order = True
        doc.day_first = order
