"""Helpers for tests that run the real service parts: wait for a document to rest,
start `dramatiq queues.worker` processes, make throw-away PostgreSQL databases."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import func, select

from core import documents
from core.models import AuditEvent

ROOT = Path(__file__).resolve().parents[2]
RESTING = {"extracted", "needs_review", "approved", "rejected", "posted", "post_failed", "failed"}
DONE = RESTING - {"extracted", "approved"}


def wait_for_state(rt, doc_id: int, states=DONE, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    state = None
    while time.monotonic() < deadline:
        with rt.db.session() as s:
            state = documents.get(s, doc_id).state
        if state in states:
            return state
        time.sleep(0.1)
    raise AssertionError(f"document {doc_id} still {state} after {timeout}s")


def transitions_to(rt, doc_id: int, state: str) -> int:
    with rt.db.session() as s:
        evs = s.scalars(select(AuditEvent).where(AuditEvent.document_id == doc_id,
                                                 AuditEvent.action == "transition")).all()
        return sum(1 for e in evs if (e.after or {}).get("state") == state)


def count_documents(rt) -> int:
    from core.models import Document
    with rt.db.session() as s:
        return s.scalar(select(func.count()).select_from(Document))


class WorkerProcess:
    """`dramatiq queues.worker` in its own process group (so kill -9 takes all of it)."""

    def __init__(self, env: dict[str, str], log: Path, threads: int = 2) -> None:
        full = {k: v for k, v in os.environ.items() if not k.startswith("O2C_")}
        full.update(env)
        dramatiq_bin = Path(sys.executable).with_name("dramatiq")
        self.log = log
        self.proc = subprocess.Popen(
            [str(dramatiq_bin), "queues.worker", "--processes", "1", "--threads", str(threads)],
            cwd=ROOT, env=full, stdout=log.open("ab"), stderr=subprocess.STDOUT,
            start_new_session=True)

    def kill9(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill9()


@contextmanager
def temp_postgres_db(base: str = "postgresql+psycopg://postgres@127.0.0.1:5432"):
    import psycopg

    name = f"o2c_test_{uuid.uuid4().hex[:10]}"
    admin = psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
