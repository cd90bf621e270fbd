"""OCR for scans and photos: cheap OpenCV clean-up, then Tesseract word boxes.

Pipeline of `ocr_image` (all steps tracked in one affine transform, so every word box is
mapped back to a fraction of the *upright original* page):

1. load (Pillow for files/bytes, EXIF orientation applied, decompression bombs refused:
   more than `MAX_IMAGE_PIXELS` -> `TooLarge`), convert to grayscale;
2. crop dark scanner borders (edge rows/columns that are mostly black);
3. deskew small angles (|angle| <= 5 deg) by maximising the sharpness of the row profile
   of dark pixels, measured on a small copy;
4. rescale so the median glyph height is about `TARGET_GLYPH_PX` (tiny text is enlarged,
   huge scans shrunk, which also saves Tesseract time);
5. contrast stretch + gamma 1.5 (light-grey print -> dark; AWS invoice: 62% -> 93% of
   words found), optional light denoise and binarisation (``binarize="none"|"otsu"|"adaptive"``; the
   SROIE receipt check in the module's tests/notes found Tesseract's own thresholding
   on grayscale best, so the default is "none");
6. `pytesseract.image_to_data` (single-threaded: ``OMP_THREAD_LIMIT=1``), on an
   uncompressed PGM written to a temp file (PNG encoding would cost tens of ms);
7. orientation: if the first pass looks like garbage (few words / low confidence),
   Tesseract OSD is asked; a confident 90/180/270 answer is applied and OCR re-run,
   keeping the better pass.  OSD costs as much as OCR itself, so upright pages never pay.

`read_images` reads PNG/JPEG/multi-page TIFF files; `ocr_pdf_page` OCRs a rendered PDF
page; `bare_tesseract_seconds` times the Tesseract CLI alone for the speed benchmark.
"""
from __future__ import annotations

import io
import os
import subprocess
import tempfile
import time
import warnings
from pathlib import Path
from typing import Literal, Union

import cv2
import numpy as np
import pytesseract
from PIL import Image, ImageOps, ImageSequence

from core.errors import CorruptDocument, EmptyFile, NoContent, StageTimeout, TooLarge, \
    UnreadablePath, UnsupportedType
from extraction.layout import Page, Word
from extraction.pages import Source, render_page

ImageInput = Union[np.ndarray, str, "os.PathLike[str]", bytes]
Binarize = Literal["none", "otsu", "adaptive"]

