"""Scan-folder watcher against a real folder (tmp_path) and the SQLite runtime."""
from __future__ import annotations

import builtins
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from capture.folder_config import FolderConfig, load_folder_config
from capture.folders import FolderWatcher, move_no_overwrite, start_folder_watchers
from capture.ingest import IngestResult
from core.errors import ConfigError
from core.models import AuditEvent, Document
from tests.unit.test_safety import (bomb_png, encrypted_pdf, invoice_pdf, javascript_pdf,
                                    small_png, truncated_pdf)
from tests.unit.test_split import blank_batch, separator_batch

FAST = dict(stable_after_s=0.3, poll_interval_s=0.2, rescan_interval_s=0.5, retry_after_s=0.3)


def wait_for(cond: Callable[[], object], timeout: float = 10.0, what: str = "condition") -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def docs(rt) -> list[Document]:
    with rt.db.session() as s:
        return list(s.scalars(select(Document).order_by(Document.id)))


def events(rt, action: str) -> list[AuditEvent]:
    with rt.db.session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


class Harness:
    def __init__(self, rt, root: Path) -> None:
        self.rt, self.root = rt, root
        self.results: list[IngestResult] = []
        self.watchers: list[FolderWatcher] = []

    def start(self, **overrides) -> FolderWatcher:
        cfg = FolderConfig(**{"name": "scans", "path": self.root, **FAST, **overrides})
        w = FolderWatcher(self.rt, cfg, self.results.append)
        w.start()
        self.watchers.append(w)
        return w

    def processed(self, name: str) -> Path:
        return self.root / "processed" / name

    def failed(self, name: str) -> Path:
        return self.root / "failed" / name


@pytest.fixture
def h(rt, tmp_path) -> Iterator[Harness]:
    root = tmp_path / "inbox"
    root.mkdir()
    harness = Harness(rt, root)
    yield harness
    for w in harness.watchers:
        w.stop()


# ---- discovery and completeness --------------------------------------------------------
def test_files_present_at_startup_are_picked_up(h):
    (h.root / "a.pdf").write_bytes(invoice_pdf("AzureInterior.pdf"))
    (h.root / "b.png").write_bytes(small_png())
    h.start()
    wait_for(lambda: h.processed("a.pdf").exists() and h.processed("b.png").exists())
    assert not (h.root / "a.pdf").exists()
    assert sorted(d.original_name for d in docs(h.rt)) == ["a.pdf", "b.png"]
    assert all(d.source == "folder" and d.state == "received" for d in docs(h.rt))
    assert sorted(r.name for r in h.results) == ["a.pdf", "b.png"]


