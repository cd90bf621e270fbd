"""PDF text layer reader: pypdfium2 characters -> `Word`s -> `Page`s, fast.

* `read_pdf` opens a PDF (path or bytes), walks PDFium's character list once per page
  (raw ctypes calls, ~1 us per char) and groups characters into words: a word ends at
  whitespace (real or PDFium-generated), at a horizontal gap wider than a fraction of the
  font height, or when the next character jumps to another line or back to the left.
  Boxes are PDFium's *loose* char boxes (advance width x font ascent/descent), so words
  on one line share a baseline band, like pdfplumber's.  They are mapped from PDF user
  space (y up, crop box offset) to page-relative ``[0, 1]`` fractions of the page *as
  displayed*, i.e. after ``/Rotate``.
* Text is NFC-normalised and typographic ligatures (U+FB00-FB06) are expanded, so
  "ﬁ" becomes "fi" and decomposed umlauts become single code points.
* `needs_ocr` decides whether a page's text layer is usable; `pdf_info` reports it per
  page; `render_page` rasterises a page for OCR or the review UI.

Errors: zero bytes -> `EmptyFile`; not a PDF / damaged / truncated -> `CorruptDocument`;
a user password is required -> `EncryptedDocument` (owner-password-only PDFs open with
the empty user password and read normally); oversized -> `TooLarge`.

PDFium is not thread-safe: call these functions from one thread per process.
"""
from __future__ import annotations

import ctypes
import functools
import math
import struct
import os
import threading
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any, Callable, TypeVar, Union

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from core.errors import CorruptDocument, EmptyFile, EncryptedDocument, TooLarge, UnreadablePath
from extraction.layout import Page, Word

Source = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview]

MAX_PDF_BYTES = 256 * 1024 * 1024
MAX_RENDER_PIXELS = 50_000_000
MIN_TEXT_CHARS = 20
_EOF_WINDOW = 4096
# A gap wider than this fraction of the font (loose box) height splits a word.
GAP_FACTOR = 0.22

_WHITESPACE = frozenset([0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2028,
                         0x2029, 0x202F, 0x205F, 0x3000, *range(0x2000, 0x200C)])
_SKIP_CODES = _WHITESPACE | {0, 0xFFFE, 0xFFFF}   # never part of a word
_RECT = struct.Struct("4f")      # FS_RECTF: left, top, right, bottom (C floats)
_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"GIF8", b"BM")



# pdfium is not thread-safe: every call into it from this process goes through this lock
# (worker threads share one process in the embedded default).
T = TypeVar("T")
PDFIUM_LOCK = threading.RLock()


