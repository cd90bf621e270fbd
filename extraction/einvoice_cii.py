"""UN/CEFACT CII readers: ZUGFeRD 1.0, the 2014 ``urn:ferd:invoice:rc`` pre-release,
ZUGFeRD 2.x / Factur-X / XRechnung CII invoices and Order-X (SCRDM CIO) orders.

All variants share one shape under different element names (``HeaderExchangedDocument``
vs ``ExchangedDocument``, ``ApplicableSupplyChainTradeAgreement`` vs
``ApplicableHeaderTradeAgreement`` ...), so every lookup lists the alternatives and
matches by local name; namespace versions never matter.

Sub-invoice lines (ZUGFeRD 2.4 EXTENDED, ``ParentLineID``/``LineStatusReasonCode``):
only *billing leaves* are returned - lines that are not ``INFORMATION`` and have no
non-``INFORMATION`` children.  Group lines whose children are all ``INFORMATION``
count as leaves.  The leaves sum to the header ``LineTotalAmount`` in every corpus
sample; ``meta["line_hierarchy"]`` records that a hierarchy was flattened.
"""
from __future__ import annotations

from lxml import etree

from extraction.einvoice_common import (
    canonical_amount, canonical_date, canonical_quantity, clean_iban, clean_vat_id, find,
    find_all, invoice_doc_type, join_address, kids, local, put, text, text_of,
)
from extraction.model import Extraction, Field, Line

_E = etree._Element

CONTEXT = "SpecifiedExchangedDocumentContext|ExchangedDocumentContext"
HEADER = "HeaderExchangedDocument|ExchangedDocument"
TRANSACTION = "SpecifiedSupplyChainTradeTransaction|SupplyChainTradeTransaction"
AGREEMENT = "ApplicableSupplyChainTradeAgreement|ApplicableHeaderTradeAgreement"
DELIVERY = "ApplicableSupplyChainTradeDelivery|ApplicableHeaderTradeDelivery"
SETTLEMENT = "ApplicableSupplyChainTradeSettlement|ApplicableHeaderTradeSettlement"
SUMMATION = ("SpecifiedTradeSettlementMonetarySummation|"
             "SpecifiedTradeSettlementHeaderMonetarySummation")
L_AGREEMENT = "SpecifiedSupplyChainTradeAgreement|SpecifiedLineTradeAgreement"
L_DELIVERY = "SpecifiedSupplyChainTradeDelivery|SpecifiedLineTradeDelivery"
L_SETTLEMENT = "SpecifiedSupplyChainTradeSettlement|SpecifiedLineTradeSettlement"
L_SUMMATION = ("SpecifiedTradeSettlementMonetarySummation|"
               "SpecifiedTradeSettlementLineMonetarySummation")

ORDER_X_TYPES = {"220": "order", "230": "order_change", "231": "order_response"}


def cii_date(el: _E | None) -> str | None:
    """Date of a CII ``*DateTime`` element: ``DateTimeString`` child or own text (rc)."""
    if el is None:
        return None
    inner = find(el, "DateTimeString|DateString")
    src = inner if inner is not None else el
    return canonical_date(text_of(src), src.get("format"))


def _party(agreement: _E | None, role: str) -> _E | None:
    return find(agreement, role)


def party_name(p: _E | None) -> str | None:
    return text(p, "Name")


def party_address(p: _E | None, *, with_name: bool = False) -> str | None:
    a = find(p, "PostalTradeAddress")
    if a is None:
        return party_name(p) if with_name else None
    city = " ".join(x for x in (text(a, "PostcodeCode"), text(a, "CityName")) if x)
    return join_address(
        party_name(p) if with_name else None,
        text(a, "LineOne"), text(a, "LineTwo"), text(a, "LineThree"),
        city, text(a, "CountryID"),
    )


def party_vat(p: _E | None) -> str | None:
    for reg in find_all(p, "SpecifiedTaxRegistration/ID"):
        if (reg.get("schemeID") or "").upper() == "VA":
            v = clean_vat_id(text_of(reg))
            if v:
                return v
    return None


def _amount_in(summ: _E | None, name: str, currency: str | None) -> str | None:
    """Amount ``name`` of a summation; prefers the copy in ``currency`` (TaxTotalAmount
    may appear twice: invoice currency and tax accounting currency)."""
    hits = [h for h in find_all(summ, name) if text_of(h)]
    if not hits:
        return None
    chosen = hits[0]
    if currency and len(hits) > 1:
        for h in hits:
            if h.get("currencyID") in (currency, None):
                chosen = h
                break
    return canonical_amount(text_of(chosen))


