"""Demo master data built from a `generators.parties.World`, so generated documents and
master data describe the same companies and products.

    world = demo_world(7)                       # hand to generators.documents.make_*()
    data = generate_demo_masterdata(7)          # {kind: [record, ...]} for import_records
    paths = write_demo_files("demo-md", seed=7) # {kind: Path} CSVs for import_file

The world's customers become the ``customers`` master data (numbered with their
``customer_number``), its suppliers the ``suppliers`` (``supplier_number``), its catalogue
the ``products``.  Company names are unique after legal-form normalisation, as are numbers,
VAT IDs, IBANs and e-mail domains, so every generated document has one right answer.
"""
from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from generators.parties import COUNTRIES, Party, World, make_party, make_products
from validation.masterdata.models import KINDS
from validation.party_match import split_name

PAYMENT_TERMS = (
    {"code": "NT14", "description": "14 days net", "net_days": 14},
    {"code": "NT30", "description": "30 days net", "net_days": 30},
    {"code": "NT45", "description": "45 days net", "net_days": 45},
    {"code": "NT60", "description": "60 days net", "net_days": 60},
    {"code": "SK2-10-30", "description": "2% within 10 days, 30 days net", "net_days": 30,
     "discount_percent": Decimal("2"), "discount_days": 10},
    {"code": "SK3-14-45", "description": "3% within 14 days, 45 days net", "net_days": 45,
     "discount_percent": Decimal("3"), "discount_days": 14},
)
PORTALS = ("coupa", "ariba", "tungsten", "jaggaer")


def _unique_parties(rng: random.Random, n: int, seen: dict[str, set[Any]],
                    number_attr: str, offset: int) -> list[Party]:
    out: list[Party] = []
    attempts = 0
    while len(out) < n:
        attempts += 1
        p = make_party(rng, COUNTRIES[(len(out) + offset) % len(COUNTRIES)])
        core = " ".join(sorted(split_name(p.name)[0].split()))
        keys = {"core": core, "vat": p.vat_id, "iban": p.iban,
                "domain": p.email.split("@")[1], "number": getattr(p, number_attr)}
        strict = attempts < 50 * (n + 1)    # relax name uniqueness if the space runs out
        if any(v is not None and v in seen[k] for k, v in keys.items()
               if strict or k != "core"):
            continue
        for k, v in keys.items():
            if v is not None:
                seen[k].add(v)
        out.append(p)
    return out


def demo_world(seed: int, n_customers: int = 300, n_suppliers: int = 200,
               n_products: int = 3000) -> World:
    """A `World` big enough for master-data demos, with unique names, numbers and IDs."""
    rng = random.Random(seed)
    home = make_party(rng, "DE")
    seen: dict[str, set[Any]] = {k: set() for k in ("core", "vat", "iban", "domain", "number")}
    seen["core"].add(" ".join(sorted(split_name(home.name)[0].split())))
    customers = _unique_parties(rng, n_customers, seen, "customer_number", 0)
    seen["number"] = set()
    suppliers = _unique_parties(rng, n_suppliers, seen, "supplier_number", 4)
    return World(home=home, customers=customers, suppliers=suppliers,
                 products=make_products(rng, n_products))


def _partner(rng: random.Random, p: Party, number: str) -> dict[str, Any]:
    core = split_name(p.name)[0]
    aliases = [p.name.upper()] if rng.random() < 0.2 else []
    if rng.random() < 0.3:
        aliases.append(" ".join(w.capitalize() for w in core.split()))
    ibans = [p.iban] if p.iban else []
    portal = rng.random() < 0.15
    return {
        "number": number, "name": p.name, "aliases": aliases, "address_line1": p.street,
        "address_line2": None, "postcode": p.postcode, "city": p.city, "country": p.country,
        "vat_id": p.vat_id, "ibans": ibans, "email_domains": [p.email.split("@", 1)[1]],
        "currency": p.currency, "payment_terms": rng.choice(PAYMENT_TERMS)["code"],
        "portal_recipe": rng.choice(PORTALS) if portal else None,
        "portal_account": f"{rng.randint(100000, 999999)}" if portal else None,
        "active": rng.random() > 0.02,
    }


