"""The four permission cases every endpoint and page must pass.

anonymous                 → 401 (API) / redirect to login (page)
member without the role   → 403
permitted member          → the expected success status
another workspace's object (permitted member of their own workspace) → 404
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.test import Client


def _call(client: Client, method: str, url: str, data: Any, api: bool) -> Any:
    fn = getattr(client, method.lower())
    if data is None:
        return fn(url)
    if api:
        return fn(url, data=json.dumps(data), content_type="application/json")
    return fn(url, data=data)


def assert_four_cases(
    client_for: Callable[[Any], Client],
    method: str,
    url: str,
    foreign_url: str,
    *,
    permitted: Any,
    denied: Any | None,
    data: Any = None,
    ok: tuple[int, ...] = (200,),
    api: bool | None = None,
) -> Any:
    """Run the four cases; returns the permitted member's response for further assertions.

    Called as ``assert_four_cases(api, "GET", url, foreign_url, permitted=..., denied=...)``.

    ``foreign_url`` addresses an object of another workspace (or another workspace itself)
    with the same verb; ``denied`` is a member whose role lacks the permission (None when every
    member may do this, e.g. reading). ``api`` (JSON bodies, 401 instead of a login redirect)
    defaults to what the client factory says: the ``web`` fixture's clients are pages.
    """
    if api is None:
        api = getattr(client_for, "is_api", True)
    anonymous = _call(client_for(None), method, url, data, api)
    if api:
        assert anonymous.status_code == 401, (url, anonymous.status_code)
        assert "message" in anonymous.json()
    else:
        assert anonymous.status_code == 302 and "/login/" in anonymous["Location"], (
            url,
            anonymous.status_code,
        )

    if denied is not None:
        forbidden = _call(client_for(denied), method, url, data, api)
        assert forbidden.status_code == 403, (url, forbidden.status_code)
        if api:
            assert "message" in forbidden.json()

    foreign = _call(client_for(permitted), method, foreign_url, data, api)
    assert foreign.status_code == 404, (foreign_url, foreign.status_code)
    if api:
        assert "message" in foreign.json()

    allowed = _call(client_for(permitted), method, url, data, api)
    assert allowed.status_code in ok, (url, allowed.status_code, allowed.content[:500])
    return allowed
