"""OASIS UBL 2.x readers: Invoice, CreditNote, DebitNote, SelfBilledCreditNote /
SelfBilledInvoice, Order, OrderChange, RemittanceAdvice, and a header-only reader for
every other UBL document (OrderResponse, DespatchAdvice, Statement, Reminder, ...).

Elements are matched by local name.  Party names prefer the legal name
(``PartyLegalEntity/RegistrationName``, EN 16931 BT-27) over ``PartyName/Name``.
"""
from __future__ import annotations

from decimal import Decimal

from lxml import etree

from extraction.einvoice_common import (
    canonical_amount, canonical_date, canonical_quantity, clean_iban, clean_vat_id, find,
    find_all, invoice_doc_type, join_address, kids, local, put, text, text_of,
)
from extraction.model import Extraction, Field

_E = etree._Element

INVOICE_ROOTS = {
    "Invoice": ("InvoiceLine", "InvoicedQuantity", "LegalMonetaryTotal", "invoice"),
    "SelfBilledInvoice": ("InvoiceLine", "InvoicedQuantity", "LegalMonetaryTotal", "invoice"),
    "CreditNote": ("CreditNoteLine", "CreditedQuantity", "LegalMonetaryTotal", "credit_note"),
    "SelfBilledCreditNote": ("CreditNoteLine", "CreditedQuantity", "LegalMonetaryTotal",
                             "credit_note"),
    "DebitNote": ("DebitNoteLine", "DebitedQuantity",
                  "RequestedMonetaryTotal|LegalMonetaryTotal", "invoice"),
}
ORDER_ROOTS = {"Order": "order", "OrderChange": "order_change"}
SELLER_ROLES = ("AccountingSupplierParty", "SellerSupplierParty", "DespatchSupplierParty",
                "SupplierParty")
BUYER_ROLES = ("AccountingCustomerParty", "BuyerCustomerParty", "DeliveryCustomerParty",
               "CustomerParty", "OriginatorCustomerParty")


def _party(root: _E, *roles: str) -> _E | None:
    for role in roles:
        p = find(root, role + "/Party")
        if p is not None:
            return p
    return None


def party_name(p: _E | None) -> str | None:
    return text(p, "PartyLegalEntity/RegistrationName") or text(p, "PartyName/Name")


def address(a: _E | None) -> list[str | None]:
    """Street lines, 'postcode city' and country code of a UBL address."""
    if a is None:
        return []
    street = text(a, "StreetName")
    number = text(a, "BuildingNumber")
    if street and number and number not in street:
        street = f"{street} {number}"
    city = " ".join(x for x in (text(a, "PostalZone"), text(a, "CityName")) if x)
    lines = [text_of(x) for x in find_all(a, "AddressLine/Line")]
    return [street, text(a, "AdditionalStreetName"), *lines, city,
            text(a, "Country/IdentificationCode")]


def party_address(p: _E | None) -> str | None:
    return join_address(*address(find(p, "PostalAddress")))


def party_vat(p: _E | None) -> str | None:
    for pts in find_all(p, "PartyTaxScheme"):
        scheme = (text(pts, "TaxScheme/ID") or "") + " " + (text(pts, "TaxScheme/TaxTypeCode") or "")
        if "VAT" in scheme.upper() or "TVA" in scheme.upper():
            v = clean_vat_id(text(pts, "CompanyID"))
            if v:
                return v
    return None


def _currency(root: _E, *total_paths: str) -> str | None:
    cur = text(root, "DocumentCurrencyCode|PricingCurrencyCode")
    if cur:
        return cur
    for spec in total_paths:
        for el in find_all(root, spec):
            if el.get("currencyID"):
                return el.get("currencyID")
    return None


def _amount(parent: _E | None, name: str) -> str | None:
    return canonical_amount(text(parent, name))


def _tax_total(root: _E, currency: str | None) -> str | None:
    amounts = [a for a in find_all(root, "TaxTotal/TaxAmount") if text_of(a)]
    if not amounts:
        return None
    chosen = next((a for a in amounts if currency and a.get("currencyID") == currency),
                  amounts[0])
    return canonical_amount(text_of(chosen))


def _iban(root: _E) -> str | None:
    for acct in find_all(root, "PaymentMeans/PayeeFinancialAccount"):
        v = clean_iban(text(acct, "ID"), strict=True)
        if v:
            return v
    return None


def _due_date(root: _E) -> str | None:
    return canonical_date(text(root, "DueDate") or text(root, "PaymentMeans/PaymentDueDate"))


def _note_basis(ex: Extraction, line_el: _E) -> None:
    """Record ``Price/BaseQuantity`` when a price is not quoted per single unit."""
    basis = canonical_quantity(text(line_el, "Price/BaseQuantity"))
    if basis and basis != "1":
        ex.meta.setdefault("price_basis_quantity", {})[str(len(ex.lines))] = basis


