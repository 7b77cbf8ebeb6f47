from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from ventanilla.core.models import User
from ventanilla.core.permissions import ALLOWED_ROLES, Action, is_official, roles_of


def platform(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    signed_in = isinstance(user, User) and user.is_authenticated
    official = isinstance(user, User) and signed_in and is_official(user)
    roles = set(roles_of(user)) if isinstance(user, User) and signed_in else set()
    return {
        "profile_code": settings.VENTANILLA_PROFILE,
        "is_official": official,
        "can_view_dashboard": bool(roles & set(ALLOWED_ROLES[Action.DASHBOARD_VIEW])),
        "request_id": getattr(request, "request_id", ""),
    }
