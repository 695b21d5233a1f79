"""WeChat Official Account connector, part 1: limits, error codes, helpers and the transport (token, errors).

The endpoints and their documentation are listed in wechat.py; wechat_audience.py adds the
reading side, wechat.py the publishing side.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from django.utils.translation import gettext as _

from ..credentials import Credentials
from . import http
from .base import (
    AccountInfo,
    AuthExpired,
    AuthRevoked,
    ConnectorError,
    MediaFile,
    OutcomeUnknown,
    PermanentError,
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
# freepublish/submit's 53501 (请勿频繁请求, seen on the developer community; not in the error
# table) and how long we wait before asking again (our assumption).
FREQUENT_PUBLISH_CODE = 53501
FREQUENT_PUBLISH_WAIT = 300.0
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


def mass_article_id(payload: dict[str, Any]) -> str:
    """The msg_data_id of a mass send, read from its MASSSENDJOBFINISH push ('' when absent).

    The push lists the sent articles' URLs (ArticleUrlResult/ResultList/item/ArticleUrl); an
    article URL's ``mid`` parameter is the message's appmsgid, the msg_data_id that comment/list and
    the data cube ask for (our assumption, from the URLs WeChat hands out: not stated in the docs).
    """
    result = payload.get("ArticleUrlResult") or {}
    items = (result.get("ResultList") or {}).get("item") if isinstance(result, dict) else None
    if isinstance(items, dict):
        items = [items]
    for item in items or []:
        url = str(item.get("ArticleUrl") or "") if isinstance(item, dict) else ""
        mid = parse_qs(urlsplit(url).query).get("mid", [""])[0]
        if mid.isdigit():
            return mid
    return ""


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


class WechatClient(http.HttpConnector):
    """The 公众号 server API transport: the access token, requests, WeChat's error codes, refresh and verify."""

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
        self._reads: dict[dt.date, list[dict[str, Any]]] = {}

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
        with http.secrets_redacted(token, self.credentials.client_secret):
            response = http.send(self.client, request, mutating=mutating)
            return self._answer(response, mutating=mutating, ok_codes=ok_codes)

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
        if code == FREQUENT_PUBLISH_CODE:
            # "请勿频繁请求" from freepublish/submit: not now, not never. The request was refused, so
            # nothing was published and asking again later cannot make a second article.
            return RetryableError(
                _("WeChat asks us not to publish so often (%(msg)s); trying again in a few minutes.")
                % {"msg": errmsg},
                retry_after=FREQUENT_PUBLISH_WAIT,
                **kwargs,
            )
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
