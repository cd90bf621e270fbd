"""Document type from page words: purchase_order, invoice, credit_note, remittance, other.

Evidence, summed per type:

* doc-type cue phrases from `extraction.labels` ("Invoice", "Rechnung", "Avoir", "Purchase
  Order", "Zahlungsavis"...).  A cue counts more when it looks like a title: on page 1,
  near the top, in a large font, or alone on its line; cues inside running text count
  little (so "please quote the invoice number" on a PO does not make it an invoice);
* field evidence: a valid IBAN plus a due-date / payment-terms label -> invoice; a
  remittance cue plus several invoice-number-like rows -> remittance; negative amounts
  or "credit" wording next to an invoice cue -> credit note;
* negative cues: order *responses / confirmations* ("order response", "order
  confirmation", "Auftragsbestätigung", "accusé de réception de commande") are not
  purchase orders: they reply to one, so they go to "other".  Order *changes* stay
  purchase_order (they carry a PO number and lines to update).

The confidence is the winner's share of the evidence, shrunk when evidence is thin.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from extraction.layout import Page, Word

if TYPE_CHECKING:
    from extraction.fields.doc import Doc

TYPES = ("purchase_order", "invoice", "credit_note", "remittance", "other")
# cue "types" from labels that are not one of TYPES map here
_ALIASES = {"order": "purchase_order", "po": "purchase_order", "credit": "credit_note",
            "remittance_advice": "remittance", "payment_advice": "remittance",
            "order_response": "other", "order_confirmation": "other", "quote": "other",
            "quotation": "other", "delivery_note": "other", "statement": "other",
            "reminder": "other"}
_RESPONSE = re.compile(r"\b(purchase\s+)?order\s+(response|confirmation|acknowledge?ment)\b|"
                       r"\bauftragsbestatigung\b|\bbestellbestatigung\b|"
                       r"\b(accuse de reception|confirmation) de commande\b|"
                       r"\breponse a (la )?commande\b")


def _type_of(cue: str) -> str | None:
    c = _ALIASES.get(cue, cue)
    return c if c in TYPES else None


_COMPOUND = (("rechnung", "invoice:strong"), ("gutschrift", "credit_note:strong"),
             ("bestellung", "purchase_order:weak"))
_COMPOUND_SUFFIXES = tuple(suffix for suffix, _ in _COMPOUND)


def _compound_cues(norms: list[str]) -> list[tuple[int, int, tuple[str, ...], str]]:
    """German compounds ending in a cue word ("Handelsrechnung(380)", "Abschlagsrechnung")
    and hyphenated cue words ("RECHNUNGS-KORREKTUR")."""
    from extraction.fields import lex
    idx = lex.cue_index()
    out = []
    for i, n in enumerate(norms):
        if n.isalnum():              # one token (the common case): no split / join
            head = n
        else:
            toks = n.split()
            if not toks:
                continue
            joined = "".join(toks)
            if len(toks) > 1 and joined in idx:
                out.append((i, i + 1, idx[joined], joined))
                continue
            head = toks[0]
        if head.endswith(_COMPOUND_SUFFIXES):
            for suffix, cue in _COMPOUND:
                if len(head) > len(suffix) + 2 and head.endswith(suffix):
                    out.append((i, i + 1, (cue,), head))
    return out


def _despace(norms: list[str], words: list[Word]) -> tuple[list[str], list[Word]]:
    """Join letter-spaced titles ("W A R E N R E C H N U N G") into one word."""
    if sum(1 for n in norms if len(n) == 1) < 4:
        return norms, words
    out_n: list[str] = []
    out_w: list[Word] = []
    k = 0
    while k < len(norms):
        m = k
        while m < len(norms) and len(norms[m]) == 1 and norms[m].isalpha():
            m += 1
        if m - k >= 4:
            out_n.append("".join(norms[k:m]))
            ws = words[k:m]
            out_w.append(Word("".join(w.text for w in ws), ws[0].x0, min(w.y0 for w in ws),
                              ws[-1].x1, max(w.y1 for w in ws)))
            k = m
        else:
            out_n.append(norms[k])
            out_w.append(words[k])
            k += 1
    return out_n, out_w


def _segment_ids(words: list[Word], gap: float = 0.045) -> list[int]:
    ids, cur = [], 0
    for k, w in enumerate(words):
        if k and w.x0 - words[k - 1].x1 > gap:
            cur += 1
        ids.append(cur)
    return ids


_REF_WORDS = frozenset(("no", "nr", "n", "num", "ref", "de", "du", "votre", "your", "ihre",
                        "unsere", "our", "zur", "zu", "for", "to", "gemass", "per", "sur",
                        "relates", "original", "against", "auf", "reference", "referenz"))
_SELF_BILLED = re.compile(r"\b(selbst ausgestellte rechnung|self billed invoice|"
                          r"self billing|autofacturation|auto facturation)\b")


def _printed_code(norms: list[str]) -> str | None:
    """UNTDID 1001 code printed after a title, as e-invoice viewers do: "Gutschrift (389)".
    384 (corrected invoice) is an invoice whatever the sign of its totals (EN 16931)."""
    toks = [(t, k) for k, n in enumerate(norms) for t in n.split()] + [("", -1)]
    for (a, _), (b, k), (c, kc) in zip(toks, toks[1:], toks[2:]):
        if kc == k and c.isdigit():
            continue          # an amount: "389,50" normalises to "389 50"
        if len(b) == 3 and _DOC_CODE.fullmatch(b) and _CODE_WORD.fullmatch(a):
            return "credit_note" if b in ("381", "396") else "invoice"
    return None


_DOC_CODE = re.compile(r"3(80|81|84|89|26|86|93|95|96)|87[5-7]|751|575|204")
_CODE_WORD = re.compile(r"[a-z]{5,}")


# labels that only a remittance / an order carries ("Payment reference:", "Paid on:",
# "Ship to:"); generic ones ("Date", "Total", "Reference") prove nothing
_REMIT_FIELDS = frozenset(("payment_reference", "payment_date", "payer_name", "payment_amount"))
_ORDER_FIELDS = frozenset(("delivery_date", "order_date", "ship_to"))
_GENERIC = frozenset(("date", "datum", "le", "reference", "ref", "referenz", "from", "total",
                      "amount", "betrag", "summe", "montant", "customer", "client", "delivery",
                      "livraison", "absender", "auftraggeber", "emetteur", "total amount",
                      "montant total", "gesamtbetrag", "destinataire", "reference"))
_REMIT_PROSE = re.compile(r"\b(details of (our|the) payment|we have (paid|settled|transferred)|"
                          r"have been paid|mit der zahlung|beglichen|uberwiesen|"
                          r"detail de (notre|ce) (virement|paiement|reglement)|"
                          r"avons (regle|vire|paye))\b")
_ORDER_PROSE = re.compile(r"\b(please (deliver|supply|ship)|bitte liefern|"
                          r"merci de (nous )?livrer|veuillez (nous )?livrer|"
                          r"(our|unsere|notre) (purchase )?(order|bestellung|commande) "
                          r"(no |nr |n )?[a-z]*\d)")


def _keyvalue_evidence(doc: "Doc", scores: dict[str, float]) -> None:
    """Documents without a title (mail bodies) still show their type through specific
    key-value labels and standard prose ("please find below the details of our payment")."""
    kinds = {"remittance": set(), "purchase_order": set()}
    for h in doc.hits:
        fs = set(h.fields)
        if not fs or h.phrase in _GENERIC or h.i > 1:
            continue
        if fs <= _REMIT_FIELDS:
            kinds["remittance"].add(h.phrase)
        elif fs <= _ORDER_FIELDS:
            kinds["purchase_order"].add(h.phrase)
    head = "\n".join(" ".join(ln.norms) for ln in doc.lines[:12])
    if _REMIT_PROSE.search(head):
        scores["remittance"] += 2.0
    if _ORDER_PROSE.search(head):
        scores["purchase_order"] += 2.0
    scores["remittance"] += 1.2 * min(3, len(kinds["remittance"]))
    scores["purchase_order"] += 0.6 * min(2, len(kinds["purchase_order"]))


def classify_doc(doc: "Doc") -> tuple[str, float]:
    from extraction.fields import lex
    scores = {t: 0.0 for t in TYPES}
    if not doc.lines:
        return "other", 0.5
    hs = sorted(ln.height for ln in doc.lines)
    med = hs[len(hs) // 2] or 0.01
    first_page = doc.pages[0].number if doc.pages else 1
    occ: list[tuple[float, bool, bool, float, tuple[str, ...], int]] = []
    for ln in doc.lines:
        norms, words = _despace(ln.norms, ln.words)
        code = _printed_code(norms)
        if code and ln.page == first_page:
            scores[code] += 20.0
        if _SELF_BILLED.search(" ".join(norms)):
            scores["invoice"] += 8.0
        cues = list(lex.find_cues(norms)) + _compound_cues(norms)
        if not cues:
            continue
        seg_of = _segment_ids(words)
        # a cue inside a table header row ("Invoice | Paid | Discount") names a column
        header_row = len(lex.find_columns(norms)) >= 4
        size = min(2.5, max(0.7, ln.height / med))
        top = 1.6 if ln.y0 < 0.35 else 1.0
        page_w = 1.0 if ln.page == first_page else 0.35
        for (i, j, types, _ph) in cues:
            seg = [k for k in range(len(words)) if seg_of[k] == seg_of[i]]
            n, start = len(seg), seg[0]
            if n - (j - i) <= 3:
                pos = 2.0             # (nearly) alone on its line/segment: a title
            elif i == start:
                pos = 1.2
            else:
                pos = 0.35            # inside running text
            before = norms[i - 1] if i > start else ""
            after = words[j].text if j < len(words) else ""
            colon = words[j - 1].text.endswith(":") or after.startswith(":")
            if before in _REF_WORDS or header_row:
                pos = 0.15            # a reference to another document ("N° bon de commande")
            # a cue followed by a number/ID ("Invoice 123", "Rechnung Nr.") is title-like
            tail = " ".join(norms[j:j + 3])
            titled = 1.8 if re.match(r"(\(\d{3}\) )?(no|nr|n|num|#|\d)\b", tail) else 1.0
            w = size * top * page_w * pos * titled
            strong = any(x.endswith(":strong") for x in types)
            can_title = ln.page == first_page and pos >= 1.2 and strong
            occ.append((w, colon, can_title, ln.height, tuple(types), len(occ)))
    # the title: the largest strong title-like cue on page 1 (earliest on ties)
    titles = [o for o in occ if o[2]]
    title = None
    if titles:
        hmax = max(o[3] for o in titles)
        title = min((o for o in titles if o[3] >= hmax * 0.95), key=lambda o: (o[1], o[5]))
    for o in occ:
        w, colon, _c, _h, types, idx = o
        if title is not None and idx == title[5]:
            w *= 2.5
        elif colon:
            w = min(w, 0.3 * w)       # "Bestellung : 2018-471331" is a reference label
        for x in set(types):
            dt, _, strength = x.partition(":")
            t = _type_of(dt)
            if t:
                scores[t] += w if strength == "strong" else 0.2 * w
    text = doc.text_lower()
    for ln in doc.lines:
        if ln.page != first_page or ln.y0 > 0.35:
            continue
        norms, words = _despace(ln.norms, ln.words)
        seg_of = _segment_ids(words)
        for k in range(len(words)):
            if (k == 0 or seg_of[k] != seg_of[k - 1]) and \
                    _RESPONSE.match(" ".join(norms[k:k + 6])):
                scores["other"] += 6.0 + scores["purchase_order"]
                break
    # field evidence
    has_iban = bool(re.search(r"\biban\b", text))
    has_due = bool(re.search(r"\b(due date|payment terms|falligkeit|zahlbar bis|zahlungsziel|"
                             r"date d'echeance|echeance|payable)\b", text))
    if has_iban and has_due:
        scores["invoice"] += 1.0
    if scores["remittance"] > 0:
        inv_rows = sum(1 for ln in doc.lines
                       if re.search(r"\d", " ".join(ln.norms[:2])) and len(ln.words) >= 3)
        if inv_rows >= 2:
            scores["remittance"] += 1.0
    _keyvalue_evidence(doc, scores)
    if scores["credit_note"] > 0 and scores["invoice"] > 0:
        scores["credit_note"] += 0.3 * scores["invoice"]   # "Credit note for invoice 123"
    total = sum(scores.values())
    if total <= 0:
        # no title cue in EN/DE/FR: money totals plus bank / VAT evidence still say invoice
        money = any({"total_gross", "total_net", "amount_due"} & set(h.fields)
                    for h in doc.hits) or len(re.findall(r"[€$£]\s?\d|\d[.,]\d\d\s?(€|eur)",
                                                         text)) >= 3
        bank = bool(re.search(r"\b(iban|bic|swift|btw|vat|tva|ust)\b", text))
        return ("invoice", 0.5) if money and bank else ("other", 0.4)
    best = max(TYPES, key=lambda t: scores[t])
    share = scores[best] / total
    strength = min(1.0, scores[best] / 4.0)
    conf = round(0.35 + 0.64 * share * (0.5 + 0.5 * strength), 4)
    return best, conf


def classify(pages: list[Page]) -> tuple[str, float]:
    """Document type and confidence for the pages of one document."""
    from extraction.fields.doc import Doc
    return classify_doc(Doc.build(pages))