MAX_IMAGE_PIXELS = 100_000_000
TARGET_GLYPH_PX = 20           # median glyph height; SROIE: 20 beats 14, ~= 30 at 2/3 the time
MAX_WORK_PIXELS = 12_000_000   # downscale beyond this: more pixels only cost time
MAX_SKEW_DEG = 5.0
OSD_MIN_CONF = 1.5
CONTRAST_GAMMA = 1.5

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
def _crop_dark_borders(gray: np.ndarray) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of the region inside dark scanner borders."""
    h, w = gray.shape
    small = gray[:: max(1, h // 400), :: max(1, w // 400)]
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
def _darken_text(gray: np.ndarray) -> np.ndarray:
    """Stretch paper to white and ink to black, then a gamma curve so light-grey print
    (common in invoice footers and table labels) is dark enough for Tesseract."""
    sample = gray[:: max(1, gray.shape[0] // 300), :: max(1, gray.shape[1] // 300)]
    lo, hi = np.percentile(sample, (1, 95))
    if hi - lo < 40:
        return gray
    x = np.clip((np.arange(256, dtype=np.float64) - lo) / (hi - lo), 0, 1)
    return (255 * x ** CONTRAST_GAMMA).astype(np.uint8)[gray]


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
    glyph = _glyph_height(gray)
    scale = TARGET_GLYPH_PX / glyph if glyph > 0 else 1.0
    scale = min(max(scale, 0.35), 4.0)
    if 0.8 <= scale <= 1.6:
        scale = 1.0                   # close enough: resampling costs more than it helps
    h, w = gray.shape
    if h * w * scale * scale > MAX_WORK_PIXELS:
        scale = (MAX_WORK_PIXELS / (h * w)) ** 0.5
    if scale != 1.0:
        interp = cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=interp)
        m = np.diag([scale, scale, 1.0]) @ m
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
    if contrast:
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


# --- tesseract -------------------------------------------------------------------------
def _tesseract(img: np.ndarray, languages: str, psm: int, dpi: int, timeout_s: float,
               name: str) -> dict[str, list]:
    os.environ["OMP_THREAD_LIMIT"] = "1"
    with tempfile.TemporaryDirectory(prefix="o2c-ocr-") as tmp:
        path = os.path.join(tmp, "page.pgm")
        cv2.imwrite(path, img)
        try:
            return pytesseract.image_to_data(
                path, lang=languages, config=f"--oem 1 --psm {psm} --dpi {dpi}",
                output_type=pytesseract.Output.DICT, timeout=timeout_s)
        except RuntimeError as exc:
            if "timeout" in str(exc).lower():
                raise StageTimeout(f"{name}: OCR took longer than {timeout_s:.0f} s") from exc
            raise
        except pytesseract.TesseractError as exc:
            raise CorruptDocument(f"{name}: Tesseract failed ({exc.message[:120]})") from exc


def _words(data: dict[str, list], inv: np.ndarray, w: int, h: int) -> list[Word]:
    out: list[Word] = []
    for text, conf, x, y, bw, bh in zip(data["text"], data["conf"], data["left"],
                                         data["top"], data["width"], data["height"]):
        text = (text or "").strip()
        c = float(conf)
        if not text or c < 0:
            continue
        pts = np.array([[x, y, 1], [x + bw, y, 1], [x, y + bh, 1], [x + bw, y + bh, 1]], float)
        o = pts @ inv.T
        x0, x1 = float(o[:, 0].min()) / w, float(o[:, 0].max()) / w
        y0, y1 = float(o[:, 1].min()) / h, float(o[:, 1].max()) / h
        out.append(Word(text, max(0.0, x0), max(0.0, y0), min(1.0, x1), min(1.0, y1),
                        conf=max(0.0, min(1.0, c / 100))))
    return out


def _quality(words: list[Word]) -> float:
    """Length-weighted mean confidence of alphanumeric words (0..1)."""
    real = [(w.conf, sum(ch.isalnum() for ch in w.text)) for w in words]
    total = sum(n for _, n in real)
    return sum(c * n for c, n in real) / total if total else 0.0


def _score(page: Page) -> float:
    """How good an OCR pass is: confident upright words count, sideways ones do not."""
    if _sideways(page.words, page.width, page.height):
        return 0.0
    return _quality(page.words) * len(page.words)


def _sideways(words: list[Word], w: float, h: float) -> bool:
    """True if most longer words are taller than wide: the page lies on its side."""
    long = [x for x in words if len(x.text) >= 3]
    tall = sum(1 for x in long if (x.y1 - x.y0) * h > (x.x1 - x.x0) * w)
    return len(long) >= 3 and tall > 0.5 * len(long)


def _osd_rotation(gray: np.ndarray, timeout_s: float) -> int:
    """Clockwise degrees that make the page upright per Tesseract OSD (0 if unsure)."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    with tempfile.TemporaryDirectory(prefix="o2c-osd-") as tmp:
        path = os.path.join(tmp, "page.pgm")
        cv2.imwrite(path, gray)
        try:
            osd = pytesseract.image_to_osd(path, config="--psm 0 --dpi 300",
                                           output_type=pytesseract.Output.DICT,
                                           timeout=max(1.0, timeout_s))
        except (pytesseract.TesseractError, RuntimeError):
            return 0                 # too little text to tell: keep as is
    if float(osd.get("orientation_conf", 0)) < OSD_MIN_CONF:
        return 0
    return int(osd.get("rotate", 0)) % 360


