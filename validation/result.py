"""Typed validation results: a list of named checks, each with a human-readable reason
and the fields it concerns."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Check:
    code: str                  # e.g. "arithmetic.net_tax_gross"
    ok: bool
    reason: str                # one line a reviewer understands
    fields: list[str] = field(default_factory=list)
    blocking: bool = True      # a failed blocking check forces review


@dataclass
class ValidationResult:
    checks: list[Check] = field(default_factory=list)

    def add(self, code: str, ok: bool, reason: str, fields: list[str] | None = None,
            blocking: bool = True) -> None:
        self.checks.append(Check(code, ok, reason, fields or [], blocking))

    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def summary(self) -> str:
        bad = self.failed()
        if not bad:
            return f"{len(self.checks)} checks passed"
        return f"{len(bad)} of {len(self.checks)} checks failed: " + ", ".join(c.code for c in bad)

    def to_dict(self) -> dict[str, Any]:
        return {"checks": [asdict(c) for c in self.checks]}
