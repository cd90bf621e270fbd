"""The document state machine: every allowed transition, nothing else.

    received -> extracting -> extracted -> validated -> needs_review -> approved | rejected
                                                    \\-> approved (straight through)
    approved -> posting -> posted | post_failed (-> posting on retry)
    any working state -> failed (with error kind and message); failed -> received (retry)
"""
from __future__ import annotations

from enum import StrEnum

from core.errors import InvalidTransition


class State(StrEnum):
    RECEIVED = "received"
    EXTRACTING = "extracting"
    EXTRACTED = "extracted"
    VALIDATED = "validated"
    NEEDS_REVIEW = "needs_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    POSTING = "posting"
    POSTED = "posted"
    POST_FAILED = "post_failed"
    FAILED = "failed"


S = State
# States in which the machine (not a human) owes the next step.
WORKING = frozenset({S.RECEIVED, S.EXTRACTING, S.EXTRACTED, S.VALIDATED, S.APPROVED, S.POSTING})
# States a stage actor holds a claim on while it runs.
CLAIMED = frozenset({S.EXTRACTING, S.POSTING})
TERMINAL = frozenset({S.POSTED, S.REJECTED})

TRANSITIONS: dict[State, frozenset[State]] = {
    S.RECEIVED: frozenset({S.EXTRACTING, S.FAILED}),
    S.EXTRACTING: frozenset({S.EXTRACTED, S.FAILED}),
    S.EXTRACTED: frozenset({S.VALIDATED, S.FAILED}),
    S.VALIDATED: frozenset({S.NEEDS_REVIEW, S.APPROVED, S.FAILED}),
    S.NEEDS_REVIEW: frozenset({S.APPROVED, S.REJECTED}),
    S.APPROVED: frozenset({S.POSTING, S.FAILED}),
    S.POSTING: frozenset({S.POSTED, S.POST_FAILED, S.FAILED}),
    S.POST_FAILED: frozenset({S.POSTING}),
    S.FAILED: frozenset({S.RECEIVED}),
    S.POSTED: frozenset(),
    S.REJECTED: frozenset(),
}


def can_transition(src: State | str, dst: State | str) -> bool:
    return State(dst) in TRANSITIONS[State(src)]


def check_transition(src: State | str, dst: State | str) -> None:
    if not can_transition(src, dst):
        allowed = ", ".join(sorted(TRANSITIONS[State(src)])) or "nothing (terminal)"
        raise InvalidTransition(f"cannot move a document from {src} to {dst}; allowed: {allowed}")
