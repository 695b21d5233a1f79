"""Webhook connector: a signed JSON POST to a URL the customer gives (their CMS, bot or middleware).

Every request carries
    Idempotency-Key: <key>            the same key for every retry of one publish
    X-SocialOps-Event: post.publish   (or post.delete, ping)
    X-SocialOps-Delivery: <uuid>      new for every attempt
    X-SocialOps-Timestamp: <unix seconds>
    X-SocialOps-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
and the idempotency key in the body too. The receiver must answer 2xx once it has the post
(optionally {"id": "...", "url": "..."}), 409 when it already had this key, 4xx to refuse it for
good (401/403: bad signature). Receivers must de-duplicate on the key, which is what makes
re-sending after a lost answer safe. See docs/platforms.md for a verification snippet.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import time
import urllib.parse
import uuid
from typing import Any

import httpx
from django.utils.translation import gettext as _

from . import http
from .base import (
    KIND_CAPABILITY,
    AccountInfo,
    AuthRevoked,
    Capability,
    Limits,
    PermanentError,
    PostRequest,
    PublishResult,
    utcnow,
)

SIGNATURE_HEADER = "X-SocialOps-Signature"
TIMESTAMP_HEADER = "X-SocialOps-Timestamp"
EVENT_HEADER = "X-SocialOps-Event"
DELIVERY_HEADER = "X-SocialOps-Delivery"
# Inline file data only for small media without a URL; larger ones need a URL.
MAX_INLINE_BYTES = 5 * 1024 * 1024


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def verify_signature(
    secret: str, headers: Any, body: bytes, *, tolerance: int = 300, now: float | None = None
) -> bool:
    """What a receiver does: recompute the signature and reject stale timestamps (replays)."""
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    signature = headers.get(SIGNATURE_HEADER, "")
    if not timestamp.isdigit():
        return False
    if abs((now if now is not None else time.time()) - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


class WebhookConnector(http.HttpConnector):
    """Posts go to the customer's URL as signed JSON."""

    kind = "webhook"
    capabilities = frozenset(
        {
            Capability.PUBLISH_TEXT,
            Capability.PUBLISH_IMAGES,
            Capability.PUBLISH_VIDEO,
            Capability.PUBLISH_ARTICLE,
            Capability.DELETE,
        }
    )
    limits = Limits()
    # Receivers de-duplicate on the key by contract, for as long as they keep posts.
    dedupe_window = dt.timedelta(days=36500)
    needs_base_url = True
    # Media go as links (the engine gives every file one); bytes only for a file without a URL.
    uploads_media = False
    client_has_base_url = False

    def _account(self) -> dict[str, Any]:
        connection = self.connection
        if connection is None:
            return {}
        account = connection.account
        return {
            "id": account.pk,
            "platform": account.platform,
            "handle": account.handle,
            "display_name": account.display_name,
        }

    def _post(
        self, event: str, payload: dict[str, Any], *, idempotency_key: str, mutating: bool
    ) -> httpx.Response:
        secret = self.credentials.signing_secret
        if not secret:
            raise AuthRevoked(
                _("No signing secret is stored for this webhook; set one on the connection page.")
            )
        body = json.dumps(
            {"event": event, "idempotency_key": idempotency_key, "sent_at": utcnow().isoformat(), **payload},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        timestamp = str(int(time.time()))
        request = self.client.build_request(
            "POST",
            self.url,
            content=body,
            headers={
                "Content-Type": "application/json",
                EVENT_HEADER: event,
                DELIVERY_HEADER: str(uuid.uuid4()),
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: sign(secret, timestamp, body),
                "Idempotency-Key": idempotency_key,
            },
        )
        response = http.send(self.client, request, mutating=mutating)
        limit = http.rate_limit_of(response)
        if limit is not None:
            self.rate_limit = limit
        if response.status_code in (401, 403):
            raise AuthRevoked(
                _("The receiver refused our signature (HTTP %(status)d): %(message)s")
                % {"status": response.status_code, "message": http.error_message(response)},
                status_code=response.status_code,
            )
        return response

    def _result(self, response: httpx.Response, idempotency_key: str, *, duplicate: bool) -> PublishResult:
        data = http.body_json(response)
        data = data if isinstance(data, dict) else {}
        return PublishResult(
            external_id=str(data.get("id") or idempotency_key)[:128],
            url=str(data.get("url") or "")[:500],
            published_at=utcnow(),
            duplicate=duplicate,
            raw=data,
        )

    def verify(self) -> AccountInfo:
        response = self._post(
            "ping", {"account": self._account()}, idempotency_key=f"ping-{uuid.uuid4()}", mutating=False
        )
        http.raise_for_common(response, mutating=False)
        host = urllib.parse.urlsplit(self.base_url).netloc
        return AccountInfo(
            external_id=host, handle=host, url=self.base_url, raw=http.body_json(response) or {}
        )

    @staticmethod
    def _media(post: PostRequest) -> list[dict[str, Any]]:
        items = []
        for media in post.media:
            item: dict[str, Any] = {
                "filename": media.filename,
                "content_type": media.content_type,
                "description": media.description,
                "url": media.url,
            }
            if not media.url and media.data:
                item["data_base64"] = base64.b64encode(media.data).decode()
            items.append(item)
        return items

    def check(self, post: PostRequest) -> list[str]:
        problems = []
        if not post.text.strip() and not post.title.strip() and not post.media:
            problems.append(_("A post needs text or media."))
        for media in post.media:
            if not media.url and not media.data:
                problems.append(_("“%(name)s” has neither a URL nor a file.") % {"name": media.filename[:80]})
            elif not media.url and media.data and len(media.data) > MAX_INLINE_BYTES:
                problems.append(
                    _("“%(name)s” is too large to send inline; it needs a URL.")
                    % {"name": media.filename[:80]}
                )
        return problems

    def publish(self, post: PostRequest, *, idempotency_key: str) -> PublishResult:
        self.require(KIND_CAPABILITY[post.effective_kind])
        problems = self.check(post)
        if problems:
            raise PermanentError(" ".join(problems))
        payload = {
            "account": self._account(),
            "post": {
                "kind": str(post.effective_kind),
                "title": post.title,
                "text": post.text,
                "link_url": post.link_url,
                "hashtags": list(post.hashtags),
                "media": self._media(post),
                "in_reply_to": post.in_reply_to,
                "language": post.language,
                "options": dict(post.options),
                "reference": post.reference,
            },
        }
        response = self._post("post.publish", payload, idempotency_key=idempotency_key, mutating=True)
        if response.status_code == 409:
            return self._result(response, idempotency_key, duplicate=True)
        http.raise_for_common(response, mutating=True)
        return self._result(response, idempotency_key, duplicate=False)

    def delete(self, external_id: str) -> None:
        self.require(Capability.DELETE)
        response = self._post(
            "post.delete",
            {"account": self._account(), "external_id": external_id},
            idempotency_key=f"delete-{external_id}"[:255],
            mutating=True,
        )
        if response.status_code in (404, 410):
            return
        http.raise_for_common(response, mutating=True)
