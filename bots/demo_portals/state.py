"""Shared state of the bundled demo portals: fault injection, login sessions and the
portals' own SQLite database (what each portal has recorded, keyed by business key).

Faults are deterministic when tests want them to be: a `FaultRule` fails the next
``count`` requests whose path starts with ``path`` (optionally only one HTTP method), and
random faults draw from a seeded RNG.  Kinds: ``500`` (error before the handler runs),
``500_after`` (the handler commits, then the client sees a 500 - the ambiguous case),
``maintenance`` (a 200 maintenance page), ``slow`` (delay) and ``expire`` (the session
dies right before this request)."""
from __future__ import annotations

import random
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FAULT_KINDS = ("500", "500_after", "maintenance", "slow", "expire")


@dataclass
class FaultRule:
    path: str
    kind: str
    count: int = 1
    method: str | None = None
    delay_s: float = 2.0

    def matches(self, method: str, path: str) -> bool:
        return (self.count > 0 and path.startswith(self.path)
                and (self.method is None or self.method.upper() == method.upper()))


@dataclass
class FaultConfig:
    """Fault injection and quirks of the demo portals (all adjustable at run time)."""

    seed: int | None = 0
    error_rate: float = 0.0          # probability of a 500 per request
    maintenance_rate: float = 0.0    # probability of the maintenance page
    slow_rate: float = 0.0           # probability of a slow response
    slow_s: float = 1.5
    session_ttl_s: float = 60.0      # idle session expiry
    xhr_delay_s: float = 0.05        # latency of the XHR-loaded dropdowns
    rules: list[FaultRule] = field(default_factory=list)
    ui_variant: dict[str, str] = field(default_factory=dict)  # portal -> "v1" | "v2"
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    def __post_init__(self) -> None:
        self._rng.seed(self.seed)

    def add_rule(self, path: str, kind: str, count: int = 1, method: str | None = None,
                 delay_s: float = 2.0) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {FAULT_KINDS}")
        with self._lock:
            self.rules.append(FaultRule(path, kind, count, method, delay_s))

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()
            self.error_rate = self.maintenance_rate = self.slow_rate = 0.0
            self.ui_variant.clear()

    def draw(self, method: str, path: str) -> tuple[str, float] | None:
        """The fault for this request, if any: (kind, delay_s).  Consumes one rule use."""
        with self._lock:
            for rule in self.rules:
                if rule.matches(method, path):
                    rule.count -= 1
                    return rule.kind, rule.delay_s
            self.rules[:] = [r for r in self.rules if r.count > 0]
            r = self._rng.random()
            if r < self.error_rate:
                return "500", 0.0
            if r < self.error_rate + self.maintenance_rate:
                return "maintenance", 0.0
            if r < self.error_rate + self.maintenance_rate + self.slow_rate:
                return "slow", self.slow_s
        return None


@dataclass
class Session:
    user: str
    portal: str
    csrf: str
    last_seen: float
    drafts: dict[str, Any] = field(default_factory=dict)


class Sessions:
    """Server-side login sessions with idle expiry."""

    def __init__(self, faults: FaultConfig) -> None:
        self.faults = faults
        self._by_token: dict[str, Session] = {}
        self._lock = threading.Lock()

    def create(self, portal: str, user: str) -> str:
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._by_token[token] = Session(user, portal, secrets.token_urlsafe(16), time.time())
        return token

    def get(self, portal: str, token: str | None) -> Session | None:
        if not token:
            return None
        with self._lock:
            s = self._by_token.get(token)
            if s is None or s.portal != portal:
                return None
            now = time.time()
            if now - s.last_seen > self.faults.session_ttl_s:
                del self._by_token[token]
                return None
            s.last_seen = now
            return s

    def expire(self, token: str | None = None) -> None:
        with self._lock:
            if token is None:
                self._by_token.clear()
            else:
                self._by_token.pop(token, None)


SCHEMA = """
CREATE TABLE IF NOT EXISTS pos (portal TEXT, po_number TEXT, partner TEXT, currency TEXT,
    status TEXT, PRIMARY KEY (portal, po_number));
CREATE TABLE IF NOT EXISTS po_lines (portal TEXT, po_number TEXT, line_no INTEGER, sku TEXT,
    description TEXT, quantity REAL, unit TEXT, unit_price REAL, requested_date TEXT);
CREATE TABLE IF NOT EXISTS open_items (portal TEXT, invoice_number TEXT, amount REAL,
    currency TEXT, PRIMARY KEY (portal, invoice_number));
CREATE TABLE IF NOT EXISTS records (id INTEGER PRIMARY KEY AUTOINCREMENT, portal TEXT,
    kind TEXT, business_key TEXT, reference TEXT UNIQUE, header TEXT, lines TEXT,
    attachment_name TEXT, attachment_size INTEGER, user TEXT, created_at REAL);
CREATE INDEX IF NOT EXISTS ix_records_key ON records (portal, kind, business_key);
"""


