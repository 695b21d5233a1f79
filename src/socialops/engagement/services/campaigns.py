"""Writes on campaigns and topics: create, change, delete (audited), and the posts a tag timeline shows.

A campaign names the goal it serves, its accounts, its period, budget and owner, and the content
items it puts on the plan. A topic is one name with its tag on each platform; the posts found
under a tag are stored once per platform post id, so fetching the same timeline twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.accounts.models import Platform, SocialAccount
from socialops.content.models import ContentItem
from socialops.core.validation import Errors, add_error, clean_text, refuse_unknown_fields
from socialops.goals.models import Goal
from socialops.platforms.connectors.mastodon import MastodonConnector
from socialops.platforms.models import ConnectionStatus, ConnectorKind, PlatformConnection
from socialops.platforms.registry import connector_for
from socialops.workspaces.access import ensure_same_workspace, require_perm
from socialops.workspaces.audit import audit_delete, audit_saved, edit_snapshot
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from ..models.campaigns import Campaign, Topic, TopicPost

CAMPAIGN_FIELDS = (
    "name", "description", "goal", "accounts", "start_date", "end_date", "budget", "owner", "items",
)  # fmt: skip
TOPIC_FIELDS = ("name", "campaign", "tags")
NAME_MAX = 150
DESCRIPTION_MAX = 5000
BUDGET_MAX = Decimal("999999999999")
TAG_MAX = 100
# Connectors that speak Mastodon's API (the sandbox is the demo's Mastodon).
MASTODON_KINDS = (ConnectorKind.MASTODON, ConnectorKind.SANDBOX)
# A campaign longer than this is a programme, not a campaign.
PERIOD_MAX_DAYS = 366
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


def _date(value: Any, field: str, errors: Errors) -> dt.date | None:
    day: dt.date | None = None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str) and value.strip():
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            day = None
    # The figures compare with the days before the campaign: keep both windows within the calendar.
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        add_error(errors, field, _("Enter a date such as 2026-05-01."))
        return None
    return day


def _ids(values: Any) -> list[Any]:
    return [getattr(v, "pk", v) for v in (values or [])]


def _rows(
    model: Any, workspace: Workspace, values: Any, field: str, errors: Errors, message: str
) -> list[Any]:
    """The rows named (objects or ids), all of this workspace's; otherwise one error on ``field``."""
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, Iterable):
        add_error(errors, field, message)
        return []
    ids = _ids(values)
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        add_error(errors, field, message)
        return []
    rows = list(model.objects.filter(workspace=workspace, pk__in=ids))
    if len(rows) != len(set(ids)):
        add_error(errors, field, message)
        return []
    return rows


def _one(model: Any, workspace: Workspace, value: Any, field: str, errors: Errors, message: str) -> Any:
    if value in (None, ""):
        return None
    pk = getattr(value, "pk", value)
    row = model.objects.filter(workspace=workspace, pk=pk).first() if isinstance(pk, int) else None
    if row is None:
        add_error(errors, field, message)
    return row


def _member(workspace: Workspace, value: Any, field: str, errors: Errors) -> Any:
    if value in (None, ""):
        return None
    pk = getattr(value, "pk", value)
    user = (
        get_user_model().objects.filter(pk=pk, memberships__workspace=workspace).first()
        if isinstance(pk, int)
        else None
    )
    if user is None:
        add_error(errors, field, _("Choose a member of this workspace."))
    return user


def _budget(value: Any, errors: Errors) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
        if not amount.is_finite() or amount < 0 or amount > BUDGET_MAX:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        add_error(errors, "budget", _("Enter an amount of 0 or more."))
        return None
    return amount.quantize(Decimal("0.01"))


def _campaign_apply(workspace: Workspace, row: Campaign, fields: dict[str, Any]) -> dict[str, list[Any]]:
    """Check and set the fields; returns the many-to-many values to set after saving."""
    errors: Errors = {}
    m2m: dict[str, list[Any]] = {}
    if "name" in fields:
        row.name = clean_text(fields["name"], "name", errors, max_length=NAME_MAX, required=True)
    if "description" in fields:
        row.description = clean_text(fields["description"], "description", errors, max_length=DESCRIPTION_MAX)
    if "goal" in fields:
        row.goal = _one(
            Goal, workspace, fields["goal"], "goal", errors, _("Choose one of this workspace's goals.")
        )
    if "owner" in fields:
        row.owner = _member(workspace, fields["owner"], "owner", errors)
    if "budget" in fields:
        row.budget = _budget(fields["budget"], errors)
    for name in ("start_date", "end_date"):
        if name in fields:
            setattr(row, name, _date(fields[name], name, errors))
    if "accounts" in fields:
        accounts = _rows(
            SocialAccount, workspace, fields["accounts"], "accounts", errors,
            _("Choose accounts of this workspace."),
        )  # fmt: skip
        if any(a.is_competitor for a in accounts):
            add_error(errors, "accounts", _("Choose our own accounts, not competitors'."))
        m2m["accounts"] = accounts
    if "items" in fields:
        m2m["items"] = _rows(
            ContentItem, workspace, fields["items"], "items", errors,
            _("Choose content items of this workspace."),
        )  # fmt: skip
    start, end = row.start_date, row.end_date
    if start and end and "start_date" not in errors and "end_date" not in errors:
        if end < start:
            add_error(errors, "end_date", _("The campaign must end on or after its first day."))
        elif (end - start).days + 1 > PERIOD_MAX_DAYS:
            add_error(errors, "end_date", _("A campaign lasts at most %(n)d days.") % {"n": PERIOD_MAX_DAYS})
    if errors:
        raise ValidationError(errors)
    return m2m


