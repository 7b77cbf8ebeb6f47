"""Domain errors with a stable machine-readable code and a message in the user's language.

Views and API handlers map them to HTTP in one place (`ventanilla.api` and
`portal.views`); services raise them and never build responses.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status = 400
    code = "bad_request"
    default_message: str | Promise = _("The request could not be processed.")
    #: True when the error reports an outcome the service has already journaled (duplicates
    #: found at registration, flagged for review): what it wrote must be committed, not
    #: rolled back with the request, or nobody could ever decide on it.
    recorded: bool = False

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
        **details: Any,
    ) -> None:
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        self.fields = fields or {}
        self.details = details
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": str(self.message)}
        if self.fields:
            body["fields"] = {name: [str(m) for m in msgs] for name, msgs in self.fields.items()}
        if self.details:
            body["details"] = self.details
        return body


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = _("Not found.")


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"
    default_message = _("You are not allowed to do this here.")


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"
    default_message = _("Sign in first.")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = _("The record changed meanwhile; reload and try again.")


class ValidationFailed(DomainError):
    status = 422
    code = "invalid"
    default_message = _("Some fields need attention.")


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"
    default_message = _("Too many attempts. Wait a few minutes and try again.")


class MalformedBody(DomainError):
    status = 400
    code = "malformed_body"
    default_message = _("The request body is not valid JSON.")


class BodyTooLarge(DomainError):
    status = 413
    code = "body_too_large"
    default_message = _("The request is too large.")


class CsrfFailed(DomainError):
    status = 403
    code = "csrf_failed"
    default_message = _(
        "The request lacks the security token of your session. Reload the page and try again."
    )


class MethodNotAllowed(DomainError):
    status = 405
    code = "method_not_allowed"
    default_message = _("This address does not accept this method.")


class InternalError(DomainError):
    status = 500
    code = "internal_error"
    default_message = _(
        "Something went wrong on our side. Try again in a few minutes; if it keeps happening, "
        "give support the reference %(request_id)s."
    )
