"""Generated documents (purchase order, invoice, credit note, remittance) and builders.

Each document is a plain dataclass holding what the sender would print, together with
the :class:`~generators.formats.Style` it prints with.  ``truth()`` returns the canonical
ground truth ``{"doc_type", "fields", "lines"}`` using exactly the field names of
:mod:`extraction.model`.  Fields a document does not carry (a US seller has no VAT ID, a
credit note no due date) are left out of ``fields`` rather than set to ``None``.

Arithmetic: ``line_total = round(quantity * unit_price, 2)``; net is the sum of the line
totals; tax is computed per rate on the net of that rate and rounded half-up; gross is
net + tax.  Remittance: ``amount_paid = invoice amount - discount - deduction`` and
``payment_amount`` is the sum of ``amount_paid``.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from generators.formats import Style, canon_amount, canon_decimal, money
from generators.parties import TAX_RATES, UNITS, Party, Product, World

LAYOUTS = ("classic", "modern", "compact", "boxed")
KINDS = ("po", "invoice", "credit_note", "remittance")
Truth = dict[str, Any]


@dataclass
class Line:
    """One item line of an order, invoice or credit note."""

    sku: str
    description: str
    quantity: Decimal
    unit: str                 # printed unit label, e.g. "Stk"
    unit_price: Decimal
    tax_rate: Decimal

    @property
    def line_total(self) -> Decimal:
        return money(self.quantity * self.unit_price)


def _totals(lines: list[Line]) -> tuple[Decimal, list[tuple[Decimal, Decimal, Decimal]]]:
    """Net total and the tax breakdown ``[(rate, net, tax)]`` sorted by rate desc."""
    by_rate: dict[Decimal, Decimal] = {}
    for ln in lines:
        by_rate[ln.tax_rate] = by_rate.get(ln.tax_rate, Decimal(0)) + ln.line_total
    breakdown = [(r, money(n), money(n * r / 100)) for r, n in sorted(by_rate.items(),
                                                                      reverse=True)]
    return money(sum((ln.line_total for ln in lines), Decimal(0))), breakdown


@dataclass
class _ItemDocument:
    """Shared behaviour of documents with item lines."""

    number: str
    currency: str
    lines: list[Line]
    style: Style

    @property
    def total_net(self) -> Decimal:
        return _totals(self.lines)[0]

    @property
    def tax_breakdown(self) -> list[tuple[Decimal, Decimal, Decimal]]:
        return _totals(self.lines)[1]

    @property
    def total_tax(self) -> Decimal:
        return money(sum((t for _, _, t in self.tax_breakdown), Decimal(0)))

    @property
    def total_gross(self) -> Decimal:
        return self.total_net + self.total_tax


@dataclass
class PurchaseOrder(_ItemDocument):
    """An order sent by ``buyer`` to ``seller``."""

    order_date: dt.date = dt.date(2024, 1, 1)
    delivery_date: dt.date = dt.date(2024, 1, 1)
    buyer: Party | None = None
    seller: Party | None = None
    ship_to_lines: list[str] = field(default_factory=list)
    contact: str = ""
    doc_type: str = "purchase_order"
    kind: str = "po"

    def truth(self) -> Truth:
        assert self.buyer and self.seller
        fields = {
            "po_number": self.number,
            "order_date": self.order_date.isoformat(),
            "delivery_date": self.delivery_date.isoformat(),
            "currency": self.currency,
            "buyer_name": self.buyer.name,
            "seller_name": self.seller.name,
            "ship_to": ", ".join(self.ship_to_lines),
            "total_net": canon_amount(self.total_net),
            "total_gross": canon_amount(self.total_gross),
        }
        lines = [{
            "sku": ln.sku, "description": ln.description,
            "quantity": canon_decimal(ln.quantity), "unit": ln.unit,
            "unit_price": canon_amount(ln.unit_price), "line_total": canon_amount(ln.line_total),
        } for ln in self.lines]
        return {"doc_type": self.doc_type, "fields": fields, "lines": lines}


@dataclass
class Invoice(_ItemDocument):
    """An invoice from ``seller`` to ``buyer``."""

    issue_date: dt.date = dt.date(2024, 1, 1)
    due_date: dt.date | None = None
    seller: Party | None = None
    buyer: Party | None = None
    po_number: str | None = None
    show_buyer_vat: bool = True
    prepaid: Decimal = Decimal("0.00")
    customer_number: str = ""
    doc_type: str = "invoice"
    kind: str = "invoice"

    @property
    def amount_due(self) -> Decimal:
        return self.total_gross - self.prepaid

    def truth(self) -> Truth:
        assert self.seller and self.buyer
        fields: dict[str, str] = {
            "invoice_number": self.number,
            "issue_date": self.issue_date.isoformat(),
        }
        if self.due_date:
            fields["due_date"] = self.due_date.isoformat()
        fields["currency"] = self.currency
        fields["seller_name"] = self.seller.name
        fields["seller_address"] = self.seller.address(self.style.lang)
        if self.seller.vat_id:
            fields["seller_vat_id"] = self.seller.vat_id
        if self.seller.iban:
            fields["seller_iban"] = self.seller.iban
        fields["buyer_name"] = self.buyer.name
        if self.buyer.vat_id and self.show_buyer_vat:
            fields["buyer_vat_id"] = self.buyer.vat_id
        if self.po_number:
            fields["po_number"] = self.po_number
        fields.update({
            "total_net": canon_amount(self.total_net),
            "total_tax": canon_amount(self.total_tax),
            "total_gross": canon_amount(self.total_gross),
            "amount_due": canon_amount(self.amount_due),
        })
        lines = [{
            "sku": ln.sku, "description": ln.description,
            "quantity": canon_decimal(ln.quantity), "unit_price": canon_amount(ln.unit_price),
            "line_total": canon_amount(ln.line_total), "tax_rate": canon_decimal(ln.tax_rate),
        } for ln in self.lines]
        return {"doc_type": self.doc_type, "fields": fields, "lines": lines}


@dataclass
class CreditNote(Invoice):
    """A credit note; amounts are printed (and stored) as positive credits."""

    original_invoice: str = ""
    doc_type: str = "credit_note"
    kind: str = "credit_note"


@dataclass
class RemittanceLine:
    """One settled invoice (or offset credit note) on a remittance advice."""

    invoice_number: str
    invoice_date: dt.date
    invoice_amount: Decimal
    discount: Decimal = Decimal("0.00")
    deduction: Decimal = Decimal("0.00")
    deduction_reason: str = ""

    @property
    def amount_paid(self) -> Decimal:
        return money(self.invoice_amount - self.discount - self.deduction)


@dataclass
class RemittanceAdvice:
    """A payment advice from ``payer`` to ``payee`` listing the invoices paid."""

    payment_reference: str
    payment_date: dt.date
    currency: str
    payer: Party
    payee: Party
    lines: list[RemittanceLine]
    style: Style
    doc_type: str = "remittance"
    kind: str = "remittance"

    @property
    def number(self) -> str:
        return self.payment_reference

    @property
    def payment_amount(self) -> Decimal:
        return money(sum((ln.amount_paid for ln in self.lines), Decimal(0)))

    def truth(self) -> Truth:
        fields = {
            "payer_name": self.payer.name,
            "payment_date": self.payment_date.isoformat(),
            "payment_reference": self.payment_reference,
            "payment_amount": canon_amount(self.payment_amount),
            "currency": self.currency,
        }
        lines: list[dict[str, str]] = []
        for ln in self.lines:
            row = {"invoice_number": ln.invoice_number,
                   "amount_paid": canon_amount(ln.amount_paid),
                   "discount": canon_amount(ln.discount),
                   "deduction": canon_amount(ln.deduction)}
            if ln.deduction_reason:
                row["deduction_reason"] = ln.deduction_reason
            lines.append(row)
        return {"doc_type": self.doc_type, "fields": fields, "lines": lines}


Document = PurchaseOrder | Invoice | CreditNote | RemittanceAdvice

# --------------------------------------------------------------------------- builders

_REASONS = {
    "en": ("Damaged goods", "Price difference", "Short delivery", "Freight not agreed"),
    "de": ("Transportschaden", "Preisdifferenz", "Mindermenge", "Fracht nicht vereinbart"),
    "fr": ("Marchandise endommagée", "Écart de prix", "Livraison incomplète",
           "Frais de port contestés"),
}


def make_style(rng: random.Random, party: Party, layout: str | None = None) -> Style:
    """The printing style of a sender in ``party``'s country."""
    lang = party.lang
    if lang == "de":
        dates = rng.choice(("dmy_dot", "dmy_dot", "d_mon_y"))
    elif lang == "fr":
        dates = rng.choice(("dmy_slash", "dmy_slash", "d_mon_y"))
    elif party.country == "US":
        dates = rng.choice(("mdy_slash", "mdy_slash", "mon_d_y"))
    else:
        dates = rng.choice(("dmy_slash", "dmy_slash", "d_mon_y"))
    return Style(lang=lang, numbers=lang, dates=dates, layout=layout or rng.choice(LAYOUTS),
                 iban_grouped=rng.random() < 0.8)


