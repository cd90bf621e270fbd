"""OCR for scans and photos: cheap OpenCV clean-up, then Tesseract word boxes.

Pipeline of `ocr_image` (all steps tracked in one affine transform, so every word box is
mapped back to a fraction of the upright original page *turned level* by the deskew angle,
same size: `Page.skew`; see `_page_frame`):

1. load (Pillow for files/bytes, EXIF orientation applied, decompression bombs refused:
   more than `MAX_IMAGE_PIXELS` -> `TooLarge`), convert to grayscale;
2. crop dark scanner borders (edge rows/columns that are mostly black);
3. deskew small angles (|angle| <= 5 deg) by maximising the sharpness of the row profile
   of dark pixels, measured on a small copy;
4. rescale so the median glyph height is about `TARGET_GLYPH_PX` (tiny text is enlarged,
   huge scans shrunk, which also saves Tesseract time);
5. background normalisation (divide by the paper's brightness: shading, uneven light),
   contrast stretch + gamma 1.5 (light-grey print -> dark; AWS invoice: 62% -> 93% of
   words found), optional light denoise and binarisation (``binarize="none"|"otsu"|"adaptive"``; the
   SROIE receipt check in the module's tests/notes found Tesseract's own thresholding
   on grayscale best, so the default is "none");
6. `pytesseract.image_to_data` (single-threaded: ``OMP_THREAD_LIMIT=1``), on an
   uncompressed PGM written to a temp file (PNG encoding would cost tens of ms);
7. orientation: if the first pass looks like garbage (few words / low confidence),
   Tesseract OSD is asked; a confident 90/180/270 answer is applied and OCR re-run,
   keeping the better pass.  OSD costs as much as OCR itself, so upright pages never pay.

Word texts get a conservative clean-up (`_clean_text`): table rules read as "|" glued
to amounts are stripped and O/I/l inside numbers become 0/1.

`read_images` reads PNG/JPEG/multi-page TIFF files; `ocr_pdf_page` OCRs a rendered PDF
page; `bare_tesseract_seconds` times the Tesseract CLI alone for the speed benchmark.
"""
from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from typing import Literal

import cv2
import numpy as np
import pytesseract
from PIL import ImageSequence

from core.errors import CorruptDocument, NoContent, StageTimeout
from extraction.layout import Page, Word
from extraction.ocr_prep import (MAX_IMAGE_PIXELS, Binarize, ImageInput, _frame_to_gray,
                                 _pil_open, _to_gray, preprocess)
from extraction.pages import Source, render_page

__all__ = ["MAX_IMAGE_PIXELS", "bare_tesseract_seconds", "ocr_image", "ocr_pdf_page",
           "preprocess", "read_images"]

OSD_MIN_CONF = 1.5
BATCH_PAGES = True     # a multi-page image is read by one Tesseract process (`_batch_first_pass`)


# --- tesseract -------------------------------------------------------------------------
def _tesseract(img: np.ndarray, languages: str, psm: int, dpi: int, timeout_s: float,
               name: str) -> dict[str, list]:
    with tempfile.TemporaryDirectory(prefix="o2c-ocr-") as tmp:
        path = os.path.join(tmp, "page.pgm")
        cv2.imwrite(path, img)
        return _tesseract_path(path, languages, psm, dpi, timeout_s, name)


