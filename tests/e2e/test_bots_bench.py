"""`o2c bench bots` end to end, small: the engine, the bare script and the bare script with
a new context per record all post into the bundled portals exactly once, and the report
and its table carry every figure the README quotes."""
from __future__ import annotations

import json
from pathlib import Path

from bots.bench import run_bots_bench, table


def test_bots_bench_small_run(tmp_path: Path) -> None:
    out = tmp_path / "bots.json"
    r = run_bots_bench(3, out, orders=1, order_lines=3, workdir=tmp_path / "work")
    assert r["exactly_once_violations"] == [] and r["failures"] == []
    assert r["goals"]["exactly_once"] and r["browser_launches"] == 1
    for side in ("bot", "bare"):
        assert r[side]["simple"]["n"] == 3 and r[side]["order_10_lines"]["n"] == 1
    assert r["bare_new_context_per_record"]["simple"]["n"] == 3
    assert r["ratio_simple"] > 0 and r["ratio_simple_vs_new_context_bare"] > 0
    assert json.loads(out.read_text())["n_simple"] == 3
    text = table(r)
    assert "bare, new context per record" in text and "exactly-once violations: 0" in text
