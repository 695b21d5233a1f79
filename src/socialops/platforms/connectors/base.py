"""The connector interface every platform client implements, its result types and its errors.

A connector acts as one account on one platform. It declares what it can do in
``capabilities``; every method whose capability is absent raises ``NotSupported``. Calls either
return a typed result or raise one of the ``ConnectorError`` subclasses below, each of which
tells the publishing engine exactly what to do next (see docs/platforms.md, "Errors"):

=================  ==========================================================================
RetryableError     nothing reached the platform (or it refused before acting: 429, 503,
                   connect failure): retry after ``retry_after`` seconds, with backoff + jitter.
OutcomeUnknown     the request may have reached the platform (read timeout, dropped connection,
                   500/502/504 after sending a write, a 2xx answer to a write that cannot be
                   read): never re-post blindly; reconcile with ``find_published`` first.
AuthExpired        the access token expired: ``refresh()``, store the new credentials, retry once.
AuthRevoked        the authorisation is gone (revoked token, refresh refused, signature
                   rejected): mark the connection ``needs_reauth``, pause its queue, tell admins.
QuotaExceeded      a platform quota is used up: wait until ``reset_at``; do not hammer.
PermanentError     the platform (or our own pre-flight check) rejected the content: tell the
                   user the platform's message; retrying will not help.
NotSupported       the connector cannot do this at all (capability absent).
=================  ==========================================================================

One rule is enforced here rather than left to each connector ("never twice"): once a write of
``publish`` / ``reply`` / ``send_to_tag`` has been answered with a 2xx status, the platform may
have made the post, so a ``RetryableError`` escaping the call afterwards (an answer that is not
JSON, ``ok: true`` with an empty result, a status read that failed) becomes ``OutcomeUnknown``.
Only the platform's own "not now" about that very write (a ``platform_code`` on the error) stays
retryable. ``note_request`` is how the HTTP layer reports what it sent (see ``http.send``).
"""

from __future__ import annotations

import abc
import contextvars
import dataclasses
import datetime as dt
import enum
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from django.utils.translation import gettext_lazy as _

from ..credentials import Credentials

if TYPE_CHECKING:
    from ..models import PlatformConnection


# ---- capabilities ----------------------------------------------------------------------------


class Capability(enum.StrEnum):
    """Things a connector may be able to do."""

    PUBLISH_TEXT = "publish_text"
    PUBLISH_IMAGES = "publish_images"
    PUBLISH_VIDEO = "publish_video"
    PUBLISH_ARTICLE = "publish_article"
    DELETE = "delete"
    POST_METRICS = "post_metrics"
    ACCOUNT_METRICS = "account_metrics"
    COMMENTS = "comments"
    MESSAGES = "messages"
    REPLY = "reply"
    FOLLOWERS = "followers"
    TAG_FOLLOWERS = "tag_followers"
    SEND_TO_TAG = "send_to_tag"
    # Look an already-published post up again (reconciliation after OutcomeUnknown).
    FIND_PUBLISHED = "find_published"
    # Take back a publish that is still waiting for a person (manual connector).
    WITHDRAW = "withdraw"
    # OAuth2 refresh of an expired access token.
    REFRESH = "refresh"


CAPABILITY_LABELS: dict[Capability, Any] = {
    Capability.PUBLISH_TEXT: _("Publish text"),
    Capability.PUBLISH_IMAGES: _("Publish images"),
    Capability.PUBLISH_VIDEO: _("Publish video"),
    Capability.PUBLISH_ARTICLE: _("Publish articles"),
    Capability.DELETE: _("Delete posts"),
    Capability.POST_METRICS: _("Post metrics"),
    Capability.ACCOUNT_METRICS: _("Account metrics"),
    Capability.COMMENTS: _("Comments and mentions"),
    Capability.MESSAGES: _("Direct messages"),
    Capability.REPLY: _("Reply"),
    Capability.FOLLOWERS: _("Follower list"),
    Capability.TAG_FOLLOWERS: _("Tag followers"),
    Capability.SEND_TO_TAG: _("Send to a tagged audience"),
    Capability.FIND_PUBLISHED: _("Find a published post again"),
    Capability.WITHDRAW: _("Withdraw a pending post"),
    Capability.REFRESH: _("Refresh expired tokens"),
}


