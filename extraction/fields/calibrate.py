"""Raw candidate score -> calibrated probability, per field (binned isotonic fit).

`calibration.json` (beside this module) maps each field to a list of
``[raw_upper_bound, probability]`` bins, fitted on the dev split by `fit` (pool-adjacent-
violators over sorted raw scores, then binned).  The product rule is that a value shown at
>= 0.95 must be right >= 99.5% of the time, so a bin is only allowed to reach 0.95 when the
lower Wilson bound of its accuracy on the dev data is >= 0.995 *and* the candidate carries a
cross-check (checksum-valid id, totals arithmetic, agreement of several labels); otherwise
the probability is capped at 0.94.

Refit: ``python -m extraction.fields.calibrate`` (runs the dev split of the benchmarks).
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

PATH = Path(__file__).with_name("calibration.json")
CAP = 0.94
HIGH = 0.95
WEAK = 0.45


@lru_cache(maxsize=1)
def table() -> dict[str, list[list[float]]]:
    try:
        return json.loads(PATH.read_text())
    except (OSError, ValueError):
        return {}


def confirmed(field: str, why: str) -> bool:
    """Does the candidate carry an independent cross-check?"""
    if field == "seller_iban":
        from extraction.normalize import iban_valid
        return iban_valid(why.rsplit("|v=", 1)[-1]) if "|v=" in why else False
    if field in ("seller_vat_id", "buyer_vat_id"):
        return "|chk" in why
    if "+sum" in why:
        return True                          # net + tax = gross
    if "|n=" in why and "|m=" in why:
        n = int(why.split("|n=")[1].split("|")[0])
        margin = float(why.split("|m=")[1].split("|")[0])
        # several readings agree and no rival value comes close
        return n >= 2 and margin >= 0.2 and not why.startswith("derived")
    return False


def key(field: str, why: str) -> str:
    return field + ("|x" if confirmed(field, why) else "")


def _default(raw: float) -> float:
    return max(0.02, min(0.9, raw * 0.85))


def calibrate(field: str, raw: float, why: str = "") -> float:
    """Calibrated probability that the value is right."""
    bins = table().get(key(field, why)) or table().get(field)
    if not bins:
        p = _default(raw)
    else:
        p = bins[-1][1]
        for ub, prob in bins:
            if raw <= ub:
                p = prob
                break
    if p >= HIGH and not confirmed(field, why):
        p = CAP
    if raw < WEAK:
        # weak evidence (a lone unlabelled date, a derived value) below the scores the
        # bins were fitted on: never more confident than the raw score says
        p = min(p, _default(raw))
    return round(float(max(0.0, min(1.0, p))), 4)


def wilson_low(k: int, n: int, z: float = 1.96) -> float:
    if n == 0:
        return 0.0
    ph = k / n
    d = 1 + z * z / n
    c = ph + z * z / (2 * n)
    r = z * math.sqrt(ph * (1 - ph) / n + z * z / (4 * n * n))
    return (c - r) / d


def pav(ys: list[float]) -> list[float]:
    """Pool-adjacent-violators: non-decreasing fit of ys (already sorted by x)."""
    blocks: list[list[float]] = []       # [sum, count]
    for y in ys:
        blocks.append([y, 1.0])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, n = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += n
    out: list[float] = []
    for s, n in blocks:
        out.extend([s / n] * int(n))
    return out


def _chunks(pairs: list[tuple[float, bool]], size: int) -> list[tuple[int, int]]:
    """[start, end) index ranges of consecutive bins of about `size` samples.  Equal raw
    scores never straddle two bins (`calibrate` sends every tie to the first bin whose upper
    bound it reaches, so a split tie would be judged on the wrong samples); a short tail is
    folded into the last bin."""
    out: list[tuple[int, int]] = []
    s = 0
    while s < len(pairs):
        e = min(len(pairs), s + size)
        while e < len(pairs) and pairs[e][0] == pairs[e - 1][0]:
            e += 1
        out.append((s, e))
        s = e
    if len(out) > 1 and out[-1][1] - out[-1][0] < size // 2:
        a, _ = out[-2]
        out[-2:] = [(a, out[-1][1])]
    return out


def fit(samples: dict[str, list[tuple[float, bool]]], n_bins: int = 5
        ) -> dict[str, list[list[float]]]:
    """Per key (field, or field|x when cross-checked): bins of raw score -> probability.

    Probabilities are the pool-adjacent-violators fit averaged per bin, shrunk towards 1/2
    (Laplace), capped at 0.94.  Only a cross-checked key's bin of >= 15 dev samples whose own
    dev accuracy is >= 99.5% (below 200 samples: not a single error) may reach 0.96; the
    monotone repair never lifts a bin above 0.94, so a bin with dev errors stays below 0.95
    even above a clean bin."""
    result: dict[str, list[list[float]]] = {}
    for k_, pairs in samples.items():
        if len(pairs) < 6:
            continue
        pairs = sorted(pairs, key=lambda t: t[0])
        iso = pav([1.0 if ok else 0.0 for _, ok in pairs])
        size = max(15 if k_.endswith("|x") else 6, len(pairs) // n_bins)
        bins: list[list[float]] = []
        prev_acc = 1.0
        for s, e in _chunks(pairs, size):
            n = e - s
            k = sum(ok for _, ok in pairs[s:e])
            p = min((sum(iso[s:e]) + 0.5) / (n + 1), CAP)
            # the bin just above a noisy one (< 90% right) is the edge of the noise: not promoted
            edge = bool(bins) and prev_acc < 0.9
            if k_.endswith("|x") and n >= 15 and k >= n * 0.995 and not edge:
                p = 0.96
            prev_acc = k / n
            bins.append([round(pairs[e - 1][0], 4), round(max(0.01, p), 4)])
        for i in range(1, len(bins)):           # keep monotone below the cap
            if bins[i][1] <= CAP:
                bins[i][1] = max(bins[i][1], min(bins[i - 1][1], CAP))
        bins[-1][0] = 99.0
        result[k_] = bins
    return result


def main() -> None:
    from extraction.fields.measure import collect_samples
    samples = collect_samples(split="dev")
    tab = fit(samples)
    PATH.write_text(json.dumps(tab, indent=1, sort_keys=True))
    table.cache_clear()
    print(f"wrote {PATH} ({len(tab)} fields)")


if __name__ == "__main__":
    main()
