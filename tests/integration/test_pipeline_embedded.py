"""End to end on the embedded default: SQLite, in-process broker and worker threads."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from capture.ingest import ingest_bytes
from core import service
from tests.integration.helpers import count_documents, transitions_to, wait_for_state

ROOT = Path(__file__).resolve().parents[2]
O2C = str(Path(sys.executable).with_name("o2c"))


@pytest.fixture
def svc(settings):
    s = service.start(settings, web=False)
    from queues import actors
    yield s, actors
    s.stop()


def test_a_pdf_goes_through_the_embedded_pipeline(svc, corpora):
    s, actors = svc
    rt = s.rt
    pdf = corpora / "invoice2data" / "AzureInterior.pdf"
    with rt.db.session() as sess:
        res = ingest_bytes(sess, rt.store, pdf.read_bytes(), pdf.name, source="upload")
    actors.enqueue_for_state(res.state, res.document_id)
    state = wait_for_state(rt, res.document_id, timeout=60)
    assert state in ("needs_review", "posted")
    assert transitions_to(rt, res.document_id, "extracted") == 1
    with rt.db.session() as sess:
        from core import documents
        doc = documents.get(sess, res.document_id)
        assert doc.doc_type == "invoice" and doc.page_count >= 1
        assert doc.extraction["fields"]["invoice_number"]["value"]
        if state == "needs_review":
            assert doc.review_reasons and all(r["reason"] for r in doc.review_reasons)


def test_messages_run_twice_do_nothing_the_second_time(svc, corpora):
    s, actors = svc
    rt = s.rt
    xml = next((corpora / "einvoice_xml" / "xrechnung-kosit").glob("*.xml"))
    with rt.db.session() as sess:
        res = ingest_bytes(sess, rt.store, xml.read_bytes(), xml.name, source="api")
    for _ in range(3):
        actors.enqueue("extract", res.document_id)
    wait_for_state(rt, res.document_id, timeout=30)
    for stage in ("extract", "validate", "route", "post"):
        actors.enqueue(stage, res.document_id)
    import time
    time.sleep(1)
    assert transitions_to(rt, res.document_id, "extracted") == 1
    assert transitions_to(rt, res.document_id, "validated") == 1
    assert count_documents(rt) == 1


def test_a_restart_picks_up_documents_left_in_a_waiting_state(settings, corpora):
    from core import runtime
    rt = runtime.configure(settings)
    pdf = corpora / "invoice2data" / "saeco.pdf"
    with rt.db.session() as sess:   # ingested while no worker ran: nothing was enqueued
        res = ingest_bytes(sess, rt.store, pdf.read_bytes(), pdf.name, source="folder")
    s = service.start(settings, web=False)
    try:
        assert wait_for_state(s.rt, res.document_id, timeout=60) in ("needs_review", "posted")
    finally:
        s.stop()


def test_bad_input_fails_visibly_and_the_service_keeps_running(svc, corpora, tmp_path):
    s, actors = svc
    rt = s.rt
    truncated = (corpora / "invoice2data" / "oyo.pdf").read_bytes()[:3000]
    with rt.db.session() as sess:
        bad = ingest_bytes(sess, rt.store, truncated, "truncated.pdf", source="upload")
        good = ingest_bytes(sess, rt.store, (corpora / "invoice2data" / "oyo.pdf").read_bytes(),
                            "oyo.pdf", source="upload")
    actors.enqueue_for_state(bad.state, bad.document_id)
    actors.enqueue_for_state(good.state, good.document_id)
    assert wait_for_state(rt, bad.document_id, timeout=30) == "failed"
    assert wait_for_state(rt, good.document_id, timeout=60) in ("needs_review", "posted")
    with rt.db.session() as sess:
        from core import documents
        doc = documents.get(sess, bad.document_id)
        assert doc.error_kind == "corrupt_document" and doc.error_message


def _o2c(*args, env_home: Path, **kw):
    import os
    env = {k: v for k, v in os.environ.items() if not k.startswith("O2C_")}
    env["O2C_HOME"] = str(env_home)
    return subprocess.run([O2C, *args], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=180, **kw)


def test_cli_ingest_status_extract(tmp_path, corpora):
    home = tmp_path / "home"
    pdf = corpora / "invoice2data" / "QualityHosting.pdf"
    r = _o2c("ingest", str(pdf), env_home=home)
    assert r.returncode == 0, r.stderr
    assert "document 1" in r.stdout
    r = _o2c("ingest", str(pdf), env_home=home)
    assert "duplicate" in r.stdout
    r = _o2c("status", "--json", env_home=home)
    rows = json.loads(r.stdout)
    assert len(rows) == 1 and rows[0]["dups"] == 1
    r = _o2c("status", "1", env_home=home)
    assert r.returncode == 0 and "duplicate" in r.stdout
    r = _o2c("extract", "--json", str(pdf), env_home=home)
    obj = json.loads(r.stdout.splitlines()[0])
    assert obj["file"] == str(pdf) and obj["doc_type"] == "invoice"
    for f in obj["fields"].values():
        assert set(f) == {"value", "confidence", "page", "bbox", "source"}


@pytest.mark.parametrize("make_bad,needle", [
    (lambda p: p / "missing.pdf", "does not exist"),
    (lambda p: ((p / "empty.pdf").write_bytes(b""), p / "empty.pdf")[1], "empty"),
    (lambda p: p, "folder"),
])
def test_cli_bad_paths_give_one_line_and_nonzero_exit(tmp_path, make_bad, needle):
    path = make_bad(tmp_path)
    r = _o2c("ingest", str(path), env_home=tmp_path / "home")
    assert r.returncode != 0 and needle in r.stderr and "Traceback" not in r.stderr


def test_cli_database_down_is_one_clear_line(tmp_path):
    import os
    env = {k: v for k, v in os.environ.items() if not k.startswith("O2C_")}
    env["O2C_DATABASE_URL"] = "postgresql://nobody@127.0.0.1:1/none"
    r = subprocess.run([O2C, "status"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2 and "cannot reach the database" in r.stderr
    assert "Traceback" not in r.stderr


def test_cli_broker_down_is_one_clear_line(tmp_path, corpora):
    import os
    env = {k: v for k, v in os.environ.items() if not k.startswith("O2C_")}
    env.update(O2C_HOME=str(tmp_path / "home"), O2C_BROKER_URL="redis://127.0.0.1:1/0")
    r = subprocess.run([O2C, "ingest", str(corpora / "invoice2data" / "oyo.pdf")],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2 and "broker" in r.stderr and "Traceback" not in r.stderr


def test_cli_retry_failed_and_post_failed(tmp_path, corpora):
    from core import documents, runtime
    from core.settings import Settings
    from core.states import State

    home = tmp_path / "home"
    bad = tmp_path / "truncated.pdf"
    bad.write_bytes((corpora / "invoice2data" / "oyo.pdf").read_bytes()[:3000])
    assert _o2c("ingest", str(bad), env_home=home).returncode == 1      # ends failed
    r = _o2c("retry", "1", env_home=home)
    assert r.returncode == 0 and "document 1: failed" in r.stdout      # re-run, fails again
    r = _o2c("retry", "1", env_home=home)
    rt = runtime.configure(Settings(home=home, _env_file=None))
    try:
        with rt.db.session() as s:
            doc = documents.get(s, 1)
            assert sum(e.action == "transition" and (e.after or {}).get("state") == "received"
                       for e in doc.events) == 2
            # pretend the portal refused it: a post_failed document is posted again
            doc.state, doc.doc_type, doc.extraction = State.POST_FAILED.value, "invoice", {"fields": {}}
    finally:
        runtime.reset()
    r = _o2c("retry", "1", env_home=home)
    assert r.returncode == 0 and "document 1: posted" in r.stdout, r.stdout + r.stderr
    r = _o2c("retry", "1", env_home=home)
    assert r.returncode == 2 and "only failed or post_failed" in r.stderr