def _number(rng: random.Random, kind: str, year: int) -> str:
    n = rng.randint(10, 99999)
    patterns = {
        "po": (f"PO-{rng.randint(45000000, 45999999)}", f"{rng.randint(4500000000, 4509999999)}",
               f"BE-{year}-{n:05d}", f"P{year % 100}{n:05d}"),
        "invoice": (f"RE-{year}-{n:05d}", f"INV-{rng.randint(100000, 999999)}",
                    f"F{year}/{n:04d}", f"{year}-{rng.randint(1, 12):02d}-{n:04d}"),
        "credit_note": (f"GS-{year}-{n:04d}", f"CN-{rng.randint(10000, 99999)}",
                        f"AV{year}/{n:04d}"),
        "remittance": (f"PAY-{year}-{n:06d}", f"ZA{rng.randint(1000000, 9999999)}",
                       f"VIR-{year}{rng.randint(1, 12):02d}-{n:04d}"),
    }[kind]
    return rng.choice(patterns)


def _quantity(rng: random.Random, product: Product) -> Decimal:
    if product.fractional and rng.random() < 0.6:
        return Decimal(rng.choice(("0.5", "1.5", "2.25", "7.5", "12.5", "3.75", "40.5")))
    return Decimal(rng.choice((1, 1, 2, 3, 4, 5, 6, 10, 12, 20, 24, 25, 50, 100, 150, 250)))


