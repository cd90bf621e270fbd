"""Per-line benchmark of line-item extraction (`extraction.fields.table.read_tables`).

Run: ``python -m extraction.bench.lines [--corpus gen|einvoice|i2d|all] [--cache DIR] [-v]``

* gen: `generators.corpus.generate_set(dir, 160, seed=11, scanned_fraction=0)` with the
  ``<stem>.truth.json`` line truth (PO, invoice, credit note, remittance mail bodies);
* einvoice: visible layer of the e-invoice PDFs, truth = lines of the embedded XML
  (`extraction.einvoice.parse_xml`); ZUGFeRD unit prices may be per basis quantity or
  gross, so unit_price there is indicative only;
* i2d: invoice2data PDFs with template-output lines (qty / price_unit / price_subtotal /
  name).

Scores per corpus and split (the benchmark's: e-invoices by scenario, others by file
name): line count exact rate, per line field accuracy after aligning predicted to truth
lines (order-preserving best match), and the rate of documents whose lines are all exact.  Timing: median ms per page of
`extract_fields` (page reading excluded).
"""
from __future__ import annotations

import argparse
import json
import pickle
import re
import statistics
import time
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterator

from extraction.fields.truth import einvoice_scenarios, corpora_root, einvoice_split, split_of
from extraction.fields.truth import same as header_same

NUMERIC = {"quantity", "unit_price", "line_total", "tax_rate", "amount_paid", "discount",
           "deduction"}
GEN_DIR = Path("/tmp/o2c_lines_gen")
TIMES: list[float] = []

Lines = list[dict[str, str]]


def same(field: str, got: str | None, want: str) -> bool:
    """Field-aware equality: line numbers (quantities, prices, rates) by value, the rest as
    the header scorer compares them."""
    if field in NUMERIC and got is not None:
        try:
            return Decimal(got) == Decimal(want)
        except InvalidOperation:
            return False
    return header_same(field, got, want)


def align(pred: Lines, truth: Lines) -> list[tuple[int, int]]:
    """Order-preserving alignment maximising the number of equal fields (LCS-style DP)."""
    n, m = len(pred), len(truth)
    sc = [[sum(same(f, p.get(f), v) for f, v in t.items()) for t in truth] for p in pred]
    dp = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            dp[i][j] = max(dp[i + 1][j], dp[i][j + 1], dp[i + 1][j + 1] + sc[i][j] + 0.01)
    out, i, j = [], 0, 0
    while i < n and j < m:
        if dp[i][j] == dp[i + 1][j + 1] + sc[i][j] + 0.01:
            out.append((i, j))
            i, j = i + 1, j + 1
        elif dp[i][j] == dp[i + 1][j]:
            i += 1
        else:
            j += 1
    return out


# ---------------------------------------------------------------- cases
def _pages(path: Path, cache: Path | None) -> list[Any]:
    from extraction.mailbody import body_pages
    from extraction.pipeline import ExtractOptions, pdf_pages
    key = cache / (re.sub(r"[^\w.-]", "_", str(path)) + ".pkl") if cache else None
    if key and key.exists():
        return pickle.loads(key.read_bytes())
    if path.suffix.lower() == ".pdf":
        pages = pdf_pages(path, ExtractOptions(ignore_xml=True))
    else:
        pages = body_pages(path.read_bytes(), html=path.suffix.lower() in (".html", ".htm"))
    if key:
        key.parent.mkdir(parents=True, exist_ok=True)
        key.write_bytes(pickle.dumps(pages))
    return pages


def gen_cases() -> Iterator[tuple[str, Path, Lines, str]]:
    if not (GEN_DIR / "manifest.json").exists() and not list(GEN_DIR.glob("*.truth.json")):
        from generators.corpus import generate_set
        generate_set(GEN_DIR, 160, seed=11, scanned_fraction=0)
    for tj in sorted(GEN_DIR.glob("*.truth.json")):
        stem = tj.name[:-len(".truth.json")]
        doc = next((p for p in GEN_DIR.glob(stem + ".*") if not p.name.endswith(".json")), None)
        if doc is not None:
            yield doc.name, doc, json.loads(tj.read_text()).get("lines", []), split_of(doc.name)


