"""End-to-end: the bots drive the bundled legacy portals in real Chromium - the happy paths,
then injected faults (500s, slow pages, session expiry mid-form, maintenance page, a 500
after the portal committed), duplicates, a worker killed between submit and storing the
confirmation, a broken selector and business errors.  Every test checks the portal's own
database holds each business key exactly once (or not at all when posting must fail)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bots.errors import PortalTransient
from bots.models import Posting

ROOT = Path(__file__).resolve().parents[2]


def key(snap: dict[str, Any], field: str) -> str:
    return snap["extraction"]["fields"][field]["value"]


def posting_row(engine: Any, ikey: str) -> Posting:
    with engine.db.session() as s:
        return s.scalars(select(Posting).where(Posting.idempotency_key == ikey)).one()


def assert_proof(res: Any, secret: str) -> None:
    assert res.screenshot and Path(res.screenshot).is_file()
    assert Path(res.screenshot).parent.name == str(res_doc_id(res))
    if res.trace:
        with zipfile.ZipFile(res.trace) as zf:
            blob = b"".join(zf.read(n) for n in zf.namelist())
        assert secret.encode() not in blob, "password leaked into the trace"


def res_doc_id(res: Any) -> str:
    return Path(res.screenshot).parent.name


# ---- happy paths --------------------------------------------------------------------------
def test_confirm_po(engine: Any, portals: Any, new_po: Any) -> None:
    snap = new_po(n_lines=3)
    res = engine.post(snap)
    po = key(snap, "po_number")
    assert res.ok and res.status == "confirmed" and not res.recovered, res.detail
    recs = portals.records("acme", "ack", po)
    assert len(recs) == 1 and recs[0]["reference"] == res.reference
    assert recs[0]["header"]["delivery_date"] == "2026-12-15"     # set through the calendar
    assert recs[0]["header"]["currency"] == "EUR"                  # XHR-loaded dropdown
    assert [ln["quantity"] for ln in recs[0]["lines"]] == [10, 20, 30]   # iframe lines
    assert res.trace and Path(res.trace).is_file()
    assert_proof(res, "acme-secret")
    row = posting_row(engine, res.idempotency_key)
    assert (row.status, row.confirmation, row.attempts) == ("confirmed", res.reference, 1)


def test_record_invoice(engine: Any, portals: Any, new_invoice: Any) -> None:
    snap = new_invoice()
    res = engine.post(snap)
    assert res.ok, res.detail
    recs = portals.records("globex", "invoice", key(snap, "invoice_number"))
    assert len(recs) == 1 and recs[0]["reference"] == res.reference
    assert recs[0]["header"]["issue_date"] == "2026-11-02"         # typed as MM/DD/YYYY
    assert [ln["sku"] for ln in recs[0]["lines"]] == ["SKU-101", "SKU-103"]
    assert_proof(res, "globex-secret")


def test_report_remittance(engine: Any, portals: Any, new_remittance: Any) -> None:
    snap = new_remittance()
    res = engine.post(snap)
    assert res.ok, res.detail
    recs = portals.records("globex", "payment", key(snap, "payment_reference"))
    assert len(recs) == 1 and recs[0]["reference"] == res.reference
    assert recs[0]["lines"][1]["reason"] == "damaged goods"
    assert recs[0]["header"]["payment_date"] == "2026-11-20"


# ---- transient faults ---------------------------------------------------------------------
def test_server_errors_are_retried(engine: Any, portals: Any, new_invoice: Any) -> None:
    snap = new_invoice()
    portals.faults.add_rule("/globex/invoices/new", "500", count=2, method="POST")
    res = engine.post(snap)
    assert res.ok and res.attempts == 3, res.detail
    assert portals.count("globex", "invoice", key(snap, "invoice_number")) == 1


def test_500_after_commit_is_recovered_by_search(engine: Any, portals: Any, new_invoice: Any) -> None:
    snap = new_invoice()
    portals.faults.add_rule("/globex/invoices/new/lines", "500_after", count=1, method="POST")
    res = engine.post(snap)
    inv = key(snap, "invoice_number")
    assert res.ok and res.recovered and res.attempts == 2, res.detail
    assert portals.count("globex", "invoice", inv) == 1
    assert res.reference == portals.records("globex", "invoice", inv)[0]["reference"]


def test_slow_page_times_out_then_succeeds(make_engine: Any, portals: Any, new_po: Any) -> None:
    engine = make_engine(nav_timeout_s=1.0)
    snap = new_po()
    po = key(snap, "po_number")
    portals.faults.add_rule(f"/acme/orders/{po}/ack", "slow", count=1, method="GET", delay_s=2.0)
    portals.faults.add_rule("/acme/orders", "slow", count=1, method="GET", delay_s=0.5)
    res = engine.post(snap)
    assert res.ok and res.attempts == 2, res.detail
    assert portals.count("acme", "ack", po) == 1


def test_session_expiry_mid_form(engine: Any, portals: Any, new_remittance: Any) -> None:
    snap = new_remittance()
    portals.faults.add_rule("/globex/payments/new/lines", "expire", count=1, method="GET")
    res = engine.post(snap)
    assert res.ok and res.attempts == 2, res.detail
    assert portals.count("globex", "payment", key(snap, "payment_reference")) == 1


def test_session_expired_between_tasks(engine: Any, portals: Any, new_invoice: Any) -> None:
    a, b = new_invoice(), new_invoice()
    assert engine.post(a).ok
    portals.sessions.expire()                   # the session the engine reuses is dead
    res = engine.post(b)
    assert res.ok and res.attempts == 1, res.detail   # re-login inside the same attempt
    for snap in (a, b):
        assert portals.count("globex", "invoice", key(snap, "invoice_number")) == 1


def test_maintenance_page(engine: Any, portals: Any, new_po: Any) -> None:
    snap = new_po()
    portals.faults.add_rule("/acme/orders", "maintenance", count=2, method="GET")
    res = engine.post(snap)
    assert res.ok and res.attempts == 3, res.detail
    assert portals.count("acme", "ack", key(snap, "po_number")) == 1


def test_retry_budget_exhausted(make_engine: Any, portals: Any, new_invoice: Any) -> None:
    engine = make_engine(retries=1)
    snap = new_invoice()
    portals.faults.add_rule("/globex/invoices", "500", count=50)
    with pytest.raises(PortalTransient, match="gave up after 2 attempts"):
        engine.post(snap)
    portals.faults.clear()
    assert portals.count("globex", "invoice", key(snap, "invoice_number")) == 0
    res = engine.post(snap)                     # the queue's later retry succeeds
    assert res.ok and portals.count("globex", "invoice", key(snap, "invoice_number")) == 1


# ---- exactly once -------------------------------------------------------------------------
def test_duplicate_submission(engine: Any, portals: Any, new_invoice: Any) -> None:
    snap = new_invoice()
    first, second = engine.post(snap), engine.post(snap)
    assert first.ok and second.ok and second.skipped
    assert second.reference == first.reference
    other_scan = dict(snap, sha256="f" * 64, id=snap["id"] + 1)   # same invoice, another file
    third = engine.post(other_scan)
    assert third.ok and third.recovered and third.reference == first.reference
    assert portals.count("globex", "invoice", key(snap, "invoice_number")) == 1


def test_worker_killed_after_submit(engine: Any, portals: Any, bot_settings: Any,
                                    new_invoice: Any) -> None:
    snap = new_invoice()
    inv = key(snap, "invoice_number")
    env = {k: v for k, v in os.environ.items() if not k.startswith("O2C_")}
    env.update(O2C_BOT_FAULT_KILL_AFTER_SUBMIT="1", O2C_PORTAL_GLOBEX_URL=portals.base_url("globex"),
               O2C_PORTAL_GLOBEX_USER="buyer01", O2C_PORTAL_GLOBEX_PASSWORD="globex-secret")
    code = ("import json, sys; from core.settings import Settings; "
            "from bots.engine import post_to_portal; "
            "post_to_portal(Settings(home=sys.argv[2], _env_file=None), json.loads(sys.argv[1]))")
    proc = subprocess.run([sys.executable, "-c", code, json.dumps(snap), str(bot_settings.home)],
                          env=env, cwd=ROOT, capture_output=True, timeout=90)
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]
    assert portals.count("globex", "invoice", inv) == 1           # the portal has it ...
    from bots.engine import idempotency_key
    ikey = idempotency_key(snap["sha256"], "globex", "record_invoice")
    assert posting_row(engine, ikey).status == "submitted"        # ... we never saw the answer
    res = engine.post(snap)                                       # the retry recovers it
    assert res.ok and res.recovered and res.attempts == 2, res.detail
    assert res.reference == portals.records("globex", "invoice", inv)[0]["reference"]
    assert portals.count("globex", "invoice", inv) == 1
    assert posting_row(engine, ikey).status == "confirmed"


# ---- broken recipe and business errors ----------------------------------------------------------
def test_broken_selector_disables_recipe_only(engine: Any, portals: Any, new_invoice: Any,
                                              new_po: Any) -> None:
    portals.faults.ui_variant["globex"] = "v2"      # the portal renamed a field
    snap = new_invoice()
    res = engine.post(snap)
    assert not res.ok and res.error_kind == "recipe_broken", res.detail
    assert "invoice_number" in res.detail and res.screenshot
    assert engine.breaker.is_open("globex")
    again = engine.post(new_invoice())
    assert again.error_kind == "recipe_disabled"
    po = new_po()
    assert engine.post(po).ok                        # other recipes keep running
    portals.faults.ui_variant.clear()
    engine.breaker.reset("globex")
    retry = engine.post(snap)
    assert retry.ok, retry.detail
    assert portals.count("globex", "invoice", key(snap, "invoice_number")) == 1
    assert portals.count("acme", "ack", key(po, "po_number")) == 1


def test_business_error_closed_po(engine: Any, portals: Any, new_po: Any) -> None:
    snap = new_po(status="closed")
    res = engine.post(snap)
    po = key(snap, "po_number")
    assert not res.ok and res.error_kind == "portal_business"
    assert f"Purchase order {po} is closed" in res.detail
    assert res.screenshot and Path(res.screenshot).is_file()
    assert not engine.breaker.is_open("acme")
    assert portals.count("acme", "ack", po) == 0
    assert posting_row(engine, res.idempotency_key).status == "failed"


def test_business_error_unknown_item(engine: Any, portals: Any, new_invoice: Any) -> None:
    snap = new_invoice(sku="SKU-999")
    res = engine.post(snap)
    assert not res.ok and res.error_kind == "portal_business"
    assert "Unknown item SKU-999" in res.detail
    assert portals.count("globex", "invoice", key(snap, "invoice_number")) == 0


# ---- the document flow -------------------------------------------------------------------------
def test_run_bots_posts_approved_documents(engine: Any, portals: Any, new_po: Any) -> None:
    from bots.engine import run_bots
    from core import documents
    from core.models import Document, utcnow

    snap = new_po()
    with engine.db.session() as s:
        doc = Document(source="mail", original_name="po.pdf", sha256=snap["sha256"],
                       stored_path="/nonexistent/po.pdf", mime_type="application/pdf",
                       doc_type="purchase_order", state="approved",
                       extraction=snap["extraction"],
                       validation={"posting_target": snap["posting_target"]},
                       created_at=utcnow(), updated_at=utcnow())
        s.add(doc)
        s.flush()
        doc_id = doc.id
    out = run_bots(engine.settings, "acme", engine=engine)
    assert out["posted"] == 1, out
    with engine.db.session() as s:
        doc = documents.get(s, doc_id)
        assert doc.state == "posted"
        assert doc.posting["reference"] == out["results"][0]["reference"]
        ev = [e for e in doc.events if e.action == "portal_posting"][-1]
        assert ev.after["confirmation"] == doc.posting["reference"] and ev.after["screenshot"]
    assert portals.count("acme", "ack", key(snap, "po_number")) == 1
