"""Builders for the publishing tests: approved items and accounts connected to the sandbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from socialops.content.models import ContentItem
from socialops.platforms import services as platform_services
from socialops.publishing import engine
from socialops.publishing.models import Publication
from tests.content.test_items_factories import make_item, make_theme
from tests.platforms.factories import make_account


def approved_item(workspace: Any, title: str, body: str | None = None) -> ContentItem:
    theme = make_theme(workspace, name=f"主题{ContentItem.objects.count()}")
    item = make_item(workspace, theme, title=title, body=body or f"{title} 的正文", digest="")
    # The review workflow's own tests cover approval; here the item starts approved.
    ContentItem.objects.filter(pk=item.pk).update(status="approved")
    item.refresh_from_db()
    return item


def sandbox_account(workspace: Any, sandbox: Any, handle: str) -> Any:
    account = make_account(workspace, handle=handle)
    platform_services.sandbox_connect(workspace=workspace, actor=None, account=account, base_url=sandbox.url)
    account.refresh_from_db()
    return account


def drain(rounds: int = 40, step: float = 120.0) -> None:
    """Run the sweeper inline, moving the clock forward each round, until nothing is open."""
    now = timezone.now()
    for _ in range(rounds):
        now += dt.timedelta(seconds=step)
        open_rows = Publication.objects.filter(state__in=["scheduled", "publishing", "unknown"])
        if not engine.sweep_due(now, inline=True) and not open_rows.exists():
            return
