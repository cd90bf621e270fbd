"""The pipeline on the scale-out setup: PostgreSQL + Redis or RabbitMQ, with separate
`dramatiq queues.worker` processes - including a worker killed with SIGKILL mid-job.
Required in CI (CI=true); skipped locally when the services are not running."""
from __future__ import annotations

import time

import pytest

from capture.ingest import ingest_bytes
from core import runtime
from core.settings import Settings
from tests.conftest import require_service
from tests.integration.helpers import (WorkerProcess, count_documents, temp_postgres_db,
                                       transitions_to, wait_for_state)

pytestmark = [pytest.mark.services, pytest.mark.slow]

BROKERS = {
    "redis": ("Redis", 6379, "redis://127.0.0.1:6379/11"),
    "amqp": ("RabbitMQ", 5672, "amqp://guest:guest@127.0.0.1:5672/%2F"),
}


def _purge(kind: str, url: str) -> None:
    if kind == "redis":
        import redis
        redis.Redis.from_url(url).flushdb()
    else:
        import pika
        conn = pika.BlockingConnection(pika.URLParameters(url))
        ch = conn.channel()
        for q in ("extract", "validate", "post"):
            for name in (q, f"{q}.DQ", f"{q}.XQ"):
                try:
                    ch.queue_purge(name)
                except Exception:
                    ch = conn.channel()
        conn.close()


@pytest.fixture(params=list(BROKERS))
def scaleout(request, tmp_path, monkeypatch):
    name, port, url = BROKERS[request.param]
    require_service("PostgreSQL", "127.0.0.1", 5432)
    require_service(name, "127.0.0.1", port)
    _purge(request.param, url)
    with temp_postgres_db() as db_url:
        env = {"O2C_DATABASE_URL": db_url, "O2C_BROKER_URL": url, "O2C_HOME": str(tmp_path / "home"),
               "O2C_SWEEP_INTERVAL_S": "0.5", "O2C_STUCK_AFTER_S": "3", "O2C_LOG_LEVEL": "INFO"}
        settings = Settings(database_url=db_url, broker_url=url, home=tmp_path / "home",
                            sweep_interval_s=0.5, stuck_after_s=3, _env_file=None)
        rt = runtime.configure(settings)
        from queues import broker as qbroker
        broker = qbroker.install(settings)
        from queues import actors
        workers: list[WorkerProcess] = []
        try:
            yield rt, actors, env, workers, tmp_path
        finally:
            for w in workers:
                w.stop()
            broker.close()
            runtime.reset()
            _purge(request.param, url)


def _ingest(rt, actors, path):
    with rt.db.session() as s:
        res = ingest_bytes(s, rt.store, path.read_bytes(), path.name, source="api")
    actors.enqueue_for_state(res.state, res.document_id)
    return res.document_id


def test_documents_flow_through_separate_worker_processes(scaleout, corpora):
    rt, actors, env, workers, tmp = scaleout
    workers.append(WorkerProcess(env, tmp / "worker.log"))
    pdfs = sorted((corpora / "invoice2data").glob("*.pdf"))[:3]
    ids = [_ingest(rt, actors, p) for p in pdfs]
    for doc_id in ids:
        state = wait_for_state(rt, doc_id, timeout=90)
        assert state in ("needs_review", "posted"), (state, (tmp / "worker.log").read_text()[-3000:])
        assert transitions_to(rt, doc_id, "extracted") == 1
    assert count_documents(rt) == len(pdfs)


def test_worker_killed_mid_job_the_document_finishes_exactly_once(scaleout, corpora):
    rt, actors, env, workers, tmp = scaleout
    slow = WorkerProcess(env | {"O2C_FAULT_STAGE_DELAY_S": "30"}, tmp / "slow.log")
    workers.append(slow)
    doc_id = _ingest(rt, actors, corpora / "invoice2data" / "AzureInterior.pdf")
    wait_for_state(rt, doc_id, {"extracting"}, timeout=60)
    time.sleep(0.5)
    slow.kill9()
    workers.append(WorkerProcess(env, tmp / "fresh.log"))
    state = wait_for_state(rt, doc_id, timeout=120)
    assert state in ("needs_review", "posted"), (tmp / "fresh.log").read_text()[-3000:]
    assert transitions_to(rt, doc_id, "extracted") == 1
    assert count_documents(rt) == 1
    # a late duplicate message (broker redelivery or sweeper) changes nothing
    actors.enqueue("extract", doc_id)
    time.sleep(2)
    assert transitions_to(rt, doc_id, "extracted") == 1
