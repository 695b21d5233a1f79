"""Reads of themes and target mixes, content items, variants and media assets (any member may read).

The ``*_for_system`` selectors serve code acting without a person (the plan generator, jobs,
the CLI): they take the workspace only and check no membership.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from socialops.accounts.models import Platform, SocialAccount
from socialops.core.querysets import filter_given
from socialops.textkit.platform_rules import max_length
from socialops.workspaces.access import membership_get
from socialops.workspaces.models import Workspace
from socialops.workspaces.selectors import member_row_or_404, member_rows

from ..models import ContentItem, ContentVariant, Importance, MediaAsset, MediaKind, Theme, ThemeTarget
from ..rendering import article_html, asset_ids_in, plain_text, preview_html, stored_html

# Statuses of the review/publishing workflow after which the planner leaves an item alone.
DONE_STATUSES = ("published", "archived")
TEASER_LENGTH = 120
VIDEO_PLATFORMS: set[str] = {Platform.CHANNELS, Platform.DOUYIN, Platform.KUAISHOU, Platform.BILIBILI}


# ---- themes ---------------------------------------------------------------------------------


def theme_list(*, workspace: Workspace, user: Any) -> QuerySet[Theme]:
    """The workspace's themes in their order, each with ``item_count``."""
    membership_get(workspace=workspace, user=user)
    return themes_for_system(workspace=workspace)


def themes_for_system(*, workspace: Workspace) -> QuerySet[Theme]:
    """The workspace's themes for code acting as the system (no member to check)."""
    return (
        Theme.objects.filter(workspace=workspace)
        .annotate(item_count=Count("items", distinct=True))
        .order_by("position", "name")
    )


def theme_get(*, workspace: Workspace, user: Any, theme_id: int) -> Theme:
    """One theme of this workspace, or Http404."""
    return get_object_or_404(theme_list(workspace=workspace, user=user), pk=theme_id)


def _equal_shares(theme_ids: list[int]) -> dict[int, float]:
    if not theme_ids:
        return {}
    share = 100.0 / len(theme_ids)
    return dict.fromkeys(theme_ids, share)


def theme_targets_explicit(*, workspace: Workspace, account: SocialAccount) -> dict[int, int]:
    """The shares a person set for the account (theme id → percent); empty when none were set."""
    return dict(
        ThemeTarget.objects.filter(workspace=workspace, account=account)
        .order_by("theme__position", "theme_id")
        .values_list("theme_id", "share")
    )


def theme_targets_for_system(*, workspace: Workspace, account: SocialAccount) -> dict[int, float]:
    """Target mix of an account: theme id → percent (summing to 100), for the plan generator.

    The shares a person set; themes they left out get 0. An account without targets gets equal
    shares over all the workspace's themes. Percentages are floats so equal shares stay exact.
    """
    theme_ids = list(
        Theme.objects.filter(workspace=workspace).order_by("position", "name").values_list("pk", flat=True)
    )
    explicit = theme_targets_explicit(workspace=workspace, account=account)
    if not explicit:
        return _equal_shares(theme_ids)
    return {theme_id: float(explicit.get(theme_id, 0)) for theme_id in theme_ids}


def theme_targets_for_account(*, workspace: Workspace, user: Any, account: SocialAccount) -> dict[int, float]:
    """An account's target theme mix as a member sees it (see theme_targets_for_system)."""
    membership_get(workspace=workspace, user=user)
    if account.workspace_id != workspace.pk:
        raise Http404
    return theme_targets_for_system(workspace=workspace, account=account)


# ---- content items --------------------------------------------------------------------------


def _items(workspace: Workspace) -> QuerySet[ContentItem]:
    return (
        ContentItem.objects.filter(workspace=workspace)
        .select_related("theme", "owner", "cover", "video")
        .prefetch_related("accounts")
    )


