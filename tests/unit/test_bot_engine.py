"""Bot engine without a browser: idempotency keys, targets, configuration and secrets,
circuit breaker, portal gate, fault rules, the postings migration, and the retry /
idempotency logic of `BotEngine.run_task` with the browser attempt replaced by a script."""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from bots import registry
from bots.demo_portals.state import FaultConfig, PortalDB
from bots.engine import BotEngine, idempotency_key, post_to_portal
from bots.errors import (PortalBusinessError, PortalMaintenance, PortalTransient, RecipeBroken,
                         SessionExpired)
from bots.registry import CircuitBreaker, PortalConfig, PortalGate, load_portal_config, resolve_target
from core.errors import PermanentError, TransientError


def snap(**target: Any) -> dict[str, Any]:
    return {"id": 7, "doc_type": "invoice", "sha256": "a" * 64,
            "posting_target": target or None,
            "extraction": {"fields": {"invoice_number": {"value": "INV-1"},
                                      "po_number": {"value": "GX-2001"}}, "lines": []}}


def test_error_families() -> None:
    assert issubclass(PortalMaintenance, TransientError) and issubclass(SessionExpired, PortalTransient)
    assert issubclass(PortalBusinessError, PermanentError) and issubclass(RecipeBroken, PermanentError)


def test_idempotency_key_is_stable_and_distinct() -> None:
    k = idempotency_key("a" * 64, "globex", "record_invoice")
    assert k == idempotency_key("a" * 64, "globex", "record_invoice") and len(k) == 64
    assert k != idempotency_key("a" * 64, "acme", "upload_invoice")


def test_resolve_target() -> None:
    assert resolve_target(snap()) is None
    recipe, task, _ = resolve_target(snap(portal="globex"))  # type: ignore[misc]
    assert (recipe.name, task.name) == ("globex", "record_invoice")     # from doc_type
    _, task, _ = resolve_target(snap(portal="acme", task="upload_invoice"))  # type: ignore[misc]
    assert task.name == "upload_invoice"
    with pytest.raises(PermanentError):
        resolve_target(snap(portal="nope"))


def test_post_to_portal_without_target_is_none(settings: Any) -> None:
    assert post_to_portal(settings, snap()) is None


