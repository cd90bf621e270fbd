"""Benchmark on documents from `generators` (``python -m generators OUTDIR``).

Only PDFs with a text layer are read here (HTML / text mail bodies belong to the mail-body
reader, scans to OCR).  Each ``name.pdf`` has ``name.truth.json`` with canonical fields.
"""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from extraction.fields.truth import same


def generated_items(root: Path) -> list[tuple[Path, str]]:
    out = []
    for pdf in sorted(root.glob("*.pdf")):
        truth = pdf.with_name(pdf.stem + ".truth.json")
        if truth.exists():
            out.append((pdf, json.loads(truth.read_text())["doc_type"]))
    return out


def field_accuracy(root: Path) -> dict[str, Any]:
    """Per doc type and field: [right, total]; plus line-count matches."""
    from extraction.fields import extract_fields
    from extraction.pages import read_pdf
    res: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for pdf, _dt in generated_items(root):
        truth = json.loads(pdf.with_name(pdf.stem + ".truth.json").read_text())
        pages = read_pdf(pdf)
        if not any(p.words for p in pages):
            continue
        ext = extract_fields(pages, truth["doc_type"])
        for f, want in truth.get("fields", {}).items():
            if want in (None, ""):
                continue
            r = res[truth["doc_type"]][f]
            r[0] += same(f, ext.value(f), str(want))
            r[1] += 1
        lc = res[truth["doc_type"]]["(line count)"]
        lc[0] += len(ext.lines) == len(truth.get("lines", []))
        lc[1] += 1
    return res


def report(root: Path) -> None:
    for dt, fields in field_accuracy(root).items():
        tot = [sum(v[0] for v in fields.values()), sum(v[1] for v in fields.values())]
        print(f"  generated {dt}: all fields {100 * tot[0] / max(1, tot[1]):.1f}% ({tot[0]}/{tot[1]})")
        for f, (ok, n) in sorted(fields.items()):
            print(f"    {f:18s} {100 * ok / max(1, n):5.1f}% ({ok}/{n})")
