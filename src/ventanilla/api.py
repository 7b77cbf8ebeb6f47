"""The public HTTP API (`/api/v1/…`) and its single mapping of errors to HTTP.

Every answer that is not a success has the body of a domain error
(`{"error": {"code": …, "message": …}}`, see `core.errors`), with the message in the
caller's language: parse failures, unknown addresses, wrong methods and unexpected
failures included, so a client never has to parse Django's HTML or ninja's defaults.
"""

from __future__ import annotations

import functools
import inspect
import logging
import re
from collections.abc import Callable
from typing import Any, Final

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, re_path
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import django_auth

from ventanilla.core.context import current_request_id
from ventanilla.core.errors import (
    BodyTooLarge,
    CsrfFailed,
    DomainError,
    InternalError,
    MalformedBody,
    MethodNotAllowed,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    TooManyRequests,
    ValidationFailed,
)

logger = logging.getLogger(__name__)


_HTTP_ERRORS: dict[int, type[DomainError]] = {
    401: NotAuthenticated,
    403: PermissionDenied,
    404: NotFound,
    405: MethodNotAllowed,
    429: TooManyRequests,
}


class VentanillaAPI(NinjaAPI):
    """NinjaAPI whose URLs also answer unknown addresses and wrong methods in JSON: ninja
    leaves the first to Django's HTML 404 and answers the second in plain text."""

    @property
    def urls(self) -> tuple[list[URLResolver | URLPattern], str, str]:
        patterns, app_name, namespace = super().urls
        wrapped: list[URLResolver | URLPattern] = [
            _json_not_allowed(p) if isinstance(p, URLPattern) else p for p in patterns
        ]
        wrapped.append(re_path(r"^.*$", csrf_exempt(self._unknown_address)))
        return wrapped, app_name, namespace

    def _unknown_address(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return respond(request, NotFound())


def _json_not_allowed(pattern: URLPattern) -> URLPattern:
    view: Callable[..., Any] = pattern.callback

    def convert(request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if response.status_code != 405 or response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return response
        answer = respond(request, MethodNotAllowed())
        answer["Allow"] = response.get("Allow", "")
        return answer

    if inspect.iscoroutinefunction(view):

        @functools.wraps(view)
        async def async_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return convert(request, await view(request, *args, **kwargs))

        callback: Callable[..., Any] = async_view
    else:

        @functools.wraps(view)
        def sync_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return convert(request, view(request, *args, **kwargs))

        callback = sync_view
    return URLPattern(pattern.pattern, callback, pattern.default_args, pattern.name)


#: C0 controls and DEL, but not tab and line breaks: no record field holds them, and
#: PostgreSQL refuses NUL in text outright (a server error instead of the caller's).
_CONTROL_CHARACTERS: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _refuse_control_characters(value: Any, path: str = "") -> Any:
    if isinstance(value, str):
        if _CONTROL_CHARACTERS.search(value):
            raise ValidationFailed(
                fields={path or "request": [_("Remove the control characters from this text.")]}
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            _refuse_control_characters(key, path or "request")
            _refuse_control_characters(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_control_characters(item, f"{path}.{index}" if path else str(index))
    return value


class CheckedParser(Parser):
    """The JSON parser, refusing control characters in any text of a body or a query."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return _refuse_control_characters(super().parse_body(request))  # type: ignore[no-any-return]

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        return _refuse_control_characters(super().parse_querydict(data, list_fields, request))  # type: ignore[no-any-return]


api = VentanillaAPI(
    title="Ventanilla API",
    version="1",
    description="Civil registry and population register.",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=django_auth,
    parser=CheckedParser(),
)


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def respond(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, {"error": exc.as_dict()}, status=exc.status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return respond(request, exc)


def _field_path(location: tuple[Any, ...]) -> str:
    parts = [str(p) for p in location]
    if parts and parts[0] == "body" and len(parts) > 2:
        parts = parts[2:]  # drop "body" and the handler's parameter name
    elif parts and parts[0] in ("body", "query", "path", "header", "cookie", "form"):
        parts = parts[1:]
    return ".".join(parts) or "request"


def _field_message(problem: dict[str, Any]) -> str:
    """Pydantic's messages are English only; say the common ones in the caller's language."""
    kind = problem.get("type", "")
    context = problem.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "string_too_long":
        return _("Use at most %(limit)d characters.") % {"limit": context.get("max_length", 0)}
    if kind.startswith(("date_", "datetime_")):
        return _("Enter a real date as YYYY-MM-DD.")
    if kind.startswith("uuid"):
        return _("Enter a valid identifier.")
    if kind in ("literal_error", "enum"):
        return _("Choose one of the listed options.")
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return _("This value has the wrong type.")
    return str(problem.get("msg", _("This value is not valid.")))


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for problem in exc.errors:
        fields.setdefault(_field_path(tuple(problem.get("loc", ()))), []).append(
            _field_message(problem)
        )
    return api.create_response(
        request,
        error_body("invalid", _("Some fields need attention."), fields=fields),
        status=422,
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return respond(request, NotAuthenticated())


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """ninja's own refusals carry English text only: answer with a code and our words."""
    if isinstance(exc.__cause__, DomainError):
        return respond(request, exc.__cause__)  # the body parser refused what it read
    if exc.status_code == 400 and exc.__cause__ is not None:
        return respond(request, MalformedBody())  # the body parser failed
    if exc.status_code == 403 and "CSRF" in exc.message:
        return respond(request, CsrfFailed())
    kind = _HTTP_ERRORS.get(exc.status_code)
    error = kind() if kind is not None else DomainError()
    error.status = exc.status_code
    return respond(request, error)


@api.exception_handler(RequestDataTooBig)
def body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return respond(request, BodyTooLarge())


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return respond(request, NotFound())


@api.exception_handler(Exception)
def unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A bug: log it under the request ID (the formatter withholds the exception's text,
    which may quote personal data) and tell the caller only the reference to quote."""
    match = request.resolver_match
    logger.error(
        "unexpected error answering an API request",
        exc_info=exc,
        extra={
            "error_type": type(exc).__name__,
            "method": request.method,
            "route": match.route if match is not None else "",
        },
    )
    request_id = current_request_id()
    message = str(InternalError.default_message) % {"request_id": request_id}
    return respond(request, InternalError(message, request_id=request_id))


def register_routers() -> None:
    from ventanilla.core.audit_api import router as access_log_router
    from ventanilla.registry.api import router as registry_router

    api.add_router("/v1/registry", registry_router)
    api.add_router("/v1/access-log", access_log_router)


register_routers()
