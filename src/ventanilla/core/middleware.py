"""Request ID and Prometheus metrics for every request."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from prometheus_client import Counter, Histogram

from ventanilla.core import context

REQUESTS = Counter(
    "ventanilla_http_requests_total", "HTTP requests served", ["method", "route", "status"]
)
LATENCY = Histogram(
    "ventanilla_http_request_seconds",
    "Time to answer an HTTP request",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = context.new_request_id(request.headers.get("X-Request-ID"))
        request.request_id = request_id  # type: ignore[attr-defined]
        tokens = context.bind(request_id, request.META.get("REMOTE_ADDR"))
        try:
            response = self.get_response(request)
        finally:
            context.unbind(tokens)
        response["X-Request-ID"] = request_id
        return response


class MetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        # The route pattern, never the path: paths carry IDs and would explode the label set.
        match = request.resolver_match
        route = match.route if match is not None else "unmatched"
        LATENCY.labels(route=route).observe(time.perf_counter() - started)
        REQUESTS.labels(method=request.method, route=route, status=str(response.status_code)).inc()
        return response
