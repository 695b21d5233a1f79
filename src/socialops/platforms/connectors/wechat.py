"""WeChat Official Account (微信公众号) connector: articles through the 公众号 server API.

Everything goes to https://api.weixin.qq.com with the access token in the query string
(``?access_token=…``); every answer is JSON and an error is ``{"errcode": N, "errmsg": …}`` with
N ≠ 0, whatever the HTTP status. Endpoints and limits, with their documentation:

- token: ``POST /cgi-bin/stable_token`` {grant_type: client_credential, appid, secret,
  force_refresh: false} → {access_token, expires_in} (7200 s; normal mode returns the same token
  while it is valid). https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/getStableAccessToken.html
  (also /doc/service/api/base/api_getstableaccesstoken). The old ``/cgi-bin/token`` is never used:
  its tokens and the stable ones invalidate each other. AppID is ``client_id``, AppSecret
  ``client_secret``; the token is cached in ``access_token`` / ``expires_at``.
- common error codes (-1 busy, 40001/40014/42001 bad or expired token, 45009 daily quota,
  45011 per-minute limit, 48001 api unauthorized, 40164 IP not whitelisted):
  https://developers.weixin.qq.com/doc/channels/API/basics/commErrCode.html,
  https://developers.weixin.qq.com/doc/oplatform/developers/troubleshooting (48001).
- cover image: ``POST /cgi-bin/material/add_material?type=image`` (multipart ``media``; ≤ 10 MB,
  bmp/png/jpeg/jpg/gif) → media_id. https://developers.weixin.qq.com/doc/service/api/material/permanent/api_addmaterial
- in-article images: ``POST /cgi-bin/media/uploadimg`` (multipart ``media``; jpg/png, < 1 MB) →
  url; other image URLs are filtered out of articles.
  https://developers.weixin.qq.com/doc/service/api/material/permanent/api_uploadimage
- draft: ``POST /cgi-bin/draft/add`` {articles: [{title ≤ 32, author ≤ 16, digest ≤ 128,
  content (HTML, < 20,000 characters, < 1 MB), content_source_url (≤ 1 KB), thumb_media_id
  (required in practice), need_open_comment, only_fans_can_comment}]} → media_id. The text must
  be sent as UTF-8, never as \\uXXXX escapes (WeChat would store the escapes).
  https://developers.weixin.qq.com/doc/service/api/draftbox/draftmanage/api_draft_add
- publish: ``POST /cgi-bin/freepublish/submit`` {media_id} → publish_id, msg_data_id;
  https://developers.weixin.qq.com/doc/subscription/api/public/api_freepublish_submit.html
  then ``POST /cgi-bin/freepublish/get`` {publish_id} → publish_status (0 success with article_id
  and article_detail.item[].article_url, 1 publishing, 2 originality check failed, 3 failed,
  4 rejected by review, 5 deleted by the user, 6 blocked by the platform; fail_idx).
  https://developers.weixin.qq.com/doc/service/api/public/api_freepublish_get
- reconcile: ``POST /cgi-bin/freepublish/batchget`` {offset, count 1–20, no_content: 1} → item[]
  {article_id, content.news_item[].title/url, update_time}. Mass-sent messages are not listed.
  https://developers.weixin.qq.com/doc/service/api/public/api_freepublish_batchget.html
- delete: ``POST /cgi-bin/freepublish/delete`` {article_id, index: 0 = all articles}.
  https://developers.weixin.qq.com/doc/service/api/public/api_freepublishdelete
- mass send (options["send_mode"] == "mass", and ``send_to_tag``): ``POST
  /cgi-bin/message/mass/sendall`` {filter: {is_to_all, tag_id}, mpnews: {media_id},
  msgtype: mpnews, send_ignore_reprint, clientmsgid ≤ 64 bytes} → msg_id, msg_data_id.
  https://developers.weixin.qq.com/doc/service/api/notify/message/api_sendall ; WeChat refuses a
  clientmsgid it has seen in the last 24 hours with 45065 and the earlier msg_id
  (https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Batch_Sends_and_Originality_Checks.html).
  Deleting one: ``POST /cgi-bin/message/mass/delete`` {msg_id, article_idx: 0}.
  https://developers.weixin.qq.com/doc/service/api/notify/message/api_deletemassmsg
- followers: ``GET /cgi-bin/user/get?next_openid=`` → total, count (≤ 10000), data.openid[],
  next_openid. https://developers.weixin.qq.com/doc/service/User_Management/Getting_a_User_List.html
- tags: ``GET /cgi-bin/tags/get``, ``POST /cgi-bin/tags/create`` {tag: {name ≤ 30 bytes}},
  ``POST /cgi-bin/tags/members/batchtagging`` {openid_list ≤ 50, tagid}.
  https://developers.weixin.qq.com/doc/offiaccount/User_Management/User_Tag_Management.html,
  https://developers.weixin.qq.com/doc/subscription/api/usermanage/tag/api_batchtagging.md
- comments: ``POST /cgi-bin/comment/list`` {msg_data_id, index, begin, count (≥ 50 is refused),
  type 0}; ``POST /cgi-bin/comment/reply/add`` {msg_data_id, index, user_comment_id, content}.
  https://developers.weixin.qq.com/doc/service/api/leaving/api_listcomment,
  https://developers.weixin.qq.com/doc/offiaccount/Comments_management/Manage_comments.html
- statistics: ``POST /datacube/getusersummary`` and ``/datacube/getusercumulate`` {begin_date,
  end_date} (YYYY-MM-DD, span ≤ 7 days, yesterday at the latest);
  https://developers.weixin.qq.com/doc/service/en/Analytics/User_Analysis_Data_Interface.html
  ``POST /datacube/getarticlesummary`` (one day per call; msgid = "<msg_data_id>_<index>";
  mass-sent articles only). https://developers.weixin.qq.com/doc/service/api/wedata/news/api_getarticlesummary.html
- verify: ``GET /cgi-bin/get_api_domain_ip`` → ip_list.
  https://developers.weixin.qq.com/doc/service/api/base/api_getapidomainip

Idempotency. Freepublish has no idempotency key: a submit whose answer is lost, or a publish
still running after ``max_wait``, raises OutcomeUnknown and the engine reconciles through
``find_published`` (batchget, matching the title). Mass send is idempotent by itself for 24 hours:
``clientmsgid`` is derived from the idempotency key, so re-sending with the same key is answered
with 45065 and reported as ``duplicate=True``. Neither is a guarantee the engine may rely on
after an unknown outcome (batchget cannot see mass sends), so ``dedupe_window`` is None.

The access token rides in every URL, so it must never reach a log or an error message: every
message we raise goes through ``redact`` and a filter on the ``httpx`` / ``httpcore`` loggers
(which log request URLs) masks the ``access_token`` query parameter.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import html
import json
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx
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
    ConnectorError,
    Follower,
    FollowerPage,
    Limits,
    MediaFile,
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

API_BASE = "https://api.weixin.qq.com"
# China has no daylight saving time: a fixed +8 offset is Asia/Shanghai without needing tzdata.
SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")

MAX_TITLE = 32
MAX_AUTHOR = 16
MAX_DIGEST = 128
MAX_CONTENT_CHARS = 20_000
MAX_CONTENT_BYTES = 1024 * 1024
MAX_SOURCE_URL_BYTES = 1024
MAX_COVER_BYTES = 10 * 1024 * 1024
MAX_INLINE_IMAGE_BYTES = 1024 * 1024
COVER_TYPES = {"bmp", "png", "jpeg", "jpg", "gif"}
INLINE_TYPES = {"png", "jpeg", "jpg"}
MAX_CLIENTMSGID_BYTES = 64
BATCHGET_PAGE = 20
# How far back find_published looks (pages of 20): batchget does not promise newest first.
FIND_MAX_PAGES = 10
# Clock skew between us and WeChat when comparing update_time with ``since``.
FIND_SKEW = dt.timedelta(minutes=2)
TAG_BATCH = 50
# comment/list refuses count >= 50.
MAX_COMMENT_PAGE = 49

# Mass-send quotas per account type. Source: 公众平台群发规则 (official community post,
# https://developers.weixin.qq.com/community/develop/doc/000c8c659b87a084cc799cccc51409):
# 订阅号 1 mass send a day (resets at 00:00), 服务号 4 a natural month; repeated in
# Batch_Sends_and_Originality_Checks.html. The clock is Beijing time (our assumption: it is
# not stated, but the platform runs on it).
MASS_SEND_QUOTAS: dict[str, tuple[str, int]] = {
    "subscription": ("day", 1),
    "service": ("month", 4),
}

# errcodes meaning "this access token is no good": refresh and retry once.
TOKEN_CODES = {40001, 40014, 41001, 42001}
# stable_token refusing the app itself: someone must fix the AppID/AppSecret or the whitelist.
APP_REFUSED_CODES = {40001, 40002, 40013, 40125, 40164, 41002, 41004}
# Deleting what is already gone (our assumption: the codes WeChat answers for an unknown id).
GONE_CODES = {53600, 40059}


UNRESOLVED_ASSET_IMG = re.compile(r'<img[^>]*\ssrc="asset:\d+"[^>]*>')


def publish_failure(status: int) -> str:
    """Why freepublish/get's ``publish_status`` failed, in words ('' when it is not a failure)."""
    return {
        2: _("the originality check failed"),
        3: _("publishing failed"),
        4: _("the platform's review rejected it"),
        5: _("it was published, then all its articles were deleted"),
        6: _("it was published, then the platform blocked all its articles"),
    }.get(status, "")


