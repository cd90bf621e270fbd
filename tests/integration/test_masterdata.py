"""Demo master data end to end: write the CSVs, import them all, match 10,000 parties taken
from the same generator world (with OCR-like noise) and time the lookups."""
from __future__ import annotations

import random
import time

from validation.masterdata import IMPORT_ORDER, MasterDataRepository, import_directory
from validation.masterdata.demo_data import demo_world, write_demo_files
from validation.party_match import match_party, party_index

SEED = 11


def _noisy(rng: random.Random, name: str) -> str:
    """Drop, double or swap one letter, or change the legal form's spelling."""
    r = rng.random()
    i = rng.randrange(1, max(2, len(name) - 1))
    if r < 0.25:
        return name[:i] + name[i + 1:]
    if r < 0.5:
        return name[:i] + name[i] + name[i:]
    if r < 0.65:
        return name.upper()
    return name


def test_demo_import_and_10k_lookups(rt, tmp_path):
    t0 = time.perf_counter()
    paths = write_demo_files(tmp_path / "md", seed=SEED)
    assert set(paths) == set(IMPORT_ORDER)
    with rt.db.session() as s:
        reports = import_directory(s, tmp_path / "md")
        assert [r.kind for r in reports] == list(IMPORT_ORDER)
        assert all(r.ok for r in reports), [r.summary() for r in reports if not r.ok]
    t_import = time.perf_counter() - t0
    counts = {r.kind: r.rows for r in reports}
    assert counts["customers"] == 300 and counts["suppliers"] == 200
    assert counts["products"] == 3000 and counts["ar_invoices"] == 5000

    world = demo_world(SEED)
    rng = random.Random(5)
    queries = []
    for _ in range(10_000):
        kind = rng.choice(("supplier", "customer"))
        p = rng.choice(world.suppliers if kind == "supplier" else world.customers)
        number = p.supplier_number if kind == "supplier" else p.customer_number
        r = rng.random()
        q = {"kind": kind, "name": _noisy(rng, p.name)}
        if r < 0.3 and p.vat_id:
            q["vat_id"] = p.vat_id
        elif r < 0.45 and p.iban:
            q["iban"] = p.iban
        elif r < 0.55:
            q["email"] = p.email
        if rng.random() < 0.5:
            q["address"] = p.address("en")
        queries.append((q, number))

    with rt.db.session() as s:
        repo = MasterDataRepository(s)
        t1 = time.perf_counter()
        party_index(repo, "supplier"), party_index(repo, "customer")
        t_index = time.perf_counter() - t1
        t2 = time.perf_counter()
        results = [match_party(repo, **q) for q, _ in queries]
        t_match = time.perf_counter() - t2
    right = sum(m.number == n for m, (_, n) in zip(results, queries))
    wrong = sum(m.matched and m.number != n for m, (_, n) in zip(results, queries))
    methods: dict[str, int] = {}
    for m in results:
        methods[m.method] = methods.get(m.method, 0) + 1
    print(f"\nmasterdata: write+import {t_import:.2f}s, index build {t_index * 1000:.0f} ms, "
          f"10,000 lookups {t_match:.2f}s ({t_match / 10:.3f} ms each); right {right}, "
          f"wrong {wrong}, unmatched {10_000 - right - wrong}; methods {methods}")
    assert wrong <= 20
    assert right >= 9_500
    assert t_match < 10.0           # generous: typically well under 2 s
