"""Aggregate benchmark outcomes: per corpus and split, per-field accuracy, document-level
exact rate, line-count rate, classification accuracy, the calibration (reliability) table
and speed; the goals of the product checked against the test split."""
from __future__ import annotations

import re
import statistics
from collections import defaultdict
from typing import Any

from extraction.bench.runner import Outcome
from extraction.fields.truth import same

BINS = [(0.0, 0.5), (0.5, 0.8), (0.8, 0.9), (0.9, 0.95), (0.95, 0.99), (0.99, 1.0001)]
ADDRESS_FIELDS = {"seller_address", "ship_to"}


def correct(field: str, got: str | None, want: str) -> bool:
    if got is None:
        return False
    if field in ADDRESS_FIELDS:
        norm = lambda s: re.sub(r"[\W_]+", "", s).casefold()  # noqa: E731
        return norm(got) == norm(want)
    return same(field, got, want)


def pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.1f}%"


def _quantiles(xs: list[float]) -> dict[str, float | None]:
    if not xs:
        return {"n": 0, "median": None, "p95": None}
    xs = sorted(xs)
    return {"n": len(xs), "median": round(statistics.median(xs), 2),
            "p95": round(xs[min(len(xs) - 1, int(0.95 * len(xs)))], 2)}


def accuracy(outcomes: list[Outcome]) -> dict[str, Any]:
    per_field: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    docs_exact = docs = lines_ok = lines_n = cls_ok = cls_n = errors = 0
    for o in outcomes:
        docs += 1
        errors += o.error is not None
        all_ok = True
        for name, want in o.case.truth.items():
            got = o.fields.get(name, (None, 0.0))[0]
            ok = correct(name, got, want)
            per_field[name][0] += ok
            per_field[name][1] += 1
            all_ok &= ok
        docs_exact += all_ok
        if o.case.line_count:
            lines_n += 1
            lines_ok += o.line_count == o.case.line_count
        if o.case.doc_type:
            cls_n += 1
            cls_ok += o.doc_type == o.case.doc_type
    right = sum(v[0] for v in per_field.values())
    total = sum(v[1] for v in per_field.values())
    return {
        "documents": docs, "errors": errors,
        "fields": {k: {"correct": v[0], "total": v[1], "accuracy": v[0] / v[1]}
                   for k, v in sorted(per_field.items())},
        "header_accuracy": right / total if total else None,
        "doc_exact_rate": docs_exact / docs if docs else None,
        "line_count_rate": lines_ok / lines_n if lines_n else None,
        "classification": cls_ok / cls_n if cls_n else None,
    }


def calibration(outcomes: list[Outcome]) -> dict[str, Any]:
    overall = [[0, 0] for _ in BINS]
    per_field: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for o in outcomes:
        for name, want in o.case.truth.items():
            if name not in o.fields:
                continue
            got, conf = o.fields[name]
            ok = correct(name, got, want)
            for i, (lo, hi) in enumerate(BINS):
                if lo <= conf < hi:
                    overall[i][0] += ok
                    overall[i][1] += 1
            if conf >= 0.95:
                per_field[name][0] += ok
                per_field[name][1] += 1
    hi_ok = sum(v[0] for v in per_field.values())
    hi_n = sum(v[1] for v in per_field.values())
    return {
        "bins": [{"from": lo, "to": min(hi, 1.0), "n": n, "accuracy": (k / n) if n else None}
                 for (lo, hi), (k, n) in zip(BINS, overall)],
        "at_095": {"n": hi_n, "precision": hi_ok / hi_n if hi_n else None,
                   "per_field": {k: {"n": v[1], "precision": v[0] / v[1]}
                                 for k, v in sorted(per_field.items())}},
    }


def speed(outcomes: list[Outcome]) -> dict[str, Any]:
    ok = [o for o in outcomes if o.error is None]
    text = [o.ms_per_page for o in ok if not o.case.ocr and "ocr" not in o.sources]
    ocr = [o.ms_per_page for o in ok if o.case.ocr]
    paired = [(o.ms, o.bare_tesseract_ms) for o in ok if o.bare_tesseract_ms]
    return {
        "text_ms_per_page": _quantiles(text), "ocr_ms_per_page": _quantiles(ocr),
        "ocr_vs_bare_tesseract": {
            "n": len(paired),
            "ours_median_ms": round(statistics.median(a for a, _ in paired), 1) if paired else None,
            "bare_median_ms": round(statistics.median(b for _, b in paired), 1) if paired else None,
            "median_ratio": round(statistics.median(a / b for a, b in paired), 3) if paired else None,
        },
    }