def _base(root: _E, doc_type: str) -> Extraction:
    ex = Extraction(doc_type=doc_type, doc_type_confidence=1.0, pages=0)
    type_code = text(root, "InvoiceTypeCode|CreditNoteTypeCode|DebitNoteTypeCode|"
                           "OrderTypeCode|DocumentTypeCode")
    ex.meta.update({
        "reader": "xml", "syntax": "UBL", "root": local(root), "type_code": type_code,
        "profile": text(root, "CustomizationID"),
    })
    profile_id = text(root, "ProfileID")
    if profile_id:
        ex.meta["business_process"] = profile_id
    return ex


def parse_ubl_invoice(root: _E) -> Extraction:
    line_tag, qty_tag, total_tag, default_type = INVOICE_ROOTS[local(root)]
    type_code = text(root, "InvoiceTypeCode|CreditNoteTypeCode|DebitNoteTypeCode")
    doc_type = default_type if default_type == "credit_note" else invoice_doc_type(type_code)
    ex = _base(root, doc_type)
    totals = find(root, total_tag)
    currency = _currency(root, total_tag + "/PayableAmount", total_tag + "/TaxInclusiveAmount")
    seller = _party(root, "AccountingSupplierParty", "SellerSupplierParty")
    buyer = _party(root, "AccountingCustomerParty", "BuyerCustomerParty")
    f = ex.fields
    put(f, "invoice_number", text(root, "ID"))
    put(f, "issue_date", canonical_date(text(root, "IssueDate")))
    put(f, "due_date", _due_date(root))
    put(f, "currency", currency)
    put(f, "seller_name", party_name(seller))
    put(f, "seller_address", party_address(seller))
    put(f, "seller_vat_id", party_vat(seller))
    put(f, "seller_iban", _iban(root))
    put(f, "buyer_name", party_name(buyer))
    put(f, "buyer_vat_id", party_vat(buyer))
    put(f, "po_number", text(root, "OrderReference/ID"))
    put(f, "total_net", _amount(totals, "TaxExclusiveAmount"))
    put(f, "total_tax", _tax_total(root, currency))
    put(f, "total_gross", _amount(totals, "TaxInclusiveAmount"))
    put(f, "amount_due", _amount(totals, "PayableAmount"))
    if currency and not text(root, "DocumentCurrencyCode"):
        ex.meta["currency_from_amounts"] = True
    for ln in kids(root, line_tag):
        line: dict[str, Field] = {}
        item = find(ln, "Item")
        put(line, "sku", text(item, "SellersItemIdentification/ID"))
        put(line, "description", text(item, "Name") or text(item, "Description"))
        put(line, "quantity", canonical_quantity(text(ln, qty_tag)))
        put(line, "unit_price", _amount(ln, "Price/PriceAmount"))
        _note_basis(ex, ln)
        put(line, "line_total", _amount(ln, "LineExtensionAmount"))
        put(line, "tax_rate", canonical_quantity(
            text(item, "ClassifiedTaxCategory/Percent")
            or text(ln, "TaxTotal/TaxSubtotal/TaxCategory/Percent|Percent")))
        ex.lines.append(line)
    return ex


def _ship_to(root: _E) -> str | None:
    delivery = find(root, "Delivery")
    if delivery is None:
        return None
    name = text(delivery, "DeliveryParty/PartyName/Name") or text(
        delivery, "DeliveryLocation/Name")
    addr = find(delivery, "DeliveryLocation/Address")
    for alt in ("DeliveryAddress", "DeliveryParty/PostalAddress"):
        if addr is None:
            addr = find(delivery, alt)
    return join_address(name, *address(addr))


