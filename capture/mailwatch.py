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
"""
from __future__ import annotations

import email
import email.policy
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from capture.config import CaptureConfig, MailboxConfig
from capture.envelopes import Envelope, Skipped, parse_envelope, read_headers
from capture.imap import ImapMailbox, MailboxUnavailable, MailMeta, chunk_by_size
from capture.ingest import IngestResult, ingest_bytes
from capture.models import MailboxState, MailEnvelope, envelope_documents
from core.errors import InputError, O2CError
from core.logs import get_logger
from core.models import utcnow
from core.runtime import Runtime

log = get_logger(__name__)
FETCH_BYTES = 20_000_000     # fetch bodies in chunks of at most this many bytes
DONE_STATUSES = ("ingested", "skipped")
COUNT_FIELDS = {"ingested": "ingested", "duplicate": "duplicates", "skipped": "skipped",
                "quarantined": "quarantined", "rejected": "rejected"}


@dataclass
class CycleCounts:
    seen: int = 0
    ingested: int = 0
    duplicates: int = 0
    skipped: int = 0
    quarantined: int = 0
    rejected: int = 0
    documents: int = 0
    reconciled: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class MailboxWatcher:
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

    # ---- a batch of mails -------------------------------------------------------------
    def _process_batch(self, uidvalidity: int, uids: list[int], counts: CycleCounts) -> None:
        metas = self.imap.fetch_meta(uids)
        plans: dict[int, tuple[Envelope, str | None]] = {}
        need_body: list[int] = []
        for uid in uids:
            meta = metas.get(uid)
            if meta is None:      # expunged meanwhile
                continue
            env = self._headers(meta)
            verdict = self._precheck(uidvalidity, env, meta)
            plans[uid] = (env, verdict)
            if verdict is None:
                need_body.append(uid)
        bodies: dict[int, bytes] = {}
        sizes = {u: metas[u].size for u in need_body}
        for chunk in chunk_by_size(need_body, sizes, FETCH_BYTES):
            bodies.update(self.imap.fetch_bodies(chunk))
        outcome: dict[int, str] = {}
        for uid in uids:
            if uid not in plans:
                self._record(uidvalidity, uid, None, "gone", counts)
                continue
            head, verdict = plans[uid]
            if verdict is None and uid not in bodies:
                verdict = "gone"
            if verdict is None:
                env = parse_envelope(bodies.pop(uid), self.cfg.limits, size=metas[uid].size)
                env.size = metas[uid].size
                outcome[uid] = self._record(uidvalidity, uid, env, None, counts)
            else:
                outcome[uid] = self._record(uidvalidity, uid, head, verdict, counts)
            counts.seen += 1
        self._after(outcome)

    def _headers(self, meta: MailMeta) -> Envelope:
        env = Envelope(size=meta.size)
        read_headers(email.message_from_bytes(meta.headers, policy=email.policy.default), env)
        return env

    def _precheck(self, uidvalidity: int, env: Envelope, meta: MailMeta) -> str | None:
        """Decide from the headers alone: None (download and process) or a verdict."""
        rules, limits = self.cfg.rules, self.cfg.limits
        with self.rt.db.session() as s:
            seen = self._seen_before(s, uidvalidity, env)
        if seen:
            return seen
        if meta.size > limits.max_mail_bytes:
            env.reject_reason = (f"mail is {meta.size / 1e6:.1f} MB, over the "
                                 f"{limits.max_mail_mb:g} MB limit")
            return "reject"
        if not rules.sender_allowed(env.sender):
            env.reject_reason = f"sender {env.sender or '-'} is not in the allow-list"
            return "reject"
        if not rules.subject_matches(env.subject):
            env.reject_reason = f"subject does not match {rules.subject_regex!r}"
            return "reject"
        return None

    def _seen_before(self, s: Session, uidvalidity: int, env: Envelope) -> str | None:
        """'known' (re-scan after a UIDVALIDITY change), 'duplicate' or None."""
        if not env.message_id:
            return None
        prev = s.execute(select(MailEnvelope.id, MailEnvelope.mailbox,
                                MailEnvelope.uidvalidity).where(
            MailEnvelope.message_id == env.message_id,
            MailEnvelope.status.in_(DONE_STATUSES)).order_by(MailEnvelope.id).limit(1)).first()
        if prev is None:
            return None
        if prev.mailbox == self.cfg.name and prev.uidvalidity != uidvalidity:
            return "known"
        env.reject_reason = f"Message-ID already processed (envelope {prev.id})"
        return "duplicate"

    def _record(self, uidvalidity: int, uid: int, env: Envelope | None, verdict: str | None,
                counts: CycleCounts) -> str:
        """One transaction: envelope + documents + last_uid.  Returns the outcome."""
        new_docs: list[IngestResult] = []
        with self.rt.db.session() as s:
            st = s.get(MailboxState, self.cfg.name)
            assert st is not None
            if st.uidvalidity != uidvalidity:
                raise MailboxUnavailable(f"mailbox {self.cfg.name}: UIDVALIDITY changed under us")
            exists = s.scalar(select(MailEnvelope.status).where(
                MailEnvelope.mailbox == self.cfg.name, MailEnvelope.uidvalidity == uidvalidity,
                MailEnvelope.uid == uid))
            if exists is None and env is not None and verdict is None:
                verdict = self._seen_before(s, uidvalidity, env)   # same Message-ID in batch
            if exists is not None:
                outcome = exists
            elif env is None or verdict in ("gone", "known"):
                outcome = verdict or "gone"
            else:
                outcome = self._store(s, uidvalidity, uid, env, verdict, new_docs)
            st.last_uid = max(st.last_uid, uid)
            st.updated_at = utcnow()
        field = COUNT_FIELDS.get(outcome)
        if field:
            setattr(counts, field, getattr(counts, field) + 1)
        counts.documents += len(new_docs)
        for r in new_docs:
            try:
                self.on_document(r)
            except Exception as exc:  # noqa: BLE001 - the sweeper re-enqueues later
                log.error("on_document_failed", doc=r.document_id, mailbox=self.cfg.name,
                          error=str(exc)[:200])
        return outcome

    def _store(self, s: Session, uidvalidity: int, uid: int, env: Envelope, verdict: str | None,
               new_docs: list[IngestResult]) -> str:
        row = MailEnvelope(mailbox=self.cfg.name, uid=uid, uidvalidity=uidvalidity,
                           message_id=env.message_id, sender=env.sender,
                           subject=env.subject, date=env.date, size_bytes=env.size,
                           expected_doc_type=self.cfg.rules.expected_doc_type,
                           status="skipped", created_at=utcnow())
        s.add(row)
        s.flush()
        doc_ids: set[int] = set()
        if verdict is None and env.reject_reason is None:
            for part in env.documents:
                try:
                    r = ingest_bytes(s, self.rt.store, part.data, part.name, source="mail",
                                     sender=env.sender, max_bytes=self.max_bytes,
                                     actor=f"mail:{self.cfg.name}")
                except InputError as exc:
                    env.skipped.append(Skipped(part.name, exc.message, True))
                    continue
                if r.document_id not in doc_ids:
                    doc_ids.add(r.document_id)
                    s.execute(insert(envelope_documents).values(envelope_id=row.id,
                                                                document_id=r.document_id))
                if not r.duplicate:
                    new_docs.append(r)
        quarantine = "quarantined" if self.cfg.quarantine_folder else "rejected"
        if verdict == "duplicate":
            row.status, row.reason = "duplicate", env.reject_reason
        elif verdict == "reject" or env.reject_reason:
            row.status, row.reason = quarantine, env.reject_reason
        elif doc_ids:
            row.status, row.reason = "ingested", env.summary_reason()
        elif env.refused:
            row.status, row.reason = quarantine, "no documents; " + (env.summary_reason() or "")
        else:
            row.status = "skipped"
            row.reason = "no documents" + (f" ({env.summary_reason()})" if env.skipped else "")
        log.info("mail_recorded", mailbox=self.cfg.name, uid=uid, envelope=row.id,
                 status=row.status, documents=len(doc_ids), new=len(new_docs),
                 message_id=env.message_id, reason=row.reason or "-")
        return row.status

    def _after(self, outcome: dict[int, str]) -> int:
        """Move/flag processed mails; move bad ones to quarantine (after the DB commit).
        Returns how many mails were acted on."""
        done = [u for u, o in sorted(outcome.items())
                if o in ("ingested", "duplicate", "skipped", "known")]
        bad = [u for u, o in sorted(outcome.items()) if o == "quarantined"]
        if bad and self.cfg.quarantine_folder:
            self.imap.move(bad, self.cfg.quarantine_folder)
        if done and self.cfg.after == "move":
            self.imap.move(done, self.cfg.processed_folder)
        elif done and self.cfg.after == "flag":
            self.imap.flag(done, self.cfg.flag)
        return len(bad) + (len(done) if self.cfg.after != "leave" else 0)

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
