"""A respx fake of Mastodon's API that enforces the documented request shapes.

Every route checks the bearer token; POST /api/v1/statuses requires the Idempotency-Key header,
a JSON body whose `status` plus `spoiler_text` is at most 500 grapheme clusters (links counted as 23) with at most 4
media ids, and a known visibility; a repeated key returns the first status. POST /api/v2/media
requires a multipart `file` and answers 202 while "processing" (GET /api/v1/media/:id answers
206 until it is done). Canned failures can be queued per route with ``fail(route, response)``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from typing import Any

import httpx
import regex
import respx

BASE = "https://mastodon.example"
TOKEN = "tok_mastodon_SECRET_value_1234"
URL_RE = re.compile(r"https?://[^\s<>\"']+")


def _length(text: str, spoiler: str = "") -> int:
    # Mastodon's StatusLengthValidator: the content warning as is plus the text with every link
    # as 23 characters, counted in grapheme clusters.
    return len(regex.findall(r"\X", spoiler + URL_RE.sub("x" * 23, text)))


class FakeMastodon:
    """State of the fake server plus the respx router that serves it."""

    def __init__(self, router: respx.MockRouter, *, token: str = TOKEN, media_polls: int = 0) -> None:
        self.router = router
        self.token = token
        self.media_polls = media_polls
        self.statuses: list[dict[str, Any]] = []
        self.keys: dict[str, dict[str, Any]] = {}
        self.media: dict[str, dict[str, Any]] = {}
        self.polls: dict[str, int] = defaultdict(int)
        self.failures: dict[str, list[Any]] = defaultdict(list)
        self.notifications: list[dict[str, Any]] = []
        self.next_id = 1000
        router.get(f"{BASE}/api/v1/accounts/verify_credentials", name="verify").mock(side_effect=self._verify)
        router.post(f"{BASE}/api/v1/statuses", name="post_status").mock(side_effect=self._post_status)
        router.route(method="GET", url__regex=rf"{BASE}/api/v1/statuses/\d+$", name="get_status").mock(
            side_effect=self._get_status
        )
        router.route(method="DELETE", url__regex=rf"{BASE}/api/v1/statuses/\d+$", name="delete_status").mock(
            side_effect=self._delete_status
        )
        router.post(f"{BASE}/api/v2/media", name="media").mock(side_effect=self._media)
        router.route(method="GET", url__regex=rf"{BASE}/api/v1/media/\d+$", name="media_get").mock(
            side_effect=self._media_get
        )
        router.route(
            method="GET", url__regex=rf"{BASE}/api/v1/accounts/\d+/statuses", name="account_statuses"
        ).mock(side_effect=self._account_statuses)
        router.get(f"{BASE}/api/v1/notifications", name="notifications").mock(side_effect=self._notifications)
        router.route(
            method="GET", url__regex=rf"{BASE}/api/v1/accounts/\d+/followers", name="followers"
        ).mock(side_effect=self._followers)
        router.post(f"{BASE}/oauth/token", name="token").mock(side_effect=self._token)

    # ---- helpers ---------------------------------------------------------------------------

    def fail(self, route: str, response: Any) -> None:
        """Queue a canned response (an httpx.Response) or exception for the route's next call."""
        self.failures[route].append(response)

    def _canned(self, route: str) -> Any:
        if self.failures[route]:
            item = self.failures[route].pop(0)
            if isinstance(item, Exception):
                raise item
            return item
        return None

    def _auth(self, request: httpx.Request) -> httpx.Response | None:
        header = request.headers.get("Authorization", "")
        if header != f"Bearer {self.token}":
            return httpx.Response(401, json={"error": "The access token is invalid"})
        return None

    def status(
        self, text: str, *, created_at: dt.datetime | None = None, media: int = 0, **extra: Any
    ) -> dict[str, Any]:
        self.next_id += 1
        status = {
            "id": str(self.next_id),
            "created_at": (created_at or dt.datetime.now(dt.UTC)).isoformat().replace("+00:00", "Z"),
            "content": "<p>" + text.replace("\n\n", "</p><p>").replace("\n", "<br />") + "</p>",
            "url": f"{BASE}/@acme/{self.next_id}",
            "uri": f"{BASE}/users/acme/statuses/{self.next_id}",
            "visibility": "public",
            "in_reply_to_id": None,
            "favourites_count": 7,
            "reblogs_count": 2,
            "replies_count": 3,
            "reblog": None,
            "media_attachments": [{"id": str(i)} for i in range(media)],
            "account": {"id": "1", "acct": "acme", "display_name": "Acme"},
        }
        status.update(extra)
        return status

    # ---- routes ----------------------------------------------------------------------------

    def _verify(self, request: httpx.Request) -> httpx.Response:
        if (denied := self._auth(request)) is not None:
            return denied
        if (canned := self._canned("verify")) is not None:
            return canned
        return httpx.Response(
            200,
            json={
                "id": "1",
                "username": "acme",
                "acct": "acme",
                "display_name": "Acme 科技",
                "url": f"{BASE}/@acme",
                "followers_count": 1234,
                "following_count": 56,
                "statuses_count": 78,
            },
            headers={
                "X-RateLimit-Limit": "300",
                "X-RateLimit-Remaining": "299",
                "X-RateLimit-Reset": "2030-01-01T00:00:00.000Z",
            },
        )

    def _post_status(self, request: httpx.Request) -> httpx.Response:
        if (denied := self._auth(request)) is not None:
            return denied
        if (canned := self._canned("post_status")) is not None:
            return canned
        key = request.headers.get("Idempotency-Key")
        assert key, "POST /api/v1/statuses must carry an Idempotency-Key header"
        assert request.headers["Content-Type"].startswith("application/json")
        body = json.loads(request.content)
        assert set(body) <= {
            "status",
            "media_ids",
            "visibility",
            "in_reply_to_id",
            "language",
            "spoiler_text",
            "sensitive",
        }, body
        if key in self.keys:
            return httpx.Response(200, json=self.keys[key])
        text = body.get("status", "")
        media_ids = body.get("media_ids", [])
        if not text and not media_ids:
            return httpx.Response(422, json={"error": "Validation failed: Text can't be blank"})
        if _length(text, str(body.get("spoiler_text") or "")) > 500:
            return httpx.Response(
                422, json={"error": "Validation failed: Text character limit of 500 exceeded"}
            )
        if len(media_ids) > 4:
            return httpx.Response(422, json={"error": "Cannot attach more than 4 files"})
        assert body.get("visibility", "public") in {"public", "unlisted", "private", "direct"}
        for media_id in media_ids:
            assert media_id in self.media, f"unknown media id {media_id}"
        status = self.status(text, media=len(media_ids), in_reply_to_id=body.get("in_reply_to_id"))
        status["_media_ids"] = media_ids
        self.statuses.append(status)
        self.keys[key] = status
        return httpx.Response(200, json=status)

    def _get_status(self, request: httpx.Request) -> httpx.Response:
        if (denied := self._auth(request)) is not None:
            return denied
        if (canned := self._canned("get_status")) is not None:
            return canned
        status_id = request.url.path.rsplit("/", 1)[-1]
        for status in self.statuses:
            if status["id"] == status_id:
                return httpx.Response(200, json=status)
        return httpx.Response(404, json={"error": "Record not found"})

    def _delete_status(self, request: httpx.Request) -> httpx.Response:
        if (denied := self._auth(request)) is not None:
            return denied
        status_id = request.url.path.rsplit("/", 1)[-1]
        for status in list(self.statuses):
            if status["id"] == status_id:
                self.statuses.remove(status)
                return httpx.Response(200, json=status)
        return httpx.Response(404, json={"error": "Record not found"})

    def _media(self, request: httpx.Request) -> httpx.Response:
        if (denied := self._auth(request)) is not None:
            return denied
        if (canned := self._canned("media")) is not None:
            return canned
        content_type = request.headers.get("Content-Type", "")
        assert content_type.startswith("multipart/form-data"), content_type
        assert b'name="file"' in request.content, "POST /api/v2/media needs a multipart `file`"
        self.next_id += 1
        media_id = str(self.next_id)
        description = re.search(rb'name="description"\r\n\r\n(.*?)\r\n', request.content)
        self.media[media_id] = {
            "id": media_id,
            "description": description.group(1).decode() if description else None,
        }
        if self.media_polls:
            return httpx.Response(202, json={"id": media_id, "type": "image", "url": None})
        return httpx.Response(
            200, json={"id": media_id, "type": "image", "url": f"{BASE}/media/{media_id}.png"}
        )

    def _media_get(self, request: httpx.Request) -> httpx.Response:
        if (denied := self._auth(request)) is not None:
            return denied
        media_id = request.url.path.rsplit("/", 1)[-1]
        self.polls[media_id] += 1
        if self.polls[media_id] <= self.media_polls:
            return httpx.Response(206, json={"id": media_id, "url": None})
        return httpx.Response(200, json={"id": media_id, "url": f"{BASE}/media/{media_id}.png"})

    def _account_statuses(self, request: httpx.Request) -> httpx.Response:
        if (denied := self._auth(request)) is not None:
            return denied
        limit = int(request.url.params.get("limit", "20"))
        assert limit <= 40
        max_id = request.url.params.get("max_id")
        items = sorted(self.statuses, key=lambda s: int(s["id"]), reverse=True)
        if max_id:
            items = [s for s in items if int(s["id"]) < int(max_id)]
        return httpx.Response(200, json=items[:limit])

    def _notifications(self, request: httpx.Request) -> httpx.Response:
        if (denied := self._auth(request)) is not None:
            return denied
        assert request.url.params.get_list("types[]") == ["mention"]
        limit = int(request.url.params.get("limit", "40"))
        assert limit <= 80
        min_id = request.url.params.get("min_id")
        items = sorted(self.notifications, key=lambda n: int(n["id"]))
        if min_id:
            items = [n for n in items if int(n["id"]) > int(min_id)]
        page = items[:limit]
        return httpx.Response(200, json=sorted(page, key=lambda n: int(n["id"]), reverse=True))

    def _followers(self, request: httpx.Request) -> httpx.Response:
        if (denied := self._auth(request)) is not None:
            return denied
        max_id = request.url.params.get("max_id")
        if max_id:
            return httpx.Response(200, json=[{"id": "7", "acct": "fan7@x.social", "display_name": "Fan 7"}])
        return httpx.Response(
            200,
            json=[
                {"id": "9", "acct": "fan9", "display_name": "Fan 9"},
                {"id": "8", "acct": "fan8", "display_name": "Fan 8"},
            ],
            headers={
                "Link": f'<{BASE}/api/v1/accounts/1/followers?max_id=8>; rel="next", <{BASE}/api/v1/accounts/1/followers?since_id=9>; rel="prev"'
            },
        )

    def _token(self, request: httpx.Request) -> httpx.Response:
        if (canned := self._canned("token")) is not None:
            return canned
        form = dict(x.split("=", 1) for x in request.content.decode().split("&"))
        assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
        assert form["grant_type"] == "refresh_token"
        assert form["client_id"] and form["client_secret"]
        if form["refresh_token"] != "refresh-1":
            return httpx.Response(
                400,
                json={
                    "error": "invalid_grant",
                    "error_description": "The provided authorization grant is invalid",
                },
            )
        self.token = "tok-2"
        return httpx.Response(
            200,
            json={
                "access_token": "tok-2",
                "refresh_token": "refresh-2",
                "token_type": "Bearer",
                "expires_in": 7200,
                "created_at": 0,
            },
        )
