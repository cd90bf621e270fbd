"""The posting side of `o2c demo`: the bundled legacy portals, the demo partners that use
them, and a scripted reviewer who approves the documents the machine was unsure of, so the
bots key them in and the demo can show confirmation numbers and proof."""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.settings import Settings

# portal recipe -> (master-data file, truth field naming the partner, demo sample stem)
PORTAL_PARTNERS = {
    "acme": ("customers.csv", "buyer_name", "po-0001"),
    "globex": ("suppliers.csv", "seller_name", "invoice-0002"),
}


@dataclass
class DemoPortals:
    server: Any

    def stop(self) -> None:
        self.server.stop()


def start(settings: Settings) -> DemoPortals:
    """Serve the portals and write their credentials where the bots look for them."""
    from bots.demo_portals.app import DEFAULT_USERS, serve_portals

    base = settings.home.resolve()
    srv = serve_portals("127.0.0.1", 0, base / "demo" / "portals.sqlite3")
    secrets = {}
    for portal, users in DEFAULT_USERS.items():
        user, password = next(iter(users.items()))
        secrets[portal] = {"url": srv.base_url(portal), "user": user, "password": password}
    path = base / "secrets" / "portals.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(secrets, indent=2))
    path.chmod(0o600)
    return DemoPortals(srv)


def assign_portals(masterdata: Path, inbox: Path) -> None:
    """Give the partners of the demo PO and invoice a portal account in the master-data
    files (before they are imported)."""
    for portal, (file, field, stem) in PORTAL_PARTNERS.items():
        truth = json.loads((inbox / f"{stem}.truth.json").read_text())
        name = truth["fields"].get(field)
        path = masterdata / file
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        for row in rows:
            if row.get("name") == name:
                row["portal_recipe"], row["portal_account"] = portal, f"{portal}-demo"
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)


def seed_orders(portals: DemoPortals, inbox: Path) -> None:
    """The customer's portal knows the PO we received; the supplier's portal knows the PO
    their invoice refers to."""
    po = json.loads((inbox / "po-0001.truth.json").read_text())
    inv = json.loads((inbox / "invoice-0002.truth.json").read_text())
    db = portals.server.db
    for portal, truth, number in (("acme", po, po["fields"].get("po_number")),
                                  ("globex", inv, inv["fields"].get("po_number"))):
        if not number:
            continue
        lines = [{"sku": ln.get("sku"), "description": ln.get("description"),
                  "quantity": float(ln.get("quantity") or 0),
                  "unit_price": float(ln.get("unit_price") or 0)} for ln in truth.get("lines", [])]
        db.upsert_po(portal, number, lines, currency=truth["fields"].get("currency", "EUR"))


def review_and_approve(rt, doc_ids: list[int], username: str = "reviewer") -> list[int]:
    """What a reviewer does in the web UI, scripted: open each document waiting for review
    whose partner keys into a portal, and approve it (recorded as that user)."""
    from sqlalchemy import select

    from core import documents
    from review_ui import editing, locks
    from review_ui.auth import Auth
    from review_ui.models import User

    approved = []
    with rt.db.session() as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        auth = Auth(user.id, user.username, user.role)
        for doc_id in doc_ids:
            doc = documents.get(s, doc_id)
            if doc.state != "needs_review" or not (doc.validation or {}).get("posting_target"):
                continue
            locks.acquire(s, doc_id, auth)
            editing.approve(s, doc_id, auth, doc.version, confirm=True)
            approved.append(doc_id)
    for doc_id in approved:
        editing.enqueue_after("approved", doc_id)
    return approved
