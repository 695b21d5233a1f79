"""Bluesky connector: a client of the AT Protocol XRPC API (docs.bsky.app, atproto.com lexicons).

- auth: com.atproto.server.createSession with the handle (``client_id``) and an app password
  (``client_secret``) gives ``accessJwt`` / ``refreshJwt`` (stored as access / refresh token);
  com.atproto.server.refreshSession (bearer refreshJwt) renews them. A 400 ``ExpiredToken`` is
  AuthExpired; a 401 is retried once after a refresh (or a new session), then AuthRevoked.
- publish: com.atproto.repo.putRecord on ``app.bsky.feed.post`` with a record key WE derive from
  the publication. The post lexicon's key type is ``tid`` (atproto.com/specs/record-key): a
  record under any other key lands on the PDS but the AppView does not index it, so it never
  shows on bsky.app. The TID is made from the publication's due time and its idempotency key
  (``tid_for``), so a retry writes the same record: putRecord with the same rkey cannot make a
  second post, and find_published is a getRecord of that rkey. The text is checked against both
  limits of the lexicon: 300 graphemes and 3,000 bytes. Images first through
  com.atproto.repo.uploadBlob (≤ 4, ≤ 1,000,000 bytes each), embedded as
  ``app.bsky.embed.images``. Links and hashtags become facets (byte offsets in UTF-8), found
  where Bluesky's own detection finds them: a link after the start, whitespace or ``(``; a
  hashtag after the start or whitespace.
- delete: com.atproto.repo.deleteRecord. Metrics: app.bsky.feed.getPosts (likeCount,
  repostCount, replyCount, quoteCount) and app.bsky.actor.getProfile.
- comments: app.bsky.notification.listNotifications with reasons reply, mention and quote. The
  API pages from the newest back to older ones, so our cursor is the newest ``indexedAt``
  returned: a pull walks back until it reaches it and hands over the oldest new ones first.
- reply: a post record whose ``reply`` holds strong refs (uri + cid) to the parent and to the
  thread's root (the parent's own ``reply.root``, read with app.bsky.feed.getPosts), under the
  same TID record key derivation as posts, so a retry rewrites the same record. No direct
  messages: Bluesky DMs are the separate chat.bsky service (proxied with an
  ``atproto-proxy`` header), which this connector does not speak.
- 429 carries ``ratelimit-reset`` (a Unix time): a short wait is RetryableError, a long one
  QuotaExceeded. ``InvalidRequest`` and other 400s are PermanentError.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
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
    Limits,
    MediaFile,
    OutcomeUnknown,
    PermanentError,
    PostMetrics,
    PostRequest,
    PublishResult,
    QuotaExceeded,
    RetryableError,
    compose_text,
    utcnow,
)

DEFAULT_PDS = "https://bsky.social"
POST_COLLECTION = "app.bsky.feed.post"
MAX_GRAPHEMES = 300
# app.bsky.feed.post: text maxGraphemes 300, maxLength 3000 (bytes of UTF-8).
MAX_TEXT_BYTES = 3000
MAX_IMAGES = 4
MAX_IMAGE_BYTES = 1_000_000
RKEY_RE = re.compile(r"^[A-Za-z0-9._:~-]{1,512}$")
# Short keys keep the at:// URI (our external id) within the 128 characters it is stored in.
MAX_RKEY = 40
# A link starts at the start, after whitespace or after "(" (as Bluesky's detectFacets) and ends
# at whitespace or at the first non-ASCII character: in Chinese text, "…?id=1，欢迎" ends at "，".
URL_RE = re.compile(r"(?:^|(?<=[\s(]))https?://[!-~]+")
TAG_RE = re.compile(r"(?:^|(?<=\s))[#＃]([^\s#＃]{1,64})")
# TIDs: 13 characters of base32-sortable, the first one of the lower half (the top bit is 0).
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
TID_RE = re.compile(r"^[234567a-j][234567a-z]{12}$")
# listNotifications: the reasons that are a fan talking to us, at most 100 a page (the lexicon's
# maximum), and how many pages one pull walks back at most.
NOTIFICATION_REASONS = ("reply", "mention", "quote")
NOTIFICATION_PAGE = 100
MAX_NOTIFICATION_PAGES = 10
# For a call without a due time (a reply): a time in 2024 taken from the key (stable, plausible).
_FALLBACK_EPOCH_US = 1_704_067_200_000_000


def graphemes(text: str) -> int:
    """Length in grapheme clusters, as Bluesky counts its 300 limit (an emoji with modifiers is one)."""
    return len(regex.findall(r"\X", text))


def tid(timestamp_us: int, clock_id: int) -> str:
    """The TID of a time in microseconds since 1970 and a 10-bit clock id (atproto.com/specs/tid)."""
    value = ((timestamp_us & ((1 << 53) - 1)) << 10) | (clock_id & 0x3FF)
    chars = []
    for _i in range(13):
        chars.append(TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def tid_for(idempotency_key: str, due_at: dt.datetime | None) -> str:
    """The publication's record key: its due time (to the second) and its idempotency key.

    The clock id and the microseconds within the due second come from a hash of the key, so two
    posts of one account due in the same second still get different keys (a shared key would
    make the second putRecord overwrite the first post).
    """
    digest = int.from_bytes(hashlib.sha256(idempotency_key.encode()).digest()[:8], "big")
    clock_id = digest & 0x3FF
    micros = (digest >> 10) % 1_000_000
    if due_at is None:
        seconds = _FALLBACK_EPOCH_US // 1_000_000 + (digest >> 30) % (366 * 86400)
    else:
        seconds = int(due_at.timestamp())
    return tid(seconds * 1_000_000 + micros, clock_id)


def legacy_record_key(idempotency_key: str) -> str:
    """The record key of posts made before record keys were TIDs (still looked up when reconciling)."""
    if (
        RKEY_RE.match(idempotency_key)
        and len(idempotency_key) <= MAX_RKEY
        and idempotency_key not in (".", "..")
    ):
        return idempotency_key
    return hashlib.sha256(idempotency_key.encode()).hexdigest()[:MAX_RKEY]


def _byte_slice(text: str, start: int, end: int) -> dict[str, int]:
    return {"byteStart": len(text[:start].encode()), "byteEnd": len(text[:end].encode())}


def facets(text: str) -> list[dict[str, Any]]:
    """Rich-text facets for links and hashtags (byte offsets into the UTF-8 text)."""
    found: list[dict[str, Any]] = []
    for match in URL_RE.finditer(text):
        url = match.group(0).rstrip(".,;:!?")
        if url.endswith(")") and "(" not in url:
            url = url[:-1]
        found.append(
            {
                "index": _byte_slice(text, match.start(), match.start() + len(url)),
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": url}],
            }
        )
    for match in TAG_RE.finditer(text):
        tag = match.group(1).rstrip(".,;:!?")
        if not tag:
            continue
        start = match.start(1) - 1
        found.append(
            {
                "index": _byte_slice(text, start, match.start(1) + len(tag)),
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}],
            }
        )
    return found


def parse_time(value: Any) -> dt.datetime | None:
    """An AT Protocol datetime (``2024-01-01T12:00:00.123Z``) as an aware UTC datetime, or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _time_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _strong_ref(value: Any) -> dict[str, str] | None:
    """``{"uri", "cid"}`` of a com.atproto.repo.strongRef, or None when it is not one."""
    if not isinstance(value, dict):
        return None
    uri, cid = value.get("uri"), value.get("cid")
    if isinstance(uri, str) and uri.startswith("at://") and isinstance(cid, str) and cid:
        return {"uri": uri, "cid": cid}
    return None


