"""Capture: everything that brings files in - IMAP mailboxes, scan folders, uploads and the
`o2c ingest` command - and stores each file exactly once as a `Document` in `received`."""
