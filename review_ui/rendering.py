"""Server-side page rendering for the review UI, cached on disk.

* `page_png` - a page as PNG at one of `DPIS`: PDFs through `extraction.pages.render_page`
  (pdfium, serialised by its own lock), images (PNG/JPEG/TIFF, one frame per page) through
  Pillow.  Cached as ``<home>/cache/pages/<sha>-<page>-<dpi>.png``.
* `page_words` - the page's words with page-relative boxes (text layer, or OCR when the
  page has none), cached as ``<home>/cache/words/<sha>-<page>.json``; the UI lets a
  reviewer click a word to fill a field.
* `text_view` - for documents without page images (e-invoice XML, HTML mail bodies): the
  text to show, always HTML-escaped by the template.
"""
from __future__ import annotations

import io
import json
import os
import re
import threading
from pathlib import Path
from typing import Any

from PIL import Image

from core.errors import InputError
from core.runtime import Runtime

DPIS = (30, 72, 110, 150, 200)
DEFAULT_DPI = 110
THUMB_DPI = 30
MAX_TEXT_CHARS = 300_000
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def kind_of(mime: str) -> str:
    """pdf | image | text - how the document is shown."""
    if mime == "application/pdf":
        return "pdf"
    if mime.startswith("image/"):
        return "image"
    return "text"


def _lock(key: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def _cache_dir(rt: Runtime, sub: str) -> Path:
    d = rt.settings.home / "cache" / sub
    d.mkdir(parents=True, exist_ok=True)
    return d


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + f".{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _image_frame(path: Path, page: int) -> Image.Image:
    img = Image.open(path)
    n = getattr(img, "n_frames", 1)
    if not 1 <= page <= n:
        raise InputError(f"page {page} does not exist (the image has {n} page(s))")
    img.seek(page - 1)
    return img.convert("RGB")


def page_count(rt: Runtime, stored_path: str, mime: str, known: int | None) -> int:
    if known:
        return known
    kind = kind_of(mime)
    path = rt.store.open_path(stored_path)
    if kind == "pdf":
        from extraction.pages import page_count as pdf_pages
        return pdf_pages(path)
    if kind == "image":
        with Image.open(path) as img:
            return getattr(img, "n_frames", 1)
    return 0


Frame = tuple[int, float]     # (rotation, skew) of a scanned page: `extraction.layout.Page`


def page_frame(extraction: dict[str, Any] | None, page: int) -> Frame:
    """How the OCR turned a scanned page before measuring its word boxes: quarter turns
    (clockwise) to make it upright, then a deskew (degrees, counter-clockwise)."""
    f = ((extraction or {}).get("meta") or {}).get("page_frames", {}).get(str(page)) or {}
    return int(f.get("rotation") or 0), float(f.get("skew") or 0.0)


def _straighten(img: Image.Image, frame: Frame) -> Image.Image:
    """The page image turned the way its word boxes are measured (same size after the
    deskew, corners filled white), so highlights sit on the words."""
    rotation, skew = frame
    if rotation:
        img = img.rotate(-rotation, expand=True)
    if skew:
        img = img.rotate(skew, resample=Image.BICUBIC, fillcolor="white")
    return img


def page_png(rt: Runtime, sha: str, stored_path: str, mime: str, page: int, dpi: int,
             frame: Frame = (0, 0.0)) -> Path:
    if dpi not in DPIS:
        raise InputError(f"dpi must be one of {DPIS}")
    if not re.fullmatch(r"[0-9a-f]{64}", sha):
        raise InputError("bad document hash")
    turned = f"-r{frame[0]}s{frame[1]:g}" if frame != (0, 0.0) else ""
    out = _cache_dir(rt, "pages") / f"{sha}-{page}-{dpi}{turned}.png"
    if out.exists():
        return out
    with _lock(str(out)):
        if out.exists():
            return out
        path = rt.store.open_path(stored_path)
        kind = kind_of(mime)
        if kind == "pdf":
            from extraction.pages import render_page
            arr = render_page(path, page, dpi=dpi, grayscale=False)
            img = _straighten(Image.fromarray(arr[..., ::-1].copy() if arr.ndim == 3 else arr),
                              frame)
        elif kind == "image":
            img = _straighten(_image_frame(path, page), frame)
            width = int(8.27 * dpi)                      # show scans at A4 width for this dpi
            if img.width > width:
                img = img.resize((width, max(1, round(img.height * width / img.width))),
                                 Image.LANCZOS)
        else:
            raise InputError("this document has no page images")
        buf = io.BytesIO()
        img.save(buf, "PNG", optimize=dpi <= THUMB_DPI)
        _atomic_write(out, buf.getvalue())
    return out


def page_words(rt: Runtime, sha: str, stored_path: str, mime: str, page: int,
               frame: Frame = (0, 0.0)) -> list[dict[str, Any]]:
    """[{"text", "bbox": [x0, y0, x1, y1]}] for one 1-based page (fractions, top-left, on
    the page as `page_png` shows it)."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha):
        raise InputError("bad document hash")
    out = _cache_dir(rt, "words") / f"{sha}-{page}{f'-r{frame[0]}' if frame[0] else ''}.json"
    if out.exists():
        return json.loads(out.read_text())
    with _lock(str(out)):
        if out.exists():
            return json.loads(out.read_text())
        path = rt.store.open_path(stored_path)
        kind = kind_of(mime)
        s = rt.settings
        if kind == "pdf":
            from extraction.pages import needs_ocr, read_pdf
            pages = read_pdf(path)
            if not 1 <= page <= len(pages):
                raise InputError(f"page {page} does not exist")
            p = pages[page - 1]
            if needs_ocr(p):
                from extraction.ocr import ocr_pdf_page
                p = ocr_pdf_page(path, page, languages=s.ocr_languages, timeout_s=s.page_timeout_s)
        elif kind == "image":
            import numpy as np

            from extraction.ocr import ocr_image
            # the quarter turn the extraction found (OSD); the OCR finds the deskew again
            gray = _straighten(_image_frame(path, page).convert("L"), (frame[0], 0.0))
            p = ocr_image(np.asarray(gray), languages=s.ocr_languages,
                          timeout_s=s.page_timeout_s, page_number=page, orientation="none")
        else:
            return []
        words = [{"text": w.text, "bbox": [round(w.x0, 5), round(w.y0, 5), round(w.x1, 5),
                                           round(w.y1, 5)]} for w in p.words]
        _atomic_write(out, json.dumps(words).encode())
    return words


def text_view(rt: Runtime, stored_path: str, mime: str) -> str:
    """Plain text of an XML/HTML/text document (tags of HTML mail bodies dropped)."""
    raw = rt.store.open_path(stored_path).read_bytes()[:MAX_TEXT_CHARS]
    text = raw.decode("utf-8", "replace")
    if "html" in mime:
        from html.parser import HTMLParser

        parts: list[str] = []

        class P(HTMLParser):
            skip = 0

            def handle_starttag(self, tag: str, attrs: Any) -> None:
                if tag in ("script", "style"):
                    self.skip += 1
                if tag in ("br", "p", "div", "tr", "li"):
                    parts.append("\n")

            def handle_endtag(self, tag: str) -> None:
                if tag in ("script", "style") and self.skip:
                    self.skip -= 1

            def handle_data(self, data: str) -> None:
                if not self.skip:
                    parts.append(data)

        P().feed(text)
        text = re.sub(r"\n\s*\n+", "\n\n", "".join(parts)).strip()
    return text
