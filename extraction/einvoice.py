"""E-invoice and e-order XML intake: find the XML in a hybrid PDF, sniff it, and map
CII (ZUGFeRD 1.0/rc/2.x, Factur-X, XRechnung), Order-X and UBL documents to an
`Extraction` with canonical field names, ``source="xml"`` and confidence 1.0.

Public API: `embedded_xml`, `is_einvoice_xml`, `parse_xml`, `parse_file`,
`canonical_amount`, `canonical_quantity`, `canonical_date`.

Normalisation: dates ISO 8601 (``YYYY-MM-DD``), money via `canonical_amount`
(two decimals, extra non-zero decimals kept), quantities and tax rates via
`canonical_quantity` (``"2"``, ``"1.5"``, ``"19"``), VAT IDs and IBANs upper-case without
spaces.  Missing values are left out of ``fields`` / lines (never ``None`` entries).
"""
from __future__ import annotations

import io
import logging
from pathlib import Path

from lxml import etree

from core.errors import CorruptDocument, EmptyFile, UnreadablePath, UnsupportedType
from extraction.einvoice_cii import parse_cii_invoice, parse_order_x
from extraction.einvoice_common import (
    canonical_amount, canonical_date, canonical_quantity, find, kids, local, namespace,
    safe_parser,
)
from extraction.einvoice_ubl import parse_ubl
from extraction.model import Extraction

__all__ = [
    "embedded_xml", "is_einvoice_xml", "parse_xml", "parse_file", "canonical_amount",
    "canonical_quantity", "canonical_date", "KNOWN_ATTACHMENT_NAMES",
]

log = logging.getLogger(__name__)

UBL_NS_PREFIX = "urn:oasis:names:specification:ubl:schema:xsd:"
CII_ROOTS = {"CrossIndustryInvoice": "CII", "CrossIndustryDocument": "ZUGFeRD-1.0"}
ORDER_X_ROOT = "SCRDMCCBDACIOMessageStructure"
SBDH_ROOT = "StandardBusinessDocument"
# Attachment names of the hybrid formats, in order of preference (compared lower-case).
KNOWN_ATTACHMENT_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml",
                          "order-x.xml")
MAX_XML_BYTES = 64 * 1024 * 1024


def _classify(tag_local: str, ns: str) -> str | None:
    """Family of a root element, or None when it is not a known e-document."""
    if tag_local in CII_ROOTS:
        return "cii"
    if tag_local == ORDER_X_ROOT:
        return "order-x"
    if ns.startswith(UBL_NS_PREFIX):
        return "ubl"
    if tag_local == "Invoice" and ("uncefact" in ns or "ferd" in ns):
        return "cii-rc"        # 2014 ZUGFeRD pre-release (urn:ferd:invoice:rc)
    if tag_local == SBDH_ROOT:
        return "sbdh"
    return None


def is_einvoice_xml(data: bytes) -> bool:
    """Cheap sniff: does the first element of ``data`` name a known e-invoice/order root?

    Reads incrementally and stops at the root start tag (no full parse).
    """
    if not data:
        return False
    try:
        for _event, el in etree.iterparse(
                io.BytesIO(data), events=("start",), resolve_entities=False,
                no_network=True, huge_tree=False, load_dtd=False):
            tag = el.tag if isinstance(el.tag, str) else ""
            ns, _, name = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
            family = _classify(name, ns)
            if family == "sbdh":       # envelope: look for a UBL / CII payload namespace
                head = data[:200_000]
                return UBL_NS_PREFIX.encode() in head or b"CrossIndustryInvoice" in head
            return family is not None
    except (etree.XMLSyntaxError, ValueError):
        return False
    return False


def _parse_tree(data: bytes) -> etree._Element:
    if not data or not data.strip():
        raise EmptyFile("The XML document is empty.")
    if len(data) > MAX_XML_BYTES:
        raise CorruptDocument(f"The XML document is too large ({len(data)} bytes).")
    try:
        root = etree.fromstring(data, parser=safe_parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise CorruptDocument(f"The XML is not well-formed: {exc}") from exc
    if root is None:
        raise CorruptDocument("The XML has no root element.")
    return root


def parse_xml(data: bytes) -> Extraction:
    """Parse an e-invoice / e-order XML into canonical fields.

    Raises `CorruptDocument` for malformed XML, `UnsupportedType` for a well-formed XML
    that is not a known e-invoice/order, `EmptyFile` for empty input.
    """
    root = _parse_tree(data)
    family = _classify(local(root), namespace(root))
    if family == "sbdh":             # Peppol envelope: read the wrapped business document
        inner = next((c for c in root if isinstance(c.tag, str)
                      and _classify(local(c), namespace(c)) not in (None, "sbdh")), None)
        if inner is None:
            raise UnsupportedType("StandardBusinessDocument without a known e-document.")
        root, family = inner, _classify(local(inner), namespace(inner))
    if family == "cii":
        ex = parse_cii_invoice(root, CII_ROOTS[local(root)])
    elif family == "cii-rc":
        if find(root, "HeaderExchangedDocument") is None and not kids(
                root, "SpecifiedSupplyChainTradeTransaction"):
            raise UnsupportedType(f"Unknown XML root {local(root)!r} ({namespace(root)}).")
        ex = parse_cii_invoice(root, "ZUGFeRD-RC")
    elif family == "order-x":
        ex = parse_order_x(root)
    elif family == "ubl":
        ex = parse_ubl(root)
    else:
        ns = namespace(root)
        raise UnsupportedType(
            f"Not a known e-invoice or e-order XML (root {local(root)!r}"
            + (f" in {ns}" if ns else "") + ").")
    ex.meta["namespace"] = namespace(root)
    return ex


def parse_file(path: str | Path) -> Extraction:
    """`parse_xml` for a file on disk."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise UnreadablePath(f"Cannot read {p}: {exc}") from exc
    ex = parse_xml(data)
    ex.meta["file"] = p.name
    return ex


def embedded_xml(pdf_path: str | Path) -> tuple[str, bytes] | None:
    """The embedded e-invoice/e-order XML of a PDF as (attachment name, bytes), else None.

    Known names (Factur-X, ZUGFeRD, XRechnung, Order-X) win; otherwise the first attached
    ``.xml`` whose root is a known e-document root.  Never raises: corrupt, encrypted
    (unless the user password is empty) or unreadable PDFs give None.
    """
    try:
        from pypdf import PdfReader

        reader = PdfReader(str(pdf_path))
        if reader.is_encrypted and not reader.decrypt(""):
            return None
        attachments = reader.attachments
        names = list(attachments.keys())
    except Exception as exc:  # noqa: BLE001 - any PDF failure means "no XML"
        log.debug("embedded_xml: cannot read attachments of %s: %s", pdf_path, exc)
        return None
    if not names:
        return None
    by_lower = {n.lower(): n for n in names}
    ordered = [by_lower[k] for k in KNOWN_ATTACHMENT_NAMES if k in by_lower]
    ordered += [n for n in names if n not in ordered and n.lower().endswith(".xml")]
    for name in ordered:
        try:
            blobs = attachments[name]
        except Exception as exc:  # noqa: BLE001
            log.debug("embedded_xml: cannot extract %s from %s: %s", name, pdf_path, exc)
            continue
        for blob in blobs if isinstance(blobs, list) else [blobs]:
            if isinstance(blob, bytes) and is_einvoice_xml(blob):
                return name, blob
    return None
