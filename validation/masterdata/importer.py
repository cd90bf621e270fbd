"""Import master data from CSV / JSON files, from records (REST API) or from a SQL query.

    report = import_file(session, "suppliers.csv", "suppliers")
    if not report.ok: print(report.summary()); print(report.errors[:5])

Each call validates *every* row first (required columns, numbers, dates, duplicate keys,
references to other master data) and writes nothing unless the whole set is clean; then it
writes a new `MasterDataVersion` plus its rows with bulk inserts inside a savepoint.  A
rejected import is recorded as a ``failed`` version with no rows, so the previous version
stays active.  The caller's session commits (``Database.session()`` does on exit).

CSV files may be UTF-8 (with or without BOM), UTF-16 with BOM or cp1252/latin-1; the
delimiter (``,`` ``;`` tab ``|``) is sniffed from the header; header names are matched
case-, space- and punctuation-insensitively with aliases (see `formats.COLUMNS`); numbers
may be written ``1234.56``, ``1,234.56`` or ``1.234,56`` (the file's decimal mark is
detected once per file); dates ISO ``2024-03-31`` or ``31.03.2024``; list cells
(aliases, IBANs, e-mail domains) are separated by ``|``.

Flat order formats, one row per order line (kind ``purchase_orders``)::

    po_number;supplier_number;order_date;currency;line_no;sku;description;quantity;unit;
    unit_price;received_qty;receipt_number;receipt_date

Header columns repeat on every line of an order and must agree.  A line with several goods
receipts repeats the line once per receipt (different ``receipt_number``, each row's
``received_qty`` being that receipt's quantity); a line without receipt leaves the three
receipt columns empty.  ``sales_orders`` is the same without receipts, with
``so_number;customer_number;customer_po_number`` as header columns.

The report type lives in `import_report`, file decoding and CSV/JSON reading in
`file_reading`; both are re-exported here.
"""
from __future__ import annotations

import hashlib
import json
import re
import time
import unicodedata
from decimal import InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, delete, insert, select, text
from sqlalchemy.orm import Session

from core.errors import UnreadablePath
from core.logs import get_logger
from validation.masterdata.file_reading import (Rows, decode, read_csv, read_json,
                                                sniff_delimiter, union_keys)
from validation.masterdata.formats import (COLUMNS, KEYS, REFERENCES, Col, decimal_hint,
                                           parse_cell)
from validation.masterdata.import_report import (MAX_ERRORS, ImportReport,  # noqa: F401
                                                 MasterDataImportError, RowError, UnknownKind)
from validation.masterdata.models import (KIND_TABLES, KINDS, PARTNER_KINDS, STATUS_FAILED,
                                          STATUS_IMPORTING, STATUS_OK, MasterDataVersion)
from validation.masterdata.repository import active_versions, reference_keys

log = get_logger(__name__)
IMPORT_ORDER = ("payment_terms", "customers", "suppliers", "products", "part_numbers",
                "prices", "purchase_orders", "sales_orders", "ar_invoices")


# ------------------------------------------------------------------------ entry points
def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise UnknownKind(f"unknown master-data kind {kind!r}; use one of {', '.join(KINDS)}")
    return kind


def import_file(session: Session, path: str | Path, kind: str) -> ImportReport:
    """Import a CSV or JSON file as a new version of ``kind``."""
    _check_kind(kind)
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise UnreadablePath(f"cannot read master-data file {p}: {exc.strerror}") from exc
    report = ImportReport(kind, p.name, hashlib.sha256(data).hexdigest())
    text_, report.encoding = decode(data)
    if p.suffix.lower() == ".json" or text_.lstrip()[:1] in ("[", "{"):
        return _run(session, kind, *read_json(text_, kind, report), report)
    return _run(session, kind, *read_csv(text_, report), report)


def import_records(session: Session, kind: str, records: list[dict[str, Any]],
                   source: str = "api") -> ImportReport:
    """Import already-parsed records (REST API, SQL); numbering starts at record 1."""
    _check_kind(kind)
    blob = json.dumps(records, sort_keys=True, default=str).encode()
    report = ImportReport(kind, source, hashlib.sha256(blob).hexdigest())
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        report.error(None, "expected a list of objects")
        return _record_failure(session, report)
    return _run(session, kind, union_keys(records), list(enumerate(records, 1)), report)


def import_sql(session: Session, kind: str, url: str, query: str) -> ImportReport:
    """Run ``query`` against another database (SQLAlchemy URL) and import its rows."""
    _check_kind(kind)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            records = [dict(r._mapping) for r in conn.execute(text(query))]
    except Exception as exc:
        raise MasterDataImportError(f"cannot read {kind} from the SQL source: "
                                    f"{str(exc).splitlines()[0]}") from exc
    finally:
        engine.dispose()
    source = "sql:" + (url.split("@", 1)[-1] if "@" in url else url)
    return import_records(session, kind, records, source=source[:512])