def _serialised(fn: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        with PDFIUM_LOCK:
            return fn(*args, **kwargs)
    return wrapper


def _name(src: Source) -> str:
    return "<bytes>" if isinstance(src, (bytes, bytearray, memoryview)) else str(src)


def _check_bytes(head: bytes, tail: bytes, size: int, name: str) -> None:
    if size == 0:
        raise EmptyFile(f"{name}: file is empty (0 bytes)")
    if size > MAX_PDF_BYTES:
        raise TooLarge(f"{name}: PDF is {size / 2**20:.0f} MiB, over the "
                       f"{MAX_PDF_BYTES / 2**20:.0f} MiB limit")
    if b"%PDF-" not in head:
        kind = "an image" if head.startswith(_IMAGE_MAGIC) else "not a PDF"
        raise CorruptDocument(f"{name}: {kind} (no %PDF- header)")
    if b"%%EOF" not in tail:
        raise CorruptDocument(f"{name}: PDF is truncated (no %%EOF marker at the end)")


def _open(src: Source) -> tuple[pdfium.PdfDocument, str]:
    """Open a PDF from a path or bytes, mapping every failure to a project error."""
    name = _name(src)
    if isinstance(src, (bytes, bytearray, memoryview)):
        data: bytes | str = bytes(src)
        assert isinstance(data, bytes)
        _check_bytes(data[:1024], data[-_EOF_WINDOW:], len(data), name)
    else:
        path = Path(src)
        try:
            size = path.stat().st_size
            with path.open("rb") as fh:
                head = fh.read(1024)
                fh.seek(max(0, size - _EOF_WINDOW))
                tail = fh.read()
        except FileNotFoundError as exc:
            raise UnreadablePath(f"{name}: no such file") from exc
        except OSError as exc:
            raise UnreadablePath(f"{name}: cannot read ({exc.strerror or exc})") from exc
        _check_bytes(head, tail, size, name)
        data = str(path)
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise EncryptedDocument(f"{name}: PDF is encrypted with a user password; "
                                    "ask the sender for an unprotected copy") from exc
        raise CorruptDocument(f"{name}: PDF cannot be parsed ({exc})") from exc
    if len(doc) == 0:
        doc.close()
        raise CorruptDocument(f"{name}: PDF has no pages")
    return doc, name


@_serialised
def page_count(path: Source) -> int:
    """Number of pages of a PDF."""
    doc, _ = _open(path)
    try:
        return len(doc)
    finally:
        doc.close()


# --- coordinates -----------------------------------------------------------------------
class _Frame:
    """Maps PDF user-space points to displayed, top-left-origin page fractions."""

    __slots__ = ("left", "bottom", "right", "top", "w", "h", "rot", "width", "height")

    def __init__(self, page: pdfium.PdfPage) -> None:
        self.left, self.bottom, self.right, self.top = page.get_cropbox()
        if self.right <= self.left or self.top <= self.bottom:
            self.left, self.bottom, self.right, self.top = page.get_mediabox()
        self.w = max(self.right - self.left, 1e-6)
        self.h = max(self.top - self.bottom, 1e-6)
        self.rot = page.get_rotation() % 360
        self.width, self.height = (self.h, self.w) if self.rot in (90, 270) else (self.w, self.h)

    def box(self, l: float, b: float, r: float, t: float) -> tuple[float, float, float, float]:
        """PDF rect (left, bottom, right, top) -> clamped (x0, y0, x1, y1) fractions."""
        if self.rot == 0:
            x0, x1 = (l - self.left) / self.w, (r - self.left) / self.w
            y0, y1 = (self.top - t) / self.h, (self.top - b) / self.h
        elif self.rot == 90:
            x0, x1 = (b - self.bottom) / self.h, (t - self.bottom) / self.h
            y0, y1 = (l - self.left) / self.w, (r - self.left) / self.w
        elif self.rot == 180:
            x0, x1 = (self.right - r) / self.w, (self.right - l) / self.w
            y0, y1 = (b - self.bottom) / self.h, (t - self.bottom) / self.h
        else:  # 270
            x0, x1 = (self.top - t) / self.h, (self.top - b) / self.h
            y0, y1 = (self.right - r) / self.w, (self.right - l) / self.w
        return (min(max(x0, 0.0), 1.0), min(max(y0, 0.0), 1.0),
                min(max(x1, 0.0), 1.0), min(max(y1, 0.0), 1.0))


# --- text normalisation ----------------------------------------------------------------
def _clean(text: str) -> str:
    """Expand ligatures, compose accents, drop control characters."""
    if text.isascii() and text.isprintable():
        return text                  # the common case: nothing to expand, compose or drop
    if any(0xFB00 <= ord(c) <= 0xFB06 for c in text):
        text = "".join(unicodedata.normalize("NFKC", c) if 0xFB00 <= ord(c) <= 0xFB06 else c
                       for c in text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return "".join(c for c in text if c >= " " and not 0xD800 <= ord(c) <= 0xDFFF)


# --- word building ---------------------------------------------------------------------
def _char_codes(raw: Any, n: int) -> list[int]:
    """The code of every character of a text page.  One ``FPDFText_GetText`` call (UTF-16)
    instead of ``n`` ``FPDFText_GetUnicode`` calls: ~10x faster.  It agrees with
    GetUnicode except that the soft-hyphen marker (2) comes back as 0xFFFE, which the
    caller resolves per character; a page whose text does not map one code unit per
    character (surrogate pairs) is read character by character."""
    buf = (ctypes.c_ushort * (n + 1))()
    if n and pdfium_c.FPDFText_GetText(raw, 0, n, buf) == n + 1:
        return buf[:n]
    get_unicode = pdfium_c.FPDFText_GetUnicode
    return [get_unicode(raw, i) for i in range(n)]


def _page_words(textpage: pdfium.PdfTextPage, frame: _Frame) -> list[Word]:
    raw = textpage.raw
    n = pdfium_c.FPDFText_CountChars(raw)
    get_unicode = pdfium_c.FPDFText_GetUnicode
    codes = _char_codes(raw, n)
    get_box = pdfium_c.FPDFText_GetLooseCharBox
    rect = pdfium_c.FS_RECTF()
    # FS_RECTF is (left, top, right, bottom) floats: one unpack reads all four
    read_rect = _RECT.unpack_from
    skip = _SKIP_CODES
    gap_factor = GAP_FACTOR
    words: list[Word] = []
    append_word = words.append
    box = frame.box
    chars: list[str] = []
    append_char = chars.append
    wl = wb = wr = wt = 0.0          # running word box in PDF space
    pl = pr = pcy = ph = 0.0         # previous char box (for gap / line tests)
    vertical = frame.rot in (90, 270)
    # The word-building rules (see module docstring) are inlined in this loop: it runs once
    # per character, so every call and temporary counts.
    for i in range(n):
        u = codes[i]
        if u == 0xFFFE:              # GetText's code for both a soft-hyphen marker and U+FFFE
            u = get_unicode(raw, i)
        if u in skip:
            if chars:
                text = _clean("".join(chars))
                chars.clear()
                if text.strip():
                    x0, y0, x1, y1 = box(wl, wb, wr, wt)
                    if x1 > x0 and y1 > y0:  # words wholly outside the crop box are invisible
                        append_word(Word(text, x0, y0, x1, y1))
            continue
        if u == 2:                   # PDFium's marker for a soft hyphen at a line end
            u = 0x2D
        elif 0xDC00 <= u <= 0xDFFF:  # low surrogate: completes the previous code point
            if chars and 0xD800 <= ord(chars[-1][-1]) <= 0xDBFF:
                hi = ord(chars[-1][-1])
                chars[-1] = chr(0x10000 + ((hi - 0xD800) << 10) + (u - 0xDC00))
            continue
        if not get_box(raw, i, rect):
            continue
        l, t, r, b = read_rect(rect)
        if r < l:
            l, r = r, l
        if t < b:
            b, t = t, b
        h = t - b
        cy = (t + b) / 2
        if chars:
            tol = ph if ph > h else h
            if tol < 1.0:
                tol = 1.0
            # Upright text runs left to right; rotated text (chars drawn at 90 degrees)
            # is handled by the same tests in the other axis.
            dy = cy - pcy if cy >= pcy else pcy - cy
            if vertical and dy > tol and abs((l + r) / 2 - (pl + pr) / 2) < tol:
                split = dy - (h + ph) / 2 > gap_factor * tol or r < pl - 0.5 * tol
            else:
                split = dy > 0.5 * tol or l - pr > gap_factor * tol or r < pl - 0.5 * tol
            if split:
                text = _clean("".join(chars))
                chars.clear()
                if text.strip():
                    x0, y0, x1, y1 = box(wl, wb, wr, wt)
                    if x1 > x0 and y1 > y0:
                        append_word(Word(text, x0, y0, x1, y1))
                wl, wb, wr, wt = l, b, r, t
            else:
                if l < wl:
                    wl = l
                if b < wb:
                    wb = b
                if r > wr:
                    wr = r
                if t > wt:
                    wt = t
        else:
            wl, wb, wr, wt = l, b, r, t
        append_char(chr(u) if u < 0x110000 else "\ufffd")  # lone surrogates dropped below
        pl, pr, pcy, ph = l, r, cy, h
    if chars:
        text = _clean("".join(chars))
        if text.strip():
            x0, y0, x1, y1 = box(wl, wb, wr, wt)
            if x1 > x0 and y1 > y0:
                append_word(Word(text, x0, y0, x1, y1))
    return words


def _read_page(doc: pdfium.PdfDocument, index: int, name: str) -> Page:
    try:
        page = doc[index]
    except pdfium.PdfiumError as exc:
        raise CorruptDocument(f"{name}: page {index + 1} cannot be loaded ({exc})") from exc
    try:
        frame = _Frame(page)
        textpage = page.get_textpage()
        try:
            words = _page_words(textpage, frame)
        finally:
            textpage.close()
    finally:
        page.close()
    return Page(number=index + 1, width=frame.width, height=frame.height, words=words,
                source="text", rotation=frame.rot)


@_serialised
def read_pdf(path_or_bytes: Source, *, max_pages: int | None = None) -> list[Page]:
    """Read the text layer of every page (or the first ``max_pages``) of a PDF.

    Pages without a text layer come back with no (or few) words; check `needs_ocr`.
    """
    doc, name = _open(path_or_bytes)
    try:
        total = len(doc)
        count = total if max_pages is None else max(0, min(total, max_pages))
        pages = [_read_page(doc, i, name) for i in range(count)]
    finally:
        doc.close()
    if pages and count < total:
        pages[-1].warnings.append(f"only the first {count} of {total} pages were read")
    return pages


# --- usability of a text layer ---------------------------------------------------------
def _is_bad_char(c: str) -> bool:
    o = ord(c)
    return (o == 0xFFFD or 0xE000 <= o <= 0xF8FF or o < 0x20
            or unicodedata.category(c) in ("Co", "Cn", "Cc"))


def needs_ocr(page: Page) -> bool:
    """True if the page has no usable text layer: fewer than `MIN_TEXT_CHARS` real
    characters, or mostly replacement / private-use / non-alphanumeric junk (a font with
    a broken or missing ToUnicode map)."""
    text = "".join(w.text for w in page.words)
    if len(text) < MIN_TEXT_CHARS:
        return True
    # per distinct character, weighted by its count: a page repeats few characters
    counts = Counter(text)
    if text.isascii() and text.isprintable():
        bad = 0                      # the common case: no control / private-use characters
    else:
        bad = sum(k for c, k in counts.items() if _is_bad_char(c))
    good = len(text) - bad
    alnum = sum(k for c, k in counts.items() if c.isalnum())
    return good < MIN_TEXT_CHARS or bad > 0.2 * len(text) or alnum < 0.4 * len(text)


@_serialised
def pdf_info(path: Source) -> dict[str, Any]:
    """``{"pages", "encrypted", "has_text_per_page"}`` for a PDF.

    ``encrypted`` is True for any encrypted PDF that opened (i.e. owner-password only);
    one that needs a user password raises `EncryptedDocument` instead.
    """
    doc, name = _open(path)
    try:
        encrypted = pdfium_c.FPDF_GetSecurityHandlerRevision(doc.raw) != -1
        has_text = [not needs_ocr(_read_page(doc, i, name)) for i in range(len(doc))]
        return {"pages": len(doc), "encrypted": encrypted, "has_text_per_page": has_text}
    finally:
        doc.close()


# --- rendering -------------------------------------------------------------------------
@_serialised
def render_page(path: Source, page_number: int, dpi: int = 300, *, grayscale: bool = True,
                max_pixels: int = MAX_RENDER_PIXELS) -> np.ndarray:
    """Render a 1-based page as an upright (``/Rotate`` applied) uint8 array: ``HxW``
    grayscale or ``HxWx3`` BGR.  The scale is lowered so the image stays under
    ``max_pixels`` (a huge page at 300 DPI would otherwise need gigabytes)."""
    doc, name = _open(path)
    try:
        if not 1 <= page_number <= len(doc):
            raise CorruptDocument(f"{name}: page {page_number} does not exist "
                                  f"(document has {len(doc)} pages)")
        try:
            page = doc[page_number - 1]
        except pdfium.PdfiumError as exc:
            raise CorruptDocument(f"{name}: page {page_number} cannot be loaded ({exc})") from exc
        try:
            w, h = page.get_size()
            scale = dpi / 72.0
            pixels = w * scale * h * scale
            if pixels > max_pixels:
                scale *= (max_pixels / pixels) ** 0.5
                while math.ceil(w * scale) * math.ceil(h * scale) > max_pixels:
                    scale *= 0.995
            if w * scale < 1 or h * scale < 1:
                raise CorruptDocument(f"{name}: page {page_number} has no area ({w}x{h} pt)")
            bitmap = page.render(scale=scale, grayscale=grayscale, may_draw_forms=True)
            arr = bitmap.to_numpy()
            arr = np.ascontiguousarray(arr[..., 0] if arr.ndim == 3 and arr.shape[2] == 1
                                       else arr[..., :3] if arr.ndim == 3 else arr)
            bitmap.close()
            return arr
        finally:
            page.close()
    finally:
        doc.close()

