"""capture.split: blank-page and separator-sheet splitting of PDF and TIFF batches.

The batch builders here are reused by the folder tests."""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from capture import split

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "invoice2data"
INVOICES = ("AzureInterior.pdf", "QualityHosting.pdf", "oyo.pdf")   # 1 + 2 + 1 pages


def corpus_pdf(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def merge(parts: list[bytes]) -> bytes:
    w = PdfWriter()
    for data in parts:
        for page in PdfReader(io.BytesIO(data)).pages:
            w.add_page(page)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def blank_pdf() -> bytes:
    w = PdfWriter()
    w.add_blank_page(595, 842)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def noisy_blank_image(seed: int = 0, size: tuple[int, int] = (850, 1100)) -> Image.Image:
    """A scanned 'blank' page: grey paper, sensor noise, dust specks and an edge shadow."""
    rng = np.random.default_rng(seed)
    arr = rng.normal(232, 10, (size[1], size[0]))
    arr[rng.random(arr.shape) < 0.002] = 15      # isolated specks
    arr[:, :18] = 45                              # scanner edge shadow
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L")


def image_pdf(images: list[Image.Image], dpi: float = 100) -> bytes:
    buf = io.BytesIO()
    images[0].save(buf, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return buf.getvalue()


def rasterize(pdf: bytes, dpi: float = 100) -> list[Image.Image]:
    doc = pdfium.PdfDocument(pdf)
    try:
        return [doc[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
                for i in range(len(doc))]
    finally:
        doc.close()


def blank_batch() -> bytes:
    """AzureInterior | blank | QualityHosting (2 pages) | blank | noisy blank | oyo."""
    a, q, o = (corpus_pdf(n) for n in INVOICES)
    return merge([a, blank_pdf(), q, blank_pdf(), image_pdf([noisy_blank_image()]), o])


def separator_batch(scanned: bool = False) -> bytes:
    """sheet | AzureInterior | sheet | QualityHosting | sheet | oyo.  `scanned`: the
    sheets are images (no text layer) so only the QR code can find them."""
    sheet = split.separator_sheet_pdf()
    if scanned:
        sheet = image_pdf(rasterize(sheet, 100))
    a, q, o = (corpus_pdf(n) for n in INVOICES)
    return merge([sheet, a, sheet, q, sheet, o])


def tiff_batch() -> bytes:
    a, q = (rasterize(corpus_pdf(n), 80) for n in INVOICES[:2])
    frames = a + [noisy_blank_image(1, (660, 880))] + q
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:], compression="tiff_deflate",
                   dpi=(80, 80))
    return buf.getvalue()


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


# ---- pure helpers ----------------------------------------------------------------------
def test_group_pages_drops_separators_and_empty_groups():
    assert split.group_pages([True, False, True, True, False, False, True]) == [[1], [4, 5]]
    assert split.group_pages([False, False]) == [[0, 1]]
    assert split.group_pages([True]) == []


def test_normalize_code():
    assert split.normalize_code("patch t") == split.normalize_code("PATCHT")
    assert split.normalize_code("O2C-SEPARATOR") == "O2CSEPARATOR"


def test_ink_ratio_ignores_noise_but_sees_text():
    assert split.is_blank(np.asarray(noisy_blank_image()))
    page = np.asarray(rasterize(corpus_pdf("AzureInterior.pdf"), split.BLANK_DPI)[0])
    assert not split.is_blank(page)
    assert split.ink_ratio(np.full((100, 80), 255, np.uint8)) == 0.0


# ---- PDF -------------------------------------------------------------------------------
def test_split_pdf_on_blank_pages():
    parts = split.split_pdf(blank_batch(), "blank_pages")
    assert [page_count(p) for p in parts] == [1, 2, 1]
    first_text = PdfReader(io.BytesIO(parts[1])).pages[0].extract_text()
    assert first_text == PdfReader(io.BytesIO(corpus_pdf(INVOICES[1]))).pages[0].extract_text()


def test_split_pdf_on_separator_sheets_with_text_layer():
    parts = split.split_pdf(separator_batch(), "separator_sheet")
    assert [page_count(p) for p in parts] == [1, 2, 1]


def test_split_pdf_on_scanned_separator_sheets_by_qr():
    parts = split.split_pdf(separator_batch(scanned=True), "separator_sheet")
    assert [page_count(p) for p in parts] == [1, 2, 1]


def test_separator_value_must_match():
    parts = split.split_pdf(separator_batch(scanned=True), "separator_sheet",
                            separator_values=["SOMETHING-ELSE"])
    assert len(parts) == 1   # the QR says O2C-SEPARATOR: not ours, no split


def test_nothing_to_split_returns_original_bytes():
    data = merge([corpus_pdf(n) for n in INVOICES])
    assert split.split_pdf(data, "blank_pages") == [data]
    assert split.split_pdf(data, "separator_sheet") == [data]
    assert split.split_pdf(data, "none") == [data]


def test_unknown_mode_rejected():
    with pytest.raises(ValueError):
        split.split_document(b"x", "application/pdf", "pages")


# ---- TIFF ------------------------------------------------------------------------------
def test_split_tiff_on_blank_pages():
    parts = split.split_tiff(tiff_batch(), "blank_pages")
    assert len(parts) == 2
    counts = [getattr(Image.open(io.BytesIO(p)), "n_frames", 1) for p in parts]
    assert counts == [1, 2]
    assert all(p[:4] in (b"II*\x00", b"MM\x00*") for p in parts)


def test_split_tiff_on_qr_separator():
    sheet = rasterize(split.separator_sheet_pdf("PATCH T"), 100)
    pages = rasterize(corpus_pdf("AzureInterior.pdf"), 100)
    frames = pages + sheet + pages + sheet
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:], dpi=(100, 100))
    parts = split.split_tiff(buf.getvalue(), "separator_sheet")
    assert len(parts) == 2


# ---- dispatch and sheets ---------------------------------------------------------------
def test_split_document_dispatch():
    assert split.split_document(b"hello", "text/plain", "blank_pages") == [b"hello"]
    assert len(split.split_document(blank_batch(), "application/pdf", "blank_pages")) == 3


def test_make_separator_sheet_pdf(tmp_path):
    p = split.make_separator_sheet_pdf(tmp_path / "sheets" / "separator.pdf", "PATCHT")
    data = p.read_bytes()
    assert page_count(data) == 1
    assert "SEPARATOR SHEET" in PdfReader(io.BytesIO(data)).pages[0].extract_text()
    gray = np.asarray(rasterize(data, split.CODE_DPI)[0])
    assert "PATCHT" in split.decode_codes(gray)
