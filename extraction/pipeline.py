"""Extraction entry point: a stored file in, an `Extraction` out.

    extract_path(path, mime=...) -> Extraction

Dispatch by file type (a registry, not an if-chain): PDFs are read page by page from the
text layer, pages without a usable text layer go through OCR; images go through OCR;
e-invoice XML is parsed directly; HTML/text mail bodies become pseudo-pages.  A PDF with
an embedded e-invoice XML is answered from the XML, and the visible layer is read too:
every field where the two disagree becomes a review reason.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import NoContent, StageTimeout, UnsupportedType
from extraction.layout import Page
from extraction.model import Extraction


@dataclass(frozen=True)
class ExtractOptions:
    page_timeout_s: float = 60.0
    max_pages: int = 1000
    ocr_languages: str = "eng+deu+fra"
    ignore_xml: bool = False        # read only the visible layer of hybrid PDFs
    locale_hint: str | None = None

    @classmethod
    def from_settings(cls, settings: Any, **over: Any) -> ExtractOptions:
        base = dict(page_timeout_s=settings.page_timeout_s, max_pages=settings.max_pages,
                    ocr_languages=settings.ocr_languages)
        base.update(over)
        return cls(**base)


def pdf_pages(path: str | Path, opts: ExtractOptions) -> list[Page]:
    """Text layer where usable, OCR elsewhere.  A page whose OCR exceeds the per-page time
    limit is kept empty with a warning (retrying would time out again), so one bad page
    never blocks a worker or loses the rest of the document."""
    from extraction import ocr, pages as pdf

    out: list[Page] = []
    for page in pdf.read_pdf(path, max_pages=opts.max_pages):
        if pdf.needs_ocr(page):
            try:
                page = ocr.ocr_pdf_page(path, page.number, languages=opts.ocr_languages,
                                        timeout_s=opts.page_timeout_s)
            except StageTimeout:
                page.warnings.append(f"page {page.number}: OCR gave up after the "
                                     f"{opts.page_timeout_s:g} s per-page limit")
        out.append(page)
    return out


def page_reasons(pages: list[Page]) -> list[str]:
    """Review reasons from what the readers noticed (timeouts, pages not read...)."""
    return [f"reading: {w}" for p in pages for w in p.warnings
            if "OCR gave up" in w or "only the first" in w]


def understand(pages: list[Page], opts: ExtractOptions, meta: dict[str, Any] | None = None) -> Extraction:
    from extraction.classify import classify_doc
    from extraction.fields import extract_doc
    from extraction.fields.doc import Doc

    if not any(p.words for p in pages):
        gave_up = [w for p in pages for w in p.warnings if "OCR gave up" in w]
        raise NoContent(gave_up[0] if len(pages) == 1 and gave_up else
                        f"no text found on any of {len(pages)} page(s): blank or unreadable")
    # One `Doc` (lines, label hits, locale) serves both the classifier and the field
    # extractors: the same as `classify(pages)` + `extract_fields(pages, doc_type)`, which
    # would build it twice (the locale hint only fills the language when none is detected,
    # which the classifier does not read).
    doc = Doc.build(pages, opts.locale_hint)
    doc_type, conf = classify_doc(doc)
    ext = extract_doc(doc, doc_type)
    ext.doc_type, ext.doc_type_confidence, ext.pages = doc_type, conf, len(pages)
    ext.meta.update(meta or {})
    ext.meta["readers"] = sorted({p.source for p in pages})
    # how the OCR turned each scanned page (its word boxes are measured on the turned
    # page): the review UI shows the page image the same way
    frames = {str(p.number): {"rotation": p.rotation, "skew": p.skew}
              for p in pages if p.source == "ocr" and (p.rotation or p.skew)}
    if frames:
        ext.meta["page_frames"] = frames
    ext.reasons.extend(page_reasons(pages))
    _cap_ocr_confidence(ext)
    return ext


# Values read by OCR may carry misread characters that no layout rule can see; only a
# checksum proves them.  Other OCR-read fields are never reported as certain.
OCR_CAP = 0.9
CHECKSUMMED = {"seller_iban", "seller_vat_id", "buyer_vat_id"}


def _cap_ocr_confidence(ext: Extraction) -> None:
    for name, f in ext.fields.items():
        if f.source == "ocr" and name not in CHECKSUMMED:
            f.confidence = min(f.confidence, OCR_CAP)
    for line in ext.lines:
        for f in line.values():
            if f.source == "ocr":
                f.confidence = min(f.confidence, OCR_CAP)


def _extract_pdf(path: Path, opts: ExtractOptions) -> Extraction:
    from extraction import einvoice

    xml = None if opts.ignore_xml else einvoice.embedded_xml(path)
    pages = pdf_pages(path, opts)
    if xml is None:
        return understand(pages, opts)
    name, data = xml
    result = einvoice.parse_xml(data)
    result.pages = len(pages)
    result.meta["embedded_xml"] = name
    try:
        visible = understand(pages, opts)
    except NoContent:
        result.reasons.append("visible_layer_empty: the PDF shows no text; only the XML was read")
        return result
    from extraction.crosscheck import compare_xml_visible

    result.reasons.extend(compare_xml_visible(result, visible))
    # keep the visible layer's provenance (page, box) for the review UI
    for name_, f in result.fields.items():
        v = visible.fields.get(name_)
        if v is not None and v.value == f.value:
            f.page, f.bbox = v.page, v.bbox
    return result


def _extract_image(path: Path, opts: ExtractOptions) -> Extraction:
    from extraction import ocr

    try:
        pages = ocr.read_images(path, languages=opts.ocr_languages, timeout_s=opts.page_timeout_s)
    except StageTimeout as exc:  # the same image would time out again: not transient here
        raise NoContent(f"{path.name}: {exc.message}") from exc
    return understand(pages, opts)


def _extract_xml(path: Path, opts: ExtractOptions) -> Extraction:
    from extraction import einvoice

    return einvoice.parse_xml(path.read_bytes())


def _extract_mail_body(path: Path, opts: ExtractOptions) -> Extraction:
    from extraction.mailbody import body_pages

    return understand(body_pages(path.read_bytes(), html=path.suffix.lower() in (".html", ".htm")),
                      opts, {"mail_body": True})


READERS: dict[str, Callable[[Path, ExtractOptions], Extraction]] = {
    "application/pdf": _extract_pdf,
    "image/png": _extract_image,
    "image/jpeg": _extract_image,
    "image/tiff": _extract_image,
    "application/xml": _extract_xml,
    "text/xml": _extract_xml,
    "text/html": _extract_mail_body,
    "text/plain": _extract_mail_body,
}


def extract_path(path: str | Path, *, mime: str | None = None, name: str | None = None,
                 options: ExtractOptions | None = None) -> Extraction:
    path = Path(path)
    opts = options or ExtractOptions()
    if mime is None:
        from capture.filetypes import sniff
        with path.open("rb") as fh:
            mime = sniff(fh.read(4096), path.name).mime
    reader = READERS.get(mime)
    if reader is None:
        raise UnsupportedType(f"{name or path.name}: unsupported file type {mime}")
    t0 = time.perf_counter()
    result = reader(path, opts)
    result.meta["ms"] = round((time.perf_counter() - t0) * 1000, 1)
    result.meta["mime"] = mime
    return result
