"""Template-free field extraction from page words: `extract_fields(pages, doc_type)`.

Pipeline (all layout-driven, no per-vendor templates):

1. `doc.Doc.build` groups words into lines, finds label phrases (`labels` vocabulary) and
   decides the locale (language, decimal comma, day-first dates, seller country).
2. `header.label_candidates` reads typed values right of / below labels.
3. `patterns` adds label-free IBAN / VAT id / currency candidates; `roles` adds the
   issuer / recipient names (`parties`: letterhead, sender line, recipient block; mail
   leads and signatures; the NER of `extraction.nlp` when the rules are unsure) and maps
   them to seller / buyer / payer by document type; `address` reads address blocks.
4. `table.read_tables` reads line items; `totals.resolve` picks totals by arithmetic.
5. Per field the best candidate wins (agreeing candidates add up); `calibrate` maps the
   raw score to a probability.

Credit notes report amounts as magnitudes (the document type carries the sign).

Modules: doc, lex, localeinfo, header, patterns, parties, roles, address, title, terms,
totals, table, calibrate, truth (benchmark ground truth), measure (benchmark script).
"""
from __future__ import annotations

from collections import defaultdict

from extraction.layout import Page
from extraction.model import HEADER_FIELDS, Extraction, Field

from extraction.fields.doc import Cand, Doc

__all__ = ["extract_fields", "extract_doc"]

PARTY_FIELDS = ("seller_name", "buyer_name", "payer_name", "seller_address", "ship_to")


def _best(cands: list[Cand]) -> Cand | None:
    """Highest score; candidates agreeing on the value reinforce each other a little."""
    if not cands:
        return None
    by_val: dict[str, list[Cand]] = defaultdict(list)
    for c in cands:
        by_val[c.value].append(c)
    def agg(v: str) -> float:
        s = sorted((c.score for c in by_val[v]), reverse=True)
        return s[0] + 0.1 * sum(s[1:3])
    val = max(by_val, key=agg)
    top = max(by_val[val], key=lambda c: c.score)
    rivals = [agg(v) for v in by_val if v != val]
    margin = agg(val) - max(rivals) if rivals else 0.3
    return Cand(top.field, top.value, min(1.2, agg(val)), top.page, top.words, top.source,
                top.why + f"|n={len(by_val[val])}|m={margin:.2f}")


# Tesseract reads eng+deu+fra at once and confuses the accents the languages share
# ("Hötel Saint Denis" for "Hôtel"): on an OCR'd French document, umlauts, which French
# does not write, are read back as the circumflex letters they were mistaken for.
_OCR_DIACRITICS = {"fr": str.maketrans("öüäÖÜÄ", "ôûâÔÛÂ")}


def _ends_in_colon(value: str) -> bool:
    """"Client :", "auent: ©": the last word with a letter or digit ends in a colon."""
    toks = [t for t in value.split() if any(ch.isalnum() for ch in t)]
    return bool(toks) and (toks[-1].endswith(":") or value.split()[-1] == ":")