def test_slowly_written_file_is_taken_only_when_complete(h):
    h.start()
    data = invoice_pdf("QualityHosting.pdf")
    chunks = [data[i:i + len(data) // 10 + 1] for i in range(0, len(data), len(data) // 10 + 1)]
    with open(h.root / "slow.pdf", "wb") as fh:
        for c in chunks:
            fh.write(c)
            fh.flush()
            time.sleep(0.12)          # gaps shorter than stable_after_s
            assert not h.processed("slow.pdf").exists()
    wait_for(lambda: h.processed("slow.pdf").exists())
    (doc,) = docs(h.rt)
    assert doc.size_bytes == len(data) and doc.state == "received"


def test_done_marker_mode(h):
    h.start(done_marker=".done", stable_after_s=30)
    (h.root / "x.pdf").write_bytes(invoice_pdf())
    time.sleep(0.8)
    assert (h.root / "x.pdf").exists() and not docs(h.rt)
    (h.root / "x.pdf.done").write_bytes(b"")
    wait_for(lambda: h.processed("x.pdf").exists())
    assert not (h.root / "x.pdf.done").exists()
    assert [d.original_name for d in docs(h.rt)] == ["x.pdf"]


def test_polling_mode(h):
    w = h.start(mode="polling", rescan_interval_s=3600)   # events must come from polling
    time.sleep(0.3)
    (h.root / "p.pdf").write_bytes(invoice_pdf())
    wait_for(lambda: h.processed("p.pdf").exists())
    assert w.running and len(docs(h.rt)) == 1


def test_temp_files_and_output_folders_are_ignored(h):
    for name in ("scan.tmp", "~$lock.pdf", "upload.part", ".hidden.pdf"):
        (h.root / name).write_bytes(invoice_pdf())
    h.start(recursive=True)
    (h.root / "sub").mkdir()
    (h.root / "sub" / "deep.pdf").write_bytes(invoice_pdf("oyo.pdf"))
    wait_for(lambda: h.processed("sub/deep.pdf").exists())
    time.sleep(1.2)                  # several re-scans: processed/ is never re-taken
    assert [d.original_name for d in docs(h.rt)] == ["deep.pdf"]
    assert not events(h.rt, "duplicate")
    assert (h.root / "scan.tmp").exists() and (h.root / ".hidden.pdf").exists()


# ---- moves, duplicates, names ----------------------------------------------------------
def test_duplicate_file_gives_one_document_and_a_duplicate_event(h):
    h.start()
    (h.root / "inv.pdf").write_bytes(invoice_pdf())
    wait_for(lambda: h.processed("inv.pdf").exists())
    (h.root / "inv.pdf").write_bytes(invoice_pdf())        # same name, same bytes
    wait_for(lambda: h.processed("inv-1.pdf").exists())
    assert len(docs(h.rt)) == 1
    assert len(events(h.rt, "duplicate")) == 1
    assert len(h.results) == 1                           # on_document only for new ones


def test_name_collision_in_processed_gets_a_suffix(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "a.pdf").write_bytes(b"old")
    (src / "a.pdf").write_bytes(b"new")
    assert move_no_overwrite(src / "a.pdf", dest) == dest / "a-1.pdf"
    assert (dest / "a.pdf").read_bytes() == b"old" and not (src / "a.pdf").exists()


def test_zero_byte_file_goes_to_failed(h):
    h.start()
    (h.root / "empty.pdf").write_bytes(b"")
    wait_for(lambda: h.failed("empty.pdf").exists())
    # the note is written right after the move, under the file's final name
    wait_for(lambda: h.failed("empty.pdf.error.txt").exists())
    assert "empty" in h.failed("empty.pdf.error.txt").read_text()
    assert not docs(h.rt)


def test_unsupported_types_become_failed_documents(h):
    h.start()
    (h.root / "letter.docx").write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    (h.root / "setup.exe").write_bytes(b"MZ\x90\x00" + b"\x00" * 200)
    wait_for(lambda: h.failed("letter.docx").exists() and h.failed("setup.exe").exists())
    found = {d.original_name: d for d in docs(h.rt)}
    assert {d.state for d in found.values()} == {"failed"}
    assert all(d.error_kind == "unsupported_type" for d in found.values())
    assert "unsupported file type" in found["setup.exe"].error_message


def test_unicode_name_with_spaces_is_kept(h):
    name = "Rechnung März 2024 – Nr 7 (Kopie).pdf"
    (h.root / name).write_bytes(invoice_pdf())
    h.start()
    wait_for(lambda: h.processed(name).exists())
    assert [d.original_name for d in docs(h.rt)] == [name]


# ---- safety ----------------------------------------------------------------------------
def test_decompression_bomb_refused_and_watcher_keeps_going(h):
    w = h.start()
    (h.root / "bomb.png").write_bytes(bomb_png())
    wait_for(lambda: h.failed("bomb.png").exists())
    (h.root / "good.pdf").write_bytes(invoice_pdf())
    wait_for(lambda: h.processed("good.pdf").exists())
    found = {d.original_name: d for d in docs(h.rt)}
    assert found["bomb.png"].state == "failed" and found["bomb.png"].error_kind == "too_large"
    assert "decompression bomb" in found["bomb.png"].error_message
    assert found["good.pdf"].state == "received" and w.running


def test_truncated_and_encrypted_pdfs_fail_with_reasons(h):
    (h.root / "cut.pdf").write_bytes(truncated_pdf())
    (h.root / "locked.pdf").write_bytes(encrypted_pdf("secret"))
    (h.root / "owner-only.pdf").write_bytes(encrypted_pdf(user="", owner="o"))
    h.start()
    wait_for(lambda: h.failed("cut.pdf").exists() and h.failed("locked.pdf").exists()
             and h.processed("owner-only.pdf").exists())
    found = {d.original_name: d for d in docs(h.rt)}
    assert found["cut.pdf"].error_kind == "corrupt_document"
    assert found["locked.pdf"].error_kind == "encrypted_document"
    assert "password" in found["locked.pdf"].error_message
    assert found["owner-only.pdf"].state == "received"


def test_pdf_with_javascript_is_processed_with_a_warning(h):
    (h.root / "js.pdf").write_bytes(javascript_pdf())
    h.start()
    wait_for(lambda: h.processed("js.pdf").exists())
    (doc,) = docs(h.rt)
    assert doc.state == "received"
    assert any("javascript" in (e.detail or "") for e in events(h.rt, "warning"))


def test_unreadable_file_is_retried(h, monkeypatch):
    denied = {"n": 0}
    real_open = builtins.open

    def flaky_open(path, *a, **kw):
        if str(path).endswith("locked-out.pdf") and denied["n"] < 2:
            denied["n"] += 1
            raise PermissionError(13, "Permission denied")
        return real_open(path, *a, **kw)

    monkeypatch.setattr("capture.folders.open", flaky_open, raising=False)
    (h.root / "locked-out.pdf").write_bytes(invoice_pdf())
    w = h.start()
    wait_for(lambda: h.processed("locked-out.pdf").exists())
    assert denied["n"] == 2 and w.running and len(docs(h.rt)) == 1


# ---- splitting -------------------------------------------------------------------------
def test_blank_page_batch_is_split_into_three_documents(h):
    (h.root / "batch.pdf").write_bytes(blank_batch())
    h.start(split="blank_pages")
    wait_for(lambda: h.processed("batch.pdf").exists(), timeout=20)
    names = [d.original_name for d in docs(h.rt)]
    assert names == ["batch-part1.pdf", "batch-part2.pdf", "batch-part3.pdf"]
    assert len(h.results) == 3
    (h.root / "batch.pdf").write_bytes(blank_batch())      # the same batch again
    wait_for(lambda: h.processed("batch-1.pdf").exists(), timeout=20)
    assert len(docs(h.rt)) == 3 and len(events(h.rt, "duplicate")) == 3


def test_qr_separator_batch_is_split(h):
    (h.root / "stapel.pdf").write_bytes(separator_batch(scanned=True))
    h.start(split="separator_sheet")
    wait_for(lambda: h.processed("stapel.pdf").exists(), timeout=20)
    assert len(docs(h.rt)) == 3


# ---- synchronous pass, config, start-up ------------------------------------------------
def test_scan_once_needs_a_stable_file(h):
    cfg = FolderConfig(name="sync", path=h.root, stable_after_s=0.2)
    w = FolderWatcher(h.rt, cfg)
    (h.root / "s.pdf").write_bytes(invoice_pdf())
    assert w.scan_once() == []
    time.sleep(0.25)
    (res,) = w.scan_once()
    assert res.name == "s.pdf" and h.processed("s.pdf").exists()


def test_load_folder_config(tmp_path):
    p = tmp_path / "capture.yaml"
    p.write_text(
        "mailboxes: [{name: ap, host: imap.example.com}]\n"
        "folders:\n"
        "  - {name: mailroom, path: /srv/scans, mode: polling, done_marker: true,\n"
        "     split: separator_sheet, failed_dir: /srv/errors}\n"
        "  - {name: two, path: /srv/b, include: '*.pdf'}\n", encoding="utf-8")
    a, b = load_folder_config(p)
    assert a.mode == "polling" and a.done_marker == ".done" and a.split == "separator_sheet"
    assert a.processed_path == Path("/srv/scans/processed") and a.failed_path == Path("/srv/errors")
    assert b.include == ("*.pdf",) and b.wants("x.PDF") and not b.wants("x.png")
    assert not b.wants("~$x.pdf") and not b.wants(".x.pdf") and not b.wants("x.pdf.part")
    p.write_text("folders: [{name: x, path: /a, mode: fsevents}]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="mode"):
        load_folder_config(p)
    p.write_text("mailboxes: []\n", encoding="utf-8")
    assert load_folder_config(p) == []


def test_start_folder_watchers_skips_missing_folders(rt, tmp_path):
    good = tmp_path / "good"
    good.mkdir()
    cfgs = [FolderConfig(name="missing", path=tmp_path / "nope", **FAST),
            FolderConfig(name="good", path=good, **FAST)]
    got: list[IngestResult] = []
    watchers = start_folder_watchers(rt, cfgs, got.append)
    try:
        assert [w.config.name for w in watchers] == ["good"]
        (good / "g.pdf").write_bytes(invoice_pdf())
        wait_for(lambda: len(got) == 1)
    finally:
        for w in watchers:
            w.stop()
    assert (good / "processed" / "g.pdf").exists()
