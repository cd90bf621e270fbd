"""Import formats per master-data kind: the columns (with header aliases and value
types), the keys that must be unique within a file, the references between kinds, and the
parsing of one cell."""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from extraction.normalize import (iban_valid, normalize_iban, normalize_vat_id, parse_amount,
                                  parse_date, vat_id_valid)


class Col:
    """One importable column: canonical name, value type, required flag, header aliases.

    Types: ``str``, ``int``, ``dec``, ``date``, ``bool``, ``list``, ``country``,
    ``currency``, ``vat``, ``ibans``, ``domains``, ``partner_kind``.
    """

    __slots__ = ("name", "type", "required", "aliases")

    def __init__(self, name: str, type_: str = "str", required: bool = False,
                 aliases: tuple[str, ...] = ()) -> None:
        self.name, self.type, self.required, self.aliases = name, type_, required, aliases


_PARTNER = (
    Col("number", "str", True, ("customer_number", "supplier_number", "vendor_number",
                                "account", "account_number", "partner_number", "id",
                                "kundennummer", "lieferantennummer", "debitor", "kreditor")),
    Col("name", "str", True, ("company", "company_name", "partner_name", "firma", "name1")),
    Col("aliases", "list", False, ("alias", "also_known_as", "other_names", "trading_names")),
    Col("address_line1", "str", False, ("street", "address", "address1", "strasse")),
    Col("address_line2", "str", False, ("address2", "street2", "addition")),
    Col("postcode", "str", False, ("zip", "zip_code", "postal_code", "plz", "code_postal")),
    Col("city", "str", False, ("town", "ort", "ville")),
    Col("country", "country", False, ("country_code", "land", "pays")),
    Col("vat_id", "vat", False, ("vat", "vat_number", "vat_no", "ust_id", "ustid",
                                 "ust_idnr", "tva", "tax_id")),
    Col("ibans", "ibans", False, ("iban", "bank_account", "bank_accounts")),
    Col("email_domains", "domains", False, ("email_domain", "domain", "domains", "email")),
    Col("currency", "currency", False, ("ccy", "waehrung")),
    Col("payment_terms", "str", False, ("terms", "payment_terms_code", "terms_code")),
    Col("portal_recipe", "str", False, ("portal",)),
    Col("portal_account", "str", False, ("portal_account_id", "portal_id")),
    Col("active", "bool", False, ("enabled", "is_active")),
)
_SKU = Col("sku", "str", True, ("item", "item_number", "article", "article_number",
                                "artikel", "artikelnummer", "material", "product_id"))
_OPT_SKU = Col("sku", "str", False, _SKU.aliases)
_LINE = (Col("line_no", "int", True, ("line", "line_number", "pos", "position", "item_no")),
         _OPT_SKU, Col("description", "str", False, ("text", "item_description")),
         Col("quantity", "dec", True, ("qty", "menge", "ordered_qty")),
         Col("unit", "str", False, ("uom", "unit_of_measure")),
         Col("unit_price", "dec", False, ("price", "net_price")))
_ORDER = (Col("order_date", "date", False, ("date", "po_date")),
          Col("currency", "currency", False, ("ccy",)), Col("status", "str"))

COLUMNS: dict[str, tuple[Col, ...]] = {
    "customers": _PARTNER,
    "suppliers": _PARTNER,
    "products": (_SKU, Col("description", "str", True, ("name", "text", "bezeichnung",
                                                        "product_name")),
                 Col("unit", "str", False, ("uom", "unit_of_measure")),
                 Col("active", "bool", False, ("enabled", "is_active"))),
    "part_numbers": (Col("partner_kind", "partner_kind", True, ("partner_type", "type")),
                     Col("partner_number", "str", True, ("partner", "customer_number",
                                                         "supplier_number")),
                     Col("part_number", "str", True, ("their_part_number", "external_sku",
                                                      "customer_part_number",
                                                      "supplier_part_number")), _SKU),
    "prices": (_SKU, Col("partner_kind", "partner_kind", False, ("partner_type", "type")),
               Col("partner_number", "str", False, ("partner", "customer_number",
                                                    "supplier_number")),
               Col("price", "dec", True, ("unit_price", "net_price", "amount")),
               Col("currency", "currency", True, ("ccy",)),
               Col("valid_from", "date", False, ("from", "start", "gueltig_ab")),
               Col("valid_to", "date", False, ("to", "until", "end", "gueltig_bis"))),
    "purchase_orders": (
        Col("po_number", "str", True, ("order_number", "purchase_order", "po", "number")),
        Col("supplier_number", "str", True, ("supplier", "vendor", "vendor_number")),
        *_ORDER, *_LINE,
        Col("received_qty", "dec", False, ("received_quantity", "gr_qty", "receipt_qty")),
        Col("receipt_number", "str", False, ("gr_number", "goods_receipt", "delivery_note")),
        Col("receipt_date", "date", False, ("gr_date",))),
    "sales_orders": (
        Col("so_number", "str", True, ("order_number", "sales_order", "so", "number")),
        Col("customer_number", "str", True, ("customer",)),
        Col("customer_po_number", "str", False, ("customer_po", "po_number",
                                                 "your_reference")),
        *_ORDER, *_LINE),
    "ar_invoices": (
        Col("number", "str", True, ("invoice_number", "invoice", "document_number")),
        Col("customer_number", "str", True, ("customer",)),
        Col("issue_date", "date", True, ("invoice_date", "date")),
        Col("due_date", "date", False, ("due",)),
        Col("amount", "dec", True, ("total", "gross_amount", "total_gross", "invoice_amount")),
        Col("amount_due", "dec", False, ("open_amount", "balance", "outstanding", "open")),
        Col("currency", "currency", True, ("ccy",)), Col("status", "str")),
    "payment_terms": (
        Col("code", "str", True, ("terms", "terms_code", "payment_terms")),
        Col("description", "str", False, ("text", "name")),
        Col("net_days", "int", True, ("days", "net")),
        Col("discount_percent", "dec", False, ("discount", "skonto", "discount_pct")),
        Col("discount_days", "int", False, ("skonto_days",))),
}
# Columns that must be unique together within one import.
KEYS: dict[str, tuple[str, ...]] = {
    "customers": ("number",), "suppliers": ("number",), "products": ("sku",),
    "part_numbers": ("partner_kind", "partner_number", "part_number"),
    "prices": ("sku", "partner_kind", "partner_number", "currency", "valid_from"),
    "purchase_orders": ("po_number", "line_no", "receipt_number"),
    "sales_orders": ("so_number", "line_no"), "ar_invoices": ("number",),
    "payment_terms": ("code",),
}
# (column, referenced kind or "partner" = the row's partner_kind, master data required)
REFERENCES: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "customers": (("payment_terms", "payment_terms", False),),
    "suppliers": (("payment_terms", "payment_terms", False),),
    "part_numbers": (("sku", "products", True), ("partner_number", "partner", True)),
    "prices": (("sku", "products", True), ("partner_number", "partner", True)),
    "purchase_orders": (("supplier_number", "suppliers", True), ("sku", "products", True)),
    "sales_orders": (("customer_number", "customers", True), ("sku", "products", True)),
    "ar_invoices": (("customer_number", "customers", True),),
}


