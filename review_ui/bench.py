"""Review UI benchmark: fill the database with `n_docs` synthetic needs_review documents
(realistic extraction JSON, audit events, review index), then time the queue page and
the document page in-process through the ASGI app (httpx TestClient, signed-in session),
`requests` of each, and report p50/p95/max in milliseconds.  Also reports the key-press
count of the correct-one-field-and-approve flow.

    python -m review_ui.bench [--docs 10000] [--requests 200] [--postgres URL]
"""
from __future__ import annotations

import argparse
import json
import random
import secrets
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from core.models import AuditEvent, Document
from core.runtime import Runtime

KEY_FLOW = {
    "sequence": ["(page opens, focus on the first flagged field)", "type the value",
                 "Enter (save + accept, focus moves on)", "Ctrl+Enter (approve)",
                 "Enter (confirm - only if other checks still fail)"],
    "non_typing_keys": 3, "non_typing_keys_when_all_checks_pass": 2, "goal": 4,
}
PARTNERS = ["ACME GmbH", "Globex Corp", "Initech Ltd", "Umbrella SA", "Stark Industries",
            "Wayne Enterprises", "Hooli Inc", "Vandelay Import", "Soylent BV", "Tyrell AG"]
REASONS = [("fields.confidence", "low confidence: total_gross (0.62)", ["total_gross"]),
           ("fields.required", "missing required field(s): due_date", ["due_date"]),
           ("arithmetic.net_tax_gross", "net + tax != gross", ["total_net", "total_tax", "total_gross"]),
           ("duplicate.number", "document 12 already has invoice number X", ["invoice_number"]),
           ("partner.unknown", "seller not in master data", ["seller_name"])]


def _cell(value: Any, conf: float, rnd: random.Random) -> dict[str, Any]:
    x, y = rnd.random() * 0.7, rnd.random() * 0.9
    return {"value": value, "confidence": conf, "page": 1,
            "bbox": [round(x, 4), round(y, 4), round(x + 0.15, 4), round(y + 0.015, 4)],
            "source": "text"}


def synthetic_row(i: int, rnd: random.Random, now: datetime) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    created = now - timedelta(minutes=rnd.randint(60, 30 * 24 * 60))
    partner = rnd.choice(PARTNERS)
    net = round(rnd.uniform(10, 5000), 2)
    lines = []
    for j in range(rnd.randint(1, 8)):
        q = rnd.randint(1, 5)
        lines.append({"description": _cell(f"Item {j} for {partner}", 0.8, rnd),
                      "quantity": _cell(str(q), 0.9, rnd),
                      "unit_price": _cell(f"{net / q:.2f}", 0.85, rnd),
                      "line_total": _cell(f"{net:.2f}", 0.85, rnd)})
    due = (created + timedelta(days=rnd.choice([14, 30, 60]))).date().isoformat()
    fields = {"invoice_number": _cell(f"INV-{i:06d}", rnd.uniform(0.5, 1), rnd),
              "issue_date": _cell(created.date().isoformat(), 0.95, rnd),
              "due_date": _cell(due, rnd.uniform(0.6, 1), rnd),
              "seller_name": _cell(partner, rnd.uniform(0.4, 1), rnd),
              "buyer_name": _cell("Our Company GmbH", 0.9, rnd),
              "currency": _cell("EUR", 0.99, rnd), "total_net": _cell(f"{net:.2f}", 0.8, rnd),
              "total_tax": _cell(f"{net * 0.19:.2f}", 0.8, rnd),
              "total_gross": _cell(f"{net * 1.19:.2f}", rnd.uniform(0.3, 1), rnd)}
    reasons = [{"code": c, "reason": r, "fields": f} for c, r, f in rnd.sample(REASONS, rnd.randint(1, 3))]
    checks = [{"code": r["code"], "ok": False, "reason": r["reason"], "fields": r["fields"],
               "blocking": True} for r in reasons] + [
        {"code": "document.type", "ok": True, "reason": "document type recognised", "fields": [],
         "blocking": True}]
    doc = {"source": rnd.choice(["mail", "mail", "folder", "upload", "api"]),
           "sender": f"billing@{partner.split()[0].lower()}.example", "original_name": f"invoice-{i}.pdf",
           "sha256": secrets.token_hex(32), "stored_path": f"bench/{i}.pdf",
           "mime_type": "application/pdf", "size_bytes": 50_000, "page_count": 1,
           "doc_type": "invoice", "state": "needs_review",
           "extraction": {"doc_type": "invoice", "doc_type_confidence": 0.9, "fields": fields,
                          "lines": lines, "pages": 1, "reasons": []},
           "validation": {"checks": checks}, "review_reasons": reasons, "attempts": 1,
           "version": 5, "created_at": created, "updated_at": created + timedelta(minutes=1)}
    events = [{"actor": a, "action": act, "at": created + timedelta(seconds=k), "before": b,
               "after": af, "detail": None} for k, (a, act, b, af) in enumerate([
                   ("system:capture", "received", None, {"state": "received"}),
                   ("system:extract", "transition", {"state": "extracting"}, {"state": "extracted"}),
                   ("system:validate", "transition", {"state": "extracted"}, {"state": "validated"}),
                   ("system:route", "transition", {"state": "validated"}, {"state": "needs_review"})])]
    return doc, events


