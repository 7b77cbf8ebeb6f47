"""The workflow engine on a fictional record type, so it never hard-codes births."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ventanilla.core.workflow import PREVIOUS, SAME, Transition, TransitionNotAllowed, Workflow

PERMIT = Workflow(
    name="fishing_permit",
    initial_action="apply",
    initial_status="applied",
    transitions=(
        Transition("approve", frozenset({"applied"}), "approved"),
        Transition("annotate", frozenset({"applied", "approved"}), SAME),
        Transition("suspend", frozenset({"approved"}), "suspended"),
        Transition("lift", frozenset({"suspended"}), PREVIOUS),
    ),
)


def test_it_folds_actions_into_a_status() -> None:
    assert PERMIT.status_of(["apply", "approve", "annotate"]) == "approved"


def test_previous_returns_to_the_status_before() -> None:
    assert PERMIT.status_of(["apply", "approve", "suspend", "lift"]) == "approved"


def test_it_refuses_an_action_not_in_the_table() -> None:
    with pytest.raises(TransitionNotAllowed) as info:
        PERMIT.status_of(["apply", "suspend"])
    assert info.value.status == 409
    assert info.value.code == "action_not_allowed"


def test_a_history_must_start_with_the_initial_action() -> None:
    with pytest.raises(TransitionNotAllowed):
        PERMIT.fold(["approve"])


def test_duplicate_actions_in_a_table_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="twice"):
        Workflow(
            "bad",
            "start",
            "new",
            (Transition("x", frozenset({"new"}), "a"), Transition("x", frozenset({"a"}), "b")),
        )


@given(st.lists(st.sampled_from(["approve", "annotate", "suspend", "lift"]), max_size=12))
def test_every_reached_status_is_known_and_only_allowed_actions_apply(actions: list[str]) -> None:
    history = ["applied"]
    for action in actions:
        if PERMIT.is_allowed(history[-1], action):
            history.append(PERMIT.next_status(history, action))
        else:
            with pytest.raises(TransitionNotAllowed):
                PERMIT.next_status(history, action)
    assert set(history) <= PERMIT.statuses()
    assert all(
        a in PERMIT.allowed_actions(history[-1]) for a in PERMIT.allowed_actions(history[-1])
    )
