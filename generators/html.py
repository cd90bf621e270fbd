"""Mail-body renderings: remittance advices as HTML or plain text, orders as plain text.

Customers often send payment advices and orders in the body of an e-mail instead of as
an attachment.  These functions produce such bodies in several styles (``variant``):

* :func:`remittance_html` - 0 bordered table, 1 zebra with inline CSS, 2 Outlook-like
  ``MsoNormal`` markup, 3 minimal table without borders.
* :func:`remittance_text` - 0 fixed-width columns, 1 one block per invoice,
  2 semicolon-separated list.
* :func:`po_text` - 0 numbered list, 1 fixed-width table.

All values are printed with :func:`generators.formats.printed` in the sender's style, so
every truth value appears verbatim in the (tag-stripped, unescaped) body.
"""
from __future__ import annotations

import html as _html

from generators.documents import LAYOUTS, PurchaseOrder, RemittanceAdvice
from generators.formats import fmt_date, printed
from generators.labels import label

_GREETING = {
    "en": ("Dear Sir or Madam,", "Hello,", "Dear accounts receivable team,"),
    "de": ("Sehr geehrte Damen und Herren,", "Guten Tag,", "Hallo zusammen,"),
    "fr": ("Madame, Monsieur,", "Bonjour,", "Chère équipe comptable,"),
}
_REMIT_INTRO = {
    "en": "please find below the details of our payment {ref} dated {date}.",
    "de": "wir haben heute folgende Rechnungen mit der Zahlung {ref} vom {date} beglichen.",
    "fr": "veuillez trouver ci-dessous le détail de notre virement {ref} du {date}.",
}
_PO_INTRO = {
    "en": "please deliver the following items by {date} (our order {number} of {odate}):",
    "de": "bitte liefern Sie bis {date} folgende Artikel (unsere Bestellung {number} vom "
          "{odate}):",
    "fr": "merci de nous livrer avant le {date} les articles suivants (commande {number} du "
          "{odate}) :",
}
_REGARDS = {"en": "Kind regards", "de": "Mit freundlichen Grüßen", "fr": "Cordialement"}


def _variant(layout: str, variant: int | None, n: int) -> int:
    return (LAYOUTS.index(layout) if variant is None else variant) % n


def _remit_rows(doc: RemittanceAdvice) -> tuple[list[str], list[list[str]]]:
    st, lang = doc.style, doc.style.lang
    v = LAYOUTS.index(st.layout)
    keys = ["invoice", "inv_date", "inv_amount", "discount", "deduction", "reason", "paid"]
    heads = [label(lang, k, v) for k in keys]
    rows = [[ln.invoice_number, fmt_date(ln.invoice_date, st.dates, lang),
             printed("amount_paid", str(ln.invoice_amount), st),
             printed("discount", str(ln.discount), st),
             printed("deduction", str(ln.deduction), st), ln.deduction_reason,
             printed("amount_paid", str(ln.amount_paid), st)] for ln in doc.lines]
    return heads, rows


def _intro(doc: RemittanceAdvice) -> str:
    st = doc.style
    return _REMIT_INTRO[st.lang].format(ref=doc.payment_reference,
                                        date=printed("payment_date",
                                                     doc.payment_date.isoformat(), st))


def _total_line(doc: RemittanceAdvice) -> str:
    st, v = doc.style, LAYOUTS.index(doc.style.layout)
    amount = printed("payment_amount", str(doc.payment_amount), st)
    return f"{label(st.lang, 'pay_amount', v)}: {amount} {doc.currency}"


