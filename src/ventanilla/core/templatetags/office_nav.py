"""What the office navigation offers the signed-in official, from the permission table."""

from __future__ import annotations

from typing import Any

from django import template

from ventanilla.core.models import User
from ventanilla.core.permissions import ALLOWED_ROLES, Action, roles_of

register = template.Library()


@register.simple_tag(takes_context=True)
def may_read_access_log(context: dict[str, Any]) -> bool:
    """Whether the page's user holds a role that reads the access log (somewhere)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    return bool(set(roles_of(user)) & set(ALLOWED_ROLES[Action.ACCESS_LOG_READ]))
