"""Where fans come from: follower lists, comments and messages pulled through the connectors, and WeChat pushes.

Each source turns what a platform reports into ``fan_record`` + ``interaction_record`` (the one
entry point of services/people.py), so a comment pulled twice and pushed once is one row.

- ``followers_sync``: pages through an account's whole follower list; fans listed are
  following, fans no longer listed get an UNFOLLOW interaction (only after a complete listing).
- ``comments_sync`` / ``messages_sync``: new items since the account's stored cursor
  (``SourceCursor``), oldest first.
- ``push_event_convert``: one stored WeChat ``PushEvent`` (at push time, through the platforms
  hook ``push_event_stored``, see fans/receivers.py); ``push_events_catch_up`` converts the ones
  a failed or missing receiver left behind.

A connector without the capability is skipped quietly (the result says so). Network calls run
outside database transactions; each page's writes are one transaction. Bulk recording is
audited once per run (an entry with counts), not once per fan.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from socialops.accounts.models import SocialAccount
from socialops.core.actors import SYSTEM
from socialops.platforms.connectors.base import Capability, Comment, CommentPage, FollowerPage, NotSupported
from socialops.platforms.models import ConnectionStatus, PlatformConnection, PushEvent
from socialops.platforms.registry import connector_class
from socialops.publishing.models import Publication
from socialops.publishing.sync import SyncAuthRevoked, connector_call
from socialops.workspaces.audit import audit_record
from socialops.workspaces.models import Workspace

from .models import Fan, Interaction, InteractionKind, InteractionSource
from .models.people import SourceCursor, SourceStream
from .services.people import fan_record, interaction_record

log = logging.getLogger(__name__)

# A follower list longer than this many pages is cut (and then no unfollows are inferred).
MAX_FOLLOWER_PAGES = 5000
# Comment and message calls per sync run; the connector pages within each call.
MAX_COMMENT_CALLS = 10
# Platform ids looked up per query (a WeChat follower page holds up to 10,000).
LOOKUP_CHUNK = 1000
# Pushed events converted per catch-up query.
PUSH_BATCH = 500
# WeChat push message types that are a direct message, and the events that change following.
PUSH_MESSAGE_TYPES = frozenset({"text", "image", "voice", "video", "shortvideo", "location", "link"})
PUSH_FOLLOW_EVENTS = {"subscribe": InteractionKind.FOLLOW, "unsubscribe": InteractionKind.UNFOLLOW}


@dataclasses.dataclass
class SyncResult:
    """What one sync of one stream of one account did (``supported`` False: the connector cannot)."""

    stream: str
    supported: bool = True
    fans_created: int = 0
    interactions_created: int = 0
    unfollowed: int = 0
    complete: bool = True
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The result as JSON-safe values (task results, the audit entry)."""
        return dataclasses.asdict(self)


def _connection(account: SocialAccount) -> PlatformConnection | None:
    return (
        PlatformConnection.objects.select_related("account", "workspace")
        .filter(account=account, status=ConnectionStatus.CONNECTED)
        .first()
    )


def _pull(connection: PlatformConnection, capability: Capability, fn: Callable[[Any], Any]) -> Any:
    """``fn(connector)``, or None when the connector cannot (capability absent or NotSupported).

    Token refresh and revoked authorisations are handled as the metrics sync handles them.
    """
    try:
        return connector_call(connection, capability, fn)
    except NotSupported:
        return None


def _cursor(workspace: Workspace, account: SocialAccount, stream: str) -> SourceCursor:
    cursor, _created = SourceCursor.objects.get_or_create(
        account=account, stream=stream, defaults={"workspace": workspace}
    )
    return cursor


def _audit_run(workspace: Workspace, account: SocialAccount, result: SyncResult) -> None:
    if result.fans_created or result.interactions_created or result.unfollowed:
        audit_record(
            workspace=workspace,
            actor=SYSTEM,
            action=f"fans.{result.stream}_sync",
            object_type="accounts.socialaccount",
            object_id=account.pk,
            object_repr=f"{account.platform} {account.pk}",
            after=result.as_dict(),
        )


