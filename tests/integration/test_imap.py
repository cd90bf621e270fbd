"""Mail capture against a real local Dovecot: IDLE, bursts, dedup, restarts of the watcher
and of the server, UIDVALIDITY changes, and what counts as a document."""
from __future__ import annotations

import io
import os
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from capture.bench import distinct_pdf, make_mail
from capture.config import MailboxConfig
from capture.dovecot_server import DovecotServer
from capture.imap import MailboxUnavailable
from capture.ingest import IngestResult
from capture.mailwatch import MailboxWatcher
from capture.models import MailboxState, MailEnvelope, envelope_documents
from core.models import Document
from tests.integration.dovecot import dovecot  # noqa: F401  (fixture)

REMITTANCE_HTML = """<html><body><p>Payment advice</p><table>
<tr><th>Invoice No</th><th>Amount</th></tr><tr><td>INV-1001</td><td>1.200,00</td></tr>
<tr><td>INV-1002</td><td>300,50</td></tr></table></body></html>"""


@pytest.fixture
def pdfs(corpora) -> list[bytes]:
    files = sorted((corpora / "invoice2data").glob("*.pdf"))
    assert files, "no PDFs in corpora/invoice2data"
    return [f.read_bytes() for f in files]


class Collector:
    def __init__(self) -> None:
        self.results: list[IngestResult] = []
        self._lock = threading.Lock()

    def __call__(self, r: IngestResult) -> None:
        with self._lock:
            self.results.append(r)

    @property
    def ids(self) -> list[int]:
        return [r.document_id for r in self.results]


def mailbox(srv: DovecotServer, tmp_path: Path, **kw) -> MailboxConfig:
    pw = tmp_path / "imap-password"
    pw.write_text(srv.password)
    base = dict(name="orders", host=srv.host, port=srv.port, security="none", user=srv.user,
                password_file=pw, idle_interval_s=5, poll_interval_s=0.3, timeout_s=5,
                backoff_initial_s=0.1, backoff_max_s=0.5)
    base.update(kw)
    return MailboxConfig.model_validate(base)


def count(rt, model=Document, *where) -> int:
    with rt.db.session() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def envelopes(rt) -> list[MailEnvelope]:
    with rt.db.session() as s:
        return list(s.scalars(select(MailEnvelope).order_by(MailEnvelope.id)))


def wait_until(cond: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"condition not met within {timeout}s")


def run(rt, srv, tmp_path, mails: list[bytes], **kw) -> tuple[dict, Collector]:
    srv.append_many(mails)
    col = Collector()
    w = MailboxWatcher(rt, mailbox(srv, tmp_path, **kw), col)
    try:
        return w.run_once(), col
    finally:
        w.stop()


def pdf_mail(pdf: bytes, i: int, **kw) -> bytes:
    return make_mail(subject=f"Invoice {i}", message_id=f"<m{i}@t>",
                     attachments=[(f"inv{i}.pdf", distinct_pdf(pdf, i), "application/pdf")], **kw)


# ---- watching -----------------------------------------------------------------------
def test_new_mail_while_idling(rt, dovecot, tmp_path, pdfs):
    col = Collector()
    w = MailboxWatcher(rt, mailbox(dovecot, tmp_path), col).start()
    try:
        time.sleep(0.5)       # let it connect and enter IDLE
        t0 = time.monotonic()
        dovecot.append(pdf_mail(pdfs[0], 1))
        wait_until(lambda: len(col.results) == 1, 10.0)
        assert time.monotonic() - t0 < 3.0
        wait_until(lambda: dovecot.uids("Processed") != [], 10.0)
        assert dovecot.uids("INBOX") == []            # moved after ingest
    finally:
        w.stop()
    assert [e.status for e in envelopes(rt)] == ["ingested"]


def test_burst_of_50_mails(rt, dovecot, tmp_path, pdfs):
    col = Collector()
    w = MailboxWatcher(rt, mailbox(dovecot, tmp_path, batch_size=20), col).start()
    try:
        time.sleep(0.3)
        dovecot.append_many([pdf_mail(pdfs[i % len(pdfs)], i) for i in range(50)])
        wait_until(lambda: count(rt) == 50, 60.0)
        wait_until(lambda: len(dovecot.uids("Processed")) == 50, 20.0)
    finally:
        w.stop()
    assert len(col.ids) == len(set(col.ids)) == 50
    assert count(rt, MailEnvelope) == 50


def test_same_mail_twice(rt, dovecot, tmp_path, pdfs):
    raw = pdf_mail(pdfs[0], 7)
    counts, col = run(rt, dovecot, tmp_path, [raw, raw])
    assert [e.status for e in envelopes(rt)] == ["ingested", "duplicate"]
    assert "already processed" in (envelopes(rt)[1].reason or "")
    assert count(rt) == 1 and len(col.ids) == 1
    assert counts["ingested"] == 1 and counts["duplicates"] == 1
    assert len(dovecot.uids("Processed")) == 2


