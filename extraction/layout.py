"""Words with boxes: the common currency of every page reader.

Both readers (PDF text layer in `pages.py`, OCR in `ocr.py`) turn a page into a `Page` of
`Word`s.  Coordinates are page-relative fractions in ``[0, 1]`` with the origin at the
top-left, so layout rules work the same on a 72-DPI text layer and a 300-DPI scan.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter, itemgetter


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    conf: float = 1.0          # reader's own confidence in [0, 1] (1.0 for a text layer)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.x0, self.y0, self.x1, self.y1)

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass(slots=True)
class Line:
    """Words on one visual line, left to right."""

    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return union(self.words)


@dataclass(slots=True)
class Page:
    number: int                 # 1-based
    width: float                # in the reader's native unit (PDF points or pixels)
    height: float
    words: list[Word] = field(default_factory=list)
    source: str = "text"        # text | ocr
    rotation: int = 0           # degrees the reader rotated the page to make it upright
    skew: float = 0.0           # then degrees it turned the page (counter-clockwise) to level its lines
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines())

    def lines(self, tolerance: float = 0.5) -> list[Line]:
        """Group words into visual lines (words whose vertical centres lie within
        ``tolerance`` x median word height), each sorted left to right."""
        return group_lines(self.words, tolerance)


def union(words: list[Word]) -> tuple[float, float, float, float]:
    return (
        min(w.x0 for w in words), min(w.y0 for w in words),
        max(w.x1 for w in words), max(w.y1 for w in words),
    )


def group_lines(words: list[Word], tolerance: float = 0.5) -> list[Line]:
    if not words:
        return []
    # (`Word.height` / `Word.cy` spelled out: this runs for every page, twice for page 1)
    heights = sorted(h for h in (w.y1 - w.y0 for w in words) if h > 0) or [0.01]
    limit = tolerance * heights[len(heights) // 2]
    lines: list[list[Word]] = []
    current: list[Word] = []
    centre = 0.0
    for cy, _x0, w in sorted([((w.y0 + w.y1) / 2, w.x0, w) for w in words],
                             key=_CY_X0):
        if current and abs(cy - centre) <= limit:
            current.append(w)
            centre += (cy - centre) / len(current)
        else:
            current = [w]
            lines.append(current)
            centre = cy
    return [Line(sorted(ws, key=_X0)) for ws in lines]


_CY_X0 = itemgetter(0, 1)     # sort (cy, x0, word) triples by position only (stable)
_X0 = attrgetter("x0")