def _lines(rng: random.Random, products: list[Product], lang: str, rates: tuple[str, ...],
           n_lines: int | None) -> list[Line]:
    if n_lines is None:
        n_lines = rng.randint(25, 60) if rng.random() < 0.1 else rng.randint(1, 8)
    picks = [products[rng.randrange(len(products))] for _ in range(n_lines)]
    out = []
    for p in picks:
        rate = rates[0] if len(rates) == 1 or rng.random() < 0.8 else rng.choice(rates[1:])
        out.append(Line(sku=p.sku, description=p.description(lang),
                        quantity=_quantity(rng, p), unit=UNITS[p.unit][lang],
                        unit_price=p.price, tax_rate=Decimal(rate)))
    return out


def make_purchase_order(rng: random.Random, world: World, base_date: dt.date,
                        n_lines: int | None = None, layout: str | None = None
                        ) -> PurchaseOrder:
    """A customer's order to the home company."""
    buyer = rng.choice(world.customers)
    style = make_style(rng, buyer, layout)
    rates = TAX_RATES[buyer.country]
    order_date = base_date - dt.timedelta(days=rng.randint(0, 60))
    ship_to = buyer.address_lines(style.lang)
    if rng.random() < 0.4:   # separate warehouse address
        warehouse = {"en": "Warehouse", "de": "Lager", "fr": "Entrepôt"}[style.lang]
        ship_to = [f"{warehouse} {rng.randint(1, 9)}"] + ship_to
    return PurchaseOrder(
        number=_number(rng, "po", order_date.year), currency=buyer.currency,
        lines=_lines(rng, world.products, style.lang, rates[:1], n_lines), style=style,
        order_date=order_date, delivery_date=order_date + dt.timedelta(days=rng.randint(3, 30)),
        buyer=buyer, seller=world.home, ship_to_lines=ship_to,
        contact=rng.choice(("M. Weber", "J. Smith", "C. Martin", "A. Rossi", "P. Janssen")),
    )


