"""Shared HTTP plumbing of the connectors: one httpx client, and failures sorted by what they mean.

The one rule that matters most: for a request that changes something on the platform
(``mutating``), a failure after the request may have been sent is ``OutcomeUnknown``, never
``RetryableError``. Only a failure that provably happened before sending (connect error or
timeout, pool timeout) or an explicit "not now" from the platform (429, 503) is retryable.
Reads are always safe to retry.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import json
import logging
import re
import ssl
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import httpx
from django.utils.translation import gettext as _

from socialops.core import egress

from ..credentials import Credentials
from .base import (
    Connector,
    ConnectorError,
    OutcomeUnknown,
    PermanentError,
    QuotaExceeded,
    RateLimit,
    RetryableError,
    note_request,
    utcnow,
)

log = logging.getLogger(__name__)
USER_AGENT = "socialops/0.1 (+https://github.com/socialops)"
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=20.0, write=20.0, pool=5.0)
# A 429 whose window resets further away than this is a quota, not a burst: wait, don't hammer.
QUOTA_THRESHOLD = dt.timedelta(minutes=5)
# Statuses that say "the server did not act on this request; ask again later".
RETRY_STATUSES = {408, 425, 429, 503}
# Chinese platforms (WeChat, Weibo, Douyin) count their daily quotas in Beijing time.
CHINA = zoneinfo.ZoneInfo("Asia/Shanghai")
# Platforms that take the token in the query string (WeChat, Weibo, Douyin's older APIs).
QUERY_TOKEN_RE = re.compile(r"(access_token=)[^&\s\"'#<>]+")


def redact(text: str, *secrets: str) -> str:
    """The text with the given secrets and any ``access_token=…`` query value masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return QUERY_TOKEN_RE.sub(r"\1***", text)


@contextmanager
def secrets_redacted(*secrets: str) -> Iterator[None]:
    """Re-raise a ``ConnectorError`` of the block with ``secrets`` masked in its message."""
    try:
        yield
    except ConnectorError as err:
        err.message = redact(err.message, *secrets)
        err.args = (err.message,)
        # Drop the httpx exception chain: request URLs and bodies can carry the secrets.
        raise err from None


def refreshed_credentials(creds: Credentials, data: dict[str, Any]) -> Credentials:
    """``creds`` updated from an OAuth token answer; the refresh token is kept when not rotated.

    A ``refresh_expires_in`` in the answer dates the refresh token; without one a rotated refresh
    token's end is unknown and a kept one keeps its date.
    """
    expires_in = as_int(data.get("expires_in"))
    refresh_token = str(data.get("refresh_token") or creds.refresh_token)
    refresh_expires_in = as_int(data.get("refresh_expires_in"))
    if refresh_expires_in:
        refresh_expires_at: dt.datetime | None = utcnow() + dt.timedelta(seconds=refresh_expires_in)
    elif refresh_token == creds.refresh_token:
        refresh_expires_at = creds.refresh_expires_at
    else:
        refresh_expires_at = None
    return creds.replace(
        access_token=str(data["access_token"]),
        refresh_token=refresh_token,
        expires_at=utcnow() + dt.timedelta(seconds=expires_in) if expires_in else None,
        refresh_expires_at=refresh_expires_at,
    )


