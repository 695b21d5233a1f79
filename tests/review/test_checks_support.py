"""Builders and fixtures shared by the check tests (imported by the test_checks_* modules).

Everything goes through the services, as the product does; accounts are plain rows (the
accounts app's services are exercised by its own tests).
"""

from __future__ import annotations

from typing import Any

import pytest

from socialops.accounts.models import Platform, SocialAccount
from socialops.analytics.services import column_mapping_create, posts_import
from socialops.content.services import items as content_services
from socialops.workspaces.roles import Role


def make_account(workspace: Any, handle: str, platform: str = Platform.WEIBO, **extra: Any) -> SocialAccount:
    return SocialAccount.objects.create(
        workspace=workspace, platform=platform, handle=handle, display_name=handle, **extra
    )


def make_theme(workspace: Any, name: str = "产品介绍") -> Any:
    return content_services.theme_create(workspace=workspace, actor=None, name=name)


def make_item(workspace: Any, *, body: str = "正文", title: str = "新品发布", **kwargs: Any) -> Any:
    theme = kwargs.pop("theme", None) or make_theme(workspace)
    fields: dict[str, Any] = {"form": "article", "evergreen": True, "body": body}
    fields.update(kwargs)
    return content_services.content_item_create(
        workspace=workspace, actor=None, title=title, theme=theme, **fields
    )


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def import_posts(workspace: Any, account: SocialAccount, posts: list[tuple[str, str, str]]) -> Any:
    """Import (id, published at, text) rows through a saved mapping, as a user's export would come in."""
    from socialops.analytics.models import ColumnMapping

    name = f"texts-{account.handle}"
    existing = ColumnMapping.objects.filter(workspace=workspace, name=name).first()
    mapping = existing or column_mapping_create(
        workspace=workspace,
        actor=None,
        name=name,
        columns={"external_id": "id", "published_at": "发布时间", "text": "正文", "likes": "点赞"},
        options={"delimiter": ",", "engagements_from": "sum"},
    )
    content = csv_bytes([{"id": i, "发布时间": when, "正文": text, "点赞": "3"} for i, when, text in posts])
    return posts_import(
        workspace=workspace,
        actor=None,
        account=account,
        mapping=mapping,
        file_name="posts.csv",
        content=content,
    )


@pytest.fixture(name="reviewer")
def reviewer_fixture(member: Any) -> Any:
    return member(Role.REVIEWER, username="rita")


@pytest.fixture(name="operator")
def operator_fixture(member: Any) -> Any:
    return member(Role.OPERATOR, username="otto")


@pytest.fixture(name="analyst")
def analyst_fixture(member: Any) -> Any:
    return member(Role.ANALYST, username="anna")


@pytest.fixture(name="other_admin")
def other_admin_fixture(member: Any, other_workspace: Any) -> Any:
    return member(Role.ADMIN, ws=other_workspace, username="olga")