def quoted_uri(record: dict[str, Any]) -> str:
    """The URI of the post a record quotes (app.bsky.embed.record or recordWithMedia), or ""."""
    embed = record.get("embed")
    if not isinstance(embed, dict):
        return ""
    inner = embed.get("record")
    if isinstance(inner, dict) and isinstance(inner.get("record"), dict):
        inner = inner["record"]  # recordWithMedia: {"record": {"record": strongRef}, "media": …}
    uri = inner.get("uri") if isinstance(inner, dict) else None
    return uri if isinstance(uri, str) else ""


def rkey_of(external_id: str) -> str:
    """The record key at the end of an at:// URI (or the value itself when it is a bare key)."""
    return external_id.rstrip("/").rsplit("/", 1)[-1]


class BlueskyConnector(http.HttpConnector):
    """A Bluesky account on its PDS (bsky.social unless another server is configured)."""

    kind = "bluesky"
    capabilities = frozenset(
        {
            Capability.PUBLISH_TEXT,
            Capability.PUBLISH_IMAGES,
            Capability.DELETE,
            Capability.POST_METRICS,
            Capability.ACCOUNT_METRICS,
            Capability.FIND_PUBLISHED,
            Capability.REFRESH,
            Capability.COMMENTS,
            Capability.REPLY,
        }
    )
    limits = Limits(max_text_chars=MAX_GRAPHEMES, max_images=MAX_IMAGES, max_videos=0, mixed_media=False)
    # putRecord with our record key is idempotent for as long as the record exists.
    dedupe_window = dt.timedelta(days=36500)
    needs_base_url = False

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not self.base_url:
            self.base_url = DEFAULT_PDS
        self.handle = self.credentials.client_id

    # ---- plumbing --------------------------------------------------------------------------

    def _raise(self, response: httpx.Response, *, mutating: bool) -> None:
        status = response.status_code
        if status < 400:
            return
        data = http.body_json(response)
        code = str(data.get("error") or "") if isinstance(data, dict) else ""
        message = str(data.get("message") or code) if isinstance(data, dict) else ""
        message = (message or http.error_message(response))[:1000]
        if code == "ExpiredToken":
            raise AuthExpired(message, status_code=status, platform_code=code)
        if status == 401:
            raise AuthRevoked(message, status_code=status, platform_code=code)
        if status == 429:
            wait: float | None = None
            reset = response.headers.get("ratelimit-reset", "").strip()
            if reset.isdigit():
                wait = max(
                    0.0, dt.datetime.fromtimestamp(int(reset), dt.UTC).timestamp() - utcnow().timestamp()
                )
            else:
                wait = http.retry_after_of(response)
            if wait is not None and wait > http.QUOTA_THRESHOLD.total_seconds():
                raise QuotaExceeded(
                    message,
                    reset_at=utcnow() + dt.timedelta(seconds=wait),
                    status_code=status,
                    platform_code=code,
                )
            raise RetryableError(message, retry_after=wait, status_code=status, platform_code=code)
        if status == 400:
            raise PermanentError(message, status_code=status, platform_code=code, raw=data)
        http.raise_for_common(response, mutating=mutating)

    def _call(
        self,
        method: str,
        nsid: str,
        *,
        mutating: bool,
        ok_codes: tuple[str, ...] = (),
        retry_auth: bool = True,
        **kwargs: Any,
    ) -> httpx.Response:
        self._ensure_session()
        extra: dict[str, str] = kwargs.pop("headers", {})
        headers = {"Authorization": f"Bearer {self.credentials.access_token}", **extra}
        request = self.client.build_request(method, f"/xrpc/{nsid}", headers=headers, **kwargs)
        response = http.send(self.client, request, mutating=mutating)
        if response.status_code == 401 and retry_auth:
            # Refresh (or sign in again with the app password) once; every call we make is safe
            # to repeat (putRecord/deleteRecord by our own record key, blobs are content-addressed).
            self.refresh()
            return self._call(
                method, nsid, mutating=mutating, ok_codes=ok_codes, retry_auth=False, headers=extra, **kwargs
            )
        if response.status_code == 400 and ok_codes:
            data = http.body_json(response)
            if isinstance(data, dict) and data.get("error") in ok_codes:
                return response
        self._raise(response, mutating=mutating)
        return response

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        data = http.body_json(response)
        if not isinstance(data, dict):
            raise RetryableError(
                _("The platform sent an answer that is not JSON."), status_code=response.status_code
            )
        return data

    def _session_from(self, data: dict[str, Any]) -> Credentials:
        if not data.get("accessJwt") or not data.get("did"):
            raise AuthRevoked(_("Bluesky did not open a session."))
        self.account_ref = str(data["did"])
        self.handle = str(data.get("handle") or self.handle)
        self.credentials = self.credentials.replace(
            access_token=str(data["accessJwt"]), refresh_token=str(data.get("refreshJwt") or "")
        )
        return self.credentials

    def _create_session(self) -> Credentials:
        creds = self.credentials
        if not creds.client_id or not creds.client_secret:
            raise AuthRevoked(_("Enter the Bluesky handle and an app password to connect this account."))
        request = self.client.build_request(
            "POST",
            "/xrpc/com.atproto.server.createSession",
            json={"identifier": creds.client_id, "password": creds.client_secret},
        )
        response = http.send(self.client, request, mutating=False)
        if response.status_code in (400, 401):
            data = http.body_json(response)
            code = str(data.get("error") or "") if isinstance(data, dict) else ""
            raise AuthRevoked(
                http.error_message(response), status_code=response.status_code, platform_code=code
            )
        self._raise(response, mutating=False)
        return self._session_from(self._json(response))

    def _ensure_session(self) -> None:
        if not self.credentials.access_token:
            self._create_session()

    # ---- auth ------------------------------------------------------------------------------

    def refresh(self) -> Credentials:
        """refreshSession with the refresh JWT; when that is refused, a new session with the app password."""
        creds = self.credentials
        if creds.refresh_token:
            request = self.client.build_request(
                "POST",
                "/xrpc/com.atproto.server.refreshSession",
                headers={"Authorization": f"Bearer {creds.refresh_token}"},
            )
            response = http.send(self.client, request, mutating=False)
            if response.status_code < 400:
                return self._session_from(self._json(response))
            if response.status_code not in (400, 401):
                self._raise(response, mutating=False)
        return self._create_session()

    def verify(self) -> AccountInfo:
        self._ensure_session()
        data = self._json(self._call("GET", "com.atproto.server.getSession", mutating=False))
        self.account_ref = str(data.get("did") or self.account_ref)
        self.handle = str(data.get("handle") or self.handle)
        return AccountInfo(
            external_id=self.account_ref,
            handle=self.handle,
            url=f"https://bsky.app/profile/{self.handle}" if self.handle else "",
            raw=data,
        )

    def _repo(self) -> str:
        self._ensure_session()
        if not self.account_ref:
            self.verify()
        return self.account_ref

    # ---- publishing ------------------------------------------------------------------------

    def check(self, post: PostRequest) -> list[str]:
        problems: list[str] = []
        text = compose_text(post)
        if not text and not post.media:
            problems.append(_("A post needs text or images."))
        length = graphemes(text)
        if length > MAX_GRAPHEMES:
            problems.append(
                _("The text is %(n)d characters long; Bluesky allows %(max)d.")
                % {"n": length, "max": MAX_GRAPHEMES}
            )
        size = len(text.encode())
        if size > MAX_TEXT_BYTES:
            problems.append(
                _("The text is %(n)d bytes long in UTF-8; Bluesky allows %(max)d.")
                % {"n": size, "max": MAX_TEXT_BYTES}
            )
        if any(not m.is_image for m in post.media):
            problems.append(_("This Bluesky connector posts images only, not video."))
        if len(post.media) > MAX_IMAGES:
            problems.append(
                _("Bluesky takes at most %(max)d images per post (got %(n)d).")
                % {"max": MAX_IMAGES, "n": len(post.media)}
            )
        for media in post.media:
            if not media.data:
                problems.append(_("“%(name)s” has no file to upload.") % {"name": media.filename[:80]})
            elif len(media.data) > MAX_IMAGE_BYTES:
                problems.append(
                    _("“%(name)s” is %(kb)d KB; Bluesky takes images up to 1,000 KB.")
                    % {"name": media.filename[:80], "kb": len(media.data) // 1000}
                )
        return problems

    def _upload(self, media: MediaFile) -> dict[str, Any]:
        response = self._call(
            "POST",
            "com.atproto.repo.uploadBlob",
            mutating=False,
            content=media.data,
            headers={"Content-Type": media.content_type},
        )
        blob = self._json(response).get("blob")
        if not isinstance(blob, dict):
            raise RetryableError(_("Bluesky did not return the uploaded image."))
        return blob

    def _result(self, uri: str, data: dict[str, Any], *, duplicate: bool = False) -> PublishResult:
        rkey = rkey_of(uri)
        who = self.handle or self.account_ref
        return PublishResult(
            external_id=uri,
            url=f"https://bsky.app/profile/{who}/post/{rkey}",
            published_at=utcnow(),
            duplicate=duplicate,
            raw=data,
        )

    def publish(self, post: PostRequest, *, idempotency_key: str) -> PublishResult:
        self.require(KIND_CAPABILITY[post.effective_kind])
        problems = self.check(post)
        if problems:
            raise PermanentError(" ".join(problems))
        if not idempotency_key:
            raise ValueError("publish needs an idempotency key")
        repo = self._repo()
        record = self._record(compose_text(post), post.language)
        if post.media:
            record["embed"] = {
                "$type": "app.bsky.embed.images",
                "images": [{"image": self._upload(m), "alt": m.description[:2000]} for m in post.media],
            }
        return self._put_post(repo, tid_for(idempotency_key, post.due_at), record)

    @staticmethod
    def _record(text: str, language: str = "") -> dict[str, Any]:
        record: dict[str, Any] = {
            "$type": POST_COLLECTION,
            "text": text,
            "createdAt": utcnow().isoformat().replace("+00:00", "Z"),
        }
        found = facets(text)
        if found:
            record["facets"] = found
        if language:
            record["langs"] = [language[:2]]
        return record

    def _put_post(self, repo: str, rkey: str, record: dict[str, Any]) -> PublishResult:
        response = self._call(
            "POST",
            "com.atproto.repo.putRecord",
            mutating=True,
            json={"repo": repo, "collection": POST_COLLECTION, "rkey": rkey, "record": record},
        )
        data = self._json(response)
        if not data.get("uri"):
            raise OutcomeUnknown(_("Bluesky accepted the post but did not return it; it may exist."))
        return self._result(str(data["uri"]), data)

    def delete(self, external_id: str) -> None:
        self.require(Capability.DELETE)
        self._call(
            "POST",
            "com.atproto.repo.deleteRecord",
            mutating=True,
            json={"repo": self._repo(), "collection": POST_COLLECTION, "rkey": rkey_of(external_id)},
        )

    def find_published(
        self, *, idempotency_key: str, since: dt.datetime, post: PostRequest
    ) -> PublishResult | None:
        self.require(Capability.FIND_PUBLISHED)
        # The TID first; then the key a post sent before TIDs got (so an old unknown is found).
        for rkey in (tid_for(idempotency_key, post.due_at), legacy_record_key(idempotency_key)):
            response = self._call(
                "GET",
                "com.atproto.repo.getRecord",
                mutating=False,
                ok_codes=("RecordNotFound",),
                params={"repo": self._repo(), "collection": POST_COLLECTION, "rkey": rkey},
            )
            if response.status_code == 400:
                continue
            data = self._json(response)
            return self._result(str(data.get("uri") or ""), data, duplicate=True)
        return None

    # ---- metrics ---------------------------------------------------------------------------

    def fetch_post_metrics(self, external_id: str) -> PostMetrics:
        self.require(Capability.POST_METRICS)
        data = self._json(
            self._call("GET", "app.bsky.feed.getPosts", mutating=False, params={"uris": external_id})
        )
        posts = data.get("posts") or []
        if not posts:
            raise PermanentError(_("Bluesky no longer has this post."), platform_code="NotFound")
        item = posts[0]
        return PostMetrics(
            external_id=str(item.get("uri") or external_id),
            as_of=utcnow(),
            likes=int(item.get("likeCount") or 0),
            shares=int(item.get("repostCount") or 0) + int(item.get("quoteCount") or 0),
            comments=int(item.get("replyCount") or 0),
            raw=item,
        )

    def fetch_account_metrics(self) -> AccountMetrics:
        self.require(Capability.ACCOUNT_METRICS)
        data = self._json(
            self._call("GET", "app.bsky.actor.getProfile", mutating=False, params={"actor": self._repo()})
        )
        return AccountMetrics(
            as_of=utcnow(),
            followers_total=int(data.get("followersCount") or 0),
            following_total=int(data.get("followsCount") or 0),
            posts_total=int(data.get("postsCount") or 0),
            raw=data,
        )

    # ---- interaction -----------------------------------------------------------------------

    def _notification_comment(self, note: dict[str, Any]) -> Comment | None:
        uri = note.get("uri")
        if not isinstance(uri, str) or not uri.startswith("at://"):
            return None
        record = http.as_dict(note.get("record"))
        author = http.as_dict(note.get("author"))
        reason = note.get("reason")
        subject = str(note.get("reasonSubject") or "")
        in_reply_to = ""
        if reason == "reply":
            parent = _strong_ref(http.as_dict(record.get("reply")).get("parent"))
            in_reply_to = parent["uri"] if parent else subject
        elif reason == "quote":
            in_reply_to = quoted_uri(record) or subject
        did = str(author.get("did") or "")
        handle = str(author.get("handle") or "")
        indexed = parse_time(note.get("indexedAt"))
        created = parse_time(record.get("createdAt")) or indexed or utcnow()
        return Comment(
            external_id=uri,
            text=str(record.get("text") or ""),
            created_at=created,
            author_id=did,
            author_handle=handle,
            author_name=str(author.get("displayName") or ""),
            in_reply_to=in_reply_to,
            url=f"https://bsky.app/profile/{handle or did}/post/{rkey_of(uri)}" if did or handle else "",
            raw=note,
        )

    def fetch_comments(self, *, cursor: str = "", post_id: str = "", limit: int = 40) -> CommentPage:
        """Replies, mentions and quotes newer than ``cursor`` (an ``indexedAt``), oldest first.

        listNotifications answers newest first and its own cursor pages back in time, so a pull
        walks back from the newest page until it reaches ``cursor`` (at most 10 pages of 100)
        and returns the oldest ``limit`` of what is new; the next cursor is the newest
        ``indexedAt`` returned. ``post_id`` is not supported (the inbox reads notifications).
        """
        self.require(Capability.COMMENTS)
        if post_id:
            raise PermanentError(_("Bluesky comments are read from the notifications, not per post."))
        since = parse_time(cursor) if cursor else None
        if cursor and since is None:
            raise PermanentError(_("The stored Bluesky cursor is not a time."))
        me = self._repo()
        new: dict[str, tuple[dt.datetime, Comment | None]] = {}
        page_cursor = ""
        for _page in range(MAX_NOTIFICATION_PAGES):
            params: list[tuple[str, str | int]] = [("limit", NOTIFICATION_PAGE)]
            params += [("reasons", reason) for reason in NOTIFICATION_REASONS]
            if page_cursor:
                params.append(("cursor", page_cursor))
            data = self._json(
                self._call("GET", "app.bsky.notification.listNotifications", mutating=False, params=params)
            )
            notes = [n for n in data.get("notifications") or [] if isinstance(n, dict)]
            reached = False
            for note in notes:
                indexed = parse_time(note.get("indexedAt"))
                if indexed is None:
                    continue
                if since is not None and indexed <= since:
                    reached = True
                    continue
                comment = None
                author = http.as_dict(note.get("author"))
                # Older servers ignore ``reasons``: filter here too; our own posts are not a fan's.
                if note.get("reason") in NOTIFICATION_REASONS and author.get("did") != me:
                    comment = self._notification_comment(note)
                key = str(note.get("uri") or "") + "#" + str(note.get("reason") or "")
                new.setdefault(key, (indexed, comment))
            page_cursor = str(data.get("cursor") or "")
            if reached or not notes or not page_cursor:
                break
        ordered = sorted(new.values(), key=lambda pair: pair[0])
        size = max(1, limit)
        items: list[Comment] = []
        seen: set[str] = set()
        newest: dt.datetime | None = None
        for indexed, comment in ordered:
            # Stop at the limit, but never between two notifications indexed at the same moment
            # (the next pull starts strictly after the cursor).
            if len(items) >= size and newest is not None and indexed > newest:
                break
            newest = indexed
            if comment is not None and comment.external_id not in seen:
                seen.add(comment.external_id)
                items.append(comment)
        if newest is None:
            return CommentPage(items=[], cursor=cursor)
        return CommentPage(items=items, cursor=_time_text(newest))

    def _parent_refs(self, uri: str) -> tuple[dict[str, str], dict[str, str]]:
        """(root, parent) strong refs for an answer to the post ``uri``."""
        data = self._json(self._call("GET", "app.bsky.feed.getPosts", mutating=False, params={"uris": uri}))
        posts = [p for p in data.get("posts") or [] if isinstance(p, dict)]
        parent = _strong_ref(posts[0]) if posts else None
        if parent is None:
            raise PermanentError(
                _("Bluesky no longer shows the post to answer; it may have been deleted."),
                platform_code="NotFound",
            )
        record = http.as_dict(posts[0].get("record"))
        root = _strong_ref(http.as_dict(record.get("reply")).get("root")) or parent
        return root, parent

    def reply(
        self, *, in_reply_to: str, text: str, idempotency_key: str, recipient: str = "", private: bool = False
    ) -> PublishResult:
        """A post answering ``in_reply_to`` (an at:// URI) in its thread; never a direct message."""
        self.require(Capability.REPLY)
        if private:
            raise PermanentError(
                _(
                    "Bluesky direct messages cannot be answered from here; answer in the Bluesky app "
                    "(a public reply would show the fan's private message)."
                )
            )
        if not idempotency_key:
            raise ValueError("reply needs an idempotency key")
        if not in_reply_to.startswith("at://"):
            raise PermanentError(_("This is not a Bluesky post to answer."))
        problems = self.check(PostRequest(text=text))
        if problems:
            raise PermanentError(" ".join(problems))
        repo = self._repo()
        root, parent = self._parent_refs(in_reply_to)
        record = self._record(text.strip())
        record["reply"] = {"root": root, "parent": parent}
        return self._put_post(repo, tid_for(idempotency_key, None), record)
