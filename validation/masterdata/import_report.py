"""The report of one master-data import (`ImportReport`: rows, version, per-line errors and
warnings, encoding and delimiter) and the errors an import raises.

    report.ok, report.summary(), report.raise_for_errors(), report.as_dict()
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.errors import InputError

MAX_ERRORS = 200     # errors kept in a report (all are counted)


class MasterDataImportError(InputError):
    """A master-data import was rejected; the message summarises the report."""

    kind = "masterdata_rejected"


class UnknownKind(InputError):
    kind = "masterdata_unknown_kind"


@dataclass
class RowError:
    line: int | None          # CSV line / record number (1-based); None for file-level
    message: str
    column: str | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        col = f"{self.column}: " if self.column else ""
        return f"{where}{col}{self.message}"


@dataclass
class ImportReport:
    kind: str
    source: str
    sha256: str = ""
    rows: int = 0
    version_id: int | None = None
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    error_count: int = 0
    encoding: str | None = None
    delimiter: str | None = None
    duration_ms: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def error(self, line: int | None, message: str, column: str | None = None) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(line, message, column))

    def summary(self) -> str:
        if self.ok:
            return (f"imported {self.rows} {self.kind} rows from {self.source} as version "
                    f"{self.version_id}")
        first = "; ".join(str(e) for e in self.errors[:3])
        return (f"rejected {self.kind} import from {self.source}: {self.error_count} error(s), "
                f"nothing applied, previous version stays active - {first}")

    def raise_for_errors(self) -> ImportReport:
        if not self.ok:
            raise MasterDataImportError(self.summary())
        return self

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "source": self.source, "ok": self.ok, "rows": self.rows,
                "version_id": self.version_id, "error_count": self.error_count,
                "errors": [str(e) for e in self.errors],
                "warnings": [str(w) for w in self.warnings], "sha256": self.sha256}