class PortalDB:
    """The portals' own database.  Legacy portals do not deduplicate: every submission is
    a new row in `records` (kinds: ack, invoice_upload, invoice, payment), so "exactly
    once" is entirely the bot's job - and tests can count rows per business key."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.executescript(SCHEMA)

    def query(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._conn.execute(sql, args))

    def execute(self, sql: str, *args: Any) -> int:
        with self._lock:
            return int(self._conn.execute(sql, args).lastrowid or 0)

    # ---- master data ---------------------------------------------------------------
    def upsert_po(self, portal: str, po_number: str, lines: list[dict[str, Any]], *,
                  partner: str = "Demo Partner", currency: str = "EUR",
                  status: str = "open") -> None:
        with self._lock:
            c = self._conn
            c.execute("BEGIN")
            c.execute("INSERT OR REPLACE INTO pos VALUES (?,?,?,?,?)",
                      (portal, po_number, partner, currency, status))
            c.execute("DELETE FROM po_lines WHERE portal=? AND po_number=?", (portal, po_number))
            for i, ln in enumerate(lines, 1):
                c.execute("INSERT INTO po_lines VALUES (?,?,?,?,?,?,?,?,?)",
                          (portal, po_number, i, ln["sku"], ln.get("description", ln["sku"]),
                           float(ln.get("quantity", 1)), ln.get("unit", "EA"),
                           float(ln.get("unit_price", 1)), ln.get("requested_date", "2026-12-15")))
            c.execute("COMMIT")

    def upsert_open_item(self, portal: str, invoice_number: str, amount: float,
                         currency: str = "EUR") -> None:
        self.execute("INSERT OR REPLACE INTO open_items VALUES (?,?,?,?)",
                     portal, invoice_number, amount, currency)

    def po(self, portal: str, po_number: str) -> sqlite3.Row | None:
        rows = self.query("SELECT * FROM pos WHERE portal=? AND po_number=?", portal, po_number)
        return rows[0] if rows else None

    def po_lines(self, portal: str, po_number: str) -> list[sqlite3.Row]:
        return self.query("SELECT * FROM po_lines WHERE portal=? AND po_number=? ORDER BY line_no",
                          portal, po_number)

    # ---- submissions ---------------------------------------------------------------
    def add_record(self, portal: str, kind: str, key: str, prefix: str, header: str,
                   lines: str, user: str, attachment: tuple[str, int] | None = None) -> str:
        with self._lock:
            c = self._conn
            c.execute("BEGIN IMMEDIATE")
            n = c.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM records").fetchone()[0]
            ref = f"{prefix}-{100000 + n}"
            c.execute("INSERT INTO records (portal, kind, business_key, reference, header, lines,"
                      " attachment_name, attachment_size, user, created_at)"
                      " VALUES (?,?,?,?,?,?,?,?,?,?)",
                      (portal, kind, key, ref, header, lines,
                       attachment[0] if attachment else None,
                       attachment[1] if attachment else None, user, time.time()))
            c.execute("COMMIT")
        return ref

    def records(self, portal: str, kind: str, key: str | None = None) -> list[sqlite3.Row]:
        if key is None:
            return self.query("SELECT * FROM records WHERE portal=? AND kind=? ORDER BY id",
                              portal, kind)
        return self.query("SELECT * FROM records WHERE portal=? AND kind=? AND business_key=?"
                          " ORDER BY id", portal, kind, key)

    def count(self, portal: str, kind: str, key: str) -> int:
        return len(self.records(portal, kind, key))


def seed(db: PortalDB) -> None:
    """Deterministic demo master data (idempotent)."""
    if db.query("SELECT 1 FROM pos LIMIT 1"):
        return
    for i in range(1, 41):
        lines = [{"sku": f"SKU-{100 + j}", "description": f"Widget type {j}",
                  "quantity": 10 * j, "unit_price": 2.5 * j} for j in range(1, 4)]
        db.upsert_po("acme", f"PO-{1000 + i}", lines, partner="ACME Corp")
        db.upsert_po("globex", f"GX-{2000 + i}", lines, partner="Globex Inc")
        db.upsert_open_item("globex", f"INV-{9000 + i}", 100.0 * i)
    closed = [{"sku": "SKU-101", "quantity": 1, "unit_price": 1}]
    db.upsert_po("acme", "PO-1999", closed, partner="ACME Corp", status="closed")
    db.upsert_po("globex", "GX-2999", closed, partner="Globex Inc", status="closed")
