"""Locale-aware parsing of the values printed on business documents (pure functions).

Amounts, quantities, percentages, dates, currencies, VAT ids and IBANs as they appear on
English, German and French invoices, orders, credit notes and remittance advices are turned
into canonical Python values / strings.  Every public function is total: junk input
(``None``, non-strings, text that is not a value) yields ``None`` (or ``False`` for the
``*_valid`` predicates) and never raises.

Locale hints are strings such as ``"de"``, ``"fr_FR"``, ``"en-US"``, ``"de_CH"`` or a bare
country code such as ``"us"``.  This module parses numbers (amounts, quantities,
percentages); dates live in `extraction.normalize_dates`, currencies / VAT ids / IBANs in
`extraction.normalize_ids` (all re-exported here, so import them from this module).
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from extraction.normalize_dates import date_order_for_country, iso_date, parse_date
from extraction.normalize_ids import (iban_shape_ok, iban_valid, normalize_currency,
                                      normalize_iban, normalize_vat_id, vat_id_valid)
from extraction.normalize_locale import _COMMA_DECIMAL_LANGS, _MAX_LEN, _locale_parts

__all__ = [
    "parse_amount", "format_amount", "parse_quantity", "format_quantity", "parse_percent",
    "format_percent", "parse_date", "date_order_for_country", "iso_date", "normalize_currency",
    "normalize_vat_id", "vat_id_valid", "normalize_iban", "iban_valid", "iban_shape_ok",
]

_SPACES = "\u0020\u00a0\u202f\u2009\u2007"
_GROUP_CHARS = _SPACES + "'\u2019"
_MINUS = {"\u2212": "-", "\u2013": "-", "\u2012": "-", "\ufe63": "-", "\uff0d": "-"}
_DOT_DECIMAL_COUNTRIES = frozenset({"CH", "LI"})
_DOT_DECIMAL_LANGS = frozenset("en ja zh ko he th ms hi us gb uk".split())
_NUMBER_CHARS = re.compile(rf"[0-9.,{_GROUP_CHARS}]+")
_DIGIT = re.compile(r"\d")
_GROUP_SPLIT = re.compile(rf"[{_GROUP_CHARS}]+")
_LAST_GROUP = re.compile(r"(\d{3})([.,]\d+)?")
_FRACTION = re.compile(r"[.,].*")
_WHOLE_UNITS = re.compile(r"\d[.,]-{1,2}$")
_WHOLE_UNITS_TAIL = re.compile(r"[.,]-{1,2}$")

# ---------------------------------------------------------------------------- numbers


def _decimal_comma(hint: str | None) -> bool | None:
    """True if the locale writes a decimal comma, False for a decimal point, None unknown."""
    lang, country = _locale_parts(hint)
    if country in _DOT_DECIMAL_COUNTRIES or lang in _DOT_DECIMAL_LANGS:
        return False
    return True if lang in _COMMA_DECIMAL_LANGS else None


def _valid_groups(groups: list[str]) -> bool:
    """Thousands groups: a leading group of 1-3 digits, then groups of exactly 3 digits."""
    return (bool(groups) and 1 <= len(groups[0]) <= 3 and groups[0].isdigit()
            and all(len(g) == 3 and g.isdigit() for g in groups[1:]))


def _parse_number(s: str, locale_hint: str | None) -> Decimal | None:
    """Parse an unsigned number made of digits, '.', ',' and group separators."""
    s = s.strip(_SPACES)
    if not s or not _NUMBER_CHARS.fullmatch(s) or not _DIGIT.search(s):
        return None
    grouped = False
    groups = _GROUP_SPLIT.split(s)
    if len(groups) > 1:
        last = _LAST_GROUP.fullmatch(groups[-1])
        if not last or not _valid_groups(groups[:-1] + [last.group(1)]):
            return None
        s, grouped = "".join(groups), True
    seps = [c for c in s if c in ".,"]
    if len(_FRACTION.sub("", s)) > 15:
        return None                                 # ids and account numbers, not amounts
    if not seps:
        return None if len(s) > 1 and s[0] == "0" else Decimal(s)
    if s[-1] in ".,":
        return None
    if grouped:
        if len(seps) != 1:
            return None
        return Decimal(s.replace(",", "."))
    kinds = set(seps)
    if len(kinds) == 2:
        dec = s[max(s.rfind("."), s.rfind(","))]
        thou = "." if dec == "," else ","
        int_part, _, frac = s.rpartition(dec)
        if dec in int_part or thou in frac or not frac.isdigit():
            return None
        if not _valid_groups(int_part.split(thou)):
            return None
        return Decimal(int_part.replace(thou, "") + "." + frac)
    sep = seps[0]
    if len(seps) > 1:
        parts = s.split(sep)
        return Decimal("".join(parts)) if _valid_groups(parts) else None
    int_part, _, frac = s.partition(sep)
    if not frac.isdigit() or (int_part and not int_part.isdigit()):
        return None
    if len(int_part) > 1 and int_part[0] == "0":
        return None
    is_decimal = True
    if len(frac) == 3 and len(int_part) <= 3 and int_part.lstrip("0"):
        comma = _decimal_comma(locale_hint)
        is_decimal = (comma is True and sep == ",") or (comma is False and sep == ".")
    if is_decimal:
        return Decimal((int_part or "0") + "." + frac)
    return Decimal(int_part + frac)


_CUR_PREFIX = re.compile(r"^([^\d\s()+\-.,]+\.?)")
_CUR_SUFFIX = re.compile(r"(?<![^\d\s().,\-])([^\d\s()+\-.,]+\.?)$")
_UNIT_SUFFIX = re.compile(r"(?<=[\d\s)\-])[^\W\d_]{1,10}[.²³]?$")


def _strip_affixes(s: str, affix_ok: re.Pattern[str] | None,
                   currency: bool) -> tuple[str, bool] | None:
    """Peel currency/unit tokens, signs and accounting parentheses off both ends."""
    neg = signed = False
    for _ in range(8):
        s = s.strip(_SPACES)
        if s.endswith("-") and _WHOLE_UNITS.search(s):
            s = _WHOLE_UNITS_TAIL.sub("", s)         # "12,-" / "12.--": whole units
            continue
        sign = (len(s) >= 2 and s[0] == "(" and s[-1] == ")") or s[:1] in "+-" or s[-1:] == "-"
        if sign and s:
            if signed:
                return None                           # "--12", "(-12)": one sign at most
            signed, neg = True, s[0] != "+"
            s = s[1:-1] if s[0] == "(" else s[1:] if s[0] in "+-" else s[:-1]
            continue
        if currency:
            m = _CUR_PREFIX.match(s)
            if m and normalize_currency(m.group(1)):
                s = s[m.end():]
                continue
            m = _CUR_SUFFIX.search(s)
            if m and normalize_currency(m.group(1)):
                s = s[:m.start()]
                continue
        if affix_ok is not None:
            m = affix_ok.search(s)
            if m and m.start() > 0:
                s = s[:m.start()]
                continue
        return s, neg
    return None


def _parse_signed(text: object, locale_hint: str | None, *, currency: bool,
                  unit: bool) -> Decimal | None:
    if not isinstance(text, str) or not text.strip() or len(text) > _MAX_LEN:
        return None
    s = "".join(_MINUS.get(c, c) for c in text.strip())
    peeled = _strip_affixes(s, _UNIT_SUFFIX if unit else None, currency)
    if peeled is None:
        return None
    try:
        value = _parse_number(peeled[0], locale_hint)
    except (InvalidOperation, ValueError):
        return None
    if value is None:
        return None
    return -value if peeled[1] and value else value


def parse_amount(text: str, locale_hint: str | None = None) -> Decimal | None:
    """Parse a money amount such as ``"€ 1.234,56"``, ``"(12.50)"``, ``"12,-"``."""
    return _parse_signed(text, locale_hint, currency=True, unit=False)


def parse_quantity(text: str, locale_hint: str | None = None) -> Decimal | None:
    """Parse a quantity such as ``"2"``, ``"1,5 kg"``, ``"1.000 Stk"``."""
    return _parse_signed(text, locale_hint, currency=False, unit=True)


def parse_percent(text: str, locale_hint: str | None = None) -> Decimal | None:
    """Parse a percentage such as ``"19%"``, ``"19,0 %"``, ``"7.5"`` (returns 19, 19.0, 7.5)."""
    if not isinstance(text, str):
        return None
    s = re.sub(r"\s*(%|pct\.?|v\.\s?H\.)\s*$", "", text.strip(), flags=re.I)
    s = re.sub(r"^%\s*", "", s)
    if locale_hint is None:                 # percentages are never digit-grouped
        locale_hint = "de" if "," in s else "en"
    value = _parse_signed(s, locale_hint, currency=False, unit=False)
    if value is None or abs(value) > 1000:
        return None
    return value


def _plain(d: Decimal) -> str:
    out = format(d, "f")
    return "0" if out.lstrip("-") == "0" else out


def format_amount(d: Decimal) -> str:
    """Canonical amount string: two places (``"1234.50"``) unless more are significant
    (``"0.125"``).  Non-finite or unconvertible input falls back to ``str(d)``."""
    try:
        d = d if isinstance(d, Decimal) else Decimal(str(d))
        if not d.is_finite():
            return str(d)
        n = d.normalize()
        exp = n.as_tuple().exponent
        out = format(n, "f") if isinstance(exp, int) and exp < -2 else format(
            d.quantize(Decimal("0.01")), "f")
    except (InvalidOperation, ValueError, TypeError):
        return str(d)
    return out[1:] if out.startswith("-") and not out.strip("-0.") else out


def format_quantity(d: Decimal) -> str:
    """Canonical quantity: no trailing zeros, no exponent (``"2"``, ``"1.5"``, ``"0.125"``)."""
    try:
        d = d if isinstance(d, Decimal) else Decimal(str(d))
        return _plain(d.normalize()) if d.is_finite() else str(d)
    except (InvalidOperation, ValueError, TypeError):
        return str(d)


format_percent = format_quantity
