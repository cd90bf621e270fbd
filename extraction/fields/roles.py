"""Party roles and prose: who *issued* the document and who *receives* it, independent of
the document type, plus the values that mail bodies state in sentences.

The layout rules of `parties` find the issuer (letterhead, sender line, footer) and the
recipient (address window).  Which canonical field each role fills depends on the type:

=================  ==============  ==============
document type      issuer          recipient
=================  ==============  ==============
invoice / credit   seller_name     buyer_name
purchase_order     buyer_name      seller_name
remittance         payer_name      (the payee)
=================  ==============  ==============

Mail bodies add three more sources: lead lines ("Von: X", "To: X"), the signature block
after a closing formula ("Kind regards / J. Smith / Hollis Industrial Ltd.") and the
opening sentence ("... our order PO-4711 of 30 Sep 2024", "bitte liefern Sie bis ...").
"""
from __future__ import annotations

import re

from extraction.fields.doc import Cand, Doc, DLine

ROLE_FIELD: dict[str, dict[str, str]] = {
    "invoice": {"issuer": "seller_name", "recipient": "buyer_name"},
    "credit_note": {"issuer": "seller_name", "recipient": "buyer_name"},
    "purchase_order": {"issuer": "buyer_name", "recipient": "seller_name"},
    "remittance": {"issuer": "payer_name", "recipient": "payee_name"},
}

_CLOSING = re.compile(
    r"^(mit (freundlichen|besten) grussen|freundliche grusse|viele grusse|beste grusse|"
    r"(kind|best|warm) regards|regards|sincerely|yours (faithfully|sincerely)|"
    r"(bien )?cordialement|(meilleures |sinceres )?salutations|bien a vous|"
    r"met vriendelijke groet(en)?)\b")
_LEAD = re.compile(r"^(?P<lab>von|from|de|absender|an|to|a|à|empfanger|recipient|"
                   r"destinataire)\s*:\s*(?P<val>\S.*)$", re.IGNORECASE)
_ISSUER_LEADS = {"von", "from", "de", "absender"}
_PERSON = re.compile(r"^([A-ZÀ-Ý]\.\s?)+[A-ZÀ-Ý][\w'\-]+$|^[A-ZÀ-Ý][a-zà-ÿ]+ [A-ZÀ-Ý][a-zà-ÿ]+$")

# "... (unsere Bestellung P2496413 vom 26.10.2024)", "our payment ZA8280677 dated 11/09/2024"
_REF_NOUN = (r"(?:order|purchase order|bestellung|auftrag|commande|bon de commande|payment|"
             r"transfer|remittance|zahlung|[uü]berweisung|virement|paiement|r[eè]glement)")
_DATE_WORD = r"(?:of|dated|from|on|vom|am|du|le|en date du)"
_BY_WORD = r"(?:by|before|until|no later than|bis zum|bis|spätestens|avant le|d'ici le|pour le)"


def mail_party_candidates(doc: Doc) -> dict[str, list[Cand]]:
    """Issuer / recipient names from lead lines and the signature block."""
    out: dict[str, list[Cand]] = {"issuer": [], "recipient": [], "issuer_address": []}
    lines = doc.lines
    for ln in lines[:8]:
        m = _LEAD.match(ln.text)
        if not m or not re.search(r"[A-Za-zÀ-ÿ]{2}", m["val"]):
            continue
        role = "issuer" if m["lab"].casefold() in _ISSUER_LEADS else "recipient"
        k = len(ln.words) - len(m["val"].split())
        out[role].append(Cand(role, m["val"].strip(), 0.72, ln.page, ln.words[max(k, 0):],
                              ln.source, "mail-lead"))
    for idx, ln in enumerate(lines):
        if not _CLOSING.match(" ".join(ln.norms)):
            continue
        tail = lines[idx + 1: idx + 5]
        name: DLine | None = None
        from extraction.fields.parties import LEGAL, POSTCODE_CITY
        for k, t in enumerate(tail):
            txt = t.text.strip()
            if LEGAL.search(txt) and not POSTCODE_CITY.search(txt):
                name = t
                break
            if k + 1 < len(tail) and POSTCODE_CITY.search(tail[k + 1].text) and \
                    not _PERSON.match(txt) and not re.search(r"\d", txt):
                name = t
                break
        if name is None:
            continue
        score = 0.74 if LEGAL.search(name.text) else 0.55
        out["issuer"].append(Cand("issuer", name.text.strip(), score, name.page, name.words,
                                  name.source, "signature"))
        nxt = lines[name.idx + 1] if name.idx + 1 < len(lines) else None
        if nxt is not None and POSTCODE_CITY.search(nxt.text):
            out["issuer_address"].append(Cand("issuer_address", nxt.text.strip(), 0.6,
                                              nxt.page, nxt.words, nxt.source, "signature"))
    return out


