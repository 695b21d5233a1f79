"""Mastodon connector: a client of Mastodon's documented REST API (docs.joinmastodon.org).

Used for Mastodon (and other servers speaking its API) and for the local sandbox platform.

- publish: POST /api/v1/statuses with an ``Idempotency-Key`` header (Mastodon remembers a key
  for one hour and answers a repeat with the status it already made); media first through
  POST /api/v2/media (202 while processing, then GET /api/v1/media/:id until 200).
- delete: DELETE /api/v1/statuses/:id. Metrics: the status entity's favourites_count,
  reblogs_count, replies_count; the account entity's followers_count, statuses_count.
- comments and direct messages: GET /api/v1/notifications?types[]=mention (a direct message is a
  mention with visibility "direct"); replies under one post: GET /api/v1/statuses/:id/context.
- reconciliation: GET /api/v1/accounts/:id/statuses, matched on the post's text and media.
- auth: a bearer token; OAuth2 refresh through POST /oauth/token (grant_type=refresh_token).
  401 "The access token expired" is AuthExpired; any other 401 is AuthRevoked.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

import httpx
import regex
from django.utils.translation import gettext as _

from ..credentials import Credentials
from . import http
from .base import (
    KIND_CAPABILITY,
    AccountInfo,
    AccountMetrics,
    AuthExpired,
    AuthRevoked,
    Capability,
    Comment,
    CommentPage,
    Follower,
    FollowerPage,
    Limits,
    OutcomeUnknown,
    PermanentError,
    PostKind,
    PostMetrics,
    PostRequest,
    PublishResult,
    RetryableError,
    compose_text,
    utcnow,
)

MAX_IMAGE_BYTES = 16 * 1024 * 1024
MAX_VIDEO_BYTES = 99 * 1024 * 1024
VISIBILITIES = {"public", "unlisted", "private", "direct"}
URL_RE = re.compile(r"https?://[^\s<>\"']+")
MENTION_RE = re.compile(r"(@[\w.]+)@[\w.-]+\w")
TAG_RE = re.compile(r"<[^>]+>")


def parse_time(value: Any) -> dt.datetime:
    """Mastodon's ISO 8601 times (…Z) as aware datetimes."""
    if not isinstance(value, str) or not value:
        return utcnow()
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def html_to_text(content: str) -> str:
    """A status's HTML content as plain text (paragraphs and line breaks kept)."""
    text = re.sub(r"<br\s*/?>", "\n", content or "", flags=re.I)
    text = re.sub(r"</p>\s*<p[^>]*>", "\n\n", text, flags=re.I)
    return html.unescape(TAG_RE.sub("", text)).strip()


def _fingerprint(text: str) -> str:
    # Whitespace differs between what we send and the HTML Mastodon renders back.
    return re.sub(r"\s+", "", text)


def counted_length(text: str, *, url_chars: int = 23) -> int:
    """Length as Mastodon counts it: every link is 23 characters, @user@domain counts as @user, and
    the rest in grapheme clusters (Mastodon's StatusLengthValidator counts with a grapheme
    splitter: a flag or an emoji with skin tone is one character)."""
    text = URL_RE.sub("x" * url_chars, text)
    text = MENTION_RE.sub(r"\1", text)
    return len(regex.findall(r"\X", text))


def _id_key(value: str) -> tuple[int, int | str]:
    return (0, int(value)) if value.isdigit() else (1, value)


