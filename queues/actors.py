"""One thin actor per stage.  A message only says "look at document N"; the stage runner
decides from the database whether there is anything to do, so running a message twice is
harmless.  Import this module only after `queues.broker.install(settings)`."""
from __future__ import annotations

import dramatiq

from core import runtime
from core.errors import TransientError
from queues import stages
from queues.broker import register

_OPTS = dict(max_retries=8, min_backoff=500, max_backoff=60_000,
             retry_when=lambda retries, exc: isinstance(exc, TransientError) and retries < 8,
             time_limit=30 * 60 * 1000)


def _advance(stage: str, doc_id: int) -> None:
    nxt = stages.RUNNERS[stage](runtime.current(), doc_id)
    if nxt:
        enqueue(nxt, doc_id)


@dramatiq.actor(queue_name="extract", **_OPTS)
def extract_document(doc_id: int) -> None:
    _advance("extract", doc_id)


@dramatiq.actor(queue_name="validate", **_OPTS)
def validate_document(doc_id: int) -> None:
    _advance("validate", doc_id)


@dramatiq.actor(queue_name="validate", **_OPTS)
def route_document(doc_id: int) -> None:
    _advance("route", doc_id)


@dramatiq.actor(queue_name="post", **_OPTS)
def post_document(doc_id: int) -> None:
    _advance("post", doc_id)


ACTORS: dict[str, dramatiq.Actor] = {
    "extract": extract_document, "validate": validate_document,
    "route": route_document, "post": post_document,
}
for _a in ACTORS.values():
    register(_a)


def enqueue(stage: str, doc_id: int) -> None:
    ACTORS[stage].send(doc_id)


def enqueue_for_state(state: str, doc_id: int) -> bool:
    stage = stages.STAGE_FOR_STATE.get(state)
    if stage is None:
        return False
    enqueue(stage, doc_id)
    return True
