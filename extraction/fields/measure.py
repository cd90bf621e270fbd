"""Benchmark of classification + template-free field extraction on the shared corpora.

Run: ``python -m extraction.fields.measure [--corpus einvoice|invoice2data|orders|all]``

* e-invoices (`corpora/einvoice`, `invalid/` excluded): visible text layer only, scored
  against the embedded CII XML (only fields present in the XML), plus line-count match;
* invoice2data: template outputs mapped to canonical names; fields whose expected value
  never appears in the document text are skipped (and counted);
* orders (Order-X PDFs) and generated documents: classification only.

Splits: sha1(file name) % 10 < 7 -> dev, else test.  Timings are per page of
classification + extraction, PDF reading excluded.
"""
from __future__ import annotations

import argparse
import csv
import re
import statistics
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from extraction.fields.truth import (AMOUNT_FIELDS, SCORED, corpora_root, einvoice_cases,
                                     i2d_cases, norm_name, same, split_of)

_AMOUNTS: dict[int, set[Decimal]] = {}
CREDIT_CODES = {"381", "261", "262", "296", "308", "396", "420", "458", "532"}


def expected_type(code: str, total: str | None = None) -> str:
    """Business doc type for a UNTDID 1001 code.  A corrected invoice (384) is an invoice
    whatever its sign, as in the extraction benchmark (`extraction.bench.cases`) and EN 16931;
    231 order responses are "other" (see classify).  `total` is kept for callers."""
    if code in CREDIT_CODES:
        return "credit_note"
    if code in ("220", "230", "105", "227"):
        return "purchase_order"
    if code in ("231",):
        return "other"
    return "invoice"


def _read(pdf: Path) -> list[Any]:
    from extraction.pages import read_pdf
    return read_pdf(pdf)


def _run(pages: list[Any]) -> tuple[Any, float]:
    from extraction.classify import classify_doc
    from extraction.fields import extract_doc
    from extraction.fields.doc import Doc
    t = time.perf_counter()
    doc = Doc.build(pages)
    dt, conf = classify_doc(doc)
    ext = extract_doc(doc, dt if dt in ("invoice", "credit_note") else "invoice")
    ext.doc_type, ext.doc_type_confidence = dt, conf
    return ext, (time.perf_counter() - t) * 1000 / max(1, len(pages))


def _appears(field: str, want: str, pages: list[Any]) -> bool:
    """Does the expected value appear in the document text at all?"""
    from extraction.fields.doc import Doc
    text = "\n".join(p.text for p in pages)
    flat = re.sub(r"\s+", "", text).casefold()
    if field in AMOUNT_FIELDS:
        key = id(pages)
        if key not in _AMOUNTS:
            doc = Doc.build(pages)
            _AMOUNTS.clear()
            _AMOUNTS[key] = {a for p in pages for w in p.words
                             if (a := doc.amount(w.text)) is not None}
        return Decimal(want) in _AMOUNTS[key]
    if field in ("issue_date", "due_date"):
        from extraction.normalize import parse_date
        lines = [ln.text for p in pages for ln in p.lines()]
        for ln in lines:
            ws = ln.split()
            for i in range(len(ws)):
                for n in (1, 2, 3):
                    for df in (True, False):
                        d = parse_date(" ".join(ws[i:i + n]), day_first=df)
                        if d and d.isoformat() == want:
                            return True
        return False
    if field == "currency":
        return True
    return re.sub(r"\s+", "", want).casefold().lstrip("#") in flat


def evaluate(cases: list[dict[str, Any]], check_presence: bool = False,
             samples: dict[str, list[tuple[float, bool]]] | None = None) -> dict[str, Any]:
    res: dict[str, Any] = {s: defaultdict(lambda: [0, 0]) for s in ("dev", "test")}
    docs_exact = {"dev": [0, 0], "test": [0, 0]}
    lines_exact = {"dev": [0, 0], "test": [0, 0]}
    cls_ok = {"dev": [0, 0], "test": [0, 0]}
    hi = {"dev": [0, 0], "test": [0, 0]}
    skipped = 0
    times: list[float] = []
    errors: list[str] = []
    for case in cases:
        try:
            pages = _read(case["pdf"])
        except Exception as e:  # noqa: BLE001 - report and continue
            errors.append(f"{case['name']}: {e}")
            continue
        ext, ms = _run(pages)
        times.append(ms)
        sp = case["split"]
        truth = case["truth"]
        want_type = expected_type(truth["type_code"], truth.get("total_gross")) if "type_code" in truth else "invoice"
        cls_ok[sp][0] += ext.doc_type == want_type
        cls_ok[sp][1] += 1
        all_ok = True
        for f in SCORED:
            if f not in truth:
                continue
            want = truth[f]
            if check_presence and not _appears(f, want, pages):
                skipped += 1
                continue
            got = ext.value(f)
            if f == "invoice_number" and got is not None:
                ok = same(f, got.lstrip("#"), want.lstrip("#"))
            else:
                ok = same(f, got, want)
            res[sp][f][0] += ok
            res[sp][f][1] += 1
            all_ok &= ok
            if got is not None:
                fld = ext.fields[f]
                if fld.confidence >= 0.95:
                    hi[sp][0] += ok
                    hi[sp][1] += 1
                if samples is not None and sp == "dev":
                    from extraction.fields.calibrate import key
                    raw, why = ext.meta.get("raw", {}).get(f, [0.0, ""])
                    samples[key(f, why)].append((raw, ok))
            if case.get("verbose") and not ok:
                print(f"  {case['name']} {f}: got={got!r} want={want!r} "
                      f"{ext.meta.get('raw', {}).get(f)}")
        docs_exact[sp][0] += all_ok
        docs_exact[sp][1] += 1
        if "line_count" in truth and truth["line_count"] > 0:
            lines_exact[sp][0] += len(ext.lines) == truth["line_count"]
            lines_exact[sp][1] += 1
    return {"fields": res, "docs": docs_exact, "lines": lines_exact, "cls": cls_ok,
            "high": hi, "skipped": skipped, "times": times, "errors": errors}


