"""`o2c run` with a capture config: a scan dropped into a watched folder goes all the way
through the pipeline, and the file is moved to processed/."""
from __future__ import annotations

import shutil
import time

from core import service
from tests.integration.helpers import wait_for_state


def test_a_file_dropped_in_a_watched_folder_is_processed(settings, corpora, tmp_path):
    inbox = tmp_path / "scans"
    inbox.mkdir()
    cfg = tmp_path / "capture.yaml"
    cfg.write_text(f"folders:\n  - name: mailroom\n    path: {inbox}\n    stable_after_s: 0.2\n"
                   f"    poll_interval_s: 0.2\n")
    settings.capture_config = cfg
    svc = service.start(settings, web=False)
    try:
        shutil.copy(corpora / "invoice2data" / "free_fiber.pdf", inbox / "free_fiber.pdf")
        deadline = time.monotonic() + 30
        doc_id = None
        while doc_id is None and time.monotonic() < deadline:
            with svc.rt.db.session() as s:
                from sqlalchemy import select

                from core.models import Document
                doc_id = s.scalar(select(Document.id).where(Document.original_name == "free_fiber.pdf"))
            time.sleep(0.2)
        assert doc_id is not None, "folder watcher did not ingest the file"
        assert wait_for_state(svc.rt, doc_id, timeout=60) in ("needs_review", "posted")
        with svc.rt.db.session() as s:
            from core import documents
            assert documents.get(s, doc_id).source == "folder"
        deadline = time.monotonic() + 10
        while not (inbox / "processed" / "free_fiber.pdf").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert (inbox / "processed" / "free_fiber.pdf").exists()
        assert not (inbox / "free_fiber.pdf").exists()
    finally:
        svc.stop()
