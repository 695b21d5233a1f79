"""Douyin connector: videos and image-text posts (图文) through the Douyin Open Platform (抖音开放平台).

Every call goes to https://open.douyin.com with the user's token in the ``access-token`` header
and the account's ``open_id`` as a query parameter (the platform refuses a call without it, so
a connection without an open_id is a ``PermanentError`` asking to connect again). Docs
(developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/…, "…/" below):

- video: ``POST /api/douyin/v1/video/upload_video/`` (multipart field ``video`` →
  ``data.video.video_id``; …/video-management/douyin/create-video/upload-video), then
  ``POST /api/douyin/v1/video/create_video/`` (JSON ``video_id``, ``text`` and the optional
  ``at_users``, ``cover_tsp``, ``download_type``, ``micro_app_*``, ``poi_id``, ``private_status``
  → ``data.item_id``; …/video-management/douyin/create-video/video-create). Topics are written
  into ``text`` as ``#topic`` (抖音内容发布接入方案, https://open.douyin.com/platform/resource/docs/
  ability/content-management/douyin-publish-solution). Files over 50 MB "should", over 128 MB
  "must" go through the part upload, 4 GB at most, parts of 20 MB suggested and 5 MB minimum
  (https://open.douyin.com/platform/resource/docs/openapi/video-management/douyin/create/upload/):
  ``POST …/video/init_video_part_upload/`` → ``upload_id``, ``POST …/video/upload_video_part/``
  (``upload_id``, ``part_number`` from 1, multipart ``video``), ``POST
  …/video/complete_video_part_upload/`` → ``data.video.video_id`` (…/create-video/
  video-part-upload-init, video-part-upload; …/douyin/create/slice-accomplish-upload). We use
  it above ``part_threshold`` (50 MB).
- image-text: ``POST /api/douyin/v1/video/upload_image/`` (multipart ``image`` →
  ``data.image.image_id``; …/video-management/douyin/create-image-text/image-upload) for each
  picture, then ``POST /api/douyin/v1/video/create_image_text/`` (JSON ``image_list`` — a list of
  image_id strings — and ``text`` → ``data.item_id``; …/create-image-text/create-image-text):
  at most 30 pictures of at most 20 MB each, text at most 1,000 characters (error 2114001); the
  project's platform rules (textkit.platform_rules) check the same 30 in the editor.
- find_published: ``GET /api/douyin/v1/video/video_list/`` (``cursor``, ``count``; list of
  ``item_id``, ``title``, ``create_time``, ``share_url``, ``is_top``, ``statistics``, newest first
  with pinned items on top; …/video-management/douyin/search-video/account-video-list). Douyin
  has no idempotency key: ``dedupe_window`` is None and the post is matched on its text.
- post metrics: ``POST /api/douyin/v1/video/video_data/`` (JSON ``item_ids`` →
  ``statistics``: ``digg_count`` → likes, ``comment_count`` → comments, ``share_count`` →
  shares, ``play_count`` → video_views; …/douyin/search-video/video-data).
- account metrics: ``GET /data/external/user/fans/`` (``open_id``, ``date_type`` 7/15/30 →
  ``result_list`` of ``date``, ``total_fans``, ``new_fans``;
  …/data-open-service/user-data/get-user-fans-count). This older data API takes the token as
  the ``access_token`` query parameter, so messages we raise are redacted and a filter on the
  ``httpx`` / ``httpcore`` loggers masks ``access_token=…`` in logged URLs.
- verify: ``POST /oauth/userinfo/`` (form ``access_token``, ``open_id`` → ``nickname``,
  ``avatar``; …/account-management/get-account-open-info).
- refresh: ``POST /oauth/refresh_token/`` (form ``client_key``, ``grant_type=refresh_token``,
  ``refresh_token`` → ``access_token``, ``expires_in``, ``refresh_token``, ``open_id``;
  …/account-permission/refresh-access-token). A refresh token past its 30 days answers 10010:
  the user must authorise again (``AuthRevoked``). Refreshing does not extend the refresh token;
  the answer's ``refresh_expires_in`` dates it.
- renew the refresh token: ``POST /oauth/renew_refresh_token/`` (form ``client_key``,
  ``refresh_token`` → ``refresh_token``, ``expires_in``; …/account-permission/refresh-token): a new
  30-day refresh token, the old one invalid at once, at most 5 times (10020 after that, 10010 once
  expired, 10004 without the ``renew_refresh_token`` permission) — the keep-alive job in
  publishing renews before the end and warns admins when the last renewal runs out.
- delete: not supported. The ``video.delete`` permission was withdrawn and no v1 delete endpoint
  is documented.

Answers look like ``{"data": {..., "error_code": 0, "description": ""}, "extra": {"error_code",
"description", "sub_error_code", "sub_description", "logid"}}``. Status codes (状态码,
…/openapi/status-code, new and old tables):

- 28001008 / 2190008 / 10008 (access_token expired) → ``AuthExpired`` (``AuthRevoked`` when no
  refresh token is stored);
- 28001003 / 2190002 (access_token invalid), 28001015 / 2190015 (token and open_id of
  different users) → ``AuthRevoked``;
- 28001012 / 28001014 / 28001018 / 2190003 / 2190004 / 2100007 (the user or the app lacks the
  scope) → ``AuthRevoked`` naming the scope the call needs; 28001016 / 28001019 / 2100009 /
  28001045 / 28001046 (app, capability or user banned) → ``AuthRevoked`` with Douyin's words;
- 28003018 (请求频率过高) and 28001052 → ``RetryableError``; 28003017 / 2190001 (quota used up) →
  ``QuotaExceeded`` until the next midnight, China time (our assumption: the quotas are daily);
- 28001005 / 28001006 / 2100004 (system busy) → ``RetryableError`` for reads and uploads,
  ``OutcomeUnknown`` after a create call (the post may exist);
- anything else (2100005 / 28001007 invalid parameters, 2114001 text too long, content refused)
  → ``PermanentError`` with Douyin's description.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

import httpx
from django.utils.translation import gettext as _

from socialops.textkit.platform_rules import grapheme_count

from ..credentials import Credentials
from . import http
from .base import (
    KIND_CAPABILITY,
    AccountInfo,
    AccountMetrics,
    AuthExpired,
    AuthRevoked,
    Capability,
    Limits,
    MediaFile,
    OutcomeUnknown,
    PermanentError,
    PostKind,
    PostMetrics,
    PostRequest,
    PublishResult,
    QuotaExceeded,
    RenewalLimitReached,
    RetryableError,
    utcnow,
)

API_BASE = "https://open.douyin.com"
MB = 1024 * 1024

MAX_IMAGES = 30
MAX_IMAGE_BYTES = 20 * MB
MAX_TEXT = 1000
MAX_VIDEO_BYTES = 4 * 1024 * MB
SINGLE_UPLOAD_MAX = 128 * MB
PART_THRESHOLD = 50 * MB
PART_SIZE = 20 * MB
MIN_PART_SIZE = 5 * MB
# video_list page size (our assumption: the page documents no maximum; 20 is what it shows).
LIST_PAGE = 20
# A burst limit gives no retry time; wait a minute (our assumption).
RATE_LIMIT_WAIT = 60.0
CHINA = http.CHINA

# Scopes each call needs (from the endpoint pages), named when Douyin says one is missing.
SCOPE_CREATE = "video.create.bind"
SCOPE_LIST = "video.list.bind"
SCOPE_DATA = "video.data.bind"
SCOPE_FANS = "data.external.user"
SCOPE_USER = "user_info"

# Optional create fields a variant may set in ``options``.
CREATE_OPTIONS = (
    "at_users",
    "download_type",
    "private_status",
    "micro_app_id",
    "micro_app_title",
    "micro_app_url",
    "poi_id",
)
VIDEO_OPTIONS = ("cover_tsp",)
IMAGE_OPTIONS = ("music_id",)

EXPIRED_CODES = frozenset({28001008, 2190008, 10008})
INVALID_TOKEN_CODES = frozenset({28001003, 2190002, 28001015, 2190015})
SCOPE_CODES = frozenset({28001012, 28001014, 28001018, 2190003, 2190004, 2100007})
BANNED_CODES = frozenset({28001016, 28001019, 2100009, 28001045, 28001046})
RATE_LIMIT_CODES = frozenset({28003018, 28001052})
QUOTA_CODES = frozenset({28003017, 2190001})
BUSY_CODES = frozenset({28001005, 28001006, 2100004})
# /oauth/refresh_token/: 10010 refresh_token expired, 10013 bad client key / secret, 10005 missing.
REFRESH_SYSTEM_CODES = frozenset({10001})
# /oauth/renew_refresh_token/: 10020 超过刷新次数限制 (the refresh token still works until it ends).
RENEWAL_LIMIT_CODE = 10020

_WS_RE = re.compile(r"\s+")
_TAG_RE = re.compile(r"#[^\s#]+")


def compose_text(post: PostRequest) -> str:
    """The caption: title and text (each once), then the hashtags as ``#topic`` unless present."""
    title, body = post.title.strip(), post.text.strip()
    parts = [title] if title else []
    if body and body != title:
        parts.append(body[len(title) :].strip() if title and body.startswith(title) else body)
    text = "\n".join(p for p in parts if p)
    present = {t.lower() for t in _TAG_RE.findall(text)}
    tags: list[str] = []
    for raw in post.hashtags:
        tag = re.sub(r"\s+", "", raw).strip("#")
        if tag and f"#{tag.lower()}" not in present and f"#{tag}" not in tags:
            tags.append(f"#{tag}")
    if tags:
        text = f"{text} {' '.join(tags)}" if text else " ".join(tags)
    return text