def _pct(a: list[int]) -> str:
    return f"{100 * a[0] / a[1]:5.1f}% ({a[0]}/{a[1]})" if a[1] else "   n/a"


def report(name: str, r: dict[str, Any]) -> None:
    print(f"\n=== {name}")
    for f in SCORED:
        d, t = r["fields"]["dev"].get(f), r["fields"]["test"].get(f)
        if d or t:
            print(f"  {f:16s} dev {_pct(d or [0, 0]):20s} test {_pct(t or [0, 0])}")
    for sp in ("dev", "test"):
        tot = [sum(v[0] for v in r["fields"][sp].values()), sum(v[1] for v in r["fields"][sp].values())]
        print(f"  [{sp}] header fields {_pct(tot)}  docs exact {_pct(r['docs'][sp])}  "
              f"line count {_pct(r['lines'][sp])}  classify {_pct(r['cls'][sp])}  "
              f"conf>=0.95 right {_pct(r['high'][sp])}")
    if r["skipped"]:
        print(f"  skipped (expected value not in document text): {r['skipped']}")
    if r["times"]:
        ts = sorted(r["times"])
        print(f"  ms/page median {statistics.median(ts):.1f}  p95 {ts[int(0.95 * (len(ts) - 1))]:.1f}")
    for e in r["errors"]:
        print("  ERROR", e)


def order_cases() -> list[tuple[Path, str]]:
    base = corpora_root() / "orders"
    out = []
    with (base / "manifest.csv").open() as fh:
        for row in csv.DictReader(fh):
            if row["file"].endswith(".pdf"):
                out.append((base / row["file"], expected_type(row["type_code"])))
    return out


def classify_only(items: list[tuple[Path, str]], label: str, verbose: bool = False) -> None:
    from extraction.classify import classify
    ok = {"dev": [0, 0], "test": [0, 0]}
    for pdf, want in items:
        got, conf = classify(_read(pdf))
        sp = split_of(pdf.name)
        ok[sp][0] += got == want
        ok[sp][1] += 1
        if verbose and got != want:
            print(f"  {pdf.name}: got {got} ({conf}) want {want}")
    print(f"\n=== {label} classification: dev {_pct(ok['dev'])} test {_pct(ok['test'])}")


def collect_samples(split: str = "dev") -> dict[str, list[tuple[float, bool]]]:
    samples: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    evaluate([c for c in einvoice_cases() if c["split"] == split], samples=samples)
    evaluate([c for c in i2d_cases() if c["split"] == split], True, samples=samples)
    return samples


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="all")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--split", default=None)
    ap.add_argument("--generated", default=None, help="dir of generated docs with truth")
    a = ap.parse_args()
    if a.corpus in ("all", "einvoice"):
        cases = einvoice_cases()
        if a.split:
            cases = [c for c in cases if c["split"] == a.split]
        for c in cases:
            c["verbose"] = a.verbose
        report("e-invoice PDFs (visible text layer vs embedded XML)", evaluate(cases))
        report("e-invoice PDFs, only fields whose XML value is printed in the PDF",
               evaluate(cases, check_presence=True))
    if a.corpus in ("all", "invoice2data"):
        cases = i2d_cases()
        for c in cases:
            c["verbose"] = a.verbose
        report("invoice2data", evaluate(cases, check_presence=True))
    if a.corpus in ("all", "orders"):
        classify_only(order_cases(), "Order-X PDFs", a.verbose)
    if a.generated:
        from extraction.fields.gen_bench import generated_items, report as gen_report
        classify_only(generated_items(Path(a.generated)), "generated", a.verbose)
        gen_report(Path(a.generated))
    _ = norm_name


if __name__ == "__main__":
    main()
