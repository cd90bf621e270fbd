"""Currencies, VAT ids and IBANs: canonical codes from printed symbols, words and ids.
Public names are re-exported by `extraction.normalize`; every function is total (junk in,
``None`` / ``False`` out)."""
from __future__ import annotations

import re
from importlib import import_module

from extraction.normalize_locale import _MAX_LEN, _fold, _locale_parts

__all__ = ["normalize_currency", "normalize_vat_id", "vat_id_valid", "normalize_iban",
           "iban_valid", "iban_shape_ok"]



_ISO4217 = frozenset((
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN "
    "BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD "
    "FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY "
    "KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP "
    "MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR "
    "RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SYP SZL THB TJS TMT TND "
    "TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWG"
).split())

# Unambiguous symbols and words (accent-folded, lowercase, trailing dot dropped).
_CURRENCY_WORDS: dict[str, str] = {
    "€": "EUR", "euro": "EUR", "euros": "EUR", "eur": "EUR", "£": "GBP", "gbp": "GBP",
    "pound": "GBP", "pounds": "GBP", "sterling": "GBP", "us$": "USD", "u.s.$": "USD",
    "usd": "USD", "c$": "CAD", "ca$": "CAD", "can$": "CAD", "cdn$": "CAD", "a$": "AUD",
    "au$": "AUD", "aud": "AUD", "nz$": "NZD", "s$": "SGD", "hk$": "HKD", "r$": "BRL",
    "mx$": "MXN", "chf": "CHF", "fr": "CHF", "sfr": "CHF", "fr.": "CHF", "franken": "CHF",
    "rm": "MYR", "₹": "INR", "zl": "PLN", "zł": "PLN", "zloty": "PLN", "kc": "CZK", "ft": "HUF",
    "₩": "KRW", "₽": "RUB", "₺": "TRY", "lei": "RON", "yen": "JPY", "rmb": "CNY",
    "元": "CNY", "yuan": "CNY", "₪": "ILS", "฿": "THB", "₱": "PHP", "₫": "VND", "₴": "UAH",
    "dollar": "USD", "dollars": "USD", "dollars us": "USD",
}
_DOLLAR_BY_COUNTRY = {"US": "USD", "CA": "CAD", "AU": "AUD", "NZ": "NZD", "SG": "SGD",
                      "HK": "HKD", "MX": "MXN", "TW": "TWD", "NA": "NAD", "JM": "JMD"}
_KRONE_BY_COUNTRY = {"SE": "SEK", "DK": "DKK", "NO": "NOK", "IS": "ISK", "FO": "DKK",
                     "GL": "DKK"}
_RUPEE_BY_COUNTRY = {"IN": "INR", "PK": "PKR", "LK": "LKR", "NP": "NPR", "MU": "MUR"}
_YEN_BY_COUNTRY = {"JP": "JPY", "CN": "CNY"}
# Codes common enough to be trusted when embedded in longer text (avoids "ALL", "TOP"...).
_SCAN_LOWER = frozenset({"kr", "zł", "zl", "lei", "kc"})
_EMBEDDED_CODES = frozenset(
    "EUR USD GBP CHF JPY CNY CAD AUD NZD SEK DKK NOK PLN CZK HUF RON BGN INR MYR SGD HKD "
    "ZAR BRL MXN TRY AED SAR ILS".split())
_CURRENCY_TOKENS = re.compile(r"[A-Z]{1,3}\$|[^\W\d_]+\.?|[^\w\s.,()+\-'’]+")
_VAT_SEPARATORS = re.compile(r"[\s.\-/_:,\u00a0\u202f]")
_VAT_CHARS = re.compile(r"[A-Z0-9+*]{8,20}")
_DIGIT = re.compile(r"\d")
_IBAN_LEAD = re.compile(r"^\s*IBAN\s*[:.]?\s*")
_IBAN_SEPARATORS = re.compile(r"[\s\-\u00a0\u202f]")
_IBAN_SHAPE = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")


