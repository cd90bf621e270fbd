"""Benchmark cases: one file to read plus its ground truth (canonical field values, line
count, document type), from every corpus we score.

Ground truth is read from the corpora's own truth files at run time (embedded XML, JSON);
nothing is copied into code.  Split: a file is in ``dev`` if sha1(key) % 10 < 7, the key
being the file name, or for e-invoices their business scenario (the corpus repeats one
case across standard versions: `extraction.fields.truth.einvoice_split`)."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from extraction.fields.truth import corpora_root, einvoice_cases, i2d_cases, split_of

EINVOICE_TYPES = {"380": "invoice", "381": "credit_note", "384": "invoice", "389": "invoice",
                  "386": "invoice", "326": "invoice", "875": "invoice", "876": "invoice",
                  "877": "invoice", "261": "credit_note", "262": "credit_note", "396": "credit_note"}


@dataclass
class Case:
    corpus: str
    name: str
    path: Path
    split: str
    truth: dict[str, str]                  # canonical field -> expected value
    doc_type: str | None = None            # expected class, when known
    line_count: int | None = None
    ocr: bool = False                      # goes through the OCR path
    scan_of: Path | None = None            # for generated scans: the digital original
    meta: dict[str, Any] = field(default_factory=dict)


def _einvoice(root: Path, cache: Path) -> list[Case]:
    out = []
    for c in einvoice_cases(root):
        t = dict(c["truth"])
        code = str(t.pop("type_code", "") or "")
        lines = t.pop("line_count", None)
        out.append(Case("einvoice", c["name"], c["pdf"], c["split"], t,
                        EINVOICE_TYPES.get(code, "invoice"), lines))
    return out


def _einvoice_ocr(root: Path, cache: Path) -> list[Case]:
    """The e-invoice PDFs rasterised to 200-300 DPI with scan noise (fixed seeds), every
    page, as one multi-page TIFF: a multi-page invoice prints its totals on the last page."""
    out = []
    folder = cache / "einvoice-scans-all"
    for case in _einvoice(root, cache):
        tif = folder / (case.name.replace("/", "__") + ".tif")
        out.append(Case("einvoice_ocr", case.name, tif, case.split, dict(case.truth),
                        case.doc_type, None, ocr=True, scan_of=case.path))
    return out


def materialise(case: Case) -> None:
    """Create a case's input if it is made on demand (the scans of e-invoice PDFs), with a
    seed from the file name so every run sees the same pixels."""
    if case.scan_of is None or case.path.exists():
        return
    from generators.scan import save_scan, scan_pdf

    case.path.parent.mkdir(parents=True, exist_ok=True)
    seed = int(hashlib.sha1(case.name.encode()).hexdigest()[:8], 16)
    tmp = case.path.with_suffix(".tmp" + case.path.suffix)
    save_scan(scan_pdf(case.scan_of, seed=seed), tmp)
    tmp.replace(case.path)


def _invoice2data(root: Path, cache: Path) -> list[Case]:
    out = []
    for c in i2d_cases(root):
        t = dict(c["truth"])
        lines = t.pop("line_count", None)
        out.append(Case("invoice2data", c["name"], c["pdf"], c["split"], t, "invoice", lines))
    return out


def _sroie(root: Path, cache: Path) -> list[Case]:
    from extraction.normalize import format_amount, iso_date, parse_amount, parse_date

    out = []
    for js in sorted((root / "sroie").glob("*.json")):
        obj = json.loads(js.read_text(encoding="utf-8"))
        truth: dict[str, str] = {}
        if obj.get("company"):
            truth["seller_name"] = obj["company"]
        if obj.get("address"):
            truth["seller_address"] = obj["address"]
        d = parse_date(obj.get("date") or "", day_first=True)
        if d:
            truth["issue_date"] = iso_date(d)
        amt = parse_amount(obj.get("total") or "")
        if amt is not None:
            truth["total_gross"] = format_amount(amt)
        out.append(Case("sroie", js.stem, js.with_suffix(".jpg"), split_of(js.name), truth,
                        None, None, ocr=True))
    return out


def _generated(root: Path, cache: Path, count: int = 120, seed: int = 20241115) -> list[Case]:
    """POs, invoices, credit notes and remittances (PDF, HTML, text, some scanned) from the
    project's own generator, with its truth files."""
    from generators.corpus import generate_set

    folder = cache / f"generated-{seed}-{count}"
    manifest = folder / "manifest.json"
    if not manifest.exists():
        generate_set(folder, count, seed, scanned_fraction=0.2)
    out = []
    for entry in json.loads(manifest.read_text())["documents"]:
        path = folder / entry["file"]
        truth_file = folder / (Path(entry["file"]).stem + ".truth.json")
        t = json.loads(truth_file.read_text())
        out.append(Case("generated", entry["file"], path, split_of(entry["file"]),
                        {k: str(v) for k, v in t["fields"].items()}, t["doc_type"],
                        len(t.get("lines", [])), ocr=bool(entry.get("scanned")),
                        meta={"lines": t.get("lines", [])}))
    return out


def _orders(root: Path, cache: Path) -> list[Case]:
    from extraction.einvoice import parse_xml

    out = []
    for pdf in sorted((root / "orders" / "order-x").glob("*.pdf")):
        ext = parse_xml(pdf.with_suffix(".xml").read_bytes())
        truth = {k: f.value for k, f in ext.fields.items()
                 if f.value and k in ("po_number", "order_date", "currency", "total_net",
                                      "total_gross")}
        out.append(Case("orders", pdf.name, pdf, split_of(pdf.name), truth, ext.doc_type,
                        len(ext.lines)))
    return out


LOADERS: dict[str, Callable[[Path, Path], list[Case]]] = {
    "einvoice": _einvoice, "invoice2data": _invoice2data, "generated": _generated,
    "orders": _orders, "sroie": _sroie, "einvoice_ocr": _einvoice_ocr,
}


def load_cases(corpora: list[str], cache: Path, root: Path | None = None) -> list[Case]:
    root = root or corpora_root()
    cases: list[Case] = []
    for name in corpora:
        if name not in LOADERS:
            raise ValueError(f"unknown corpus {name!r}; choose from {', '.join(LOADERS)}")
        cases += LOADERS[name](root, cache)
    return cases