IP_RE = re.compile(r"\b(\d{1,3}(?:\.\d{1,3}){3})\b")


# ---- small helpers ---------------------------------------------------------------------------


def shanghai_today() -> dt.date:
    """Today's date in Beijing time (WeChat's day)."""
    return utcnow().astimezone(SHANGHAI).date()


def next_midnight() -> dt.datetime:
    """The next 00:00 Asia/Shanghai."""
    return http.next_china_midnight()


def first_of_next_month() -> dt.datetime:
    """00:00 Asia/Shanghai on the first day of next month."""
    today = shanghai_today()
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return dt.datetime(year, month, 1, tzinfo=SHANGHAI)


def mass_quota_reset(account_type: str) -> dt.datetime:
    """When the mass-send quota of an account of ``account_type`` comes back."""
    period, _count = MASS_SEND_QUOTAS.get(account_type, MASS_SEND_QUOTAS["subscription"])
    return first_of_next_month() if period == "month" else next_midnight()


def normalise(text: str) -> str:
    """Whitespace-insensitive form of a title, for matching."""
    return " ".join(text.split())


def clientmsgid_for(idempotency_key: str) -> str:
    """A clientmsgid (≤ 64 bytes) for the key: the key itself when it fits, else its hash."""
    if re.fullmatch(r"[A-Za-z0-9_.:-]{1,64}", idempotency_key):
        return idempotency_key
    return "so-" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:61]


