"""Bad documents through extraction and the pipeline: each ends in `failed` with a clear
reason or in review with a named reason - never silently empty, never blocking a worker."""
from __future__ import annotations

import io

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from capture.ingest import ingest_bytes
from core import documents
from core.errors import NoContent
from extraction.pipeline import ExtractOptions, extract_path
from queues.stages import run_to_rest


def _pdf(pages: int, text=lambda i: f"Invoice No INV-{i}  Total 10.00 EUR") -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    for i in range(pages):
        if text(i):
            c.drawString(72, 760, text(i))
        c.showPage()
    c.save()
    return buf.getvalue()


def test_a_very_long_pdf_is_read_up_to_the_page_limit_and_says_so(tmp_path):
    path = tmp_path / "long.pdf"
    path.write_bytes(_pdf(1200))
    ext = extract_path(path, options=ExtractOptions(max_pages=1000))
    assert ext.pages == 1000
    assert any("only the first 1000 of 1200 pages" in r for r in ext.reasons)


def test_a_pdf_with_no_text_at_all_is_no_content(tmp_path):
    path = tmp_path / "blank.pdf"
    path.write_bytes(_pdf(2, text=lambda i: ""))
    with pytest.raises(NoContent) as e:
        extract_path(path)
    assert "no text found" in e.value.message


def test_ocr_over_the_page_time_limit_gives_up_with_a_reason(tmp_path, corpora):
    from generators.scan import save_scan, scan_pdf

    scanned = tmp_path / "scan.pdf"
    save_scan(scan_pdf(corpora / "invoice2data" / "oyo.pdf", seed=1, dpi=200, max_pages=1), scanned)
    with pytest.raises(NoContent) as e:
        extract_path(scanned, options=ExtractOptions(page_timeout_s=0.05))
    assert "per-page limit" in e.value.message


def test_failed_and_review_outcomes_in_the_pipeline(rt, tmp_path):
    spanish = _pdf(1, text=lambda i: "Estimado cliente, le informamos del cambio de horario.")
    blank = _pdf(1, text=lambda i: "")
    with rt.db.session() as s:
        a = ingest_bytes(s, rt.store, spanish, "carta.pdf", source="upload").document_id
        b = ingest_bytes(s, rt.store, blank, "blank.pdf", source="upload").document_id
    assert run_to_rest(rt, a) == "needs_review"
    assert run_to_rest(rt, b) == "failed"
    with rt.db.session() as s:
        doc = documents.get(s, a)
        assert any(r["code"] == "document.type" for r in doc.review_reasons)
        failed = documents.get(s, b)
        assert failed.error_kind == "no_content" and "no text" in failed.error_message
