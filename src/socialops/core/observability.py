"""HTTP latency by route for the Prometheus endpoint (config/metrics.py serves it).

One histogram per process: each web process is scraped on its own (docs/metrics.md). Routes are
the URL patterns (``w/<slug:slug>/content/<int:item_id>/``), never the raw paths, so the label
set stays small whatever ids are requested.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from prometheus_client import Histogram

__all__ = ["HTTP_LATENCY", "RequestLatencyMiddleware"]

HTTP_LATENCY = Histogram(
    "socialops_http_request_duration_seconds",
    "Time to answer an HTTP request, by route pattern, method and status class.",
    ["route", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0, 10.0),
)


class RequestLatencyMiddleware:
    """Time every request and record it under its route pattern (unmatched ones as "<unmatched>")."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = str(match.route) if match is not None and match.route else "<unmatched>"
        HTTP_LATENCY.labels(
            route=route, method=request.method or "", status=f"{response.status_code // 100}xx"
        ).observe(time.perf_counter() - started)
        return response
