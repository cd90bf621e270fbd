"""Turn a PDF into a "scanned" document: image pages with scanner artefacts.

``scan_pdf(pdf, seed)`` rasterises each page with pypdfium2 (200-300 DPI) and applies,
deterministically from ``seed``: uneven brightness, a skew of up to ``max_skew`` degrees,
slight blur, speckle noise, JPEG recompression and optionally a 90/180/270 degree turn
(a page fed the wrong way round).  ``save_scan`` writes PNG / JPEG / multi-page TIFF or
an image-only PDF (no text layer).  ``estimate_skew`` measures the skew of a page image
by projection profiles, for tests and deskew benchmarks.
"""
from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas


@dataclass
class ScanResult:
    """Degraded page images and what was done to them."""

    pages: list[Image.Image]
    dpi: int
    skew: list[float] = field(default_factory=list)   # degrees, counter-clockwise positive
    rotation: int = 0                                 # extra quarter turns, degrees
    jpeg_quality: int = 0


def _degrade(gray: np.ndarray, rng: random.Random, nrng: np.random.Generator,
             max_skew: float, quality: int) -> tuple[np.ndarray, float]:
    h, w = gray.shape
    img = gray.astype(np.float32)
    # paper tone and uneven lighting: a smooth random field, darker towards one side
    grid = np.array([[rng.uniform(0.86, 1.0) for _ in range(4)] for _ in range(5)],
                    dtype=np.float32)
    light = cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)
    img = img * np.clip(light, 0.8, 1.0) - rng.uniform(0, 10)
    # skew about the centre, white-ish border like a scanner lid
    angle = rng.uniform(-max_skew, max_skew)
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    img = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_CONSTANT, borderValue=float(rng.randint(225, 250)))
    img = cv2.GaussianBlur(img, (0, 0), sigmaX=rng.uniform(0.5, 1.0))
    # speckle: gaussian grain plus sparse dark dust
    img += nrng.normal(0.0, rng.uniform(3.0, 7.0), size=img.shape).astype(np.float32)
    dust = nrng.random(img.shape, dtype=np.float32) < rng.uniform(0.0002, 0.0008)
    img[dust] = nrng.uniform(20, 120, size=int(dust.sum())).astype(np.float32)
    out = np.clip(img, 0, 255).astype(np.uint8)
    ok, enc = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(enc, cv2.IMREAD_GRAYSCALE), angle


def scan_pdf(pdf: bytes | str | Path, seed: int, dpi: int | None = None,
             max_skew: float = 3.0, rotate: int | None = 0,
             max_pages: int | None = None) -> ScanResult:
    """Rasterise and degrade a PDF.

    ``rotate``: 0/90/180/270 for a fixed quarter turn, ``None`` to pick one at random
    (mostly 0, sometimes 180 or 90).  ``dpi`` defaults to a random value in 200..300.
    """
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    dpi = dpi or rng.choice((200, 240, 300))
    if rotate is None:
        rotate = rng.choices((0, 90, 180, 270), weights=(80, 7, 10, 3))[0]
    quality = rng.randint(55, 85)
    src = pdf if isinstance(pdf, bytes) else Path(pdf).read_bytes()
    doc = pdfium.PdfDocument(src)
    result = ScanResult(pages=[], dpi=dpi, rotation=rotate, jpeg_quality=quality)
    try:
        n = len(doc) if max_pages is None else min(len(doc), max_pages)
        for i in range(n):
            bitmap = doc[i].render(scale=dpi / 72, grayscale=True)
            gray = np.asarray(bitmap.to_pil().convert("L"))
            page, angle = _degrade(gray, rng, nrng, max_skew, quality)
            if rotate:
                page = np.ascontiguousarray(np.rot90(page, k=rotate // 90))
            result.pages.append(Image.fromarray(page, mode="L"))
            result.skew.append(round(angle, 4))
    finally:
        doc.close()
    return result


def image_pdf(result: ScanResult) -> bytes:
    """An image-only PDF (JPEG pages, no text layer), reproducible."""
    buf = io.BytesIO()
    c = Canvas(buf, invariant=1)
    c.setCreator("o2c-capture generators (scan)")
    for img in result.pages:
        w_pt, h_pt = img.width * 72 / result.dpi, img.height * 72 / result.dpi
        c.setPageSize((w_pt, h_pt))
        jpg = io.BytesIO()
        img.save(jpg, format="JPEG", quality=result.jpeg_quality or 75)
        jpg.seek(0)
        c.drawImage(ImageReader(jpg), 0, 0, width=w_pt, height=h_pt)
        c.showPage()
    c.save()
    return buf.getvalue()


def save_scan(result: ScanResult, path: str | Path) -> Path:
    """Write by extension: .png/.jpg (first page), .tif/.tiff (all pages), .pdf."""
    path = Path(path)
    ext = path.suffix.lower()
    first = result.pages[0]
    dpi = (result.dpi, result.dpi)
    if ext == ".png":
        first.save(path, format="PNG", dpi=dpi, optimize=False)
    elif ext in (".jpg", ".jpeg"):
        first.save(path, format="JPEG", quality=result.jpeg_quality or 75, dpi=dpi)
    elif ext in (".tif", ".tiff"):
        first.save(path, format="TIFF", save_all=True, append_images=result.pages[1:],
                   compression="tiff_deflate", dpi=dpi)
    elif ext == ".pdf":
        path.write_bytes(image_pdf(result))
    else:
        raise ValueError(f"unsupported scan format {ext!r}")
    return path


def estimate_skew(img: Image.Image | np.ndarray, limit: float = 5.0,
                  step: float = 0.1) -> float:
    """Estimate page skew in degrees (same sign convention as ``ScanResult.skew``).

    Projection-profile method: the angle whose row histogram of dark pixels is the most
    peaked (text lines aligned with rows).
    """
    arr = np.asarray(img.convert("L") if isinstance(img, Image.Image) else img)
    scale = 800 / max(arr.shape)
    small = cv2.resize(arr, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ys, xs = np.nonzero(small < 110)
    if len(xs) < 50:
        return 0.0
    xs = xs - small.shape[1] / 2
    ys = ys - small.shape[0] / 2
    best, best_score = 0.0, -1.0
    for a in np.arange(-limit, limit + step / 2, step):
        t = np.deg2rad(a)
        rows = np.round(ys * np.cos(t) + xs * np.sin(t)).astype(np.int64)
        hist = np.bincount(rows - rows.min())
        score = float((hist.astype(np.float64) ** 2).sum())
        if score > best_score:
            best, best_score = float(a), score
    return round(best, 2)