def test_watcher_restart_mid_batch(rt, dovecot, tmp_path, pdfs):
    dovecot.append_many([pdf_mail(pdfs[i % len(pdfs)], i) for i in range(10)])
    col = Collector()
    cfg = mailbox(dovecot, tmp_path, batch_size=3)
    w1 = MailboxWatcher(rt, cfg, col)
    assert w1.run_once(limit=4)["ingested"] == 4
    w1.stop()
    # second "process": crashes after the DB commit of its first mail, before the move
    w2 = MailboxWatcher(rt, cfg, col)
    w2.connect()
    real_move = w2.imap.move

    def crash(uids, folder):
        raise MailboxUnavailable("simulated crash before move")
    w2.imap.move = crash  # type: ignore[method-assign]
    with pytest.raises(MailboxUnavailable):
        w2.run_once(limit=2)
    w2.imap.move = real_move  # type: ignore[method-assign]
    w2.stop()
    assert len(dovecot.uids("INBOX")) == 6       # committed but not yet moved
    w3 = MailboxWatcher(rt, cfg, col)
    counts = w3.run_once()
    w3.stop()
    assert counts["reconciled"] == 2 and counts["ingested"] == 4
    assert count(rt) == 10 and count(rt, MailEnvelope) == 10
    assert len(col.ids) == len(set(col.ids)) == 10
    assert dovecot.uids("INBOX") == [] and len(dovecot.uids("Processed")) == 10


def test_dovecot_restart_while_watching(rt, dovecot, tmp_path, pdfs):
    col = Collector()
    w = MailboxWatcher(rt, mailbox(dovecot, tmp_path), col).start()
    try:
        dovecot.append_many([pdf_mail(pdfs[0], i) for i in range(3)])
        wait_until(lambda: count(rt) == 3, 20.0)
        dovecot.restart()
        dovecot.append_many([pdf_mail(pdfs[1], i) for i in range(3, 6)])
        wait_until(lambda: count(rt) == 6, 30.0)
        assert w.reconnects >= 1 and w.running
    finally:
        w.stop()
    assert len(col.ids) == len(set(col.ids)) == 6


def test_uidvalidity_change_rescans_without_reingest(rt, dovecot, tmp_path, pdfs):
    dovecot.append_many([pdf_mail(pdfs[0], i) for i in range(3)], folder="Orders")
    cfg = mailbox(dovecot, tmp_path, folder="Orders", after="flag", flag="$Captured")
    col = Collector()
    w = MailboxWatcher(rt, cfg, col)
    assert w.run_once()["ingested"] == 3
    w.stop()
    with rt.db.session() as s:
        old_validity = s.get(MailboxState, "orders").uidvalidity
    c = dovecot.client()      # recreate the folder: same mails, new UIDVALIDITY
    c.rename_folder("Orders", "OrdersOld")
    c.create_folder("Orders")
    c.select_folder("OrdersOld")
    c.copy(c.search("ALL"), "Orders")
    c.logout()
    dovecot.append(pdf_mail(pdfs[1], 99), folder="Orders")
    w = MailboxWatcher(rt, cfg, col)
    counts = w.run_once()
    w.stop()
    with rt.db.session() as s:
        st = s.get(MailboxState, "orders")
        assert st.uidvalidity != old_validity and st.last_uid == 4
    assert counts["ingested"] == 1 and counts["duplicates"] == 0
    assert count(rt) == 4 and count(rt, MailEnvelope) == 4 and len(col.ids) == 4
    c = dovecot.client()
    c.select_folder("Orders")
    assert len(c.search(["KEYWORD", "$Captured"])) == 4
    c.logout()


# ---- what is a document -------------------------------------------------------------
def test_mail_without_attachments_skipped(rt, dovecot, tmp_path):
    counts, col = run(rt, dovecot, tmp_path, [make_mail(text="Can you call me?")])
    (env,) = envelopes(rt)
    assert env.status == "skipped" and env.reason == "no documents"
    assert count(rt) == 0 and col.ids == []
    assert len(dovecot.uids("Processed")) == 1


def test_remittance_advice_in_html_body(rt, dovecot, tmp_path):
    run(rt, dovecot, tmp_path, [make_mail(subject="Remittance", html=REMITTANCE_HTML)])
    with rt.db.session() as s:
        (doc,) = s.scalars(select(Document)).all()
        assert doc.original_name == "body.html" and doc.mime_type == "text/html"


