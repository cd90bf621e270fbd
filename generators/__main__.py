"""Command line: ``python -m generators OUTDIR --count N --seed S [options]``.

Examples::

    python -m generators out/ --count 100 --seed 7
    python -m generators out/ --count 20 --seed 1 --kinds po,invoice --scanned-fraction 0
    python -m generators demo/ --sample --seed 3
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections import Counter

from generators.corpus import DEFAULT_BASE_DATE, generate_set, sample_documents
from generators.documents import KINDS


def _kinds(text: str) -> list[str]:
    kinds = [k.strip() for k in text.split(",") if k.strip()]
    bad = [k for k in kinds if k not in KINDS]
    if bad or not kinds:
        raise argparse.ArgumentTypeError(
            f"unknown kind(s) {', '.join(bad) or '(none)'}; choose from {','.join(KINDS)}")
    return kinds


def _fraction(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m generators",
                                 description="Generate synthetic O2C/P2P documents with "
                                             "ground truth.")
    ap.add_argument("outdir", help="output directory (created if missing)")
    ap.add_argument("--count", type=int, default=20, help="number of documents (20)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (0)")
    ap.add_argument("--kinds", type=_kinds, default=list(KINDS),
                    help=f"comma-separated subset of {','.join(KINDS)}")
    ap.add_argument("--scanned-fraction", type=_fraction, default=0.2,
                    help="share of PDF documents turned into scans (0.2)")
    ap.add_argument("--base-date", type=dt.date.fromisoformat, default=DEFAULT_BASE_DATE,
                    help=f"reference date, YYYY-MM-DD ({DEFAULT_BASE_DATE.isoformat()})")
    ap.add_argument("--sample", action="store_true",
                    help="write the small demo set instead (ignores --count/--kinds)")
    args = ap.parse_args(argv)
    if args.count < 0:
        ap.error("--count must be >= 0")
    start = time.perf_counter()
    if args.sample:
        paths = sample_documents(args.outdir, args.seed, args.base_date)
    else:
        paths = generate_set(args.outdir, args.count, args.seed, kinds=args.kinds,
                             scanned_fraction=args.scanned_fraction,
                             base_date=args.base_date)
    by_ext = Counter(p.suffix.lstrip(".") for p in paths)
    summary = ", ".join(f"{n} {ext}" for ext, n in sorted(by_ext.items()))
    print(f"wrote {len(paths)} documents ({summary or 'none'}) to {args.outdir} "
          f"in {time.perf_counter() - start:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
