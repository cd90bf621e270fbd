"""Words with boxes: the common currency of every page reader.

Both readers (PDF text layer in `pages.py`, OCR in `ocr.py`) turn a page into a `Page` of
`Word`s.  Coordinates are page-relative fractions in ``[0, 1]`` with the origin at the
top-left, so layout rules work the same on a 72-DPI text layer and a 300-DPI scan.
"""
from __future__ import annotations

from dataclasses import dataclass, field


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
    heights = sorted(w.height for w in words if w.height > 0) or [0.01]
    med = heights[len(heights) // 2]
    lines: list[list[Word]] = []
    centres: list[float] = []
    for w in sorted(words, key=lambda w: (w.cy, w.x0)):
        if lines and abs(w.cy - centres[-1]) <= tolerance * med:
            lines[-1].append(w)
            n = len(lines[-1])
            centres[-1] += (w.cy - centres[-1]) / n
        else:
            lines.append([w])
            centres.append(w.cy)
    return [Line(sorted(ws, key=lambda w: w.x0)) for ws in lines]