def text_to_html(text: str) -> str:
    """Plain text as <p> paragraphs (blank lines split paragraphs, single newlines become <br/>)."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join(
        "<p>" + "<br/>".join(html.escape(line) for line in p.splitlines()) + "</p>" for p in paragraphs
    )


def image_type(media: MediaFile) -> str:
    """The image's format (jpeg, png, gif, bmp, …) from its content type or file name."""
    if media.content_type.startswith("image/"):
        kind = media.content_type.split("/", 1)[1].split(";")[0].strip().lower()
        return {"jpg": "jpeg", "pjpeg": "jpeg", "x-ms-bmp": "bmp", "x-png": "png"}.get(kind, kind)
    ext = media.filename.rsplit(".", 1)[-1].lower() if "." in media.filename else ""
    return "jpeg" if ext == "jpg" else ext


@dataclasses.dataclass(frozen=True)
class _Article:
    """The pieces of one article, ready for draft/add once the images are uploaded."""

    title: str
    author: str
    digest: str
    content: str
    source_url: str
    need_open_comment: int
    only_fans_can_comment: int


class WechatConnector(http.HttpConnector):
    """A WeChat Official Account (订阅号 or 服务号), acting through its AppID / AppSecret."""

    kind = "wechat_mp"
    capabilities = frozenset(
        {
            Capability.PUBLISH_ARTICLE,
            Capability.POST_METRICS,
            Capability.ACCOUNT_METRICS,
            Capability.COMMENTS,
            Capability.REPLY,
            Capability.FOLLOWERS,
            Capability.TAG_FOLLOWERS,
            Capability.SEND_TO_TAG,
            Capability.FIND_PUBLISHED,
            Capability.DELETE,
            Capability.REFRESH,
        }
    )
    limits = Limits(max_text_chars=MAX_CONTENT_CHARS, max_title_chars=MAX_TITLE, max_videos=0)
    # Freepublish has no idempotency key and mass sends are invisible to batchget (see the
    # module docstring): after an unknown outcome the engine must not re-send blindly. A
    # re-send of a mass send with the same key is still safe: clientmsgid makes it a duplicate.
    dedupe_window = None
    needs_base_url = False
    # Publishing is asynchronous: poll freepublish/get this often, for at most this long.
    # freepublish runs in the background (原创 checks, review): an article submitted before a
    # timeout can take minutes to appear in batchget. Our assumption: 30 minutes covers it.
    reconcile_grace = dt.timedelta(minutes=30)
    poll_interval: float = 3.0
    max_wait: float = 60.0
    # "subscription" (订阅号) or "service" (服务号), for the mass-send quota; options["account_type"] wins.
    account_type: str = "subscription"
    # Days of getarticlesummary summed into a post's metrics (WeChat counts a mass send's
    # reads for about a week; each day is one call).
    post_metrics_days: int = 7

    def __init__(
        self,
        *,
        poll_interval: float | None = None,
        max_wait: float | None = None,
        account_type: str | None = None,
        sleep: Callable[[float], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        # The connection form has no URL for WeChat; tests may point it at a fake.
        if not self.base_url:
            self.base_url = API_BASE
        if poll_interval is not None:
            self.poll_interval = poll_interval
        if max_wait is not None:
            self.max_wait = max_wait
        if account_type is not None:
            self.account_type = account_type
        self._sleep = sleep or time.sleep
        self._summaries: dict[dt.date, list[dict[str, Any]]] = {}

    def __repr__(self) -> str:
        return f"<WechatConnector {self.app_id or '?'}>"

    @property
    def app_id(self) -> str:
        """The account's AppID."""
        return self.credentials.client_id or self.account_ref

    # ---- transport -------------------------------------------------------------------------

    def _token(self) -> str:
        token = self.credentials.access_token
        if not token:
            raise AuthExpired(_("No WeChat access token has been fetched yet."))
        if self.credentials.is_expired():
            raise AuthExpired(_("The WeChat access token has expired."))
        return token

    def _request(
        self,
        method: str,
        path: str,
        *,
        mutating: bool,
        params: dict[str, Any] | None = None,
        body: Any = None,
        files: dict[str, Any] | None = None,
        ok_codes: Sequence[int] = (),
        authenticated: bool = True,
    ) -> dict[str, Any]:
        token = self._token() if authenticated else ""
        query = {**(params or {})}
        if token:
            query["access_token"] = token
        headers: dict[str, str] = {}
        content: bytes | None = None
        if body is not None:
            # UTF-8 as is: WeChat stores \uXXXX escapes literally (draft_add's doc warns about it).
            content = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json; charset=utf-8"
        request = self.client.build_request(
            method, path, params=query, content=content, files=files, headers=headers
        )
        try:
            response = http.send(self.client, request, mutating=mutating)
            return self._answer(response, mutating=mutating, ok_codes=ok_codes)
        except ConnectorError as err:
            err.message = http.redact(err.message, token, self.credentials.client_secret)
            err.args = (err.message,)
            # Drop the httpx exception chain: its request carries the URL with the token.
            raise err from None

    def _answer(self, response: httpx.Response, *, mutating: bool, ok_codes: Sequence[int]) -> dict[str, Any]:
        data = http.body_json(response)
        if response.status_code >= 400 or not isinstance(data, dict):
            http.raise_for_common(response, mutating=mutating)
            message = _("WeChat sent an answer that is not JSON.")
            if mutating:
                raise OutcomeUnknown(message, status_code=response.status_code)
            raise RetryableError(message, status_code=response.status_code)
        code = http.as_int(data.get("errcode"))
        if code == 0 or code in ok_codes:
            return data
        raise self._error(code, str(data.get("errmsg") or f"errcode {code}")[:1000], mutating, data)

    def _error(self, code: int, errmsg: str, mutating: bool, data: dict[str, Any]) -> ConnectorError:
        kwargs: dict[str, Any] = {"platform_code": str(code), "raw": data}
        if code in TOKEN_CODES:
            return AuthExpired(errmsg, **kwargs)
        if code == 40164:
            return AuthRevoked(self._whitelist_message(errmsg), **kwargs)
        if code == 45009:
            return QuotaExceeded(
                _("The account's daily quota for this WeChat interface is used up (%(msg)s).")
                % {"msg": errmsg},
                reset_at=next_midnight(),
                **kwargs,
            )
        if code == 45011:
            return QuotaExceeded(
                _("WeChat says this interface is called too often (%(msg)s); waiting a minute.")
                % {"msg": errmsg},
                reset_at=utcnow() + dt.timedelta(seconds=60),
                **kwargs,
            )
        if code == 45028:
            return QuotaExceeded(errmsg, reset_at=mass_quota_reset(self.account_type), **kwargs)
        if code == 48001:
            return PermanentError(
                _(
                    "This official account is not authorised to use this WeChat interface (%(msg)s). "
                    "Some interfaces need a verified (认证) account, e.g. unverified accounts cannot "
                    "mass-send or publish through the API; see the interface permissions in the "
                    "WeChat Official Accounts Platform."
                )
                % {"msg": errmsg},
                **kwargs,
            )
        if code == -1:
            message = _("WeChat is busy (%(msg)s).") % {"msg": errmsg}
            return OutcomeUnknown(message, **kwargs) if mutating else RetryableError(message, **kwargs)
        return PermanentError(errmsg, **kwargs)

    def _whitelist_message(self, errmsg: str) -> str:
        match = IP_RE.search(errmsg)
        return _(
            "WeChat refused the request because this server's IP address (%(ip)s) is not on the "
            "account's IP whitelist. Add it in the WeChat Official Accounts Platform under Settings "
            "and Development → Basic Configuration → IP whitelist, then test the connection again."
        ) % {"ip": match.group(1) if match else _("unknown")}

    # ---- auth ------------------------------------------------------------------------------

    def refresh(self) -> Credentials:
        """A new access token from POST /cgi-bin/stable_token (normal mode, not forced)."""
        creds = self.credentials
        if not creds.client_id or not creds.client_secret:
            raise AuthRevoked(_("Enter the account's AppID and AppSecret to connect it."))
        body = {
            "grant_type": "client_credential",
            "appid": creds.client_id,
            "secret": creds.client_secret,
            "force_refresh": False,
        }
        try:
            # Not "mutating": asking for the token again is harmless (normal mode returns the
            # same token while it is valid).
            data = self._request(
                "POST", "/cgi-bin/stable_token", mutating=False, body=body, authenticated=False
            )
        except (PermanentError, AuthExpired) as err:
            code = http.as_int(err.platform_code)
            if code in APP_REFUSED_CODES:
                message = self._whitelist_message(err.message) if code == 40164 else err.message
                raise AuthRevoked(message, platform_code=err.platform_code) from None
            raise
        token = str(data.get("access_token") or "")
        if not token:
            raise AuthRevoked(_("WeChat did not issue an access token."))
        expires_in = http.as_int(data.get("expires_in")) or 7200
        new = creds.replace(access_token=token, expires_at=utcnow() + dt.timedelta(seconds=expires_in))
        self.credentials = new
        return new

    def verify(self) -> AccountInfo:
        """GET /cgi-bin/get_api_domain_ip: the cheapest call that needs a working token."""
        data = self._request("GET", "/cgi-bin/get_api_domain_ip", mutating=False)
        return AccountInfo(
            external_id=self.app_id,
            handle=self.app_id,
            raw={"ip_list_count": len(data.get("ip_list") or [])},
        )

    # ---- checks ----------------------------------------------------------------------------

    def _article(self, post: PostRequest) -> _Article:
        options = post.options
        content = (getattr(post, "body_html", "") or "").strip() or text_to_html(post.text)
        return _Article(
            title=post.title.strip(),
            author=str(options.get("author") or "").strip(),
            digest=str(options.get("digest") or "").strip(),
            content=content,
            source_url=str(options.get("content_source_url") or post.link_url or "").strip(),
            need_open_comment=1 if options.get("need_open_comment") else 0,
            only_fans_can_comment=1 if options.get("only_fans_can_comment") else 0,
        )

    def check(self, post: PostRequest) -> list[str]:
        problems: list[str] = []
        if post.effective_kind != PostKind.ARTICLE:
            problems.append(_("WeChat Official Accounts publish articles only (kind “article”)."))
        article = self._article(post)
        if not article.title:
            problems.append(_("A WeChat article needs a title."))
        elif len(article.title) > MAX_TITLE:
            problems.append(
                _("The title is %(n)d characters long; WeChat allows %(max)d.")
                % {"n": len(article.title), "max": MAX_TITLE}
            )
        if len(article.author) > MAX_AUTHOR:
            problems.append(
                _("The author is %(n)d characters long; WeChat allows %(max)d.")
                % {"n": len(article.author), "max": MAX_AUTHOR}
            )
        if len(article.digest) > MAX_DIGEST:
            problems.append(
                _("The digest is %(n)d characters long; WeChat allows %(max)d.")
                % {"n": len(article.digest), "max": MAX_DIGEST}
            )
        if not article.content:
            problems.append(_("A WeChat article needs a body."))
        elif len(article.content) >= MAX_CONTENT_CHARS or len(article.content.encode()) >= MAX_CONTENT_BYTES:
            problems.append(
                _(
                    "The article body is %(n)d characters long; WeChat takes fewer than %(max)d (and under 1 MB)."
                )
                % {"n": len(article.content), "max": MAX_CONTENT_CHARS}
            )
        if len(article.source_url.encode()) > MAX_SOURCE_URL_BYTES:
            problems.append(_("The “read more” link is longer than WeChat's 1 KB."))
        images = [m for m in post.media if m.is_image]
        if any(not m.is_image for m in post.media):
            problems.append(_("WeChat articles here take images only, not video."))
        if not images:
            problems.append(
                _("A WeChat article needs a cover image: add at least one image (the first is the cover).")
            )
        for index, media in enumerate(images):
            name = media.filename[:80]
            kind = image_type(media)
            if not media.data:
                problems.append(_("“%(name)s” has no file to upload.") % {"name": name})
                continue
            if index == 0:
                if kind not in COVER_TYPES:
                    problems.append(
                        _("The cover “%(name)s” must be BMP, PNG, JPEG or GIF for WeChat.") % {"name": name}
                    )
                if len(media.data) > MAX_COVER_BYTES:
                    problems.append(
                        _("The cover “%(name)s” is %(mb).1f MB; WeChat takes up to 10 MB.")
                        % {"name": name, "mb": len(media.data) / 1e6}
                    )
            else:
                if kind not in INLINE_TYPES:
                    problems.append(
                        _("“%(name)s” must be JPEG or PNG to appear inside a WeChat article.")
                        % {"name": name}
                    )
                if len(media.data) >= MAX_INLINE_IMAGE_BYTES:
                    problems.append(
                        _("“%(name)s” is %(mb).2f MB; images inside a WeChat article must be under 1 MB.")
                        % {"name": name, "mb": len(media.data) / 1e6}
                    )
        account_type = str(post.options.get("account_type") or self.account_type)
        if post.options.get("send_mode") == "mass" and account_type not in MASS_SEND_QUOTAS:
            problems.append(_("The account type must be “subscription” or “service”."))
        return problems

    # ---- publishing ------------------------------------------------------------------------

    def _upload(self, path: str, media: MediaFile, params: dict[str, Any] | None = None) -> dict[str, Any]:
        # Not "mutating": an upload that is not attached to an article yet is invisible to
        # readers, so a lost answer is safe to retry (at worst an unused image stays behind).
        files = {"media": (media.filename or "image", media.data or b"", media.content_type)}
        return self._request("POST", path, mutating=False, params=params, files=files)

    def _draft(self, post: PostRequest) -> str:
        """Upload the images, add the draft; its media_id."""
        problems = self.check(post)
        if problems:
            raise PermanentError(" ".join(problems))
        article = self._article(post)
        images = [m for m in post.media if m.is_image]
        cover = self._upload("/cgi-bin/material/add_material", images[0], params={"type": "image"})
        thumb_media_id = str(cover.get("media_id") or "")
        if not thumb_media_id:
            raise RetryableError(_("WeChat did not return the cover image's media_id."))
        content = article.content
        for index, media in enumerate(images):
            # The body shows our images as src="asset:<id>" (see publishing.engine.build_post):
            # those are uploaded and put in their place; other images after the cover are appended.
            ref = f'src="asset:{media.asset_id}"' if media.asset_id is not None else ""
            in_body = bool(ref) and ref in content
            if index == 0 and not in_body:
                continue
            url = str(self._upload("/cgi-bin/media/uploadimg", media).get("url") or "")
            if not url:
                raise RetryableError(_("WeChat did not return the image's URL."))
            if in_body:
                content = content.replace(ref, f'src="{html.escape(url, quote=True)}"')
            else:
                content += f'<p><img src="{html.escape(url, quote=True)}"/></p>'
        # An image of ours that did not come with the post cannot be shown: leave it out.
        content = UNRESOLVED_ASSET_IMG.sub("", content)
        if len(content) >= MAX_CONTENT_CHARS or len(content.encode()) >= MAX_CONTENT_BYTES:
            raise PermanentError(
                _(
                    "With its images the article body is %(n)d characters long; WeChat takes fewer than %(max)d."
                )
                % {"n": len(content), "max": MAX_CONTENT_CHARS}
            )
        item: dict[str, Any] = {
            "title": article.title,
            "content": content,
            "thumb_media_id": thumb_media_id,
            "need_open_comment": article.need_open_comment,
            "only_fans_can_comment": article.only_fans_can_comment,
        }
        if article.author:
            item["author"] = article.author
        if article.digest:
            item["digest"] = article.digest
        if article.source_url:
            item["content_source_url"] = article.source_url
        # Not "mutating" for the post: a draft nobody publishes is invisible to readers, so a
        # lost answer may be retried (an unused draft can stay behind in the 草稿箱).
        data = self._request("POST", "/cgi-bin/draft/add", mutating=False, body={"articles": [item]})
        media_id = str(data.get("media_id") or "")
        if not media_id:
            raise RetryableError(_("WeChat did not return the draft's media_id."))
        return media_id

    def publish(self, post: PostRequest, *, idempotency_key: str) -> PublishResult:
        """Draft, then freepublish (default) or mass send (options["send_mode"] == "mass")."""
        self.require(KIND_CAPABILITY[post.effective_kind])
        if post.options.get("send_mode") == "mass":
            tag = post.options.get("tag_id")
            return self._mass_send(
                post, idempotency_key, tag_id=http.as_int(tag) if tag not in (None, "") else None
            )
        media_id = self._draft(post)
        submitted = self._request(
            "POST", "/cgi-bin/freepublish/submit", mutating=True, body={"media_id": media_id}
        )
        publish_id = str(submitted.get("publish_id") or "")
        if not publish_id:
            raise OutcomeUnknown(_("WeChat accepted the article but returned no publish_id."), raw=submitted)
        return self._await_publish(publish_id, submitted)

    def _await_publish(self, publish_id: str, submitted: dict[str, Any]) -> PublishResult:
        deadline = time.monotonic() + self.max_wait
        while True:
            try:
                data = self._request(
                    "POST", "/cgi-bin/freepublish/get", mutating=False, body={"publish_id": publish_id}
                )
            except ConnectorError as err:
                # The article is submitted: whatever goes wrong now (even an expired token), a
                # retry of publish() would make a second article. Reconcile instead.
                raise OutcomeUnknown(
                    _("The article was submitted but its status could not be read: %(msg)s")
                    % {"msg": err.message},
                    platform_code=err.platform_code,
                    raw={"publish_id": publish_id},
                ) from None
            status = http.as_int(data.get("publish_status"))
            if status == 0:
                return self._published(data, submitted)
            reason = publish_failure(status)
            if reason:
                failed = ", ".join(str(i) for i in data.get("fail_idx") or []) or "-"
                raise PermanentError(
                    _("WeChat did not publish the article: %(reason)s (failed articles: %(idx)s).")
                    % {"reason": reason, "idx": failed},
                    platform_code=f"publish_status_{status}",
                    raw=data,
                )
            if time.monotonic() >= deadline:
                raise OutcomeUnknown(
                    _("submitted, still being published"),
                    platform_code="publish_status_1",
                    raw={"publish_id": publish_id},
                )
            self._sleep(self.poll_interval)

    def _published(self, data: dict[str, Any], submitted: dict[str, Any]) -> PublishResult:
        items = (data.get("article_detail") or {}).get("item") or []
        url = str(items[0].get("article_url") or "") if items else ""
        return PublishResult(
            external_id=str(data.get("article_id") or ""),
            url=url,
            published_at=utcnow(),
            raw={**data, "msg_data_id": submitted.get("msg_data_id")},
        )

    def _mass_send(self, post: PostRequest, idempotency_key: str, *, tag_id: int | None) -> PublishResult:
        media_id = self._draft(post)
        account_type = str(post.options.get("account_type") or self.account_type)
        body: dict[str, Any] = {
            "filter": {"is_to_all": tag_id is None, **({"tag_id": tag_id} if tag_id is not None else {})},
            "mpnews": {"media_id": media_id},
            "msgtype": "mpnews",
            "send_ignore_reprint": 1 if post.options.get("send_ignore_reprint") else 0,
            "clientmsgid": clientmsgid_for(idempotency_key),
        }
        try:
            data = self._request(
                "POST", "/cgi-bin/message/mass/sendall", mutating=True, body=body, ok_codes=(45065,)
            )
        except QuotaExceeded as err:
            if err.platform_code == "45028":
                err.reset_at = mass_quota_reset(account_type)
                err.message = _(
                    "The account's mass-send quota is used up (%(msg)s): a subscription account may "
                    "mass-send once a day, a service account four times a month. It comes back at "
                    "%(when)s Beijing time."
                ) % {"msg": err.message, "when": err.reset_at.strftime("%Y-%m-%d %H:%M")}
                err.args = (err.message,)
            raise
        except PermanentError as err:
            if err.platform_code == "45066":
                # "same clientmsgid retry too fast": the first send arrived; asking again in a
                # minute answers 45065 with its msg_id (our assumption, from the 45066 text).
                raise RetryableError(err.message, retry_after=60.0, platform_code="45066") from None
            raise
        msg_id = str(data.get("msg_id") or "")
        if http.as_int(data.get("errcode")) == 45065:
            # The key was sent before: the draft we just made is a spare copy.
            self._discard_draft(media_id)
            return PublishResult(external_id=f"mass:{msg_id}", duplicate=True, raw=data)
        msg_data_id = str(data.get("msg_data_id") or "")
        external_id = f"mass:{msg_id}:{msg_data_id}" if msg_data_id else f"mass:{msg_id}"
        return PublishResult(external_id=external_id, published_at=utcnow(), raw=data)

    def _discard_draft(self, media_id: str) -> None:
        # Tidying up only: a leftover draft harms nobody, so any failure is ignored.
        with contextlib.suppress(ConnectorError):
            self._request("POST", "/cgi-bin/draft/delete", mutating=False, body={"media_id": media_id})

    def send_to_tag(self, *, tag: str, post: PostRequest, idempotency_key: str) -> PublishResult:
        """Mass-send the article to the followers with ``tag`` (a tag id or name)."""
        self.require(Capability.SEND_TO_TAG)
        self.require(KIND_CAPABILITY[post.effective_kind])
        tag_id = self._tag_id(tag, create=False)
        return self._mass_send(post, idempotency_key, tag_id=tag_id)

    def find_published(
        self, *, idempotency_key: str, since: dt.datetime, post: PostRequest
    ) -> PublishResult | None:
        """The freepublished article titled like ``post`` updated since ``since`` (None for mass sends)."""
        self.require(Capability.FIND_PUBLISHED)
        if post.options.get("send_mode") == "mass":
            # batchget does not list mass sends; clientmsgid, not lookup, protects those.
            return None
        title = normalise(post.title)
        floor = int((since - FIND_SKEW).timestamp())
        offset = 0
        for _page in range(FIND_MAX_PAGES):
            data = self._request(
                "POST",
                "/cgi-bin/freepublish/batchget",
                mutating=False,
                body={"offset": offset, "count": BATCHGET_PAGE, "no_content": 1},
            )
            items = data.get("item") or []
            for item in items:
                updated = http.as_int(
                    item.get("update_time") or (item.get("content") or {}).get("update_time")
                )
                if updated < floor:
                    continue
                for news in (item.get("content") or {}).get("news_item") or []:
                    if normalise(str(news.get("title") or "")) == title and not news.get("is_deleted"):
                        return PublishResult(
                            external_id=str(item.get("article_id") or ""),
                            url=str(news.get("url") or ""),
                            published_at=dt.datetime.fromtimestamp(updated, dt.UTC),
                            raw=item,
                        )
            offset += len(items)
            if not items or offset >= http.as_int(data.get("total_count")):
                break
        return None

    def delete(self, external_id: str) -> None:
        """freepublish/delete (all articles) or, for "mass:…", mass/delete; already gone is fine."""
        self.require(Capability.DELETE)
        if external_id.startswith("mass:"):
            msg_id = external_id.split(":")[1]
            body: dict[str, Any] = {"msg_id": http.as_int(msg_id), "article_idx": 0}
            self._request(
                "POST", "/cgi-bin/message/mass/delete", mutating=True, body=body, ok_codes=tuple(GONE_CODES)
            )
            return
        self._request(
            "POST",
            "/cgi-bin/freepublish/delete",
            mutating=True,
            body={"article_id": external_id, "index": 0},
            ok_codes=tuple(GONE_CODES),
        )

    # ---- metrics ---------------------------------------------------------------------------

    def fetch_account_metrics(self) -> AccountMetrics:
        """Yesterday's followers (getusercumulate) and gains/losses (getusersummary, all sources)."""
        self.require(Capability.ACCOUNT_METRICS)
        day = (shanghai_today() - dt.timedelta(days=1)).isoformat()
        span = {"begin_date": day, "end_date": day}
        summary = (
            self._request("POST", "/datacube/getusersummary", mutating=False, body=span).get("list") or []
        )
        cumulate = (
            self._request("POST", "/datacube/getusercumulate", mutating=False, body=span).get("list") or []
        )
        rows = [r for r in summary if r.get("ref_date") == day]
        totals = [r for r in cumulate if r.get("ref_date") == day]
        if not totals:
            # Yesterday's figures are not computed yet (WeChat advises asking after 08:00).
            return AccountMetrics(as_of=self._end_of(day), raw={"summary": summary, "cumulate": cumulate})
        return AccountMetrics(
            as_of=self._end_of(day),
            followers_total=http.as_int(totals[-1].get("cumulate_user")),
            # One row per user_source (search, QR code, …) that had any change: the day's
            # figure is their sum, and no row means nobody came or went.
            new_followers=sum(http.as_int(r.get("new_user")) for r in rows),
            lost_followers=sum(http.as_int(r.get("cancel_user")) for r in rows),
            raw={"summary": summary, "cumulate": cumulate},
        )

    @staticmethod
    def _end_of(day: str) -> dt.datetime:
        return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(23, 59, 59), SHANGHAI)

    def fetch_article_summary(self, day: dt.date) -> list[dict[str, Any]]:
        """getarticlesummary for one day: the day's reads of every mass-sent article read that day."""
        if day not in self._summaries:
            span = {"begin_date": day.isoformat(), "end_date": day.isoformat()}
            data = self._request("POST", "/datacube/getarticlesummary", mutating=False, body=span)
            self._summaries[day] = list(data.get("list") or [])
        return self._summaries[day]

    def fetch_post_metrics(self, external_id: str) -> PostMetrics:
        """Reads, readers, shares and saves of a mass-sent article, summed over ``post_metrics_days``."""
        self.require(Capability.POST_METRICS)
        msg_data_id = self._msg_data_id(external_id)
        yesterday = shanghai_today() - dt.timedelta(days=1)
        as_of = self._end_of(yesterday.isoformat())
        if not msg_data_id:
            # Freepublished articles (an article_id) are not in getarticlesummary: unknown, not zero.
            return PostMetrics(external_id=external_id, as_of=as_of, raw={"note": "no msg_data_id"})
        rows: list[dict[str, Any]] = []
        for back in range(self.post_metrics_days):
            day = yesterday - dt.timedelta(days=back)
            rows += [
                r
                for r in self.fetch_article_summary(day)
                if str(r.get("msgid", "")).split("_")[0] == msg_data_id
            ]
        if not rows:
            return PostMetrics(external_id=external_id, as_of=as_of, raw={"rows": []})

        def total(field: str) -> int:
            return sum(http.as_int(r.get(field)) for r in rows)

        return PostMetrics(
            external_id=external_id,
            as_of=as_of,
            impressions=total("int_page_read_count"),
            # A sum of daily unique readers: a reader on two days counts twice.
            reach=total("int_page_read_user"),
            shares=total("share_count"),
            saves=total("add_to_fav_count"),
            raw={"rows": rows},
        )

    @staticmethod
    def _msg_data_id(external_id: str) -> str:
        """The msg_data_id in "mass:<msg_id>:<msg_data_id>" or "<msg_data_id>[:<index>]" ('' if none)."""
        parts = external_id.split(":")
        if parts[0] == "mass":
            return parts[2] if len(parts) > 2 and parts[2].isdigit() else ""
        return parts[0] if parts[0].isdigit() else ""

    # ---- comments --------------------------------------------------------------------------

    def fetch_comments(self, *, cursor: str = "", post_id: str = "", limit: int = 40) -> CommentPage:
        """Comments of one article (post_id = "<msg_data_id>[:<index>]" or a "mass:…" id); cursor = offset."""
        self.require(Capability.COMMENTS)
        msg_data_id = self._msg_data_id(post_id)
        if not msg_data_id:
            raise PermanentError(
                _("WeChat lists comments per article: give the article's msg_data_id (optionally “:index”).")
            )
        parts = post_id.split(":")
        index = http.as_int(parts[1]) if parts[0] != "mass" and len(parts) > 1 else 0
        begin = http.as_int(cursor)
        body = {
            "msg_data_id": http.as_int(msg_data_id),
            "index": index,
            "begin": begin,
            "count": max(1, min(limit, MAX_COMMENT_PAGE)),
            "type": 0,
        }
        data = self._request("POST", "/cgi-bin/comment/list", mutating=False, body=body)
        raw_items = data.get("comment") or []
        items = [
            Comment(
                external_id=f"{msg_data_id}:{index}:{c.get('user_comment_id')}",
                text=str(c.get("content") or ""),
                created_at=dt.datetime.fromtimestamp(http.as_int(c.get("create_time")), dt.UTC),
                author_id=str(c.get("openid") or ""),
                author_handle=str(c.get("openid") or ""),
                in_reply_to=f"{msg_data_id}:{index}",
                raw=c,
            )
            for c in raw_items
        ]
        items.sort(key=lambda c: c.created_at)
        return CommentPage(items=items, cursor=str(begin + len(raw_items)))

    def reply(self, *, in_reply_to: str, text: str, idempotency_key: str) -> PublishResult:
        """comment/reply/add to "<msg_data_id>:<index>:<user_comment_id>" (WeChat keeps one reply per comment)."""
        self.require(Capability.REPLY)
        parts = in_reply_to.split(":")
        if len(parts) != 3 or not all(p.lstrip("-").isdigit() for p in parts):
            raise PermanentError(_("A WeChat comment id looks like “msg_data_id:index:user_comment_id”."))
        if not text.strip():
            raise PermanentError(_("A reply needs text."))
        body = {
            "msg_data_id": int(parts[0]),
            "index": int(parts[1]),
            "user_comment_id": int(parts[2]),
            "content": text.strip(),
        }
        self._request("POST", "/cgi-bin/comment/reply/add", mutating=True, body=body)
        return PublishResult(external_id=f"{in_reply_to}:reply", published_at=utcnow())

    # ---- audience --------------------------------------------------------------------------

    def fetch_followers(self, *, cursor: str = "", limit: int = 80) -> FollowerPage:
        """A page of openids from user/get; the cursor is the last openid seen (WeChat's next_openid)."""
        self.require(Capability.FOLLOWERS)
        data = self._request("GET", "/cgi-bin/user/get", mutating=False, params={"next_openid": cursor})
        openids = [str(o) for o in ((data.get("data") or {}).get("openid") or []) if o]
        if len(openids) > limit:
            # WeChat hands out up to 10000 at once; next_openid means "after this one", so the
            # last one we return is the cursor for the rest.
            page = openids[:limit]
            next_cursor = page[-1]
        else:
            page = openids
            next_cursor = str(data.get("next_openid") or "") if http.as_int(data.get("count")) > 0 else ""
        return FollowerPage(items=[Follower(external_id=o, handle=o) for o in page], next_cursor=next_cursor)

    def _tag_id(self, tag: str, *, create: bool) -> int:
        tag = tag.strip()
        if tag.isdigit():
            return int(tag)
        tags = self._request("GET", "/cgi-bin/tags/get", mutating=False).get("tags") or []
        for item in tags:
            if str(item.get("name") or "") == tag:
                return http.as_int(item.get("id"))
        if not create:
            raise PermanentError(_("The account has no follower tag named “%(tag)s”.") % {"tag": tag})
        created = self._request("POST", "/cgi-bin/tags/create", mutating=True, body={"tag": {"name": tag}})
        return http.as_int((created.get("tag") or {}).get("id"))

    def tag_followers(self, *, tag: str, follower_ids: Sequence[str]) -> None:
        """Tag the followers (openids) with ``tag`` (an id, or a name created when missing), 50 a call."""
        self.require(Capability.TAG_FOLLOWERS)
        ids = [str(i) for i in follower_ids if str(i)]
        if not ids:
            return
        tag_id = self._tag_id(tag, create=True)
        for start in range(0, len(ids), TAG_BATCH):
            body = {"openid_list": ids[start : start + TAG_BATCH], "tagid": tag_id}
            # Tagging twice is harmless, so a lost answer may be retried.
            self._request("POST", "/cgi-bin/tags/members/batchtagging", mutating=False, body=body)
