"""Extraction: read stored documents (PDF text layer, OCR, e-invoice XML, mail bodies),
classify them and extract canonical header fields and line items, each with a value,
a confidence and its provenance (page, box, source)."""
