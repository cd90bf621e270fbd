"""What each stage does to a document row.  Actors call these; so do tests and `o2c demo`.

Each runner is idempotent: it first checks (atomically) that the document is in the state
the stage expects, does nothing otherwise, runs the stage's pure function outside any
transaction, then writes the result and the next state in one transaction - but only if
its claim still holds.  It returns the name of the next stage to enqueue, or None.

Errors: a `PermanentError` (or an unexpected bug) moves the document to ``failed`` with the
error's kind and message; a `TransientError` releases the claim and is re-raised so the
broker retries with backoff; the sweeper covers everything else.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from core import documents
from core.errors import PermanentError, TransientError
from core.logs import get_logger
from core.models import Document
from core.runtime import Runtime
from core.states import State

log = get_logger(__name__)

# state a document sits in -> the stage that moves it on
STAGE_FOR_STATE: dict[str, str] = {
    State.RECEIVED: "extract", State.EXTRACTING: "extract",
    State.EXTRACTED: "validate", State.VALIDATED: "route",
    State.APPROVED: "post", State.POSTING: "post",
}


def _fail(rt: Runtime, doc_id: int, stage: str, kind: str, message: str,
          expect: State, token: int | None = None) -> None:
    with rt.db.session() as s:
        doc = documents.get(s, doc_id)
        if doc.state != expect.value or (token is not None and doc.attempts != token):
            return
        documents.transition(s, doc, State.FAILED, actor=f"system:{stage}", detail=message,
                             error_kind=kind, error_message=message)
    log.warning("failed", doc=doc_id, stage=stage, kind=kind, error=message)


@contextmanager
def _heartbeat(rt: Runtime, doc_id: int, working: State, token: int | None) -> Iterator[None]:
    """While a claimed stage runs, refresh the claim every third of the stuck timeout, so
    a slow job is never mistaken for a dead worker's."""
    if token is None:
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(rt.settings.stuck_after_s / 3):
            try:
                with rt.db.session() as s:
                    if not documents.touch_claim(s, doc_id, working, token):
                        return
            except Exception as exc:  # database blip: try again next beat
                log.warning("heartbeat_failed", doc=doc_id, error=str(exc))

    t = threading.Thread(target=beat, name=f"o2c-heartbeat-{doc_id}", daemon=True)
    t.start()
    try:
        yield
    finally:
        stop.set()


def _guarded(rt: Runtime, doc_id: int, stage: str, expect: State, token: int | None,
             work: Callable[[], Any]) -> tuple[bool, Any]:
    """Run `work`, turning errors into document states.  (ok, result)."""
    try:
        with _heartbeat(rt, doc_id, expect, token):
            if rt.settings.fault_stage_delay_s:
                time.sleep(rt.settings.fault_stage_delay_s)
            return True, work()
    except TransientError as exc:
        if token is not None:
            with rt.db.session() as s:
                documents.release(s, doc_id, token)
        log.warning("transient_error", doc=doc_id, stage=stage, kind=exc.kind, error=exc.message)
        raise
    except PermanentError as exc:
        _fail(rt, doc_id, stage, exc.kind, exc.message, expect, token)
    except Exception as exc:  # a bug: never leave the document invisible
        log.error("internal_error", doc=doc_id, stage=stage, exc_info=True)
        _fail(rt, doc_id, stage, "internal_error", f"{type(exc).__name__}: {exc}", expect, token)
    return False, None


def run_extract(rt: Runtime, doc_id: int) -> str | None:
    from extraction.pipeline import ExtractOptions, extract_path

    stale = timedelta(seconds=rt.settings.stuck_after_s)
    with rt.db.session() as s:
        token = documents.claim(s, doc_id, State.RECEIVED, State.EXTRACTING, stale_after=stale)
        if token is None:
            return None
        doc = documents.get(s, doc_id)
        path, mime, name = doc.stored_path, doc.mime_type, doc.original_name
    opts = ExtractOptions.from_settings(rt.settings)
    t0 = time.perf_counter()
    ok, result = _guarded(rt, doc_id, "extract", State.EXTRACTING, token,
                          lambda: extract_path(path, mime=mime, name=name, options=opts))
    if not ok:
        return None
    ms = round((time.perf_counter() - t0) * 1000)
    with rt.db.session() as s:
        doc = documents.get(s, doc_id)
        if not documents.holds_claim(doc, State.EXTRACTING, token):
            log.info("claim_lost", doc=doc_id, stage="extract")
            return None
        documents.transition(
            s, doc, State.EXTRACTED, actor="system:extract",
            detail=f"{result.doc_type} ({result.doc_type_confidence:.2f}), "
                   f"{len(result.fields)} fields, {len(result.lines)} lines, {ms} ms",
            extraction=result.to_json_dict(), doc_type=result.doc_type, page_count=result.pages)
    log.info("extracted", doc=doc_id, doc_type=result.doc_type, fields=len(result.fields),
             lines=len(result.lines), ms=ms)
    return "validate"


