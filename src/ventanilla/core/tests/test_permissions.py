"""Who may do what, where: the matrix of role × action × jurisdiction, as properties."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ventanilla.core.errors import PermissionDenied
from ventanilla.core.models import (
    AccessKind,
    AccessLogEntry,
    Jurisdiction,
    Role,
    RoleAssignment,
    User,
)
from ventanilla.core.permissions import ALLOWED_ROLES, Action, authorise, granting_assignment

LEVELS = ("country", "state_a", "municipality_a", "office_a", "office_b")


@pytest.fixture
def tree(offices: dict[str, Jurisdiction]) -> dict[str, Jurisdiction]:
    office_a, office_b = offices["a"], offices["b"]
    assert office_a.parent is not None and office_a.parent.parent is not None
    return {
        "country": offices["country"],
        "state_a": office_a.parent.parent,
        "municipality_a": office_a.parent,
        "office_a": office_a,
        "office_b": office_b,
    }


def _contains(outer: str, inner: str) -> bool:
    """The expected containment, written independently of the path mechanism."""
    inside = {
        "country": set(LEVELS),
        "state_a": {"state_a", "municipality_a", "office_a"},
        "municipality_a": {"municipality_a", "office_a"},
        "office_a": {"office_a"},
        "office_b": {"office_b"},
    }
    return inner in inside[outer]


@settings(
    max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(
    role=st.sampled_from(list(Role)),
    held_at=st.sampled_from(LEVELS),
    action=st.sampled_from(list(Action)),
    target=st.sampled_from(LEVELS),
)
def test_an_official_may_act_exactly_where_their_role_allows(
    tree: dict[str, Jurisdiction], role: Role, held_at: str, action: Action, target: str
) -> None:
    user = User(username="persona")
    user._role_assignments = [  # type: ignore[attr-defined]
        RoleAssignment(user=user, role=role, jurisdiction=tree[held_at])
    ]
    allowed = role in ALLOWED_ROLES[action] and _contains(held_at, target)
    assert (granting_assignment(user, action, tree[target]) is not None) == allowed


def test_the_auditor_reads_logs_but_never_records(auditor: User, offices: dict[str, Any]) -> None:
    assert authorise(auditor, Action.ACCESS_LOG_READ, offices["country"]).role == Role.AUDITOR
    with pytest.raises(PermissionDenied):
        authorise(auditor, Action.PERSON_READ, offices["a"])


def test_a_refusal_is_logged_with_the_persons_it_concerned(
    outsider: User, offices: dict[str, Any]
) -> None:
    person = "0c0ffee0-0000-4000-8000-000000000001"
    with pytest.raises(PermissionDenied):
        authorise(outsider, Action.PERSON_READ, offices["a"], subject_ids=[person])
    entry = AccessLogEntry.objects.get(actor=outsider)
    assert entry.kind == AccessKind.DENIED
    assert entry.subject_ids == [person]
