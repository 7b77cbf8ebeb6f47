"""Per-request context (request ID, client address) visible to logs and audit rows."""

from __future__ import annotations

import contextvars
import re
import uuid

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip", default=None)

_ACCEPTABLE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def new_request_id(incoming: str | None = None) -> str:
    """Keep a caller's ID if it is harmless, so a trace spans systems; otherwise make one."""
    if incoming and _ACCEPTABLE_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


def current_request_id() -> str:
    return _request_id.get()


def current_client_ip() -> str | None:
    return _client_ip.get()


def bind(
    request_id: str, client_ip: str | None
) -> tuple[contextvars.Token[str], contextvars.Token[str | None]]:
    return _request_id.set(request_id), _client_ip.set(client_ip)


def unbind(tokens: tuple[contextvars.Token[str], contextvars.Token[str | None]]) -> None:
    _request_id.reset(tokens[0])
    _client_ip.reset(tokens[1])