_ROTATE = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def ocr_image(image: ImageInput, *, languages: str = "eng+deu+fra", timeout_s: float = 60,
              page_number: int = 1, psm: int = 3, binarize: Binarize = "none",
              orientation: Literal["auto", "osd", "none"] = "auto",
              name: str | None = None) -> Page:
    """OCR one image into a `Page` (``source="ocr"``, width/height in pixels of the
    upright page, ``rotation`` = clockwise degrees applied to make it upright).

    Raises `NoContent` if no word at all was recognised, `StageTimeout` past
    ``timeout_s`` (covering all Tesseract runs), `TooLarge` over 100 MP.
    """
    label = name or (f"page {page_number}" if isinstance(image, (np.ndarray, bytes))
                     else f"{image} page {page_number}")
    deadline = time.monotonic() + timeout_s
    gray = _to_gray(image, label)
    if min(gray.shape) < 8:
        raise NoContent(f"{label}: image is too small to hold text ({gray.shape[1]}x{gray.shape[0]} px)")
    if int(gray.max()) - int(gray.min()) < 16:
        raise NoContent(f"{label}: image is blank")

    def run(upright: np.ndarray, rotation: int) -> Page:
        img, m, dpi = preprocess(upright, binarize=binarize)
        left = deadline - time.monotonic()
        if left <= 0:
            raise StageTimeout(f"{label}: OCR took longer than {timeout_s:.0f} s")
        data = _tesseract(img, languages, psm, dpi, left, label)
        h, w = upright.shape
        return Page(number=page_number, width=float(w), height=float(h),
                    words=_words(data, np.linalg.inv(m), w, h), source="ocr",
                    rotation=rotation)

    page = None
    rotation = 0
    if orientation == "osd":
        rotation = _osd_rotation(gray, deadline - time.monotonic())
    else:
        page = run(gray, 0)
    candidates: list[int] = []
    if page is None:
        candidates = [rotation]
    elif orientation == "auto":
        sideways = _sideways(page.words, page.width, page.height)
        if sideways or len(page.words) < 5 or _quality(page.words) < 0.6:
            rotation = _osd_rotation(gray, deadline - time.monotonic())
            if rotation:
                candidates = [rotation]
            elif sideways:          # OSD unsure, but the text runs vertically: try both
                candidates = [90, 270]
    for rot in candidates:
        upright = cv2.rotate(gray, _ROTATE[rot]) if rot else gray
        other = run(upright, rot)
        if page is None or _score(other) > _score(page):
            page = other
    assert page is not None
    if not page.words:
        raise NoContent(f"{label}: OCR found no text")
    return page


def ocr_pdf_page(path: Source, page_number: int, dpi: int = 300, **kwargs: object) -> Page:
    """Render a 1-based PDF page and OCR it (for pages without a usable text layer)."""
    img = render_page(path, page_number, dpi=dpi)
    name = "<bytes>" if isinstance(path, (bytes, bytearray, memoryview)) else str(path)
    kwargs.setdefault("name", f"{name} page {page_number}")
    kwargs.setdefault("orientation", "auto")
    return ocr_image(img, page_number=page_number, **kwargs)  # type: ignore[arg-type]


def read_images(path: str | os.PathLike[str] | bytes, **kwargs: object) -> list[Page]:
    """OCR every frame of a PNG, JPEG or (multi-page) TIFF file.  A blank frame in a
    multi-page file becomes an empty page with a warning instead of failing the file."""
    name = "<bytes>" if isinstance(path, bytes) else str(path)
    im = _pil_open(path, name)
    frames = [_frame_to_gray(f.copy(), f"{name} frame {i + 1}")
              for i, f in enumerate(ImageSequence.Iterator(im))]
    pages: list[Page] = []
    for i, gray in enumerate(frames, start=1):
        try:
            pages.append(ocr_image(gray, page_number=i, name=f"{name} page {i}",
                                   **kwargs))  # type: ignore[arg-type]
        except NoContent as exc:
            if len(frames) == 1:
                raise
            pages.append(Page(number=i, width=float(gray.shape[1]), height=float(gray.shape[0]),
                              source="ocr", warnings=[exc.message]))
    return pages


def bare_tesseract_seconds(image_path: str | os.PathLike[str], languages: str = "eng+deu+fra",
                           psm: int = 3) -> float:
    """Wall time of the plain ``tesseract IMG stdout --oem 1 --psm N tsv`` CLI
    (``OMP_THREAD_LIMIT=1``) on a file: the reference for the OCR speed target."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    t0 = time.perf_counter()
    subprocess.run(["tesseract", str(image_path), "stdout", "-l", languages, "--oem", "1",
                    "--psm", str(psm), "tsv"], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0
