"""The workflow state machine shared by every record type that is an action log.

A record's status is never set directly: it is what its actions fold to.
A `Workflow` is a transition table (action → allowed source statuses →
target); anything not in the table is refused with HTTP 409. The engine
knows nothing of births or licences, so any system can declare its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from ventanilla.core.errors import Conflict

#: Target meaning "the status the record had before the action that left it there".
PREVIOUS = "__previous__"
#: Target meaning "the status stays as it is".
SAME = "__same__"


class TransitionNotAllowed(Conflict):
    code = "action_not_allowed"
    default_message = _("This action is not allowed in the record's current status.")


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str


@dataclass(frozen=True)
class Workflow:
    name: str
    initial_action: str
    initial_status: str
    transitions: tuple[Transition, ...]
    _by_action: Mapping[str, Transition] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        table = {t.action: t for t in self.transitions}
        if len(table) != len(self.transitions):
            raise ValueError(f"workflow {self.name}: an action appears twice")
        object.__setattr__(self, "_by_action", table)

    def statuses(self) -> set[str]:
        found = {self.initial_status}
        for t in self.transitions:
            found |= t.sources
            if t.target not in (PREVIOUS, SAME):
                found.add(t.target)
        return found

    def allowed_actions(self, status: str) -> list[str]:
        return [t.action for t in self.transitions if status in t.sources]

    def is_allowed(self, status: str, action: str) -> bool:
        transition = self._by_action.get(action)
        return transition is not None and status in transition.sources

    def needs_history(self, action: str) -> bool:
        """Whether `next_status` needs more than the current status for `action`."""
        transition = self._by_action.get(action)
        return transition is not None and transition.target == PREVIOUS

    def next_status(self, history: list[str], action: str) -> str:
        """Status after `action`, given the statuses the record has had (oldest first)."""
        current = history[-1]
        transition = self._by_action.get(action)
        if transition is None or current not in transition.sources:
            raise TransitionNotAllowed(status=current, action=action)
        if transition.target == SAME:
            return current
        if transition.target == PREVIOUS:
            for earlier in reversed(history[:-1]):
                if earlier != current:
                    return earlier
            raise TransitionNotAllowed(status=current, action=action)
        return transition.target

    def fold(self, actions: Iterable[str]) -> list[str]:
        """Replay actions from the start; return every status the record went through."""
        iterator = iter(actions)
        first = next(iterator, None)
        if first != self.initial_action:
            raise TransitionNotAllowed(status="", action=str(first))
        history = [self.initial_status]
        for action in iterator:
            history.append(self.next_status(history, action))
        return history

    def status_of(self, actions: Iterable[str]) -> str:
        return self.fold(actions)[-1]
