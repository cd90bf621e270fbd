"""Document view shared by the field extractors: lines, label hits and typed values.

A `Doc` wraps the `Page`s of one document: visual lines (per page, top to bottom), each
word's normalised text, the label phrases found on each line (longest match, via
`extraction.labels`), and the locale decisions (language, decimal convention, date order)
that the value parsers need.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Iterable

from extraction.layout import Line, Page, Word, union
from extraction.fields import lex

BBox = tuple[float, float, float, float]

# a horizontal gap wider than this many font sizes separates columns / text blocks, not
# words (word spaces are about 0.3 font sizes)
BIG_GAP_EM = 1.5


@dataclass(slots=True)
class DLine:
    page: int                  # 1-based
    idx: int                   # index in Doc.lines
    words: list[Word]
    norms: list[str]
    source: str = "text"
    aspect: float = 1.0        # page height / page width (turns a height into x units)
    # derived from `words` once (the words of a line never change after `Doc.build`);
    # the extractors read them many times per line
    text: str = field(init=False, repr=False, compare=False)
    y0: float = field(init=False, repr=False, compare=False)
    y1: float = field(init=False, repr=False, compare=False)
    height: float = field(init=False, repr=False, compare=False)
    _bbox: BBox | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ws = self.words
        self.text = " ".join([w.text for w in ws])
        self.y0 = min([w.y0 for w in ws])
        self.y1 = max([w.y1 for w in ws])
        hs = sorted([w.y1 - w.y0 for w in ws])
        self.height = hs[len(hs) // 2] or 0.01

    @property
    def em(self) -> float:
        """The line's font size (median word height) in page-width units, to compare
        horizontal gaps with."""
        return self.height * self.aspect

    def big_gap(self, k: int, factor: float | None = None) -> bool:
        """Is the space between word ``k - 1`` and word ``k`` a column gap rather than a
        word space (wider than `factor` font sizes)?"""
        ws = self.words
        if factor is None:
            factor = BIG_GAP_EM
        return 0 < k < len(ws) and ws[k].x0 - ws[k - 1].x1 > factor * self.em

    def segments(self) -> list[tuple[int, int]]:
        """Word spans ``[i, j)`` of the line split at column gaps: a right-hand label
        block may share one visual line with a paragraph on its left (two columns whose
        line pitches differ); a label phrase never spans such a gap."""
        out: list[tuple[int, int]] = []
        start = 0
        for k in range(1, len(self.words)):
            if self.big_gap(k):
                out.append((start, k))
                start = k
        out.append((start, len(self.words)))
        return out

    @property
    def bbox(self) -> BBox:
        b = self._bbox
        if b is None:
            b = self._bbox = union(self.words)
        return b


@dataclass(slots=True)
class Hit:
    """A label phrase found on a line: words [i, j) of `line`."""
    line: DLine
    i: int
    j: int
    fields: tuple[str, ...]
    phrase: str

    @property
    def x0(self) -> float:
        return self.line.words[self.i].x0

    @property
    def x1(self) -> float:
        return self.line.words[self.j - 1].x1

    @property
    def words(self) -> list[Word]:
        return self.line.words[self.i:self.j]


@dataclass(slots=True)
class Cand:
    """A typed candidate value for a field."""
    field: str
    value: str
    score: float
    page: int | None
    words: list[Word]
    source: str = "text"
    why: str = ""
    raw: object = None

    @property
    def bbox(self) -> BBox | None:
        return union(self.words) if self.words else None


_LEGAL_WORD = re.compile(r"(GmbH|AG|KG|SE|SARL|SAS|SA|Ltd\.?|Inc\.?|LLC|B\.V\.?|BV|NV|"
                         r"e\.K\.|OHG|UG|GbR|Corp\.?|PLC|plc|S\.A\.|&)")


_PARTY_FIELDS = frozenset(("seller_name", "buyer_name", "payer_name", "ship_to",
                           "seller_address"))


_ID_WORD = re.compile(r"[A-Za-z]{1,6}[-_/]?\d[\w\-/.]*")
_OCR_CENTS = re.compile(r"(\d[.,])\s+(\d{2})$")
_DIGIT = re.compile(r"\d")
_AMOUNT_QUOTES = re.compile(r"^[‘’“”'\"`´]+(?=[-\d])|(\d[.,]\d{2})[.‘’“”'\"`´]+$")
_NOT_AMOUNT = re.compile(r"\d[/:]\d|[A-Za-z]{2,}\d|\d[A-Za-z]{4,}")


def _value_position(ln: DLine, i: int, j: int, hs: list) -> bool:
    """Is a label match really part of a value: after "Name:" or inside "Lieferant GmbH"?
    A party label ("Seller", "Client") glued to the words before it ("Seller line 2" after
    a street) is text, not a heading."""
    fields = next((f for (a, b, f, _p) in hs if a == i and b == j), ())
    if i > 0 and _PARTY_FIELDS.intersection(fields) and \
            ln.words[i].x0 - ln.words[i - 1].x1 < 0.02 and \
            not ln.words[i - 1].text.endswith((":", "|", "·")):
        return True
    if i > 0 and ln.words[i - 1].text.endswith(":") and \
            ln.words[i].x0 - ln.words[i - 1].x1 < 0.15:
        return True
    if j - i == 1 and _ID_WORD.fullmatch(ln.words[i].text):
        return True                # "INV-2024-0042" is an ID, not the label "Inv"
    if j < len(ln.words) and _LEGAL_WORD.fullmatch(ln.words[j].text) and \
            ln.words[j].x0 - ln.words[j - 1].x1 < 0.03:
        return True
    return False


def _find_labels(ln: DLine) -> list[lex.Span]:
    """Label phrases of a line, searched per gap-separated segment (`DLine.segments`);
    on OCR'd lines also phrases with one misread letter (`lex.fuzzy_labels`)."""
    find = lex.find_labels
    if ln.source == "ocr":
        def find(norms: list[str]) -> list[lex.Span]:
            exact = lex.find_labels(norms)
            return sorted(exact + lex.fuzzy_labels(norms, exact))
    segs = ln.segments()
    if len(segs) == 1:
        return find(ln.norms)
    out: list[lex.Span] = []
    for a, b in segs:
        out.extend((i + a, j + a, f, ph) for (i, j, f, ph) in find(ln.norms[a:b]))
    return out


