"""Who may do what, where. The one place permission decisions are made.

An official holds roles at jurisdictions; a role at a jurisdiction covers
everything beneath it. `authorise` answers with the assignment that grants
the action (its role and office go into the journal) or refuses, and a
refusal is written to the access log before the error leaves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum

from ventanilla.core.errors import NotAuthenticated
from ventanilla.core.models import Jurisdiction, Role, RoleAssignment, User


class Action(StrEnum):
    RECORD_DECLARE = "record.declare"
    RECORD_VALIDATE = "record.validate"
    RECORD_REGISTER = "record.register"
    RECORD_REJECT = "record.reject"
    RECORD_CORRECT = "record.correct"
    RECORD_ARCHIVE = "record.archive"
    RECORD_REINSTATE = "record.reinstate"
    RECORD_REVOKE = "record.revoke"
    RECORD_READ = "record.read"
    DUPLICATE_DECIDE = "duplicate.decide"
    PERSON_READ = "person.read"
    PERSON_SEARCH = "person.search"
    PERSON_IMPORT = "person.import"
    DASHBOARD_VIEW = "dashboard.view"
    ACCESS_LOG_READ = "access_log.read"


_OFFICIALS_WHO_READ = frozenset(
    {Role.AGENT, Role.REGISTRAR, Role.OFFICE_HEAD, Role.STATE_SUPERVISOR, Role.NATIONAL_ADMIN}
)
_REGISTRARS = frozenset({Role.REGISTRAR, Role.OFFICE_HEAD})

ALLOWED_ROLES: dict[Action, frozenset[Role]] = {
    Action.RECORD_DECLARE: frozenset({Role.AGENT, Role.REGISTRAR, Role.OFFICE_HEAD}),
    Action.RECORD_VALIDATE: _REGISTRARS,
    Action.RECORD_REGISTER: _REGISTRARS,
    Action.RECORD_REJECT: _REGISTRARS,
    Action.RECORD_CORRECT: _REGISTRARS,
    Action.RECORD_ARCHIVE: frozenset({Role.AGENT, Role.REGISTRAR, Role.OFFICE_HEAD}),
    Action.RECORD_REINSTATE: frozenset({Role.OFFICE_HEAD, Role.STATE_SUPERVISOR}),
    Action.RECORD_REVOKE: frozenset({Role.OFFICE_HEAD, Role.STATE_SUPERVISOR}),
    Action.RECORD_READ: _OFFICIALS_WHO_READ,
    Action.DUPLICATE_DECIDE: _REGISTRARS,
    Action.PERSON_READ: _OFFICIALS_WHO_READ,
    Action.PERSON_SEARCH: _OFFICIALS_WHO_READ,
    Action.PERSON_IMPORT: frozenset({Role.NATIONAL_ADMIN, Role.STATE_SUPERVISOR}),
    Action.DASHBOARD_VIEW: frozenset(
        {Role.OFFICE_HEAD, Role.STATE_SUPERVISOR, Role.NATIONAL_ADMIN}
    ),
    Action.ACCESS_LOG_READ: frozenset({Role.AUDITOR, Role.NATIONAL_ADMIN}),
}


def assignments(actor: User) -> list[RoleAssignment]:
    cached: list[RoleAssignment] | None = getattr(actor, "_role_assignments", None)
    if cached is None:
        cached = list(actor.roles.select_related("jurisdiction"))
        actor._role_assignments = cached  # type: ignore[attr-defined]
    return cached


def granting_assignment(
    actor: User, action: Action, jurisdiction: Jurisdiction | None
) -> RoleAssignment | None:
    """The narrowest assignment that lets `actor` do `action` at `jurisdiction`, if any."""
    allowed = ALLOWED_ROLES[action]
    best: RoleAssignment | None = None
    for assignment in assignments(actor):
        if assignment.role not in allowed:
            continue
        if jurisdiction is not None and not assignment.jurisdiction.contains(jurisdiction):
            continue
        if best is None or len(assignment.jurisdiction.path) > len(best.jurisdiction.path):
            best = assignment
    return best


def authorise(
    actor: User | None,
    action: Action,
    jurisdiction: Jurisdiction | None,
    *,
    subject_ids: Iterable[str] = (),
) -> RoleAssignment:
    if actor is None or not actor.is_authenticated:
        raise NotAuthenticated()
    grant = granting_assignment(actor, action, jurisdiction)
    if grant is None:
        from ventanilla.core.access import RefusalLogged, log_refusal

        entry = log_refusal(actor=actor, purpose=str(action), subject_ids=subject_ids)
        raise RefusalLogged(entry, action=str(action))
    return grant


def scope_paths(actor: User, action: Action) -> list[str]:
    """Jurisdiction path prefixes inside which `actor` may do `action` (for scoping queries)."""
    allowed = ALLOWED_ROLES[action]
    paths = sorted({a.jurisdiction.path for a in assignments(actor) if a.role in allowed})
    # Drop paths already covered by a shorter one.
    kept: list[str] = []
    for path in paths:
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def roles_of(actor: User) -> Sequence[str]:
    return sorted({a.role for a in assignments(actor)})


def is_official(actor: User) -> bool:
    return any(a.role != Role.CITIZEN for a in assignments(actor))
