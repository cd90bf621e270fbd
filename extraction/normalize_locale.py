"""Locale hints and text folding shared by the value parsers of `extraction.normalize`.

Locale hints are strings such as ``"de"``, ``"fr_FR"``, ``"en-US"``, ``"de_CH"`` or a bare
country code such as ``"us"``.
"""
from __future__ import annotations

import re
import unicodedata

_MAX_LEN = 64

# Languages writing a decimal comma ("1.234,56" / "1 234,56"); Switzerland and Liechtenstein
# write a decimal point even in German / French ("1'234.56").
_COMMA_DECIMAL_LANGS = frozenset(
    "de fr es it nl pt pl cs sk sl hr sr bs da sv nb nn no fi et lv lt hu ro bg ru uk tr el "
    "id vi ca eu gl is".split())
_DOT_DECIMAL_COUNTRIES = frozenset({"CH", "LI"})
_DOT_DECIMAL_LANGS = frozenset("en ja zh ko he th ms hi us gb uk".split())
_HINT_SPLIT = re.compile(r"[-_.@\s]+")


def _locale_parts(hint: str | None) -> tuple[str | None, str | None]:
    """Split a locale hint into (language, COUNTRY); a lone 2-letter token fills both."""
    if not isinstance(hint, str) or not hint.strip():
        return None, None
    parts = [p for p in _HINT_SPLIT.split(hint.strip()) if p]
    if not parts:
        return None, None
    if len(parts) == 1:
        return parts[0].lower(), parts[0].upper()
    return parts[0].lower(), parts[1].upper()



def _fold(text: str) -> str:
    if text.isascii():
        return text.lower()          # nothing to decompose or fold
    text = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()

