"""Split scanned batches (multi-page PDF or TIFF) into one document per invoice.

Two ways to mark where a document ends, chosen per folder (`FolderConfig.split`):

* ``blank_pages`` - a blank page between documents.  A page is blank when almost none of
  it is ink: it is rendered small (about 60 dpi), its edges (scanner shadows) are cut
  away, isolated specks are removed with a morphological opening, and the remaining dark
  pixel ratio must be under `BLANK_INK_RATIO`.  Pages with a real text layer are never
  blank.
* ``separator_sheet`` - a printed separator sheet (see `make_separator_sheet_pdf`).  A
  page is a separator when
    - its text layer says "SEPARATOR SHEET" or one of the configured values, or
    - a QR code on it decodes to a configured value (`cv2.QRCodeDetector`), or
    - a 1-D barcode decodes to a configured value (`cv2.barcode.BarcodeDetector`, used
      when the installed OpenCV has it).  Note: OpenCV 5.0's barcode module decodes
      EAN/UPC only, so Code 39/128 sheets are detected but not decoded; the sheets this
      module prints therefore carry a QR code (and the text layer) as well.
  Values compare without case, spaces or dashes: "PATCH T" == "PATCHT".

Separator pages are dropped.  When nothing splits, the original bytes come back
unchanged (``[data]``), so duplicate detection by sha256 still works for the batch.
"""
from __future__ import annotations

import io
import re
import threading
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import ContextManager, Literal

import cv2
import numpy as np
from PIL import Image, ImageSequence

from core.errors import CorruptDocument, EncryptedDocument, InputError
from core.logs import get_logger

log = get_logger(__name__)

SplitMode = Literal["none", "blank_pages", "separator_sheet"]
SPLIT_MODES: tuple[str, ...] = ("none", "blank_pages", "separator_sheet")
DEFAULT_SEPARATOR_VALUES: tuple[str, ...] = ("PATCHT", "O2C-SEPARATOR")
SEPARATOR_TEXT = "SEPARATOR SHEET"

BLANK_DPI = 60            # render size for the blank test
BLANK_INK_RATIO = 0.003   # dark-pixel share under which a page is blank
BLANK_MARGIN = 0.05       # share of each edge ignored (scanner shadows, punch holes)
CODE_DPI = 150            # render size for QR / barcode decoding
TEXT_LAYER_MIN = 20       # this many non-space characters in the text layer => not blank

HAS_QR = hasattr(cv2, "QRCodeDetector")
HAS_BARCODE = hasattr(cv2, "barcode") and hasattr(getattr(cv2, "barcode"), "BarcodeDetector")


