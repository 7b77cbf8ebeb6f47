"""Who may do what, where: the matrix of role × action × jurisdiction, as properties."""

from __future__ import annotations

from collections.abc import Callable
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
from ventanilla.core.permissions import Action, authorise, granting_assignment

LEVELS = ("country", "state_a", "municipality_a", "office_a", "office_b")

# What each role may do, as the product defines the roles, written out here rather than read
# from the code's table: a citizen acts on no one's records but their own (the portal, not
# these actions); an agent takes declarations (and closes a draft that will not go on); a
# registrar validates and registers; an office head also revokes and reinstates and sees the
# dashboard; a state supervisor oversees and imports; the national administrator reads,
# imports and audits; an auditor reads the access log and nothing else.
MATRIX = """
action             CIT AGT REG HEAD SUP ADM AUD
record.declare      .   x   x   x    .   .   .
record.validate     .   .   x   x    .   .   .
record.register     .   .   x   x    .   .   .
record.reject       .   .   x   x    .   .   .
record.correct      .   .   x   x    .   .   .
record.archive      .   x   x   x    .   .   .
record.reinstate    .   .   .   x    x   .   .
record.revoke       .   .   .   x    x   .   .
record.read         .   x   x   x    x   x   .
duplicate.decide    .   .   x   x    .   .   .
person.read         .   x   x   x    x   x   .
person.search       .   x   x   x    x   x   .
person.import       .   .   .   .    x   x   .
dashboard.view      .   .   .   x    x   x   .
access_log.read     .   .   .   .    .   x   x
"""
COLUMNS = {
    "CIT": Role.CITIZEN,
    "AGT": Role.AGENT,
    "REG": Role.REGISTRAR,
    "HEAD": Role.OFFICE_HEAD,
    "SUP": Role.STATE_SUPERVISOR,
    "ADM": Role.NATIONAL_ADMIN,
    "AUD": Role.AUDITOR,
}


def _expected() -> dict[tuple[Role, str], bool]:
    header, *rows = MATRIX.strip().splitlines()
    roles = [COLUMNS[c] for c in header.split()[1:]]
    table: dict[tuple[Role, str], bool] = {}
    for row in rows:
        action, *marks = row.split()
        assert len(marks) == len(roles), row
        for role, mark in zip(roles, marks, strict=True):
            table[role, action] = mark == "x"
    return table


EXPECTED = _expected()


def may(role: Role, action: Action) -> bool:
    return EXPECTED[role, str(action)]


def test_the_expected_matrix_decides_every_role_and_action() -> None:
    assert set(EXPECTED) == {(role, str(action)) for role in Role for action in Action}


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
    allowed = may(role, action) and _contains(held_at, target)
    assert (granting_assignment(user, action, tree[target]) is not None) == allowed


PERSONAS = {
    "agent": Role.AGENT,
    "registrar": Role.REGISTRAR,
    "office_head": Role.OFFICE_HEAD,
    "supervisor": Role.STATE_SUPERVISOR,
    "auditor": Role.AUDITOR,
}


@pytest.mark.parametrize("persona", [*PERSONAS, "national_admin", "citizen"])
def test_each_persona_may_do_at_their_office_exactly_what_their_role_allows(
    request: pytest.FixtureRequest,
    persona: str,
    offices: dict[str, Jurisdiction],
    make_user: Callable[..., User],
) -> None:
    if persona == "national_admin":
        role = Role.NATIONAL_ADMIN
        user = make_user("admin", role, offices["country"])
    elif persona == "citizen":
        role = Role.CITIZEN
        user = make_user("citizen", role, offices["a"])
    else:
        role = PERSONAS[persona]
        user = request.getfixturevalue(persona)
    refused: list[str] = []
    for action in Action:
        try:
            grant = authorise(user, action, offices["a"])
        except PermissionDenied:
            refused.append(str(action))
        else:
            assert grant.role == role
    assert sorted(refused) == sorted(str(a) for a in Action if not may(role, a))
    logged = AccessLogEntry.objects.filter(actor=user, kind=AccessKind.DENIED)
    assert sorted(logged.values_list("purpose", flat=True)) == sorted(refused)


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
