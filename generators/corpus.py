"""Write whole corpora of generated documents with ground truth to disk.

``generate_set`` writes ``OUTDIR/<kind>-<nnnn>.<pdf|png|html|txt>`` with
``OUTDIR/<kind>-<nnnn>.truth.json`` beside each file and an ``OUTDIR/manifest.json``
describing every document (format, language, layout, scan parameters).  Formats:

* ``po``          - PDF, sometimes a plain-text e-mail body (``.txt``)
* ``invoice``     - PDF
* ``credit_note`` - PDF
* ``remittance``  - HTML mail body, plain-text mail body or PDF

A ``scanned_fraction`` of the PDF documents is replaced by a scan: a PNG for single-page
documents, an image-only PDF (no text layer) for multi-page ones and for one scan in four.
Everything derives from ``seed`` and ``base_date``: the same arguments give the same bytes.
"""
from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any, Iterable

from generators.documents import (KINDS, Document, PurchaseOrder, RemittanceAdvice,
                                  make_document, make_invoice)
from generators.html import po_text, remittance_html, remittance_text
from generators.parties import World, make_world
from generators.pdf import render_pdf
from generators.scan import save_scan, scan_pdf

DEFAULT_BASE_DATE = dt.date(2024, 11, 15)
SCAN_DPI = 200


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _pick_format(rng: random.Random, doc: Document) -> str:
    if isinstance(doc, PurchaseOrder):
        return "txt" if rng.random() < 0.2 else "pdf"
    if isinstance(doc, RemittanceAdvice):
        return rng.choices(("html", "txt", "pdf"), weights=(2, 1, 1))[0]
    return "pdf"


def write_document(outdir: Path, stem: str, doc: Document, fmt: str, scan_seed: int | None,
                   rotate: int | None = None, scan_ext: str | None = None
                   ) -> tuple[Path, dict[str, Any]]:
    """Write one document (and its truth); returns the file and its manifest entry.

    ``scan_seed`` set -> the PDF rendering is scanned (PNG when ``scan_ext`` is "png" and
    the document has one page, else image-only PDF).
    """
    entry: dict[str, Any] = {"kind": doc.kind, "doc_type": doc.doc_type,
                             "language": doc.style.lang, "layout": doc.style.layout,
                             "scanned": False}
    if fmt == "html":
        assert isinstance(doc, RemittanceAdvice)
        data: bytes = remittance_html(doc).encode("utf-8")
    elif fmt == "txt":
        text = remittance_text(doc) if isinstance(doc, RemittanceAdvice) else None
        if text is None:
            assert isinstance(doc, PurchaseOrder)
            text = po_text(doc)
        data = text.encode("utf-8")
    else:
        data = render_pdf(doc)
    if fmt == "pdf" and scan_seed is not None:
        result = scan_pdf(data, scan_seed, dpi=SCAN_DPI, rotate=rotate)
        ext = "png" if scan_ext == "png" and len(result.pages) == 1 else "pdf"
        path = save_scan(result, outdir / f"{stem}.{ext}")
        entry.update(scanned=True, format=ext, pages=len(result.pages), dpi=result.dpi,
                     skew=result.skew, rotation=result.rotation)
    else:
        path = outdir / f"{stem}.{fmt}"
        path.write_bytes(data)
        entry["format"] = fmt
    truth_path = outdir / f"{stem}.truth.json"
    _write_json(truth_path, doc.truth())
    entry = {"file": path.name, "truth": truth_path.name, **entry}
    return path, entry


def _write_manifest(outdir: Path, meta: dict[str, Any], entries: list[dict[str, Any]]
                    ) -> None:
    _write_json(outdir / "manifest.json", {**meta, "documents": entries})


def generate_set(outdir: str | Path, count: int, seed: int,
                 kinds: Iterable[str] = KINDS, scanned_fraction: float = 0.2,
                 base_date: dt.date = DEFAULT_BASE_DATE) -> list[Path]:
    """Generate ``count`` documents into ``outdir``; returns the document files."""
    kinds = tuple(kinds)
    for k in kinds:
        if k not in KINDS:
            raise ValueError(f"unknown kind {k!r}; expected some of {', '.join(KINDS)}")
    if not kinds:
        raise ValueError("no kinds given")
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    world = make_world(seed)
    paths: list[Path] = []
    entries: list[dict[str, Any]] = []
    for i in range(count):
        rng = random.Random(seed * 1_000_003 + i)
        kind = kinds[i % len(kinds)]
        doc = make_document(kind, rng, world, base_date)
        fmt = _pick_format(rng, doc)
        scanned = fmt == "pdf" and rng.random() < scanned_fraction
        scan_ext = "png" if rng.random() < 0.75 else "pdf"
        path, entry = write_document(out, f"{kind}-{i + 1:04d}", doc, fmt,
                                     rng.randrange(2**31) if scanned else None,
                                     rotate=None, scan_ext=scan_ext)
        paths.append(path)
        entries.append(entry)
    _write_manifest(out, {"seed": seed, "count": count, "base_date": base_date.isoformat(),
                          "kinds": list(kinds), "scanned_fraction": scanned_fraction},
                    entries)
    return paths


def sample_documents(outdir: str | Path, seed: int = 0,
                     base_date: dt.date = DEFAULT_BASE_DATE, world: World | None = None
                     ) -> list[Path]:
    """A small demo set: PO PDF, invoice PDF, scanned invoice PNG, remittance HTML.
    `world` (e.g. the one demo master data is built from) supplies the parties."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    world = world or make_world(seed)
    rng = random.Random(seed)
    docs: list[tuple[str, Document, str, int | None]] = [
        ("po-0001", make_document("po", rng, world, base_date, n_lines=4), "pdf", None),
        ("invoice-0002", make_document("invoice", rng, world, base_date, n_lines=5), "pdf",
         None),
        ("invoice-0003", make_invoice(rng, world, base_date, n_lines=3), "pdf", seed),
        ("remittance-0004", make_document("remittance", rng, world, base_date, n_lines=3),
         "html", None),
    ]
    paths: list[Path] = []
    entries: list[dict[str, Any]] = []
    for stem, doc, fmt, scan_seed in docs:
        path, entry = write_document(out, stem, doc, fmt, scan_seed, rotate=0,
                                     scan_ext="png")
        paths.append(path)
        entries.append(entry)
    _write_manifest(out, {"seed": seed, "count": len(docs), "base_date": base_date.isoformat(),
                          "sample": True}, entries)
    return paths