def make_invoice(rng: random.Random, world: World, base_date: dt.date,
                 n_lines: int | None = None, layout: str | None = None,
                 credit: bool = False) -> Invoice:
    """A supplier's invoice (or credit note when ``credit``) to the home company."""
    seller = rng.choice(world.suppliers)
    style = make_style(rng, seller, layout)
    issue = base_date - dt.timedelta(days=rng.randint(0, 45))
    lines = _lines(rng, world.products, style.lang, TAX_RATES[seller.country], n_lines)
    common: dict[str, Any] = dict(
        currency=seller.currency, lines=lines, style=style, issue_date=issue,
        seller=seller, buyer=world.home,
        po_number=_number(rng, "po", issue.year) if rng.random() < 0.75 else None,
        show_buyer_vat=rng.random() < 0.8, customer_number=world.home.customer_number,
    )
    if credit:
        return CreditNote(number=_number(rng, "credit_note", issue.year),
                          original_invoice=_number(rng, "invoice", issue.year), **common)
    inv = Invoice(number=_number(rng, "invoice", issue.year),
                  due_date=issue + dt.timedelta(days=rng.choice((14, 30, 30, 45, 60))),
                  **common)
    if rng.random() < 0.1:
        inv.prepaid = money(inv.total_gross * Decimal(rng.choice(("0.3", "0.5"))))
    return inv


def make_credit_note(rng: random.Random, world: World, base_date: dt.date,
                     n_lines: int | None = None, layout: str | None = None) -> CreditNote:
    """A supplier's credit note to the home company."""
    note = make_invoice(rng, world, base_date, n_lines or rng.randint(1, 3), layout, True)
    assert isinstance(note, CreditNote)
    return note


def make_remittance(rng: random.Random, world: World, base_date: dt.date,
                    n_lines: int | None = None, layout: str | None = None
                    ) -> RemittanceAdvice:
    """A customer's payment advice for invoices of the home company."""
    payer = rng.choice(world.customers)
    style = make_style(rng, payer, layout)
    pay_date = base_date - dt.timedelta(days=rng.randint(0, 20))
    n = n_lines if n_lines is not None else rng.choice((1, 1, 2, 3, 4, 5, 8, 12))
    lines: list[RemittanceLine] = []
    for _ in range(n):
        inv_date = pay_date - dt.timedelta(days=rng.randint(5, 60))
        amount = money(Decimal(rng.randint(5000, 2500000)) / 100)
        ln = RemittanceLine(f"RE-{inv_date.year}-{rng.randint(10000, 99999)}", inv_date, amount)
        r = rng.random()
        if r < 0.25:
            ln.discount = money(amount * Decimal(rng.choice(("2", "3"))) / 100)
        elif r < 0.4:
            ln.deduction = money(amount * Decimal(rng.randint(1, 15)) / 100)
            ln.deduction_reason = rng.choice(_REASONS[style.lang])
        lines.append(ln)
    if n > 1 and rng.random() < 0.2:   # offset a credit note
        cn_date = pay_date - dt.timedelta(days=rng.randint(5, 30))
        lines.append(RemittanceLine(f"GS-{cn_date.year}-{rng.randint(1000, 9999)}", cn_date,
                                    -money(Decimal(rng.randint(1000, 50000)) / 100)))
    return RemittanceAdvice(
        payment_reference=_number(rng, "remittance", pay_date.year), payment_date=pay_date,
        currency=payer.currency, payer=payer, payee=world.home, lines=lines, style=style)


def make_document(kind: str, rng: random.Random, world: World, base_date: dt.date,
                  n_lines: int | None = None, layout: str | None = None) -> Document:
    """Dispatch on ``kind`` (one of :data:`KINDS`)."""
    if kind == "po":
        return make_purchase_order(rng, world, base_date, n_lines, layout)
    if kind == "invoice":
        return make_invoice(rng, world, base_date, n_lines, layout)
    if kind == "credit_note":
        return make_credit_note(rng, world, base_date, n_lines, layout)
    if kind == "remittance":
        return make_remittance(rng, world, base_date, n_lines, layout)
    raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")
