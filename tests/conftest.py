"""Shared fixtures: an isolated home folder and runtime per test, the public corpora, and
the rule for real services (PostgreSQL, Redis, RabbitMQ): required when CI=true, skipped
locally when not running."""
from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def service_up(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    if not service_up(host, port):
        msg = f"{name} is not running on {host}:{port}"
        if IN_CI:
            pytest.fail(msg + " (required in CI)")
        pytest.skip(msg)


@pytest.fixture(scope="session")
def corpora() -> Path:
    if not CORPORA.is_dir():
        if IN_CI:
            pytest.fail(f"corpora missing at {CORPORA}")
        pytest.skip("corpora not available")
    return CORPORA


@pytest.fixture
def settings(tmp_path, monkeypatch):
    for k in list(os.environ):
        if k.startswith("O2C_"):
            monkeypatch.delenv(k)
    from core.settings import Settings

    return Settings(home=tmp_path / "home", broker_url="memory://", sweep_interval_s=0.5,
                    stuck_after_s=30, _env_file=None)


@pytest.fixture
def rt(settings):
    from core import runtime

    r = runtime.configure(settings)
    yield r
    runtime.reset()