def content_item_list(
    *,
    workspace: Workspace,
    user: Any,
    form: str | None = None,
    theme: int | None = None,
    status: str | None = None,
    q: str | None = None,
    account: int | None = None,
    importance: str | None = None,
    owner: int | None = None,
    due_from: dt.date | None = None,
    due_to: dt.date | None = None,
) -> QuerySet[ContentItem]:
    """The workspace's items, newest change first, filtered (the due range is inclusive); each with
    ``variant_count``."""
    membership_get(workspace=workspace, user=user)
    qs = filter_given(
        _items(workspace).annotate(variant_count=Count("variants", distinct=True)),
        form=form,
        theme_id=theme,
        status=status,
        importance=importance,
        accounts__id=account,
        owner_id=owner,
        deadline__gte=due_from,
        deadline__lte=due_to,
    )
    if q:
        q = q.strip()[:100]
        qs = qs.filter(Q(title__icontains=q) | Q(digest__icontains=q) | Q(body__icontains=q))
    return qs.order_by("-updated_at", "-id")


def content_item_get(*, workspace: Workspace, user: Any, item_id: int) -> ContentItem:
    """One item of this workspace, or Http404."""
    membership_get(workspace=workspace, user=user)
    return get_object_or_404(_items(workspace), pk=item_id)


def backlog_for_system(
    *, workspace: Workspace, accounts: Iterable[SocialAccount], start: dt.date, end: dt.date
) -> QuerySet[ContentItem]:
    """The items the plan generator may place on ``accounts`` between ``start`` and ``end`` (inclusive).

    An item qualifies when:
    - its status is not "published" or "archived";
    - it is evergreen, or its deadline is on or after ``start`` (an item due after ``end`` may
      still go out early; one due before ``start`` has missed its moment);
    - it lists none of its own accounts (meant for any account) or lists one of ``accounts``;
    - a live stream only when its start time falls on a local date within the period, since it
      can only be placed at that time.
    Urgent items come first, then important ones, then by deadline (evergreen last) and id, so
    the order is deterministic. ``accounts`` and ``theme`` are prefetched.
    """
    account_ids = [a.pk for a in accounts]
    qs = (
        ContentItem.objects.filter(workspace=workspace)
        .exclude(status__in=DONE_STATUSES)
        .filter(Q(evergreen=True) | Q(deadline__gte=start))
        .filter(Q(accounts__isnull=True) | Q(accounts__id__in=account_ids))
    )
    tz = workspace.tz
    period_start = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    period_end = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    qs = qs.exclude(Q(form="live") & ~Q(live_starts_at__gte=period_start, live_starts_at__lt=period_end))
    ids = qs.values("pk").distinct()
    importance_rank = {Importance.URGENT: 0, Importance.IMPORTANT: 1, Importance.NORMAL: 2}
    rank = Case(
        *[When(importance=k, then=Value(v)) for k, v in importance_rank.items()],
        default=Value(3),
        output_field=IntegerField(),
    )
    return (
        ContentItem.objects.filter(pk__in=ids)
        .select_related("theme")
        .prefetch_related("accounts")
        .annotate(importance_rank=rank)
        .order_by("importance_rank", "evergreen", "deadline", "pk")
    )


def ordered_images(item: ContentItem) -> list[MediaAsset]:
    """An item's images in the order the writer chose."""
    through = ContentItem.images.through
    ids = list(
        through.objects.filter(contentitem_id=item.pk).order_by("id").values_list("mediaasset_id", flat=True)
    )
    assets = MediaAsset.objects.in_bulk(ids)
    return [assets[i] for i in ids if i in assets]


def ordered_media(variant: ContentVariant) -> list[MediaAsset]:
    """A variant's media in the order the writer chose."""
    through = ContentVariant.media.through
    ids = list(
        through.objects.filter(contentvariant_id=variant.pk)
        .order_by("id")
        .values_list("mediaasset_id", flat=True)
    )
    assets = MediaAsset.objects.in_bulk(ids)
    return [assets[i] for i in ids if i in assets]


