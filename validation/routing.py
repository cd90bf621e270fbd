"""Routing: straight through, or review with the list of named reasons.

`decide(validation)` reads the stored validation dict (checks + meta) and the routing
rules (`validation.rules`, resolved per document type and matched partner):

* a failed check forces review unless the rules list it under ``warn`` (then it is a
  warning); ``review`` makes any failed check force review; unknown / ambiguous / blocked
  partners always force review;
* field confidences recorded by ``fields.confidence`` are re-judged against the current
  per-field thresholds, so a reloaded rules file applies to documents still waiting;
* with option ``require_masterdata`` a document whose partner was not matched (for example
  because no master data is imported) goes to review as ``partner.unverified``.

`explain(validation)` returns one line per decision input, for the "why" view.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from validation.rules import RuleSet, Rules, current_rules

PARTNER_DOC_TYPES = {"invoice": "seller", "credit_note": "seller", "purchase_order": "buyer",
                     "remittance": "payer"}


@dataclass
class Decision:
    approve: bool
    reasons: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)


def ruleset_for(validation: dict[str, Any], rules: Rules | None = None) -> RuleSet:
    meta = validation.get("meta") or {}
    return (rules or current_rules()).for_doc(meta.get("doc_type"), meta.get("partner_number"))


def _judge(validation: dict[str, Any], rs: RuleSet
           ) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """[(verdict, check, reason dict)] with verdict review | warn | pass."""
    out: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    checks = validation.get("checks", [])
    for c in checks:
        code = c.get("code", "?")
        item = {"code": code, "reason": c.get("reason", ""), "fields": c.get("fields", [])}
        conf = (c.get("data") or {}).get("confidences")
        if code == "fields.confidence" and conf is not None:
            low = [(n, v, rs.threshold(n)) for n, v in conf.items() if v < rs.threshold(n)]
            if low:
                item = {"code": code, "fields": [n for n, _, _ in low],
                        "reason": "low confidence: " + ", ".join(
                            f"{n} ({v:.2f} < {t:.2f})" for n, v, t in low)}
                out.append(("review" if rs.forces_review(code) else "warn", c, item))
            else:
                item["reason"] = "all fields at or above their confidence thresholds"
                out.append(("pass", c, item))
            continue
        if c.get("ok", False):
            out.append(("pass", c, item))
        else:
            verdict = "review" if rs.forces_review(code, c.get("blocking", True)) else "warn"
            out.append((verdict, c, item))
    meta = validation.get("meta") or {}
    doc_type = meta.get("doc_type")
    if meta and doc_type in PARTNER_DOC_TYPES and rs.option("require_masterdata"):
        matched = any(c.get("code") == "partner.matched" and c.get("ok") for c in checks)
        flagged = any(v == "review" and c.get("code", "").startswith("partner.")
                      for v, c, _ in out)
        if not matched and not flagged:
            role = PARTNER_DOC_TYPES[doc_type]
            item = {"code": "partner.unverified", "fields": [f"{role}_name"],
                    "reason": f"the {role} could not be matched to master data, so the "
                              "document cannot be approved automatically"}
            out.append(("review", item, item))
    return out


def decide(validation: dict[str, Any], rules: Rules | None = None) -> Decision:
    rs = ruleset_for(validation, rules)
    judged = _judge(validation, rs)
    reasons = [item for v, _, item in judged if v == "review"]
    warnings = [item for v, _, item in judged if v == "warn"]
    return Decision(approve=not reasons, reasons=reasons, warnings=warnings)


def explain(validation: dict[str, Any], rules: Rules | None = None) -> list[str]:
    """Human-readable lines explaining the routing decision, one per check."""
    r = rules or current_rules()
    rs = ruleset_for(validation, r)
    judged = _judge(validation, rs)
    meta = validation.get("meta") or {}
    n_review = sum(1 for v, _, _ in judged if v == "review")
    n_warn = sum(1 for v, _, _ in judged if v == "warn")
    head = ("approved straight through" if not n_review else
            f"needs review: {n_review} reason(s)")
    lines = [f"Decision: {head}; {n_warn} warning(s).",
             f"Rules: {r.source}; document type {meta.get('doc_type') or 'unknown'}; partner "
             f"{meta.get('partner_number') or 'not matched'}"
             + (f" ({meta.get('partner_name')})" if meta.get("partner_name") else "")
             + f"; default confidence threshold {rs.min_confidence:.2f}."]
    order = {"review": 0, "warn": 1, "pass": 2}
    for verdict, check, item in sorted(judged, key=lambda t: order[t[0]]):
        fields = f" [fields: {', '.join(item['fields'])}]" if item.get("fields") else ""
        if verdict == "review":
            why = ("always reviewed" if item["code"] in {"partner.unknown", "partner.conflict",
                                                         "partner.inactive",
                                                         "partner.unverified"}
                   else "forces review")
            lines.append(f"REVIEW {item['code']}: {item['reason']}{fields} ({why})")
        elif verdict == "warn":
            lines.append(f"WARN   {item['code']}: {item['reason']}{fields} (warning only "
                         "under the rules; does not block)")
        else:
            lines.append(f"PASS   {item['code']}: {item['reason']}")
    return lines
