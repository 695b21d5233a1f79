"""Weibo connector: posts, comments and counters through the Weibo Open API (微博开放平台, API v2).

Endpoints (all under https://api.weibo.com):

- publish: ``POST /2/statuses/share.json`` (第三方分享一条链接到微博,
  https://open.weibo.com/wiki/2/statuses/share): ``access_token``, ``status``, ``pic``, ``rip``.
  The documented constraints, checked by ``check()`` before anything is sent:

  * ``status`` is at most 140 汉字 (two ASCII characters count as one; we count with
    ``socialops.textkit.platform_rules.count_text(..., "weibo")`` and take the limits from its
    ``("weibo", "post")`` rules, which cite the same page);
  * it must contain at least one URL on the app's registered safe domain (安全域名, "我的应用 -
    应用信息 - 基本应用信息编辑 - 安全域名"); we take the domain from ``options["safe_domain"]``, else
    from ``link_url`` (which we append to the text when it is missing);
  * it must not contain ``#话题词#`` topics, so hashtags are never appended;
  * ``pic``: one JPEG/GIF/PNG picture, under 5 MB, sent as multipart/form-data (without a
    picture the form is URL-encoded, as the page says);
  * ``rip`` (the operating user's real IP) is marked required on the current page and optional
    on older revisions: we send ``options["rip"]`` or the connector's ``rip`` when there is one.

- find_published: ``GET /2/statuses/user_timeline.json`` (``uid``, ``count`` ≤ 100, ``max_id``;
  https://open.weibo.com/wiki/2/statuses/user_timeline). Weibo rewrites every link into a t.cn
  short link, so texts are compared with their links removed and whitespace ignored.
  ``created_at`` looks like ``"Tue May 31 17:46:55 +0800 2011"``.
- delete: ``POST /2/statuses/destroy.json`` (``id``; https://open.weibo.com/wiki/2/statuses/destroy).
- post metrics: ``GET /2/statuses/count.json?ids=`` (``comments``, ``reposts``, ``attitudes``;
  https://open.weibo.com/wiki/2/statuses/count). Account metrics: ``GET /2/users/show.json?uid=``
  (``followers_count``, ``friends_count``, ``statuses_count``; https://open.weibo.com/wiki/2/users/show).
- verify: ``GET /2/account/get_uid.json`` (https://open.weibo.com/wiki/2/account/get_uid), then
  users/show.
- comments: ``GET /2/comments/show.json?id=`` (one post; https://open.weibo.com/wiki/2/comments/show)
  and ``GET /2/comments/to_me.json`` (all; https://open.weibo.com/wiki/2/comments/to_me), both
  paged forward with ``since_id``. reply: ``POST /2/comments/reply.json`` (``cid``, ``id``,
  ``comment``; https://open.weibo.com/wiki/2/comments/reply) when ``in_reply_to`` is
  ``"<status id>:<comment id>"``, else ``POST /2/comments/create.json`` (``id``, ``comment``;
  https://open.weibo.com/wiki/2/comments/create). A comment's ``external_id`` is
  ``"<status id>:<comment id>"``, so it can be passed straight to ``reply``.
- refresh: ``POST /oauth2/access_token`` with ``grant_type=refresh_token``
  (https://open.weibo.com/wiki/Oauth2/access_token; refresh tokens are only issued to apps using
  the mobile SDK, https://open.weibo.com/wiki/授权机制说明). Web apps get none: then an expired
  token means someone has to authorise the app again.

Errors (https://open.weibo.com/wiki/Error_code) come as ``{"error", "error_code", "request"}``:

- 21315 / 21327 (token expired) → ``AuthExpired`` when a refresh token is stored, else
  ``AuthRevoked`` asking for a new authorisation; 21301, 21314, 21316, 21317, 21332 (token used,
  invalid, rejected) the same way; 21319 (authorisation withdrawn) → ``AuthRevoked``.
- 10022 / 10023 / 10024 (IP / user / user-per-API rate limits, counted per hour) →
  ``QuotaExceeded`` until the next full hour, or ``RetryableError`` when that is less than five
  minutes away. 20016 ("发微博太多啦,休息一会儿吧", posting too often) is handled the same way:
  it is a "not now", not a rejection of the content.
- 20019 / 20017 / 20111 (repeated or similar content) is Weibo's own de-duplication: on a publish
  we look the post up with ``find_published`` and return it with ``duplicate=True``; when it is
  not found, ``PermanentError``.
- 20012 / 20013 (text too long) and every other 2xxxx code → ``PermanentError`` with Weibo's words.
- 10005 / 10014 (the app lacks the permission) and 10006 (no App Key) → ``PermanentError`` saying
  what the app is missing; 10017 mentioning a domain → the safe-domain hint.
- 10001 / 10002 / 10003 / 10009 / 10010 / 10011 (system errors) → ``OutcomeUnknown`` after a
  write, ``RetryableError`` after a read.

There is no idempotency key on Weibo: ``dedupe_window`` is None and ``find_published`` carries
reconciliation. The access token travels as the documented ``access_token`` parameter, so for
reads it is in the URL: every message we raise is redacted, and a filter on the ``httpx`` /
``httpcore`` loggers masks ``access_token=…`` in logged URLs.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import re
import urllib.parse
from collections.abc import Mapping
from typing import Any

import httpx
from django.utils.translation import gettext as _

from socialops.textkit import platform_rules
from socialops.textkit.links import find_urls

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
    Limits,
    OutcomeUnknown,
    PermanentError,
    PostKind,
    PostMetrics,
    PostRequest,
    PublishResult,
    QuotaExceeded,
    RetryableError,
    utcnow,
)

API_BASE = "https://api.weibo.com"

# The ("weibo", "post") rules cite the statuses/share page: 140 汉字, one picture, < 5 MB.
_SHARE_RULES = platform_rules.get_rules("weibo", "post")
MAX_STATUS_UNITS = int(_SHARE_RULES.body.max.value) if _SHARE_RULES.body and _SHARE_RULES.body.max else 140
MAX_PICTURES = int(_SHARE_RULES.max_images.value) if _SHARE_RULES.max_images else 1
MAX_PICTURE_BYTES = (
    int(_SHARE_RULES.max_image_bytes.value) if _SHARE_RULES.max_image_bytes else 5 * 1024 * 1024
)
PICTURE_TYPES = frozenset({"image/jpeg", "image/jpg", "image/pjpeg", "image/gif", "image/png"})
# comments/create and comments/reply: "内容不超过140个汉字".
MAX_COMMENT_UNITS = 140
# user_timeline: "单页返回的记录条数,最大不超过100".
TIMELINE_PAGE = 100
# comments/show and comments/to_me: count "最大不超过200".
MAX_COMMENTS_PAGE = 200
# How far back a publish that Weibo calls a repeat looks for the post it repeats (our assumption:
# the documented "短时间内" is well within a day).
DUPLICATE_LOOKBACK = dt.timedelta(hours=24)

EXPIRED_CODES = frozenset({21315, 21327})
INVALID_TOKEN_CODES = frozenset({21301, 21314, 21316, 21317, 21332})
REVOKED_CODES = frozenset({21319})
RATE_LIMIT_CODES = frozenset({10022, 10023, 10024})
POSTING_TOO_OFTEN_CODES = frozenset({20016})
DUPLICATE_CODES = frozenset({20017, 20019, 20111})
APP_PERMISSION_CODES = frozenset({10005, 10014})
APP_KEY_MISSING_CODES = frozenset({10006})
SYSTEM_ERROR_CODES = frozenset({10001, 10002, 10003, 10009, 10010, 10011})
STATUS_GONE_CODES = frozenset({20101})
# OAuth2 errors of /oauth2/access_token (invalid_request, invalid_client, invalid_grant, …).
OAUTH_REFUSED_CODES = frozenset({21322, 21323, 21324, 21325, 21326, 21327, 21328, 21330, 21332})

_TOPIC_RE = re.compile(r"#[^#\n]{1,64}#")
_WS_RE = re.compile(r"\s+")


def parse_weibo_time(value: Any) -> dt.datetime | None:
    """Weibo's ``"Tue May 31 17:46:55 +0800 2011"`` as an aware datetime (None when unreadable).

    Rearranged into RFC 2822 so the parse does not depend on the process locale.
    """
    parts = str(value or "").split()
    if len(parts) != 6:
        return None
    weekday, month, day, clock, zone, year = parts
    try:
        return email.utils.parsedate_to_datetime(f"{weekday}, {day} {month} {year} {clock} {zone}")
    except (TypeError, ValueError):
        return None


def compose_status(post: PostRequest) -> str:
    """The status text: the post's text with its link appended unless the text has it.

    Hashtags are left out on purpose: statuses/share refuses ``#话题词#`` topics in the text.
    """
    text = post.text.strip()
    if post.link_url and post.link_url not in text:
        text = f"{text}\n{post.link_url}" if text else post.link_url
    return text


def fingerprint(text: str) -> str:
    """The text without links (Weibo shortens them to t.cn), HTML entities and whitespace."""
    text = html.unescape(text or "")
    for match in reversed(find_urls(text)):
        text = text[: match.start] + text[match.end :]
    return _WS_RE.sub("", text)


def _host(url: str) -> str:
    try:
        return (urllib.parse.urlsplit(url if "//" in url else f"//{url}").hostname or "").lower()
    except ValueError:
        return ""


def _normalise_domain(value: str) -> str:
    value = value.strip().lower()
    return _host(value) if ("/" in value or ":" in value) else value.strip(".")


def _on_domain(host: str, domain: str) -> bool:
    return bool(domain) and (host == domain or host.endswith(f".{domain}"))


def _next_hour(now: dt.datetime) -> dt.datetime:
    # Weibo counts its limits per hour; +08:00 is a whole-hour offset, so the hour boundary is
    # the same in UTC.
    return now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)


def _id_of(item: Mapping[str, Any]) -> str:
    return str(item.get("idstr") or item.get("id") or "")


class WeiboConnector(http.HttpConnector):
    """A Weibo account acting through an app of the Weibo Open Platform (OAuth2 access token)."""

    kind = "weibo"
    capabilities = frozenset(
        {
            Capability.PUBLISH_TEXT,
            Capability.PUBLISH_IMAGES,
            Capability.DELETE,
            Capability.POST_METRICS,
            Capability.ACCOUNT_METRICS,
            Capability.COMMENTS,
            Capability.REPLY,
            Capability.FIND_PUBLISHED,
            Capability.REFRESH,
        }
    )
    limits = Limits(max_text_chars=MAX_STATUS_UNITS, max_images=MAX_PICTURES, max_videos=0)
    # No idempotency key on Weibo: find_published reconciles (see the module docstring).
    dedupe_window = None
    needs_base_url = False

    # How far back find_published pages through the timeline (100 statuses a page).
    find_max_pages = 5

    def __init__(self, *, rip: str = "", redirect_uri: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not self.base_url:
            self.base_url = API_BASE
        # The operating user's IP for statuses/share's ``rip`` (a variant may override it).
        self.rip = rip
        # Sent with a refresh when set (the mobile-SDK example passes the registered callback).
        self.redirect_uri = redirect_uri

    def __repr__(self) -> str:
        return f"<WeiboConnector uid={self.account_ref or '?'}>"

    # ---- plumbing --------------------------------------------------------------------------

    def _token(self) -> str:
        creds = self.credentials
        if not creds.access_token:
            raise AuthRevoked(_("No Weibo access token is stored for this account; authorise the app again."))
        if creds.is_expired():
            # Known to be expired: refresh when we can, else only a new authorisation helps.
            if creds.refresh_token:
                raise AuthExpired(_("The Weibo access token has expired."))
            raise AuthRevoked(
                _(
                    "The Weibo access token has expired and Weibo issued no refresh token; "
                    "authorise the app again for this account."
                )
            )
        return creds.access_token

    def _call(
        self,
        method: str,
        path: str,
        *,
        mutating: bool,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        files: dict[str, Any] | None = None,
        ok_codes: frozenset[int] = frozenset(),
    ) -> Any:
        token = self._token()
        if method == "GET":
            params = {"access_token": token, **(params or {})}
        else:
            data = {"access_token": token, **(data or {})}
        request = self.client.build_request(method, path, params=params, data=data, files=files)
        with http.secrets_redacted(token, self.credentials.refresh_token):
            response = http.send(self.client, request, mutating=mutating)
            return self._answer(response, mutating=mutating, ok_codes=ok_codes)

    def _answer(self, response: httpx.Response, *, mutating: bool, ok_codes: frozenset[int]) -> Any:
        data = http.body_json(response)
        if isinstance(data, dict) and data.get("error_code") not in (None, "", 0, "0"):
            code = http.as_int(data.get("error_code"))
            if code in ok_codes:
                return None
            self._raise_platform(code, str(data.get("error") or ""), response.status_code, mutating, data)
        if response.status_code >= 400 or data is None:
            http.raise_for_common(response, mutating=mutating)
            # A 2xx that is not JSON after statuses/share: the post may be there (reconcile).
            raise http.unreadable_answer(response, mutating=mutating, platform=_("Weibo"))
        return data

    def _raise_platform(
        self, code: int, message: str, status: int, mutating: bool, raw: dict[str, Any]
    ) -> None:
        message = message[:1000] or f"Weibo error {code}"
        kw: dict[str, Any] = {"status_code": status, "platform_code": str(code)}
        if code in EXPIRED_CODES or code in INVALID_TOKEN_CODES:
            if self.credentials.refresh_token:
                raise AuthExpired(message, **kw)
            raise AuthRevoked(
                _(
                    "Weibo no longer accepts this account's access token (%(error)s) and issued no "
                    "refresh token; authorise the app again for this account."
                )
                % {"error": message},
                **kw,
            )
        if code in REVOKED_CODES:
            raise AuthRevoked(
                _("The authorisation was withdrawn on Weibo (%(error)s); authorise the app again.")
                % {"error": message},
                **kw,
            )
        if code in RATE_LIMIT_CODES or code in POSTING_TOO_OFTEN_CODES:
            now = utcnow()
            reset_at = _next_hour(now)
            wait = (reset_at - now).total_seconds()
            if wait > http.QUOTA_THRESHOLD.total_seconds():
                raise QuotaExceeded(message, reset_at=reset_at, raw=raw, **kw)
            raise RetryableError(message, retry_after=wait, **kw)
        if code in APP_PERMISSION_CODES:
            raise PermanentError(
                _(
                    "The Weibo app lacks the permission for this call (%(error)s); apply for it in "
                    "the app's interface management on open.weibo.com."
                )
                % {"error": message},
                raw=raw,
                **kw,
            )
        if code in APP_KEY_MISSING_CODES:
            raise PermanentError(
                _("Weibo did not recognise the app (%(error)s); check the App Key of this connection.")
                % {"error": message},
                raw=raw,
                **kw,
            )
        if code == 10017 and "domain" in message.lower():
            raise PermanentError(
                _(
                    "Weibo refused the link (%(error)s): the text must link a page on the safe "
                    "domain (安全域名) registered for the app."
                )
                % {"error": message},
                raw=raw,
                **kw,
            )
        if code in SYSTEM_ERROR_CODES:
            if mutating:
                raise OutcomeUnknown(message, **kw)
            raise RetryableError(message, **kw)
        raise PermanentError(message, raw=raw, **kw)

    def _uid(self) -> str:
        if not self.account_ref:
            data = self._call("GET", "/2/account/get_uid.json", mutating=False) or {}
            self.account_ref = str(data.get("uid") or "")
            if not self.account_ref:
                raise RetryableError(_("Weibo did not say which account the token belongs to."))
        return self.account_ref

    # ---- auth ------------------------------------------------------------------------------

    def verify(self) -> AccountInfo:
        """account/get_uid (the token works and whose it is), then users/show."""
        data = self._call("GET", "/2/account/get_uid.json", mutating=False) or {}
        uid = str(data.get("uid") or "")
        if not uid:
            raise RetryableError(_("Weibo did not say which account the token belongs to."))
        self.account_ref = uid
        user = self._call("GET", "/2/users/show.json", mutating=False, params={"uid": uid}) or {}
        profile = str(user.get("profile_url") or f"u/{uid}")
        return AccountInfo(
            external_id=uid,
            handle=str(user.get("screen_name") or uid),
            display_name=str(user.get("name") or user.get("screen_name") or ""),
            url=profile if profile.startswith("http") else f"https://weibo.com/{profile.lstrip('/')}",
            raw=user,
        )

    def refresh(self) -> Credentials:
        """Exchange the refresh token (apps using Weibo's mobile SDK get one; web apps do not)."""
        creds = self.credentials
        if not creds.refresh_token:
            raise AuthRevoked(
                _(
                    "The Weibo access token has expired and Weibo issued no refresh token for this "
                    "app; authorise the app again for this account."
                )
            )
        form = {
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
            "grant_type": "refresh_token",
            "refresh_token": creds.refresh_token,
        }
        if self.redirect_uri:
            form["redirect_uri"] = self.redirect_uri
        request = self.client.build_request("POST", "/oauth2/access_token", data=form)
        with http.secrets_redacted(creds.access_token, creds.refresh_token, creds.client_secret):
            # Not "mutating" for our purposes: a lost answer leaves at worst a refresh token the
            # platform rotated away, which the next attempt reports as AuthRevoked.
            response = http.send(self.client, request, mutating=False)
            data = http.body_json(response)
            if isinstance(data, dict) and (data.get("error_code") or data.get("error")):
                code = http.as_int(data.get("error_code"))
                message = str(data.get("error_description") or data.get("error") or f"Weibo error {code}")
                if code in SYSTEM_ERROR_CODES or response.status_code >= 500:
                    raise RetryableError(
                        message[:1000], status_code=response.status_code, platform_code=str(code)
                    )
                raise AuthRevoked(
                    _("Weibo refused to refresh the token (%(error)s); authorise the app again.")
                    % {"error": message[:500]},
                    status_code=response.status_code,
                    platform_code=str(code),
                )
            http.raise_for_common(response, mutating=False)
        if not isinstance(data, dict) or not data.get("access_token"):
            raise AuthRevoked(_("Weibo did not issue a new access token; authorise the app again."))
        new = http.refreshed_credentials(creds, data)
        if data.get("uid"):
            self.account_ref = str(data["uid"])
        self.credentials = new
        return new

    # ---- publishing ------------------------------------------------------------------------

    def safe_domain(self, post: PostRequest) -> str:
        """The app's safe domain: ``options["safe_domain"]``, else the host of the post's link."""
        configured = str(post.options.get("safe_domain") or "")
        if configured:
            return _normalise_domain(configured)
        return _host(post.link_url) if post.link_url else ""

    def check(self, post: PostRequest) -> list[str]:
        problems: list[str] = []
        kind = post.effective_kind
        if kind in (PostKind.VIDEO, PostKind.ARTICLE) or any(m.is_video for m in post.media):
            problems.append(
                _("Weibo's share API posts text with at most one picture; not video or articles.")
            )
        status = compose_status(post)
        if not status:
            problems.append(_("A Weibo post needs text."))
        if len(post.media) > MAX_PICTURES:
            problems.append(
                _("Weibo's share API takes %(max)d picture per post (got %(n)d).")
                % {"max": MAX_PICTURES, "n": len(post.media)}
            )
        for media in post.media:
            name = media.filename[:80]
            if not media.is_video and media.content_type.lower() not in PICTURE_TYPES:
                problems.append(_("“%(name)s”: Weibo takes JPEG, GIF or PNG pictures only.") % {"name": name})
            if not media.data:
                problems.append(_("“%(name)s” has no file to upload.") % {"name": name})
            elif len(media.data) >= MAX_PICTURE_BYTES:
                problems.append(
                    _("“%(name)s” is %(mb).1f MB; Weibo takes pictures under 5 MB.")
                    % {"name": name, "mb": len(media.data) / (1024 * 1024)}
                )
        if status:
            problems.extend(self._link_problems(post, status))
            without_links = status
            for match in reversed(find_urls(status)):
                without_links = without_links[: match.start] + without_links[match.end :]
            topic = _TOPIC_RE.search(without_links)
            if topic:
                problems.append(
                    _("Weibo's share API refuses #topic# hashtags in the text; remove “%(tag)s”.")
                    % {"tag": topic.group(0)}
                )
            units = platform_rules.count_text(status, "weibo")
            if units > MAX_STATUS_UNITS:
                problems.append(
                    _(
                        "The text is %(n)d characters long as Weibo counts them (two ASCII characters "
                        "count as one, a link as 10); Weibo allows %(max)d."
                    )
                    % {"n": units, "max": MAX_STATUS_UNITS}
                )
        return problems

    def _link_problems(self, post: PostRequest, status: str) -> list[str]:
        domain = self.safe_domain(post)
        hosts = [_host(m.url) for m in find_urls(status)]
        if not hosts:
            return [
                _(
                    "Weibo's share API needs a link to a page on the app's safe domain (安全域名) in "
                    "the text; add the link URL of the post."
                )
            ]
        if domain and not any(_on_domain(h, domain) for h in hosts):
            return [
                _(
                    "The text links no page on the app's safe domain “%(domain)s”; Weibo refuses "
                    "posts without one."
                )
                % {"domain": domain}
            ]
        return []

    def _rip(self, post: PostRequest) -> str:
        return str(post.options.get("rip") or self.rip or "")

    def _status_result(self, status: dict[str, Any], *, duplicate: bool = False) -> PublishResult:
        sid = _id_of(status)
        user = http.as_dict(status.get("user"))
        uid = _id_of(user) or self.account_ref
        return PublishResult(
            external_id=sid,
            # Our assumption: weibo.com/<uid>/<id> opens the status (the web UI uses a base62 bid).
            url=f"https://weibo.com/{uid}/{sid}" if uid and sid else "",
            published_at=parse_weibo_time(status.get("created_at")),
            duplicate=duplicate,
            raw=status,
        )

    def publish(self, post: PostRequest, *, idempotency_key: str) -> PublishResult:
        self.require(KIND_CAPABILITY[post.effective_kind])
        problems = self.check(post)
        if problems:
            raise PermanentError(" ".join(problems))
        fields: dict[str, Any] = {"status": compose_status(post)}
        rip = self._rip(post)
        if rip:
            fields["rip"] = rip
        files = None
        if post.media:
            media = post.media[0]
            files = {"pic": (media.filename, media.data or b"", media.content_type)}
        try:
            status = self._call("POST", "/2/statuses/share.json", mutating=True, data=fields, files=files)
        except PermanentError as err:
            if http.as_int(err.platform_code) not in DUPLICATE_CODES:
                raise
            # Weibo's own de-duplication: the post is (very likely) already there.
            found = self.find_published(
                idempotency_key=idempotency_key, since=utcnow() - DUPLICATE_LOOKBACK, post=post
            )
            if found is not None:
                return found
            raise PermanentError(
                _(
                    "Weibo calls this a repeated post (%(error)s) but no matching post was found on "
                    "the account; change the text or wait before posting it again."
                )
                % {"error": err.message},
                status_code=err.status_code,
                platform_code=err.platform_code,
            ) from None
        if not isinstance(status, dict) or not _id_of(status):
            raise OutcomeUnknown(_("Weibo did not return the new post; it may exist."))
        return self._status_result(status)

    def delete(self, external_id: str) -> None:
        self.require(Capability.DELETE)
        # 20101 (the status does not exist): already gone is what the caller wanted.
        self._call(
            "POST",
            "/2/statuses/destroy.json",
            mutating=True,
            data={"id": external_id},
            ok_codes=STATUS_GONE_CODES,
        )

    def find_published(
        self, *, idempotency_key: str, since: dt.datetime, post: PostRequest
    ) -> PublishResult | None:
        self.require(Capability.FIND_PUBLISHED)
        uid = self._uid()
        wanted = fingerprint(compose_status(post))
        with_picture = bool(post.media)
        # Clocks differ: look a little before `since`.
        floor = since - dt.timedelta(minutes=2)
        max_id = ""
        for _page in range(self.find_max_pages):
            params: dict[str, Any] = {"uid": uid, "count": TIMELINE_PAGE}
            if max_id:
                params["max_id"] = max_id
            data = self._call("GET", "/2/statuses/user_timeline.json", mutating=False, params=params) or {}
            statuses = [s for s in data.get("statuses") or [] if isinstance(s, dict)]
            for status in statuses:
                created = parse_weibo_time(status.get("created_at"))
                if created is not None and created < floor:
                    return None
                if status.get("retweeted_status"):
                    continue
                has_picture = bool(
                    status.get("pic_ids") or status.get("original_pic") or status.get("thumbnail_pic")
                )
                if fingerprint(str(status.get("text") or "")) == wanted and has_picture == with_picture:
                    return self._status_result(status, duplicate=True)
            if len(statuses) < TIMELINE_PAGE:
                return None
            last = http.as_int(_id_of(statuses[-1]))
            if not last:
                return None
            # max_id is inclusive ("ID小于或等于max_id").
            max_id = str(last - 1)
        return None

    # ---- metrics ---------------------------------------------------------------------------

    def fetch_post_metrics(self, external_id: str) -> PostMetrics:
        self.require(Capability.POST_METRICS)
        data = self._call("GET", "/2/statuses/count.json", mutating=False, params={"ids": external_id}) or []
        for item in data if isinstance(data, list) else []:
            if isinstance(item, dict) and str(item.get("id")) == str(external_id):
                return PostMetrics(
                    external_id=external_id,
                    as_of=utcnow(),
                    likes=http.as_int_or_none(item.get("attitudes")),
                    comments=http.as_int_or_none(item.get("comments")),
                    shares=http.as_int_or_none(item.get("reposts")),
                    raw=item,
                )
        raise PermanentError(_("Weibo has no counters for this post; it may have been deleted."))

    def fetch_account_metrics(self) -> AccountMetrics:
        self.require(Capability.ACCOUNT_METRICS)
        user = self._call("GET", "/2/users/show.json", mutating=False, params={"uid": self._uid()}) or {}
        return AccountMetrics(
            as_of=utcnow(),
            followers_total=http.as_int_or_none(user.get("followers_count")),
            following_total=http.as_int_or_none(user.get("friends_count")),
            posts_total=http.as_int_or_none(user.get("statuses_count")),
            raw=user,
        )

    # ---- comments --------------------------------------------------------------------------

    def _comment(self, item: dict[str, Any], post_id: str) -> Comment:
        status = http.as_dict(item.get("status"))
        sid = _id_of(status) or post_id
        user = http.as_dict(item.get("user"))
        return Comment(
            external_id=f"{sid}:{_id_of(item)}",
            text=str(item.get("text") or ""),
            created_at=parse_weibo_time(item.get("created_at")) or utcnow(),
            author_id=_id_of(user),
            author_handle=str(user.get("screen_name") or ""),
            author_name=str(user.get("name") or ""),
            in_reply_to=sid,
            raw=item,
        )

    def fetch_comments(self, *, cursor: str = "", post_id: str = "", limit: int = 40) -> CommentPage:
        self.require(Capability.COMMENTS)
        params: dict[str, Any] = {"count": max(1, min(limit, MAX_COMMENTS_PAGE))}
        if cursor:
            params["since_id"] = cursor
        if post_id:
            params["id"] = post_id
            path = "/2/comments/show.json"
        else:
            path = "/2/comments/to_me.json"
        data = self._call("GET", path, mutating=False, params=params) or {}
        items = [c for c in data.get("comments") or [] if isinstance(c, dict)]
        comments = sorted(
            (self._comment(c, post_id) for c in items), key=lambda c: http.as_int(_id_of(c.raw))
        )
        newest = max((http.as_int(_id_of(c.raw)) for c in comments), default=0)
        return CommentPage(items=comments, cursor=str(newest) if newest else cursor)

    def reply(
        self, *, in_reply_to: str, text: str, idempotency_key: str, recipient: str = "", private: bool = False
    ) -> PublishResult:
        self.require(Capability.REPLY)
        if private:
            raise PermanentError(
                _("Weibo's open API does not send direct messages; answer this fan in the Weibo app.")
            )
        text = text.strip()
        units = platform_rules.count_text(text, "weibo")
        if not text or units > MAX_COMMENT_UNITS:
            raise PermanentError(
                _("A Weibo comment needs text of at most %(max)d characters (got %(n)d).")
                % {"max": MAX_COMMENT_UNITS, "n": units}
            )
        status_id, _sep, comment_id = in_reply_to.partition(":")
        if not status_id:
            raise PermanentError(_("Say which Weibo post or comment to answer."))
        fields: dict[str, Any] = {"id": status_id, "comment": text}
        rip = self.rip
        if rip:
            fields["rip"] = rip
        if comment_id:
            fields["cid"] = comment_id
            path = "/2/comments/reply.json"
        else:
            path = "/2/comments/create.json"
        data = self._call("POST", path, mutating=True, data=fields) or {}
        if not isinstance(data, dict) or not _id_of(data):
            raise OutcomeUnknown(_("Weibo did not return the new comment; it may exist."))
        comment = self._comment(data, status_id)
        return PublishResult(external_id=comment.external_id, published_at=comment.created_at, raw=data)
