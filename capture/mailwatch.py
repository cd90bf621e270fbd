"""Watch a mailbox: fetch new mail, ingest its documents exactly once, then move/flag it.

Exactly-once ordering, per mail: (1) one database transaction records the envelope, its
documents (via `ingest_bytes`) and advances ``mailbox_state.last_uid``; (2) then
`on_document` is called for each new document; (3) then the mail is moved / flagged /
quarantined.  A crash before (1) commits repeats nothing (the UID is fetched again); a crash
after (1) leaves the mail in the folder with its UID <= last_uid: every cycle first
*reconciles* such leftovers (their envelope row is found by UIDVALIDITY + UID) and only
moves/flags them.  A UIDVALIDITY change resets last_uid to 0 and re-scans: a mail whose
Message-ID this mailbox already recorded under an older UIDVALIDITY is only moved/flagged,
never re-ingested; files dedup by sha256 anyway.  Documents whose `on_document` call was
lost in a crash sit in ``received`` and are picked up by the sweeper.

`MailboxWatcher.run_once()` is one poll cycle; `start()` runs IDLE (or UID polling) loops in
a background thread, reconnecting with capped exponential backoff.
Pre-checking, recording and moving/flagging the mails of a batch live in
`capture.mail_processing`.
"""
from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import select

from capture.config import CaptureConfig, MailboxConfig
from capture.imap import ImapMailbox, MailboxUnavailable
from capture.ingest import IngestResult
from capture.mail_processing import (COUNT_FIELDS, DONE_STATUSES, FETCH_BYTES, CycleCounts,
                                     MailProcessing)
from capture.models import MailboxState, MailEnvelope
from core.errors import O2CError
from core.logs import get_logger
from core.models import utcnow
from core.runtime import Runtime

log = get_logger(__name__)


