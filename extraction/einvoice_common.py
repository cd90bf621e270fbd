"""Shared helpers for e-invoice / e-order XML intake (CII, UBL, Order-X).

* a safe lxml parser (no entity expansion, no network, no huge trees),
* namespace-agnostic navigation by local name (``"A|B/C"`` paths),
* value normalisers: `canonical_amount`, `canonical_quantity`, `canonical_date`,
  `clean_vat_id`, `clean_iban`,
* UNTDID 1001 document type code -> canonical ``doc_type`` mapping.

Amount rule (used for every money value): the value is a `Decimal` quantised to two
places (``"100"`` -> ``"100.00"``, ``"9.9000"`` -> ``"9.90"``).  When more decimals carry
non-zero digits (unit prices such as ``"0.1234"``), they are kept, trailing zeros trimmed,
so nothing printed in the XML is ever rounded away.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from lxml import etree

from extraction.model import Field

_Element = etree._Element

# ---------------------------------------------------------------- parsing ----------


def safe_parser() -> etree.XMLParser:
    """A parser that never expands entities or touches the network (XXE / billion laughs)."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
        dtd_validation=False, remove_comments=True, remove_pis=True,
    )


# ---------------------------------------------------------- navigation -------------


def local(el: _Element) -> str:
    """Local name of an element ('' for comments / processing instructions)."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def namespace(el: _Element) -> str:
    tag = el.tag
    if isinstance(tag, str) and tag.startswith("{"):
        return tag[1:].partition("}")[0]
    return ""


@lru_cache(maxsize=512)
def _steps(spec: str) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(step.split("|")) for step in spec.split("/"))


def kids(el: _Element | None, names: str) -> list[_Element]:
    """Direct children whose local name is one of ``names`` ('A|B')."""
    if el is None:
        return []
    wanted = _steps(names)[0]
    return [c for c in el if isinstance(c.tag, str) and local(c) in wanted]


def find_all(el: _Element | None, spec: str) -> list[_Element]:
    """All elements reached by the local-name path ``spec`` ('A|B/C/D'), in document order."""
    if el is None:
        return []
    current = [el]
    for wanted in _steps(spec):
        current = [c for p in current for c in p
                   if isinstance(c.tag, str) and local(c) in wanted]
        if not current:
            return []
    return current


def find(el: _Element | None, spec: str) -> _Element | None:
    found = find_all(el, spec)
    return found[0] if found else None


def text_of(el: _Element | None) -> str | None:
    """Stripped text content (incl. nested text), None when empty."""
    if el is None:
        return None
    s = "".join(el.itertext()).strip()
    return s or None


def text(el: _Element | None, spec: str) -> str | None:
    """First non-empty text among the elements matching ``spec``."""
    for hit in find_all(el, spec):
        s = text_of(hit)
        if s:
            return s
    return None


# ---------------------------------------------------------- normalisers ------------

_NUM_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _decimal(s: str | None) -> Decimal | None:
    if s is None:
        return None
    t = s.strip().replace(" ", "")
    if not t or not _NUM_RE.match(t):
        return None
    try:
        return Decimal(t)
    except InvalidOperation:  # pragma: no cover - guarded by the regex
        return None


def canonical_amount(s: str | None) -> str | None:
    """Money value as a plain decimal string with (at least) two decimals.

    ``"100"`` -> ``"100.00"``, ``"9.9000"`` -> ``"9.90"``, ``"-8.79"`` -> ``"-8.79"``,
    ``"0.1234"`` -> ``"0.1234"`` (non-zero digits beyond the cents are kept).
    Returns None for empty or non-numeric input.
    """
    d = _decimal(s)
    if d is None:
        return None
    q = d.quantize(Decimal("0.01"))
    if q != d:
        q = d.normalize()
    if q == 0:
        q = Decimal("0.00")
    return f"{q:f}"


def canonical_quantity(s: str | None) -> str | None:
    """Quantity / percentage without superfluous zeros: ``"20.0000"`` -> ``"20"``, ``"1.50"`` -> ``"1.5"``."""
    d = _decimal(s)
    if d is None:
        return None
    if d == 0:
        return "0"
    n = d.normalize()
    if n == n.to_integral_value():
        n = n.quantize(Decimal(1))
    return f"{n:f}"


_ISO_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def canonical_date(value: str | None, fmt: str | None = None) -> str | None:
    """Date to ISO 8601.

    CII formats: 102 ``YYYYMMDD`` -> ``YYYY-MM-DD``; 203/204 (with time) -> date part;
    610 ``YYYYMM`` -> ``YYYY-MM``; 616 ``YYYYWW`` -> ``YYYY-Www``.  ISO input
    (``2016-04-04``, ``2016-04-04T10:00:00``, with zone) -> ``YYYY-MM-DD``.
    Unknown shapes are returned stripped, unchanged.
    """
    if value is None:
        return None
    v = value.strip()
    if not v:
        return None
    fmt = (fmt or "").strip()
    m = _ISO_RE.match(v)
    if m:
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    digits = v if v.isdigit() else ""
    if fmt == "610" and len(digits) == 6:
        return f"{digits[:4]}-{digits[4:6]}"
    if fmt == "616" and len(digits) == 6:
        return f"{digits[:4]}-W{digits[4:6]}"
    if len(digits) >= 8 and fmt in ("", "102", "203", "204", "205"):
        return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}"
    return v


def clean_vat_id(s: str | None) -> str | None:
    if not s:
        return None
    v = re.sub(r"[\s.\-]", "", s).upper()
    return v or None


_IBAN_RE = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$")


def clean_iban(s: str | None, *, strict: bool = False) -> str | None:
    """IBAN upper-case without spaces; with ``strict`` only IBAN-shaped values pass."""
    if not s:
        return None
    v = re.sub(r"\s", "", s).upper()
    if strict and not _IBAN_RE.match(v):
        return None
    return v or None


def join_address(*parts: str | None) -> str | None:
    """Join non-empty address parts with ', '."""
    out = [p.strip() for p in parts if p and p.strip()]
    return ", ".join(out) if out else None


# ---------------------------------------------------------- doc types --------------

# UNTDID 1001 codes.  Anything invoice-like not listed in CREDIT_CODES is an invoice.
CREDIT_CODES = frozenset({"81", "83", "261", "262", "296", "308", "381", "396", "420",
                          "458", "532"})
INVOICE_CODES = frozenset({
    "71", "80", "82", "84", "102", "130", "202", "203", "204", "211", "218", "219", "295",
    "325", "326", "331", "380", "382", "383", "384", "385", "386", "387", "388", "389",
    "390", "393", "394", "395", "456", "457", "527", "553", "575", "623", "633", "751",
    "780", "817", "870", "875", "876", "877", "935",
})


def invoice_doc_type(type_code: str | None, default: str = "invoice") -> str:
    """Map an invoice-family type code to 'invoice' or 'credit_note'."""
    if type_code and type_code.strip() in CREDIT_CODES:
        return "credit_note"
    return default


# ---------------------------------------------------------- fields -----------------


def xml_field(value: str | None) -> Field:
    return Field(value=value, confidence=1.0, page=None, bbox=None, source="xml")


def put(target: dict[str, Field], name: str, value: str | None) -> None:
    """Store ``value`` as an XML-sourced field; missing values are left out."""
    if value is not None and value != "":
        target[name] = xml_field(value)
