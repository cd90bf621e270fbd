"""Routing: straight through, or review with the list of named reasons."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Decision:
    approve: bool
    reasons: list[dict[str, Any]] = field(default_factory=list)


def decide(validation: dict[str, Any]) -> Decision:
    reasons = [{"code": c["code"], "reason": c["reason"], "fields": c.get("fields", [])}
               for c in validation.get("checks", []) if not c["ok"] and c.get("blocking", True)]
    return Decision(approve=not reasons, reasons=reasons)