# ---- followers ---------------------------------------------------------------------------------


def followers_sync(*, workspace: Workspace, account: SocialAccount) -> SyncResult:
    """Record every follower of the account as a following fan, and unfollows for those gone."""
    result = SyncResult(stream=SourceStream.FOLLOWERS)
    connection = _connection(account)
    if connection is None or connection.workspace_id != workspace.pk:
        result.supported = False
        return result
    cursor_row = _cursor(workspace, account, SourceStream.FOLLOWERS)
    # Before the first complete listing everyone listed simply "follows"; after it, a newcomer
    # is news and gets a FOLLOW interaction.
    first_listing = cursor_row.synced_at is None
    seen: set[str] = set()
    cursor = ""
    for _page in range(MAX_FOLLOWER_PAGES):

        def fetch(connector: Any, cur: str = cursor) -> FollowerPage:
            return connector.fetch_followers(cursor=cur)

        page: FollowerPage | None = _pull(connection, Capability.FOLLOWERS, fetch)
        if page is None:
            if not seen:
                result.supported = False
                return result
            result.complete = False
            break
        _followers_page(workspace, account, page, seen, result, first_listing=first_listing)
        if not page.next_cursor or page.next_cursor == cursor:
            break
        cursor = page.next_cursor
    else:
        result.complete = False

    now = timezone.now()
    with transaction.atomic():
        if result.complete:
            # Compared in Python: the listing can hold more ids than a query may take as parameters.
            following = Fan.objects.filter(workspace=workspace, account=account, is_following=True)
            gone_ids = [pk for pk, ext in following.values_list("pk", "external_id") if ext not in seen]
            for fan in (Fan.objects.get(pk=pk) for pk in gone_ids):
                _interaction, created = interaction_record(
                    workspace=workspace,
                    fan=fan,
                    kind=InteractionKind.UNFOLLOW,
                    occurred_at=now,
                    source=InteractionSource.PULL,
                    audit=False,
                )
                result.unfollowed += int(created)
            SourceCursor.objects.filter(pk=cursor_row.pk).update(synced_at=now)
        _audit_run(workspace, account, result)
    return result


def _followers_page(
    workspace: Workspace,
    account: SocialAccount,
    page: FollowerPage,
    seen: set[str],
    result: SyncResult,
    *,
    first_listing: bool,
) -> None:
    ids = [f.external_id for f in page.items if f.external_id]
    known: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), LOOKUP_CHUNK):
        rows = Fan.objects.filter(account=account, external_id__in=ids[start : start + LOOKUP_CHUNK])
        for values in rows.values("external_id", "is_following", "handle", "display_name", "platform_tags"):
            known[values["external_id"]] = dict(values)
    now = timezone.now()
    with transaction.atomic():
        for follower in page.items:
            if not follower.external_id or follower.external_id in seen:
                continue
            seen.add(follower.external_id)
            tags = list(follower.tags)
            row = known.get(follower.external_id)
            if (
                row is not None
                and row["is_following"]
                and row["platform_tags"] == tags
                and (not follower.handle or row["handle"] == follower.handle)
                and (not follower.display_name or row["display_name"] == follower.display_name)
            ):
                continue  # Nothing new: skip the writes (most of a daily listing).
            fan = fan_record(
                workspace=workspace,
                account=account,
                external_id=follower.external_id,
                handle=follower.handle,
                display_name=follower.display_name,
                union_id=str(follower.raw.get("unionid") or ""),
                tags=tags,
                following=True if first_listing or row is not None and row["is_following"] else None,
                audit=False,
            )
            result.fans_created += int(row is None)
            if not fan.is_following:
                _interaction, created = interaction_record(
                    workspace=workspace,
                    fan=fan,
                    kind=InteractionKind.FOLLOW,
                    occurred_at=now,
                    source=InteractionSource.PULL,
                    audit=False,
                )
                result.interactions_created += int(created)