def import_directory(session: Session, folder: str | Path) -> list[ImportReport]:
    """Import ``<kind>.csv`` / ``<kind>.json`` files found in ``folder``, in dependency order."""
    out = []
    for kind in IMPORT_ORDER:
        for ext in (".csv", ".json"):
            p = Path(folder) / f"{kind}{ext}"
            if p.is_file():
                out.append(import_file(session, p, kind))
    return out


# ------------------------------------------------------------------------ the pipeline
def _run(session: Session, kind: str, header: list[str], rows: Rows,
         report: ImportReport) -> ImportReport:
    t0 = time.perf_counter()
    if report.ok:
        parsed = _parse_rows(kind, header, rows, report)
        tables = _build_tables(kind, parsed, report) if report.ok else []
        if report.ok:
            refs = reference_keys(session, REFERENCES.get(kind, ()))
            _check_references(kind, parsed, refs, report)
        if report.ok:
            _apply(session, kind, tables, report)
    report.duration_ms = int((time.perf_counter() - t0) * 1000)
    if not report.ok:
        return _record_failure(session, report)
    log.info("masterdata_imported", kind=kind, source=report.source, rows=report.rows,
             version=report.version_id, ms=report.duration_ms)
    return report


def _norm_header(h: str) -> str:
    plain = unicodedata.normalize("NFKD", str(h)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")


def _map_columns(kind: str, header: list[str], report: ImportReport) -> dict[str, Col]:
    """{raw header: column}; errors for missing required and doubly-mapped columns."""
    names = {}
    for col in COLUMNS[kind]:
        for n in (col.name, *col.aliases):
            names.setdefault(_norm_header(n), col)
    mapping: dict[str, Col] = {}
    seen: dict[str, str] = {}
    for raw in header:
        col = names.get(_norm_header(raw))
        if col is None:
            report.warnings.append(RowError(None, "column ignored (unknown)", str(raw)))
        elif col.name in seen:
            report.error(None, f"columns {seen[col.name]!r} and {raw!r} both mean {col.name}")
        else:
            mapping[raw], seen[col.name] = col, str(raw)
    missing = [c.name for c in COLUMNS[kind] if c.required and c.name not in seen]
    if missing:
        report.error(None, f"missing required column(s): {', '.join(missing)} "
                     f"(found: {', '.join(map(str, header)) or 'none'})")
    return mapping


def _parse_rows(kind: str, header: list[str], rows: Rows,
                report: ImportReport) -> list[tuple[int, dict[str, Any]]]:
    mapping = _map_columns(kind, header, report)
    if not report.ok:
        return []
    hint = decimal_hint(rows, [h for h, c in mapping.items() if c.type == "dec"])
    keys, first_seen = KEYS[kind], {}
    out = []
    for line, raw in rows:
        vals: dict[str, Any] = {}
        bad = False
        for h, col in mapping.items():
            v = raw.get(h)
            if v is None or (isinstance(v, str) and not v.strip()) or v == []:
                vals[col.name] = None
                if col.required:
                    report.error(line, "required value missing", col.name)
                    bad = True
                continue
            warn: list[str] = []
            try:
                vals[col.name] = parse_cell(col, v, hint, warn)
            except (ValueError, InvalidOperation) as exc:
                report.error(line, str(exc), col.name)
                bad = True
            report.warnings += [RowError(line, w, col.name) for w in warn]
        if bad:
            continue
        key = tuple(vals.get(k) for k in keys)
        if key in first_seen:
            shown = ", ".join(f"{k}={v}" for k, v in zip(keys, key) if v is not None)
            report.error(line, f"duplicate key {shown} (first on line {first_seen[key]})")
            continue
        first_seen[key] = line
        out.append((line, vals))
    return out


def _same(report: ImportReport, line: int, what: str, kept: dict[str, Any],
          new: dict[str, Any], cols: tuple[str, ...]) -> None:
    for c in cols:
        if new.get(c) is not None and kept.get(c) is not None and new[c] != kept[c]:
            report.error(line, f"{what}: {c} {new[c]!s} differs from {kept[c]!s} on line "
                         f"{kept['_line']}", c)


def _build_tables(kind: str, parsed: list[tuple[int, dict[str, Any]]],
                  report: ImportReport) -> list[list[dict[str, Any]]]:
    """Rows per table of ``KIND_TABLES[kind]``; checks flat order files for consistency."""
    if kind not in ("purchase_orders", "sales_orders"):
        rows = []
        for line, v in parsed:
            r = {k: val for k, val in v.items() if val is not None}
            if kind in PARTNER_KINDS:
                r = {"aliases": [], "ibans": [], "email_domains": [], "active": True, **r,
                     "kind": PARTNER_KINDS[kind]}
            elif kind == "products":
                r.setdefault("active", True)
            elif kind == "ar_invoices":
                r.setdefault("status", "open")
                r.setdefault("amount_due", r["amount"])
            elif kind == "prices" and r.get("partner_number") and not r.get("partner_kind"):
                report.error(line, "partner_number given without partner_kind", "partner_kind")
            rows.append(r)
        return [rows]
    num, party = (("po_number", "supplier_number") if kind == "purchase_orders"
                  else ("so_number", "customer_number"))
    head_cols = (party, "order_date", "currency", "status") + (
        ("customer_po_number",) if kind == "sales_orders" else ())
    line_cols = ("sku", "description", "quantity", "unit", "unit_price")
    heads: dict[str, dict[str, Any]] = {}
    lines: dict[tuple[str, int], dict[str, Any]] = {}
    receipts: list[dict[str, Any]] = []
    for line, v in parsed:
        order = v[num]
        h = heads.setdefault(order, {"number": order, "_line": line,
                                     **{c: v.get(c) for c in head_cols}})
        _same(report, line, f"order {order}", h, v, head_cols)
        ln = lines.setdefault((order, v["line_no"]), {
            "order_number": order, "line_no": v["line_no"], "_line": line,
            **{c: v.get(c) for c in line_cols}})
        _same(report, line, f"order {order} line {v['line_no']}", ln, v, line_cols)
        if any(v.get(c) is not None for c in ("received_qty", "receipt_number", "receipt_date")):
            if v.get("received_qty") is None:
                report.error(line, "receipt given without received_qty", "received_qty")
            receipts.append({"order_number": order, "line_no": v["line_no"],
                             "receipt_number": v.get("receipt_number"),
                             "receipt_date": v.get("receipt_date"),
                             "quantity": v.get("received_qty")})
    for h in heads.values():
        h.pop("_line")
        h["status"] = h.get("status") or "open"
    for ln in lines.values():
        ln.pop("_line")
    tables = [list(heads.values()), list(lines.values())]
    return tables + [receipts] if kind == "purchase_orders" else tables


def _check_references(kind: str, parsed: list[tuple[int, dict[str, Any]]],
                      refs: dict[str, set[str] | None], report: ImportReport) -> None:
    for col, target, needed in REFERENCES.get(kind, ()):
        for line, v in parsed:
            value = v.get(col)
            if value is None:
                continue
            tkind = target
            if target == "partner":
                if not v.get("partner_kind"):
                    continue
                tkind = v["partner_kind"] + "s"
            keys = refs.get(tkind)
            if keys is None:
                if needed:
                    report.error(None, f"{col} refers to {tkind}, but no {tkind} master data "
                                 f"is active: import {tkind} first")
                    break
                continue
            if value not in keys:
                report.error(line, f"unknown {tkind[:-1].replace('_', ' ')} {value!r} "
                             f"(not in the active {tkind} master data)", col)


def _apply(session: Session, kind: str, tables: list[list[dict[str, Any]]],
           report: ImportReport) -> None:
    version = MasterDataVersion(kind=kind, source=report.source[:512], sha256=report.sha256,
                                row_count=len(tables[0]), status=STATUS_IMPORTING)
    try:
        with session.begin_nested():
            session.add(version)
            session.flush()
            for model, rows in zip(KIND_TABLES[kind], tables):
                for r in rows:
                    r["version_id"] = version.id
                for i in range(0, len(rows), 5000):
                    session.execute(insert(model), rows[i:i + 5000])
            version.status = STATUS_OK
            session.flush()
    except Exception as exc:   # constraint violations and the like: nothing applied
        report.error(None, f"database rejected the rows: {str(exc).splitlines()[0]}")
        return
    report.rows, report.version_id = len(tables[0]), version.id


def _record_failure(session: Session, report: ImportReport) -> ImportReport:
    message = "; ".join(str(e) for e in report.errors[:20])
    session.add(MasterDataVersion(kind=report.kind, source=report.source[:512],
                                  sha256=report.sha256, row_count=0,
                                  error_count=report.error_count, status=STATUS_FAILED,
                                  message=message))
    session.flush()
    log.warning("masterdata_rejected", kind=report.kind, source=report.source,
                errors=report.error_count, first=str(report.errors[0]) if report.errors else "")
    return report


def prune_versions(session: Session, kind: str, keep: int = 3) -> int:
    """Delete the rows of all but the newest ``keep`` successful versions of ``kind``."""
    ids = session.scalars(select(MasterDataVersion.id).where(
        MasterDataVersion.kind == _check_kind(kind), MasterDataVersion.status == STATUS_OK)
        .order_by(MasterDataVersion.id.desc())).all()
    old = list(ids[keep:])
    if old:
        for model in KIND_TABLES[kind]:
            session.execute(delete(model).where(model.version_id.in_(old)))  # type: ignore[attr-defined]
        session.execute(delete(MasterDataVersion).where(MasterDataVersion.id.in_(old)))
    return len(old)


__all__ = ["ImportReport", "RowError", "MasterDataImportError", "UnknownKind", "import_file",
           "import_records", "import_sql", "import_directory", "prune_versions",
           "IMPORT_ORDER", "active_versions", "decode", "sniff_delimiter"]
