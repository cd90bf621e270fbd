"""Per-mail processing of the mailbox watcher: a batch of new UIDs is pre-checked from the
headers (duplicate Message-ID, size, sender allow-list, subject), the bodies still needed are
fetched, each mail is recorded in one transaction (envelope, documents, ``last_uid``), then
`on_document` runs and the mail is moved / flagged / quarantined (`MailProcessing._after`).

`MailProcessing` is a mixin of `capture.mailwatch.MailboxWatcher`, which supplies the
runtime, mailbox configuration, IMAP connection and callback.
"""
from __future__ import annotations

import email
import email.policy
from collections.abc import Callable
from dataclasses import asdict, dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from capture.config import MailboxConfig
from capture.envelopes import Envelope, Skipped, parse_envelope, read_headers
from capture.imap import ImapMailbox, MailboxUnavailable, MailMeta, chunk_by_size
from capture.ingest import IngestResult, ingest_bytes
from capture.models import MailboxState, MailEnvelope, envelope_documents
from core.errors import InputError
from core.logs import get_logger
from core.models import utcnow
from core.runtime import Runtime

log = get_logger("capture.mailwatch")   # the watcher's events keep one logger name
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


class MailProcessing:
    """Pre-check, fetch, record and after-action of the mails of one mailbox."""

    rt: Runtime
    cfg: MailboxConfig
    imap: ImapMailbox
    on_document: Callable[[IngestResult], None]
    max_bytes: int

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