# ---- comments and messages ---------------------------------------------------------------------


def _aware(moment: dt.datetime) -> dt.datetime:
    # Connectors return aware times; a naive one is the platform's UTC.
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=dt.UTC)


def _comment_kind(comment: Comment, our_posts: set[str], stream: str) -> str:
    if stream == SourceStream.MESSAGES or comment.is_private:
        return InteractionKind.MESSAGE
    if not comment.in_reply_to:
        return InteractionKind.MENTION
    return InteractionKind.COMMENT if comment.in_reply_to in our_posts else InteractionKind.REPLY


def _record_comments(
    workspace: Workspace,
    connection: PlatformConnection,
    comments: list[Comment],
    stream: str,
    result: SyncResult,
) -> None:
    account = connection.account
    replied = {c.in_reply_to for c in comments if c.in_reply_to}
    our_posts = set(
        Publication.objects.filter(workspace=workspace, account=account, external_id__in=replied).values_list(
            "external_id", flat=True
        )
    )
    # An album is one publication with its messages' ids joined by commas (Telegram); a comment
    # names the one message it answers, which is still our post.
    for joined in Publication.objects.filter(
        workspace=workspace, account=account, external_id__contains=","
    ).values_list("external_id", flat=True):
        our_posts |= replied & set(joined.split(","))
    known = set(
        Fan.objects.filter(account=account, external_id__in={c.author_id for c in comments}).values_list(
            "external_id", flat=True
        )
    )
    for comment in comments:
        # Our own replies come back in the mentions of a thread: they are not a fan's.
        if not comment.author_id or comment.author_id == connection.external_account_id:
            continue
        fan = fan_record(
            workspace=workspace,
            account=account,
            external_id=comment.author_id,
            handle=comment.author_handle,
            display_name=comment.author_name,
            union_id=str(comment.raw.get("unionid") or ""),
            audit=False,
        )
        if comment.author_id not in known:
            known.add(comment.author_id)
            result.fans_created += 1
        meta = {"url": comment.url} if comment.url else {}
        _interaction, created = interaction_record(
            workspace=workspace,
            fan=fan,
            kind=_comment_kind(comment, our_posts, stream),
            occurred_at=_aware(comment.created_at),
            source=InteractionSource.PULL,
            text=comment.text,
            external_id=comment.external_id,
            post_external_id=comment.in_reply_to,
            meta=meta,
            audit=False,
        )
        result.interactions_created += int(created)


# Platforms that list comments per article: the articles published this recently are read again
# on every sync (their comments dedupe by platform id), at most this many, newest first.
PER_POST_DAYS = 14
PER_POST_MAX = 20


def _per_post_comments(
    workspace: Workspace, connection: PlatformConnection, result: SyncResult
) -> SyncResult:
    """Comments of each recently published article, for platforms that list comments per article."""
    since = timezone.now() - dt.timedelta(days=PER_POST_DAYS)
    posts = list(
        Publication.objects.filter(workspace=workspace, account=connection.account, published_at__gte=since)
        .exclude(external_id="")
        .order_by("-published_at")
        .values_list("external_id", flat=True)[:PER_POST_MAX]
    )
    for post_id in posts:
        cursor = ""
        for _call in range(MAX_COMMENT_CALLS):

            def fetch(connector: Any, cur: str = cursor, post: str = post_id) -> CommentPage:
                return connector.fetch_comments(cursor=cur, post_id=post)

            page: CommentPage | None = _pull(connection, Capability.COMMENTS, fetch)
            if page is None:
                result.supported = False
                return result
            with transaction.atomic():
                _record_comments(workspace, connection, list(page.items), SourceStream.COMMENTS, result)
            if not page.items or page.cursor == cursor:
                break
            cursor = page.cursor
    with transaction.atomic():
        SourceCursor.objects.filter(account=connection.account, stream=SourceStream.COMMENTS).update(
            synced_at=timezone.now()
        )
        _audit_run(workspace, connection.account, result)
    return result


