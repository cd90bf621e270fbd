"""Choose and install the dramatiq broker from settings.

* ``memory://`` - the embedded default: an in-process broker; `start_embedded_worker`
  runs worker threads in the same process.  Messages live in memory only: the database
  is the truth and the sweeper re-enqueues anything a restart dropped.
* ``redis://...`` - `RedisBroker`; ``amqp://...`` - `RabbitmqBroker` (publisher confirms on).
  Workers are separate `dramatiq queues.worker` processes on any number of machines.

Actors are declared once (`queues.actors`); `install` re-binds them when the broker changes
(tests switch brokers within one process).
"""
from __future__ import annotations

import dramatiq
from dramatiq.brokers.stub import StubBroker

from core.errors import BrokerUnavailable
from core.settings import Settings

_declared: list[dramatiq.Actor] = []


def make_broker(settings: Settings) -> dramatiq.Broker:
    kind = settings.broker_kind
    if kind == "memory":
        return StubBroker()
    try:
        if kind == "redis":
            from dramatiq.brokers.redis import RedisBroker
            broker = RedisBroker(url=settings.broker_url, heartbeat_timeout=30_000)
            broker.client.ping()
            return broker
        from dramatiq.brokers.rabbitmq import RabbitmqBroker
        broker = RabbitmqBroker(url=settings.broker_url, confirm_delivery=True)
        broker.connection  # connect now so a down broker is reported at start-up
        return broker
    except Exception as exc:
        raise BrokerUnavailable(
            f"cannot reach the {kind} broker at {_redact(settings.broker_url)}: "
            f"{type(exc).__name__}: {exc}") from exc


def _redact(url: str) -> str:
    if "@" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def install(settings: Settings) -> dramatiq.Broker:
    broker = make_broker(settings)
    dramatiq.set_broker(broker)
    for actor in _declared:
        actor.broker = broker
        broker.declare_actor(actor)
    return broker


def register(actor: dramatiq.Actor) -> dramatiq.Actor:
    _declared.append(actor)
    return actor


def start_embedded_worker(broker: dramatiq.Broker, threads: int) -> dramatiq.Worker:
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=100)
    worker.start()
    return worker