class PostKind(enum.StrEnum):
    """What a post is, which decides the capability it needs."""

    TEXT = "text"
    IMAGES = "images"
    VIDEO = "video"
    ARTICLE = "article"


KIND_CAPABILITY = {
    PostKind.TEXT: Capability.PUBLISH_TEXT,
    PostKind.IMAGES: Capability.PUBLISH_IMAGES,
    PostKind.VIDEO: Capability.PUBLISH_VIDEO,
    PostKind.ARTICLE: Capability.PUBLISH_ARTICLE,
}


# ---- what goes in ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class MediaFile:
    """One image or video of a post.

    Upload connectors (Mastodon) send ``data``; connectors that hand over links (webhook,
    manual) send ``url``. ``asset_id`` is the content app's MediaAsset, when there is one.
    """

    filename: str
    content_type: str
    data: bytes | None = dataclasses.field(default=None, repr=False)
    url: str = ""
    description: str = ""
    asset_id: int | None = None
    # Shown inside an article's body (``asset:ID`` in body_html) rather than attached to the post:
    # a platform that does not take articles leaves it out.
    inline: bool = False

    @property
    def is_video(self) -> bool:
        return self.content_type.startswith("video/")

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


@dataclasses.dataclass(frozen=True)
class PostRequest:
    """Everything a connector needs to publish one post (a content variant, ready to go).

    ``text`` is the post body as the platform should show it; connectors add ``hashtags`` and
    ``link_url`` in the platform's own way when the text does not already contain them.
    ``options`` carries platform-specific fields (a variant's ``extra``), e.g. Mastodon's
    ``visibility``, ``spoiler_text``, ``sensitive``. The ``due_at`` / ``assignee_id`` /
    ``content_item_id`` / ``reference`` fields are for connectors that hand the post to a
    person (manual): when it is due, who does it, and what it belongs to.
    """

    text: str
    title: str = ""
    # An article's body as sanitised HTML (WeChat articles); empty for posts.
    body_html: str = ""
    link_url: str = ""
    hashtags: tuple[str, ...] = ()
    media: tuple[MediaFile, ...] = ()
    kind: PostKind | None = None
    in_reply_to: str = ""
    language: str = ""
    options: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    due_at: dt.datetime | None = None
    assignee_id: int | None = None
    content_item_id: int | None = None
    reference: str = ""

    @property
    def effective_kind(self) -> PostKind:
        if self.kind is not None:
            return self.kind
        if any(m.is_video for m in self.media):
            return PostKind.VIDEO
        if self.media:
            return PostKind.IMAGES
        return PostKind.TEXT


def compose_text(post: PostRequest) -> str:
    """The post's text with its link and its hashtags appended unless the text already has them.

    Mastodon, Bluesky and Telegram post it as is; platforms with their own caption rules
    (Douyin, Weibo) compose their own.
    """
    text = post.text.strip()
    if post.link_url and post.link_url not in text:
        text = f"{text}\n\n{post.link_url}" if text else post.link_url
    lowered = text.lower()
    tags = []
    for raw in post.hashtags:
        tag = re.sub(r"\s+", "", raw).lstrip("#")
        if tag and f"#{tag.lower()}" not in lowered and f"#{tag}" not in tags:
            tags.append(f"#{tag}")
    if tags:
        text = f"{text}\n\n{' '.join(tags)}" if text else " ".join(tags)
    return text


# ---- what comes out ------------------------------------------------------------------------


class PublishStatus(enum.StrEnum):
    """Whether a publish is done, or waiting for a person (manual connector)."""

    PUBLISHED = "published"
    PENDING = "pending"


@dataclasses.dataclass(frozen=True)
class PublishResult:
    """A post the platform has (or, when PENDING, a package handed to a person).

    ``duplicate`` is True when the platform recognised the idempotency key and returned the
    post it had already made instead of a new one. ``raw`` is the platform's response body.
    """

    external_id: str
    url: str = ""
    status: PublishStatus = PublishStatus.PUBLISHED
    published_at: dt.datetime | None = None
    duplicate: bool = False
    raw: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False)

    @property
    def is_published(self) -> bool:
        return self.status == PublishStatus.PUBLISHED


@dataclasses.dataclass(frozen=True)
class AccountInfo:
    """Who the credentials act as (the answer of a cheap "test connection" read)."""

    external_id: str
    handle: str
    display_name: str = ""
    url: str = ""
    raw: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False)


