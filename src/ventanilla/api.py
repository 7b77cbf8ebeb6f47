"""The public HTTP API (`/api/v1/…`) and its single mapping of domain errors to HTTP."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import django_auth

from ventanilla.core.errors import DomainError

api = NinjaAPI(
    title="Ventanilla API",
    version="1",
    description="Civil registry and population register.",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=django_auth,
)


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, {"error": exc.as_dict()}, status=exc.status)


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
    return api.create_response(
        request, error_body("not_authenticated", _("Sign in first.")), status=401
    )


def register_routers() -> None:
    from ventanilla.registry.api import router as registry_router

    api.add_router("/v1/registry", registry_router)


register_routers()
