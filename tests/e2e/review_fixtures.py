"""Fixtures for the review UI end-to-end tests: a runtime in a temporary home with real
corpus PDFs run to needs_review, the app served by uvicorn in a thread on a free port,
accounts, and a headless Debian Chromium driven by Playwright."""
from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "invoice2data"
PASSWORD = "correct horse battery"
USERS = {"alice": "reviewer", "bob": "reviewer", "sam": "supervisor"}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"{CHROMIUM} missing (required in CI)")
        pytest.skip(f"{CHROMIUM} not installed")
    if not CORPUS.is_dir():
        if IN_CI:
            pytest.fail(f"corpus missing at {CORPUS}")
        pytest.skip("corpus not available")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    rt: object
    url: str
    docs: dict[str, int] = field(default_factory=dict)


def start_server(tmp: Path, names: list[str]) -> Iterator[Server]:
    import uvicorn

    from capture.ingest import ingest_bytes
    from core import runtime
    from core.settings import Settings
    from queues import broker as qbroker
    from queues.stages import run_to_rest
    from review_ui.app import create_app
    from review_ui.auth import add_user

    for k in list(os.environ):
        if k.startswith("O2C_"):
            os.environ.pop(k)
    settings = Settings(home=tmp / "home", broker_url="memory://", _env_file=None)
    rt = runtime.configure(settings)
    qbroker.install(settings)
    from queues import actors  # noqa: F401  (declares the actors on the stub broker)

    docs: dict[str, int] = {}
    for name in names:
        with rt.db.session() as s:
            res = ingest_bytes(s, rt.store, (CORPUS / name).read_bytes(), name, source="upload",
                               sender=None, max_bytes=50_000_000)
        assert run_to_rest(rt, res.document_id) == "needs_review", name
        docs[name] = res.document_id
    with rt.db.session() as s:
        for user, role in USERS.items():
            add_user(s, user, PASSWORD, role)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(rt), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield Server(rt, f"http://127.0.0.1:{port}", docs)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        runtime.reset()
        shutil.rmtree(tmp / "home" / "cache", ignore_errors=True)


def login(page, base: str, user: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{base}/queue")