def owner_choices(*, workspace: Workspace, user: Any) -> QuerySet[Any]:
    """The workspace's members, who may own items."""
    membership_get(workspace=workspace, user=user)
    return get_user_model().objects.filter(memberships__workspace=workspace).order_by("username")


def image_url_for(
    workspace: Workspace, *, absolute: Callable[[str], str] | None = None
) -> Callable[[int], str | None]:
    """Maps an asset id to its member-only file URL when it is an image of this workspace."""
    cache: dict[int, str | None] = {}

    def resolve(asset_id: int) -> str | None:
        if asset_id not in cache:
            exists = MediaAsset.objects.filter(
                workspace=workspace, pk=asset_id, kind=MediaKind.IMAGE
            ).exists()
            url = (
                reverse("asset_file", kwargs={"slug": workspace.slug, "asset_id": asset_id})
                if exists
                else None
            )
            cache[asset_id] = absolute(url) if url and absolute else url
        return cache[asset_id]

    return resolve


def content_item_rendered(
    *, workspace: Workspace, user: Any, item: ContentItem, absolute: Callable[[str], str] | None = None
) -> dict[str, Any]:
    """The item's body as 公众号 article HTML and as our page's preview, with the images it uses."""
    membership_get(workspace=workspace, user=user)
    resolve = image_url_for(workspace, absolute=absolute)
    return {
        "article_html": article_html(item.body, image_url=resolve, body_format=item.body_format),
        "preview_html": preview_html(item.body, image_url=resolve, body_format=item.body_format),
        "asset_ids": [i for i in asset_ids_in(item.body) if resolve(i) is not None],
    }


def content_body_preview(*, workspace: Workspace, user: Any, body: str, body_format: str) -> str:
    """A body being typed as the 公众号 article will show it: for rich text, first sanitised as a
    save stores it (library images as asset:N), then rendered with our member-only image URLs."""
    membership_get(workspace=workspace, user=user)
    resolve = image_url_for(workspace)
    if body_format == "html":
        body = stored_html(
            body, image_url=lambda asset_id: f"asset:{asset_id}" if resolve(asset_id) else None
        )
    return article_html(body, image_url=resolve, body_format=body_format)


# ---- variants -------------------------------------------------------------------------------


def variant_list(*, workspace: Workspace, user: Any, item: ContentItem) -> QuerySet[ContentVariant]:
    """The item's variants, one per account."""
    return (
        member_rows(ContentVariant, workspace=workspace, user=user)
        .filter(item=item)
        .select_related("account")
        .order_by("account__platform", "account__handle")
    )


def variant_get(*, workspace: Workspace, user: Any, variant_id: int) -> ContentVariant:
    """One variant of this workspace, or Http404."""
    membership_get(workspace=workspace, user=user)
    return get_object_or_404(
        ContentVariant.objects.filter(workspace=workspace).select_related("account", "item"), pk=variant_id
    )


def variant_accounts(*, workspace: Workspace, user: Any, item: ContentItem) -> list[SocialAccount]:
    """Our accounts that may get a variant of the item and have none yet."""
    membership_get(workspace=workspace, user=user)
    listed = list(item.accounts.all())
    candidates = listed or list(
        SocialAccount.objects.filter(workspace=workspace, is_competitor=False).order_by("platform", "handle")
    )
    taken = set(
        ContentVariant.objects.filter(workspace=workspace, item=item).values_list("account_id", flat=True)
    )
    return [a for a in candidates if a.pk not in taken and not a.is_competitor]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


