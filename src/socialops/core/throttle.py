"""Request throttling for public pages (polls, registrations, check-in, draw verification).

A fixed-window counter in Django's cache: ``allow(scope, key, limit=…, per=…)`` counts one
request and says whether it is still within the limit. The cache is the one every process
shares in production (Redis: SOCIALOPS_CACHE_URL or REDIS_URL, docs/scaling.md); the default local-memory cache counts per process,
which is right for the single-process default setup.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache
from django.http import HttpRequest

__all__ = ["allow", "client_address"]


def client_address(request: HttpRequest) -> str:
    """The address a request came from, as the web server saw it (the proxy sets REMOTE_ADDR)."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def allow(scope: str, key: str, *, limit: int, per: int) -> bool:
    """Count one request for (scope, key); False once more than ``limit`` came in ``per`` seconds."""
    window = int(time.time()) // per
    digest = hashlib.sha256(f"{scope}\0{key}".encode()).hexdigest()[:32]
    cache_key = f"throttle:{scope}:{digest}:{window}"
    # add() creates the counter only if absent, so two processes racing on a new window both
    # end up incrementing the same key.
    cache.add(cache_key, 0, timeout=per + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.add(cache_key, 1, timeout=per + 1)
        count = 1
    return count <= limit
