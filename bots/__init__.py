"""Bots: the posting stage.  Approved documents are delivered - as a normalised export
for the ERP, and (per partner) keyed into legacy web portals by Playwright recipes."""