def _stream_sync(workspace: Workspace, account: SocialAccount, stream: str) -> SyncResult:
    result = SyncResult(stream=stream)
    connection = _connection(account)
    if connection is None or connection.workspace_id != workspace.pk:
        result.supported = False
        return result
    if stream == SourceStream.COMMENTS and getattr(
        connector_class(connection.kind), "comments_per_post", False
    ):
        _cursor(workspace, account, stream)
        return _per_post_comments(workspace, connection, result)
    capability = Capability.MESSAGES if stream == SourceStream.MESSAGES else Capability.COMMENTS
    cursor_row = _cursor(workspace, account, stream)
    cursor = cursor_row.cursor
    for attempt in range(MAX_COMMENT_CALLS):

        def fetch(connector: Any, cur: str = cursor) -> CommentPage:
            if stream == SourceStream.MESSAGES:
                return connector.fetch_messages(cursor=cur)
            return connector.fetch_comments(cursor=cur)

        page: CommentPage | None = _pull(connection, capability, fetch)
        if page is None:
            result.supported = attempt > 0
            return result
        with transaction.atomic():
            _record_comments(workspace, connection, list(page.items), stream, result)
            # Saved with the page's rows: a crash re-reads the page, and the rows dedupe.
            SourceCursor.objects.filter(pk=cursor_row.pk).update(cursor=page.cursor, synced_at=timezone.now())
        if not page.items or page.cursor == cursor:
            break
        cursor = page.cursor
    with transaction.atomic():
        _audit_run(workspace, account, result)
    return result


def comments_sync(*, workspace: Workspace, account: SocialAccount) -> SyncResult:
    """Record the comments and mentions of the account since its stored cursor."""
    return _stream_sync(workspace, account, SourceStream.COMMENTS)


def messages_sync(*, workspace: Workspace, account: SocialAccount) -> SyncResult:
    """Record the direct messages of the account since its stored cursor."""
    return _stream_sync(workspace, account, SourceStream.MESSAGES)


def account_sync(
    *, workspace: Workspace, account: SocialAccount, followers: bool = False
) -> list[SyncResult]:
    """Comments and messages (and the follower list when asked) of one account; errors are logged, not raised."""
    syncs = [comments_sync, messages_sync]
    if followers:
        syncs.insert(0, followers_sync)
    results = []
    for sync in syncs:
        try:
            results.append(sync(workspace=workspace, account=account))
        except SyncAuthRevoked:
            log.warning("fans sync: account %s needs re-authorisation", account.pk)
            break
        except Exception as exc:  # noqa: BLE001 — one stream's failure must not stop the others
            log.exception("fans sync: account %s %s failed", account.pk, sync.__name__)
            results.append(
                SyncResult(stream=sync.__name__.removesuffix("_sync"), complete=False, error=str(exc))
            )
    return results


# ---- WeChat pushes -----------------------------------------------------------------------------


def _push_parts(event: PushEvent) -> tuple[str, str, str] | None:
    """(kind, external id, text) of an event that is an interaction, else None."""
    payload = event.payload if isinstance(event.payload, dict) else {}
    if event.msg_type in PUSH_MESSAGE_TYPES:
        msg_id = str(payload.get("MsgId") or "").strip()
        text = payload.get("Content") if event.msg_type == "text" else payload.get("Recognition")
        return InteractionKind.MESSAGE, msg_id or event.dedupe_key, text if isinstance(text, str) else ""
    if event.msg_type == "event":
        kind = PUSH_FOLLOW_EVENTS.get(event.event.lower())
        if kind is not None:
            return kind, event.dedupe_key, ""
    return None


