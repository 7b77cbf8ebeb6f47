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


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for problem in exc.errors:
        location = [
            str(p) for p in problem.get("loc", ()) if p not in ("body", "query", "path", "payload")
        ]
        fields.setdefault(".".join(location) or "request", []).append(str(problem.get("msg", "")))
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
