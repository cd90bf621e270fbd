"""E2E fixtures: the bundled portals on a free 127.0.0.1 port (one server per session,
faults cleared after every test), one shared Chromium (Debian's /usr/bin/chromium; tests
skip without it unless CI=true), and a bot engine per test with its own home and database."""
from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bots.browser import CHROMIUM

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
USERS = {"acme": ("supplier01", "acme-secret"), "globex": ("buyer01", "globex-secret")}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if Path(CHROMIUM).exists():
        return
    if IN_CI:
        raise pytest.UsageError(f"Chromium missing at {CHROMIUM} (required when CI=true)")
    here = Path(__file__).parent
    skip = pytest.mark.skip(reason=f"Chromium not installed at {CHROMIUM}")
    for item in items:
        if Path(str(item.fspath)).parent == here:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def portals(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from bots.demo_portals import FaultConfig, serve_portals

    server = serve_portals("127.0.0.1", 0, tmp_path_factory.mktemp("portals") / "portals.sqlite3",
                           FaultConfig(seed=0, session_ttl_s=60, xhr_delay_s=0.05))
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _clean_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "portals" in request.fixturenames:
        server = request.getfixturevalue("portals")
        server.faults.clear()
        server.faults.session_ttl_s = 60


@pytest.fixture(scope="session")
def browser_pool() -> Iterator[Any]:
    from bots.browser import BrowserPool

    pool = BrowserPool()
    yield pool
    pool.close()


@pytest.fixture
def bot_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    for k in list(os.environ):
        if k.startswith("O2C_"):
            monkeypatch.delenv(k)
    from core.settings import Settings

    return Settings(home=tmp_path / "home", _env_file=None)


def portal_configs(server: Any, **overrides: Any) -> dict[str, Any]:
    from bots.registry import PortalConfig

    opts: dict[str, Any] = {"retries": 3, "backoff_s": 0.05, "nav_timeout_s": 6.0,
                            "element_timeout_s": 2.0}
    opts.update(overrides)
    return {p: PortalConfig(p, server.base_url(p), *USERS[p], **opts) for p in USERS}


@pytest.fixture
def make_engine(bot_settings: Any, portals: Any, browser_pool: Any) -> Callable[..., Any]:
    from bots.engine import BotEngine

    def make(**overrides: Any) -> Any:
        return BotEngine(bot_settings, portals=portal_configs(portals, **overrides),
                         pool=browser_pool)
    return make


@pytest.fixture
def engine(make_engine: Callable[..., Any]) -> Any:
    return make_engine()


# ---- document snapshots with unique business keys ------------------------------------------
def _f(**kw: Any) -> dict[str, Any]:
    return {k: {"value": v, "confidence": 0.99} for k, v in kw.items()}


def _doc(doc_type: str, portal: str, task: str, fields: dict[str, Any],
         lines: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": uuid.uuid4().int % 1_000_000, "doc_type": doc_type,
            "sha256": uuid.uuid4().hex * 2, "original_name": f"{doc_type}.pdf",
            "sender": "partner@example.com", "source": "mail",
            "posting_target": {"portal": portal, "task": task, "account": "default"},
            "extraction": {"doc_type": doc_type, "fields": _f(**fields),
                           "lines": [_f(**ln) for ln in lines]}, "validation": {}}


@pytest.fixture
def new_po(portals: Any) -> Callable[..., dict[str, Any]]:
    """A fresh open PO in the ACME portal and the matching purchase-order snapshot."""
    def make(n_lines: int = 3, status: str = "open", po_number: str | None = None) -> dict[str, Any]:
        po = po_number or f"PO-T{uuid.uuid4().hex[:8].upper()}"
        lines = [{"sku": f"SKU-{100 + j}", "quantity": 10 * j, "unit_price": 2.5}
                 for j in range(1, n_lines + 1)]
        if po_number is None:
            portals.db.upsert_po("acme", po, lines, status=status)
        return _doc("purchase_order", "acme", "confirm_po",
                    {"po_number": po, "currency": "EUR", "delivery_date": "2026-12-15",
                     "buyer_name": "ACME Corp"},
                    [{"sku": ln["sku"], "quantity": ln["quantity"], "unit": "EA"} for ln in lines])
    return make


@pytest.fixture
def new_invoice() -> Callable[..., dict[str, Any]]:
    def make(po_number: str = "GX-2001", sku: str = "SKU-101") -> dict[str, Any]:
        return _doc("invoice", "globex", "record_invoice",
                    {"invoice_number": f"INV-T{uuid.uuid4().hex[:8].upper()}",
                     "po_number": po_number, "issue_date": "2026-11-02", "currency": "EUR",
                     "total_net": 100, "total_tax": 19, "total_gross": 119},
                    [{"sku": sku, "quantity": 10, "unit_price": 2.5},
                     {"sku": "SKU-103", "quantity": 4, "unit_price": 18.75}])
    return make


@pytest.fixture
def new_remittance() -> Callable[..., dict[str, Any]]:
    def make() -> dict[str, Any]:
        return _doc("remittance", "globex", "report_remittance",
                    {"payment_reference": f"PAY-T{uuid.uuid4().hex[:8].upper()}",
                     "payment_date": "2026-11-20", "payment_amount": 250.0, "currency": "EUR",
                     "payer_name": "Globex Inc"},
                    [{"invoice_number": "INV-9001", "amount_paid": 100, "discount": 0,
                      "deduction": 0},
                     {"invoice_number": "INV-9002", "amount_paid": 150, "discount": 2,
                      "deduction": 5, "deduction_reason": "damaged goods"}])
    return make