def prose_candidates(doc: Doc, doc_type: str) -> list[Cand]:
    """Reference number and dates stated in the opening sentences of a mail body."""
    if doc_type not in ("purchase_order", "remittance"):
        return []
    num_f, date_f = (("po_number", "order_date") if doc_type == "purchase_order"
                     else ("payment_reference", "payment_date"))
    from extraction.normalize import iso_date
    out: list[Cand] = []
    for ln in doc.lines[:10]:
        text = ln.text
        low = " ".join(ln.norms)
        m = re.search(r"\b" + _REF_NOUN + r"\s+(?:(?:no|nr|n°)\.?\s*)?"
                      r"(?P<id>[A-Z0-9][\w\-/.]*\d[\w\-/]*)\s+" + _DATE_WORD +
                      r"\s+(?P<rest>.+)", text, re.IGNORECASE)
        if m:
            out.append(Cand(num_f, m["id"].rstrip("."), 0.7, ln.page, ln.words, ln.source,
                            "prose"))
            d = _date_prefix(doc, m["rest"])
            if d:
                out.append(Cand(date_f, iso_date(d), 0.7, ln.page, ln.words, ln.source, "prose"))
        if doc_type == "purchase_order":
            mb = re.search(r"\b" + _BY_WORD + r"\s+(?P<rest>.+)", text, re.IGNORECASE)
            if mb and re.search(r"\b(liefern|deliver|livrer|ship|supply|lieferung|delivery)",
                                low):
                d = _date_prefix(doc, mb["rest"])
                if d:
                    out.append(Cand("delivery_date", iso_date(d), 0.68, ln.page, ln.words,
                                    ln.source, "prose"))
    return out


def _date_prefix(doc: Doc, s: str):
    """The longest run of leading words of `s` that parses as a date."""
    ws = s.replace("(", " ").replace(")", " ").split()
    for n in (3, 2, 1):
        if len(ws) >= n:
            d = doc.date(" ".join(ws[:n]).strip(".,:;"))
            if d is not None:
                return d
    return None


def strip_title(doc: Doc, ln: DLine, words: list) -> list:
    """Words of a letterhead segment before a document title printed on the same line
    ("Mulder & Bakker N.V.   Credit Note")."""
    from extraction.fields import lex
    norms = [lex.normalise(w.text) for w in words]
    cues = lex.find_cues(norms)
    if cues and cues[0][0] > 0:
        return words[:cues[0][0]]
    if cues and cues[0][1] < len(words):          # "FACTUUR. Coolblue B.V."
        from extraction.fields.parties import LEGAL
        rest = words[cues[0][1]:]
        if LEGAL.search(" ".join(w.text for w in rest)):
            return rest
    return words


