"""Reading master-data files: decode the bytes (BOMs, UTF-8, cp1252, latin-1), sniff the
CSV delimiter from the header line, and read CSV or JSON into (header, numbered rows);
problems are written to the `ImportReport`.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
from typing import Any

from validation.masterdata.import_report import ImportReport

def decode(data: bytes) -> tuple[str, str]:
    """Decode file bytes: BOMs first, then strict UTF-8, then cp1252, then latin-1."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc), enc
    for enc in ("utf-8", "cp1252"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def sniff_delimiter(header_line: str) -> str:
    """The candidate delimiter occurring most often in the header line (outside quotes)."""
    unquoted, inside = [], False
    for ch in header_line:
        if ch == '"':
            inside = not inside
        elif not inside:
            unquoted.append(ch)
    s = "".join(unquoted)
    counts = {d: s.count(d) for d in (";", ",", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


Rows = list[tuple[int, dict[str, Any]]]


def read_csv(text_: str, report: ImportReport) -> tuple[list[str], Rows]:
    """(header, [(line number, {header: cell})]); blank rows skipped."""
    first = next((ln for ln in text_.splitlines() if ln.strip()), "")
    report.delimiter = sniff_delimiter(first)
    reader = csv.reader(io.StringIO(text_, newline=""), delimiter=report.delimiter)
    header: list[str] | None = None
    out: Rows = []
    try:
        for row in reader:
            if not any(c.strip() for c in row):
                continue
            if header is None:
                header = row
            elif len(row) > len(header) and any(c.strip() for c in row[len(header):]):
                report.error(reader.line_num, f"{len(row)} cells but the header has "
                             f"{len(header)} columns")
            else:
                out.append((reader.line_num, dict(zip(header, row))))
    except csv.Error as exc:
        report.error(reader.line_num, f"unreadable CSV: {exc}")
    if header is None:
        report.error(None, "the file is empty (no header row)")
    return header or [], out


def read_json(text_: str, kind: str, report: ImportReport) -> tuple[list[str], Rows]:
    try:
        data = json.loads(text_)
    except json.JSONDecodeError as exc:
        report.error(exc.lineno, f"invalid JSON: {exc.msg}")
        return [], []
    if isinstance(data, dict):
        data = data.get(kind, data.get("records", data.get("rows")))
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        report.error(None, f'expected a JSON list of objects (or {{"{kind}": [...]}})')
        return [], []
    return union_keys(data), list(enumerate(data, 1))


def union_keys(records: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(k for r in records for k in r))