# ---------------------------------------------------------------- parsing one cell
_BOOL = {"1": True, "true": True, "yes": True, "y": True, "x": True, "ja": True, "oui": True,
         "0": False, "false": False, "no": False, "n": False, "nein": False, "non": False}
_PKIND = {"customer": "customer", "c": "customer", "debtor": "customer", "kunde": "customer",
          "supplier": "supplier", "s": "supplier", "vendor": "supplier",
          "creditor": "supplier", "lieferant": "supplier"}
_ISO_OR_DMY = re.compile(r"\d{4}-\d{1,2}-\d{1,2}([ T].*)?|\d{1,2}[./]\d{1,2}[./]\d{4}|\d{8}")


def decimal_hint(rows: list[tuple[int, dict[str, Any]]], cols: list[str]) -> str | None:
    """"de" if the file writes decimal commas, "en" for points, None if no value tells."""
    for _, raw in rows:
        for c in cols:
            v = raw.get(c)
            if not isinstance(v, str) or not v.strip():
                continue
            v = v.strip()
            last_c, last_p = v.rfind(","), v.rfind(".")
            if last_c >= 0 and last_p >= 0:
                return "de" if last_c > last_p else "en"
            m = re.search(r"([.,])(\d+)$", v)
            if m and len(m.group(2)) != 3:
                return "de" if m.group(1) == "," else "en"
    return None


def parse_cell(col: Col, v: Any, hint: str | None, warn: list[str]) -> Any:
    """Parse one cell; raises ValueError with a message naming the problem."""
    t = col.type
    if t in ("list", "ibans", "domains"):
        items = v if isinstance(v, list) else re.split(r"[|\n]", str(v))
        items = [str(i).strip() for i in items if str(i).strip()]
        if t == "ibans":
            out = []
            for i in items:
                n = normalize_iban(i)
                if n is None:
                    raise ValueError(f"not an IBAN: {i!r}")
                if not iban_valid(n):
                    warn.append(f"IBAN {n} fails its checksum")
                out.append(n)
            return out
        if t == "domains":
            return [i.lower().replace("mailto:", "").rsplit("@", 1)[-1].strip("<> .")
                    for i in items]
        return items
    if isinstance(v, str):
        v = v.strip()
    if t == "str":
        return str(v)
    if t == "dec":
        if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
            return Decimal(str(v))
        d = parse_amount(v, hint)
        if d is None:
            raise ValueError(f"not a number: {v!r}")
        return d
    if t == "int":
        if isinstance(v, int) and not isinstance(v, bool):
            return v
        if not re.fullmatch(r"-?\d+(\.0+)?", str(v)):
            raise ValueError(f"not a whole number: {v!r}")
        return int(Decimal(str(v)))
    if t == "date":
        if isinstance(v, datetime):
            return v.date()
        if isinstance(v, date):
            return v
        d = parse_date(v, day_first=True) if _ISO_OR_DMY.fullmatch(str(v)) else None
        if d is None:
            raise ValueError(f"not a date (use 2024-03-31 or 31.03.2024): {v!r}")
        return d
    if t == "bool":
        if isinstance(v, bool):
            return v
        b = _BOOL.get(str(v).lower())
        if b is None:
            raise ValueError(f"not yes/no: {v!r}")
        return b
    if t in ("country", "currency"):
        n = 2 if t == "country" else 3
        if not re.fullmatch(rf"[A-Za-z]{{{n}}}", str(v)):
            raise ValueError(f"not a {n}-letter {t} code: {v!r}")
        return str(v).upper()
    if t == "vat":
        n = normalize_vat_id(str(v))
        if n is None:
            raise ValueError(f"not a VAT ID: {v!r}")
        if not vat_id_valid(n):
            warn.append(f"VAT ID {n} fails its checksum")
        return n
    if t == "partner_kind":
        k = _PKIND.get(str(v).lower().rstrip("s") if str(v).lower() != "s" else "s")
        if k is None:
            raise ValueError(f"partner kind must be customer or supplier: {v!r}")
        return k
    raise AssertionError(t)