def extract_doc(doc: Doc, doc_type: str) -> Extraction:
    from extraction.fields import calibrate, header, parties, patterns, table, totals
    wanted = HEADER_FIELDS.get(doc_type) or HEADER_FIELDS["invoice"]
    all_wanted = tuple(dict.fromkeys(wanted + PARTY_FIELDS + ("seller_vat_id", "seller_iban")))
    cands = header.label_candidates(doc, all_wanted)
    from extraction.fields import title
    num_f = "po_number" if doc_type == "purchase_order" else (
        "payment_reference" if doc_type == "remittance" else "invoice_number")
    date_f = {"purchase_order": "order_date", "remittance": "payment_date"}.get(
        doc_type, "issue_date")
    for c in title.title_candidates(doc, num_f, date_f):
        cands.setdefault(c.field, []).append(c)
    if "due_date" in wanted:
        from extraction.fields.terms import due_candidates
        cands.setdefault("due_date", []).extend(due_candidates(doc))
    if "issue_date" in wanted and not cands.get("issue_date"):
        from extraction.fields.terms import lone_date_candidates
        cands.setdefault("issue_date", []).extend(lone_date_candidates(doc))
    # label-free patterns
    if "seller_iban" in wanted:
        ib = patterns.iban_candidates(doc)
        cands.setdefault("seller_iban", []).extend(ib)
    if "seller_vat_id" in wanted:
        seller_v, buyer_v = patterns.split_vats(doc, patterns.vat_candidates(doc))
        labelled_buyer = {c.value for c in cands.get("buyer_vat_id", [])}
        seller_v = [c for c in seller_v if c.value not in labelled_buyer]
        cands.setdefault("seller_vat_id", []).extend(seller_v)
        if "buyer_vat_id" in wanted:
            labelled_seller = {c.value for c in cands.get("seller_vat_id", []) if c.why != "pattern"}
            cands.setdefault("buyer_vat_id", []).extend(
                c for c in buyer_v if c.value not in labelled_seller)
    if "currency" in wanted:
        cands.setdefault("currency", []).extend(patterns.currency_candidates(doc))
    from extraction.fields import roles
    roles.add_party_candidates(doc, doc_type, cands, all_wanted)
    for f in PARTY_FIELDS:     # "Client :" (or OCR's "auent:") is a label, not a name
        if f in cands:
            cands[f] = [c for c in cands[f] if not _ends_in_colon(c.value)]

    # generic VAT labels ("USt-IdNr.", "N° TVA"): the party block decides seller vs buyer
    for c in cands.get("seller_vat_id", []) + cands.get("buyer_vat_id", []):
        sec = parties.section_of(doc, c)
        if sec == "buyer" and c.field == "seller_vat_id" or \
                sec == "seller" and c.field == "buyer_vat_id":
            c.score *= 0.4
        elif sec is not None:
            c.score += 0.1
    ext = Extraction(doc_type=doc_type, pages=len(doc.pages), language=doc.lang)
    lines, line_sum = table.read_tables(doc, doc_type)
    ext.lines = lines
    picked: dict[str, Cand] = {}
    for f in wanted:
        if f in ("total_net", "total_tax", "total_gross", "amount_due"):
            continue
        b = _best(cands.get(f, []))
        if b is not None:
            picked[f] = b
    if any(f in wanted for f in ("total_net", "total_gross", "amount_due")):
        for f, lst in totals.block_candidates(doc).items():
            cands.setdefault(f, []).extend(lst)
        for f, c in totals.resolve(cands, line_sum).items():
            if f in wanted:
                picked[f] = c
        rt = totals.receipt_total(doc) if "total_gross" in wanted else None
        if rt is not None:
            g = picked.get("total_gross")
            if g is None or g.value != rt.value:
                picked["total_gross"] = rt
                d = picked.get("amount_due")
                if d is None or d.why.startswith("derived") or (g and d.value == g.value):
                    picked["amount_due"] = Cand("amount_due", rt.value, rt.score * 0.8,
                                                rt.page, rt.words, rt.source, rt.why)
                n = picked.get("total_net")
                if n is not None and "+sum" in n.why and g is not None:
                    n.score *= 0.7
            else:
                g.score = max(g.score, rt.score)
                g.why += "|" + rt.why
        if doc_type == "credit_note":
            # a credit note's type carries the sign: amounts are reported as magnitudes
            for f in ("total_net", "total_tax", "total_gross", "amount_due"):
                if f in picked and picked[f].value.startswith("-"):
                    picked[f].value = picked[f].value[1:]
    from extraction.fields import receipt           # till slips: name, date, total
    receipt.refine(doc, picked, wanted)
    if "seller_address" in wanted and "seller_name" in picked:
        from extraction.fields.address import issuer_address
        a = issuer_address(doc, picked["seller_name"].value) or _best(
            cands.get("seller_address", [])) or parties.address_below(
            doc, picked["seller_name"], "seller_address")
        if a:
            picked["seller_address"] = a
    # seller and buyer must differ
    for a_, b_ in (("seller_vat_id", "buyer_vat_id"), ("seller_name", "buyer_name")):
        if a_ in picked and b_ in picked and picked[a_].value.casefold() == picked[b_].value.casefold():
            alt = [c for c in cands.get(b_, []) if c.value.casefold() != picked[a_].value.casefold()]
            nb = _best(alt)
            if nb:
                picked[b_] = nb
            else:
                del picked[b_]
    from extraction.normalize import vat_id_valid
    swap = _OCR_DIACRITICS.get(doc.lang or "")
    for f in PARTY_FIELDS:
        if f in picked:                      # OCR specks around a name: "LE CLIENT °"
            toks = picked[f].value.split()
            while toks and not any(ch.isalnum() for ch in toks[-1]):
                toks.pop()
            while toks and not any(ch.isalnum() for ch in toks[0]):
                toks.pop(0)
            if toks:
                picked[f].value = " ".join(toks)
            if swap is not None and picked[f].source == "ocr":
                picked[f].value = picked[f].value.translate(swap)
    for f in ("invoice_number", "po_number", "payment_reference"):
        if f in picked:                      # "Nr.471102" from a title line
            picked[f].value = header.clean_id(picked[f].value)
    for f, c in picked.items():
        if f in ("seller_vat_id", "buyer_vat_id") and vat_id_valid(c.value):
            c.why += "|chk"
        if f == "seller_iban":
            c.why += "|v=" + c.value
        conf = calibrate.calibrate(f, c.score, c.why)
        ext.fields[f] = Field(value=c.value, confidence=conf, page=c.page,
                              bbox=c.bbox, source=c.source)
        ext.meta.setdefault("raw", {})[f] = [round(c.score, 4), c.why]
    ext.meta["locale"] = {"lang": doc.lang, "comma_decimal": doc.comma_decimal,
                          "day_first": doc.day_first, "country": doc.country}
    return ext


def extract_fields(pages: list[Page], doc_type: str | None = None, *,
                   locale_hint: str | None = None) -> Extraction:
    """Extract canonical header fields and line items from the words of `pages`."""
    doc = Doc.build(pages, locale_hint)
    conf = None
    if doc_type is None:
        from extraction.classify import classify_doc
        doc_type, conf = classify_doc(doc)
    ext = extract_doc(doc, doc_type)
    if conf is not None:
        ext.doc_type_confidence = conf
    return ext
