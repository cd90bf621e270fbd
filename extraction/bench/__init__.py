"""`o2c bench extraction`: accuracy, calibration and speed of extraction on the public
corpora and the project's generated sets, split deterministically into dev and test.

Modules: `cases` (what to read and the ground truth), `runner` (run extraction on each
case, in parallel for OCR), `report` (aggregate, JSON report, table), `speed` (reference
timings: bare tesseract, invoice2data)."""
