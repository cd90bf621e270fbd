"""Dates as printed on EN / DE / FR (and NL) business documents: numeric and month-name
formats, day-first vs month-first by locale or country.  Public names are re-exported by
`extraction.normalize`; every function is total (junk in, ``None`` out)."""
from __future__ import annotations

import re
from datetime import date

from extraction.normalize_locale import _COMMA_DECIMAL_LANGS, _MAX_LEN, _fold, _locale_parts

__all__ = ["parse_date", "date_order_for_country", "iso_date"]

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

_TIME_TAIL = re.compile(r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)$")
_YMD = re.compile(r"(\d{4})([-./])(\d{1,2})\2(\d{1,2})")
_EIGHT_DIGITS = re.compile(r"\d{8}")
_DMY = re.compile(r"(\d{1,2})\s*([-./])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})")
_APOS_YEAR = re.compile(r"[’']\s*(\d{2})$")
_DATE_SPLIT = re.compile(r"[\s,./\-]+")
_ORDINAL = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|er|re|e)$")


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
    s = _TIME_TAIL.sub("", s)
    s = s.strip()
    m = _YMD.fullmatch(s)
    if m:
        return _make(int(m.group(1)), int(m.group(3)), int(m.group(4)))
    if _EIGHT_DIGITS.fullmatch(s):
        return _make(int(s[:4]), int(s[4:6]), int(s[6:]))
    m = _DMY.fullmatch(s)
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
    s = _APOS_YEAR.sub(r" \1", s)
    tokens = [t for t in _DATE_SPLIT.split(s) if t]
    day = month = year = None
    for tok in tokens:
        tok = _ORDINAL.sub(r"\1", tok)
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