def parse_ubl_order(root: _E) -> Extraction:
    ex = _base(root, "purchase_order")
    ex.meta["message_type"] = ORDER_ROOTS[local(root)]
    totals = find(root, "AnticipatedMonetaryTotal")
    currency = _currency(root, "AnticipatedMonetaryTotal/PayableAmount",
                         "AnticipatedMonetaryTotal/LineExtensionAmount",
                         "OrderLine/LineItem/LineExtensionAmount")
    ref = text(root, "OrderReference/ID")
    if ref:
        ex.meta["referenced_order"] = ref
    payable = _amount(totals, "PayableAmount")
    if payable:
        ex.meta["amount_due"] = payable
    delivery_period = find(root, "Delivery/RequestedDeliveryPeriod")
    f = ex.fields
    put(f, "po_number", text(root, "ID"))
    put(f, "order_date", canonical_date(text(root, "IssueDate")))
    put(f, "delivery_date", canonical_date(text(delivery_period, "StartDate")
                                           or text(delivery_period, "EndDate")))
    put(f, "currency", currency)
    put(f, "buyer_name", party_name(_party(root, "BuyerCustomerParty")))
    put(f, "seller_name", party_name(_party(root, "SellerSupplierParty")))
    put(f, "ship_to", _ship_to(root))
    put(f, "total_net", _amount(totals, "TaxExclusiveAmount")
        or _amount(totals, "LineExtensionAmount"))
    put(f, "total_gross", _amount(totals, "TaxInclusiveAmount") or payable)
    for ol in kids(root, "OrderLine"):
        li = find(ol, "LineItem")
        item = find(li, "Item")
        qty = find(li, "Quantity")
        line: dict[str, Field] = {}
        put(line, "sku", text(item, "SellersItemIdentification/ID"))
        put(line, "description", text(item, "Name") or text(item, "Description"))
        put(line, "quantity", canonical_quantity(text_of(qty)))
        put(line, "unit", qty.get("unitCode") if qty is not None else None)
        put(line, "unit_price", _amount(li, "Price/PriceAmount"))
        _note_basis(ex, li)
        put(line, "line_total", _amount(li, "LineExtensionAmount"))
        ex.lines.append(line)
    return ex


def parse_ubl_remittance(root: _E) -> Extraction:
    """RemittanceAdvice: payment_date is ``PaymentMeans/PaymentDueDate`` (the date the
    payment is made/due), else the advice's ``IssueDate``; payment_reference is
    ``PaymentMeans/PaymentID``, else the advice ``ID``."""
    ex = _base(root, "remittance")
    payer = _party(root, "AccountingCustomerParty", "PayerParty")
    if payer is None:
        payer = find(root, "PayerParty")
    f = ex.fields
    put(f, "payer_name", party_name(payer))
    put(f, "payment_date", canonical_date(text(root, "PaymentMeans/PaymentDueDate")
                                          or text(root, "IssueDate")))
    put(f, "payment_reference", text(root, "PaymentMeans/PaymentID") or text(root, "ID"))
    put(f, "payment_amount", _amount(root, "TotalPaymentAmount"))
    put(f, "currency", _currency(root, "TotalPaymentAmount", "RemittanceAdviceLine/*"))
    ex.meta["document_number"] = text(root, "ID")
    payee = _party(root, "AccountingSupplierParty")
    if payee is None:
        payee = find(root, "PayeeParty")
    if payee is not None:
        ex.meta["payee_name"] = party_name(payee)
    for rl in kids(root, "RemittanceAdviceLine"):
        line: dict[str, Field] = {}
        put(line, "invoice_number", text(rl, "BillingReference/InvoiceDocumentReference/ID")
            or text(rl, "InvoiceDocumentReference/ID"))
        paid = _amount(rl, "PaidAmount|BalanceAmount")
        if paid is None:
            debit, credit = _amount(rl, "DebitLineAmount"), _amount(rl, "CreditLineAmount")
            if debit is not None:
                paid = canonical_amount(str(Decimal(debit) - Decimal(credit or "0")))
        put(line, "amount_paid", paid)
        put(line, "deduction", _amount(rl, "CreditLineAmount"))
        ex.lines.append(line)
    return ex


def _first_name(root: _E, roles: tuple[str, ...]) -> str | None:
    """Name of the first party, in role order, that has one."""
    for role in roles:
        name = party_name(find(root, role + "/Party"))
        if name:
            return name
    return None


def parse_ubl_other(root: _E) -> Extraction:
    """Header-only reading of any other UBL document (doc_type 'other')."""
    ex = _base(root, "other")
    ex.meta["message_type"] = local(root)
    f = ex.fields
    put(f, "document_number", text(root, "ID"))
    put(f, "issue_date", canonical_date(text(root, "IssueDate")))
    put(f, "currency", _currency(root, "LegalMonetaryTotal/PayableAmount",
                                 "AnticipatedMonetaryTotal/PayableAmount"))
    put(f, "seller_name", _first_name(root, SELLER_ROLES))
    put(f, "buyer_name", _first_name(root, BUYER_ROLES))
    put(f, "po_number", text(root, "OrderReference/ID"))
    put(f, "amount_due", _amount(find(root, "LegalMonetaryTotal|AnticipatedMonetaryTotal"),
                                 "PayableAmount"))
    return ex


def parse_ubl(root: _E) -> Extraction:
    name = local(root)
    if name in INVOICE_ROOTS:
        return parse_ubl_invoice(root)
    if name in ORDER_ROOTS:
        return parse_ubl_order(root)
    if name == "RemittanceAdvice":
        return parse_ubl_remittance(root)
    return parse_ubl_other(root)
