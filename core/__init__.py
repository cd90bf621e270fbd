"""Core: the shared domain model, settings, database, file store, errors, logging and the
`o2c` command line.  Everything else (capture, extraction, validation, review_ui, bots,
queues) depends on this package and never on each other's internals."""