def fingerprint(text: str) -> str:
    """The text without whitespace (Douyin may re-space topics)."""
    return _WS_RE.sub("", text or "")


class DouyinConnector(http.HttpConnector):
    """A Douyin account authorised to an app of the Douyin Open Platform (user access token)."""

    kind = "douyin"
    capabilities = frozenset(
        {
            Capability.PUBLISH_VIDEO,
            Capability.PUBLISH_IMAGES,
            Capability.POST_METRICS,
            Capability.ACCOUNT_METRICS,
            Capability.FIND_PUBLISHED,
            Capability.REFRESH,
        }
    )
    limits = Limits(max_text_chars=MAX_TEXT, max_images=MAX_IMAGES, max_videos=1, mixed_media=False)
    # No idempotency key on Douyin: find_published reconciles.
    dedupe_window = None
    # A new video is processed before video_list shows it (our assumption: within 10 minutes).
    reconcile_grace = dt.timedelta(minutes=10)
    needs_base_url = False

    # How far back find_published pages through video_list.
    find_max_pages = 5

    def __init__(
        self, *, part_threshold: int = PART_THRESHOLD, part_size: int = PART_SIZE, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        if not self.base_url:
            self.base_url = API_BASE
        # Videos bigger than this go through the part upload, in parts of ``part_size``.
        self.part_threshold = min(part_threshold, SINGLE_UPLOAD_MAX)
        self.part_size = max(part_size, MIN_PART_SIZE)

    def __repr__(self) -> str:
        return f"<DouyinConnector open_id={self.account_ref or '?'}>"

    # ---- plumbing --------------------------------------------------------------------------

    def _open_id(self) -> str:
        if not self.account_ref:
            raise PermanentError(
                _("No Douyin open_id is stored for this connection; connect the Douyin account again.")
            )
        return self.account_ref

    def _token(self) -> str:
        creds = self.credentials
        if not creds.access_token:
            raise AuthRevoked(_("No Douyin access token is stored for this account; connect it again."))
        if creds.is_expired():
            if creds.refresh_token:
                raise AuthExpired(_("The Douyin access token has expired."))
            raise AuthRevoked(
                _("The Douyin access token has expired and there is no refresh token; connect again.")
            )
        return creds.access_token

    def _call(
        self,
        method: str,
        path: str,
        *,
        mutating: bool,
        scope: str,
        auth: Literal["header", "query", "form"] = "header",
        params: dict[str, Any] | None = None,
        json: Any = None,
        files: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        open_id = self._open_id()
        token = self._token()
        headers: dict[str, str] = {}
        data: dict[str, Any] | None = None
        query: dict[str, Any] | None = {"open_id": open_id, **(params or {})}
        if auth == "header":
            headers["access-token"] = token
        elif auth == "query":
            assert query is not None
            query["access_token"] = token
        else:
            data = {"access_token": token, "open_id": open_id}
            query = None
        request = self.client.build_request(
            method, path, params=query, headers=headers, json=json, data=data, files=files
        )
        with http.secrets_redacted(token, self.credentials.refresh_token):
            response = http.send(self.client, request, mutating=mutating)
            return self._answer(response, mutating=mutating, scope=scope)

    def _answer(self, response: httpx.Response, *, mutating: bool, scope: str) -> dict[str, Any]:
        body = http.body_json(response)
        if not isinstance(body, dict):
            http.raise_for_common(response, mutating=mutating)
            # A 2xx that is not JSON after a create call: the post may be there (reconcile).
            raise http.unreadable_answer(response, mutating=mutating, platform=_("Douyin"))
        data = http.as_dict(body.get("data"))
        extra = http.as_dict(body.get("extra"))
        code = http.as_int(data.get("error_code")) or http.as_int(extra.get("error_code"))
        if code == 0:
            if response.status_code >= 400:
                http.raise_for_common(response, mutating=mutating)
            return data
        description = (
            str(data.get("description") or extra.get("description") or extra.get("sub_description") or "")[
                :1000
            ]
            or f"Douyin error {code}"
        )
        self._raise_platform(code, description, response.status_code, mutating, scope, body)
        raise AssertionError("unreachable")  # pragma: no cover

    def _raise_platform(
        self, code: int, description: str, status: int, mutating: bool, scope: str, raw: dict[str, Any]
    ) -> None:
        kw: dict[str, Any] = {"status_code": status, "platform_code": str(code)}
        if code in EXPIRED_CODES:
            if self.credentials.refresh_token:
                raise AuthExpired(description, **kw)
            raise AuthRevoked(
                _(
                    "The Douyin access token has expired (%(error)s) and there is no refresh token; connect again."
                )
                % {"error": description},
                **kw,
            )
        if code in INVALID_TOKEN_CODES:
            raise AuthRevoked(
                _(
                    "Douyin no longer accepts this account's authorisation (%(error)s); connect the account again."
                )
                % {"error": description},
                **kw,
            )
        if code in SCOPE_CODES:
            raise AuthRevoked(
                _(
                    "Douyin refused the call (%(error)s): the app or this authorisation lacks the "
                    "“%(scope)s” permission. Apply for it in the Douyin Open Platform console if "
                    "needed, then connect the account again and grant it."
                )
                % {"error": description, "scope": scope},
                **kw,
            )
        if code in BANNED_CODES:
            raise AuthRevoked(description, **kw)
        if code in RATE_LIMIT_CODES:
            raise RetryableError(description, retry_after=RATE_LIMIT_WAIT, **kw)
        if code in QUOTA_CODES:
            raise QuotaExceeded(description, reset_at=http.next_china_midnight(), raw=raw, **kw)
        if code in BUSY_CODES:
            if mutating:
                raise OutcomeUnknown(description, **kw)
            raise RetryableError(description, **kw)
        raise PermanentError(description, raw=raw, **kw)

    # ---- auth ------------------------------------------------------------------------------

    def verify(self) -> AccountInfo:
        """/oauth/userinfo/: the token works for this open_id; nickname and avatar."""
        data = self._call("POST", "/oauth/userinfo/", mutating=False, scope=SCOPE_USER, auth="form")
        open_id = str(data.get("open_id") or self.account_ref)
        nickname = str(data.get("nickname") or "")
        return AccountInfo(
            external_id=open_id,
            handle=nickname or open_id,
            display_name=nickname,
            raw={
                k: v
                for k, v in data.items()
                if k in ("nickname", "avatar", "open_id", "union_id", "e_account_role")
            },
        )

    def _oauth_call(self, path: str, form: dict[str, str], *, wanted: str, refused: str) -> dict[str, Any]:
        """POST an OAuth form; the answer's ``data`` holding ``wanted``, else the error it means.

        Douyin's system codes and 5xx → RetryableError; 10020 (no renewal left) →
        RenewalLimitReached; any other refusal → AuthRevoked with ``refused`` % {"error": …}.
        """
        creds = self.credentials
        request = self.client.build_request("POST", path, data=form)
        with http.secrets_redacted(creds.access_token, creds.refresh_token, creds.client_secret):
            response = http.send(self.client, request, mutating=False)
            body = http.body_json(response)
            if not isinstance(body, dict):
                http.raise_for_common(response, mutating=False)
                raise RetryableError(
                    _("Douyin sent an answer that is not JSON."), status_code=response.status_code
                )
            data = http.as_dict(body.get("data"))
            code = http.as_int(data.get("error_code"))
            if not code and data.get(wanted):
                return data
            description = str(data.get("description") or body.get("message") or f"Douyin error {code}")[:500]
            details: dict[str, Any] = {"status_code": response.status_code, "platform_code": str(code)}
            if code in REFRESH_SYSTEM_CODES or response.status_code >= 500:
                raise RetryableError(description, **details)
            if code == RENEWAL_LIMIT_CODE:
                raise RenewalLimitReached(description, **details)
            raise AuthRevoked(refused % {"error": description}, **details)

    def refresh(self) -> Credentials:
        """Exchange the refresh token for a new access token (and the refresh token Douyin returns)."""
        creds = self.credentials
        if not creds.refresh_token:
            raise AuthRevoked(
                _("The Douyin access token has expired and there is no refresh token; connect again.")
            )
        if not creds.client_id:
            raise AuthRevoked(
                _("The Douyin client key of this connection is missing; enter it and connect again.")
            )
        form = {
            "client_key": creds.client_id,
            "grant_type": "refresh_token",
            "refresh_token": creds.refresh_token,
        }
        # Not "mutating" for our purposes: a lost answer leaves at worst a refresh token the
        # platform rotated away, which the next attempt reports as AuthRevoked.
        data = self._oauth_call(
            "/oauth/refresh_token/",
            form,
            wanted="access_token",
            refused=_("Douyin refused to refresh the token (%(error)s); connect the account again."),
        )
        new = http.refreshed_credentials(creds, data)
        if data.get("open_id"):
            self.account_ref = str(data["open_id"])
        self.credentials = new
        return new

    # Douyin renews a refresh token at most 5 times, then the user must authorise again
    # (…/account-permission/refresh-token).
    refresh_renewal_limit = 5

    def renew_refresh_token(self) -> Credentials:
        """A new refresh token with a new 30-day life (``POST /oauth/renew_refresh_token/``).

        Douyin invalidates the old refresh token as it answers, so an answer lost on the way makes
        the connection need re-authorisation at its next refresh; the keep-alive job renews days
        before the end to leave time for that.
        """
        creds = self.credentials
        if not creds.refresh_token or not creds.client_id:
            raise AuthRevoked(
                _(
                    "The Douyin refresh token or client key of this connection is missing; connect the account again."
                )
            )
        form = {"client_key": creds.client_id, "refresh_token": creds.refresh_token}
        data = self._oauth_call(
            "/oauth/renew_refresh_token/",
            form,
            wanted="refresh_token",
            refused=_("Douyin refused to renew the refresh token (%(error)s); connect the account again."),
        )
        lifetime = http.as_int(data.get("expires_in"))
        new = creds.replace(
            refresh_token=str(data["refresh_token"]),
            refresh_expires_at=utcnow() + dt.timedelta(seconds=lifetime) if lifetime else None,
            refresh_renewals=creds.refresh_renewals + 1,
        )
        self.credentials = new
        return new

    # ---- publishing ------------------------------------------------------------------------

    def check(self, post: PostRequest) -> list[str]:
        problems: list[str] = []
        kind = post.effective_kind
        videos = [m for m in post.media if m.is_video]
        images = [m for m in post.media if not m.is_video]
        if kind not in (PostKind.VIDEO, PostKind.IMAGES):
            problems.append(_("A Douyin post needs a video or pictures."))
        elif kind == PostKind.VIDEO:
            if len(videos) != 1 or images:
                problems.append(_("A Douyin video post takes exactly one video and no pictures."))
            for media in videos:
                problems.extend(self._file_problems(media, MAX_VIDEO_BYTES, _("4 GB")))
        else:
            if videos:
                problems.append(_("A Douyin image-text post takes pictures only, no video."))
            if not 1 <= len(images) <= MAX_IMAGES:
                problems.append(
                    _("A Douyin image-text post takes 1 to %(max)d pictures (got %(n)d).")
                    % {"max": MAX_IMAGES, "n": len(images)}
                )
            for media in images:
                if not media.is_image:
                    problems.append(_("“%(name)s” is not a picture.") % {"name": media.filename[:80]})
                problems.extend(self._file_problems(media, MAX_IMAGE_BYTES, _("20 MB")))
        text = compose_text(post)
        n = grapheme_count(text)
        if n > MAX_TEXT:
            problems.append(
                _("The text is %(n)d characters long; Douyin allows %(max)d.") % {"n": n, "max": MAX_TEXT}
            )
        return problems

    @staticmethod
    def _file_problems(media: MediaFile, max_bytes: int, label: str) -> list[str]:
        name = media.filename[:80]
        if not media.data:
            return [_("“%(name)s” has no file to upload.") % {"name": name}]
        if len(media.data) > max_bytes:
            return [
                _("“%(name)s” is %(mb).1f MB; Douyin takes files up to %(max)s.")
                % {"name": name, "mb": len(media.data) / MB, "max": label}
            ]
        return []

    def _options(self, post: PostRequest, extra: tuple[str, ...]) -> dict[str, Any]:
        return {key: post.options[key] for key in (*CREATE_OPTIONS, *extra) if key in post.options}

    # Uploads only put a file on Douyin's file server; nothing is visible until a create call
    # uses it, so a lost answer is safe to retry (mutating=False).
    def _upload_video(self, media: MediaFile) -> str:
        payload = media.data or b""
        if len(payload) > self.part_threshold:
            return self._upload_video_in_parts(media)
        files = {"video": (media.filename, payload, media.content_type)}
        data = self._call(
            "POST", "/api/douyin/v1/video/upload_video/", mutating=False, scope=SCOPE_CREATE, files=files
        )
        video_id = str((data.get("video") or {}).get("video_id") or "")
        if not video_id:
            raise RetryableError(_("Douyin did not return the uploaded video's id."))
        return video_id

    def _upload_video_in_parts(self, media: MediaFile) -> str:
        payload = media.data or b""
        init = self._call(
            "POST", "/api/douyin/v1/video/init_video_part_upload/", mutating=False, scope=SCOPE_CREATE
        )
        upload_id = str(init.get("upload_id") or "")
        if not upload_id:
            raise RetryableError(_("Douyin did not start the part upload."))
        for number, start in enumerate(range(0, len(payload), self.part_size), start=1):
            chunk = payload[start : start + self.part_size]
            self._call(
                "POST",
                "/api/douyin/v1/video/upload_video_part/",
                mutating=False,
                scope=SCOPE_CREATE,
                params={"upload_id": upload_id, "part_number": number},
                files={"video": (media.filename, chunk, media.content_type)},
            )
        done = self._call(
            "POST",
            "/api/douyin/v1/video/complete_video_part_upload/",
            mutating=False,
            scope=SCOPE_CREATE,
            params={"upload_id": upload_id},
        )
        video_id = str((done.get("video") or {}).get("video_id") or "")
        if not video_id:
            raise RetryableError(_("Douyin did not return the uploaded video's id."))
        return video_id

    def _upload_image(self, media: MediaFile) -> str:
        files = {"image": (media.filename, media.data or b"", media.content_type)}
        data = self._call(
            "POST", "/api/douyin/v1/video/upload_image/", mutating=False, scope=SCOPE_CREATE, files=files
        )
        image_id = str((data.get("image") or {}).get("image_id") or "")
        if not image_id:
            raise RetryableError(_("Douyin did not return the uploaded picture's id."))
        return image_id

    def publish(self, post: PostRequest, *, idempotency_key: str) -> PublishResult:
        kind = post.effective_kind
        self.require(KIND_CAPABILITY[kind])
        problems = self.check(post)
        if problems:
            raise PermanentError(" ".join(problems))
        self._open_id()
        text = compose_text(post)
        if kind == PostKind.VIDEO:
            video_id = self._upload_video(next(m for m in post.media if m.is_video))
            body: dict[str, Any] = {"video_id": video_id, "text": text, **self._options(post, VIDEO_OPTIONS)}
            path = "/api/douyin/v1/video/create_video/"
        else:
            image_ids = [self._upload_image(m) for m in post.media]
            body = {"image_list": image_ids, "text": text, **self._options(post, IMAGE_OPTIONS)}
            path = "/api/douyin/v1/video/create_image_text/"
        data = self._call("POST", path, mutating=True, scope=SCOPE_CREATE, json=body)
        item_id = str(data.get("item_id") or "")
        if not item_id:
            raise OutcomeUnknown(_("Douyin accepted the post but returned no item_id; it may exist."))
        # Douyin reviews every new post; until then only the author sees it.
        return PublishResult(external_id=item_id, published_at=utcnow(), raw=data)

    def find_published(
        self, *, idempotency_key: str, since: dt.datetime, post: PostRequest
    ) -> PublishResult | None:
        self.require(Capability.FIND_PUBLISHED)
        text = compose_text(post)
        wanted = {fingerprint(text), fingerprint(_TAG_RE.sub("", text))} - {""}
        # Clocks differ: look a little before `since`.
        floor = (since - dt.timedelta(minutes=2)).timestamp()
        cursor: Any = 0
        for _page in range(self.find_max_pages):
            data = self._call(
                "GET",
                "/api/douyin/v1/video/video_list/",
                mutating=False,
                scope=SCOPE_LIST,
                params={"cursor": cursor, "count": LIST_PAGE},
            )
            items = [i for i in data.get("list") or [] if isinstance(i, dict)]
            for item in items:
                created = http.as_int(item.get("create_time"))
                if created and created < floor:
                    if item.get("is_top"):
                        # Pinned posts come first whatever their age.
                        continue
                    return None
                title = str(item.get("title") or "")
                if {fingerprint(title), fingerprint(_TAG_RE.sub("", title))} & wanted:
                    return PublishResult(
                        external_id=str(item.get("item_id") or ""),
                        url=str(item.get("share_url") or ""),
                        published_at=dt.datetime.fromtimestamp(created, dt.UTC) if created else None,
                        duplicate=True,
                        raw=item,
                    )
            if not data.get("has_more") or not items:
                return None
            cursor = data.get("cursor") or 0
        return None

    # ---- metrics ---------------------------------------------------------------------------

    def fetch_post_metrics(self, external_id: str) -> PostMetrics:
        self.require(Capability.POST_METRICS)
        data = self._call(
            "POST",
            "/api/douyin/v1/video/video_data/",
            mutating=False,
            scope=SCOPE_DATA,
            json={"item_ids": [external_id]},
        )
        for item in data.get("list") or []:
            if isinstance(item, dict) and str(item.get("item_id")) == external_id:
                stats = http.as_dict(item.get("statistics"))
                return PostMetrics(
                    external_id=external_id,
                    as_of=utcnow(),
                    likes=http.as_int_or_none(stats.get("digg_count")),
                    comments=http.as_int_or_none(stats.get("comment_count")),
                    # forward_count (转发 to the feed) stays in raw.
                    shares=http.as_int_or_none(stats.get("share_count")),
                    video_views=http.as_int_or_none(stats.get("play_count")),
                    raw=item,
                )
        raise PermanentError(_("Douyin returned no data for this post; it may have been deleted."))

    def fetch_account_metrics(self) -> AccountMetrics:
        self.require(Capability.ACCOUNT_METRICS)
        data = self._call(
            "GET",
            "/data/external/user/fans/",
            mutating=False,
            scope=SCOPE_FANS,
            auth="query",
            params={"date_type": 7},
        )
        days = sorted(
            (d for d in data.get("result_list") or [] if isinstance(d, dict)),
            key=lambda d: str(d.get("date") or ""),
        )
        if not days:
            return AccountMetrics(as_of=utcnow(), raw=data)
        last = days[-1]
        return AccountMetrics(
            as_of=utcnow(),
            followers_total=http.as_int_or_none(last.get("total_fans")),
            new_followers=http.as_int_or_none(last.get("new_fans")),
            raw={"result_list": days},
        )