class RedactQueryTokenFilter(logging.Filter):
    """Masks ``access_token=…`` in log records (httpx logs every request's full URL at INFO)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "access_token=" in message:
            record.msg = redact(message)
            record.args = ()
        return True


def _install_log_filter() -> None:
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactQueryTokenFilter) for f in logger.filters):
            logger.addFilter(RedactQueryTokenFilter())


_install_log_filter()


def next_china_midnight(now: dt.datetime | None = None) -> dt.datetime:
    """The next 00:00 in Beijing time (when a Chinese platform's daily quota comes back), in UTC."""
    local = (now or utcnow()).astimezone(CHINA)
    midnight = (local + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(dt.UTC)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verified TLS context for every client: building one costs ~17 ms of CPU (loading the CA
    bundle), which a client per publication would otherwise pay every time."""
    return ssl.create_default_context()


def make_client(
    base_url: str,
    *,
    headers: dict[str, str] | None = None,
    timeout: httpx.Timeout | float | None = None,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """An httpx client that never follows redirects (a redirected POST could be re-sent elsewhere).

    Its connections go through the egress policy (``core.egress``: no private, loopback or
    link-local addresses unless allowed by settings); ``transport`` (tests' fakes) replaces it.
    """
    return httpx.Client(
        base_url=base_url,
        headers={"User-Agent": USER_AGENT, **(headers or {})},
        timeout=timeout if timeout is not None else DEFAULT_TIMEOUT,
        transport=transport if transport is not None else egress.guarded_transport(verify=_tls_context()),
        follow_redirects=False,
    )


def send(client: httpx.Client, request: httpx.Request, *, mutating: bool) -> httpx.Response:
    """Send and sort transport failures into RetryableError / OutcomeUnknown.

    Every request that reached the platform is reported to the connector's write guard
    (``base.note_request``), which turns a later RetryableError after an accepted write into
    OutcomeUnknown.
    """
    try:
        response = client.send(request)
    except egress.EgressRefused as exc:
        # A configuration error (the URL points into a private network): nothing was sent, and
        # asking again will not help. The message names the host, never anything it answered.
        raise PermanentError(str(exc)) from None
    except (httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise RetryableError(f"could not connect in time: {exc.__class__.__name__}") from exc
    except httpx.ConnectError as exc:
        raise RetryableError(f"could not connect: {exc}") from exc
    except httpx.TimeoutException as exc:
        # Read or write timeout: the request (or part of it) was on the wire.
        note_request(mutating=mutating, status=0)
        if mutating:
            raise OutcomeUnknown(f"no answer in time ({exc.__class__.__name__}); the post may exist") from exc
        raise RetryableError(f"no answer in time: {exc.__class__.__name__}") from exc
    except httpx.TransportError as exc:
        # Dropped connection, protocol error: sent, answer lost.
        note_request(mutating=mutating, status=0)
        if mutating:
            raise OutcomeUnknown(f"connection lost ({exc.__class__.__name__}); the post may exist") from exc
        raise RetryableError(f"connection lost: {exc}") from exc
    note_request(mutating=mutating, status=response.status_code)
    return response


def unreadable_answer(response: httpx.Response, *, mutating: bool, platform: str = "") -> ConnectorError:
    """The error for an answer that cannot be read (not JSON, or not the shape documented).

    After a write the platform answered with 2xx, it may have made the post: OutcomeUnknown
    (reconcile), never RetryableError (which would send it again). Otherwise nothing is known
    to have happened: RetryableError.
    """
    who = platform or _("The platform")
    if mutating and 200 <= response.status_code < 300:
        return OutcomeUnknown(
            _("%(who)s accepted the request but sent an answer that cannot be read; the post may exist.")
            % {"who": who},
            status_code=response.status_code,
        )
    return RetryableError(
        _("%(who)s sent an answer that cannot be read.") % {"who": who}, status_code=response.status_code
    )


def _parse_time(value: str) -> dt.datetime | None:
    value = value.strip()
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def as_int_or_none(value: Any) -> int | None:
    """A platform's number (int or numeric string) as an int; None when absent or unreadable."""
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def as_int(value: Any) -> int:
    """A platform's number as an int; 0 when absent or unreadable (counters)."""
    return as_int_or_none(value) or 0


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def rate_limit_of(response: httpx.Response) -> RateLimit | None:
    """X-RateLimit-Limit / -Remaining / -Reset (an ISO 8601 time, or seconds from now)."""
    headers = response.headers
    if "x-ratelimit-remaining" not in headers and "x-ratelimit-reset" not in headers:
        return None
    reset_raw = headers.get("x-ratelimit-reset", "")
    reset_at = _parse_time(reset_raw)
    if reset_at is None and reset_raw.strip().isdigit():
        seconds = int(reset_raw.strip())
        # Some platforms send a Unix time, others seconds to wait.
        reset_at = (
            dt.datetime.fromtimestamp(seconds, dt.UTC)
            if seconds > 10**9
            else utcnow() + dt.timedelta(seconds=seconds)
        )
    return RateLimit(
        limit=as_int_or_none(headers.get("x-ratelimit-limit")),
        remaining=as_int_or_none(headers.get("x-ratelimit-remaining")),
        reset_at=reset_at,
    )


def retry_after_of(response: httpx.Response) -> float | None:
    """Seconds to wait from Retry-After (seconds or an HTTP date), else from X-RateLimit-Reset."""
    value = response.headers.get("retry-after", "").strip()
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            when = _parse_time(value)
            if when is not None:
                return max(0.0, (when - utcnow()).total_seconds())
    limit = rate_limit_of(response)
    if limit is not None and limit.reset_at is not None:
        return max(0.0, (limit.reset_at - utcnow()).total_seconds())
    return None


def body_json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return None


def error_message(response: httpx.Response) -> str:
    """The platform's error text: {"error": …} / {"message": …} / {"error_description": …}, else the status.

    A body that is not the platform's JSON error (an HTML page from a proxy, a wrong URL, some other
    server) is never shown or stored: it is a foreign server's content, and echoing it would let
    "test connection" read whatever a URL answers. It goes to the debug log, clipped.
    """
    data = body_json(response)
    if isinstance(data, dict):
        for key in ("error_description", "error", "message", "detail", "errmsg"):
            value = data.get(key)
            if isinstance(value, str) and value:
                return value[:1000]
    content_type = response.headers.get("content-type", "").split(";")[0].strip() or "?"
    log.debug(
        "HTTP %s answer that is not a JSON error (%s): %.200r",
        response.status_code,
        content_type,
        response.text,
    )
    return _("HTTP %(status)s: the answer is not the platform's error format (%(type)s)") % {
        "status": response.status_code,
        "type": content_type,
    }


def raise_for_common(response: httpx.Response, *, mutating: bool) -> None:
    """Raise for the statuses every HTTP platform means the same way (429, 5xx, other 4xx).

    Connectors handle their own auth statuses (401/403) and special cases before calling this.
    """
    status = response.status_code
    if status < 400:
        return
    message = error_message(response)
    if status == 429:
        wait = retry_after_of(response)
        if wait is not None and wait > QUOTA_THRESHOLD.total_seconds():
            raise QuotaExceeded(
                message,
                reset_at=utcnow() + dt.timedelta(seconds=wait),
                status_code=status,
                raw=body_json(response),
            )
        raise RetryableError(message, retry_after=wait, status_code=status, raw=body_json(response))
    if status in RETRY_STATUSES:
        raise RetryableError(message, retry_after=retry_after_of(response), status_code=status)
    if status >= 500:
        # 500/502/504 after a write: the platform (or the service behind a gateway) may have
        # acted before failing, so the post may exist.
        if mutating:
            raise OutcomeUnknown(message, status_code=status)
        raise RetryableError(message, retry_after=retry_after_of(response), status_code=status)
    raise PermanentError(message, status_code=status, raw=body_json(response))


class HttpConnector(Connector):
    """A connector speaking HTTP: one httpx client per connector, made on first use, closed with it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._http: httpx.Client | None = None

    # False: requests name their full URL (a webhook's URL is used exactly as configured).
    client_has_base_url: ClassVar[bool] = True

    @property
    def client(self) -> httpx.Client:
        """The connector's httpx client (base URL, timeout and, in tests, transport of the connector)."""
        if self._http is None:
            base = self.base_url if self.client_has_base_url else ""
            self._http = make_client(base, timeout=self._timeout, transport=self._transport)
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None