def fill(rt: Runtime, n_docs: int, seed: int = 7) -> list[int]:
    rnd = random.Random(seed)
    now = datetime.now(timezone.utc)
    ids: list[int] = []
    with rt.db.session() as s:
        start = (s.query(Document.id).order_by(Document.id.desc()).limit(1).scalar() or 0) + 1
    for chunk in range(0, n_docs, 1000):
        rows, evs = [], []
        for i in range(chunk, min(n_docs, chunk + 1000)):
            doc, events = synthetic_row(i, rnd, now)
            doc["id"] = start + i
            rows.append(doc)
            evs += [dict(e, document_id=doc["id"]) for e in events]
        with rt.db.session() as s:
            s.execute(insert(Document), rows)
            s.execute(insert(AuditEvent), evs)
        ids += [r["id"] for r in rows]
    return ids


def _stats(ms: list[float]) -> dict[str, float]:
    ms = sorted(ms)
    return {"p50_ms": round(statistics.median(ms), 1),
            "p95_ms": round(ms[min(len(ms) - 1, int(len(ms) * 0.95))], 1),
            "max_ms": round(ms[-1], 1), "n": len(ms)}


def measure(rt: Runtime, ids: list[int], requests: int = 200, seed: int = 11) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from queues import broker as qbroker
    from review_ui import auth as A
    from review_ui import index
    from review_ui.app import create_app

    qbroker.install(rt.settings)
    t0 = time.perf_counter()
    with rt.db.session() as s:
        indexed = index.sync(s, full=True)
    index_s = time.perf_counter() - t0
    user = f"bench{secrets.token_hex(3)}"
    with rt.db.session() as s:
        u = A.add_user(s, user, "bench-password", "reviewer")
        token = A.create_session(s, u, "127.0.0.1")
    client = TestClient(create_app(rt), cookies={A.COOKIE: token})
    rnd = random.Random(seed)
    variants = ["", "sort=due", "sort=age", "reason=fields.confidence", "type=invoice",
                "partner=acme", "q=INV-000042", "source=mail&age=7", "page=20", "page=150"]
    client.get("/queue")                         # warm-up (templates, index sync)
    queue_ms, doc_ms = [], []
    for i in range(requests):
        t = time.perf_counter()
        r = client.get("/queue?" + variants[i % len(variants)])
        queue_ms.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.text[:300]
    for _ in range(requests):
        doc_id = rnd.choice(ids)
        t = time.perf_counter()
        r = client.get(f"/documents/{doc_id}")
        doc_ms.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.text[:300]
    return {"indexed": indexed, "index_build_s": round(index_s, 2), "queue_page": _stats(queue_ms),
            "document_page": _stats(doc_ms)}


def run_ui_bench(rt: Runtime, n_docs: int = 10_000, *, requests: int = 200,
                 postgres_url: str | None = None) -> dict[str, Any]:
    """Fill `rt`'s database (and, with `postgres_url`, a PostgreSQL one) and time the pages.
    Goal: p95 <= 150 ms for both pages."""
    t0 = time.perf_counter()
    ids = fill(rt, n_docs)
    out: dict[str, Any] = {"documents": n_docs, "fill_s": round(time.perf_counter() - t0, 1),
                           "sqlite" if rt.settings.db_url.startswith("sqlite") else "database":
                           measure(rt, ids, requests), "key_presses": KEY_FLOW, "goal_p95_ms": 150}
    if postgres_url:
        from core import runtime
        from core.settings import Settings

        with tempfile.TemporaryDirectory() as tmp:
            pg_rt = runtime.configure(Settings(home=Path(tmp), database_url=postgres_url,
                                               _env_file=None))
            out["postgresql"] = measure(pg_rt, fill(pg_rt, n_docs), requests)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--postgres", default=None, help="also run on this PostgreSQL URL (empty DB)")
    args = ap.parse_args()
    from core import runtime
    from core.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        rt = runtime.configure(Settings(home=Path(tmp), _env_file=None))
        print(json.dumps(run_ui_bench(rt, args.docs, requests=args.requests,
                                      postgres_url=args.postgres), indent=2))
        runtime.reset()


if __name__ == "__main__":
    main()
