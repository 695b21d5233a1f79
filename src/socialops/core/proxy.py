"""The client's address behind a reverse proxy (docs/deploy.md).

Behind nginx every request reaches the web server from 127.0.0.1, so REMOTE_ADDR would name the
proxy: login lock-outs (django-axes), the per-address throttles and the "machine itself" rule of
/metrics all read REMOTE_ADDR. With ``SOCIALOPS_BEHIND_PROXY=1`` a request that comes from one of
the trusted proxies (``SOCIALOPS_PROXY_ADDRESSES``, default the loopback addresses) gets the
address the proxy saw: the last entry of X-Forwarded-For (the one the proxy appended; entries
before it are whatever the client sent and are never trusted).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

__all__ = ["ProxyClientAddressMiddleware"]


class ProxyClientAddressMiddleware:
    """Set REMOTE_ADDR to the client's address when a trusted reverse proxy forwarded the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.proxies = frozenset(settings.PROXY_ADDRESSES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.META.get("REMOTE_ADDR") in self.proxies:
            forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
            client = forwarded.rsplit(",", 1)[-1].strip()
            if client:
                request.META["REMOTE_ADDR"] = client
        return self.get_response(request)
