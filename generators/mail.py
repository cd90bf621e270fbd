"""RFC 5322 e-mails carrying generated documents.

``build_email`` assembles an :class:`email.message.EmailMessage` with a text body, an
optional HTML body, an inline logo (``Content-Disposition: inline`` with a
``Content-ID`` the HTML refers to), file attachments (PDF, images, ...) and optionally a
forwarded ``.eml`` attached as ``message/rfc822``; it returns the serialised bytes.
Date, Message-ID, Content-IDs and MIME boundaries all derive from ``seed`` so the bytes
are reproducible.  ``document_email`` wraps a generated document with a fitting subject
and body in the sender's language.
"""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import html as _html
import io
import random
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from PIL import Image, ImageDraw

from generators.documents import Document, PurchaseOrder, RemittanceAdvice
from generators.labels import label

DEFAULT_DATE = dt.datetime(2024, 11, 15, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))


@dataclass(frozen=True)
class Attachment:
    """A file to attach."""

    filename: str
    data: bytes
    mime: str = "application/pdf"     # "maintype/subtype"


def logo_png(text: str = "O2C", color: tuple[int, int, int] = (31, 59, 110),
             size: tuple[int, int] = (120, 40)) -> bytes:
    """A small, reproducible PNG logo: a coloured bar with a white mark and text."""
    img = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(img)
    h = size[1]
    draw.ellipse((6, 6, h - 6, h - 6), fill=(255, 255, 255))
    draw.text((h + 4, h // 2 - 6), text[:12], fill=(255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def _token(rng: random.Random, n: int = 16) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def build_email(sender: str, to: str, subject: str, body_text: str,
                body_html: str | None = None, attachments: list[Attachment] | None = None,
                inline_logo: bool = True, attached_eml: bytes | None = None,
                sender_name: str | None = None, date: dt.datetime | None = None,
                seed: int = 0) -> bytes:
    """Build a complete e-mail and return its bytes (parse with email.message_from_bytes)."""
    rng = random.Random(seed)
    domain = sender.rpartition("@")[2] or "example.invalid"
    msg = EmailMessage()
    msg["From"] = formataddr((sender_name, sender)) if sender_name else sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date or DEFAULT_DATE)
    msg["Message-ID"] = f"<{_token(rng)}.{seed}@{domain}>"
    msg["MIME-Version"] = "1.0"
    msg.set_content(body_text)
    cid = f"logo.{_token(rng, 8)}@{domain}"
    if inline_logo and body_html is None:
        body_html = ("<html><body><pre style=\"font-family:inherit\">"
                     f"{_html.escape(body_text)}</pre></body></html>")
    if body_html is not None:
        if inline_logo:
            sig = f'<p><img src="cid:{cid}" alt="logo" width="120" height="40"></p>'
            body_html = (body_html.replace("</body>", sig + "</body>", 1)
                         if "</body>" in body_html else body_html + sig)
        msg.add_alternative(body_html, subtype="html")
        if inline_logo:
            html_part = msg.get_payload()[1]
            initials = "".join(w[0] for w in (sender_name or domain).split()[:3]).upper()
            html_part.add_related(logo_png(initials), maintype="image", subtype="png",
                                  cid=f"<{cid}>", filename="logo.png", disposition="inline")
    for att in attachments or []:
        maintype, _, subtype = att.mime.partition("/")
        msg.add_attachment(att.data, maintype=maintype, subtype=subtype or "octet-stream",
                           filename=att.filename)
    if attached_eml is not None:
        inner = email.message_from_bytes(attached_eml, policy=email.policy.default)
        msg.add_attachment(inner)
        part = msg.get_payload()[-1]
        del part["Content-Disposition"]
        part.add_header("Content-Disposition", "attachment", filename="forwarded.eml")
    for i, part in enumerate(msg.walk()):
        if part.is_multipart():
            part.set_boundary(f"=_o2c_{seed}_{i}_{_token(rng, 8)}")
    return msg.as_bytes(policy=email.policy.SMTP)


_SUBJECT = {
    "purchase_order": {"en": "Purchase order {n}", "de": "Bestellung {n}",
                       "fr": "Bon de commande {n}"},
    "invoice": {"en": "Invoice {n}", "de": "Rechnung {n}", "fr": "Facture {n}"},
    "credit_note": {"en": "Credit note {n}", "de": "Gutschrift {n}", "fr": "Avoir {n}"},
    "remittance": {"en": "Payment advice {n}", "de": "Zahlungsavis {n}",
                   "fr": "Avis de paiement {n}"},
}
_BODY = {
    "en": "Hello,\n\nplease find attached {what}.\n\nKind regards\n{name}\n",
    "de": "Guten Tag,\n\nanbei erhalten Sie {what}.\n\nMit freundlichen Grüßen\n{name}\n",
    "fr": "Bonjour,\n\nveuillez trouver ci-joint {what}.\n\nCordialement\n{name}\n",
}


def document_email(doc: Document, attachments: list[Attachment], to: str | None = None,
                   body_text: str | None = None, body_html: str | None = None,
                   seed: int = 0, attached_eml: bytes | None = None) -> bytes:
    """An e-mail from the document's sender with a subject and body in its language."""
    if isinstance(doc, PurchaseOrder):
        assert doc.buyer and doc.seller
        sender, recipient = doc.buyer, doc.seller
    elif isinstance(doc, RemittanceAdvice):
        sender, recipient = doc.payer, doc.payee
    else:
        assert doc.seller and doc.buyer
        sender, recipient = doc.seller, doc.buyer
    lang = doc.style.lang
    subject = _SUBJECT[doc.doc_type][lang].format(n=doc.number)
    what = f"{label(lang, 'title_' + doc.kind, 1)} {doc.number}"
    text = body_text or _BODY[lang].format(what=what, name=sender.name)
    return build_email(sender.email, to or recipient.email, subject, text, body_html,
                       attachments, attached_eml=attached_eml, sender_name=sender.name,
                       seed=seed)