def add_party_candidates(doc: Doc, doc_type: str, cands: dict[str, list[Cand]],
                         wanted: tuple[str, ...]) -> None:
    """Add seller / buyer / payer / ship-to candidates from labelled sections, the issuer
    and recipient layout rules, mail-body leads, signatures and prose."""
    from extraction.fields import address, parties
    roles = ROLE_FIELD.get(doc_type, ROLE_FIELD["invoice"])
    for c in parties.section_candidates(doc, set(wanted)):
        if c.field == "ship_to":
            continue                       # read as a whole block by `address`
        if c.field == "buyer_name" and doc_type == "remittance":
            c.field = "payer_name"
        cands.setdefault(c.field, []).append(c)
    cands.setdefault("ship_to", []).extend(address.ship_to_candidates(doc))
    mail = mail_party_candidates(doc)
    issuer_f, recip_f = roles["issuer"], roles["recipient"]
    for c in parties.seller_candidates(doc) + mail["issuer"]:
        c.field = issuer_f
        cands.setdefault(issuer_f, []).append(c)
    from extraction.fields import _best
    top = _best(cands.get(issuer_f, []))
    names = {top.value.casefold()} if top else set()
    for c in parties.buyer_candidates(doc, names) + mail["recipient"]:
        c.field = recip_f
        cands.setdefault(recip_f, []).append(c)
    ner_candidates(doc, doc_type, cands)
    for c in prose_candidates(doc, doc_type):
        cands.setdefault(c.field, []).append(c)
    for c in mail["issuer_address"]:
        if issuer_f == "seller_name":
            c.field = "seller_address"
            cands.setdefault("seller_address", []).append(c)


NER_SCORE = (0.45, 0.45)      # NER candidate score = a + b * NER score
NER_WHEN_BELOW = 0.85        # run the NER only when the layout rules are less sure
# The NER reads the header band of page 1 only.  A name found lower than
# `NER_LONE_MAX_Y` is kept only when it is also mentioned above, so lines below that
# band could only add a second mention to a name already found; the model's cost grows
# with the number of tokens, and the band is ~70 % of the tokens of the top 60 %.
NER_MAX_Y = 0.45
NER_LONE_MAX_Y = 0.45


def ner_candidates(doc: Doc, doc_type: str, cands: dict[str, list[Cand]]) -> None:
    """Seller / buyer names from the trained NER (`extraction.nlp.parties`) as one more
    candidate source.  The model costs ~30-90 ms a page, so it runs only when the layout
    rules found no clear name for a party; agreeing sources reinforce each other in
    `_best`, which is what lifts the confidence."""
    from extraction.fields import _best
    roles = ROLE_FIELD.get(doc_type, ROLE_FIELD["invoice"])
    fields = [f for f in (roles["issuer"], roles["recipient"]) if f != "payee_name"]
    unsure = [f for f in fields if (_best(cands.get(f, [])) or _NONE).score < NER_WHEN_BELOW]
    if not unsure or not doc.pages or doc.pages[0].source == "mail":
        return
    try:
        from extraction.nlp.parties import party_candidates
        found = party_candidates(doc.pages[:1], doc_type=doc_type, max_y=NER_MAX_Y,
                                 names_only=True, page_lines=doc.page_lines)
    except (ImportError, OSError, ValueError):   # model missing / spaCy unavailable
        return
    # the NER says SELLER for the letterhead; `party_candidates` already swaps for POs
    role_map = ({"seller_name": "seller_name", "buyer_name": "buyer_name"}
                if doc_type == "purchase_order" else
                {"seller_name": roles["issuer"], "buyer_name": roles["recipient"]})
    for pc in found:
        f = role_map.get(pc.role)
        if f not in unsure or not pc.text.strip():
            continue
        if pc.mentions < 2 and pc.bbox[1] > NER_LONE_MAX_Y:
            continue                  # a lone mention low on the page: item text, not a party
        x0, y0, x1, y1 = pc.bbox
        words = [w for ln in doc.lines if ln.page == pc.page for w in ln.words
                 if w.x0 >= x0 - 1e-3 and w.x1 <= x1 + 1e-3 and w.y0 >= y0 - 1e-3
                 and w.y1 <= y1 + 1e-3]
        text = re.sub(r"\s+", " ", pc.text).strip()
        cands.setdefault(f, []).append(Cand(f, text, NER_SCORE[0] + NER_SCORE[1] * pc.score,
                                            pc.page, words, doc.lines[0].source, "ner"))


_NONE = Cand("", "", 0.0, None, [])