def _iban(settlement: _E | None) -> str | None:
    for el in find_all(settlement, "SpecifiedTradeSettlementPaymentMeans/"
                                   "PayeePartyCreditorFinancialAccount/IBANID"):
        v = clean_iban(text_of(el))
        if v:
            return v
    return None


def _due_date(settlement: _E | None) -> str | None:
    for el in find_all(settlement, "SpecifiedTradePaymentTerms/DueDateDateTime"):
        d = cii_date(el)
        if d:
            return d
    return None


def _lines(tx: _E | None, kind: str) -> tuple[list[Line], bool, dict[str, str]]:
    """Line items; ``kind`` is 'invoice' or 'order'.  Returns (lines, had_hierarchy,
    {line index: price basis quantity} for prices not quoted per single unit)."""
    items = kids(tx, "IncludedSupplyChainTradeLineItem")
    info: list[tuple[str | None, str | None, str]] = []
    for it in items:
        doc = find(it, "AssociatedDocumentLineDocument")
        info.append((text(doc, "LineID"), text(doc, "ParentLineID"),
                     (text(doc, "LineStatusReasonCode") or "").upper()))
    hierarchy = any(parent for _, parent, _ in info)
    billing_parents = {parent for _, parent, status in info
                       if parent and status != "INFORMATION"}
    out: list[Line] = []
    bases: dict[str, str] = {}
    for it, (line_id, _parent, status) in zip(items, info):
        if hierarchy and (status == "INFORMATION" or line_id in billing_parents):
            continue
        basis = canonical_quantity(text(find(it, L_AGREEMENT),
                                        "NetPriceProductTradePrice/BasisQuantity"))
        if basis and basis != "1":
            bases[str(len(out))] = basis
        out.append(_line(it, kind))
    return out, hierarchy, bases


def _line(it: _E, kind: str) -> Line:
    product = find(it, "SpecifiedTradeProduct")
    agreement = find(it, L_AGREEMENT)
    delivery = find(it, L_DELIVERY)
    settlement = find(it, L_SETTLEMENT)
    line: dict[str, Field] = {}
    put(line, "sku", text(product, "SellerAssignedID"))
    put(line, "description", text(product, "Name") or text(product, "Description"))
    qty_names = ("BilledQuantity" if kind == "invoice"
                 else "RequestedQuantity|AgreedQuantity|BilledQuantity")
    qty = next((q for q in find_all(delivery, qty_names) if text_of(q)), None)
    put(line, "quantity", canonical_quantity(text_of(qty)))
    if kind == "order":
        put(line, "unit", (qty.get("unitCode") or None) if qty is not None else None)
    put(line, "unit_price",
        canonical_amount(text(agreement, "NetPriceProductTradePrice/ChargeAmount")))
    put(line, "line_total", canonical_amount(text(settlement, L_SUMMATION + "/LineTotalAmount")))
    if kind == "invoice":
        put(line, "tax_rate", canonical_quantity(
            text(settlement, "ApplicableTradeTax/RateApplicablePercent|ApplicablePercent")))
    return line


def _base(root: _E, syntax: str) -> tuple[Extraction, _E | None, _E | None, str | None]:
    header = find(root, HEADER)
    type_code = text(header, "TypeCode")
    ex = Extraction(doc_type_confidence=1.0, pages=0)
    ex.meta.update({
        "reader": "xml", "syntax": syntax, "root": local(root), "type_code": type_code,
        "profile": text(root, CONTEXT + "/GuidelineSpecifiedDocumentContextParameter/ID"),
    })
    bp = text(root, CONTEXT + "/BusinessProcessSpecifiedDocumentContextParameter/ID")
    if bp:
        ex.meta["business_process"] = bp
    return ex, header, find(root, TRANSACTION), type_code


