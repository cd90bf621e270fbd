import pytest

from core.errors import InvalidTransition
from core.states import TRANSITIONS, WORKING, State, can_transition, check_transition

HAPPY = ["received", "extracting", "extracted", "validated", "needs_review", "approved",
         "posting", "posted"]


def test_happy_path_is_allowed():
    for a, b in zip(HAPPY, HAPPY[1:]):
        check_transition(a, b)


def test_straight_through_and_rejection():
    assert can_transition("validated", "approved")
    assert can_transition("needs_review", "rejected")
    assert can_transition("posting", "post_failed") and can_transition("post_failed", "posting")


def test_every_working_state_can_fail():
    for s in WORKING - {State.POSTING}:
        assert can_transition(s, State.FAILED), s
    assert can_transition(State.POSTING, State.FAILED)


@pytest.mark.parametrize("src,dst", [("received", "extracted"), ("posted", "posting"),
                                     ("rejected", "approved"), ("extracted", "received"),
                                     ("needs_review", "posting"), ("failed", "posted")])
def test_invalid_transitions_raise_with_a_clear_message(src, dst):
    with pytest.raises(InvalidTransition) as e:
        check_transition(src, dst)
    assert src in str(e.value) and dst in str(e.value) and "allowed" in str(e.value)


def test_terminal_states_have_no_exit():
    assert TRANSITIONS[State.POSTED] == frozenset() and TRANSITIONS[State.REJECTED] == frozenset()
