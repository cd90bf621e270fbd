"""Till receipts (scanned or photographed slips, e.g. the Malaysian SROIE set): rules for
the shop name, the receipt date and the amount paid, applied after the general field
extraction (`refine`, called from `extract_doc`).

A receipt prints, top to bottom: the shop's banner / legal name, its registration number
("(1095514-X)"), address, phone and GST lines, a title ("TAX INVOICE"), document number
and date, the items, then "TOTAL" (with a rounding line) above the tendered "CASH" and the
"CHANGE".  OCR of thermal or dot-matrix print is noisy, so

- the name is the text block right above the first registration / address / contact line
  (a legal-form line joined with the line above when it holds only "RESTAURANT SDN BHD"
  or "CO. (M) SDN BHD"), with OCR slips of the legal form repaired;
- the date is searched leniently (glued "21/05/2018Time", spaced "2016- 07-31");
- the total is cross-checked with tendered - change, which also repairs a total whose
  digit OCR dropped ("=2.60" with CASH 30.00 and CHANGE 7.40 -> 22.60).

All rules are layout and vocabulary based; no shop is known by name.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from extraction.fields.doc import Cand, Doc, DLine
from extraction.fields.receipt_clean import NAME_TAIL, clean_name, continues, strip_logo

__all__ = ["is_receipt", "refine", "receipt_name", "receipt_date", "receipt_total",
           "clean_name", "lenient_amount"]

_CUES = re.compile(r"\b(cash|change|tendered|rounding|rounded|sdn|bhd|thank\s*you|"
                   r"gst|cashier|receipt|qty|subtotal|total)\b", re.IGNORECASE)


def is_receipt(doc: Doc) -> bool:
    """A scanned slip: OCR'd, one or two pages, taller than A4 or (nearly A4) full of
    till vocabulary (CASH, CHANGE, ROUNDING, GST...)."""
    if not doc.pages or len(doc.pages) > 2:
        return False
    p = doc.pages[0]
    if p.source != "ocr" or not p.width:
        return False
    ratio = p.height / p.width
    if ratio > 1.5:
        return True
    if ratio < 1.25:
        return False
    text = " ".join(ln.text for ln in doc.lines if ln.page == p.number)
    return len({m.group(1).casefold() for m in _CUES.finditer(text)}) >= 5


# --- shop name -------------------------------------------------------------------------
_REGNO = re.compile(r"[(<\[{]\s*(?:co\.?\s*(?:reg|no)\.?\s*(?:no\.?)?\s*[:.]?\s*)?[\dA-Z]{0,3}"
                    r"\d{4,}\s*[-–]?\s*[A-Z]\s*[)>\]}]?|\b\d{5,}\s*[-–]\s*[A-Z]\b|"
                    r"\bco(?:mpany)?\.?\s*(?:reg(?:istration)?|no)\b", re.IGNORECASE)
_CONTACT = re.compile(r"\b(tel|telephone|phone|fax|h/?p|gst|sst|tax\s*(?:id|reg)|reg\.?\s*no|"
                      r"e-?mail|website|invoice|receipt|cashier|date|bill)\b|@|www\.|https?:|"
                      r"\.com\b", re.IGNORECASE)
_STREET = re.compile(
    r"\b(lot|no|unit|jalan|jln|lorong|lrg|taman|tmn|flr|floor|level|block|blok|plaza|wisma|"
    r"kompleks|complex|kawasan|persiaran|lebuh|lebuhraya|batu|bangunan|menara|seksyen|"
    r"street|road|avenue|station)\b", re.IGNORECASE)
_POSTCODE = re.compile(r"\b\d{5}\b")
_LEGAL = re.compile(r"\b(s[do0]n\.?\s*bh[do0]|bhd|berhad|s\s*/\s*b|enterprises?|trading|"
                    r"plt|ltd|limited|co\.)(?=\W|$)", re.IGNORECASE)
# words that continue a name printed over two lines ("LIAN CHI PU TIAN VEGETARIAN" /
# "RESTAURANT SDN BHD"): a legal line made only of these takes the line above
_GENERIC = {"restaurant", "restoran", "co", "co.", "(m)", "m", "company", "cafe", "trading",
            "enterprise", "enterprises", "hardware", "store", "stores", "mart", "shop",
            "bakery", "bakeries", "marketing", "services", "service", "industries",
            "international", "holdings", "group", "&", "and", "sdn", "bhd", "(malaysia)",
            "malaysia"}


def _alpha_ratio(txt: str) -> float:
    chars = [ch for ch in txt if not ch.isspace()]
    return sum(ch.isalpha() for ch in chars) / len(chars) if chars else 0.0


def _junk(ln: DLine) -> bool:
    """OCR noise, handwriting and logos: few letters, low confidence or lowercase scrawl."""
    txt = ln.text.strip()
    letters = sum(ch.isalpha() for ch in txt)
    confs = [w.conf for w in ln.words if any(ch.isalnum() for ch in w.text)]
    if letters < 3:
        return True
    if _alpha_ratio(txt) < 0.55 and not (_LEGAL.search(txt) and confs
                                         and sum(confs) / len(confs) >= 0.6):
        return True
    if confs and sum(confs) / len(confs) < 0.55:
        return True
    if txt == txt.lower() and letters >= 3:
        return True                          # handwritten names, "t ealive" logo
    return False


_REG_LABEL = re.compile(r"\b(co|company|reg\w*|no)\b\W*$|^\W*(co|company)\W*re", re.IGNORECASE)
_REG_TOKEN = re.compile(r"\b\d{4,}[A-Z]?\s?[-–]\s?[A-Z]\b")


def _is_anchor(doc: Doc, ln: DLine) -> bool:
    """The first line below the name: registration number, contact or tax line, title,
    address (street word + number, or a postcode) or a date."""
    txt = ln.text
    if _REGNO.search(txt) and not re.search(r"[A-Za-z]{3}", _REGNO.sub("", txt)):
        return True
    if _REG_TOKEN.search(txt) and (txt.lstrip().startswith("(") or _REG_LABEL.search(
            txt.split(":")[0] + ":")):
        return True
    if _CONTACT.search(txt):
        return True
    if _POSTCODE.search(txt):
        return True
    if re.search(r"\d", txt) and _STREET.search(txt):
        return True
    if re.match(r"\s*(no|lot)\b\.?\s*\d", txt, re.IGNORECASE):
        return True
    return False


def receipt_name(doc: Doc) -> Cand | None:
    """The shop / legal name: the block above the first registration, contact or address
    line at the top of the slip."""
    first = doc.pages[0].number
    top = [ln for ln in doc.lines if ln.page == first and ln.y0 < 0.45]
    anchor = None
    inline = None
    seen_text = False
    for k, ln in enumerate(top[:14]):
        m = NAME_TAIL.search(ln.text)
        head = ln.text[:m.start()] if m else ""
        if m and len(re.findall(r"[A-Za-z]", head)) >= 3 and _alpha_ratio(head) > 0.6 \
                and not _REG_LABEL.search(head) and not head.lstrip().startswith("("):
            anchor, inline = k, head          # "99 SPEED MART S/B (519537-X)"
            break
        if _is_anchor(doc, ln):
            if seen_text:
                anchor = k
                break
            continue                  # "TQ FOR SHOPPING WITH myNEWS.com" above the name
        if not _junk(ln):
            seen_text = True
    if anchor is None:
        return None
    block: list[DLine] = []
    if inline is not None:
        block.append(top[anchor])
    below = top[anchor]
    for ln in reversed(top[:anchor]):
        if _is_anchor(doc, ln):
            break
        if _junk(ln):
            if block:
                break
            continue
        if below.y0 - ln.y1 > 2.5 * max(ln.height, below.height):
            break
        block.insert(0, ln)
        below = ln
        if len(block) >= 3:
            break
    if not block:
        return None
    texts = [inline if (inline is not None and ln is top[anchor]) else ln.text for ln in block]
    legal = [i for i, t in enumerate(texts) if _LEGAL.search(t)]
    if legal:
        i = legal[-1]
        t = texts[i]
        ms = list(_LEGAL.finditer(t))
        m = ms[-2] if len(ms) > 1 and ms[-1].group(1).casefold() == "co." else ms[-1]
        t = t[:m.end() + (1 if t[m.end():m.end() + 1] == "." else 0)]
        head_words = [w.casefold().strip(".,") for w in t[:list(_LEGAL.finditer(t))[0].start()].split()]
        use = [i]
        if i > 0 and not re.search(r"\d{3,}", texts[i - 1]) and (
                all(w in _GENERIC or len(w) <= 1 for w in head_words)
                or continues(block[i - 1], block[i], head_words)):
            use = [i - 1, i]
        name = " ".join([texts[j] for j in use[:-1]] + [t])
        words = [w for j in use for w in block[j].words]
        why = "receipt-legal"
    else:
        # no legal form: the last line of the block, or two when both are big banner lines
        i = len(texts) - 1
        name = strip_logo(texts[i])
        words = list(block[i].words)
        why = "receipt-top"
    name = clean_name(re.sub(r"^[A-Za-z ]{1,14}:\s*", "", name))   # "Dimiliki: ..." (owned by)
    if len(re.findall(r"[A-Za-z]", name)) < 3:
        return None
    return Cand("seller_name", name, 0.75 if why == "receipt-legal" else 0.6, block[0].page,
                words, block[0].source, why)


# --- date ------------------------------------------------------------------------------
_DATE_NUM = re.compile(r"(?<!\d)(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*[\"'`]?\s*(\d{4}|\d{2})(?!\d)")
_DATE_ISO = re.compile(r"(?<!\d)(20\d\d)\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?!\d)")
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
_DATE_TXT = re.compile(rf"(?<!\w)(\d{{1,2}}\s*[-/ ]?\s*(?:{_MONTHS})[a-z]*\.?\s*[-/ ,]?\s*(?:\d{{4}}|\d{{2}})|"
                       rf"(?:{_MONTHS})[a-z]*\.?\s+\d{{1,2}},?\s+\d{{4}})(?!\w)", re.IGNORECASE)


def _dates_in(doc: Doc, txt: str) -> list:
    from datetime import date
    out = []
    for m in _DATE_ISO.finditer(txt):
        try:
            out.append(date(int(m.group(1)), int(m.group(3)), int(m.group(4))))
        except ValueError:
            pass
    for m in _DATE_NUM.finditer(txt):
        d = doc.date(f"{m.group(1)}{m.group(2)}{m.group(3)}{m.group(2)}{m.group(4)}")
        if d is not None:
            out.append(d)
    for m in _DATE_TXT.finditer(txt):
        d = doc.date(m.group(1))
        if d is not None:
            out.append(d)
    return [d for d in out if 1990 <= d.year <= 2100]


def receipt_date(doc: Doc) -> Cand | None:
    """A date on a "Date" line, else the first date anywhere on the slip."""
    from extraction.normalize import iso_date
    best = None
    for ln in doc.lines:
        txt = ln.text
        if re.search(r"\b(due|expir\w*|valid|warranty|birth)\b", txt, re.IGNORECASE):
            continue
        ds = _dates_in(doc, txt)
        if not ds:
            continue
        labelled = bool(re.search(r"\bdate\b|\btarikh\b", txt, re.IGNORECASE))
        c = Cand("issue_date", iso_date(ds[0]), 0.55 if labelled else 0.45, ln.page,
                 list(ln.words), ln.source, "receipt-date" + ("+label" if labelled else ""))
        if labelled:
            return c
        if best is None:
            best = c
    return best


# --- total -----------------------------------------------------------------------------
_AMT = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})*|\d+)\s?[.,\-]\s?(\d{2})(?![\d])")
_TOTAL_WORD = re.compile(r"\b(?:t[o0]ta[l1i!]|tota|jotal|tatal|tolal|totai|total)\b|"
                         r"\btotal|\bnet+\s*am(?:oun)?t\b|\bamount\s*due\b", re.IGNORECASE)
_TENDER = re.compile(r"^\W*(cash|tender(?:ed)?|paid|payment|received|visa|master\w*|card|"
                     r"credit|debit)\b", re.IGNORECASE)
_CHANGE = re.compile(r"^\W*(change|chang|balance)\b", re.IGNORECASE)
_NOT_TOTAL = re.compile(r"\b(sub\s*-?\s*total|qty|quantity|items?|saving|savings|discount|"
                        r"disc|excl\w*|before|gst\s*summary|tax\s*summary|point|pts)\b",
                        re.IGNORECASE)
_TAX_ONLY = re.compile(r"^\W*total\s*(gst|tax|vat|sst)\b(?!.*\b(incl|inc)\b)|"
                       r"\binclud(?:es|ed|ing)\b.*\b(gst|tax|vat|sst)\b|^\W*\(", re.IGNORECASE)
_STRONG = re.compile(r"\b(round\w*|nett|net|grand|payable|incl\w*|inc|amount\s*due|"
                     r"total\s*sales|amt)\b", re.IGNORECASE)


def lenient_amount(txt: str) -> Decimal | None:
    """The last amount in a line's text, tolerating OCR slips: "RM_34.80", "7-40",
    "RM152. 00", glued currency and stray symbols."""
    t = re.sub(r"§(?=\d)", "5", txt)
    t = re.sub(r"(?i)(?<=\bRM)(\d+) (\d{2})\s*$", r"\1.\2", t)    # "RM8 60"
    t = re.sub(r"(?i)\bR[MN](?=[\d_])|[_<>=*#]", " ", t)
    ms = list(_AMT.finditer(t))
    if not ms:
        return None
    m = ms[-1]
    try:
        return Decimal(m.group(1).replace(",", "") + "." + m.group(2))
    except InvalidOperation:
        return None


def _digits(v: Decimal) -> str:
    return f"{v:.2f}".replace(".", "")


def receipt_total(doc: Doc) -> Cand | None:
    """The amount paid: the strongest TOTAL line above the tendered amount, confirmed or
    repaired by tendered - change."""
    from extraction.normalize import format_amount
    last = doc.pages[-1].number
    lines = [ln for ln in doc.lines if ln.page == last]
    totals: list[tuple[int, DLine, Decimal, bool]] = []
    tender: Decimal | None = None
    change: Decimal | None = None
    tender_at = None
    closed = False
    for k, ln in enumerate(lines):
        txt = ln.text
        if _TENDER.search(txt) and not _TOTAL_WORD.search(txt):
            v = lenient_amount(txt)
            if v is not None and change is None and totals:
                tender = v                    # the last tendered amount above CHANGE
                if tender_at is None:
                    tender_at = k
            continue
        if _CHANGE.search(txt):
            v = lenient_amount(txt)
            if v is not None and change is None and totals:
                change = v
            closed = closed or bool(totals)
            continue
        if tender_at is not None or closed:
            continue
        if not _TOTAL_WORD.search(txt) or _TAX_ONLY.search(txt):
            continue
        if _NOT_TOTAL.search(txt) and not _STRONG.search(txt):
            continue
        v = lenient_amount(txt)
        if v is None and k + 1 < len(lines) and len(lines[k + 1].words) <= 2:
            v = lenient_amount(lines[k + 1].text)
        if v is None or v <= 0:
            continue
        totals.append((k, ln, v, bool(_STRONG.search(txt))))
    if not totals:
        return None
    paid = tender - change if tender is not None and change is not None else None
    if paid is not None and paid > 0:
        for k, ln, v, strong in reversed(totals):
            if v == paid:
                return Cand("total_gross", format_amount(v), 0.95, ln.page, list(ln.words),
                            ln.source, "receipt-total+tender")
        # an OCR slip in the total: one digit lost or misread, but tender - change agrees
        pd = _digits(paid)
        for k, ln, v, strong in reversed(totals):
            vd = _digits(v)
            if (len(vd) + 1 == len(pd) and pd.endswith(vd)) or (
                    len(vd) == len(pd) and sum(a != b for a, b in zip(vd, pd)) == 1):
                return Cand("total_gross", format_amount(paid), 0.8, ln.page, list(ln.words),
                            ln.source, "receipt-total~tender")
        # the total line itself unreadable: tendered - change printed elsewhere above
        end = tender_at if tender_at is not None else len(lines)
        for ln in lines[:end]:
            if lenient_amount(ln.text) == paid and not _NOT_TOTAL.search(ln.text.replace(
                    "Qty", "")) or (lenient_amount(ln.text) == paid and _TOTAL_WORD.search(ln.text)):
                return Cand("total_gross", format_amount(paid), 0.75, ln.page, list(ln.words),
                            ln.source, "receipt-tender")
    if tender is not None and change is None:
        for k, ln, v, strong in reversed(totals):
            if v == tender:                   # exact cash or card payment
                return Cand("total_gross", format_amount(v), 0.85, ln.page, list(ln.words),
                            ln.source, "receipt-total=tender")
    strong = [t for t in totals if t[3]]
    k, ln, v, s = (strong or totals)[-1]
    return Cand("total_gross", format_amount(v), 0.7 if s else 0.6, ln.page, list(ln.words),
                ln.source, "receipt-total")


# --- hook ------------------------------------------------------------------------------
def refine(doc: Doc, picked: dict[str, Cand], wanted: tuple[str, ...]) -> None:
    """Receipt rules over the general picks (in place): name, date and total."""
    if not is_receipt(doc):
        return
    if "seller_name" in wanted:
        n = receipt_name(doc)
        cur = picked.get("seller_name")
        if n is not None:
            picked["seller_name"] = n
        elif cur is not None:
            cur.value = clean_name(cur.value)
    date_f = "issue_date" if "issue_date" in wanted else None
    if date_f and date_f not in picked:
        d = receipt_date(doc)
        if d is not None:
            picked[date_f] = d
    if "total_gross" in wanted:
        t = receipt_total(doc)
        if t is not None:
            g = picked.get("total_gross")
            if g is None or g.value != t.value:
                picked["total_gross"] = t