def einvoice_cases() -> Iterator[tuple[str, Path, Lines, str]]:
    from extraction.einvoice import parse_xml
    base = corpora_root() / "einvoice"
    scenarios = einvoice_scenarios(base)
    for pdf in sorted(base.rglob("*.pdf")):
        rel = pdf.relative_to(base).as_posix()
        xml = pdf.with_suffix(".xml")
        if rel.startswith("invalid/") or not xml.exists():
            continue
        try:
            lines = parse_xml(xml.read_bytes()).lines
        except Exception:
            continue
        yield rel, pdf, [{f: v.value for f, v in ln.items() if v.value not in (None, "")}
                         for ln in lines], einvoice_split(rel, scenarios)


def _i2d_num(v: Any) -> str:
    return str(Decimal(str(v)).normalize())


def i2d_cases() -> Iterator[tuple[str, Path, Lines, str]]:
    base = corpora_root() / "invoice2data"
    keys = {"qty": "quantity", "price_unit": "unit_price", "price_subtotal": "line_total",
            "name": "description"}
    for pdf in sorted(base.glob("*.pdf")):
        js = pdf.with_suffix(".json")
        if not js.exists():
            continue
        obj = json.loads(js.read_text())[0]
        if not obj.get("lines"):
            continue
        lines = []
        for ln in obj["lines"]:
            row = {}
            for k, f in keys.items():
                if ln.get(k) not in (None, ""):
                    row[f] = str(ln[k]).strip() if f == "description" else _i2d_num(ln[k])
            lines.append(row)
        yield pdf.name, pdf, lines, split_of(pdf.name)


# ---------------------------------------------------------------- scoring
def _predict(pages: list[Any]) -> Lines:
    from extraction.classify import classify
    from extraction.fields import extract_fields
    doc_type, _ = classify(pages)
    t = time.perf_counter()
    ext = extract_fields(pages, doc_type)
    TIMES.append((time.perf_counter() - t) * 1000 / max(1, len(pages)))
    return [{f: v.value for f, v in ln.items() if v.value is not None} for ln in ext.lines]


def score(cases: Iterator[tuple[str, Path, Lines, str]], cache: Path | None,
          verbose: bool) -> dict[str, dict[str, Any]]:
    acc: dict[str, dict[str, Any]] = defaultdict(lambda: {
        "docs": 0, "count_ok": 0, "all_ok": 0, "f": defaultdict(lambda: [0, 0])})
    for name, path, truth, split in cases:
        if not truth:
            continue
        try:
            pred = _predict(_pages(path, cache))
        except Exception as e:          # unreadable document: no lines
            pred = []
            if verbose:
                print(f"-- {name}: {type(e).__name__}: {e}")
        pairs = align(pred, truth)
        a = acc[split]
        a["docs"] += 1
        a["count_ok"] += len(pred) == len(truth)
        matched = {j: i for i, j in pairs}
        all_ok = len(pred) == len(truth)
        bad: list[str] = []
        for j, t in enumerate(truth):
            p = pred[matched[j]] if j in matched else {}
            for f, v in t.items():
                ok = same(f, p.get(f), v)
                a["f"][f][0] += ok
                a["f"][f][1] += 1
                if not ok:
                    all_ok = False
                    bad.append(f"{j}.{f}: {p.get(f)!r} != {v!r}")
        a["all_ok"] += all_ok
        if verbose and not all_ok:
            print(f"-- {name}: {len(pred)} lines, truth {len(truth)}; " + "; ".join(bad[:6]))
    return acc


def report(title: str, acc: dict[str, dict[str, Any]]) -> None:
    for split in ("dev", "test"):
        a = acc.get(split)
        if not a or not a["docs"]:
            continue
        d = a["docs"]
        fs = "  ".join(f"{f}={ok / n:.1%}" for f, (ok, n) in sorted(a["f"].items()))
        print(f"{title:9s} {split:4s} docs={d:3d} count={a['count_ok'] / d:.1%} "
              f"all_exact={a['all_ok'] / d:.1%}  {fs}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default="all", choices=("gen", "einvoice", "i2d", "all"))
    ap.add_argument("--cache", type=Path, default=None, help="pickle page words here")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    sources = {"gen": gen_cases, "einvoice": einvoice_cases, "i2d": i2d_cases}
    for name, fn in sources.items():
        if args.corpus in (name, "all"):
            report(name, score(fn(), args.cache, args.verbose))
    if TIMES:
        print(f"extract_fields median {statistics.median(TIMES):.1f} ms/page "
              f"(p90 {sorted(TIMES)[int(len(TIMES) * 0.9)]:.1f})")


if __name__ == "__main__":
    main()
