"""The sweeper: re-enqueue documents that sit in a working state for longer than the
stuck timeout (a lost message, a crashed worker, a broker that was down).  Safe to run in
every process at once: a message is only a doorbell and claims are atomic."""
from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from core.logs import get_logger
from core.models import Document, utcnow
from core.runtime import Runtime
from core.states import CLAIMED, WORKING

log = get_logger(__name__)


def find_stuck(rt: Runtime, claimed_after_s: float, waiting_after_s: float,
               limit: int = 500) -> list[tuple[int, str]]:
    """Documents in a claimed working state (extracting, posting) untouched for
    `claimed_after_s`, and documents waiting for a stage (received, extracted, ...)
    untouched for `waiting_after_s`."""
    now = utcnow()
    claimed = [w.value for w in CLAIMED]
    waiting = [w.value for w in WORKING - CLAIMED]
    out: list[tuple[int, str]] = []
    with rt.db.session() as s:
        for states, age in ((claimed, claimed_after_s), (waiting, waiting_after_s)):
            rows = s.execute(
                select(Document.id, Document.state)
                .where(Document.state.in_(states))
                .where(Document.updated_at < now - timedelta(seconds=age))
                .order_by(Document.updated_at).limit(limit)).all()
            out += [(r[0], r[1]) for r in rows]
    return out


def sweep(rt: Runtime, enqueue: Callable[[str, int], bool], *, everything: bool = False) -> int:
    """Re-enqueue stuck documents; returns how many.  `everything` (used at start-up)
    re-enqueues every waiting document regardless of age; claimed ones still need to
    be stale, since another live worker may hold them."""
    st = rt.settings
    n = 0
    for doc_id, state in find_stuck(rt, st.stuck_after_s, 0 if everything else st.sweep_interval_s):
        try:
            if enqueue(state, doc_id):
                n += 1
                log.info("re_enqueued", doc=doc_id, state=state)
        except Exception as exc:  # broker down: try again next round
            log.warning("re_enqueue_failed", doc=doc_id, state=state, error=str(exc))
            break
    return n


class SweeperThread(threading.Thread):
    def __init__(self, rt: Runtime, enqueue: Callable[[str, int], bool], interval_s: float) -> None:
        super().__init__(name="o2c-sweeper", daemon=True)
        self.rt, self.enqueue, self.interval_s = rt, enqueue, interval_s
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval_s):
            try:
                sweep(self.rt, self.enqueue)
            except Exception as exc:  # database down: keep going
                log.warning("sweep_failed", error=str(exc))

    def stop(self) -> None:
        self.stopped.set()
