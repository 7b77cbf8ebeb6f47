from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from ventanilla.core.permissions import is_official


def platform(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    official = bool(user is not None and user.is_authenticated and is_official(user))
    return {
        "profile_code": settings.VENTANILLA_PROFILE,
        "is_official": official,
        "request_id": getattr(request, "request_id", ""),
    }
