"""Synthetic business documents with ground truth, deterministic by seed.

The ``generators`` package produces plausible (but entirely fake) purchase orders,
invoices, credit notes and remittance advices for the demo, the test-suite and the
benchmarks of o2c-capture.  Every document comes with a canonical ground truth
(``Document.truth()``) that uses the field names of :mod:`extraction.model`.

Modules:

* :mod:`generators.formats`   - locale-aware printing of amounts, quantities and dates
* :mod:`generators.parties`   - fake companies, addresses, VAT IDs, IBANs and products
* :mod:`generators.documents` - dataclasses for the documents and their builders
* :mod:`generators.labels`    - printed labels in EN/DE/FR with wording variants
* :mod:`generators.pdf`       - reportlab rendering in several layouts and languages
* :mod:`generators.pdf_layouts` - the four PDF layouts (header, info block, footer)
* :mod:`generators.html`      - remittance advices as HTML / plain-text mail bodies
* :mod:`generators.scan`      - turn a PDF into a "scanned" image or image-only PDF
* :mod:`generators.mail`      - RFC 5322 e-mails carrying the documents
* :mod:`generators.corpus`    - whole corpora on disk (``python -m generators``)

Nothing here uses the global :mod:`random` state or the current date: the same seed and
base date always give the same bytes.
"""
from __future__ import annotations

__all__ = ["formats", "parties", "documents", "labels", "pdf", "pdf_layouts", "html", "scan",
           "mail", "corpus"]
