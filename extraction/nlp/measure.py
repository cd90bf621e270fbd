"""NER party names vs. the rule extractor: ``python -m extraction.nlp.measure [--split test]``.

For every e-invoice PDF (truth: embedded CII XML) and invoice2data PDF (truth: template
output; only ``seller_name``) of the chosen split, scores exact match (whitespace- and
case-normalised, `extraction.fields.truth.same`) of

* ``ner``     - the top `party_candidates` candidate per role,
* ``ner_any`` - any NER candidate of that role (upper bound for a combiner),
* ``rules``   - `extraction.fields.extract_fields(pages, "invoice")`,

and times `party_candidates` per page.  E-invoices are split by business scenario
(`extraction.fields.truth.einvoice_split`), so test layouts were never seen in training.
invoice2data values that never occur in the document text are skipped, as in
`extraction.fields.measure`.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from extraction.fields.truth import einvoice_cases, i2d_cases, norm_name, same
from extraction.nlp.parties import best_by_role, party_candidates

__all__ = ["measure", "main"]

ROLES = ("seller_name", "buyer_name")


def _cases(split: str) -> list[tuple[str, dict[str, Any]]]:
    out = [("einvoice", c) for c in einvoice_cases() if c["split"] == split]
    out += [("invoice2data", c) for c in i2d_cases() if c["split"] == split]
    return out


def measure(split: str = "test", max_y: float | None = None) -> dict[str, Any]:
    from extraction.fields import extract_fields
    from extraction.pages import read_pdf

    stats: dict[str, dict[str, dict[str, int]]] = {}
    times: list[float] = []
    misses: list[dict[str, Any]] = []
    for corpus, case in _cases(split):
        try:
            pages = read_pdf(case["pdf"])
        except Exception:   # noqa: BLE001 - unreadable PDF: not scored
            continue
        if not pages:
            continue
        t = time.perf_counter()
        cands = party_candidates(pages, max_y=max_y)
        times.append((time.perf_counter() - t) * 1000)
        best = best_by_role(cands)
        try:
            rules = extract_fields(pages, "invoice")
        except Exception:   # noqa: BLE001 - the rule extractor is work in progress
            rules = None
        text = norm_name(" ".join(p.text for p in pages))
        for role in ROLES:
            want = case["truth"].get(role)
            if not want:
                continue
            if corpus == "invoice2data" and norm_name(want) not in text:
                continue
            got = best[role].text if role in best else None
            rv = rules.value(role) if rules is not None else None
            s = stats.setdefault(corpus, {}).setdefault(
                role, {"n": 0, "ner": 0, "ner_any": 0, "rules": 0})
            s["n"] += 1
            s["ner"] += same(role, got, want)
            s["ner_any"] += any(same(role, c.text, want) for c in cands if c.role == role)
            s["rules"] += same(role, rv, want)
            if not same(role, got, want):
                misses.append({"file": case["name"], "role": role, "want": want,
                               "ner": got, "rules": rv})
    acc: dict[str, Any] = {}
    for corpus, roles in stats.items():
        for role, s in roles.items():
            n = max(1, s["n"])
            acc[f"{corpus}/{role}"] = {"n": s["n"], "ner": round(s["ner"] / n, 3),
                                       "ner_any": round(s["ner_any"] / n, 3),
                                       "rules": round(s["rules"] / n, 3)}
    return {"split": split, "accuracy": acc,
            "ms_per_doc_page1": {"median": round(statistics.median(times), 2) if times else 0,
                                 "p90": round(sorted(times)[int(0.9 * (len(times) - 1))], 2)
                                 if times else 0},
            "misses": misses}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m extraction.nlp.measure", description=__doc__)
    ap.add_argument("--split", default="test", choices=("dev", "test"))
    ap.add_argument("--max-y", type=float, default=None)
    ap.add_argument("--misses", action="store_true", help="list the NER misses")
    ap.add_argument("--json", type=Path, default=None, help="also write the result here")
    args = ap.parse_args(argv)
    res = measure(args.split, args.max_y)
    shown = res if args.misses else {k: v for k, v in res.items() if k != "misses"}
    print(json.dumps(shown, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