# Field names match goals.MetricSnapshot / analytics.PostRecord so the engine can copy them.
@dataclasses.dataclass(frozen=True)
class PostMetrics:
    """A post's counters at ``as_of`` (None: the platform does not report that figure)."""

    external_id: str
    as_of: dt.datetime
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    impressions: int | None = None
    reach: int | None = None
    clicks: int | None = None
    video_views: int | None = None
    raw: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False)


@dataclasses.dataclass(frozen=True)
class AccountMetrics:
    """An account's counters at ``as_of`` (None: not reported by the platform)."""

    as_of: dt.datetime
    followers_total: int | None = None
    following_total: int | None = None
    posts_total: int | None = None
    new_followers: int | None = None
    lost_followers: int | None = None
    impressions: int | None = None
    reach: int | None = None
    raw: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False)


@dataclasses.dataclass(frozen=True)
class Comment:
    """A comment, mention or direct message addressed to the account.

    ``in_reply_to`` is the external id of the post it answers (our post for a comment),
    ``is_private`` marks a direct message.
    """

    external_id: str
    text: str
    created_at: dt.datetime
    author_id: str
    author_handle: str
    author_name: str = ""
    in_reply_to: str = ""
    url: str = ""
    is_private: bool = False
    raw: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False)


@dataclasses.dataclass(frozen=True)
class CommentPage:
    """New comments since a cursor, oldest first, and the cursor to pass next time."""

    items: Sequence[Comment]
    cursor: str


@dataclasses.dataclass(frozen=True)
class Follower:
    """One follower of the account."""

    external_id: str
    handle: str
    display_name: str = ""
    tags: tuple[str, ...] = ()
    raw: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False)


@dataclasses.dataclass(frozen=True)
class FollowerPage:
    """A page of followers; ``next_cursor`` is empty on the last page."""

    items: Sequence[Follower]
    next_cursor: str = ""


@dataclasses.dataclass(frozen=True)
class RateLimit:
    """The platform's rate-limit headers from the last response (X-RateLimit-*)."""

    limit: int | None
    remaining: int | None
    reset_at: dt.datetime | None


@dataclasses.dataclass(frozen=True)
class Limits:
    """A platform's content limits, checked before anything is sent."""

    max_text_chars: int | None = None
    max_title_chars: int | None = None
    max_images: int | None = None
    max_videos: int | None = None
    mixed_media: bool = True
    # Mastodon counts every link as 23 characters, whatever its length.
    url_chars: int | None = None


# ---- errors ----------------------------------------------------------------------------------


