"""Ground truth for the field benchmarks (used by `measure.py` and the unit tests).

* e-invoices: the CII XML beside each PDF.  `extraction.einvoice.parse_xml` is used when
  it is importable; otherwise a minimal local-name lookup (CII D16B and ZUGFeRD 1.0) reads
  the header fields we score.
* invoice2data: the template output JSON, mapped to canonical names.

Nothing in here is used by the extractor itself.
"""
from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from lxml import etree

SCORED = ("invoice_number", "issue_date", "due_date", "currency", "seller_name",
          "seller_vat_id", "seller_iban", "buyer_name", "buyer_vat_id", "po_number",
          "total_net", "total_tax", "total_gross", "amount_due")
AMOUNT_FIELDS = frozenset({"total_net", "total_tax", "total_gross", "amount_due"})
NAME_FIELDS = frozenset({"seller_name", "buyer_name"})


def corpora_root() -> Path:
    return Path(__file__).resolve().parents[2].parent / "shared" / "corpora"


def split_of(name: str) -> str:
    """Deterministic dev/test split by a key (70/30): the file name, or for e-invoices
    their scenario (`einvoice_split`)."""
    return "dev" if int(hashlib.sha1(name.encode()).hexdigest(), 16) % 10 < 7 else "test"


def einvoice_scenarios(base: Path | None = None) -> dict[str, str]:
    """e-invoice PDF (relative path) -> scenario, from the corpus manifest."""
    import csv
    path = (base or corpora_root() / "einvoice") / "manifest.csv"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as fh:
        return {r["pdf"]: r["scenario"] for r in csv.DictReader(fh) if r.get("scenario")}


def einvoice_split(rel: str, scenarios: dict[str, str] | None = None) -> str:
    """The corpus repeats one business case across standard versions (ZUGFeRD 1.0 ...
    2.4, Factur-X re-issues), so its README asks for a split by scenario, never by file:
    all versions of a case fall on the same side.  A file missing from the manifest is
    its own scenario."""
    scenarios = einvoice_scenarios() if scenarios is None else scenarios
    return split_of("scenario:" + scenarios[rel]) if rel in scenarios else split_of(rel)


def _xp(root: Any, path: str) -> list[Any]:
    parts = [p for p in path.split("/") if p]
    expr = "/".join("*[local-name()='%s']" % p if p != "" else "" for p in parts)
    return root.xpath(".//" + expr)


def _first(root: Any, *paths: str) -> str | None:
    for p in paths:
        hits = _xp(root, p)
        for h in hits:
            t = (h.text or "").strip()
            if t:
                return t
    return None


def _date(s: str | None) -> str | None:
    if not s:
        return None
    s = s.strip()
    if re.fullmatch(r"\d{8}", s):
        return f"{s[:4]}-{s[4:6]}-{s[6:]}"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", s):
        return s[:10]
    return None


def _amount(s: str | None) -> str | None:
    if s is None:
        return None
    try:
        return str(Decimal(s.strip()).quantize(Decimal("0.01")))
    except InvalidOperation:
        return None


def _vat(party: Any) -> str | None:
    for reg in _xp(party, "SpecifiedTaxRegistration/ID"):
        if reg.get("schemeID") in ("VA", None) and reg.text:
            return re.sub(r"\s+", "", reg.text).upper()
    return None


