from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from ventanilla.core.models import User
from ventanilla.core.permissions import ALLOWED_ROLES, Action, is_official, roles_of

# The office pages the navigation links to, by the action each needs.
_PAGES: dict[str, Action] = {
    "queue": Action.RECORD_READ,
    "declare": Action.RECORD_DECLARE,
    "search": Action.PERSON_SEARCH,
    "dashboard": Action.DASHBOARD_VIEW,
    "access_log": Action.ACCESS_LOG_READ,
}


def platform(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    signed_in = isinstance(user, User) and user.is_authenticated
    official = isinstance(user, User) and signed_in and is_official(user)
    roles = set(roles_of(user)) if isinstance(user, User) and signed_in else set()
    return {
        "profile_code": settings.VENTANILLA_PROFILE,
        "is_official": official,
        # Links only to the pages the official may open somewhere: an auditor reads logs only.
        "may": {page: bool(roles & ALLOWED_ROLES[action]) for page, action in _PAGES.items()},
        "request_id": getattr(request, "request_id", ""),
    }
