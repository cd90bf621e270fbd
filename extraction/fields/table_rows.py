"""Body rows of a line table: words -> header columns, lines -> items.

Words are placed by overlap with the header cell spans.  A word under no header goes
with the word before it when they are one phrase (small gap), otherwise to the column
it aligns with: numbers right-aligned (right edges), text left-aligned (left edges).
Text flowing on from a description never jumps into a numeric column it overhangs.
French thousands groups printed with a space ("1 067,99") are joined first.
"""
from __future__ import annotations

import re

from extraction.fields.table_header import NUMERIC, Column
from extraction.layout import Word

_NUMLIKE = re.compile(r"^[-+(]?[\d.,' ]+%?\)?$|^\d+([.,]\d+)?\s?%$")
_GROUP_HEAD = re.compile(r"^[-+]?\d{1,3}$")
_GROUP_TAIL = re.compile(r"^\d{3}(?:[.,]\d{1,3})?$|^\d{3} ")


def is_numlike(text: str) -> bool:
    """Looks like a number, amount or percentage (no letters)."""
    return bool(_NUMLIKE.match(text.strip()))


def join_groups(words: list[Word], cw: float) -> list[Word]:
    """Join "1" + "067,99" printed with a (thin) space into one word."""
    out: list[Word] = []
    for w in words:
        if out and _GROUP_HEAD.match(out[-1].text) and _GROUP_TAIL.match(w.text) and \
                0 <= w.x0 - out[-1].x1 < 1.3 * cw and re.search(r"[.,]\d{1,2}$", w.text):
            p = out.pop()
            w = Word(f"{p.text}\u00a0{w.text}".replace("\u00a0", " "), p.x0, min(p.y0, w.y0),
                     w.x1, max(p.y1, w.y1), min(p.conf, w.conf))
        out.append(w)
    return out


def char_w(words: list[Word]) -> float:
    ws = sorted((w.x1 - w.x0) / max(1, len(w.text)) for w in words)
    return ws[len(ws) // 2] if ws else 0.006


def _nearest(cols: list[Column], w: Word) -> Column:
    num = is_numlike(w.text)

    def dist(c: Column) -> float:
        gap = max(0.0, c.x0 - w.x1, w.x0 - c.x1)
        edge = abs(w.x1 - c.x1) if num else abs(w.x0 - c.x0)
        return min(gap, edge) + (0.02 if num != c.numeric else 0.0)
    return min(cols, key=dist)


def assign(cols: list[Column], words: list[Word]) -> dict[str, list[Word]]:
    """Cells of one body line: column field -> words, left to right."""
    cells: dict[str, list[Word]] = {}
    cw = char_w(words)
    prev: Word | None = None
    prev_col: Column | None = None
    for w in join_groups(words, cw):
        best, ov = None, 0.0
        for c in cols:
            o = min(c.x1, w.x1) - max(c.x0, w.x0)
            if o > ov:
                best, ov = c, o
        joined = prev is not None and prev_col is not None and w.x0 - prev.x1 < 1.3 * cw
        if joined and prev_col is not None and not prev_col.numeric and \
                not is_numlike(w.text) and (best is None or best.numeric or
                                            prev_col.field == "description"):
            best = prev_col
        elif best is None:
            best = prev_col if joined and prev_col is not None else _nearest(cols, w)
        cells.setdefault(best.field, []).append(w)
        prev, prev_col = w, best
    return cells


def numeric_fields(cells: dict[str, list[Word]]) -> set[str]:
    return {f for f in cells if f in NUMERIC}