def variant_prefill(
    *, workspace: Workspace, user: Any, item: ContentItem, account: SocialAccount
) -> dict[str, Any]:
    """Fields proposed for a new variant of ``item`` on ``account``'s platform (the person edits them).

    A 公众号 variant takes the article as it is; a 微博 (or X, Bluesky, Mastodon) variant is a
    teaser — 【title】 and the digest (or the start of the body) — with the link of another
    variant that already has one (usually the published 公众号 article); video platforms take
    the video and its cover, 视频号 a short title.
    """
    membership_get(workspace=workspace, user=user)
    platform = account.platform
    images = ordered_images(item)
    link = (
        ContentVariant.objects.filter(workspace=workspace, item=item)
        .exclude(link_url="")
        .order_by("pk")
        .values_list("link_url", flat=True)
        .first()
        or ""
    )
    summary = item.digest or _clip(plain_text(item.body, item.body_format), TEASER_LENGTH)
    fields: dict[str, Any] = {
        "title": item.title,
        "body": item.body,
        "digest": item.digest,
        "author": "",
        "hashtags": [],
        "link_url": link,
        "media": [],
        "extra": {},
    }
    if platform == Platform.WECHAT_MP:
        fields["media"] = [item.cover] if item.cover else []
        fields["extra"] = {"need_open_comment": True, "only_fans_can_comment": False}
    elif platform in VIDEO_PLATFORMS:
        fields["body"] = summary
        fields["media"] = [a for a in (item.video, item.cover) if a is not None]
        if platform == Platform.CHANNELS:
            fields["extra"] = {
                "short_title": _clip(item.title, max_length(Platform.CHANNELS, "title", "video") or 16)
            }
    elif platform == Platform.XIAOHONGSHU:
        fields["title"] = _clip(item.title, max_length(Platform.XIAOHONGSHU, "title", "note") or 20)
        fields["body"] = plain_text(item.body, item.body_format) if item.body else summary
        fields["media"] = images or ([item.cover] if item.cover else [])
    else:
        # Weibo and the other short-text platforms: a teaser pointing at the full story, kept
        # within the platform's body limit (a prefilled Weibo variant carries pictures: long form).
        limit = (
            max_length(platform, "body", "long" if platform == Platform.WEIBO else None) or TEASER_LENGTH + 40
        )
        room = limit - (len(link) + 1 if link else 0) - len(item.title) - 2
        teaser = f"【{item.title}】{_clip(summary, max(room, 0))}" if room > 0 else _clip(item.title, limit)
        fields["body"] = f"{teaser} {link}".strip()
        fields["digest"] = ""
        fields["media"] = images[:9] or ([item.cover] if item.cover else [])
    return fields


# ---- media assets ---------------------------------------------------------------------------


def media_asset_list(
    *, workspace: Workspace, user: Any, kind: str | None = None, q: str | None = None
) -> QuerySet[MediaAsset]:
    """The workspace's media library, newest first."""
    qs = member_rows(MediaAsset, workspace=workspace, user=user).select_related("uploaded_by")
    qs = filter_given(qs, kind=kind)
    if q:
        qs = qs.filter(original_name__icontains=q.strip()[:100])
    return qs.order_by("-created_at", "-id")


def media_asset_get(*, workspace: Workspace, user: Any, asset_id: int) -> MediaAsset:
    """One asset of this workspace, or Http404."""
    return member_row_or_404(MediaAsset, workspace=workspace, user=user, pk=asset_id)


def media_asset_usage(*, workspace: Workspace, asset: MediaAsset) -> dict[str, list[Any]]:
    """The items (as cover, image, video or an image in the body) and variants (as media) that use an asset."""
    in_body = re.compile(rf"asset:{asset.pk}(?!\d)")
    items = [
        item
        for item in ContentItem.objects.filter(workspace=workspace)
        .filter(Q(cover=asset) | Q(video=asset) | Q(images=asset) | Q(body__contains=f"asset:{asset.pk}"))
        .distinct()
        .order_by("title")
        # "asset:12" also matches inside "asset:123": the regex keeps only real references.
        if item.cover_id == asset.pk
        or item.video_id == asset.pk
        or in_body.search(item.body)
        or item.images.filter(pk=asset.pk).exists()
    ]
    variants = (
        ContentVariant.objects.filter(workspace=workspace, media=asset)
        .select_related("item", "account")
        .distinct()
        .order_by("item__title")
    )
    return {"items": list(items), "variants": list(variants)}