def parse_cii_invoice(root: _E, syntax: str) -> Extraction:
    """ZUGFeRD 1.0 / rc / 2.x / Factur-X / XRechnung CII invoice or credit note."""
    ex, header, tx, type_code = _base(root, syntax)
    ex.doc_type = invoice_doc_type(type_code)
    agreement, settlement = find(tx, AGREEMENT), find(tx, SETTLEMENT)
    summ = find(settlement, SUMMATION)
    seller, buyer = _party(agreement, "SellerTradeParty"), _party(agreement, "BuyerTradeParty")
    currency = text(settlement, "InvoiceCurrencyCode")
    if not currency:
        total = find(summ, "GrandTotalAmount|DuePayableAmount")
        currency = total.get("currencyID") if total is not None else None
    f = ex.fields
    put(f, "invoice_number", text(header, "ID"))
    put(f, "issue_date", cii_date(find(header, "IssueDateTime")))
    put(f, "due_date", _due_date(settlement))
    put(f, "currency", currency)
    put(f, "seller_name", party_name(seller))
    put(f, "seller_address", party_address(seller))
    put(f, "seller_vat_id", party_vat(seller))
    put(f, "seller_iban", _iban(settlement))
    put(f, "buyer_name", party_name(buyer))
    put(f, "buyer_vat_id", party_vat(buyer))
    put(f, "po_number", text(agreement, "BuyerOrderReferencedDocument/IssuerAssignedID|ID"))
    put(f, "total_net", _amount_in(summ, "TaxBasisTotalAmount", currency))
    put(f, "total_tax", _amount_in(summ, "TaxTotalAmount", currency))
    put(f, "total_gross", _amount_in(summ, "GrandTotalAmount", currency))
    put(f, "amount_due", _amount_in(summ, "DuePayableAmount", currency))
    ex.lines, hierarchy, bases = _lines(tx, "invoice")
    if bases:
        ex.meta["price_basis_quantity"] = bases
    if hierarchy:
        ex.meta["line_hierarchy"] = "flattened_to_billing_leaves"
    return ex


def _delivery_date(delivery: _E | None) -> str | None:
    for ev in ("RequestedDeliverySupplyChainEvent", "RequestedDespatchSupplyChainEvent"):
        event = find(delivery, ev)
        if event is None:
            continue
        d = cii_date(find(event, "OccurrenceDateTime")) or cii_date(
            find(event, "OccurrenceSpecifiedPeriod/StartDateTime|EndDateTime"))
        if d:
            return d
    return None


def parse_order_x(root: _E) -> Extraction:
    """Order-X (SCRDM Cross Industry Order): 220 order, 230 change -> purchase_order;
    231 order response -> other (header fields only, like UBL OrderResponse)."""
    ex, header, tx, type_code = _base(root, "Order-X")
    message = ORDER_X_TYPES.get(type_code or "", "order")
    ex.meta["message_type"] = message
    agreement, delivery = find(tx, AGREEMENT), find(tx, DELIVERY)
    settlement = find(tx, SETTLEMENT)
    summ = find(settlement, SUMMATION)
    currency = text(settlement, "OrderCurrencyCode|InvoiceCurrencyCode")
    if not currency:
        tax = find(summ, "TaxTotalAmount|GrandTotalAmount")
        currency = tax.get("currencyID") if tax is not None else None
    buyer_ref = text(agreement, "BuyerOrderReferencedDocument/IssuerAssignedID")
    seller = _party(agreement, "SellerTradeParty")
    buyer = _party(agreement, "BuyerTradeParty")
    f = ex.fields
    if message == "order_response":
        ex.doc_type = "other"
        put(f, "document_number", text(header, "ID"))
        put(f, "issue_date", cii_date(find(header, "IssueDateTime")))
        put(f, "currency", currency)
        put(f, "seller_name", party_name(seller))
        put(f, "buyer_name", party_name(buyer))
        put(f, "po_number", buyer_ref)
        ex.meta["line_count"] = len(kids(tx, "IncludedSupplyChainTradeLineItem"))
        return ex
    ex.doc_type = "purchase_order"
    if buyer_ref and buyer_ref != text(header, "ID"):
        ex.meta["referenced_order"] = buyer_ref
    put(f, "po_number", text(header, "ID"))
    put(f, "order_date", cii_date(find(header, "IssueDateTime")))
    put(f, "delivery_date", _delivery_date(delivery))
    put(f, "currency", currency)
    put(f, "buyer_name", party_name(buyer))
    put(f, "seller_name", party_name(seller))
    put(f, "ship_to", party_address(find(delivery, "ShipToTradeParty"), with_name=True))
    put(f, "total_net", _amount_in(summ, "TaxBasisTotalAmount", currency)
        or _amount_in(summ, "LineTotalAmount", currency))
    put(f, "total_gross", _amount_in(summ, "GrandTotalAmount", currency))
    ex.lines, _, bases = _lines(tx, "order")
    if bases:
        ex.meta["price_basis_quantity"] = bases
    return ex