def test_portal_config_env_and_secrets(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets" / "portals.json"
    secrets.parent.mkdir()
    secrets.write_text(json.dumps({"acme": {"url": "http://x/acme", "user": "u", "password": "p1"}}))
    cfg = load_portal_config("acme", tmp_path, env={})
    assert (cfg.base_url, cfg.user, cfg.password) == ("http://x/acme", "u", "p1")
    cfg = load_portal_config("acme", tmp_path, env={"O2C_PORTAL_ACME_PASSWORD": "p2",
                                                    "O2C_PORTAL_ACME_CONCURRENCY": "4"})
    assert cfg.password == "p2" and cfg.max_concurrency == 4
    assert "p2" not in repr(cfg)


def test_circuit_breaker(tmp_path: Path) -> None:
    b = CircuitBreaker(tmp_path / "breakers.json")
    assert b.is_open("acme") is None
    b.trip("acme", "selector #x not found")
    assert CircuitBreaker(tmp_path / "breakers.json").is_open("acme")["reason"].startswith("selector")
    assert b.is_open("globex") is None
    b.reset("acme")
    assert b.is_open("acme") is None


def test_gate_limits_concurrency(tmp_path: Path) -> None:
    gate, cfg = PortalGate(tmp_path), PortalConfig("acme", "http://x", max_concurrency=1)
    inside, peak = [0], [0]

    def work() -> None:
        with gate.enter(cfg):
            inside[0] += 1
            peak[0] = max(peak[0], inside[0])
            time.sleep(0.05)
            inside[0] -= 1
    threads = [threading.Thread(target=work) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert peak[0] == 1
    with gate.enter(cfg), pytest.raises(PortalTransient, match="busy"):
        with gate.enter(cfg, wait_s=0.1):
            pass


def test_gate_rate_limit(tmp_path: Path) -> None:
    gate = PortalGate(tmp_path)
    cfg = PortalConfig("acme", "http://x", min_interval_s=0.1)
    t0 = time.monotonic()
    for _ in range(3):
        with gate.enter(cfg):
            pass
    assert time.monotonic() - t0 >= 0.19


def test_fault_rules_are_deterministic(tmp_path: Path) -> None:
    f = FaultConfig(seed=1)
    f.add_rule("/acme/orders", "500", count=2, method="POST")
    assert f.draw("GET", "/acme/orders") is None
    assert f.draw("POST", "/acme/orders/1/ack")[0] == "500"
    assert f.draw("POST", "/acme/orders/1/ack")[0] == "500"
    assert f.draw("POST", "/acme/orders/1/ack") is None
    a, b = FaultConfig(seed=3, error_rate=0.5), FaultConfig(seed=3, error_rate=0.5)
    assert [a.draw("GET", "/x") for _ in range(20)] == [b.draw("GET", "/x") for _ in range(20)]


def test_portal_db_counts_records(tmp_path: Path) -> None:
    db = PortalDB(tmp_path / "p.db")
    r1 = db.add_record("globex", "invoice", "INV-1", "GXI", "{}", "[]", "u")
    r2 = db.add_record("globex", "invoice", "INV-1", "GXI", "{}", "[]", "u")
    assert r1 != r2 and db.count("globex", "invoice", "INV-1") == 2   # no dedupe: bot's job


# ---- run_task with a scripted attempt --------------------------------------------------------
class ScriptedEngine(BotEngine):
    """`_attempt` replaced: each call pops the next outcome (exception or confirmation)."""

    def __init__(self, settings: Any, outcomes: list[Any]) -> None:
        super().__init__(settings, portals={p: PortalConfig(p, "http://x", retries=2, backoff_s=0.01)
                                            for p in ("acme", "globex")})
        self.outcomes, self.calls = outcomes, 0
        self.pool.run = lambda fn: fn(None)  # type: ignore[method-assign]

    def _attempt(self, browser: Any, recipe: Any, task: Any, cfg: Any, snap: Any, bkey: str,
                 ikey: str, proofs: Path, attempt: int) -> tuple[str, bool, str | None, str | None]:
        self.calls += 1
        out = self.outcomes.pop(0)
        if isinstance(out, Exception):
            raise out
        return out, False, None, None


def test_transient_then_success_and_idempotent_rerun(settings: Any) -> None:
    eng = ScriptedEngine(settings, [SessionExpired("expired"), PortalTransient("502"), "GXI-1"])
    res = eng.post(snap(portal="globex"))
    assert res.ok and res.reference == "GXI-1" and res.attempts == 3 and eng.calls == 3
    again = eng.post(snap(portal="globex"))
    assert again.skipped and again.reference == "GXI-1" and eng.calls == 3


def test_budget_exhausted_raises_transient(settings: Any) -> None:
    eng = ScriptedEngine(settings, [PortalTransient("x")] * 3)
    with pytest.raises(PortalTransient, match="gave up after 3 attempts"):
        eng.post(snap(portal="globex"))


def test_business_error_and_broken_recipe(settings: Any) -> None:
    eng = ScriptedEngine(settings, [PortalBusinessError("PO closed")])
    res = eng.post(snap(portal="globex"))
    assert not res.ok and res.error_kind == "portal_business" and "PO closed" in res.detail
    assert not eng.breaker.is_open("globex")
    eng.outcomes = [RecipeBroken("#x not found")]
    other = dict(snap(portal="globex"), sha256="b" * 64)
    assert eng.post(other).error_kind == "recipe_broken"
    assert eng.post(dict(other, sha256="c" * 64)).error_kind == "recipe_disabled"
    assert eng.calls == 2


def test_missing_business_key_is_business_error(settings: Any) -> None:
    eng = ScriptedEngine(settings, [])
    s = snap(portal="globex")
    s["extraction"]["fields"].pop("invoice_number")
    res = eng.post(s)
    assert not res.ok and res.error_kind == "portal_business" and eng.calls == 0


def test_registry_discovers_bundled_recipes() -> None:
    recipes = registry.discover()
    assert {"acme", "globex"} <= set(recipes)
    assert set(recipes["acme"].tasks) == {"confirm_po", "upload_invoice"}
    assert set(recipes["globex"].tasks) == {"record_invoice", "report_remittance"}


def test_same_file_with_edited_key_is_a_conflict(settings: Any) -> None:
    eng = ScriptedEngine(settings, ["GXI-1"])
    assert eng.post(snap(portal="globex")).ok
    edited = snap(portal="globex")
    edited["extraction"]["fields"]["invoice_number"]["value"] = "INV-2"
    res = eng.post(edited)
    assert not res.ok and res.error_kind == "idempotency_conflict" and eng.calls == 1
