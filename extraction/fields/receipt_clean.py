"""Receipt shop names: the registration tail cut off and OCR slips repaired ("SON BHD" ->
"SDN BHD", "{SP}" -> "(SP)", curly apostrophes), and the test for a name wrapped over two
banner lines.  Used by extraction.fields.receipt."""
from __future__ import annotations

import re

from extraction.fields.doc import DLine

__all__ = ["NAME_TAIL", "clean_name", "strip_logo", "continues"]

NAME_TAIL = re.compile(r"\s*[(<\[{]\s*(?:co\.?\s*(?:reg|no)\.?\s*:?\s*)?[\dA-Z]{0,3}\d{3,}"
                       r"[\s\-–]*[A-Z]?\s*[)>\]}]?.*$|\s+\d{5,}\s*[-–]\s*[A-Z]\b.*$|"
                       # digits partly misread as letters: "(S19S37-X)"
                       r"\s*\(\s*(?=(?:[A-Z]*\d){3})[\dA-Z]{5,9}\s*[-–]\s*[A-Z]\s*[)>\]}]?.*$",
                       re.I)


def clean_name(txt: str) -> str:
    """Registration tail, specks and OCR slips of the legal form removed."""
    t = NAME_TAIL.sub("", txt).strip(" ,;:-=*~'\"`.|") if not txt.lstrip().startswith("(") \
        else txt.strip()
    if txt.rstrip().endswith(".") and not t.endswith("."):
        t2 = txt.rstrip()
        if len(t2) == len(t) + 1 and t2.startswith(t):
            t = t2                                   # keep "CO." / "BHD." as printed
    t = t.replace("’", "'").replace("‘", "'")            # curly apostrophes as typed
    t = re.sub(r"[{\[<]\s*([A-Z]{1,4})\s*[}\]>]", r"(\1)", t)   # "{SP}" -> "(SP)"
    t = re.sub(r"(?<=[A-Z]{2})'(?=[A-Z]{2})", " ", t)    # a speck read as "'" between words
    t = re.sub(r"\bS[O0IB]N(\.?\s?)[B8]H[DO0]\b", r"SDN\1BHD", t)
    t = re.sub(r"(?<=\w\s)[S5$]\s*/\s*[B8](?=\s|$)", "S/B", t)
    t = re.sub(r"(?<=[A-Z]-)0(?=\b|[A-Z])|(?<=[A-Z])0(?=[A-Z])", "O", t)
    t = re.sub(r"(?<=\b[A-Z]\.)1(?=\.)", "I", t)        # "D.1.Y." -> "D.I.Y."
    return re.sub(r"\s+", " ", t).strip()


def strip_logo(txt: str) -> str:
    """A lone logo letter before a mixed-case name ("L Yam Fresh")."""
    toks = txt.split()
    if len(toks) >= 2 and len(toks[0]) == 1 and toks[0].isalpha() and \
            toks[1][:1].isupper() and toks[1][1:].islower():
        return " ".join(toks[1:])
    return txt


def continues(prev: DLine, ln: DLine, head_words: list[str]) -> bool:
    """A banner name wrapped over two lines ("WESTERN EASTERN" / "STATIONERY SDN. BHD"):
    the legal line holds one word before its legal form and the line above is a capitals
    line of the same print size that it does not repeat."""
    p = prev.text.strip()
    if len(head_words) != 1 or not re.fullmatch(r"[A-Z][A-Z&'’.\- ]+", p) or len(p) < 4:
        return False
    if not 0.75 <= prev.height / max(ln.height, 1e-9) <= 1.35:
        return False
    pk = re.sub(r"[^a-z]", "", p.casefold())
    return pk not in re.sub(r"[^a-z]", "", ln.text.casefold())
