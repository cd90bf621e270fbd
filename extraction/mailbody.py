"""Mail bodies as documents: many remittance advices (and some orders) arrive as an HTML
table or plain text in the mail itself.  The body becomes pseudo-pages of `Word`s laid out
on a grid - one table row per line, one cell per column band - so the same layout rules
that read PDFs read mail bodies."""
from __future__ import annotations

import re

from extraction.layout import Page, Word

LINE_H = 1.0 / 80          # 80 lines per pseudo-page
CHAR_W = 1.0 / 160         # 160 characters per line


def _decode(data: bytes) -> str:
    for enc in ("utf-8", "cp1252", "latin-1"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace")


def html_rows(html: str) -> list[list[str]]:
    """Visible text of an HTML body as rows of cells (a table row = one row of cells,
    any other block = one row with one cell)."""
    import lxml.html

    root = lxml.html.fromstring(html or "<p></p>")
    for bad in root.xpath("//script|//style|//head"):
        bad.drop_tree()
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    rows: list[list[str]] = []

    def text_of(el) -> str:
        lines = (re.sub(r"[^\S\n]+", " ", ln).strip() for ln in el.text_content().split("\n"))
        return "\n".join(ln for ln in lines if ln)

    def walk(el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "tr":
            cells = [text_of(c).replace("\n", " ") for c in el
                     if isinstance(c.tag, str) and c.tag in ("td", "th")]
            if any(cells):
                rows.append(cells)
            return
        if tag in ("p", "div", "li", "h1", "h2", "h3", "h4", "br") and not el.xpath(".//tr|.//p|.//div"):
            t = text_of(el)
            if t:
                rows.extend([[line] for line in t.split("\n") if line.strip()])
            if el.tail and el.tail.strip():
                rows.append([el.tail.strip()])
            return
        if el.text and el.text.strip() and tag not in ("table", "tbody", "thead"):
            rows.append([el.text.strip()])
        for child in el:
            walk(child)
            if child.tail and child.tail.strip() and el.tag not in ("tr", "table", "tbody"):
                rows.append([child.tail.strip()])

    walk(root)
    return rows


_GRID = re.compile(r"\t|\s\|\s|^\||\|$")


def _semicolon_lines(lines: list[str]) -> set[int]:
    """Lines of a semicolon-separated list: runs of >= 2 lines with the same number of
    semicolons (a header and its rows; empty cells stay empty)."""
    counts = [ln.count(";") for ln in lines]
    out: set[int] = set()
    for k, n in enumerate(counts):
        if n and ((k > 0 and counts[k - 1] == n) or (k + 1 < len(counts) and counts[k + 1] == n)):
            out.add(k)
    return out


def _grid_cells(line: str) -> list[str]:
    # two or more spaces, a tab or a pipe separate columns in plain-text tables
    cells = [c.strip() for c in re.split(r"\t|\s{2,}|\s\|\s|^\||\|$", line) if c and c.strip()]
    return cells or [line.strip()]


def text_rows(text: str) -> list[list[str]]:
    """Plain-text lines as rows of cells (semicolon lists keep their empty cells)."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    semi = _semicolon_lines(lines)
    return [[c.strip() for c in ln.split(";")] if k in semi else _grid_cells(ln)
            for k, ln in enumerate(lines)]


def text_layout(text: str) -> list[list[str] | str]:
    """Rows for `rows_to_pages`: semicolon lists, tab- and pipe-separated lines become
    cells on a grid; any other line (fixed-width columns aligned with spaces, prose) is
    kept as printed and placed by character position, so that an empty cell in a
    fixed-width table leaves its column empty instead of shifting the cells after it."""
    lines = [ln.rstrip() for ln in text.splitlines() if ln.strip()]
    semi = _semicolon_lines(lines)
    out: list[list[str] | str] = []
    for k, ln in enumerate(lines):
        if k in semi:
            out.append([c.strip() for c in ln.split(";")])
        elif _GRID.search(ln):
            out.append(_grid_cells(ln))
        else:
            out.append(ln)
    return out


def rows_to_pages(rows: list[list[str]] | list[list[str] | str]) -> list[Page]:
    """Rows on pseudo-pages: a list of cells is laid out on a column grid shared by all
    such rows, a string is a line placed by character position (monospace)."""
    grid = [r for r in rows if not isinstance(r, str)]
    ncols = max((len(r) for r in grid), default=1)
    widths = [0] * ncols
    for r in grid:
        if len(r) > 1:
            for i, c in enumerate(r):
                widths[i] = max(widths[i], min(len(c), 40))
    starts, x = [], 0
    for w in widths:
        starts.append(x)
        x += max(w, 4) + 3
    fixed = max((len(r) for r in rows if isinstance(r, str) and re.search(r"\S\s{2,}\S", r)),
                default=0)
    scale = min(CHAR_W, 0.98 / max(x, fixed, 1))
    pages: list[Page] = []
    per_page = int(1 / LINE_H) - 2
    for pi in range(0, max(len(rows), 1), per_page):
        words: list[Word] = []
        for li, row in enumerate(rows[pi:pi + per_page]):
            y0 = (li + 1) * LINE_H
            placed = [(0, row)] if isinstance(row, str) else \
                [(starts[ci] if len(row) > 1 else 0, cell) for ci, cell in enumerate(row)]
            for cx, cell in placed:
                for m in re.finditer(r"\S+", cell):
                    x0 = 0.01 + (cx + m.start()) * scale
                    words.append(Word(m.group(), x0, y0, x0 + len(m.group()) * scale, y0 + LINE_H * 0.8))
        pages.append(Page(number=len(pages) + 1, width=1000, height=1000, words=words, source="mail"))
    return pages


def body_pages(data: bytes, *, html: bool) -> list[Page]:
    text = _decode(data)
    if not html and re.search(r"<(table|html|body|p|div)\b", text[:4000], re.I):
        html = True
    return rows_to_pages(html_rows(text) if html else text_layout(text))