def _currency_token(tok: str, country: str | None) -> str | None:
    t = _fold(tok.strip()).rstrip(".").strip()
    if not t:
        return None
    if len(t) == 3 and t.isalpha() and t.upper() in _ISO4217:
        return t.upper()
    if t in _CURRENCY_WORDS:
        return _CURRENCY_WORDS[t]
    if t == "$":
        return _DOLLAR_BY_COUNTRY.get(country or "", "USD")
    if t in {"kr", "kr:-", "kronor", "kroner", "krona", "krone"}:
        return _KRONE_BY_COUNTRY.get(country or "", "SEK")
    if t in {"rs", "rupees", "rupee"}:
        return _RUPEE_BY_COUNTRY.get(country or "", "INR")
    if t in {"¥", "￥"}:
        return _YEN_BY_COUNTRY.get(country or "", "JPY")
    return None


def normalize_currency(text: str, country_hint: str | None = None) -> str | None:
    """ISO 4217 code for a currency code, symbol or word (``"€"`` -> ``"EUR"``).

    ``country_hint`` (``"CA"``, ``"dk"``, ``"en_AU"``...) disambiguates ``$``, ``kr``,
    ``Rs`` and ``¥``.  Text with an amount attached (``"€ 12,50"``) is scanned for a token.
    """
    if not isinstance(text, str) or not text.strip() or len(text) > _MAX_LEN:
        return None
    country = _locale_parts(country_hint)[1]
    whole = _currency_token(text, country)
    if whole:
        return whole
    for tok in _CURRENCY_TOKENS.findall(text):
        word = _fold(tok).rstrip(".")
        if tok.isalpha() and len(tok) == 3 and tok not in _EMBEDDED_CODES:
            continue                        # "ALL", "all", "for"... are not currencies here
        if tok.isalpha() and len(word) <= 3 and not tok[0].isupper() and word not in _SCAN_LOWER:
            continue                        # "ft", "rm", "fr" in running text
        found = _currency_token(tok, country)
        if found:
            return found
    return None

# ----------------------------------------------------------------------- VAT and IBAN


def normalize_vat_id(text: str) -> str | None:
    """Uppercase VAT id without spaces/dots/dashes, country prefix kept; not validated."""
    if not isinstance(text, str) or len(text) > _MAX_LEN:
        return None
    s = _VAT_SEPARATORS.sub("", text.upper())
    if not _VAT_CHARS.fullmatch(s) or len(_DIGIT.findall(s)) < 5:
        return None
    return s


_NON_EU_VAT = {"GB": "stdnum.gb.vat", "CH": "stdnum.ch.vat", "NO": "stdnum.no.mva"}


def vat_id_valid(text: str) -> bool:
    """Checksum-valid EU VAT id (stdnum.eu.vat), also GB, CH (CHE...MWST) and NO (...MVA)."""
    vat = normalize_vat_id(text)
    if vat is None:
        return False
    try:
        if import_module("stdnum.eu.vat").is_valid(vat):
            return True
        extra = _NON_EU_VAT.get(vat[:2])
        return bool(extra and import_module(extra).is_valid(vat))
    except Exception:  # stdnum is defensive, but never let a validator break extraction
        return False


def normalize_iban(text: str) -> str | None:
    """Uppercase IBAN without spaces (shape-checked, not checksum-validated)."""
    if not isinstance(text, str) or len(text) > _MAX_LEN:
        return None
    s = _IBAN_LEAD.sub("", text.upper())
    s = _IBAN_SEPARATORS.sub("", s)
    return s if _IBAN_SHAPE.fullmatch(s) else None


def iban_valid(text: str) -> bool:
    """Checksum- and country-format-valid IBAN (stdnum.iban)."""
    iban = normalize_iban(text)
    if iban is None:
        return False
    try:
        return bool(import_module("stdnum.iban").is_valid(iban))
    except Exception:
        return False


def iban_shape_ok(text: str) -> bool:
    """Right country, length and BBAN format; only the check digits may be wrong (sample
    documents print "DE75123456780000001234").  Never proves an IBAN by itself."""
    iban = normalize_iban(text)
    if iban is None:
        return False
    if iban_valid(iban):
        return True
    try:
        mod = import_module("stdnum.iban")
        info = mod._ibandb.info(iban)
        if not info or not info[0][1]:
            return False
        return bool(mod._struct_to_re(info[0][1].get("bban", "")).match(iban[4:]))
    except Exception:  # private stdnum API: any change there just means "not proven"
        return False