class MastodonConnector(http.HttpConnector):
    """A Mastodon account (or any server speaking Mastodon's API, such as the sandbox)."""

    kind = "mastodon"
    capabilities = frozenset(
        {
            Capability.PUBLISH_TEXT,
            Capability.PUBLISH_IMAGES,
            Capability.PUBLISH_VIDEO,
            Capability.DELETE,
            Capability.POST_METRICS,
            Capability.ACCOUNT_METRICS,
            Capability.COMMENTS,
            Capability.MESSAGES,
            Capability.REPLY,
            Capability.FOLLOWERS,
            Capability.FIND_PUBLISHED,
            Capability.REFRESH,
        }
    )
    limits = Limits(max_text_chars=500, max_images=4, max_videos=1, mixed_media=False, url_chars=23)
    dedupe_window = dt.timedelta(hours=1)
    needs_base_url = True

    # How far back find_published pages through the account's statuses (40 per page).
    find_max_pages = 10

    def __init__(
        self,
        *,
        sleep: Callable[[float], None] = time.sleep,
        media_timeout: float = 60.0,
        media_poll_interval: float = 0.5,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._sleep = sleep
        self.media_timeout = media_timeout
        self.media_poll_interval = media_poll_interval

    # ---- plumbing --------------------------------------------------------------------------

    def _auth_headers(self) -> dict[str, str]:
        creds = self.credentials
        if not creds.access_token:
            raise AuthRevoked(_("No access token is stored for this account; connect it again."))
        if creds.is_expired() and creds.refresh_token:
            # Known to be expired: refreshing first saves a request that would only get a 401.
            raise AuthExpired(_("The access token has expired."))
        return {"Authorization": f"Bearer {creds.access_token}"}

    def _request(
        self,
        method: str,
        path: str,
        *,
        mutating: bool,
        ok_statuses: tuple[int, ...] = (),
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        request = self.client.build_request(
            method, path, headers={**self._auth_headers(), **(headers or {})}, **kwargs
        )
        response = http.send(self.client, request, mutating=mutating)
        limit = http.rate_limit_of(response)
        if limit is not None:
            self.rate_limit = limit
        if response.status_code in ok_statuses:
            return response
        if response.status_code == 401:
            message = http.error_message(response)
            if "expired" in message.lower():
                raise AuthExpired(message, status_code=401)
            raise AuthRevoked(message, status_code=401)
        http.raise_for_common(response, mutating=mutating)
        return response

    def _json(self, response: httpx.Response) -> Any:
        data = http.body_json(response)
        if data is None:
            raise RetryableError(
                _("The platform sent an answer that is not JSON."), status_code=response.status_code
            )
        return data

    def _account_id(self) -> str:
        if not self.account_ref:
            self.verify()
        return self.account_ref

    # ---- auth ------------------------------------------------------------------------------

    def verify(self) -> AccountInfo:
        data = self._json(self._request("GET", "/api/v1/accounts/verify_credentials", mutating=False))
        self.account_ref = str(data.get("id", ""))
        return AccountInfo(
            external_id=self.account_ref,
            handle=str(data.get("acct") or data.get("username") or ""),
            display_name=str(data.get("display_name") or ""),
            url=str(data.get("url") or ""),
            raw=data,
        )

    def refresh(self) -> Credentials:
        creds = self.credentials
        if not creds.refresh_token:
            raise AuthRevoked(_("The access token has expired and there is no refresh token; connect again."))
        request = self.client.build_request(
            "POST",
            "/oauth/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": creds.refresh_token,
                "client_id": creds.client_id,
                "client_secret": creds.client_secret,
            },
        )
        # Not "mutating" for our purposes: a lost answer leaves at worst a refresh token the
        # platform rotated away, which the next attempt reports as AuthRevoked.
        response = http.send(self.client, request, mutating=False)
        if response.status_code in (400, 401, 403):
            raise AuthRevoked(http.error_message(response), status_code=response.status_code)
        http.raise_for_common(response, mutating=False)
        data = self._json(response)
        if not data.get("access_token"):
            raise AuthRevoked(_("The platform did not issue a new access token."))
        expires_in = data.get("expires_in")
        new = creds.replace(
            access_token=str(data["access_token"]),
            refresh_token=str(data.get("refresh_token") or creds.refresh_token),
            expires_at=utcnow() + dt.timedelta(seconds=int(expires_in)) if expires_in else None,
        )
        self.credentials = new
        return new

    # ---- publishing ------------------------------------------------------------------------

    def check(self, post: PostRequest) -> list[str]:
        problems: list[str] = []
        text = compose_text(post)
        if not text and not post.media:
            problems.append(_("A post needs text or media."))
        limit = self.limits.max_text_chars or 500
        # The content warning counts towards the same limit as the text, as is (Mastodon's
        # StatusLengthValidator joins spoiler_text with the countable text).
        spoiler = str(post.options.get("spoiler_text") or "")
        length = counted_length(text) + len(regex.findall(r"\X", spoiler))
        if length > limit:
            if spoiler:
                problems.append(
                    _(
                        "The text and its content warning are %(n)d characters long together; "
                        "Mastodon allows %(max)d (a link counts as 23)."
                    )
                    % {"n": length, "max": limit}
                )
            else:
                problems.append(
                    _("The text is %(n)d characters long; Mastodon allows %(max)d (a link counts as 23).")
                    % {"n": length, "max": limit}
                )
        videos = [m for m in post.media if m.is_video]
        images = [m for m in post.media if not m.is_video]
        if videos and images:
            problems.append(_("Mastodon takes either images or one video in a post, not both."))
        if len(videos) > 1:
            problems.append(_("Mastodon takes one video per post (got %(n)d).") % {"n": len(videos)})
        if len(images) > (self.limits.max_images or 4):
            problems.append(
                _("Mastodon takes at most %(max)d images per post (got %(n)d).")
                % {"max": self.limits.max_images or 4, "n": len(images)}
            )
        for media in post.media:
            if not media.data:
                problems.append(_("“%(name)s” has no file to upload.") % {"name": media.filename[:80]})
                continue
            cap = MAX_VIDEO_BYTES if media.is_video else MAX_IMAGE_BYTES
            if len(media.data) > cap:
                problems.append(
                    _("“%(name)s” is %(mb).1f MB; Mastodon takes at most %(max)d MB.")
                    % {"name": media.filename[:80], "mb": len(media.data) / 1e6, "max": cap // (1024 * 1024)}
                )
        visibility = post.options.get("visibility", "public")
        if visibility not in VISIBILITIES:
            problems.append(
                _("Unknown visibility “%(value)s”; use one of %(choices)s.")
                % {"value": str(visibility)[:20], "choices": ", ".join(sorted(VISIBILITIES))}
            )
        return problems

    def _upload(self, media: Any) -> str:
        # Uploading is safe to repeat: an unattached upload is invisible and the server
        # removes it, so a lost answer here is retryable, unlike the status itself.
        response = self._request(
            "POST",
            "/api/v2/media",
            mutating=False,
            ok_statuses=(200, 202),
            files={"file": (media.filename, media.data, media.content_type)},
            data={"description": media.description[:1500]} if media.description else None,
        )
        data = self._json(response)
        media_id = str(data.get("id", ""))
        if response.status_code == 200 and data.get("url"):
            return media_id
        deadline = time.monotonic() + self.media_timeout
        while time.monotonic() < deadline:
            self._sleep(self.media_poll_interval)
            poll = self._request("GET", f"/api/v1/media/{media_id}", mutating=False, ok_statuses=(200, 206))
            if poll.status_code == 200:
                return media_id
        raise RetryableError(
            _("The platform is still processing “%(name)s”.") % {"name": media.filename[:80]}
        )

    def _status_result(self, data: dict[str, Any], *, duplicate: bool = False) -> PublishResult:
        return PublishResult(
            external_id=str(data.get("id", "")),
            url=str(data.get("url") or data.get("uri") or ""),
            published_at=parse_time(data.get("created_at")),
            duplicate=duplicate,
            raw=data,
        )

    def publish(self, post: PostRequest, *, idempotency_key: str) -> PublishResult:
        self.require(KIND_CAPABILITY[post.effective_kind])
        if post.effective_kind == PostKind.ARTICLE:  # pragma: no cover - guarded by require()
            raise PermanentError(_("Mastodon has no articles."))
        problems = self.check(post)
        if problems:
            raise PermanentError(" ".join(problems))
        if not idempotency_key:
            raise ValueError("publish needs an idempotency key")
        media_ids = [self._upload(m) for m in post.media]
        body: dict[str, Any] = {
            "status": compose_text(post),
            "visibility": post.options.get("visibility", "public"),
        }
        if media_ids:
            body["media_ids"] = media_ids
        if post.in_reply_to:
            body["in_reply_to_id"] = post.in_reply_to
        if post.language:
            body["language"] = post.language[:2]
        if post.options.get("spoiler_text"):
            body["spoiler_text"] = str(post.options["spoiler_text"])
        if post.options.get("sensitive"):
            body["sensitive"] = True
        response = self._request(
            "POST",
            "/api/v1/statuses",
            mutating=True,
            json=body,
            headers={"Idempotency-Key": idempotency_key[:255]},
        )
        data = self._json(response)
        if not isinstance(data, dict) or not data.get("id"):
            raise OutcomeUnknown(_("The platform accepted the post but did not return it; it may exist."))
        return self._status_result(data)

    def delete(self, external_id: str) -> None:
        self.require(Capability.DELETE)
        response = self._request(
            "DELETE", f"/api/v1/statuses/{urllib.parse.quote(external_id)}", mutating=True, ok_statuses=(404,)
        )
        # 404: already gone, which is what the caller wanted.
        del response

    def find_published(
        self, *, idempotency_key: str, since: dt.datetime, post: PostRequest
    ) -> PublishResult | None:
        self.require(Capability.FIND_PUBLISHED)
        account_id = self._account_id()
        wanted = _fingerprint(compose_text(post))
        n_media = len(post.media)
        # Clocks differ: look a little before `since`.
        floor = since - dt.timedelta(minutes=2)
        max_id = ""
        for _page in range(self.find_max_pages):
            params: dict[str, Any] = {"limit": 40}
            if max_id:
                params["max_id"] = max_id
            items = self._json(
                self._request("GET", f"/api/v1/accounts/{account_id}/statuses", mutating=False, params=params)
            )
            if not items:
                return None
            for status in items:
                if parse_time(status.get("created_at")) < floor:
                    return None
                if status.get("reblog"):
                    continue
                if (
                    _fingerprint(html_to_text(str(status.get("content") or ""))) == wanted
                    and len(status.get("media_attachments") or []) == n_media
                    and str(status.get("in_reply_to_id") or "") == post.in_reply_to
                ):
                    return self._status_result(status, duplicate=True)
            max_id = str(items[-1].get("id", ""))
        return None

    # ---- metrics ---------------------------------------------------------------------------

    def fetch_post_metrics(self, external_id: str) -> PostMetrics:
        self.require(Capability.POST_METRICS)
        data = self._json(
            self._request("GET", f"/api/v1/statuses/{urllib.parse.quote(external_id)}", mutating=False)
        )
        return PostMetrics(
            external_id=str(data.get("id", external_id)),
            as_of=utcnow(),
            likes=int(data.get("favourites_count") or 0),
            shares=int(data.get("reblogs_count") or 0),
            comments=int(data.get("replies_count") or 0),
            raw=data,
        )

    def fetch_account_metrics(self) -> AccountMetrics:
        self.require(Capability.ACCOUNT_METRICS)
        data = self._json(self._request("GET", "/api/v1/accounts/verify_credentials", mutating=False))
        self.account_ref = str(data.get("id", self.account_ref))
        return AccountMetrics(
            as_of=utcnow(),
            followers_total=int(data.get("followers_count") or 0),
            following_total=int(data.get("following_count") or 0),
            posts_total=int(data.get("statuses_count") or 0),
            raw=data,
        )

    # ---- interaction -----------------------------------------------------------------------

    @staticmethod
    def _comment(status: dict[str, Any]) -> Comment:
        account = status.get("account") or {}
        return Comment(
            external_id=str(status.get("id", "")),
            text=html_to_text(str(status.get("content") or "")),
            created_at=parse_time(status.get("created_at")),
            author_id=str(account.get("id", "")),
            author_handle=str(account.get("acct") or account.get("username") or ""),
            author_name=str(account.get("display_name") or ""),
            in_reply_to=str(status.get("in_reply_to_id") or ""),
            url=str(status.get("url") or ""),
            is_private=status.get("visibility") == "direct",
            raw=status,
        )

    def _mentions(self, *, cursor: str, limit: int, private: bool) -> CommentPage:
        page_size = max(1, min(limit, 80))
        newest = cursor
        found: list[Comment] = []
        # min_id pages forward from the cursor; a few pages per call keeps one sync bounded.
        for _page in range(5):
            params: list[tuple[str, str | int]] = [("types[]", "mention"), ("limit", page_size)]
            if newest:
                params.append(("min_id", newest))
            items = self._json(self._request("GET", "/api/v1/notifications", mutating=False, params=params))
            if not items:
                break
            ids = [str(n.get("id", "")) for n in items]
            newest = max(ids + ([newest] if newest else []), key=_id_key)
            for note in items:
                status = note.get("status")
                if not status:
                    continue
                comment = self._comment(status)
                if comment.is_private == private:
                    found.append(comment)
            if len(items) < page_size or len(found) >= limit:
                break
        found.sort(key=lambda c: (c.created_at, _id_key(c.external_id)))
        return CommentPage(items=found, cursor=newest)

    def fetch_comments(self, *, cursor: str = "", post_id: str = "", limit: int = 40) -> CommentPage:
        self.require(Capability.COMMENTS)
        if post_id:
            data = self._json(
                self._request(
                    "GET", f"/api/v1/statuses/{urllib.parse.quote(post_id)}/context", mutating=False
                )
            )
            me = self.account_ref
            items = [
                self._comment(s)
                for s in data.get("descendants") or []
                if not me or str((s.get("account") or {}).get("id", "")) != me
            ]
            return CommentPage(items=items, cursor=cursor)
        return self._mentions(cursor=cursor, limit=limit, private=False)

    def fetch_messages(self, *, cursor: str = "", limit: int = 40) -> CommentPage:
        self.require(Capability.MESSAGES)
        return self._mentions(cursor=cursor, limit=limit, private=True)

    def fetch_tag_timeline(self, tag: str, *, cursor: str = "", limit: int = 40) -> CommentPage:
        """Public statuses carrying ``#tag`` newer than ``cursor`` (GET /api/v1/timelines/tag/:hashtag), oldest first.

        Read-only and not about our account: the raw status keeps its reply, reblog and favourite counts.
        """
        hashtag = urllib.parse.quote(tag.strip().lstrip("#"), safe="")
        page_size = max(1, min(limit, 40))
        newest = cursor
        found: list[Comment] = []
        # min_id pages forward from the cursor, as for mentions; a few pages bound one fetch.
        for _page in range(5):
            params: list[tuple[str, str | int]] = [("limit", page_size)]
            if newest:
                params.append(("min_id", newest))
            items = self._json(
                self._request("GET", f"/api/v1/timelines/tag/{hashtag}", mutating=False, params=params)
            )
            if not isinstance(items, list) or not items:
                break
            ids = [str(status.get("id", "")) for status in items]
            newest = max(ids + ([newest] if newest else []), key=_id_key)
            found.extend(self._comment(status) for status in items if status.get("id"))
            if len(items) < page_size:
                break
        found.sort(key=lambda c: (c.created_at, _id_key(c.external_id)))
        return CommentPage(items=found, cursor=newest)

    def reply(
        self, *, in_reply_to: str, text: str, idempotency_key: str, recipient: str = "", private: bool = False
    ) -> PublishResult:
        self.require(Capability.REPLY)
        if not private:
            return self.publish(
                PostRequest(text=text, in_reply_to=in_reply_to), idempotency_key=idempotency_key
            )
        # A direct message reaches only the accounts it mentions: mention the fan, visibility direct.
        handle = recipient.lstrip("@")
        if handle and f"@{handle}" not in text:
            text = f"@{handle} {text}"
        post = PostRequest(text=text, in_reply_to=in_reply_to, options={"visibility": "direct"})
        return self.publish(post, idempotency_key=idempotency_key)

    # ---- audience --------------------------------------------------------------------------

    def fetch_followers(self, *, cursor: str = "", limit: int = 80) -> FollowerPage:
        self.require(Capability.FOLLOWERS)
        account_id = self._account_id()
        params: dict[str, Any] = {"limit": max(1, min(limit, 80))}
        if cursor:
            params["max_id"] = cursor
        response = self._request(
            "GET", f"/api/v1/accounts/{account_id}/followers", mutating=False, params=params
        )
        items = [
            Follower(
                external_id=str(a.get("id", "")),
                handle=str(a.get("acct") or a.get("username") or ""),
                display_name=str(a.get("display_name") or ""),
                raw=a,
            )
            for a in self._json(response)
        ]
        next_cursor = ""
        next_link = response.links.get("next", {}).get("url", "")
        if next_link and items:
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(next_link).query)
            next_cursor = (query.get("max_id") or [""])[0]
        return FollowerPage(items=items, next_cursor=next_cursor)


class SandboxConnector(MastodonConnector):
    """The local sandbox platform (`socialops sandbox`), which speaks Mastodon's API."""

    kind = "sandbox"


# ---- getting a token (the sandbox, or a server that allows the password grant) -------------


def register_app(
    base_url: str, *, name: str = "socialops", transport: httpx.BaseTransport | None = None
) -> Credentials:
    """POST /api/v1/apps: an OAuth2 client id and secret."""
    with http.make_client(base_url, transport=transport) as client:
        response = http.send(
            client,
            client.build_request(
                "POST",
                "/api/v1/apps",
                json={
                    "client_name": name,
                    "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                    "scopes": "read write",
                },
            ),
            mutating=False,
        )
        http.raise_for_common(response, mutating=False)
        data = response.json()
    return Credentials(client_id=str(data["client_id"]), client_secret=str(data["client_secret"]))


def password_grant(
    base_url: str,
    app: Credentials,
    *,
    username: str,
    password: str,
    transport: httpx.BaseTransport | None = None,
) -> Credentials:
    """POST /oauth/token with grant_type=password: access and refresh token for the user."""
    with http.make_client(base_url, transport=transport) as client:
        response = http.send(
            client,
            client.build_request(
                "POST",
                "/oauth/token",
                data={
                    "grant_type": "password",
                    "username": username,
                    "password": password,
                    "client_id": app.client_id,
                    "client_secret": app.client_secret,
                    "scope": "read write",
                },
            ),
            mutating=False,
        )
        if response.status_code in (400, 401, 403):
            raise AuthRevoked(http.error_message(response), status_code=response.status_code)
        http.raise_for_common(response, mutating=False)
        data = response.json()
    expires_in = data.get("expires_in")
    return app.replace(
        access_token=str(data["access_token"]),
        refresh_token=str(data.get("refresh_token") or ""),
        expires_at=utcnow() + dt.timedelta(seconds=int(expires_in)) if expires_in else None,
    )
