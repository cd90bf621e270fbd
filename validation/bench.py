"""Validation benchmark on generated documents with injected errors.

    python -m validation.bench --docs 10000 --seed 7 --out bench-reports/validation.json

Demo master data (`validation.masterdata.demo_data`, 50,000 open AR invoices) is imported
into a temporary SQLite database.  Documents come from `generators.documents` and are made
consistent with that master data (supplier invoices against real open POs with goods
receipts, due dates per payment terms, customer POs at list price, remittances paying real
open AR invoices with discounts within terms, declared deductions and some OCR-typo
invoice numbers).  The demo price list is EUR-only, so the bench adds the same prices in
GBP and USD (generated GB/US partners price in their own currency).

The extraction JSON is built from the generator's truth with high confidences; 10 % of
the clean documents get one field perturbed with low confidence (half of them with a wrong
value) to simulate extraction uncertainty.  Error classes are injected into separate
documents: wrong total, unknown supplier, changed IBAN, price above list, duplicate,
short pay.  Reported: straight-through rate on clean documents, precision of auto-approved
documents (an approved document with any field differing from truth is a failure), catch
rate per error class, cash-application accuracy and validation throughput.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import json
import random
import tempfile
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from generators.documents import (Invoice, Line, PurchaseOrder, RemittanceAdvice,
                                  RemittanceLine, make_document, make_invoice, make_style)
from generators.formats import money
from generators.parties import TAX_RATES, make_party

ERROR_CLASSES = {"wrong_total": ("arithmetic.",), "unknown_supplier": ("partner.unknown",),
                 "changed_iban": ("partner.iban_changed",),
                 "price_above_list": ("sales.price_above_list", "matching.price"),
                 "duplicate": ("duplicate.",), "short_pay": ("cash.short_pay",)}
BASE_DATE = dt.date(2024, 11, 15)


class World:
    """Master-data views the document builders need."""

    def __init__(self, world: Any, md: dict[str, list[dict[str, Any]]]) -> None:
        self.world = world
        self.customers = {r["number"]: r for r in md["customers"]}
        self.suppliers = {r["number"]: r for r in md["suppliers"]}
        self.terms = {t["code"]: t for t in md["payment_terms"]}
        self.products = {p.sku: p for p in world.products}
        self.default_price = {(r["sku"], r["currency"]): r["price"] for r in md["prices"]
                              if not r["partner_number"]}
        self.special = {(r["partner_number"], r["sku"]): r["price"] for r in md["prices"]
                        if r["partner_number"]}
        self.pos: dict[str, list[tuple[str, list[dict[str, Any]]]]] = defaultdict(list)
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in md["purchase_orders"]:
            grouped[r["po_number"]].append(r)
        for num, rows in grouped.items():
            got = [r for r in rows if r.get("received_qty")]
            if got:
                self.pos[rows[0]["supplier_number"]].append((num, got))
        self.ar: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in md["ar_invoices"]:
            self.ar[r["customer_number"]].append(r)
        self.active_customers = [p for p in world.customers
                                 if self.customers[p.customer_number]["active"]
                                 and self.ar.get(p.customer_number)]
        self.active_suppliers = [p for p in world.suppliers
                                 if self.suppliers[p.supplier_number]["active"]]


def _with_seller(rng: random.Random, w: World, credit: bool = False) -> Invoice:
    inv = make_invoice(rng, w.world, BASE_DATE, credit=credit)
    inv.seller = rng.choice(w.active_suppliers)
    inv.style = make_style(rng, inv.seller)
    inv.currency = inv.seller.currency
    rates = TAX_RATES[inv.seller.country]
    for ln in inv.lines:
        ln.tax_rate = Decimal(rates[0])
    return inv


def clean_invoice(rng: random.Random, w: World) -> Invoice:
    inv = _with_seller(rng, w)
    sup = w.suppliers[inv.seller.supplier_number]
    inv.due_date = inv.issue_date + dt.timedelta(days=w.terms[sup["payment_terms"]]["net_days"])
    inv.prepaid = Decimal("0.00")
    orders = w.pos.get(sup["number"])
    rate = Decimal(TAX_RATES[inv.seller.country][0])
    if orders and rng.random() < 0.75:
        num, rows = orders.pop(rng.randrange(len(orders)))
        inv.po_number = num
        inv.currency = sup["currency"] or inv.currency
        inv.lines = [Line(r["sku"], r["description"], Decimal(r["received_qty"]), r["unit"],
                          Decimal(r["unit_price"]), rate) for r in rows]
    else:
        inv.po_number = None
        for ln in inv.lines:
            ln.unit_price = w.default_price.get((ln.sku, "EUR"), ln.unit_price)
    return inv


def clean_po(rng: random.Random, w: World) -> PurchaseOrder:
    po = make_document("po", rng, w.world, BASE_DATE)
    assert isinstance(po, PurchaseOrder)
    po.buyer = rng.choice(w.active_customers)
    po.currency = po.buyer.currency
    for ln in po.lines:
        ln.unit_price = w.special.get((po.buyer.customer_number, ln.sku),
                                      w.default_price[(ln.sku, "EUR")])
    return po


def clean_remittance(rng: random.Random, w: World, typo_rate: float = 0.1
                     ) -> tuple[RemittanceAdvice, list[str]]:
    payer = rng.choice(w.active_customers)
    cust = w.customers[payer.customer_number]
    terms = w.terms[cust["payment_terms"]]
    pay_date = BASE_DATE - dt.timedelta(days=rng.randint(0, 5))
    items = rng.sample(w.ar[payer.customer_number], min(len(w.ar[payer.customer_number]),
                                                        rng.choice((1, 1, 2, 3, 4, 6, 10))))
    lines, truth = [], []
    for it in items:
        due = Decimal(it["amount_due"])
        number = it["number"]
        if rng.random() < typo_rate:
            pos = rng.randrange(3, len(number))
            ch = number[pos]
            swap = {"0": "O", "1": "l", "5": "S", "8": "B", "6": "G"}.get(ch, "")
            number = number[:pos] + swap + number[pos + 1:]
        ln = RemittanceLine(number, it["issue_date"], due)
        r = rng.random()
        if r < 0.25 and terms.get("discount_percent") and \
                pay_date <= it["issue_date"] + dt.timedelta(days=terms["discount_days"]):
            ln.discount = money(due * terms["discount_percent"] / 100)
        elif r < 0.4:
            ln.deduction = money(due * Decimal(rng.randint(1, 15)) / 100)
            ln.deduction_reason = rng.choice(("Damaged goods", "Short delivery",
                                              "Price difference"))
        lines.append(ln)
        truth.append(it["number"])
    style = make_style(rng, payer)
    return RemittanceAdvice(f"PAY-{rng.randint(10**8, 10**9)}", pay_date, payer.currency, payer,
                            w.world.home, lines, style), truth


def to_extraction(truth: dict[str, Any], rng: random.Random, perturb: bool,
                  extra: dict[str, str] | None = None) -> tuple[dict[str, Any], bool]:
    """(extraction JSON, whether a field value was made wrong)."""
    def f(v: str) -> dict[str, Any]:
        return {"value": v, "confidence": round(rng.uniform(0.95, 0.999), 3), "page": 1,
                "bbox": None, "source": "text"}
    fields = {k: f(v) for k, v in {**truth["fields"], **(extra or {})}.items()}
    lines = [{k: f(v) for k, v in ln.items()} for ln in truth["lines"]]
    wrong = False
    if perturb:
        name = rng.choice(sorted(fields))
        fields[name]["confidence"] = round(rng.uniform(0.4, 0.85), 3)
        if rng.random() < 0.5:
            v = fields[name]["value"]
            fields[name]["value"] = v[:-1] + ("7" if v[-1:] != "7" else "1") if v else "X"
            wrong = True
    return {"doc_type": truth["doc_type"], "doc_type_confidence": 0.99, "fields": fields,
            "lines": lines, "reasons": []}, wrong


def build_cases(w: World, n_docs: int, seed: int) -> list[dict[str, Any]]:
    """Clean documents (about 80 %) followed by injected-error documents."""
    rng = random.Random(seed)
    n_err = max(6, n_docs // 5) // len(ERROR_CLASSES)
    n_clean = n_docs - n_err * len(ERROR_CLASSES)
    cases: list[dict[str, Any]] = []
    invoices: list[dict[str, Any]] = []
    for _ in range(n_clean):
        kind = rng.choices(("invoice", "po", "remittance", "credit_note"), (40, 25, 20, 15))[0]
        extra: dict[str, str] = {}
        remit: list[str] = []
        if kind == "invoice":
            doc: Any = clean_invoice(rng, w)
        elif kind == "po":
            doc = clean_po(rng, w)
        elif kind == "remittance":
            doc, remit = clean_remittance(rng, w)
        else:
            doc = _with_seller(rng, w, credit=True)
            gross = doc.total_gross
            prior = [c for c in invoices if c["seller"] == doc.seller.supplier_number
                     and Decimal(c["truth"]["fields"]["total_gross"]) >= gross]
            if prior:
                extra["original_invoice"] = prior[-1]["truth"]["fields"]["invoice_number"]
        truth = doc.truth()
        perturbed = rng.random() < 0.10
        ext, wrong = to_extraction(truth, rng, perturbed, extra)
        case = {"kind": kind, "cls": "clean", "truth": truth, "extraction": ext,
                "wrong": wrong, "perturbed": perturbed, "remit_truth": remit}
        if kind == "invoice":
            case["seller"] = doc.seller.supplier_number
            invoices.append(case)
        cases.append(case)
    for cls in ERROR_CLASSES:
        for _ in range(n_err):
            cases.append(_error_case(cls, rng, w, invoices))
    return cases


def _error_case(cls: str, rng: random.Random, w: World, invoices: list[dict[str, Any]]
                ) -> dict[str, Any]:
    extra: dict[str, str] = {}
    if cls == "short_pay":
        doc, _ = clean_remittance(rng, w, typo_rate=0)
        ln = rng.choice(doc.lines)
        ln.discount = ln.deduction = Decimal("0.00")
        ln.deduction_reason = ""
        ln.invoice_amount = money(ln.invoice_amount * Decimal(rng.choice(("0.8", "0.9", "0.95"))))
        truth = doc.truth()
    elif cls == "price_above_list":
        doc = clean_po(rng, w) if rng.random() < 0.5 else clean_invoice(rng, w)
        ln = rng.choice(doc.lines)
        ln.unit_price = money(ln.unit_price * Decimal(rng.choice(("1.05", "1.1", "1.25"))) +
                              Decimal("0.01"))
        truth = doc.truth()
    elif cls == "duplicate":
        src = rng.choice(invoices)
        truth = json.loads(json.dumps(src["truth"]))
        if rng.random() < 0.5:
            truth["fields"]["invoice_number"] += "-B"     # same amount, date, supplier
    else:
        doc = clean_invoice(rng, w)
        if cls == "unknown_supplier":
            doc.seller = make_party(rng, rng.choice(("DE", "FR", "NL", "IT")))
            doc.seller.name = f"Zyx{rng.randint(1000, 9999)} " + doc.seller.name
            doc.po_number = None
        elif cls == "changed_iban":
            doc.seller = dataclasses.replace(doc.seller, iban=make_party(rng, "DE").iban)
        truth = doc.truth()
        if cls == "wrong_total":
            g = Decimal(truth["fields"]["total_gross"])
            truth["fields"]["total_gross"] = str(g + rng.choice((Decimal("10.00"),
                                                                 Decimal("0.90"), g)))
    ext, _ = to_extraction(truth, rng, False, extra)
    return {"kind": truth["doc_type"], "cls": cls, "truth": truth, "extraction": ext,
            "wrong": True, "remit_truth": []}


def _load_masterdata(db: Any, md: dict[str, list[dict[str, Any]]]) -> None:
    from validation.masterdata import IMPORT_ORDER, import_records
    for kind in IMPORT_ORDER:
        with db.session() as s:
            import_records(s, kind, md[kind], source="bench").raise_for_errors()


def run_validation_bench(n_docs: int = 10_000, seed: int = 7, n_open_invoices: int = 50_000,
                         out: str | Path | None = None, workdir: str | Path | None = None
                         ) -> dict[str, Any]:
    """Run the benchmark; returns (and optionally writes) the JSON report."""
    from core.db import connect
    from core.models import Document
    from validation.checks import validate_document
    from validation.masterdata.demo_data import demo_world, generate_demo_masterdata
    from validation.routing import decide

    t0 = time.perf_counter()
    tmp = tempfile.TemporaryDirectory(prefix="o2c-vbench-") if workdir is None else None
    folder = Path(workdir or tmp.name)  # type: ignore[union-attr]
    db = connect(f"sqlite:///{folder / 'bench.sqlite3'}", run_migrations=True)
    world = demo_world(seed)
    md = generate_demo_masterdata(seed, n_open_invoices=n_open_invoices, world=world,
                                  base_date=BASE_DATE)
    for r in list(md["prices"]):
        if not r["partner_number"]:
            md["prices"] += [{**r, "currency": c} for c in ("GBP", "USD")]
    _load_masterdata(db, md)
    w = World(world, md)
    cases = build_cases(w, n_docs, seed)
    setup_s = time.perf_counter() - t0
    with db.session() as s:
        rows = []
        for i, c in enumerate(cases):
            rows.append(Document(source=("mail", "folder", "upload", "api")[i % 4],
                                 original_name=f"bench-{i}.pdf",
                                 sha256=hashlib.sha256(f"{seed}-{i}".encode()).hexdigest(),
                                 stored_path="-", mime_type="application/pdf",
                                 doc_type=c["truth"]["doc_type"], state="extracted",
                                 extraction=c["extraction"]))
        s.add_all(rows)
        s.flush()
        ids = [d.id for d in rows]
    t1 = time.perf_counter()
    with db.session() as s:
        for i, (c, doc_id) in enumerate(zip(cases, ids)):
            doc = s.get(Document, doc_id)
            result = validate_document(s, doc, today=BASE_DATE)
            v = result.to_dict()
            d = decide(v)
            c["approve"], c["codes"] = d.approve, [r["code"] for r in d.reasons]
            c["validation"] = v
            if i % 500 == 499:
                s.commit()
    validate_s = time.perf_counter() - t1
    report = _score(cases, validate_s, setup_s, n_open_invoices)
    db.dispose()
    if tmp is not None:
        tmp.cleanup()
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


def _score(cases: list[dict[str, Any]], validate_s: float, setup_s: float,
           n_open: int) -> dict[str, Any]:
    clean = [c for c in cases if c["cls"] == "clean"]
    approved = [c for c in cases if c["approve"]]
    bad_approved = [c for c in approved if c["wrong"]]
    stp_pool = [c for c in clean if not c.get("perturbed")]
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    reasons: dict[str, int] = defaultdict(int)
    for c in stp_pool:
        by_kind[c["kind"]][0] += c["approve"]
        by_kind[c["kind"]][1] += 1
        for code in c["codes"]:
            reasons[code] += 1
    errors = {}
    for cls, prefixes in ERROR_CLASSES.items():
        got = [c for c in cases if c["cls"] == cls]
        caught = [c for c in got if not c["approve"]]
        right = [c for c in caught if any(code.startswith(p) for code in c["codes"]
                                          for p in prefixes)]
        errors[cls] = {"n": len(got), "caught": len(caught) / max(1, len(got)),
                       "caught_with_reason": len(right) / max(1, len(got))}
    lines_total = lines_ok = remits_auto = 0
    remits = [c for c in clean if c["kind"] == "remittance" and not c.get("perturbed")]
    for c in remits:
        app = next((ch for ch in c["validation"]["checks"] if ch["code"] == "cash.application"),
                   None)
        applied = (app or {}).get("data", {}).get("lines", [])
        for la, want in zip(applied, c["remit_truth"]):
            lines_total += 1
            lines_ok += la.get("matched_invoice") == want and la.get("confidence", 0) >= 0.9
        remits_auto += c["approve"]
    return {
        "documents": len(cases), "clean": len(clean), "clean_unperturbed": len(stp_pool),
        "straight_through_rate": sum(c["approve"] for c in stp_pool) / max(1, len(stp_pool)),
        "straight_through_rate_incl_uncertain": sum(c["approve"] for c in clean)
        / max(1, len(clean)),
        "straight_through_by_kind": {k: v[0] / max(1, v[1]) for k, v in by_kind.items()},
        "top_review_reasons_clean": dict(sorted(reasons.items(), key=lambda t: -t[1])[:10]),
        "auto_approved": len(approved),
        "precision": 1 - len(bad_approved) / max(1, len(approved)),
        "perturbed_wrong_approved": len(bad_approved),
        "errors": errors,
        "cash_application": {"lines": lines_total, "applied_right_auto":
                             lines_ok / max(1, lines_total), "remittances": len(remits),
                             "remittances_auto": remits_auto / max(1, len(remits))},
        "throughput": {"open_ar_invoices": n_open, "validate_seconds": round(validate_s, 2),
                       "docs_per_second": round(len(cases) / validate_s, 1),
                       "setup_seconds": round(setup_s, 2)},
    }


def print_table(r: dict[str, Any]) -> None:
    print(f"{'metric':<44}{'value':>12}")
    rows = [("documents validated", r["documents"]),
            ("straight-through (clean, unperturbed)", f"{r['straight_through_rate']:.1%}"),
            ("straight-through (clean incl. uncertain)",
             f"{r['straight_through_rate_incl_uncertain']:.1%}"),
            *((f"  STP {k}", f"{v:.1%}") for k, v in r["straight_through_by_kind"].items()),
            ("precision of auto-approved", f"{r['precision']:.2%}"),
            *((f"caught {k} (with right reason)",
               f"{v['caught']:.1%} ({v['caught_with_reason']:.1%})")
              for k, v in r["errors"].items()),
            ("cash lines applied right automatically",
             f"{r['cash_application']['applied_right_auto']:.1%}"),
            ("remittances auto-approved", f"{r['cash_application']['remittances_auto']:.1%}"),
            (f"validation time vs {r['throughput']['open_ar_invoices']} open AR (s)",
             r["throughput"]["validate_seconds"]),
            ("docs / second", r["throughput"]["docs_per_second"])]
    for k, v in rows:
        print(f"{k:<44}{v!s:>12}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--open-invoices", type=int, default=50_000)
    ap.add_argument("--out", default="bench-reports/validation.json")
    a = ap.parse_args(argv)
    print_table(run_validation_bench(a.docs, a.seed, a.open_invoices, a.out))


if __name__ == "__main__":
    main()