def _campaign_snapshot(row: Campaign) -> dict[str, Any]:
    return edit_snapshot(row)


@transaction.atomic
def campaign_create(*, workspace: Workspace, actor: Any, **fields: Any) -> Campaign:
    """A new campaign: its goal, accounts, period, budget, owner and content items (audited)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CAMPAIGN_EDIT)
    refuse_unknown_fields(fields, CAMPAIGN_FIELDS)
    row = Campaign(workspace=workspace)
    m2m = _campaign_apply(workspace, row, {"name": None, "start_date": None, "end_date": None, **fields})
    row.save()
    for name, values in m2m.items():
        getattr(row, name).set(values)
    audit_saved(row, workspace=workspace, actor=actor, action="campaign.create", snap=_campaign_snapshot)
    return row


@transaction.atomic
def campaign_update(*, workspace: Workspace, actor: Any, campaign: Campaign, **fields: Any) -> Campaign:
    """Change a campaign's fields (those given); audited with before and after."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CAMPAIGN_EDIT)
    ensure_same_workspace(workspace, campaign, "campaign")
    refuse_unknown_fields(fields, CAMPAIGN_FIELDS)
    row = Campaign.objects.select_for_update().get(pk=campaign.pk)
    before = _campaign_snapshot(row)
    m2m = _campaign_apply(workspace, row, fields)
    row.save()
    for name, values in m2m.items():
        getattr(row, name).set(values)
    audit_saved(
        row,
        workspace=workspace,
        actor=actor,
        action="campaign.update",
        before=before,
        snap=_campaign_snapshot,
    )
    return row


@transaction.atomic
def campaign_delete(*, workspace: Workspace, actor: Any, campaign: Campaign) -> None:
    """Delete a campaign; its topics and ideas stay, without the campaign (audited)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CAMPAIGN_EDIT)
    ensure_same_workspace(workspace, campaign, "campaign")
    audit_delete(
        campaign, workspace=workspace, actor=actor, action="campaign.delete", snap=_campaign_snapshot
    )


# ---- topics ------------------------------------------------------------------------------------


def _tags(value: Any, errors: Errors) -> dict[str, str]:
    """platform → tag, blank tags dropped; at least one platform's tag."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        add_error(errors, "tags", _("Give the tag for each platform."))
        return {}
    tags: dict[str, str] = {}
    for platform, tag in value.items():
        if platform not in Platform.values:
            add_error(errors, "tags", _("Unknown platform: %(value)s.") % {"value": str(platform)[:40]})
            continue
        text = clean_text(tag, "tags", errors, max_length=TAG_MAX)
        if text:
            tags[platform] = text
    if not tags and "tags" not in errors:
        add_error(errors, "tags", _("Give the topic's tag on at least one platform."))
    return tags


def _topic_apply(workspace: Workspace, row: Topic, fields: dict[str, Any]) -> None:
    errors: Errors = {}
    if "name" in fields:
        row.name = clean_text(fields["name"], "name", errors, max_length=100, required=True)
        if (
            row.name
            and Topic.objects.filter(workspace=workspace, name=row.name).exclude(pk=row.pk or 0).exists()
        ):
            add_error(errors, "name", _("Another topic already has this name."))
    if "campaign" in fields:
        row.campaign = _one(
            Campaign, workspace, fields["campaign"], "campaign", errors,
            _("Choose one of this workspace's campaigns."),
        )  # fmt: skip
    if "tags" in fields:
        tags = _tags(fields["tags"], errors)
        if row.tags.get(Platform.MASTODON) != tags.get(Platform.MASTODON):
            row.mastodon_cursor = ""  # a new tag is read from its newest posts again
        row.tags = tags
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def topic_create(*, workspace: Workspace, actor: Any, **fields: Any) -> Topic:
    """A new topic with its tag on each platform, optionally under a campaign (audited)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CAMPAIGN_EDIT)
    refuse_unknown_fields(fields, TOPIC_FIELDS)
    row = Topic(workspace=workspace)
    _topic_apply(workspace, row, {"name": None, "tags": None, **fields})
    row.save()
    audit_saved(row, workspace=workspace, actor=actor, action="topic.create", snap=edit_snapshot)
    return row


@transaction.atomic
def topic_update(*, workspace: Workspace, actor: Any, topic: Topic, **fields: Any) -> Topic:
    """Change a topic's name, campaign or tags (audited)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CAMPAIGN_EDIT)
    ensure_same_workspace(workspace, topic, "topic")
    refuse_unknown_fields(fields, TOPIC_FIELDS)
    row = Topic.objects.select_for_update().get(pk=topic.pk)
    before = edit_snapshot(row)
    _topic_apply(workspace, row, fields)
    row.save()
    audit_saved(
        row, workspace=workspace, actor=actor, action="topic.update", before=before, snap=edit_snapshot
    )
    return row