def remittance_html(doc: RemittanceAdvice, variant: int | None = None) -> str:
    """The payment advice as an HTML mail body."""
    var = _variant(doc.style.layout, variant, 4)
    lang = doc.style.lang
    esc = _html.escape
    heads, rows = _remit_rows(doc)
    greeting = _GREETING[lang][var % 3]
    right = {2, 3, 4, 6}
    if var == 0:
        table = ['<table border="1" cellpadding="4" cellspacing="0">',
                 "<tr>" + "".join(f"<th>{esc(h)}</th>" for h in heads) + "</tr>"]
        table += ["<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows]
    elif var == 1:
        table = ['<table style="border-collapse:collapse;font-family:Arial,sans-serif;'
                 'font-size:13px">',
                 '<thead><tr style="background:#1f3b6e;color:#fff">'
                 + "".join(f'<th style="padding:6px 10px">{esc(h)}</th>' for h in heads)
                 + "</tr></thead><tbody>"]
        for i, r in enumerate(rows):
            bg = "#f2f4f8" if i % 2 else "#ffffff"
            table.append(f'<tr style="background:{bg}">' + "".join(
                f'<td style="padding:4px 10px;text-align:{"right" if j in right else "left"}">'
                f"{esc(c)}</td>" for j, c in enumerate(r)) + "</tr>")
        table.append("</tbody>")
    elif var == 2:
        table = ['<table class="MsoNormalTable" border="0" cellspacing="0" cellpadding="0">']
        table += ['<tr>' + "".join(
            f'<td style="border:solid windowtext 1.0pt;padding:0cm 5.4pt"><p class="MsoNormal">'
            f"<b>{esc(h)}</b><o:p></o:p></p></td>" for h in heads) + "</tr>"]
        table += ["<tr>" + "".join(
            f'<td style="border:solid windowtext 1.0pt;padding:0cm 5.4pt"><p class="MsoNormal">'
            f"{esc(c) or '&nbsp;'}<o:p></o:p></p></td>" for c in r) + "</tr>" for r in rows]
    else:
        order = [0, 6, 3, 4, 5, 2, 1]
        table = ['<table cellpadding="3">',
                 "<tr>" + "".join(f"<td><u>{esc(heads[j])}</u></td>" for j in order) + "</tr>"]
        table += ["<tr>" + "".join(f"<td>{esc(r[j])}</td>" for j in order) + "</tr>"
                  for r in rows]
    table.append("</table>")
    p = "p" if var != 2 else 'p class="MsoNormal"'
    st = doc.style
    v = LAYOUTS.index(st.layout)
    facts = [f"{label(lang, 'payer', v)}: {doc.payer.name}",
             f"{label(lang, 'pay_ref', v)}: {doc.payment_reference}",
             f"{label(lang, 'pay_date', v)}: "
             f"{printed('payment_date', doc.payment_date.isoformat(), st)}",
             f"{label(lang, 'currency', v)}: {doc.currency}"]
    parts = [
        "<!DOCTYPE html>", '<html><head><meta charset="utf-8"></head><body>',
        f"<{p}>{esc(greeting)}</p>", f"<{p}>{esc(_intro(doc))}</p>",
        f"<{p}>" + "<br>".join(esc(f) for f in facts) + "</p>",
        "\n".join(table),
        f"<{p}><b>{esc(_total_line(doc))}</b></p>",
        f"<{p}>{esc(_REGARDS[lang])}<br>{esc(doc.payer.name)}<br>"
        f"{esc(', '.join(doc.payer.address_lines(lang)))}</p>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _fixed(heads: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(heads)]

    def fmt(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    out = [fmt(heads), "-" * len(fmt(heads))]
    return out + [fmt(r) for r in rows]


def remittance_text(doc: RemittanceAdvice, variant: int | None = None) -> str:
    """The payment advice as a plain-text mail body."""
    var = _variant(doc.style.layout, variant, 3)
    lang = doc.style.lang
    st, v = doc.style, LAYOUTS.index(doc.style.layout)
    heads, rows = _remit_rows(doc)
    out = [_GREETING[lang][var], "", _intro(doc), "",
           f"{label(lang, 'payer', v)}: {doc.payer.name}",
           f"{label(lang, 'pay_ref', v)}: {doc.payment_reference}",
           f"{label(lang, 'pay_date', v)}: "
           f"{printed('payment_date', doc.payment_date.isoformat(), st)}",
           f"{label(lang, 'currency', v)}: {doc.currency}", ""]
    if var == 0:
        out += _fixed(heads, rows, {2, 3, 4, 6})
    elif var == 1:
        for r in rows:
            out += [f"{h}: {c}" for h, c in zip(heads, r) if c] + [""]
    else:
        out.append(";".join(heads))
        out += [";".join(r) for r in rows]
    out += ["", _total_line(doc), "", _REGARDS[lang], doc.payer.name]
    return "\n".join(out) + "\n"


def po_text(doc: PurchaseOrder, variant: int | None = None) -> str:
    """A purchase order written as a plain-text e-mail body."""
    assert doc.buyer and doc.seller
    var = _variant(doc.style.layout, variant, 2)
    st, lang, v = doc.style, doc.style.lang, LAYOUTS.index(doc.style.layout)

    def p(name: str, value: object) -> str:
        return printed(name, str(value), st)

    out = [f"{label(lang, 'vendor', v)}: {doc.seller.name}", "", _GREETING[lang][var], "",
           _PO_INTRO[lang].format(date=p("delivery_date", doc.delivery_date.isoformat()),
                                  number=doc.number,
                                  odate=p("order_date", doc.order_date.isoformat())), ""]
    if var == 0:
        for i, ln in enumerate(doc.lines, start=1):
            out.append(f"{i}. {p('quantity', ln.quantity)} {ln.unit} {ln.sku} "
                       f"{ln.description} - {label(lang, 'price', v)} "
                       f"{p('unit_price', ln.unit_price)} = {p('line_total', ln.line_total)}")
    else:
        heads = [label(lang, k, v) for k in ("sku", "description", "qty", "unit", "price",
                                             "total")]
        rows = [[ln.sku, ln.description, p("quantity", ln.quantity), ln.unit,
                 p("unit_price", ln.unit_price), p("line_total", ln.line_total)]
                for ln in doc.lines]
        out += _fixed(heads, rows, {2, 4, 5})
    out += ["",
            f"{label(lang, 'net', v)}: {p('total_net', doc.total_net)} {doc.currency}",
            f"{label(lang, 'gross', v)}: {p('total_gross', doc.total_gross)} {doc.currency}",
            "", f"{label(lang, 'ship_to', v)}:"] + doc.ship_to_lines + [
            "", _REGARDS[lang], doc.contact, doc.buyer.name,
            ", ".join(doc.buyer.address_lines(lang))]
    return "\n".join(out) + "\n"
