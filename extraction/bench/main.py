"""Entry point of the extraction benchmark: load cases, run, report (JSON + table)."""
from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

from extraction.bench import report as rep
from extraction.bench.cases import LOADERS, load_cases
from extraction.bench.runner import run_all
from extraction.bench.speed import invoice2data_speed

DEFAULT_CORPORA = ["einvoice", "invoice2data", "generated", "orders", "sroie", "einvoice_ocr"]


def run_bench(corpora: list[str], *, out: Path, cache: Path, split: str = "all",
              limit_ocr: int | None = None, languages: str = "eng+deu+fra",
              processes: int = 2, echo=print) -> dict[str, Any]:
    t0 = time.perf_counter()
    cases = load_cases(corpora, cache)
    if split != "all":
        cases = [c for c in cases if c.split == split]
    if limit_ocr is not None:
        # a spread sample of each OCR corpus (by a hash of the name), not its first files:
        # the corpora are sorted by source, and the first 40 e-invoices are all FNFE ones
        chosen = set()
        for corpus in {c.corpus for c in cases if c.ocr}:
            ocr = sorted((c for c in cases if c.ocr and c.corpus == corpus),
                         key=lambda c: hashlib.sha1(c.name.encode()).hexdigest())
            chosen |= {id(c) for c in ocr[:limit_ocr]}
        cases = [c for c in cases if not c.ocr or id(c) in chosen]
    echo(f"{len(cases)} cases ({sum(c.ocr for c in cases)} through OCR) from {', '.join(corpora)}")
    done = [0]

    def progress(o) -> None:
        done[0] += 1
        if done[0] % 50 == 0:
            echo(f"  {done[0]}/{len(cases)}")

    outcomes = run_all(cases, languages=languages, processes=processes, progress=progress)
    extra: dict[str, Any] = {}
    if "invoice2data" in corpora:
        pdfs = sorted({c.path for c in cases if c.corpus == "invoice2data"})
        extra["invoice2data_speed"] = invoice2data_speed(pdfs)
    extra["run"] = {"seconds": round(time.perf_counter() - t0, 1), "python": platform.python_version(),
                    "corpora": corpora, "split": split, "languages": languages,
                    "limit_ocr": limit_ocr}
    extra["errors"] = [{"corpus": o.case.corpus, "name": o.case.name, "error": o.error}
                       for o in outcomes if o.error][:100]
    extra["misses"] = _misses(outcomes)
    r = rep.build(outcomes, extra)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(r, indent=2, default=str))
    for line in rep.table_lines(r):
        echo(line)
    echo(f"report: {out}")
    return r


def _misses(outcomes, cap: int = 300) -> list[dict[str, Any]]:
    rows = []
    for o in outcomes:
        if o.case.doc_type and o.doc_type != o.case.doc_type:
            rows.append({"corpus": o.case.corpus, "split": o.case.split, "doc": o.case.name,
                         "field": "(document type)", "want": o.case.doc_type,
                         "got": o.doc_type, "confidence": None})
        for name, want in o.case.truth.items():
            got, conf = o.fields.get(name, (None, 0.0))
            if not rep.correct(name, got, want):
                rows.append({"corpus": o.case.corpus, "split": o.case.split, "doc": o.case.name,
                             "field": name, "want": want, "got": got, "confidence": round(conf, 3)})
    return rows[:cap]


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="o2c bench extraction")
    p.add_argument("--corpus", action="append", choices=list(LOADERS))
    p.add_argument("--split", default="all", choices=["all", "dev", "test"])
    p.add_argument("--limit-ocr", type=int, default=None)
    p.add_argument("--out", type=Path, default=Path("bench-reports/extraction.json"))
    p.add_argument("--cache", type=Path, default=Path("bench-reports/cache"))
    a = p.parse_args(argv)
    run_bench(a.corpus or DEFAULT_CORPORA, out=a.out, cache=a.cache, split=a.split,
              limit_ocr=a.limit_ocr)
    sys.exit(0)