def _tesseract_path(path: str, languages: str, psm: int, dpi: int, timeout_s: float,
                    name: str) -> dict[str, list]:
    """``image_to_data`` of an image file, or of a list file naming one image per line
    (several pages in one Tesseract process: rows carry ``page_num``)."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
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


# (image, matrix, dpi, Tesseract rows or None when not read yet)
FirstPass = tuple[np.ndarray, np.ndarray, int, "dict[str, list] | None"]


def _batch_first_pass(frames: list[np.ndarray], name: str, languages: str = "eng+deu+fra",
                      timeout_s: float = 60, psm: int = 3, binarize: Binarize = "none",
                      orientation: str = "auto", **_: object) -> dict[int, FirstPass]:
    """The upright (rotation 0) pass of the frames of a multi-page image: preprocessed, and
    read by one Tesseract process (each process start loads the three language models,
    ~0.25 s, and a page of sparse text takes not much longer than that).
    Frame number (1-based) -> what `ocr_image` would have computed first (rows None: not
    read yet; it is then read on its own, with its own time limit, as is every frame when
    a batch fails)."""
    if orientation == "osd" or len(frames) < 2:
        return {}
    ready = {i: preprocess(g, binarize=binarize) for i, g in enumerate(frames, start=1)
             if not _no_text_reason(g)}
    out: dict[int, FirstPass] = {i: (img, m, d, None) for i, (img, m, d) in ready.items()}
    if len(ready) < 2:
        return out
    # Tesseract takes one --dpi per run, and the DPI told follows each page's glyph
    # height: the pages of one scan are told their median
    dpi = int(np.median([d for _, _, d in ready.values()]))
    order = sorted(ready)
    try:
        data = _tesseract_many([ready[i][0] for i in order], languages, psm, dpi,
                               timeout_s * len(order), name)
    except (StageTimeout, CorruptDocument):
        return out
    for i, rows in zip(order, data):
        out[i] = (ready[i][0], ready[i][1], dpi, rows)
    return out


def _tesseract_many(images: list[np.ndarray], languages: str, psm: int, dpi: int,
                    timeout_s: float, name: str) -> list[dict[str, list]]:
    """Tesseract rows of several images from one process (a list file), split per image."""
    with tempfile.TemporaryDirectory(prefix="o2c-ocr-") as tmp:
        paths = []
        for k, img in enumerate(images):
            paths.append(os.path.join(tmp, f"page{k}.pgm"))
            cv2.imwrite(paths[-1], img)
        listing = os.path.join(tmp, "pages.txt")
        with open(listing, "w", encoding="utf-8") as fh:
            fh.write("\n".join(paths) + "\n")
        data = _tesseract_path(listing, languages, psm, dpi, timeout_s, name)
    rows: list[dict[str, list]] = [{k: [] for k in data} for _ in images]
    for r, pn in enumerate(data.get("page_num", [])):
        k = int(pn) - 1
        if 0 <= k < len(images):
            for key, col in data.items():
                rows[k][key].append(col[r])
    return rows


_RULE_CHARS = "|"
_NUMERIC_ISH = re.compile(r"[-+]?[\dOoIl][\dOoIl.,:/\-]*[\dOoIl%]")
_GLYPH_FIX = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1"})


_DOLLAR_S = re.compile(r"\$(?=[S/])")
_SECTION_5 = re.compile(r"§(?=\d)")
_CAP_I_LOWER = re.compile(r"^[A-Z]I[a-z]{1,3}\W?$")


def _clean_text(text: str) -> str:
    """Undo the commonest OCR slips that break amounts, dates and IDs: table rules read
    as "|" glued to a word ("10,00|"), unbalanced braces from box edges, and O/I/l read
    inside a number ("1O,00", "2OI8").  Returns "" for a word that was only a rule."""
    t = text.strip().strip(_RULE_CHARS)
    for a, b in ("{}", "[]"):
        if t.count(a) != t.count(b):
            t = t.strip(a + b)
    if not t:
        return ""
    if (_NUMERIC_ISH.fullmatch(t) and sum(ch.isdigit() for ch in t) >= 2
            and any(ch in "OoIl" for ch in t)):
        t = t.translate(_GLYPH_FIX)
    if "$" in t:                      # "$S6/5A", "$/B": an S, not a dollar, before letters
        t = _DOLLAR_S.sub("S", t)
    if "§" in t:                      # "§3.55": the section sign is a misread 5 before digits
        t = _SECTION_5.sub("5", t)
    if _CAP_I_LOWER.match(t):         # "JIn", "JIn.": l read as I in a capitalised word
        t = t[0] + "l" + t[2:]
    return t


_RULE_GLYPH = re.compile(r"^[IÎÏÌÍl|\[!](?=[A-ZÀ-Ý])")


def _strip_rule_glyphs(data: dict[str, list], img: np.ndarray) -> None:
    """A box border read as the first letter of the word beside it ("ILE CLIENT" for
    "│LE CLIENT"): drop that letter when a vertical ruling line runs through it, longer
    than the word is high.  Edits ``data`` in place."""
    idx = [k for k, t in enumerate(data["text"]) if _RULE_GLYPH.match((t or "").strip())]
    if not idx:
        return
    hs = sorted(int(h) for h, t in zip(data["height"], data["text"]) if (t or "").strip())
    n = max(15, 3 * hs[len(hs) // 2])
    ink = (img < 128).astype(np.uint8)
    rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN,
                             cv2.getStructuringElement(cv2.MORPH_RECT, (1, n)))
    for k in idx:
        t = data["text"][k].strip()
        x, y, bw, bh = (int(data[f][k]) for f in ("left", "top", "width", "height"))
        cw = max(2, bw // max(1, len(t)))
        band = rules[y:y + bh, x:x + cw]
        if band.size and (band.max(axis=1) > 0).mean() >= 0.8:
            data["text"][k] = t[1:]
            data["left"][k] = x + cw
            data["width"][k] = max(1, bw - cw)


_UNSIGNED_AMOUNT = re.compile(r"^\d{1,3}(?:[.,' ]?\d{3})*[.,]\d{2}$")


def _restore_minus(data: dict[str, list], img: np.ndarray) -> None:
    """A minus sign Tesseract dropped from an amount ("-7,67" read "7,67", common in bold
    print): put it back when the amount's first ink, inside its box or just left of it, is
    a short level dash at mid height (column by column: thin ink, centred) followed, after
    at most a small gap, by a full-height glyph.  Edits ``data`` in place."""
    for k, raw in enumerate(data["text"]):
        t = (raw or "").strip()
        if not _UNSIGNED_AMOUNT.match(t):
            continue
        x, y, bw, bh = (int(data[f][k]) for f in ("left", "top", "width", "height"))
        if bh < 8:
            continue
        x0 = max(0, x - bh)
        crop = img[max(0, y - 1):y + bh + 1, x0:x + min(bw, bh)]
        if crop.size == 0:
            continue
        n, lab, stats, _ = cv2.connectedComponentsWithStats((crop < 128).astype(np.uint8), 8)
        keep = np.zeros(n, bool)
        keep[1:] = stats[1:, 4] >= 3                 # scan specks are not glyphs
        ink = keep[lab]
        xs = np.nonzero(ink.any(axis=0))[0]
        if not len(xs):
            continue
        c, width, right = int(xs[0]), 0, ink.shape[1]
        while c < right:
            rows = np.nonzero(ink[:, c])[0]
            mid = (rows[0] + rows[-1]) / 2 - 1 if len(rows) else -1.0
            if not len(rows) or rows[-1] - rows[0] + 1 > 0.3 * bh or \
                    not 0.3 * bh <= mid <= 0.7 * bh:
                break
            width, c = width + 1, c + 1
        gap = 0
        while c < right and not ink[:, c].any():
            gap, c = gap + 1, c + 1
        if c >= right or not 0.25 * bh <= width <= 0.9 * bh or gap > 0.5 * bh:
            continue
        rows = np.nonzero(ink[:, c])[0]
        if gap == 0 and rows[-1] - rows[0] + 1 < 0.5 * bh:
            continue                                 # the dash runs on into a short stroke
        data["text"][k] = "-" + t
        if x0 + int(xs[0]) < x:
            data["width"][k] = bw + x - (x0 + int(xs[0]))
            data["left"][k] = x0 + int(xs[0])


def _words(data: dict[str, list], inv: np.ndarray, w: int, h: int) -> list[Word]:
    """Tesseract words mapped (``inv``) onto the page frame.  Boxes of one Tesseract text
    line are re-centred on the line's mean vertical centre: a line Tesseract read slightly
    tilted would otherwise fall apart into several visual lines ("Kessler" /
    "Feinmechanik AG")."""
    out: list[Word] = []
    keys: list[tuple[int, int, int]] = []
    n = len(data["text"])
    line_of = [(int(data.get("block_num", [0] * n)[k]), int(data.get("par_num", [0] * n)[k]),
                int(data.get("line_num", [0] * n)[k])) for k in range(n)]
    for k, (text, conf, x, y, bw, bh) in enumerate(zip(
            data["text"], data["conf"], data["left"], data["top"], data["width"],
            data["height"])):
        text = _clean_text(text or "")
        c = float(conf)
        if not text or c < 0:
            continue
        pts = np.array([[x, y, 1], [x + bw, y, 1], [x, y + bh, 1], [x + bw, y + bh, 1]], float)
        o = pts @ inv.T
        x0, x1 = float(o[:, 0].min()) / w, float(o[:, 0].max()) / w
        y0, y1 = float(o[:, 1].min()) / h, float(o[:, 1].max()) / h
        out.append(Word(text, max(0.0, x0), max(0.0, y0), min(1.0, x1), min(1.0, y1),
                        conf=max(0.0, min(1.0, c / 100))))
        keys.append(line_of[k])
    centres: dict[tuple[int, int, int], list[float]] = {}
    for wd, key in zip(out, keys):
        centres.setdefault(key, []).append((wd.y0 + wd.y1) / 2)
    for i, (wd, key) in enumerate(zip(out, keys)):
        cs = centres[key]
        shift = sum(cs) / len(cs) - (wd.y0 + wd.y1) / 2
        if shift:
            out[i] = Word(wd.text, wd.x0, max(0.0, wd.y0 + shift), wd.x1,
                          min(1.0, wd.y1 + shift), conf=wd.conf)
    return out


def _page_frame(m: np.ndarray, w: int, h: int) -> tuple[np.ndarray, float]:
    """The map from processed pixels to page pixels, and the page's deskew angle.

    The page frame is the upright original *straightened in place*: turned about its
    centre by the deskew angle, same size.  Word boxes in that frame keep a label and its
    value far to the right on one visual line; mapped back into the tilted original they
    drift apart by ``x * tan(angle)`` (a 2-degree scan: a full line height across half an
    A4 page).  ``skew`` (degrees, counter-clockwise, as `cv2.getRotationMatrix2D`) lets a
    viewer draw the page the way its boxes are measured."""
    inv = np.linalg.inv(m)
    skew = float(np.degrees(np.arctan2(m[0, 1], m[0, 0])))
    if abs(skew) < 1e-6:
        return inv, 0.0
    r = np.vstack([cv2.getRotationMatrix2D((w / 2, h / 2), skew, 1.0), [0, 0, 1]])
    return r @ inv, round(skew, 3)


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


def _no_text_reason(gray: np.ndarray) -> str | None:
    """Why an image cannot hold text (too small, blank), checked before any OCR."""
    if min(gray.shape) < 8:
        return f"image is too small to hold text ({gray.shape[1]}x{gray.shape[0]} px)"
    if int(gray.max()) - int(gray.min()) < 16:
        return "image is blank"
    return None


_ROTATE = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def ocr_image(image: ImageInput, *, languages: str = "eng+deu+fra", timeout_s: float = 60,
              page_number: int = 1, psm: int = 3, binarize: Binarize = "none",
              orientation: Literal["auto", "osd", "none"] = "auto",
              name: str | None = None, first_pass: FirstPass | None = None) -> Page:
    """OCR one image into a `Page` (``source="ocr"``, width/height in pixels of the
    upright page, ``rotation`` = clockwise degrees applied to make it upright).

    Raises `NoContent` if no word at all was recognised, `StageTimeout` past
    ``timeout_s`` (covering all Tesseract runs), `TooLarge` over 100 MP.
    ``first_pass``: the upright pass, already run (`_batch_first_pass`).
    """
    label = name or (f"page {page_number}" if isinstance(image, (np.ndarray, bytes))
                     else f"{image} page {page_number}")
    deadline = time.monotonic() + timeout_s
    gray = _to_gray(image, label)
    empty = _no_text_reason(gray)
    if empty:
        raise NoContent(f"{label}: {empty}")

    def run(upright: np.ndarray, rotation: int) -> Page:
        data = None
        if rotation == 0 and first_pass is not None:
            img, m, dpi, data = first_pass
        else:
            img, m, dpi = preprocess(upright, binarize=binarize)
        if data is None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise StageTimeout(f"{label}: OCR took longer than {timeout_s:.0f} s")
            data = _tesseract(img, languages, psm, dpi, left, label)
        _strip_rule_glyphs(data, img)
        _restore_minus(data, img)
        h, w = upright.shape
        to_page, skew = _page_frame(m, w, h)
        return Page(number=page_number, width=float(w), height=float(h),
                    words=_words(data, to_page, w, h), source="ocr",
                    rotation=rotation, skew=skew)

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
    """Render a 1-based PDF page and OCR it (for pages without a usable text layer).  A
    blank page (an empty back side) becomes an empty page with a warning, as in
    `read_images`; the caller decides whether a document without any text is an error."""
    img = render_page(path, page_number, dpi=dpi)
    name = "<bytes>" if isinstance(path, (bytes, bytearray, memoryview)) else str(path)
    kwargs.setdefault("name", f"{name} page {page_number}")
    kwargs.setdefault("orientation", "auto")
    try:
        return ocr_image(img, page_number=page_number, **kwargs)  # type: ignore[arg-type]
    except NoContent as exc:
        if "blank" not in exc.message:
            raise
        gray = np.asarray(img)
        return Page(number=page_number, width=float(gray.shape[1]),
                    height=float(gray.shape[0]), source="ocr", warnings=[exc.message])


def read_images(path: str | os.PathLike[str] | bytes, **kwargs: object) -> list[Page]:
    """OCR every frame of a PNG, JPEG or (multi-page) TIFF file.  A blank frame in a
    multi-page file becomes an empty page with a warning instead of failing the file."""
    name = "<bytes>" if isinstance(path, bytes) else str(path)
    im = _pil_open(path, name)
    frames = [_frame_to_gray(f.copy(), f"{name} frame {i + 1}")
              for i, f in enumerate(ImageSequence.Iterator(im))]
    first = _batch_first_pass(frames, name, **kwargs) if BATCH_PAGES else {}
    pages: list[Page] = []
    for i, gray in enumerate(frames, start=1):
        try:
            pages.append(ocr_image(gray, page_number=i, name=f"{name} page {i}",
                                   first_pass=first.get(i), **kwargs))  # type: ignore[arg-type]
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
