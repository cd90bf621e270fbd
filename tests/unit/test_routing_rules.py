"""Routing rules: YAML validation naming the key, layering per type and partner, hot
reload, decisions with warnings, and the "why" explanation."""
from __future__ import annotations

import os
import time
from decimal import Decimal

import pytest

from core.errors import ConfigError
from validation.routing import decide, explain
from validation.rules import RulesStore, configure_rules, current_rules, load_rules, parse_rules

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "validation", "rules.example.yaml")


def v(*checks, doc_type="invoice", partner="S-1", confidences=None):
    out = {"checks": [{"code": c, "ok": ok, "reason": f"{c} reason", "fields": ["f"],
                       "blocking": b} for c, ok, b in checks],
           "meta": {"doc_type": doc_type, "partner_number": partner}}
    out["checks"].append({"code": "partner.matched", "ok": partner is not None,
                          "reason": "matched", "fields": [], "blocking": False})
    if confidences is not None:
        out["checks"].append({"code": "fields.confidence", "ok": True, "reason": "", "fields": [],
                              "blocking": True, "data": {"confidences": confidences}})
    return out


def test_example_file_is_valid():
    rules = load_rules(EXAMPLE)
    assert rules.for_doc("invoice").min_confidence > 0


@pytest.mark.parametrize("data, key", [
    ({"defaults": {"min_confidence": 2}}, "defaults.min_confidence"),
    ({"defaults": {"tolerances": {"price_pct": "lots"}}}, "defaults.tolerances.price_pct"),
    ({"defaults": {"tolerances": {"nope": 1}}}, "defaults.tolerances.nope"),
    ({"doc_types": {"invoice": {"warn": [1]}}}, "doc_types.invoice.warn"),
    ({"doc_types": {"bill": {}}}, "doc_types.bill"),
    ({"partners": {"S-1": {"options": {"three_way": "yes"}}}}, "partners.S-1.options.three_way"),
    ({"partners": {"S-1": {"doc_types": {"invoice": {"colour": 1}}}}},
     "partners.S-1.doc_types.invoice.colour"),
    ({"extra": 1}, "extra"),
])
def test_invalid_rules_name_the_key(data, key):
    with pytest.raises(ConfigError) as exc:
        parse_rules(data, "rules.yaml")
    assert f"rules.yaml: {key}:" in exc.value.message


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_rules(tmp_path / "nope.yaml")
    (tmp_path / "bad.yaml").write_text("defaults: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_rules(tmp_path / "bad.yaml")


def test_layering_per_doc_type_and_partner():
    rules = parse_rules({
        "defaults": {"tolerances": {"price_pct": 1}, "field_confidence": {"total_gross": 0.95}},
        "doc_types": {"invoice": {"warn": ["matching.price"]}},
        "partners": {"S-1": {"tolerances": {"price_pct": 5}, "review": ["matching.price"],
                             "doc_types": {"invoice": {"min_confidence": 0.8}}}}})
    base = rules.for_doc("invoice", "S-2")
    assert base.tol("price_pct") == Decimal(1) and not base.forces_review("matching.price")
    s1 = rules.for_doc("invoice", "S-1")
    assert s1.tol("price_pct") == Decimal(5) and s1.forces_review("matching.price")
    assert s1.min_confidence == 0.8 and s1.threshold("total_gross") == 0.95
    assert rules.for_doc("purchase_order", "S-1").min_confidence == 0.9
    assert s1.threshold("lines[3].quantity") == 0.8


def test_decide_review_warn_and_never_waived():
    rules = parse_rules({"defaults": {"warn": ["arithmetic.*", "partner.unknown"]}})
    d = decide(v(("arithmetic.line", False, True), ("dates.due_terms", False, False)), rules)
    assert d.approve and {w["code"] for w in d.warnings} == {"arithmetic.line", "dates.due_terms"}
    d = decide(v(("partner.unknown", False, True), partner=None), rules)
    assert not d.approve and d.reasons[0]["code"] == "partner.unknown"
    d = decide(v(("duplicate.number", False, True)), rules)
    assert not d.approve and d.reasons[0]["fields"] == ["f"]


def test_unmatched_partner_goes_to_review():
    d = decide(v(("partner.no_masterdata", False, False), partner=None))
    assert not d.approve and [r["code"] for r in d.reasons] == ["partner.unverified"]
    rules = parse_rules({"defaults": {"options": {"require_masterdata": False}}})
    assert decide(v(("partner.no_masterdata", False, False), partner=None), rules).approve


def test_confidence_rejudged_with_current_thresholds():
    val = v(confidences={"total_gross": 0.93, "lines[1].quantity": 0.97})
    assert decide(val).approve
    strict = parse_rules({"doc_types": {"invoice": {"field_confidence": {"total_gross": 0.95}}}})
    d = decide(val, strict)
    assert not d.approve and d.reasons[0]["fields"] == ["total_gross"]


def test_explain_lists_every_check():
    val = v(("matching.price", False, True), ("dates.due_terms", False, False),
            ("arithmetic.net_tax_gross", True, True))
    lines = explain(val)
    assert lines[0].startswith("Decision: needs review: 1 reason(s)")
    assert any(ln.startswith("REVIEW matching.price") for ln in lines)
    assert any(ln.startswith("WARN   dates.due_terms") for ln in lines)
    assert any(ln.startswith("PASS   arithmetic.net_tax_gross") for ln in lines)


def test_hot_reload_on_mtime_change(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("defaults:\n  min_confidence: 0.8\n")
    store = RulesStore(path)
    assert store.current().for_doc("invoice").min_confidence == 0.8
    path.write_text("defaults:\n  min_confidence: 0.7\n")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10_000_000))
    assert store.current().for_doc("invoice").min_confidence == 0.7
    path.write_text("defaults:\n  min_confidence: 7\n")          # broken edit: keep previous
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 20_000_000))
    assert store.current().for_doc("invoice").min_confidence == 0.7


def test_configure_rules_installs_the_process_store(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("partners:\n  S-9:\n    warn: [matching.price]\n")
    try:
        configure_rules(path)
        assert not current_rules().for_doc("invoice", "S-9").forces_review("matching.price")
        with pytest.raises(ConfigError):
            path.write_text("partners: [1]\n")
            configure_rules(path)
    finally:
        configure_rules(None)
    assert current_rules().source == "built-in defaults"