@transaction.atomic
def topic_delete(*, workspace: Workspace, actor: Any, topic: Topic) -> None:
    """Delete a topic and the posts fetched for it (audited)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CAMPAIGN_EDIT)
    ensure_same_workspace(workspace, topic, "topic")
    audit_delete(topic, workspace=workspace, actor=actor, action="topic.delete", snap=edit_snapshot)


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


@transaction.atomic
def topic_posts_store(
    *, topic: Topic, platform: str, posts: Iterable[dict[str, Any]], cursor: str = ""
) -> tuple[int, int]:
    """Store the posts a tag timeline showed (once per platform post id; known ones get fresh counts).

    A system write (the periodic fetch), not audited row by row. Returns (new, updated).
    """
    created = updated = 0
    for post in posts:
        external_id = str(post.get("external_id") or "")
        if not external_id:
            continue
        defaults = {
            "workspace_id": topic.workspace_id,
            "url": str(post.get("url") or "")[:500],
            "author_id": str(post.get("author_id") or "")[:200],
            "author_handle": str(post.get("author_handle") or "")[:200],
            "author_name": str(post.get("author_name") or "")[:200],
            "text": str(post.get("text") or ""),
            "posted_at": post.get("posted_at") or timezone.now(),
            "replies": _count(post.get("replies")),
            "reposts": _count(post.get("reposts")),
            "likes": _count(post.get("likes")),
        }
        _row, was_created = TopicPost.objects.update_or_create(
            topic=topic, platform=platform, external_id=external_id, defaults=defaults
        )
        created += was_created
        updated += not was_created
    fields: dict[str, Any] = {"fetched_at": timezone.now()}
    if cursor and platform == Platform.MASTODON:
        fields["mastodon_cursor"] = cursor
    Topic.objects.filter(pk=topic.pk).update(**fields)
    return created, updated


def _mastodon_connection(topic: Topic) -> PlatformConnection | None:
    """A connected Mastodon account of the topic's workspace to read the public timeline through."""
    return (
        PlatformConnection.objects.filter(
            workspace_id=topic.workspace_id,
            account__platform=Platform.MASTODON,
            account__is_competitor=False,
            kind__in=MASTODON_KINDS,
            status=ConnectionStatus.CONNECTED,
        )
        .order_by("pk")
        .first()
    )


def _counts(raw: Any) -> dict[str, int]:
    raw = raw or {}
    return {
        "replies": _count(raw.get("replies_count")),
        "reposts": _count(raw.get("reblogs_count")),
        "likes": _count(raw.get("favourites_count")),
    }


def topic_public_fetch(*, topic: Topic) -> tuple[int, int]:
    """Read the topic's Mastodon hashtag timeline from its cursor and store what it shows (system job).

    Through the workspace's Mastodon connector (and so core.egress); a topic without a Mastodon
    tag, or a workspace without a connected Mastodon account, is skipped. Returns (new, updated).
    """
    tag = (topic.tags or {}).get(Platform.MASTODON, "")
    connection = _mastodon_connection(topic) if tag else None
    if connection is None:
        return 0, 0
    with connector_for(connection) as connector:
        if not isinstance(connector, MastodonConnector):
            return 0, 0
        page = connector.fetch_tag_timeline(tag, cursor=topic.mastodon_cursor)
    posts = [
        {
            "external_id": c.external_id,
            "url": c.url,
            "author_id": c.author_id,
            "author_handle": c.author_handle,
            "author_name": c.author_name,
            "text": c.text,
            "posted_at": c.created_at,
            **_counts(c.raw),
        }
        for c in page.items
    ]
    return topic_posts_store(topic=topic, platform=Platform.MASTODON, posts=posts, cursor=page.cursor)
