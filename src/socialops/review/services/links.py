"""Link reachability results (R2.7): one stored ``LinkCheck`` per URL, refreshed by a Huey task."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from socialops.content.models import ContentItem
from socialops.textkit.links import LinkStatus, find_urls
from socialops.workspaces.models import Workspace

from ..models import (
    LinkCheck,
)

MAX_LINKS_PER_ITEM = 50


def link_statuses(workspace: Workspace, urls: Iterable[str]) -> list[LinkStatus]:
    """Stored reachability results of these URLs (those checked at least once)."""
    hashes = {_url_hash(u): u for u in urls}
    if not hashes:
        return []
    out = []
    for row in LinkCheck.objects.filter(workspace=workspace, url_hash__in=list(hashes)):
        out.append(
            LinkStatus(
                row.url, row.ok, row.status, row.final_url or None, None, row.error or None, row.elapsed_ms
            )
        )
    return out


def _url_hash(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def item_link_urls(item: ContentItem) -> list[str]:
    """Every link an item and its variants publish (in the texts and the link fields)."""
    seen: dict[str, None] = {}
    texts = [item.title, item.digest, item.body, item.live_outline]
    extra_links: list[str] = []
    for variant in item.variants.select_related("account"):
        texts += [variant.title, variant.digest, variant.body]
        extra_links += [u for u in (variant.link_url, (variant.extra or {}).get("content_source_url")) if u]
    for text in texts:
        for u in find_urls(text or ""):
            seen.setdefault(u.url, None)
    for url in extra_links:
        seen.setdefault(url, None)
    return list(seen)[:MAX_LINKS_PER_ITEM]


def _links_to_check(workspace: Workspace, urls: Sequence[str]) -> list[str]:
    """The URLs without a reachability result younger than REVIEW_LINKCHECK_MAX_AGE."""
    if not urls:
        return []
    max_age = float(getattr(settings, "REVIEW_LINKCHECK_MAX_AGE", 6 * 3600))
    since = timezone.now() - dt.timedelta(seconds=max_age)
    fresh = set(
        LinkCheck.objects.filter(
            workspace=workspace, url_hash__in=[_url_hash(u) for u in urls], checked_at__gte=since
        ).values_list("url_hash", flat=True)
    )
    return [u for u in urls if _url_hash(u) not in fresh]


@transaction.atomic
def link_checks_record(*, workspace: Workspace, statuses: Sequence[LinkStatus]) -> list[LinkCheck]:
    """Store reachability results (one row per URL, replaced by each new check)."""
    now = timezone.now()
    out = []
    for st in statuses:
        row, _created = LinkCheck.objects.update_or_create(
            workspace=workspace,
            url_hash=_url_hash(st.url),
            defaults={
                "url": st.url[:2000],
                "ok": st.ok,
                "status": st.status if st.status is not None and 0 <= st.status < 1000 else None,
                "error": (st.error or "")[:30],
                "final_url": (st.final_url or "")[:2000],
                "elapsed_ms": max(0, st.elapsed_ms),
                "checked_at": now,
            },
        )
        out.append(row)
    return out


def links_pending(*, workspace: Workspace, item: ContentItem) -> list[str]:
    """The item's links that need a (new) reachability check."""
    return _links_to_check(workspace, item_link_urls(item))
