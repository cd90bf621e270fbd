"""Start and stop the service parts inside one process: database, broker, worker threads,
sweeper and (optionally) the web UI.  Used by `o2c run` and `o2c demo`."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from core import runtime
from core.logs import get_logger
from core.runtime import Runtime
from core.settings import Settings

log = get_logger(__name__)


@dataclass
class Service:
    rt: Runtime
    broker: Any
    worker: Any = None
    sweeper: Any = None
    web: Any = None
    watchers: list[Any] = field(default_factory=list)
    threads: list[threading.Thread] = field(default_factory=list)

    def stop(self) -> None:
        for w in self.watchers:
            w.stop()
        if self.web is not None:
            self.web.should_exit = True
        if self.sweeper is not None:
            self.sweeper.stop()
        if self.worker is not None:
            self.worker.stop(timeout=10_000)
        for t in self.threads:
            t.join(timeout=10)
        self.broker.close()


def start(settings: Settings, *, workers: bool = True, web: bool = True,
          capture: bool = True) -> Service:
    from queues import broker as qbroker

    rt = runtime.configure(settings)
    broker = qbroker.install(settings)
    from queues import actors
    from queues.sweeper import SweeperThread, sweep

    svc = Service(rt, broker)
    if workers:
        svc.worker = qbroker.start_embedded_worker(broker, settings.worker_threads)
    sweep(rt, actors.enqueue_for_state, everything=True)   # pick up what a restart left
    svc.sweeper = SweeperThread(rt, actors.enqueue_for_state, settings.sweep_interval_s)
    svc.sweeper.start()
    if capture:
        from capture.watch import start_watchers

        svc.watchers = start_watchers(
            rt, lambda res: res.duplicate or actors.enqueue_for_state(res.state, res.document_id))
    if web:
        svc.web = start_web(svc, settings)
    log.info("service_started", broker=settings.broker_kind, workers=workers,
             web=f"http://{settings.web_host}:{settings.web_port}" if web else "off")
    return svc


def start_web(svc: Service, settings: Settings):
    import uvicorn

    from review_ui.app import create_app

    config = uvicorn.Config(create_app(svc.rt), host=settings.web_host, port=settings.web_port,
                            log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    t = threading.Thread(target=server.run, name="o2c-web", daemon=True)
    t.start()
    svc.threads.append(t)
    return server
