"""Normalised export of approved documents: JSON + CSV files and an optional webhook.

    result = export_document(settings, snapshot)   # snapshot as built by queues.stages
    result["json"], result["csv"], result["webhook"]["status"]

Files are written atomically into ``settings.exports_dir`` and named by document id, so a
retry rewrites rather than duplicates them.  The webhook (``settings.webhook_url``) gets
the JSON record by POST with up to ``webhook_retries`` retries and exponential backoff on
transport errors and 5xx / 429 answers; a delivery that still fails is logged and the
record kept in ``exports_dir/webhook-outbox/`` - the files are never lost, and
`replay_outbox(settings)` re-sends what is waiting there.
"""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import time
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import httpx

from core.logs import get_logger
from core.settings import Settings

log = get_logger(__name__)

AMOUNT_FIELDS = {"total_net", "total_tax", "total_gross", "amount_due", "payment_amount",
                 "unit_price", "line_total", "amount_paid", "discount", "deduction"}
PROPOSAL_CHECKS = {"sales.proposal": "sales_order", "matching.po": "po_match",
                   "cash.application": "cash_application", "credit_note.linked": "credit_link"}


def _norm(name: str, value: Any) -> Any:
    if value in (None, ""):
        return None
    if name in AMOUNT_FIELDS:
        try:
            return f"{Decimal(str(value)).quantize(Decimal('0.01'))}"
        except InvalidOperation:
            return str(value)
    return value


def export_record(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The normalised, JSON-serialisable record of one approved document."""
    from validation.routing import decide

    ext = snapshot.get("extraction") or {}
    val = snapshot.get("validation") or {}
    meta = val.get("meta") or {}
    proposals = {PROPOSAL_CHECKS[c["code"]]: c.get("data") for c in val.get("checks", [])
                 if c.get("code") in PROPOSAL_CHECKS and c.get("data")}
    return {
        "document_id": snapshot["id"], "doc_type": snapshot.get("doc_type") or ext.get("doc_type"),
        "sha256": snapshot.get("sha256"), "file": snapshot.get("original_name"),
        "sender": snapshot.get("sender"), "source": snapshot.get("source"),
        "partner": {"kind": meta.get("partner_kind"), "number": meta.get("partner_number"),
                    "name": meta.get("partner_name")},
        "fields": {k: _norm(k, (v or {}).get("value")) for k, v in ext.get("fields", {}).items()},
        "lines": [{k: _norm(k, (v or {}).get("value")) for k, v in line.items()}
                  for line in ext.get("lines", [])],
        "proposals": proposals,
        "warnings": [w["code"] for w in decide(val).warnings] if val else [],
        "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def to_csv(record: dict[str, Any]) -> str:
    """One row per line (header fields repeated, prefixed ``line_``), or one header row."""
    head = {"document_id": record["document_id"], "doc_type": record["doc_type"],
            "partner_number": record["partner"]["number"], **record["fields"]}
    line_keys = list(dict.fromkeys(k for ln in record["lines"] for k in ln))
    cols = list(head) + [f"line_{k}" for k in line_keys]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(cols)
    for ln in record["lines"] or [{}]:
        w.writerow([head.get(c) if c in head else ln.get(c[5:]) for c in cols])
    return buf.getvalue()


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".export-")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    os.replace(tmp, path)


def post_webhook(settings: Settings, record: dict[str, Any],
                 transport: httpx.BaseTransport | None = None,
                 sleep: Any = time.sleep) -> dict[str, Any]:
    """POST ``record``; {"status": "sent"|"failed"|"disabled", "attempts", "error"}."""
    if not settings.webhook_url:
        return {"status": "disabled", "attempts": 0, "error": None}
    headers = {"Content-Type": "application/json",
               "Idempotency-Key": f"o2c-{record['document_id']}-{record.get('sha256') or ''}"}
    if settings.webhook_token:
        headers["Authorization"] = f"Bearer {settings.webhook_token}"
    body = json.dumps(record, ensure_ascii=False).encode()
    error = None
    attempts = 0
    with httpx.Client(timeout=settings.webhook_timeout_s, transport=transport) as client:
        for attempt in range(settings.webhook_retries + 1):
            attempts = attempt + 1
            try:
                r = client.post(settings.webhook_url, content=body, headers=headers)
                if r.status_code < 300:
                    return {"status": "sent", "attempts": attempts, "error": None,
                            "http_status": r.status_code}
                error = f"HTTP {r.status_code}"
                if r.status_code < 500 and r.status_code != 429:
                    break                                # the receiver rejects it: no retry
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
            if attempt < settings.webhook_retries:
                sleep(min(30.0, 0.5 * 2 ** attempt))
    log.warning("webhook_failed", doc=record["document_id"], url=settings.webhook_url,
                attempts=attempts, error=error)
    return {"status": "failed", "attempts": attempts, "error": error}


def export_document(settings: Settings, snapshot: dict[str, Any],
                    transport: httpx.BaseTransport | None = None) -> dict[str, Any]:
    """Write the JSON and CSV exports of an approved document and deliver the webhook."""
    record = export_record(snapshot)
    out = settings.exports_dir
    stem = f"{record['doc_type'] or 'document'}-{int(snapshot['id']):08d}"
    json_path, csv_path = out / f"{stem}.json", out / f"{stem}.csv"
    _atomic_write(json_path, json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    _atomic_write(csv_path, to_csv(record))
    hook = post_webhook(settings, record, transport)
    outbox = out / "webhook-outbox" / f"{stem}.json"
    if hook["status"] == "failed":
        _atomic_write(outbox, json.dumps(record, ensure_ascii=False))
    elif outbox.exists():
        outbox.unlink()
    return {"json": str(json_path), "csv": str(csv_path), "webhook": hook,
            "reference": json_path.name}


def replay_outbox(settings: Settings, transport: httpx.BaseTransport | None = None
                  ) -> dict[str, int]:
    """Re-send every record waiting in the webhook outbox; {"sent": n, "failed": m}."""
    box = settings.exports_dir / "webhook-outbox"
    counts = {"sent": 0, "failed": 0}
    for path in sorted(box.glob("*.json")) if box.is_dir() else []:
        record = json.loads(path.read_text(encoding="utf-8"))
        res = post_webhook(settings, record, transport, sleep=lambda _s: None)
        counts[res["status"] if res["status"] == "sent" else "failed"] += 1
        if res["status"] == "sent":
            path.unlink()
    return counts
