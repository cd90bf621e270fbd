"""Validation: decide whether the business can act on what extraction read - checks
(required fields, confidence, arithmetic, dates, duplicates, e-invoice consistency),
master-data matching, and the routing rules that send a document straight through or to
review with named reasons."""