def test_25mb_attachment_ingested(rt, dovecot, tmp_path):
    big = b"%PDF-1.4\n" + os.urandom(25_000_000) + b"\n%%EOF\n"
    counts, col = run(rt, dovecot, tmp_path, [make_mail(attachments=[
        ("big.pdf", big, "application/pdf")])], timeout_s=30)
    assert counts["ingested"] == 1
    with rt.db.session() as s:
        (doc,) = s.scalars(select(Document)).all()
        assert doc.size_bytes == len(big)


def test_mail_over_limit_quarantined(rt, dovecot, tmp_path, pdfs):
    big = b"%PDF-1.4\n" + os.urandom(11_000_000)
    counts, col = run(rt, dovecot, tmp_path, [
        make_mail(attachments=[("big.pdf", big, "application/pdf")]), pdf_mail(pdfs[0], 1)],
        limits={"max_mail_mb": 10})
    first, second = envelopes(rt)
    assert first.status == "quarantined" and "over the 10 MB limit" in first.reason
    assert second.status == "ingested"
    assert count(rt) == 1
    assert len(dovecot.uids("Quarantine")) == 1 and len(dovecot.uids("Processed")) == 1


def test_inline_logo_not_a_document(rt, dovecot, tmp_path, pdfs):
    logo = b"\x89PNG\r\n\x1a\n" + b"\x00" * 900
    raw = make_mail(html="<p>Order attached <img src='cid:logo1'></p>",
                    inline_images=[("logo.png", logo, "logo1")],
                    attachments=[("po.pdf", pdfs[0], "application/pdf")])
    run(rt, dovecot, tmp_path, [raw])
    with rt.db.session() as s:
        assert [d.original_name for d in s.scalars(select(Document))] == ["po.pdf"]


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, d in files.items():
            zf.writestr(n, d)
    return buf.getvalue()


def test_zip_with_two_pdfs(rt, dovecot, tmp_path, pdfs):
    z = _zip({"a.pdf": pdfs[0], "b.pdf": pdfs[1]})
    counts, col = run(rt, dovecot, tmp_path, [make_mail(attachments=[
        ("invoices.zip", z, "application/zip")])])
    assert count(rt) == 2 and len(col.ids) == 2
    with rt.db.session() as s:
        links = s.execute(select(envelope_documents)).all()
    assert len(links) == 2 and {lk.envelope_id for lk in links} == {envelopes(rt)[0].id}


def test_zip_bomb_refused(rt, dovecot, tmp_path):
    bomb = _zip({"x.pdf": b"%PDF-1.4\n" + b"\x00" * 20_000_000})
    run(rt, dovecot, tmp_path, [make_mail(attachments=[("bomb.zip", bomb, "application/zip")])])
    (env,) = envelopes(rt)
    assert env.status == "quarantined" and "ZIP bomb" in env.reason
    assert count(rt) == 0 and len(dovecot.uids("Quarantine")) == 1


def test_attached_eml_recursed(rt, dovecot, tmp_path, pdfs):
    inner = make_mail(subject="PO", attachments=[("po.pdf", pdfs[2], "application/pdf")])
    run(rt, dovecot, tmp_path, [make_mail(subject="Fwd: PO", attachments=[
        ("forward.eml", inner, "message/rfc822")])])
    with rt.db.session() as s:
        assert [d.original_name for d in s.scalars(select(Document))] == ["po.pdf"]


def test_sender_not_allowed_quarantined(rt, dovecot, tmp_path, pdfs):
    run(rt, dovecot, tmp_path, [pdf_mail(pdfs[0], 1, sender="eve@evil.example")],
        rules={"allow_senders": ["@customer.example"]})
    (env,) = envelopes(rt)
    assert env.status == "quarantined" and "allow-list" in env.reason and count(rt) == 0


def test_login_failure_backs_off_then_recovers(rt, dovecot, tmp_path, pdfs):
    cfg = mailbox(dovecot, tmp_path)
    assert cfg.password_file is not None
    cfg.password_file.write_text("wrong")
    dovecot.append(pdf_mail(pdfs[0], 1))
    col = Collector()
    w = MailboxWatcher(rt, cfg, col).start()
    try:
        wait_until(lambda: w.reconnects >= 2, 30.0)
        assert "login failed" in (w.last_error or "") and count(rt) == 0
        cfg.password_file.write_text(dovecot.password)
        wait_until(lambda: count(rt) == 1, 20.0)
    finally:
        w.stop()


def test_polling_without_idle(rt, dovecot, tmp_path, pdfs):
    col = Collector()
    w = MailboxWatcher(rt, mailbox(dovecot, tmp_path, idle=False, poll_interval_s=0.3),
                       col).start()
    try:
        time.sleep(0.3)
        dovecot.append(pdf_mail(pdfs[0], 1))
        wait_until(lambda: len(col.results) == 1, 10.0)
    finally:
        w.stop()