class MailboxWatcher(MailProcessing):
    """Watches one configured mailbox folder (see the module docstring)."""

    def __init__(self, rt: Runtime, cfg: MailboxConfig,
                 on_document: Callable[[IngestResult], None],
                 mailbox_factory: Callable[[MailboxConfig], ImapMailbox] = ImapMailbox) -> None:
        self.rt = rt
        self.cfg = cfg
        self.on_document = on_document
        self.imap = mailbox_factory(cfg)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.totals = CycleCounts()
        self.reconnects = 0
        self.last_error: str | None = None
        self.max_bytes = int(rt.settings.max_file_mb * 1_000_000)

    # ---- one cycle ------------------------------------------------------------------------
    def connect(self) -> None:
        self.imap.close()
        self.imap.connect()
        if self.cfg.after == "move":
            self.imap.ensure_folder(self.cfg.processed_folder)
        if self.cfg.quarantine_folder:
            self.imap.ensure_folder(self.cfg.quarantine_folder)
        self.imap.select()

    def run_once(self, limit: int | None = None) -> dict[str, int]:
        """Connect if needed, reconcile leftovers, process every new mail (at most `limit`)
        and return the counts.  Raises `MailboxUnavailable` when the server is away."""
        with self._lock:
            if not self.imap.connected:
                self.connect()
            try:
                counts = self._cycle(limit)
            except MailboxUnavailable:
                self.imap.close()
                raise
            for k, v in counts.as_dict().items():
                setattr(self.totals, k, getattr(self.totals, k) + v)
            if counts.seen or counts.reconciled:
                log.info("mailbox_cycle", mailbox=self.cfg.name, **counts.as_dict())
            return counts.as_dict()

    def _cycle(self, limit: int | None) -> CycleCounts:
        counts = CycleCounts()
        uidvalidity = self.imap.select()
        last_uid = self._sync_state(uidvalidity)
        counts.reconciled = self._reconcile(uidvalidity, last_uid)
        while limit is None or counts.seen < limit:
            uids = self.imap.search_uids(last_uid)
            if not uids:
                break
            room = self.cfg.batch_size if limit is None else min(self.cfg.batch_size,
                                                                  limit - counts.seen)
            batch = uids[:room]
            self._process_batch(uidvalidity, batch, counts)
            last_uid = batch[-1]
        return counts

    def _sync_state(self, uidvalidity: int) -> int:
        with self.rt.db.session() as s:
            st = s.get(MailboxState, self.cfg.name)
            if st is None:
                st = MailboxState(mailbox=self.cfg.name, folder=self.cfg.folder,
                                  uidvalidity=uidvalidity, last_uid=0, updated_at=utcnow())
                s.add(st)
            elif st.uidvalidity != uidvalidity or st.folder != self.cfg.folder:
                log.warning("mailbox_uidvalidity_changed", mailbox=self.cfg.name,
                            old=st.uidvalidity, new=uidvalidity, folder=self.cfg.folder,
                            action="re-scan from UID 1; known Message-IDs are not re-ingested")
                st.uidvalidity, st.last_uid, st.folder = uidvalidity, 0, self.cfg.folder
                st.updated_at = utcnow()
            return st.last_uid

    def _reconcile(self, uidvalidity: int, last_uid: int) -> int:
        """Apply the pending after-action to recorded mails still in the folder."""
        if last_uid <= 0:
            return 0
        extra: list[str] | None = None
        if self.cfg.after == "leave" and not self.cfg.quarantine_folder:
            return 0
        if self.cfg.after == "flag":
            extra = self._not_flagged()
        uids = self.imap.search_uids(0, last_uid, extra)
        if self.cfg.after == "leave" and uids:
            with self.rt.db.session() as s:
                uids = list(s.scalars(select(MailEnvelope.uid).where(
                    MailEnvelope.mailbox == self.cfg.name,
                    MailEnvelope.uidvalidity == uidvalidity, MailEnvelope.uid.in_(uids),
                    MailEnvelope.status.in_(("quarantined",)))))
        if not uids:
            return 0
        with self.rt.db.session() as s:
            rows = dict(s.execute(select(MailEnvelope.uid, MailEnvelope.status).where(
                MailEnvelope.mailbox == self.cfg.name, MailEnvelope.uidvalidity == uidvalidity,
                MailEnvelope.uid.in_(uids))).all())
        outcome = {u: rows.get(u, "known") for u in uids}
        acted = self._after(outcome)
        if acted:
            log.info("mailbox_reconciled", mailbox=self.cfg.name, mails=acted)
        return acted

    def _not_flagged(self) -> list[str]:
        flag = self.cfg.flag
        if flag.startswith("\\"):
            name = flag[1:].upper()
            return [f"UN{name}"] if name in ("SEEN", "FLAGGED", "ANSWERED", "DELETED",
                                              "DRAFT") else ["NOT", "KEYWORD", flag]
        return ["UNKEYWORD", flag]

    # ---- background loop ----------------------------------------------------------------
    def start(self) -> MailboxWatcher:
        if self._thread is not None and self._thread.is_alive():
            return self
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name=f"mailwatch-{self.cfg.name}",
                                        daemon=True)
        self._thread.start()
        return self

    def request_stop(self) -> None:
        self._stop.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        with self._lock:
            self.imap.close()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _loop(self) -> None:
        cfg = self.cfg
        delay = cfg.backoff_initial_s
        log.info("mailbox_watch_started", mailbox=cfg.name, folder=cfg.folder)
        while not self._stop.is_set():
            try:
                self.run_once()
                if self.last_error:
                    log.info("mailbox_recovered", mailbox=cfg.name)
                self.last_error, delay = None, cfg.backoff_initial_s
                if cfg.idle and self.imap.has_idle:
                    with self._lock:
                        self.imap.idle_wait(cfg.idle_interval_s, self._stop)
                else:
                    self._stop.wait(cfg.poll_interval_s)
            except (O2CError, OSError) as exc:
                self._backoff(exc, delay)
                delay = min(delay * 2, cfg.backoff_max_s)
            except Exception as exc:  # noqa: BLE001 - a watcher thread must not die
                log.error("mailbox_watch_error", mailbox=cfg.name, exc_info=True,
                          error=f"{type(exc).__name__}: {str(exc)[:200]}")
                self._backoff(exc, delay)
                delay = min(delay * 2, cfg.backoff_max_s)
        log.info("mailbox_watch_stopped", mailbox=cfg.name)

    def _backoff(self, exc: BaseException, delay: float) -> None:
        with self._lock:
            self.imap.close()
        self.reconnects += 1
        self.last_error = str(exc)[:300]
        log.warning("mailbox_unavailable", mailbox=self.cfg.name, retry_in_s=round(delay, 2),
                    kind=getattr(exc, "kind", type(exc).__name__), error=self.last_error)
        self._stop.wait(delay)


def start_mail_watchers(rt: Runtime, config: CaptureConfig,
                        on_document: Callable[[IngestResult], None]) -> list[MailboxWatcher]:
    """Start one background watcher per configured mailbox; the caller stops them."""
    watchers = [MailboxWatcher(rt, m, on_document).start() for m in config.mailboxes]
    log.info("mail_watchers_started", count=len(watchers))
    return watchers


def stop_mail_watchers(watchers: list[MailboxWatcher], timeout: float = 10.0) -> None:
    for w in watchers:
        w.request_stop()
    for w in watchers:
        w.stop(timeout)


__all__ = ["COUNT_FIELDS", "DONE_STATUSES", "FETCH_BYTES", "CycleCounts", "MailboxWatcher",
           "start_mail_watchers", "stop_mail_watchers"]
