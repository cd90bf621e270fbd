"""Reference timings measured in the same run: invoice2data (template-based, per-vendor
regexes) on the invoice2data corpus PDFs, against our extraction of the same files."""
from __future__ import annotations

import logging
import statistics
import time
from pathlib import Path
from typing import Any


def invoice2data_speed(pdfs: list[Path], repeats: int = 3) -> dict[str, Any]:
    try:
        from invoice2data import extract_data
        from invoice2data.extract.loader import read_templates
    except ImportError:
        return {"available": False, "note": "pip install invoice2data to compare"}
    from extraction.pipeline import ExtractOptions, extract_path

    logging.getLogger("invoice2data").setLevel(logging.CRITICAL)
    templates = read_templates()
    opts = ExtractOptions(ignore_xml=True)
    theirs: list[float] = []
    ours: list[float] = []
    for _ in range(repeats):
        for pdf in pdfs:
            t0 = time.perf_counter()
            extract_data(str(pdf), templates=templates)
            theirs.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            extract_path(pdf, options=opts)
            ours.append((time.perf_counter() - t0) * 1000)
    t, o = statistics.median(theirs), statistics.median(ours)
    return {"available": True, "files": len(pdfs), "invoice2data_ms_per_file": round(t, 1),
            "ours_ms_per_file": round(o, 1), "ratio": round(o / t, 3)}
