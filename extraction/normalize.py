"""Locale-aware parsing of the values printed on business documents (pure functions).

Amounts, quantities, percentages, dates, currencies, VAT ids and IBANs as they appear on
English, German and French invoices, orders, credit notes and remittance advices are turned
into canonical Python values / strings.  Every public function is total: junk input
(``None``, non-strings, text that is not a value) yields ``None`` (or ``False`` for the
``*_valid`` predicates) and never raises.

Locale hints are strings such as ``"de"``, ``"fr_FR"``, ``"en-US"``, ``"de_CH"`` or a bare
country code such as ``"us"``.
"""
from __future__ import annotations

import re
import unicodedata
from importlib import import_module
from datetime import date
from decimal import Decimal, InvalidOperation

__all__ = [
    "parse_amount", "format_amount", "parse_quantity", "format_quantity", "parse_percent",
    "format_percent", "parse_date", "date_order_for_country", "iso_date", "normalize_currency",
    "normalize_vat_id", "vat_id_valid", "normalize_iban", "iban_valid",
]

_MAX_LEN = 64
_SPACES = "\u0020\u00a0\u202f\u2009\u2007"
_GROUP_CHARS = _SPACES + "'\u2019"
_MINUS = {"\u2212": "-", "\u2013": "-", "\u2012": "-", "\ufe63": "-", "\uff0d": "-"}

# Languages writing a decimal comma ("1.234,56" / "1 234,56"); Switzerland and Liechtenstein
# write a decimal point even in German / French ("1'234.56").
_COMMA_DECIMAL_LANGS = frozenset(
    "de fr es it nl pt pl cs sk sl hr sr bs da sv nb nn no fi et lv lt hu ro bg ru uk tr el "
    "id vi ca eu gl is".split())
_DOT_DECIMAL_COUNTRIES = frozenset({"CH", "LI"})
_DOT_DECIMAL_LANGS = frozenset("en ja zh ko he th ms hi us gb uk".split())

# ---------------------------------------------------------------------------- numbers


def _locale_parts(hint: str | None) -> tuple[str | None, str | None]:
    """Split a locale hint into (language, COUNTRY); a lone 2-letter token fills both."""
    if not isinstance(hint, str) or not hint.strip():
        return None, None
    parts = [p for p in re.split(r"[-_.@\s]+", hint.strip()) if p]
    if not parts:
        return None, None
    if len(parts) == 1:
        return parts[0].lower(), parts[0].upper()
    return parts[0].lower(), parts[1].upper()


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
    if not s or not re.fullmatch(rf"[0-9.,{_GROUP_CHARS}]+", s) or not re.search(r"\d", s):
        return None
    grouped = False
    groups = re.split(rf"[{_GROUP_CHARS}]+", s)
    if len(groups) > 1:
        last = re.fullmatch(r"(\d{3})([.,]\d+)?", groups[-1])
        if not last or not _valid_groups(groups[:-1] + [last.group(1)]):
            return None
        s, grouped = "".join(groups), True
    seps = [c for c in s if c in ".,"]
    if len(re.sub(r"[.,].*", "", s)) > 15:
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
        if s.endswith("-") and re.search(r"\d[.,]-{1,2}$", s):
            s = re.sub(r"[.,]-{1,2}$", "", s)        # "12,-" / "12.--": whole units
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

# ------------------------------------------------------------------------------ dates

# Month names and abbreviations in EN / DE / FR / NL, accent-folded ("März" -> "marz").
_MONTHS: dict[str, int] = {name: num for num, names in enumerate((
    "january jan januar janv janvier jaenner janner januari",
    "february feb februar feber fevrier fevr fev februari",
    "march mar marz maerz mrz mars maart mrt", "april apr avril avr", "may mai mei",
    "june jun juni juin",
    "july jul juli juillet juil", "august aug aout augustus", "september sep sept septembre",
    "october oct okt oktober octobre", "november nov novembre",
    "december dec dez dezember decembre",
), start=1) for name in names.split()}

_FILLERS = frozenset(
    "the of on am den der le du de monday tuesday wednesday thursday friday saturday sunday "
    "mon tue tues wed thu thur thurs fri sat sun montag dienstag mittwoch donnerstag freitag "
    "samstag sonnabend sonntag mo di mi do fr sa so lundi mardi mercredi jeudi vendredi "
    "samedi dimanche lun mar mer jeu ven sam dim van maandag dinsdag woensdag donderdag "
    "vrijdag zaterdag zondag".split()) - set(_MONTHS)