class ConnectorError(Exception):
    """Base of every connector error. ``message`` is the platform's own words when it gave any."""

    kind: ClassVar[str] = "error"

    def __init__(
        self,
        message: str = "",
        *,
        status_code: int | None = None,
        platform_code: str = "",
        raw: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        self.status_code = status_code
        self.platform_code = platform_code
        self.raw = raw

    def __str__(self) -> str:
        return self.message or self.__class__.__name__


class NotSupported(ConnectorError):
    """The connector lacks this capability."""

    kind = "not_supported"

    def __init__(self, capability: Capability | str, message: str = "") -> None:
        super().__init__(message or f"not supported: {capability}")
        self.capability = capability


class RetryableError(ConnectorError):
    """Nothing was done on the platform; try again after ``retry_after`` seconds (None: use backoff)."""

    kind = "retryable"

    def __init__(self, message: str = "", *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class OutcomeUnknown(ConnectorError):
    """The request may have reached the platform; reconcile with find_published, never re-post blindly.

    ``pending_ref`` is the platform's id of a job it accepted and is still running (WeChat's
    publish_id): kept on the publication, so the platform's own result push can settle it.
    """

    kind = "outcome_unknown"

    def __init__(self, message: str = "", *, pending_ref: str = "", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.pending_ref = pending_ref


class AuthExpired(ConnectorError):
    """The access token has expired: refresh() and retry once."""

    kind = "auth_expired"


class AuthRevoked(ConnectorError):
    """The authorisation is gone: someone must connect the account again."""

    kind = "auth_revoked"


class RenewalLimitReached(ConnectorError):
    """The platform renews this refresh token no more; it works until it ends, then someone must connect again."""

    kind = "renewal_limit"


class QuotaExceeded(ConnectorError):
    """A platform quota is used up until ``reset_at`` (None: unknown; wait a long while)."""

    kind = "quota_exceeded"

    def __init__(self, message: str = "", *, reset_at: dt.datetime | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.reset_at = reset_at


class PermanentError(ConnectorError):
    """The platform rejected the request for good (validation, not allowed); show the message."""

    kind = "permanent"


# ---- the write guard -------------------------------------------------------------------------

# The requests sent during the guarded connector call in progress, as (mutating, HTTP status) in
# order; None outside a guarded call. A context variable, so threads and tasks never mix theirs.
_SENT: contextvars.ContextVar[list[tuple[bool, int]] | None] = contextvars.ContextVar(
    "socialops_connector_sent", default=None
)
# The connector methods that make something on the platform; every subclass's are guarded.
WRITE_METHODS = ("publish", "reply", "send_to_tag")


def note_request(*, mutating: bool, status: int) -> None:
    """Record a request that reached the platform (``status`` 0: sent, no answer)."""
    sent = _SENT.get()
    if sent is not None:
        sent.append((mutating, status))


def settle_retryable(err: RetryableError, sent: Sequence[tuple[bool, int]]) -> ConnectorError:
    """What a RetryableError escaping a write call really means, given the requests it sent.

    Nothing written, or no write answered 2xx: it is what it says. The platform's own code on an
    error read from the last request, itself the accepted write (Douyin's rate limit comes in a
    200 body): still "not now". Anything else after an accepted write: the post may exist.
    """
    accepted = [i for i, (mutating, status) in enumerate(sent) if mutating and 200 <= status < 300]
    if not accepted:
        return err
    if err.platform_code and accepted[-1] == len(sent) - 1:
        return err
    unknown = OutcomeUnknown(
        _(
            "The platform accepted the request but its answer could not be read (%(error)s); the post may exist."
        )
        % {"error": err.message or err.__class__.__name__},
        status_code=err.status_code,
        platform_code=err.platform_code,
        raw=err.raw,
    )
    unknown.__cause__ = err
    return unknown


def _guard_write(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def guarded(self: Connector, *args: Any, **kwargs: Any) -> Any:
        if _SENT.get() is not None:
            # Inside another guarded call (Mastodon's reply publishes): the outer guard settles.
            return method(self, *args, **kwargs)
        sent: list[tuple[bool, int]] = []
        token = _SENT.set(sent)
        try:
            return method(self, *args, **kwargs)
        except RetryableError as err:
            settled = settle_retryable(err, sent)
            if settled is err:
                raise
            raise settled from err
        finally:
            _SENT.reset(token)

    guarded.__write_guarded__ = True  # type: ignore[attr-defined]
    return guarded


# ---- the interface -------------------------------------------------------------------------


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Connector(abc.ABC):
    """One account on one platform. Subclasses set ``kind``, ``capabilities`` and ``limits``.

    ``dedupe_window`` is how long the platform itself recognises an idempotency key: re-sending
    a publish with the same key within it cannot make a second post (Mastodon: one hour; the
    webhook connector: always, by contract with the receiver; None: no such guarantee).
    """

    kind: ClassVar[str] = ""
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    limits: ClassVar[Limits] = Limits()
    dedupe_window: ClassVar[dt.timedelta | None] = None
    # How long after a publish its post may still not be listed (WeChat publishes in the
    # background): within it, find_published finding nothing means "ask again later", not "never made".
    reconcile_grace: ClassVar[dt.timedelta] = dt.timedelta(0)
    # A publication's retry budget: at most this many attempts, and no retry later than this after
    # its due time; then it goes to a person (the engine; PUBLISHING_RETRY_BUDGETS overrides per kind).
    retry_attempts: ClassVar[int] = 10
    retry_deadline: ClassVar[dt.timedelta] = dt.timedelta(hours=6)
    # Whether the connection needs a base URL (a server), and which credentials it uses.
    needs_base_url: ClassVar[bool] = False
    # Whether publish() sends the media's bytes (False: it hands over their links, so the engine
    # does not read the files).
    uploads_media: ClassVar[bool] = True

    def __init__(
        self,
        *,
        base_url: str = "",
        credentials: Credentials | None = None,
        account_ref: str = "",
        connection: PlatformConnection | None = None,
        timeout: Any = None,
        transport: Any = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        # The URL exactly as configured (a webhook's trailing slash matters to its receiver).
        self.url = base_url
        # HTTP connectors use these (an httpx.Timeout, an httpx transport for tests); others ignore them.
        self._timeout = timeout
        self._transport = transport
        self.credentials = credentials or Credentials()
        # The platform's id of the account, when known (saves a lookup).
        self.account_ref = account_ref
        self.connection = connection
        self.rate_limit: RateLimit | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in WRITE_METHODS:
            method = cls.__dict__.get(name)
            if method is not None and not getattr(method, "__write_guarded__", False):
                setattr(cls, name, _guard_write(method))

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__} {self.base_url or self.kind}>"

    # lifecycle
    def close(self) -> None:  # noqa: B027 - optional hook: connectors without a client have nothing to release
        """Release network resources."""

    def __enter__(self) -> Connector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # capabilities
    @classmethod
    def supports(cls, capability: Capability) -> bool:
        return capability in cls.capabilities

    def require(self, capability: Capability) -> None:
        """Raise NotSupported unless the connector has ``capability``."""
        if capability not in self.capabilities:
            raise NotSupported(capability)

    def check(self, post: PostRequest) -> list[str]:
        """Problems that would make the platform reject ``post`` (empty: fine). No network."""
        return []

    # auth
    @abc.abstractmethod
    def verify(self) -> AccountInfo:
        """A cheap read proving the credentials work ("test connection"); every connector has one."""

    def refresh(self) -> Credentials:
        """Exchange the refresh token for new credentials (the caller stores them)."""
        raise NotSupported(Capability.REFRESH)

    # How many times the platform renews a refresh token before the user must authorise again;
    # None: this platform has no renewal (its refresh tokens live as long as they are used).
    refresh_renewal_limit: ClassVar[int | None] = None

    def renew_refresh_token(self) -> Credentials:
        """Exchange the refresh token for a new one with a new lifetime (the caller stores them)."""
        raise NotSupported(Capability.REFRESH)

    # publishing
    def publish(self, post: PostRequest, *, idempotency_key: str) -> PublishResult:
        """Publish ``post``; the same ``idempotency_key`` must never make two posts."""
        raise NotSupported(KIND_CAPABILITY[post.effective_kind])

    def delete(self, external_id: str) -> None:
        """Delete a published post (deleting one that is already gone is not an error)."""
        raise NotSupported(Capability.DELETE)

    def find_published(
        self, *, idempotency_key: str, since: dt.datetime, post: PostRequest
    ) -> PublishResult | None:
        """The post published for ``idempotency_key`` since ``since``, or None if there is none."""
        raise NotSupported(Capability.FIND_PUBLISHED)

    def withdraw(self, *, idempotency_key: str) -> bool:
        """Take back a pending publish; False when it had already been posted."""
        raise NotSupported(Capability.WITHDRAW)

    # metrics
    def fetch_post_metrics(self, external_id: str) -> PostMetrics:
        raise NotSupported(Capability.POST_METRICS)

    def fetch_account_metrics(self) -> AccountMetrics:
        raise NotSupported(Capability.ACCOUNT_METRICS)

    # interaction
    def fetch_comments(self, *, cursor: str = "", post_id: str = "", limit: int = 40) -> CommentPage:
        """Comments and mentions newer than ``cursor`` (or the replies under ``post_id``)."""
        raise NotSupported(Capability.COMMENTS)

    def fetch_messages(self, *, cursor: str = "", limit: int = 40) -> CommentPage:
        """Direct messages newer than ``cursor``."""
        raise NotSupported(Capability.MESSAGES)

    def reply(
        self, *, in_reply_to: str, text: str, idempotency_key: str, recipient: str = "", private: bool = False
    ) -> PublishResult:
        """Answer the fan message ``in_reply_to``. ``private`` answers a direct message privately,
        to ``recipient`` (the fan's handle where the platform addresses people by handle, else
        their platform id); a public answer to a private message would be a privacy breach."""
        raise NotSupported(Capability.REPLY)

    # audience
    def fetch_followers(self, *, cursor: str = "", limit: int = 80) -> FollowerPage:
        raise NotSupported(Capability.FOLLOWERS)

    def tag_followers(self, *, tag: str, follower_ids: Sequence[str]) -> None:
        raise NotSupported(Capability.TAG_FOLLOWERS)

    def send_to_tag(self, *, tag: str, post: PostRequest, idempotency_key: str) -> PublishResult:
        raise NotSupported(Capability.SEND_TO_TAG)