def norm_word(text: str) -> str:
    return lex.normalise(text)


@dataclass
class Doc:
    pages: list[Page]
    lines: list[DLine] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    hits_by_line: dict[int, list[Hit]] = field(default_factory=dict)
    lang: str | None = None
    comma_decimal: bool | None = None
    day_first: bool | None = None
    country: str | None = None
    # the visual lines of each page as `Page.lines()` grouped them (blank words included),
    # so that later readers of a page (the NER text) need not group its words again
    page_lines: dict[int, list[Line]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, pages: list[Page], locale_hint: str | None = None) -> "Doc":
        doc = cls(pages)
        for p in pages:
            grouped = p.lines()
            aspect = p.height / p.width if p.width and p.height else 1.0
            doc.page_lines.setdefault(p.number, grouped)
            for ln in grouped:
                words = [w for w in ln.words if w.text.strip()]
                if not words:
                    continue
                doc.lines.append(DLine(p.number, len(doc.lines), words,
                                       [norm_word(w.text) for w in words], p.source,
                                       aspect))
        from extraction.fields.groups import merge
        lines = doc.lines
        for ln in lines:
            hs = _find_labels(ln)
            if not hs:
                continue
            # a label right after "Name:" / "Firma:" sits in a value position
            found = [Hit(ln, i, j, f, ph) for (i, j, f, ph) in hs
                     if not _value_position(ln, i, j, hs)]
            if found:
                below = [o for o in lines[ln.idx + 1:ln.idx + 3] if o.page == ln.page
                         and o.y0 - ln.y1 < 2.5 * ln.height]
                found = merge(ln, found, below)
                doc.hits_by_line[ln.idx] = found
                doc.hits.extend(found)
        from extraction.fields import localeinfo
        localeinfo.decide(doc, locale_hint)
        return doc

    # ------------------------------------------------------------------ value parsing
    @property
    def num_hint(self) -> str | None:
        if self.comma_decimal is True:
            return "de"
        if self.comma_decimal is False:
            return "en"
        return self.lang

    def amount(self, text: str) -> Decimal | None:
        from extraction.normalize import parse_amount
        text = _OCR_CENTS.sub(r"\1\2", text)   # OCR: "64. 15" -> "64.15"
        # quotes / a full stop glued to an amount ("‘100,00.": speckle or sentence end)
        text = _AMOUNT_QUOTES.sub(r"\1", text)
        if not _DIGIT.search(text) or _NOT_AMOUNT.search(text):
            return None
        return parse_amount(text, self.num_hint)

    def date(self, text: str) -> date | None:
        from extraction.normalize import parse_date
        return parse_date(text, day_first=self.day_first, locale_hint=self.lang)

    def lines_on(self, page: int) -> list[DLine]:
        return [ln for ln in self.lines if ln.page == page]

    def below(self, ln: DLine, max_gap: float = 3.0) -> Iterable[DLine]:
        """Following lines on the same page within `max_gap` line heights."""
        limit = ln.y1 + max_gap * ln.height
        lines = self.lines
        page = ln.page
        for k in range(ln.idx + 1, len(lines)):
            other = lines[k]
            if other.page != page or other.y0 > limit:
                break
            yield other

    def labelled_words(self, ln: DLine) -> set[int]:
        out: set[int] = set()
        for h in self.hits_by_line.get(ln.idx, []):
            out.update(range(h.i, h.j))
        return out

    def text_lower(self) -> str:
        return "\n".join(" ".join(ln.norms) for ln in self.lines)