def push_event_convert(*, event: PushEvent) -> tuple[Interaction, bool] | None:
    """Turn one stored WeChat push into a fan and an interaction (source push): (interaction, created),
    or None when the push is neither a message nor a (un)follow."""
    parts = _push_parts(event)
    if parts is None or not event.from_user:
        return None
    kind, external_id, text = parts
    connection = PlatformConnection.objects.select_related("account", "workspace").get(pk=event.connection_id)
    workspace, account = connection.workspace, connection.account
    occurred_at = event.created_at or event.received_at or timezone.now()
    payload = event.payload if isinstance(event.payload, dict) else {}
    with transaction.atomic():
        fan = fan_record(
            workspace=workspace,
            account=account,
            external_id=event.from_user,
            union_id=str(payload.get("UnionId") or ""),
            seen_at=occurred_at if kind != InteractionKind.UNFOLLOW else None,
            audit=False,
        )
        meta: dict[str, Any] = {"push_event": event.pk, "msg_type": event.msg_type}
        if event.msg_type == "event":
            meta["event"] = event.event
        return interaction_record(
            workspace=workspace,
            fan=fan,
            kind=kind,
            occurred_at=occurred_at,
            source=InteractionSource.PUSH,
            text=text,
            external_id=external_id,
            meta=meta,
            audit=False,
        )


def push_events_catch_up(*, connection: PlatformConnection) -> int:
    """Convert the connection's stored pushes not converted yet (oldest first); how many interactions were made."""
    workspace, account = connection.workspace, connection.account
    cursor_row = _cursor(workspace, account, SourceStream.PUSH)
    last = int(cursor_row.cursor) if cursor_row.cursor.isdigit() else 0
    made = 0
    while True:
        batch = list(PushEvent.objects.filter(connection=connection, pk__gt=last).order_by("pk")[:PUSH_BATCH])
        if not batch:
            break
        wanted = {e.pk: parts for e in batch if e.from_user and (parts := _push_parts(e)) is not None}
        stored = set(
            Interaction.objects.filter(
                account=account, external_id__in=[parts[1] for parts in wanted.values()]
            ).values_list("external_id", flat=True)
        )
        with transaction.atomic():
            for event in batch:
                parts = wanted.get(event.pk)
                if parts is not None and parts[1] not in stored:
                    try:
                        with transaction.atomic():
                            converted = push_event_convert(event=event)
                    except Exception:  # noqa: BLE001 — one odd push must not block the ones after it
                        log.exception("fans push catch-up: push event %s cannot be converted", event.pk)
                        continue
                    made += int(converted is not None and converted[1])
            last = batch[-1].pk
            SourceCursor.objects.filter(pk=cursor_row.pk).update(cursor=str(last), synced_at=timezone.now())
        if len(batch) < PUSH_BATCH:
            break
    if made:
        with transaction.atomic():
            audit_record(
                workspace=workspace,
                actor=SYSTEM,
                action="fans.push_sync",
                object_type="accounts.socialaccount",
                object_id=account.pk,
                object_repr=f"{account.platform} {account.pk}",
                after={"interactions_created": made},
            )
    return made


def _connected_ids(kind: str | None = None) -> list[int]:
    rows = PlatformConnection.objects.filter(status=ConnectionStatus.CONNECTED)
    if kind is not None:
        rows = rows.filter(kind=kind)
    return list(rows.order_by("pk").values_list("pk", flat=True))


def sync_all(*, followers: bool = False) -> int:
    """Sync every connected account's comments and messages (and followers when asked), then catch up on pushes.

    Returns how many accounts synced without error.
    """
    ok = 0
    for pk in _connected_ids():
        connection = PlatformConnection.objects.select_related("account", "workspace").filter(pk=pk).first()
        if connection is None or connection.account.is_competitor:
            continue
        results = account_sync(
            workspace=connection.workspace, account=connection.account, followers=followers
        )
        ok += int(all(not r.error for r in results))
    for pk in _connected_ids("wechat_mp"):
        connection = PlatformConnection.objects.select_related("account", "workspace").filter(pk=pk).first()
        if connection is None:
            continue
        try:
            push_events_catch_up(connection=connection)
        except Exception:  # noqa: BLE001 — one account's failure must not stop the others
            log.exception("fans push catch-up: connection %s failed", pk)
    return ok