def normalize_code(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", text.upper())


def _pdfium_lock() -> ContextManager[object]:
    """pdfium is not thread-safe: share the extraction package's process-wide lock."""
    try:
        from extraction.pages import PDFIUM_LOCK
    except Exception:  # noqa: BLE001 - extraction not importable: use our own lock
        return _LOCAL_LOCK
    return PDFIUM_LOCK


_LOCAL_LOCK = threading.RLock()


# ---- page tests ------------------------------------------------------------------------
def ink_ratio(gray: np.ndarray) -> float:
    """Share of dark pixels on a grayscale page image (uint8), ignoring the edges and
    isolated specks of scanner noise."""
    h, w = gray.shape[:2]
    mh, mw = int(h * BLANK_MARGIN), int(w * BLANK_MARGIN)
    core = gray[mh:h - mh or h, mw:w - mw or w]
    if core.size == 0:
        return 0.0
    background = float(np.percentile(core, 90))
    threshold = min(160.0, background - 60.0)
    dark = (core < threshold).astype(np.uint8)
    dark = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    return float(dark.mean())


def _to_gray(img: Image.Image, dpi: float, src_dpi: float | None = None) -> np.ndarray:
    """A Pillow page as a uint8 grayscale array at roughly `dpi`."""
    if img.mode not in ("L", "1"):
        img = img.convert("RGB").convert("L")
    else:
        img = img.convert("L")
    dpi_x = src_dpi or float((img.info.get("dpi") or (200, 200))[0] or 200)
    scale = min(1.0, dpi / max(dpi_x, 1.0))
    arr = np.asarray(img)
    if scale < 1.0:
        size = (max(1, int(arr.shape[1] * scale)), max(1, int(arr.shape[0] * scale)))
        arr = cv2.resize(arr, size, interpolation=cv2.INTER_AREA)
    return arr


def is_blank(gray: np.ndarray) -> bool:
    return ink_ratio(gray) < BLANK_INK_RATIO


def decode_codes(gray: np.ndarray) -> list[str]:
    """Texts of QR codes and barcodes found on a page image (whatever OpenCV can decode)."""
    texts: list[str] = []
    if HAS_QR:
        try:
            ok, decoded, _pts, _ = cv2.QRCodeDetector().detectAndDecodeMulti(gray)
            if ok:
                texts += [t for t in decoded if t]
        except cv2.error:
            pass
    if HAS_BARCODE:
        try:
            ok, decoded, _types, _pts = cv2.barcode.BarcodeDetector().detectAndDecodeWithType(gray)
            if ok:
                texts += [t for t in decoded if t]
        except cv2.error:
            pass
    return texts


def is_separator(gray: np.ndarray | None, text: str, values: Iterable[str]) -> bool:
    wanted = {normalize_code(v) for v in values} | {normalize_code(SEPARATOR_TEXT)}
    wanted.discard("")
    norm = normalize_code(text)
    if norm and len(norm) < 400 and any(w in norm for w in wanted):
        return True
    if gray is None:
        return False
    return any(normalize_code(t) in wanted for t in decode_codes(gray))


# ---- grouping --------------------------------------------------------------------------
def group_pages(flags: Sequence[bool]) -> list[list[int]]:
    """Page indexes grouped between separator pages (separators dropped, empty groups
    skipped)."""
    groups: list[list[int]] = [[]]
    for i, sep in enumerate(flags):
        if sep:
            if groups[-1]:
                groups.append([])
        else:
            groups[-1].append(i)
    return [g for g in groups if g]


def _page_flags(n: int, test: Callable[[int], bool]) -> list[bool]:
    flags = []
    for i in range(n):
        try:
            flags.append(test(i))
        except Exception as exc:  # noqa: BLE001 - an odd page must not stop the batch
            log.warning("split_page_check_failed", page=i + 1, error=str(exc))
            flags.append(False)
    return flags


# ---- PDF -------------------------------------------------------------------------------
def split_pdf(data: bytes, mode: str, *,
              separator_values: Iterable[str] = DEFAULT_SEPARATOR_VALUES) -> list[bytes]:
    """Split a PDF batch; each part written with pypdf.  ``[data]`` if nothing splits."""
    _check_mode(mode)
    if mode == "none":
        return [data]
    import pypdfium2 as pdfium
    from pypdf import PdfReader, PdfWriter

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise EncryptedDocument("the PDF batch needs a password; cannot split it")
            n = len(reader.pages)
        with _pdfium_lock():
            pdf = pdfium.PdfDocument(data)
    except EncryptedDocument:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf/pdfium raise many kinds
        raise CorruptDocument(f"cannot split the PDF batch: {exc}") from None
    values = tuple(separator_values)

    def page_text(i: int) -> str:
        try:
            with _pdfium_lock():
                return pdf[i].get_textpage().get_text_range() or ""
        except Exception:  # noqa: BLE001
            return ""

    def render(i: int, dpi: int) -> np.ndarray:
        with _pdfium_lock():
            arr = pdf[i].render(scale=dpi / 72, grayscale=True).to_numpy().copy()
        return arr[..., 0] if arr.ndim == 3 else arr

    def test(i: int) -> bool:
        text = page_text(i)
        if mode == "blank_pages":
            if len("".join(text.split())) >= TEXT_LAYER_MIN:
                return False
            return is_blank(render(i, BLANK_DPI))
        if is_separator(None, text, values):
            return True
        return is_separator(render(i, CODE_DPI), "", values)

    try:
        flags = _page_flags(n, test)
    finally:
        with _pdfium_lock():
            pdf.close()
    groups = group_pages(flags)
    log.info("split_pdf", pages=n, mode=mode, separators=sum(flags), parts=len(groups))
    if not any(flags) or not groups:
        return [data]
    parts = []
    for g in groups:
        writer = PdfWriter()
        for i in g:
            writer.add_page(reader.pages[i])
        buf = io.BytesIO()
        writer.write(buf)
        parts.append(buf.getvalue())
    return parts


# ---- TIFF ------------------------------------------------------------------------------
def split_tiff(data: bytes, mode: str, *,
               separator_values: Iterable[str] = DEFAULT_SEPARATOR_VALUES) -> list[bytes]:
    """Split a multi-page TIFF; each part is a multi-page TIFF.  ``[data]`` if nothing
    splits."""
    _check_mode(mode)
    if mode == "none":
        return [data]
    values = tuple(separator_values)
    try:
        img = Image.open(io.BytesIO(data))
        frames = [f.copy() for f in ImageSequence.Iterator(img)]
        compression = img.info.get("compression")
        dpi = img.info.get("dpi")
    except Exception as exc:  # noqa: BLE001
        raise CorruptDocument(f"cannot split the TIFF batch: {exc}") from None

    def test(i: int) -> bool:
        frame = frames[i]
        fdpi = float((frame.info.get("dpi") or dpi or (200, 200))[0] or 200)
        if mode == "blank_pages":
            return is_blank(_to_gray(frame, BLANK_DPI, fdpi))
        return is_separator(_to_gray(frame, CODE_DPI, fdpi), "", values)

    flags = _page_flags(len(frames), test)
    groups = group_pages(flags)
    log.info("split_tiff", pages=len(frames), mode=mode, separators=sum(flags), parts=len(groups))
    if not any(flags) or not groups:
        return [data]
    return [_write_tiff([frames[i] for i in g], compression, dpi) for g in groups]


def _write_tiff(frames: list[Image.Image], compression: str | None,
                dpi: tuple[float, float] | None) -> bytes:
    def save(comp: str | None) -> bytes:
        buf = io.BytesIO()
        kw: dict[str, object] = {"save_all": True, "append_images": frames[1:]}
        if comp and comp != "raw":
            kw["compression"] = comp
        if dpi:
            kw["dpi"] = dpi
        frames[0].save(buf, format="TIFF", **kw)
        return buf.getvalue()

    all_bilevel = all(f.mode == "1" for f in frames)
    if compression in ("group4", "group3") and not all_bilevel:
        compression = "tiff_deflate"
    try:
        return save(compression)
    except Exception:  # noqa: BLE001 - e.g. jpeg compression on a bilevel page
        return save("tiff_deflate")


# ---- dispatch --------------------------------------------------------------------------
def split_document(data: bytes, mime: str, mode: str, *,
                   separator_values: Iterable[str] = DEFAULT_SEPARATOR_VALUES) -> list[bytes]:
    """Split by type; ``[data]`` for mode ``none``, other types or nothing to split."""
    _check_mode(mode)
    if mode == "none":
        return [data]
    if mime == "application/pdf":
        return split_pdf(data, mode, separator_values=separator_values)
    if mime == "image/tiff":
        return split_tiff(data, mode, separator_values=separator_values)
    return [data]


def split_named(name: str, data: bytes, mode: str, *,
                separator_values: Iterable[str] = DEFAULT_SEPARATOR_VALUES
                ) -> list[tuple[str, bytes]]:
    """`split_document` for a named file: ``[(name, data)]`` when nothing splits, else
    ``[("<stem>-part1.<ext>", part1), ...]``.  Never raises: a batch that cannot be split
    (or is refused by `capture.safety`) comes back whole, to be ingested - and failed - as
    one document with the reason."""
    from capture import filetypes
    from capture.ingest import safe_name
    from capture.safety import inspect_file

    if mode == "none" or not data:
        return [(name, data)]
    ftype = filetypes.sniff(data, name)
    if ftype not in (filetypes.PDF, filetypes.TIFF):
        return [(name, data)]
    try:
        inspect_file(data, name)
        parts = split_document(data, ftype.mime, mode, separator_values=separator_values)
    except InputError:
        return [(name, data)]
    except Exception as exc:  # noqa: BLE001 - splitting is best effort
        log.warning("split_failed", file=name, error=str(exc))
        return [(name, data)]
    if len(parts) == 1:
        return [(name, parts[0])]
    base = Path(safe_name(name))
    ext = base.suffix or ftype.ext
    log.info("batch_split", file=name, parts=len(parts), mode=mode)
    return [(f"{base.stem}-part{i}{ext}", p) for i, p in enumerate(parts, 1)]


def _check_mode(mode: str) -> None:
    if mode not in SPLIT_MODES:
        raise ValueError(f"unknown split mode {mode!r}; use one of {SPLIT_MODES}")


# ---- separator sheets ------------------------------------------------------------------
def separator_sheet_pdf(value: str = "O2C-SEPARATOR") -> bytes:
    """A one-page PDF separator sheet: large "SEPARATOR SHEET" text, a QR code and a
    Code 128 barcode carrying `value`."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode import code128, qr
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle("o2c separator sheet")
    w, h = A4
    c.setFont("Helvetica-Bold", 44)
    c.drawCentredString(w / 2, h - 140, SEPARATOR_TEXT)
    widget = qr.QrCodeWidget(value, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    size = 220.0
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, c, (w - size) / 2, h / 2 - 60)
    bar = code128.Code128(value, barHeight=50, barWidth=1.4, humanReadable=True)
    bar.drawOn(c, (w - bar.width) / 2, 170)
    c.setFont("Helvetica", 11)
    c.drawCentredString(w / 2, 120, "Put this sheet in front of each document of a scan batch.")
    c.drawCentredString(w / 2, 104, f"o2c-capture splits the batch here and drops this page ({value}).")
    c.showPage()
    c.save()
    return buf.getvalue()


def make_separator_sheet_pdf(path: str | Path, value: str = "O2C-SEPARATOR") -> Path:
    """Write a printable separator sheet PDF to `path` and return the path."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(separator_sheet_pdf(value))
    return p
