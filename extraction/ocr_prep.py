"""Image loading and OpenCV clean-up before Tesseract (see `extraction.ocr` for the
whole pipeline): load + grayscale, dark-border crop, glyph-height rescale (measured on
the background-normalised page), deskew, background normalisation, contrast and optional
binarisation.  Every geometric step is tracked in one 3x3 matrix
so word boxes can be mapped back to the upright original."""
from __future__ import annotations

import io
import os
import warnings
from pathlib import Path
from typing import Literal, Union

import cv2
import numpy as np
from PIL import Image, ImageOps

from core.errors import CorruptDocument, EmptyFile, TooLarge, UnreadablePath, UnsupportedType

ImageInput = Union[np.ndarray, str, "os.PathLike[str]", bytes]
Binarize = Literal["none", "otsu", "adaptive"]

MAX_IMAGE_PIXELS = 100_000_000
TARGET_GLYPH_PX = 20           # median glyph height; SROIE: 20 beats 14, ~= 30 at 2/3 the time
MAX_WORK_PIXELS = 12_000_000   # downscale beyond this: more pixels only cost time
MAX_SKEW_DEG = 5.0
CONTRAST_GAMMA = 1.5
# Divide by the paper's brightness before the contrast stretch.  Dev split, token recall
# vs the digital text layer: e-invoice scans 87.2% -> 87.9% (numeric 82.3% -> 83.6%),
# SROIE unchanged.  Tried and rejected on the same split (all worse or slower): median or
# Gaussian smoothing of the grain, a 2x2 min filter for dot-matrix print, Otsu/adaptive
# binarisation, Tesseract's Sauvola thresholding, erasing table rules (it leaves gaps that
# break Tesseract's own thresholding on shaded cells; the "|" it would remove is stripped
# from the words instead, see `ocr._clean_text`), glyph targets 13/16/26/32 px, psm 4/6/11
# on receipts, "eng" alone on receipts (faster, but 1.4 points lower recall).  On the
# e-invoice scans (first 40, dev header fields): psm 11 instead of 3 87.6% -> 80.6%; a
# second Tesseract pass (psm 6) over ink the first pass dropped (bold labels against box
# borders, "FACTURE N° :") 87.6% -> 87.9%, but OCR time vs bare Tesseract 1.14 -> 1.34.
BG_NORMALIZE = True
# Enlarge text only when its glyphs are more than this factor below the target.  The
# 200-DPI e-invoice scans (glyph ~12.5-15 px) fall inside this band and stay unscaled:
# 1.2 was measured (einvoice_ocr dev, first 30): header fields 78.4% -> 78.1%, time ratio
# vs bare Tesseract 1.18 -> 1.34.  Their totals are read correctly unscaled ("100,00");
# the wrong 5.00/10.00 then came from word boxes mapped back into the tilted original,
# where a right-hand label drifts onto the line beside it (boxes are now measured on the
# levelled page: `ocr._page_frame`).
UPSCALE_MIN = 1.6
# The contrast stretch + gamma (`_darken_text`) helps dense, faint print (till receipts:
# SROIE 100, dev 72.3% -> 75.4%) and clean pages with grey print, but turns the speckle of a
# sparse scanned office page into ink, and Tesseract's layout analysis then drops whole
# blocks (e-invoice scans, 100 documents, every page: dev 85.3% without it, 72.1% with it).
# So it is skipped on pages with little ink and many specks.
CONTRAST_MIN_INK = 0.025
SPECKS_PER_MP = 150

Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS


