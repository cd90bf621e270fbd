"""Typed validation results: a list of named checks, each with a human-readable reason,
the fields it concerns and optional structured ``data`` (the matched partner, the matched
PO, a sales-order or cash-application proposal, dispute records, field confidences...).

``ValidationResult.meta`` carries document-level facts the router needs without
re-reading master data (``doc_type``, ``partner_number``, ``partner_kind``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any


@dataclass
class Check:
    code: str                  # e.g. "arithmetic.net_tax_gross"
    ok: bool
    reason: str                # one line a reviewer understands
    fields: list[str] = field(default_factory=list)
    blocking: bool = True      # a failed blocking check forces review (rules may override)
    data: dict[str, Any] = field(default_factory=dict)   # JSON-serialisable details

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "ok": self.ok, "reason": self.reason,
                               "fields": list(self.fields), "blocking": self.blocking}
        if self.data:
            out["data"] = self.data
        return out


@dataclass
class ValidationResult:
    checks: list[Check] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def add(self, code: str, ok: bool, reason: str, fields: list[str] | None = None,
            blocking: bool = True, data: dict[str, Any] | None = None) -> Check:
        check = Check(code, ok, reason, fields or [], blocking, data or {})
        self.checks.append(check)
        return check

    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def get(self, code: str) -> Check | None:
        """The first check with ``code`` (None when it was not run)."""
        return next((c for c in self.checks if c.code == code), None)

    def codes(self) -> set[str]:
        return {c.code for c in self.checks}

    def summary(self) -> str:
        bad = self.failed()
        if not bad:
            return f"{len(self.checks)} checks passed"
        return f"{len(bad)} of {len(self.checks)} checks failed: " + ", ".join(c.code for c in bad)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"checks": [c.to_dict() for c in self.checks]}
        if self.meta:
            out["meta"] = dict(self.meta)
        return out


def dec(v: Any) -> Decimal | None:
    """Decimal of a canonical amount string (None when empty or not a number)."""
    try:
        d = Decimal(str(v)) if v not in (None, "") else None
    except InvalidOperation:
        return None
    return d if d is None or d.is_finite() else None


def parse_iso(v: Any) -> date | None:
    """date of an ISO string (None when empty or invalid)."""
    try:
        return date.fromisoformat(str(v)) if v else None
    except ValueError:
        return None