# Month-first countries (US and territories, Philippines, Micronesia, Palau, Marshall Is.);
# CA mixes both orders, so it is "unknown" (None).
_MONTH_FIRST = frozenset("US PR GU VI AS MP UM PH FM PW MH".split())
_AMBIGUOUS_ORDER = frozenset({"CA"})
_COUNTRIES = frozenset(re.findall(r"[A-Z]{2}", (
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO "
    "BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ "
    "DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP "
    "GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG "
    "KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML "
    "MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE "
    "PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL "
    "SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM "
    "US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK EL UK")))


def date_order_for_country(country_code: str | None) -> bool | None:
    """True if the country writes the day first, False if month first, None if unknown."""
    if not isinstance(country_code, str):
        return None
    code = country_code.strip().upper()
    if code in _MONTH_FIRST:
        return False
    if code in _AMBIGUOUS_ORDER or code not in _COUNTRIES:
        return None
    return True


def _day_first_for_locale(hint: str | None) -> bool | None:
    lang, country = _locale_parts(hint)
    if country is None:
        return None
    order = date_order_for_country(country)
    if order is None and lang in {"en", "de", "fr"} | _COMMA_DECIMAL_LANGS:
        return True
    return order


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def _year(y: str) -> int | None:
    if len(y) == 4:
        return int(y)
    if len(y) == 2:
        yy = int(y)
        return 2000 + yy if yy < 70 else 1900 + yy
    return None


def _make(y: int | None, m: int, d: int) -> date | None:
    if y is None or not 1900 <= y <= 2099:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def parse_date(text: str, *, day_first: bool | None = None,
               locale_hint: str | None = None) -> date | None:
    """Parse a date printed in any common EN/DE/FR numeric or month-name format."""
    if not isinstance(text, str) or not text.strip() or len(text) > _MAX_LEN:
        return None
    s = _fold(text.strip()).strip(" ,;")
    s = re.sub(r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)$", "", s)
    s = s.strip()
    m = re.fullmatch(r"(\d{4})([-./])(\d{1,2})\2(\d{1,2})", s)
    if m:
        return _make(int(m.group(1)), int(m.group(3)), int(m.group(4)))
    if re.fullmatch(r"\d{8}", s):
        return _make(int(s[:4]), int(s[4:6]), int(s[6:]))
    m = re.fullmatch(r"(\d{1,2})\s*([-./])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})", s)
    if m:
        a, b, y = int(m.group(1)), int(m.group(3)), _year(m.group(4))
        if a > 12 >= b:
            first = True
        elif b > 12 >= a:
            first = False
        else:
            first = day_first
            if first is None:
                order = _day_first_for_locale(locale_hint)
                first = True if order is None else order
        return _make(y, b, a) if first else _make(y, a, b)
    return _parse_named_date(s)


def _parse_named_date(s: str) -> date | None:
    """Dates with a month name: "25 Dec '18", "Dec 25th, 2018", "1er janvier 2024"..."""
    s = re.sub(r"[’']\s*(\d{2})$", r" \1", s)
    tokens = [t for t in re.split(r"[\s,./\-]+", s) if t]
    day = month = year = None
    for tok in tokens:
        tok = re.sub(r"^(\d{1,2})(?:st|nd|rd|th|er|re|e)$", r"\1", tok)
        if tok in _MONTHS and month is None:
            month = _MONTHS[tok]
        elif tok.isdigit() and len(tok) == 4 and year is None:
            year = int(tok)
        elif tok.isdigit() and len(tok) <= 2 and day is None:
            day = int(tok)
        elif tok.isdigit() and len(tok) == 2 and year is None and day is not None:
            year = _year(tok)
        elif tok in _FILLERS:
            continue
        else:
            return None
    if day is None or month is None or year is None:
        return None
    return _make(year, month, day)


def iso_date(d: date) -> str:
    """``YYYY-MM-DD`` (a datetime loses its time); ``""`` for anything that is not a date."""
    return date(d.year, d.month, d.day).isoformat() if isinstance(d, date) else ""

# --------------------------------------------------------------------------- currency


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
    for tok in re.findall(r"[A-Z]{1,3}\$|[^\W\d_]+\.?|[^\w\s.,()+\-'’]+", text):
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
    s = re.sub(r"[\s.\-/_:,\u00a0\u202f]", "", text.upper())
    if not re.fullmatch(r"[A-Z0-9+*]{8,20}", s) or len(re.findall(r"\d", s)) < 5:
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
    s = re.sub(r"^\s*IBAN\s*[:.]?\s*", "", text.upper())
    s = re.sub(r"[\s\-\u00a0\u202f]", "", s)
    return s if re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", s) else None


def iban_valid(text: str) -> bool:
    """Checksum- and country-format-valid IBAN (stdnum.iban)."""
    iban = normalize_iban(text)
    if iban is None:
        return False
    try:
        return bool(import_module("stdnum.iban").is_valid(iban))
    except Exception:
        return False
