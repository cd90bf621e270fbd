"""Queues: the dramatiq broker chosen from settings, one thin idempotent actor per stage,
the stage runners they call, the sweeper that re-enqueues stuck documents, and the entry
module for `dramatiq queues.worker` worker processes."""
