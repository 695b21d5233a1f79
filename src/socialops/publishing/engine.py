"""The worker side: claim a due publication, send it, and act on every outcome (never twice).

The order of events for one run, and why:

1. Claim, in its own transaction with the row locked (SELECT … FOR UPDATE; SQLite's IMMEDIATE
   transactions lock the database): check the version, the state, the due time, the account's
   connection and the account's queue order; move to ``publishing``, count the attempt, write
   the attempt row; commit. Only then is anything sent, so a second worker finds the row
   already claimed, and a worker that dies leaves a ``publishing`` row behind as evidence.
2. Send with the publication's idempotency key (made once, with the row).
3. Record the outcome in a second transaction. Any failure after the request may have left
   (OutcomeUnknown, an unexpected exception, a worker killed) puts the row in ``unknown``;
   a later run reconciles (asks the platform with find_published) before sending again, and
   re-sends only with the same key and only while the platform still honours it.

Every publication has a retry budget (``budget_for``: attempts, and a deadline after its due
time, per connector kind). A retry or a reconciliation that would go past it stops there: a post
that was surely not made fails with its last error, one that may have been made goes to a person
to check on the platform; either way the account's admins get an alert and the account's queue
moves on (an open row would otherwise hold every later post of the account back).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import random
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from socialops.accounts.models import Platform
from socialops.content.models import ContentItem, MediaAsset
from socialops.content.rendering import article_html, asset_ids_in, plain_text
from socialops.platforms.connectors.base import (
    KIND_CAPABILITY,
    AuthExpired,
    AuthRevoked,
    Capability,
    ConnectorError,
    MediaFile,
    NotSupported,
    OutcomeUnknown,
    PermanentError,
    PostKind,
    PostRequest,
    PublishResult,
    QuotaExceeded,
    RetryableError,
)
from socialops.platforms.credentials import CredentialsUnreadable
from socialops.platforms.media import media_file_from_asset
from socialops.platforms.models import ConnectionStatus, PlatformConnection
from socialops.platforms.registry import connector_class, connector_for
from socialops.platforms.services import connections as connection_services
from socialops.review.models import ItemStatus
from socialops.review.services import transitions as transition_services

from . import queue, services
from .models import AttemptOutcome, Publication, PublicationState, PublishAttempt

log = logging.getLogger(__name__)

SEND, RECONCILE = "send", "reconcile"


def setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def lease() -> dt.timedelta:
    """How long a claim lasts: a row in ``publishing`` longer than this had its worker die."""
    return dt.timedelta(seconds=float(setting("PUBLISHING_LEASE_SECONDS", 120)))


@dataclass(frozen=True)
class Budget:
    """How many attempts a publication gets, and until how long after its due time."""

    attempts: int
    deadline: dt.timedelta


def budget_for(kind: str) -> Budget:
    """The retry budget of a connector kind: the connector class's, overridden by the setting
    ``PUBLISHING_RETRY_BUDGETS`` (``{"<kind>" or "*": {"attempts": n, "deadline_seconds": s}}``)."""
    cls = connector_class(kind)
    configured: dict[str, Any] = setting("PUBLISHING_RETRY_BUDGETS", {}) or {}
    override = {**(configured.get("*") or {}), **(configured.get(kind) or {})}
    attempts = int(override.get("attempts", cls.retry_attempts))
    deadline = override.get("deadline_seconds")
    return Budget(
        attempts=max(1, attempts),
        deadline=dt.timedelta(seconds=float(deadline)) if deadline is not None else cls.retry_deadline,
    )


def _past_budget(pub: Publication, kind: str, next_at: dt.datetime, *, reconciling: bool = False) -> bool:
    """True when the publication may not be tried again at ``next_at``.

    The deadline counts from the due time, or from the first attempt when that came later (a post
    held while its account was reconnected starts its budget when it is first sent). While the
    platform may still be publishing in the background (the connector's ``reconcile_grace``),
    "not listed yet" is expected and only the deadline applies.
    """
    budget = budget_for(kind)
    start = max(pub.due_at, pub.first_attempt_at or pub.due_at)
    if next_at > start + budget.deadline:
        return True
    if reconciling:
        grace = connector_class(kind).reconcile_grace
        if grace and timezone.now() - (pub.first_attempt_at or pub.created_at) < grace:
            return False
    return pub.attempts >= budget.attempts


def backoff(attempt: int, retry_after: float | None = None) -> float:
    """Seconds to wait before the next try: the platform's Retry-After, else exponential with jitter."""
    if retry_after is not None:
        return max(0.0, float(retry_after)) + random.uniform(0, 0.25)
    base = float(setting("PUBLISHING_BACKOFF_BASE_SECONDS", 2.0))
    cap = float(setting("PUBLISHING_BACKOFF_MAX_SECONDS", 600.0))
    # Full jitter: spreads a crowd of retries after a platform outage.
    return random.uniform(base / 2, min(cap, base * 2 ** max(0, attempt - 1)))


# The fields the engine writes; the schedule (due time, version, item) belongs to the services.
ENGINE_FIELDS = (
    "state",
    "pending_ref",
    "external_id",
    "url",
    "attempts",
    "next_attempt_at",
    "claimed_at",
    "first_attempt_at",
    "published_at",
    "last_error",
    "updated_at",
)


def _save(pub: Publication) -> None:
    """Write the engine's fields of a locked publication (a shorter UPDATE than a full save)."""
    pub.save(update_fields=ENGINE_FIELDS)


@dataclass
class Claim:
    publication: Publication
    connection: PlatformConnection
    attempt: PublishAttempt
    mode: str
    found: bool = False
    # False when the caller runs the account's next post itself (run_chain): no queued kick.
    kick_next: bool = True


def _account_busy(account_id: int, publication_id: int) -> bool:
    """Another post of the account is on its way (or its outcome is still being settled)."""
    return (
        Publication.objects.filter(
            account_id=account_id, state__in=[PublicationState.PUBLISHING, PublicationState.UNKNOWN]
        )
        .exclude(pk=publication_id)
        .exists()
    )


def _blocked_by_earlier(pub: Publication, now: dt.datetime) -> bool:
    """The account's queue goes out in order of due time, one at a time."""
    spacing = dt.timedelta(seconds=float(setting("PUBLISHING_ACCOUNT_SPACING_SECONDS", 0)))
    if _account_busy(pub.account_id, pub.pk):
        return True
    siblings = Publication.objects.filter(account_id=pub.account_id).exclude(pk=pub.pk)
    earlier = siblings.filter(state=PublicationState.SCHEDULED, due_at__lte=now).filter(models_q_earlier(pub))
    if earlier.exists():
        return True
    if spacing:
        return siblings.filter(published_at__gt=now - spacing).exists()
    return False


def models_q_earlier(pub: Publication) -> Any:
    return Q(due_at__lt=pub.due_at) | Q(due_at=pub.due_at, pk__lt=pub.pk)


def _item_to_publishing(pub: Publication) -> str | None:
    """Move the item to publishing if needed; an error message when it may not go out."""
    item = ContentItem.objects.select_for_update().get(pk=pub.item_id)
    if item.status in (ItemStatus.SCHEDULED, ItemStatus.FAILED):
        try:
            transition_services.item_mark_publishing(
                workspace=pub.workspace, actor=None, item=item, item_locked=True
            )
        except ValidationError as exc:
            return "; ".join(str(m) for msgs in exc.message_dict.values() for m in msgs)
        return None
    if item.status in (ItemStatus.PUBLISHING, ItemStatus.UNKNOWN, ItemStatus.PUBLISHED):
        return None
    return _("The item was changed after approval and is back in review; approve it again, then reschedule.")


# Durable (here and in the outcome writes below): the claim must be committed before anything is
# sent, and an outcome must be committed once recorded; inside a caller's transaction a rollback
# would forget a post that went out, and the next run would send it again.
@transaction.atomic(durable=True)
def claim(publication_id: int, version: int | None, now: dt.datetime) -> Claim | None:
    """Lock and claim the publication if it is due and ours to run; None means nothing to do now."""
    # of=("self",): lock the publication only. A plain FOR UPDATE with these joins would also
    # lock the workspace row on PostgreSQL and make every claim in the workspace wait in line.
    pub = (
        Publication.objects.select_for_update(of=("self",))
        .select_related("workspace", "account", "item")
        .filter(pk=publication_id)
        .first()
    )
    if pub is None or (version is not None and pub.version != version):
        return None
    return claim_locked(pub, now)


def claim_locked(pub: Publication, now: dt.datetime) -> Claim | None:
    """claim() for a publication already locked in the caller's transaction (batch.claim_batch
    claims many in one transaction): every check, then the move to ``publishing``."""
    mode = SEND
    if pub.state == PublicationState.SCHEDULED:
        if pub.next_due > now + dt.timedelta(seconds=1):
            return None
    elif pub.state == PublicationState.UNKNOWN:
        if pub.next_attempt_at and pub.next_attempt_at > now + dt.timedelta(seconds=1):
            return None
        mode = RECONCILE
    elif pub.state == PublicationState.PUBLISHING:
        if pub.claimed_at and pub.claimed_at > now - lease():
            return None
        # The worker holding it died: the request may have reached the platform.
        PublishAttempt.objects.filter(publication=pub, outcome=AttemptOutcome.RUNNING).update(
            outcome=AttemptOutcome.ABANDONED, finished_at=now
        )
        mode = RECONCILE
    else:
        return None
    connection = PlatformConnection.objects.filter(account_id=pub.account_id).first()
    if connection is None:
        _fail_locked(pub, now, _("The account has no publishing connection; connect it, then reschedule."))
        return None
    if not connection.is_publishable:
        # Paused or needing re-authorisation: this account's queue waits; the sweeper resumes it.
        if connection.status == ConnectionStatus.NEEDS_REAUTH:
            pub.last_error = _("Waiting: the account must be connected again.")
        else:
            pub.last_error = _("Waiting: publishing to this account is paused.")
        pub.save(update_fields=["last_error", "updated_at"])
        return None
    if mode == SEND and _blocked_by_earlier(pub, now):
        return None
    if mode == SEND:
        problem = _item_to_publishing(pub)
        if problem:
            _fail_locked(pub, now, problem)
            return None
    pub.state = PublicationState.PUBLISHING
    pub.attempts += 1
    pub.claimed_at = now
    pub.first_attempt_at = pub.first_attempt_at or now
    _save(pub)
    attempt = PublishAttempt.objects.create(
        workspace=pub.workspace, publication=pub, mode=mode, started_at=now
    )
    return Claim(pub, connection, attempt, mode)


def _fail_locked(pub: Publication, now: dt.datetime, message: str) -> None:
    pub.state = PublicationState.FAILED
    pub.last_error = message
    pub.next_attempt_at = None
    _save(pub)
    PublishAttempt.objects.create(
        workspace=pub.workspace,
        publication=pub,
        started_at=now,
        finished_at=now,
        outcome=AttemptOutcome.FAILED,
        message=message,
    )
    services.item_status_sync(pub)


def _media(pub: Publication, body: str, *, with_data: bool) -> tuple[MediaFile, ...]:
    """The variant's media, then the images the body shows (inline), each with its page link (and
    its bytes when ``with_data``)."""
    attached: list[MediaAsset] = list(pub.variant.media.order_by("pk")) if pub.variant is not None else []
    referenced = [i for i in asset_ids_in(body) if i not in {a.pk for a in attached}]
    inline: list[MediaAsset] = []
    if referenced:
        by_id = MediaAsset.objects.filter(workspace_id=pub.workspace_id, pk__in=referenced).in_bulk()
        inline = [by_id[i] for i in referenced if i in by_id]
    base = str(setting("PUBLIC_URL", ""))
    slug = pub.workspace.slug

    def media_file(asset: MediaAsset, *, is_inline: bool) -> MediaFile:
        url = base + reverse("asset_file", kwargs={"slug": slug, "asset_id": asset.pk})
        return dataclasses.replace(
            media_file_from_asset(asset, url=url, with_data=with_data), inline=is_inline
        )

    return tuple(media_file(a, is_inline=False) for a in attached) + tuple(
        media_file(a, is_inline=True) for a in inline
    )


def build_post(pub: Publication, *, media: bool = True, media_bytes: bool = True) -> PostRequest:
    """The post as the account's variant (or the item itself) says it, with its media and article HTML.

    ``media=False`` leaves out the files and the HTML (for reading the text only, e.g. metrics sync);
    ``media_bytes=False`` gives the files as links only (for connectors that do not upload).
    """
    item = pub.item
    variant = pub.variant
    body = (variant.body if variant is not None else "") or item.body
    # A 公众号 variant carries the item's article as it was prefilled, so it is written in the
    # item's body format; other platforms' variants are plain text, which renders alike either way.
    body_format = (
        item.body_format if variant is None or body == item.body or _is_article(variant) else "markdown"
    )
    # Images stay "asset:<id>" references: a connector that uploads them swaps in its own URLs.
    body_html = (
        article_html(body, image_url=lambda asset_id: f"asset:{asset_id}", body_format=body_format)
        if body and media
        else ""
    )
    common: dict[str, Any] = {
        "body_html": body_html,
        "media": _media(pub, body, with_data=media_bytes) if media else (),
        "due_at": pub.due_at,
        "content_item_id": item.pk,
        "reference": item.title,
    }
    if variant is not None:
        return PostRequest(
            text=variant.body or variant.digest or item.digest or _item_text(item),
            title=variant.title or item.title,
            link_url=variant.link_url,
            hashtags=tuple(str(h) for h in variant.hashtags or ()),
            options=_article_options(
                variant.extra, author=variant.author, digest=variant.digest or item.digest
            ),
            **common,
        )
    return PostRequest(
        text=item.digest or _item_text(item) or item.title,
        title=item.title,
        options=_article_options({}, author="", digest=item.digest),
        **common,
    )


def _item_text(item: ContentItem) -> str:
    """The item's body as a text post carries it: a rich-text article's words, never its markup."""
    return plain_text(item.body, item.body_format) if item.body_format == "html" else item.body


def _is_article(variant: Any) -> bool:
    """A variant whose body is the whole article (a 公众号 account's), not a teaser."""
    return bool(variant.account.platform == Platform.WECHAT_MP)


def _article_options(extra: Any, *, author: str, digest: str) -> dict[str, Any]:
    """The variant's platform fields plus the article's author and digest (WeChat shows both)."""
    options = dict(extra or {})
    if author:
        options["author"] = author
    if digest:
        options["digest"] = digest
    return options


def fit_kind(post: PostRequest, connector: Any) -> PostRequest:
    """An article-only platform (WeChat) takes every item as an article; on the others a post
    carries its attached media only (the body's inline images belong to the article)."""
    if post.kind == PostKind.ARTICLE:
        return post
    attached = tuple(m for m in post.media if not m.inline)
    inferred = dataclasses.replace(post, media=attached).effective_kind
    if not connector.supports(KIND_CAPABILITY[inferred]) and connector.supports(Capability.PUBLISH_ARTICLE):
        return dataclasses.replace(post, kind=PostKind.ARTICLE)
    return dataclasses.replace(post, media=attached)


OPEN_STATES = (PublicationState.SCHEDULED, PublicationState.UNKNOWN, PublicationState.PUBLISHING)


def nothing_to_do(publication_id: int, version: int | None, now: dt.datetime) -> bool:
    """A cheap look without locks: True when claim() would surely decline (gone, stale, done, not due,
    or waiting behind the account's post in flight). claim() checks everything again under its lock."""
    row = (
        Publication.objects.filter(pk=publication_id)
        .values("state", "version", "due_at", "next_attempt_at", "account_id")
        .first()
    )
    if row is None or (version is not None and row["version"] != version):
        return True
    if row["state"] not in OPEN_STATES:
        return True
    if row["state"] == PublicationState.SCHEDULED:
        if (row["next_attempt_at"] or row["due_at"]) > now + dt.timedelta(seconds=1):
            return True
        return _account_busy(row["account_id"], publication_id)
    return False


def run(
    publication_id: int,
    version: int | None = None,
    *,
    now: dt.datetime | None = None,
    kick_next: bool = True,
) -> str:
    """Run one publication if due: returns the state it ended in, or "skipped".

    ``kick_next=False``: the caller goes on with the account's next due post itself (run_chain)
    instead of queueing a task for it.
    """
    now = now or timezone.now()
    # Most tasks of a crowd due together find their account busy: decline those without a lock.
    if nothing_to_do(publication_id, version, now):
        return "skipped"
    c = claim(publication_id, version, now)
    if c is None:
        return "skipped"
    c.kick_next = kick_next
    post = build_post(c.publication, media_bytes=connector_class(c.connection.kind).uploads_media)
    action, args = attempt(c, post)
    return action(c, *args)


Action = Any


def attempt(c: Claim, post: PostRequest) -> tuple[Action, tuple[Any, ...]]:
    """Send (or reconcile) a claimed publication and say how to record what happened:
    ``(action, args)``, where ``action(c, *args)`` is one of the outcome writers below. Only the
    rare auth refresh writes to the database here; batch.py records many outcomes together."""
    publication_id = c.publication.pk
    options = {"timeout": float(setting("PUBLISHING_CONNECTOR_TIMEOUT", 20.0))}
    refreshed = False
    mode = c.mode
    while True:
        try:
            connector = connector_for(c.connection, **options)
        except CredentialsUnreadable as exc:
            return _revoked, (str(exc) or _("The stored credentials cannot be decrypted."),)
        try:
            with connector:
                result = _send(c, connector, fit_kind(post, connector), mode)
        except AuthExpired as exc:
            if refreshed:
                return _revoked, (exc.message,)
            try:
                connection_services.connection_refresh(connection=c.connection)
            except (AuthRevoked, NotSupported, CredentialsUnreadable) as exc2:
                return _revoked, (str(exc2) or exc.message,)
            except ConnectorError as exc2:
                return _retry, (exc2, None)
            refreshed = True
            _note(c, AttemptOutcome.AUTH_REFRESHED, exc.message, exc.status_code)
            continue
        except (AuthRevoked, CredentialsUnreadable) as exc:
            return _revoked, (str(exc),)
        except QuotaExceeded as exc:
            wait = (exc.reset_at - timezone.now()).total_seconds() if exc.reset_at else 3600.0
            return _retry, (exc, max(wait, 1.0))
        except RetryableError as exc:
            return _retry, (exc, exc.retry_after)
        except (PermanentError, NotSupported) as exc:
            return _failed, (exc.message or str(exc), exc.status_code)
        except OutcomeUnknown as exc:
            return _unknown, (
                exc.message or _("No answer from the platform."),
                exc.status_code,
                exc.pending_ref,
            )
        except Exception as exc:  # noqa: BLE001 — the request may have left: treat as unknown, never re-post
            log.exception("publication %s: unexpected error", publication_id)
            return _unknown, (f"{type(exc).__name__}: {exc}", None)
        if result is None:
            # No lookup (Telegram) or past the platform's de-duplication window: a person checks.
            return _to_person, ()
        return _published, (result, c.found)


def _send(c: Claim, connector: Any, post: PostRequest, mode: str) -> PublishResult | None:
    pub = c.publication
    if mode == RECONCILE:
        since = pub.first_attempt_at or pub.created_at
        # A result the platform pushed for the job we wait on settles it without asking again.
        pushed = services.pushed_publish_result(pub)
        if pushed is not None:
            c.found = True
            return pushed
        if connector.supports(Capability.FIND_PUBLISHED):
            found = connector.find_published(idempotency_key=pub.idempotency_key, since=since, post=post)
            if found is not None:
                c.found = True
                return found
        elapsed = timezone.now() - since
        if connector.reconcile_grace and elapsed < connector.reconcile_grace:
            # The platform may still be publishing it in the background: ask again, never re-send.
            raise RetryableError(_("The platform does not list the post yet; asking again shortly."))
        window = connector.dedupe_window
        # Re-send only while the platform itself still recognises the key (it cannot make a second post).
        if window is None or elapsed >= window:
            return None
    return connector.publish(post, idempotency_key=pub.idempotency_key)


def _finish(c: Claim, outcome: str, message: str, status: int | None) -> None:
    PublishAttempt.objects.filter(pk=c.attempt.pk).update(
        outcome=outcome, message=message[:4000], http_status=status, finished_at=timezone.now()
    )


def _note(c: Claim, outcome: str, message: str, status: int | None) -> None:
    _finish(c, outcome, message, status)
    c.attempt = PublishAttempt.objects.create(
        workspace=c.publication.workspace, publication=c.publication, mode=c.mode, started_at=timezone.now()
    )


def _locked(c: Claim) -> Publication:
    return (
        Publication.objects.select_for_update(of=("self",))
        .select_related("workspace")
        .get(pk=c.publication.pk)
    )


@transaction.atomic(durable=True)
def _published(c: Claim, result: PublishResult, found: bool) -> str:
    pub = _locked(c)
    if not result.is_published:
        pub.state = PublicationState.HANDED_OVER
        pub.external_id = result.external_id[:128]
        _save(pub)
        _finish(c, AttemptOutcome.HANDED_OVER, "", None)
        if c.kick_next:
            _kick_next(pub.account_id)
        return pub.state
    pub.state = PublicationState.PUBLISHED
    pub.external_id = result.external_id[:128]
    pub.url = (result.url or "")[:500]
    pub.published_at = result.published_at or timezone.now()
    pub.next_attempt_at = None
    pub.last_error = ""
    _save(pub)
    _finish(c, AttemptOutcome.FOUND if found else AttemptOutcome.PUBLISHED, "", None)
    services.item_status_sync(pub)
    if c.kick_next:
        _kick_next(pub.account_id)
    return pub.state


def _gave_up_message(pub: Publication, error: str, *, maybe_made: bool) -> str:
    """What a person reads when the engine stops trying: what happened, and what to do."""
    if maybe_made:
        return _(
            "We could not confirm whether the post went out (%(error)s). Check the account on the "
            "platform: if the post is there, nothing more is needed; if not, publish it again."
        ) % {"error": error}
    return ngettext(
        "Gave up after %(n)d attempt: %(error)s. Check the account's connection and the post, "
        "then publish it again.",
        "Gave up after %(n)d attempts: %(error)s. Check the account's connection and the post, "
        "then publish it again.",
        pub.attempts,
    ) % {"n": pub.attempts, "error": error}


@transaction.atomic(durable=True)
def _retry(c: Claim, exc: ConnectorError, wait: float | None) -> str:
    pub = _locked(c)
    delay = backoff(pub.attempts, wait)
    next_at = timezone.now() + dt.timedelta(seconds=delay)
    error = exc.message or str(exc)
    if _past_budget(pub, c.connection.kind, next_at, reconciling=c.mode == RECONCILE):
        # Out of budget: a reconciliation that could not ask leaves a post that may exist.
        return _give_up(c, pub, error, exc.status_code, maybe_made=c.mode == RECONCILE)
    # A reconciliation that could not ask stays unknown: it must ask again before sending.
    pub.state = PublicationState.UNKNOWN if c.mode == RECONCILE else PublicationState.SCHEDULED
    pub.next_attempt_at = next_at
    pub.last_error = error
    _save(pub)
    _finish(c, AttemptOutcome.RETRY, pub.last_error, exc.status_code)
    queue.enqueue(pub)
    return pub.state


@transaction.atomic(durable=True)
def _to_person(c: Claim) -> str:
    """An unknown outcome the platform cannot be asked about: to a person, with what happened."""
    pub = _locked(c)
    error = pub.last_error or _("No answer from the platform.")
    return _give_up(c, pub, error, None, maybe_made=True)


def _give_up(c: Claim, pub: Publication, error: str, status: int | None, *, maybe_made: bool) -> str:
    """Fail the locked publication for a person, with an alert to the account's admins (in the
    caller's transaction); the account's queue goes on."""
    message = _gave_up_message(pub, error, maybe_made=maybe_made)
    pub.state = PublicationState.FAILED
    pub.next_attempt_at = None
    pub.last_error = message
    _save(pub)
    _finish(c, AttemptOutcome.FAILED, message, status)
    services.item_status_sync(pub)
    services.alert_account_admins(
        workspace=pub.workspace,
        account_id=pub.account_id,
        message=_("“%(item)s” did not go out: %(message)s")
        % {"item": pub.item.title if pub.item_id else "", "message": message},
    )
    if c.kick_next:
        _kick_next(pub.account_id)
    return pub.state


@transaction.atomic(durable=True)
def _unknown(c: Claim, message: str, status: int | None, pending_ref: str = "") -> str:
    pub = _locked(c)
    if pending_ref:
        pub.pending_ref = pending_ref[:128]
    next_at = timezone.now() + dt.timedelta(seconds=float(setting("PUBLISHING_RECONCILE_DELAY_SECONDS", 5.0)))
    # A send that ends unknown is always reconciled once; an unknown again after that counts.
    if c.mode == RECONCILE and _past_budget(pub, c.connection.kind, next_at, reconciling=True):
        return _give_up(c, pub, message, status, maybe_made=True)
    pub.state = PublicationState.UNKNOWN
    pub.next_attempt_at = next_at
    pub.last_error = message
    _save(pub)
    _finish(c, AttemptOutcome.UNKNOWN, message, status)
    item = ContentItem.objects.select_for_update().get(pk=pub.item_id)
    if item.status == ItemStatus.PUBLISHING:
        with contextlib.suppress(ValidationError):
            transition_services.item_mark_unknown(
                workspace=pub.workspace, actor=None, item=item, item_locked=True
            )
    queue.enqueue(pub)
    return pub.state


@transaction.atomic(durable=True)
def _failed(c: Claim, message: str, status: int | None) -> str:
    pub = _locked(c)
    pub.state = PublicationState.FAILED
    pub.next_attempt_at = None
    pub.last_error = message
    _save(pub)
    _finish(c, AttemptOutcome.FAILED, message, status)
    services.item_status_sync(pub)
    if c.kick_next:
        _kick_next(pub.account_id)
    return pub.state


def _revoked(c: Claim, message: str) -> str:
    services.connection_lost(connection=c.connection, message=message)
    with transaction.atomic(durable=True):
        pub = _locked(c)
        # Nothing was made (an auth refusal happens before the platform acts): wait in the queue.
        pub.state = PublicationState.UNKNOWN if c.mode == RECONCILE else PublicationState.SCHEDULED
        pub.last_error = _("The account must be connected again: %(message)s") % {"message": message}
        _save(pub)
        _finish(c, AttemptOutcome.NEEDS_REAUTH, message, None)
    return pub.state


def _next_of_account(account_id: int) -> Publication | None:
    """The account's next publication that is due now and waiting (its queue goes in due order)."""
    return (
        Publication.objects.filter(
            account_id=account_id, state=PublicationState.SCHEDULED, due_at__lte=timezone.now()
        )
        .order_by("due_at", "pk")
        .first()
    )


def _kick_next(account_id: int) -> None:
    """The account's next due publication was waiting for this one: queue it now."""
    nxt = _next_of_account(account_id)
    if nxt is not None:
        queue.enqueue(nxt, eta=timezone.now())


DONE_STATES = (PublicationState.PUBLISHED, PublicationState.FAILED, PublicationState.HANDED_OVER)


def run_chain(publication_id: int, version: int | None = None, *, limit: int = 50) -> str:
    """Run a publication, then the account's next due ones in this same worker, in due order.

    Posts of one account go out one at a time; when many are due together, handing each
    successor to the back of the queue would make it wait behind every other account's crowd.
    Going on here keeps each account's line moving. After ``limit`` posts (or when this one did
    not finish) the successor is queued as usual; a worker dying mid-chain leaves the rest to
    the sweeper.
    """
    state = run(publication_id, version, kick_next=False)
    account_id = Publication.objects.filter(pk=publication_id).values_list("account_id", flat=True).first()
    if account_id is None:
        return state
    for _step in range(limit):
        if state not in DONE_STATES:
            return state
        nxt = _next_of_account(account_id)
        if nxt is None:
            return state
        state = run(nxt.pk, nxt.version, kick_next=False)
    # Stopped at the limit: whatever is next for the account goes back to the queue.
    if state in DONE_STATES:
        _kick_next(account_id)
    return state


def sweep_due(now: dt.datetime | None = None, *, inline: bool = False, limit: int = 1000) -> list[int]:
    """Re-drive everything due and not done (covers a lost queue); returns the ids it drove.

    Scheduled rows whose time has come, unknown rows due for reconciliation, and rows left in
    ``publishing`` past their lease. ``inline`` runs them here, in due order; otherwise they are
    queued (a duplicate task is harmless: the claim decides).
    """
    now = now or timezone.now()
    due = Q(state=PublicationState.SCHEDULED) & (
        Q(next_attempt_at__isnull=True, due_at__lte=now) | Q(next_attempt_at__lte=now)
    )
    unknown = Q(state=PublicationState.UNKNOWN) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    stale = Q(state=PublicationState.PUBLISHING, claimed_at__lte=now - lease())
    rows = list(
        Publication.objects.filter(due | unknown | stale)
        .order_by("due_at", "pk")
        .values_list("pk", "version")[:limit]
    )
    for pk, version in rows:
        if inline:
            run(pk, version, now=now)
        else:
            queue.enqueue_now(pk, version)
    return [pk for pk, _v in rows]
