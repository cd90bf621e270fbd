"""Mail-capture benchmark: a local Dovecot, N mails with one distinct PDF each, one
`MailboxWatcher` running IDLE loops until every mail is stored.

    from capture.bench import run_capture_bench
    report = run_capture_bench(n_mails=1000, report_path=Path("capture-bench.json"))

Reports the time from watcher start until all documents are stored, messages per second,
``lost`` (expected - stored documents) and ``duplicates`` (documents or envelopes stored
more than once).  Also holds `make_mail`, a small stdlib builder for synthetic mails used
by the benchmark and the tests.
"""
from __future__ import annotations

import json
import tempfile
import threading
import time
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from capture.config import MailboxConfig
from capture.dovecot_server import DovecotServer
from capture.ingest import IngestResult
from capture.mailwatch import MailboxWatcher
from capture.models import MailEnvelope
from core.models import Document

CORPUS_PDF = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "invoice2data"
_MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
                b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
                b"trailer<</Root 1 0 R>>\n%%EOF\n")


def make_mail(*, sender: str = "ap@customer.example", to: str = "orders@o2c.example",
              subject: str = "Purchase order", text: str = "Please find attached.",
              html: str | None = None, attachments: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
              inline_images: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
              message_id: str | None = None, date: datetime | None = None) -> bytes:
    """A mail as bytes.  attachments: (filename, data, "maintype/subtype");
    inline_images: (filename, data, content_id) attached inline to the HTML part."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Date"] = format_datetime(date or datetime(2024, 11, 15, 9, 30, tzinfo=timezone.utc))
    msg["Message-ID"] = message_id or make_msgid(domain=sender.rpartition("@")[2] or "x")
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
        if inline_images:
            html_part = msg.get_payload()[-1]
            for name, data, cid in inline_images:
                html_part.add_related(data, "image", name.rsplit(".", 1)[-1].replace("jpg", "jpeg"),
                                      cid=f"<{cid}>", filename=name, disposition="inline")
    for name, data, mime in attachments:
        if mime == "message/rfc822":
            import email as _email
            import email.policy as _policy
            msg.add_attachment(_email.message_from_bytes(data, policy=_policy.default),
                               filename=name)
            continue
        maintype, subtype = mime.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def corpus_pdfs() -> list[bytes]:
    pdfs = sorted(CORPUS_PDF.glob("*.pdf")) if CORPUS_PDF.is_dir() else []
    return [p.read_bytes() for p in pdfs] or [_MINIMAL_PDF]


def distinct_pdf(base: bytes, i: int) -> bytes:
    """`base` plus a trailing PDF comment, so every copy has its own sha256."""
    return base + f"\n% o2c-bench copy {i}\n".encode()


def run_capture_bench(n_mails: int = 1000, *, report_path: Path | str | None = None,
                      workdir: Path | str | None = None, timeout_s: float = 600.0,
                      batch_size: int = 100) -> dict[str, Any]:
    """Start Dovecot, append `n_mails` mails (one distinct PDF each), run a watcher until
    all are stored; return (and optionally write as JSON) the figures."""
    from core import runtime
    from core.settings import Settings

    owned_tmp = None
    if workdir is None:
        owned_tmp = tempfile.TemporaryDirectory(prefix="o2c-capture-bench-")
        workdir = owned_tmp.name
    work = Path(workdir)
    settings = Settings(home=work / "home", broker_url="memory://", _env_file=None)
    rt = runtime.configure(settings)
    server = DovecotServer(work / "dovecot").start()
    watcher: MailboxWatcher | None = None
    try:
        pdfs = corpus_pdfs()
        t0 = time.perf_counter()
        mails = [make_mail(subject=f"Invoice {i}", message_id=f"<bench-{i}@o2c.example>",
                           attachments=[(f"invoice-{i}.pdf", distinct_pdf(pdfs[i % len(pdfs)], i),
                                         "application/pdf")]) for i in range(n_mails)]
        server.append_many(mails)
        append_s = time.perf_counter() - t0
        mail_bytes = sum(len(m) for m in mails)
        del mails
        secret = work / "imap-password"
        secret.write_text(server.password)
        cfg = MailboxConfig(name="bench", host=server.host, port=server.port, security="none",
                            user=server.user, password_file=secret,
                            idle_interval_s=5, poll_interval_s=0.5, batch_size=batch_size,
                            backoff_initial_s=0.2, backoff_max_s=2)
        callbacks: list[int] = []
        lock = threading.Lock()

        def on_document(r: IngestResult) -> None:
            with lock:
                callbacks.append(r.document_id)

        watcher = MailboxWatcher(rt, cfg, on_document)
        t1 = time.perf_counter()
        watcher.start()
        stored = 0
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with rt.db.session() as s:
                stored = s.scalar(select(func.count()).select_from(Document)) or 0
            if stored >= n_mails:
                break
            time.sleep(0.05)
        to_stored_s = time.perf_counter() - t1
        watcher.stop()
        with rt.db.session() as s:
            stored = s.scalar(select(func.count()).select_from(Document)) or 0
            envelopes = s.scalar(select(func.count()).select_from(MailEnvelope)) or 0
            ingested = s.scalar(select(func.count()).select_from(MailEnvelope).where(
                MailEnvelope.status == "ingested")) or 0
            dup_mids = s.scalar(select(func.count()).select_from(
                select(MailEnvelope.message_id).group_by(MailEnvelope.message_id)
                .having(func.count() > 1).subquery())) or 0
        left = len(server.uids("INBOX"))
        processed = len(server.uids("Processed"))
        report: dict[str, Any] = {
            "n_mails": n_mails, "mail_mb": round(mail_bytes / 1e6, 2),
            "append_s": round(append_s, 3), "time_to_stored_s": round(to_stored_s, 3),
            "messages_per_s": round(n_mails / to_stored_s, 1) if to_stored_s else None,
            "stored_documents": stored, "envelopes": envelopes, "ingested_envelopes": ingested,
            "lost": n_mails - stored,
            "duplicates": (envelopes - ingested) + dup_mids + (len(callbacks) - len(set(callbacks))),
            "on_document_calls": len(callbacks), "left_in_inbox": left,
            "moved_to_processed": processed, "reconnects": watcher.reconnects,
            "batch_size": batch_size, "database": "sqlite", "server": "dovecot (local)",
        }
        if report_path is not None:
            Path(report_path).parent.mkdir(parents=True, exist_ok=True)
            Path(report_path).write_text(json.dumps(report, indent=2))
        return report
    finally:
        if watcher is not None:
            watcher.stop()
        server.stop()
        runtime.reset()
        if owned_tmp is not None:
            owned_tmp.cleanup()


if __name__ == "__main__":  # pragma: no cover - manual run: python -m capture.bench [n]
    import sys

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    print(json.dumps(run_capture_bench(n, report_path=Path("capture-bench.json")), indent=2))