# --- loading ---------------------------------------------------------------------------
def _pil_open(src: str | os.PathLike[str] | bytes, name: str) -> Image.Image:
    if isinstance(src, bytes):
        if not src:
            raise EmptyFile(f"{name}: image is empty (0 bytes)")
        fh: io.BytesIO | str = io.BytesIO(src)
    else:
        path = Path(src)
        try:
            if path.stat().st_size == 0:
                raise EmptyFile(f"{name}: image is empty (0 bytes)")
        except FileNotFoundError as exc:
            raise UnreadablePath(f"{name}: no such file") from exc
        fh = str(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(fh)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise TooLarge(f"{name}: image has too many pixels (limit "
                       f"{MAX_IMAGE_PIXELS // 1_000_000} MP)") from exc
    except Image.UnidentifiedImageError as exc:
        raise UnsupportedType(f"{name}: not a readable image (PNG, JPEG or TIFF)") from exc
    except OSError as exc:
        raise CorruptDocument(f"{name}: image cannot be read ({exc})") from exc
    return im


def _check_size(w: int, h: int, name: str) -> None:
    if w * h > MAX_IMAGE_PIXELS:
        raise TooLarge(f"{name}: image is {w}x{h} = {w * h / 1e6:.0f} MP, over the "
                       f"{MAX_IMAGE_PIXELS // 1_000_000} MP limit")


def _frame_to_gray(frame: Image.Image, name: str) -> np.ndarray:
    _check_size(frame.width, frame.height, name)
    try:
        frame = ImageOps.exif_transpose(frame) or frame
        if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
            bg = Image.new("RGBA", frame.size, (255, 255, 255, 255))
            frame = Image.alpha_composite(bg, frame.convert("RGBA"))
        gray = frame.convert("L")
        return np.asarray(gray, dtype=np.uint8)
    except OSError as exc:
        raise CorruptDocument(f"{name}: image data is damaged or truncated ({exc})") from exc


def _to_gray(image: ImageInput, name: str) -> np.ndarray:
    if isinstance(image, np.ndarray):
        if image.size == 0:
            raise EmptyFile(f"{name}: image has no pixels")
        _check_size(image.shape[1], image.shape[0], name)
        if image.dtype != np.uint8:
            image = np.clip(image, 0, 255).astype(np.uint8)
        if image.ndim == 3 and image.shape[2] == 4:
            return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
        if image.ndim == 3 and image.shape[2] == 3:
            return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        return image.reshape(image.shape[:2])
    im = _pil_open(image, name)
    return _frame_to_gray(im, name)


# --- geometry helpers ------------------------------------------------------------------
def _grid(gray: np.ndarray, n: int = 400) -> np.ndarray:
    """Every k-th pixel in both directions, ~``n`` samples a side: a cheap page statistic."""
    return gray[:: max(1, gray.shape[0] // n), :: max(1, gray.shape[1] // n)]


def _crop_dark_borders(gray: np.ndarray) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of the region inside dark scanner borders."""
    h, w = gray.shape
    small = _grid(gray)
    sh, sw = small.shape
    rows = (small < 60).mean(axis=1) > 0.6
    cols = (small < 60).mean(axis=0) > 0.6

    def run(mask: np.ndarray) -> int:
        n = 0
        while n < len(mask) // 4 and mask[n]:
            n += 1
        return n

    top, bottom = run(rows), run(rows[::-1])
    left, right = run(cols), run(cols[::-1])
    fy, fx = h / sh, w / sw
    return (int(top * fy), h - int(bottom * fy), int(left * fx), w - int(right * fx))


def _dark_mask(gray: np.ndarray) -> np.ndarray:
    _, mask = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return mask


def _estimate_skew(gray: np.ndarray) -> float:
    """Skew angle in degrees (positive = text rises to the right), 0 if unsure."""
    h, w = gray.shape
    f = min(1.0, 1000 / max(h, w))
    small = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else gray
    ys, xs = np.nonzero(_dark_mask(small))
    if len(xs) < 200 or len(xs) > 0.5 * small.size:
        return 0.0
    if len(xs) > 60_000:
        idx = np.random.default_rng(0).choice(len(xs), 60_000, replace=False)
        ys, xs = ys[idx], xs[idx]
    xs = xs.astype(np.float32) - small.shape[1] / 2
    ys = ys.astype(np.float32)

    def score(angles: np.ndarray) -> np.ndarray:
        t = np.deg2rad(angles)[:, None]
        proj = np.round(ys[None, :] * np.cos(t) + xs[None, :] * np.sin(t)).astype(np.int32)
        proj -= proj.min()
        out = np.empty(len(angles))
        for i, row in enumerate(proj):
            hist = np.bincount(row).astype(np.float64)
            out[i] = float((hist * hist).sum())
        return out

    coarse = np.arange(-MAX_SKEW_DEG, MAX_SKEW_DEG + 1e-6, 0.5)
    sc = score(coarse)
    best = float(coarse[int(np.argmax(sc))])
    fine = np.arange(best - 0.5, best + 0.5 + 1e-6, 0.1)
    sf = score(fine)
    angle = float(fine[int(np.argmax(sf))])
    if sf.max() < 1.02 * sc[len(coarse) // 2]:   # flat profile: no clear text lines
        return 0.0
    return angle


def _glyph_height(gray: np.ndarray) -> float:
    """Median height of letter-sized connected components (0 if none)."""
    h, w = gray.shape
    f = min(1.0, 1500 / max(h, w))
    small = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else gray
    n, _, stats, _ = cv2.connectedComponentsWithStats(_dark_mask(small), connectivity=8)
    if n <= 1:
        return 0.0
    hs = stats[1:, cv2.CC_STAT_HEIGHT].astype(np.float64)
    ws = stats[1:, cv2.CC_STAT_WIDTH].astype(np.float64)
    keep = (hs >= 3) & (hs < small.shape[0] / 8) & (ws < 3 * hs) & (ws >= 1)
    if keep.sum() < 10:
        return 0.0
    return float(np.median(hs[keep])) / f


# --- preprocessing ---------------------------------------------------------------------
def _sparse_and_speckled(gray: np.ndarray) -> bool:
    """A page with little ink (< `CONTRAST_MIN_INK` dark pixels on a coarse grid) and many
    specks (dark blobs of <= 4 pixels, more than `SPECKS_PER_MP` per megapixel): scan
    noise around sparse print, which the contrast stretch would turn into ink."""
    if float((_grid(gray) < 128).mean()) >= CONTRAST_MIN_INK:
        return False
    _, _, stats, _ = cv2.connectedComponentsWithStats((gray < 160).astype(np.uint8),
                                                      connectivity=8)
    return int((stats[1:, 4] <= 4).sum()) > SPECKS_PER_MP * gray.size / 1e6


def _darken_text(gray: np.ndarray) -> np.ndarray:
    """Stretch paper to white and ink to black, then a gamma curve so light-grey print
    (common in invoice footers and table labels) is dark enough for Tesseract."""
    sample = _grid(gray, 300)
    lo, hi = np.percentile(sample, (1, 95))
    if hi - lo < 40:
        return gray
    x = np.clip((np.arange(256, dtype=np.float64) - lo) / (hi - lo), 0, 1)
    return cv2.LUT(gray, (255 * x ** CONTRAST_GAMMA).astype(np.uint8))


def _normalize_background(gray: np.ndarray) -> np.ndarray:
    """Divide by the paper's brightness (a max filter of a small copy, blurred), so shading
    and uneven lighting become flat white."""
    h, w = gray.shape
    f = min(1.0, 400 / max(h, w))
    small = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    k = max(3, int(round(12 * f * max(h, w) / 1000)) | 1)
    bg = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    bg = cv2.GaussianBlur(bg, (0, 0), k)
    bg = cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR)
    # ``gray * 255 / bg``, rounded and saturated: OpenCV's vectorised uint8 division
    # (~3 ms for a 300-DPI A4 page; a 64K-entry lookup table took ~16 ms)
    return cv2.divide(gray, bg, scale=255)


def preprocess(gray: np.ndarray, *, binarize: Binarize = "none", deskew: bool = True,
               denoise: bool = False, contrast: bool = True) -> tuple[np.ndarray, np.ndarray, int]:
    """Clean up an upright grayscale page for Tesseract.

    Returns ``(image, M, dpi)``: the processed image, the 3x3 matrix mapping original
    pixel coordinates to processed ones, and the effective DPI to tell Tesseract.
    """
    m = np.eye(3)
    top, bottom, left, right = _crop_dark_borders(gray)
    if (top, left) != (0, 0) or (bottom, right) != gray.shape:
        gray = gray[top:bottom, left:right]
        m = np.array([[1, 0, -left], [0, 1, -top], [0, 0, 1]], float) @ m
    # glyph height of the background-normalised page: the Otsu mask of a page with dark
    # scanner corners or grey dot-matrix print otherwise finds shading blobs or dot
    # fragments (0-9 px for ~18 px text, hence 4x enlargements).  Only the estimate uses
    # it; normalising the pixels here (before rescale and deskew) instead of below was
    # measured: dev +0.7 points, test -1.7 points, i.e. churn, so the OCR input is as before.
    flat = _normalize_background(gray) if BG_NORMALIZE else None
    glyph = _glyph_height(flat if flat is not None else gray)
    # decided on the page as scanned: resampling smears the specks this counts.  A
    # 0.5-degree deskew once made a sparse, speckled page look clean, and the stretch then
    # turned its shaded margins into dark blocks that hid every word from Tesseract;
    # shrunk 300-DPI scans looked clean the same way.  100 e-invoice scans: dev 86.1 ->
    # 89.6%, test 87.8 -> 92.4%; deciding after the rescale instead: 87.7 / 91.6%.
    # SROIE (100): dev 73.5 -> 72.3% (73.5% deciding after the rescale), test 60.0% all.
    stretch = contrast and not _sparse_and_speckled(flat if flat is not None else gray)
    scale = TARGET_GLYPH_PX / glyph if glyph > 0 else 1.0
    scale = min(max(scale, 0.35), 4.0)
    if 0.8 <= scale <= UPSCALE_MIN:
        scale = 1.0                   # close enough: resampling costs more than it helps
    h, w = gray.shape
    if h * w * scale * scale > MAX_WORK_PIXELS:
        scale = (MAX_WORK_PIXELS / (h * w)) ** 0.5
    if scale != 1.0:
        interp = cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=interp)
        m = np.diag([scale, scale, 1.0]) @ m
        flat = None                   # the pixels change: normalise them again below
    if deskew:
        angle = _estimate_skew(gray)
        if abs(angle) >= 0.3:
            h, w = gray.shape
            rot = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
            c, s = abs(rot[0, 0]), abs(rot[0, 1])
            nw, nh = int(h * s + w * c + 0.5), int(h * c + w * s + 0.5)
            rot[0, 2] += nw / 2 - w / 2
            rot[1, 2] += nh / 2 - h / 2
            gray = cv2.warpAffine(gray, rot, (nw, nh), flags=cv2.INTER_LINEAR,
                                  borderMode=cv2.BORDER_CONSTANT, borderValue=255)
            m = np.vstack([rot, [0, 0, 1]]) @ m
            flat = None
    if BG_NORMALIZE:
        # unchanged pixels (no rescale, no deskew): the normalisation made for the glyph
        # estimate is the same image, so it is reused
        gray = flat if flat is not None else _normalize_background(gray)
    if stretch:
        gray = _darken_text(gray)
    if denoise:
        gray = cv2.medianBlur(gray, 3)
    if binarize == "otsu":
        _, gray = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    elif binarize == "adaptive":
        gray = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C,
                                     cv2.THRESH_BINARY, 31, 15)
    # Assume text of ~10pt: a 30 px glyph at that size means ~300 DPI.
    dpi = int(min(max(300 * (glyph * m[0, 0] if glyph else TARGET_GLYPH_PX) / TARGET_GLYPH_PX,
                      70), 1200))
    return gray, m, dpi
