"""Page words -> one NER text, with a map from characters back to words and boxes.

The NER runs on a plain string, but the field extractor needs boxes.  `page_text` turns a
`Page` into text the way a reader would see it:

* lines come from `Page.lines()` (top to bottom) and are joined by ``"\\n"``;
* inside a line, a wide horizontal gap (a column break: "Bill to ... | Invoice No ...")
  becomes ``"\\t"`` instead of a space, so the two columns are separate *segments* and an
  entity never has to straddle them;
* every word keeps its character offsets, so an entity's ``(start, end)`` maps back to
  the words it covers (`PageText.words_in`) and their union box.

`sroie_page` builds a `Page` from a SROIE ``X.csv`` (OCR line boxes) so receipts go
through exactly the same text builder as PDFs.
"""
from __future__ import annotations

import csv
from bisect import bisect_right
from operator import itemgetter
from dataclasses import dataclass, field
from pathlib import Path

from extraction.layout import Line, Page, Word, union

__all__ = ["PageText", "page_text", "sroie_page", "GAP_FACTOR"]

_END = itemgetter(1)
GAP_FACTOR = 1.5   # a gap wider than this x the line's median word height splits columns


@dataclass(slots=True)
class PageText:
    """The text of (part of) one page and where each word sits in it."""

    page: int
    text: str
    words: list[Word] = field(default_factory=list)
    offsets: list[tuple[int, int]] = field(default_factory=list)   # (start, end) per word

    def words_in(self, start: int, end: int) -> list[Word]:
        """Words overlapping the character range ``[start, end)``.  The offsets ascend
        (`page_text` writes the words in text order), so a binary search finds the first."""
        offsets = self.offsets
        k = bisect_right(offsets, start, key=_END)
        out: list[Word] = []
        for k in range(k, len(offsets)):
            if offsets[k][0] >= end:
                break
            if offsets[k][1] > start:
                out.append(self.words[k])
        return out

    def bbox(self, start: int, end: int) -> tuple[float, float, float, float] | None:
        ws = self.words_in(start, end)
        if not ws:
            return None
        x0, y0, x1, y1 = union(ws)
        return (max(0.0, x0), max(0.0, y0), min(1.0, x1), min(1.0, y1))


def _median_height(line: Line) -> float:
    hs = sorted(w.height for w in line.words if w.height > 0)
    return hs[len(hs) // 2] if hs else 0.01


def page_text(page: Page, *, max_y: float | None = None,
              lines: list[Line] | None = None) -> PageText:
    """The page as ``"\\n"``-separated lines and ``"\\t"``-separated column segments.

    ``max_y`` keeps only lines whose top lies above that page fraction (e.g. 0.45 for the
    header block where the parties are printed).  ``lines``: ``page.lines()`` when the
    caller has grouped them already."""
    parts: list[str] = []
    words: list[Word] = []
    offsets: list[tuple[int, int]] = []
    pos = 0
    first_line = True
    for line in (page.lines() if lines is None else lines):
        ws = [w for w in line.words if w.text.strip()]
        if not ws:
            continue
        if max_y is not None and min(w.y0 for w in ws) > max_y:
            continue
        if not first_line:
            parts.append("\n")
            pos += 1
        first_line = False
        gap_limit = GAP_FACTOR * _median_height(line)
        prev: Word | None = None
        for w in ws:
            if prev is not None:
                sep = "\t" if w.x0 - prev.x1 > gap_limit else " "
                parts.append(sep)
                pos += 1
            token = " ".join(w.text.split())
            parts.append(token)
            words.append(w)
            offsets.append((pos, pos + len(token)))
            pos += len(token)
            prev = w
    return PageText(page=page.number, text="".join(parts), words=words, offsets=offsets)


def sroie_page(csv_path: str | Path, width: float | None = None,
               height: float | None = None) -> Page:
    """A SROIE receipt as a `Page`: each OCR line box split into words by character share.

    Size defaults to the receipt image's size (the ``.jpg`` beside the CSV), else to the
    largest coordinate in the CSV."""
    path = Path(csv_path)
    rows: list[tuple[list[float], str]] = []
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        for rec in csv.reader(fh):
            if len(rec) < 9:
                continue
            try:
                coords = [float(v) for v in rec[:8]]
            except ValueError:
                continue
            text = ",".join(rec[8:]).strip()
            if text:
                rows.append((coords, text))
    if width is None or height is None:
        img = path.with_suffix(".jpg")
        try:
            from PIL import Image
            with Image.open(img) as im:
                width, height = float(im.size[0]), float(im.size[1])
        except Exception:   # noqa: BLE001 - missing image or PIL: fall back to the boxes
            width = max((max(c[0::2]) for c, _ in rows), default=1.0)
            height = max((max(c[1::2]) for c, _ in rows), default=1.0)
    words: list[Word] = []
    for coords, text in rows:
        x0, x1 = min(coords[0::2]) / width, max(coords[0::2]) / width
        y0, y1 = min(coords[1::2]) / height, max(coords[1::2]) / height
        toks = text.split()
        total = sum(len(t) for t in toks) + len(toks) - 1
        cursor = 0
        for t in toks:
            a = x0 + (x1 - x0) * cursor / max(1, total)
            cursor += len(t)
            b = x0 + (x1 - x0) * cursor / max(1, total)
            cursor += 1
            words.append(Word(t, a, y0, b, y1))
    return Page(number=1, width=width, height=height, words=words, source="ocr")