def cii_truth(xml: bytes) -> dict[str, Any]:
    """Canonical header fields + line count from a CII (or ZUGFeRD 1.0) XML."""
    root = etree.fromstring(xml)
    out: dict[str, Any] = {}
    out["invoice_number"] = _first(root, "ExchangedDocument/ID", "HeaderExchangedDocument/ID")
    out["type_code"] = _first(root, "ExchangedDocument/TypeCode",
                              "HeaderExchangedDocument/TypeCode")
    out["issue_date"] = _date(_first(root, "ExchangedDocument/IssueDateTime/DateTimeString",
                                     "HeaderExchangedDocument/IssueDateTime/DateTimeString"))
    out["due_date"] = _date(_first(root, "SpecifiedTradePaymentTerms/DueDateDateTime/DateTimeString"))
    out["currency"] = _first(root, "InvoiceCurrencyCode")
    sellers = _xp(root, "SellerTradeParty")
    buyers = _xp(root, "BuyerTradeParty")
    if sellers:
        out["seller_name"] = _first(sellers[0], "Name")
        out["seller_vat_id"] = _vat(sellers[0])
    if buyers:
        out["buyer_name"] = _first(buyers[0], "Name")
        out["buyer_vat_id"] = _vat(buyers[0])
    iban = _first(root, "PayeePartyCreditorFinancialAccount/IBANID")
    out["seller_iban"] = re.sub(r"\s+", "", iban).upper() if iban else None
    out["po_number"] = _first(root, "BuyerOrderReferencedDocument/IssuerAssignedID")
    summ = _xp(root, "SpecifiedTradeSettlementHeaderMonetarySummation")
    summ = summ or _xp(root, "SpecifiedTradeSettlementMonetarySummation")
    if summ:
        s = summ[0]
        out["total_net"] = _amount(_first(s, "TaxBasisTotalAmount"))
        taxes = [t for t in _xp(s, "TaxTotalAmount") if t.text]
        cur = out.get("currency")
        pick = [t for t in taxes if t.get("currencyID") in (None, cur)] or taxes
        out["total_tax"] = _amount(pick[0].text) if pick else None
        out["total_gross"] = _amount(_first(s, "GrandTotalAmount"))
        out["amount_due"] = _amount(_first(s, "DuePayableAmount"))
    out["line_count"] = len(_xp(root, "IncludedSupplyChainTradeLineItem"))
    return {k: v for k, v in out.items() if v not in (None, "")}


def einvoice_cases(root: Path | None = None) -> list[dict[str, Any]]:
    """One dict per valid e-invoice PDF: name, pdf path, split, truth."""
    base = (root or corpora_root()) / "einvoice"
    scenarios = einvoice_scenarios(base)
    cases: list[dict[str, Any]] = []
    for pdf in sorted(base.rglob("*.pdf")):
        rel = pdf.relative_to(base).as_posix()
        if rel.startswith("invalid/"):
            continue
        xml = pdf.with_suffix(".xml")
        if not xml.exists():
            continue
        try:
            truth = cii_truth(xml.read_bytes())
        except etree.XMLSyntaxError:
            continue
        cases.append({"name": rel, "pdf": pdf, "split": einvoice_split(rel, scenarios),
                      "truth": truth})
    return cases


I2D_MAP = {"invoice_number": "invoice_number", "date": "issue_date", "date_due": "due_date",
           "amount": "total_gross", "amount_untaxed": "total_net", "amount_tax": "total_tax",
           "currency": "currency", "vat": "seller_vat_id", "iban": "seller_iban",
           "partner_name": "seller_name"}


def i2d_truth(obj: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, canon in I2D_MAP.items():
        if k not in obj or obj[k] in (None, ""):
            continue
        v = obj[k]
        if canon in AMOUNT_FIELDS:
            out[canon] = _amount(str(v))
        elif canon in ("issue_date", "due_date"):
            out[canon] = _date(str(v))
        elif canon in ("seller_vat_id", "seller_iban"):
            out[canon] = re.sub(r"\s+", "", str(v)).upper()
        else:
            out[canon] = str(v).strip()
    if "seller_name" not in out and obj.get("issuer"):
        out["seller_name"] = str(obj["issuer"]).strip()
    lines = [ln for ln in obj.get("lines", []) if "price_subtotal" in ln or "qty" in ln]
    if obj.get("lines"):
        out["line_count"] = len(lines)
    return {k: v for k, v in out.items() if v not in (None, "")}


def i2d_cases(root: Path | None = None) -> list[dict[str, Any]]:
    base = (root or corpora_root()) / "invoice2data"
    cases: list[dict[str, Any]] = []
    for pdf in sorted(base.glob("*.pdf")):
        js = pdf.with_suffix(".json")
        if not js.exists():
            continue
        obj = json.loads(js.read_text())[0]
        cases.append({"name": pdf.name, "pdf": pdf, "split": split_of(pdf.name),
                      "truth": i2d_truth(obj)})
    return cases


def norm_name(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip().casefold()


def same(field: str, got: str | None, want: str) -> bool:
    """Is an extracted value equal to the expected one (field-aware comparison)?"""
    if got is None:
        return False
    if field in AMOUNT_FIELDS:
        try:
            return Decimal(got) == Decimal(want)
        except InvalidOperation:
            return False
    if field in NAME_FIELDS:
        return norm_name(got) == norm_name(want)
    return re.sub(r"\s+", "", got).casefold() == re.sub(r"\s+", "", want).casefold()