def run_validate(rt: Runtime, doc_id: int) -> str | None:
    from validation.checks import validate_document

    with rt.db.session() as s:
        doc = documents.get(s, doc_id)
        if doc.state != State.EXTRACTED.value:
            return None
        ok, result = _guarded(rt, doc_id, "validate", State.EXTRACTED, None,
                              lambda: validate_document(s, doc))
        if not ok:
            return None
        from bots.targets import posting_target

        validation = result.to_dict()
        validation["posting_target"] = posting_target(s, doc.extraction or {}, doc.sender)
        documents.transition(s, doc, State.VALIDATED, actor="system:validate",
                             detail=result.summary(), validation=validation)
    log.info("validated", doc=doc_id, failed_checks=len(result.failed()))
    return "route"


def run_route(rt: Runtime, doc_id: int) -> str | None:
    from validation.routing import decide

    with rt.db.session() as s:
        doc = documents.get(s, doc_id)
        if doc.state != State.VALIDATED.value:
            return None
        decision = decide(doc.validation or {})
        if decision.approve:
            documents.transition(s, doc, State.APPROVED, actor="system:route",
                                 detail="straight through: all checks passed", review_reasons=[])
        else:
            documents.transition(s, doc, State.NEEDS_REVIEW, actor="system:route",
                                 detail="; ".join(r["reason"] for r in decision.reasons),
                                 review_reasons=decision.reasons)
    log.info("routed", doc=doc_id, approve=decision.approve, reasons=len(decision.reasons))
    return "post" if decision.approve else None


def run_post(rt: Runtime, doc_id: int) -> str | None:
    from bots.posting import post_document

    stale = timedelta(seconds=rt.settings.stuck_after_s)
    with rt.db.session() as s:
        doc = documents.get(s, doc_id)
        src = State.POST_FAILED if doc.state == State.POST_FAILED.value else State.APPROVED
        token = documents.claim(s, doc_id, src, State.POSTING, stale_after=stale)
        if token is None:
            return None
        doc = documents.get(s, doc_id)
        snapshot: dict[str, Any] = _snapshot(doc)
    ok, result = _guarded(rt, doc_id, "post", State.POSTING, token,
                          lambda: post_document(rt.settings, snapshot))
    if not ok:
        return None
    with rt.db.session() as s:
        doc = documents.get(s, doc_id)
        if not documents.holds_claim(doc, State.POSTING, token):
            return None
        dst = State.POSTED if result.ok else State.POST_FAILED
        documents.transition(s, doc, dst, actor="system:post", detail=result.detail,
                             posting=result.to_dict())
    log.info("posted" if result.ok else "post_failed", doc=doc_id, target=result.target)
    return None


def _snapshot(doc: Document) -> dict[str, Any]:
    from bots.engine import snapshot_of

    return snapshot_of(doc)


RUNNERS: dict[str, Callable[[Runtime, int], str | None]] = {
    "extract": run_extract, "validate": run_validate, "route": run_route, "post": run_post,
}


def run_to_rest(rt: Runtime, doc_id: int) -> str:
    """Run every stage inline until the document rests (used by tests and `o2c extract`)."""
    with rt.db.session() as s:
        stage: str | None = STAGE_FOR_STATE.get(documents.get(s, doc_id).state)
    while stage:
        stage = RUNNERS[stage](rt, doc_id)
    with rt.db.session() as s:
        return documents.get(s, doc_id).state