def build(outcomes: list[Outcome], extra: dict[str, Any]) -> dict[str, Any]:
    by: dict[tuple[str, str], list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by[(o.case.corpus, o.case.split)].append(o)
        by[(o.case.corpus, "all")].append(o)
    corpora: dict[str, Any] = defaultdict(dict)
    for (corpus, split), outs in sorted(by.items()):
        corpora[corpus][split] = accuracy(outs)
    test = [o for o in outcomes if o.case.split == "test"]
    report = {"corpora": corpora, "calibration": {"test": calibration(test),
                                                  "all": calibration(outcomes)},
              "speed": speed(outcomes), **extra}
    report["goals"] = goals(report, test)
    return report


def goals(r: dict[str, Any], test: list[Outcome]) -> list[dict[str, Any]]:
    c = r["corpora"]

    def get(corpus: str, key: str) -> float | None:
        return c.get(corpus, {}).get("test", {}).get(key)

    cls = accuracy([o for o in test if o.case.doc_type])["classification"]
    sp = r["speed"]
    i2d = r.get("invoice2data_speed", {})
    rows = [  # (goal, value, op, target); targets <= 1 are rates shown as percentages
        ("einvoice visible layer: header fields exact", get("einvoice", "header_accuracy"), ">=", 0.97),
        ("einvoice visible layer: line count exact", get("einvoice", "line_count_rate"), ">=", 0.90),
        ("einvoice scanned (OCR): header fields exact", get("einvoice_ocr", "header_accuracy"), ">=", 0.90),
        ("invoice2data golden fields", get("invoice2data", "header_accuracy"), ">=", 0.95),
        ("SROIE receipts fields", get("sroie", "header_accuracy"), ">=", 0.90),
        ("generated POs/invoices/remittances fields", get("generated", "header_accuracy"), ">=", 0.97),
        ("classification (mixed set)", cls, ">=", 0.98),
        ("precision of fields at confidence >= 0.95", r["calibration"]["test"]["at_095"]["precision"], ">=", 0.995),
        ("digital page median ms", sp["text_ms_per_page"]["median"], "<=", 30.0),
        ("OCR time / bare tesseract (median)", sp["ocr_vs_bare_tesseract"]["median_ratio"], "<=", 1.25),
        ("ms/file vs invoice2data (ratio)", i2d.get("ratio"), "<=", 1.0),
    ]
    out = []
    for name, value, op, target in rows:
        met = None if value is None else (value >= target if op == ">=" else value <= target)
        out.append({"goal": name, "value": value, "target": f"{op} {target}", "met": met})
    # rates are the ">=" goals; ms and ratios are the "<=" ones
    return out


def table_lines(r: dict[str, Any]) -> list[str]:
    lines = ["| corpus | split | docs | header fields | doc exact | line count | class. |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for corpus, splits in r["corpora"].items():
        for split in ("dev", "test"):
            a = splits.get(split)
            if a:
                lines.append(f"| {corpus} | {split} | {a['documents']} | {pct(a['header_accuracy'])} | "
                             f"{pct(a['doc_exact_rate'])} | {pct(a['line_count_rate'])} | "
                             f"{pct(a['classification'])} |")
    lines += ["", "| goal (test split) | value | target | met |", "| --- | ---: | --- | --- |"]
    for g in r["goals"]:
        v = g["value"]
        rate = g["target"].startswith(">=")
        shown = "-" if v is None else pct(v) if rate else f"{v}"
        lines.append(f"| {g['goal']} | {shown} | {g['target']} | "
                     f"{'yes' if g['met'] else 'no' if g['met'] is False else '-'} |")
    cal = r["calibration"]["test"]
    lines += ["", "| confidence (test) | n | accuracy |", "| --- | ---: | ---: |"]
    for b in cal["bins"]:
        lines.append(f"| {b['from']:.2f}-{b['to']:.2f} | {b['n']} | {pct(b['accuracy'])} |")
    return lines