def _orders(rng: random.Random, world: World, n: int, base: date, sales: bool
            ) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for i in range(n):
        party = rng.choice(world.customers if sales else world.suppliers)
        order_date = base - timedelta(days=rng.randint(1, 90))
        head: dict[str, Any] = ({"so_number": f"SO-{order_date.year}-{20000 + i}",
                                 "customer_number": party.customer_number,
                                 "customer_po_number": f"PO-{rng.randint(100000, 999999)}"}
                                if sales else
                                {"po_number": f"4500{100000 + i}",
                                 "supplier_number": party.supplier_number})
        head.update(order_date=order_date, currency=party.currency, status="open")
        for line_no in range(1, rng.randint(1, 6) + 1):
            prod = rng.choice(world.products)
            qty = Decimal(rng.choice((1, 2, 5, 10, 20, 50, 100)))
            row = {**head, "line_no": line_no * 10, "sku": prod.sku,
                   "description": prod.description("en"), "quantity": qty, "unit": prod.unit,
                   "unit_price": prod.price}
            if not sales and rng.random() < 0.5:
                got = qty if rng.random() < 0.7 else (qty / 2).quantize(Decimal(1))
                rows.append({**row, "received_qty": got, "receipt_number": f"GR-{i}-{line_no}",
                             "receipt_date": order_date + timedelta(days=rng.randint(2, 20))})
            else:
                rows.append(row)
    return rows


def generate_demo_masterdata(seed: int, n_customers: int = 300, n_suppliers: int = 200,
                             n_products: int = 3000, n_open_invoices: int = 5000,
                             n_orders: int = 300, base_date: date | None = None,
                             world: World | None = None) -> dict[str, list[dict[str, Any]]]:
    """Master-data records of every kind for the world of ``demo_world(seed, ...)``."""
    world = world or demo_world(seed, n_customers, n_suppliers, n_products)
    rng = random.Random(seed * 7919 + 1)
    base = base_date or date.today()
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
    out["payment_terms"] = [dict(t) for t in PAYMENT_TERMS]
    out["customers"] = [_partner(rng, p, p.customer_number) for p in world.customers]
    out["suppliers"] = [_partner(rng, p, p.supplier_number) for p in world.suppliers]
    out["products"] = [{"sku": p.sku, "description": p.description("en"), "unit": p.unit,
                        "active": True} for p in world.products]
    for kind, parties, attr in (("customer", world.customers, "customer_number"),
                                ("supplier", world.suppliers, "supplier_number")):
        for p in parties:
            if rng.random() < 0.4:
                prefix = f"{getattr(p, attr)[-3:]}-"
                for prod in rng.sample(world.products, min(len(world.products), 10)):
                    out["part_numbers"].append({
                        "partner_kind": kind, "partner_number": getattr(p, attr),
                        "part_number": f"{prefix}{rng.randint(10000, 99999)}", "sku": prod.sku})
    seen_pn: set[tuple[str, str, str]] = set()
    out["part_numbers"] = [r for r in out["part_numbers"] if (k := (
        r["partner_kind"], r["partner_number"], r["part_number"])) not in seen_pn
        and not seen_pn.add(k)]
    start = date(base.year - 1, 1, 1)
    for prod in world.products:
        out["prices"].append({"sku": prod.sku, "partner_kind": None, "partner_number": None,
                              "price": prod.price, "currency": "EUR", "valid_from": start,
                              "valid_to": None})
        if rng.random() < 0.1:
            c = rng.choice(world.customers)
            out["prices"].append({
                "sku": prod.sku, "partner_kind": "customer", "partner_number": c.customer_number,
                "price": (prod.price * Decimal("0.9")).quantize(Decimal("0.01")),
                "currency": "EUR", "valid_from": start, "valid_to": date(base.year, 12, 31)})
    out["purchase_orders"] = _orders(rng, world, n_orders, base, sales=False)
    out["sales_orders"] = _orders(rng, world, n_orders, base, sales=True)
    terms = {t["code"]: t["net_days"] for t in PAYMENT_TERMS}
    customers = out["customers"]
    for i in range(n_open_invoices):
        c = rng.choice(customers)
        issue = base - timedelta(days=rng.randint(1, 120))
        amount = Decimal(rng.randint(5000, 2500000)) / 100
        due = amount if rng.random() < 0.8 else (amount / 2).quantize(Decimal("0.01"))
        out["ar_invoices"].append({
            "number": f"RE-{issue.year}-{100000 + i}", "customer_number": c["number"],
            "issue_date": issue, "due_date": issue + timedelta(days=terms[c["payment_terms"]]),
            "amount": amount, "amount_due": due, "currency": c["currency"],
            "status": "open" if due == amount else "partial"})
    return out


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return "|".join(str(x) for x in v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def write_demo_files(outdir: str | Path, seed: int = 1, **sizes: Any) -> dict[str, Path]:
    """Write one UTF-8 CSV per kind (``<kind>.csv``) and return their paths."""
    folder = Path(outdir)
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for kind, records in generate_demo_masterdata(seed, **sizes).items():
        if not records:
            continue
        header = list(dict.fromkeys(k for r in records for k in r))
        path = folder / f"{kind}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows([_cell(r.get(h)) for h in header] for r in records)
        paths[kind] = path
    return paths
