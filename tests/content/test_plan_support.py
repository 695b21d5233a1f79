"""Builders for the plan tests (through the services, as the product does). Holds no tests."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from socialops.accounts import services as account_services
from socialops.accounts.models import SocialAccount
from socialops.content.models import ContentItem, Theme
from socialops.content.services import items as item_services

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
THEMES = ("行业动态", "产品介绍", "用户故事", "专家观点", "实用技巧")


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A Shanghai wall-clock time, aware."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def make_account(workspace: Any, handle: str = "acme_weibo", **kwargs: Any) -> SocialAccount:
    fields: dict[str, Any] = {"platform": "weibo", "display_name": handle}
    fields.update(kwargs)
    return account_services.account_create(workspace=workspace, actor=None, handle=handle, **fields)


def make_themes(workspace: Any, names: tuple[str, ...] = THEMES) -> list[Theme]:
    colours = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd")
    return [
        item_services.theme_create(workspace=workspace, actor=None, name=n, color=colours[i % 5])
        for i, n in enumerate(names)
    ]


def make_item(workspace: Any, theme: Theme, title: str, **kwargs: Any) -> ContentItem:
    fields: dict[str, Any] = {"form": "article", "body": "正文", "evergreen": True}
    fields.update(kwargs)
    if "deadline" in kwargs and "evergreen" not in kwargs:
        fields["evergreen"] = False
    return item_services.content_item_create(
        workspace=workspace, actor=None, title=title, theme=theme, **fields
    )


def make_backlog(
    workspace: Any, themes: list[Theme], per_theme: int, accounts: Any = ()
) -> list[ContentItem]:
    """per_theme evergreen items of each theme, forms alternating, meant for ``accounts``."""
    forms = ("article", "short_post", "qa")
    items = []
    for t, theme in enumerate(themes):
        for n in range(per_theme):
            items.append(
                make_item(
                    workspace,
                    theme,
                    f"{theme.name} {n + 1}",
                    form=forms[(n + t) % 3],
                    accounts=list(accounts),
                )
            )
    return items
