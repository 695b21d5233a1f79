"""Endpoints and pages of the publishing app: the four permission cases, and what a person sees."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import approved_item, connect, make_account, make_publication


def _setup(workspace: Any, other_workspace: Any) -> tuple[Any, Any, Any, Any]:
    account = make_account(workspace, handle="weibo1", platform="mastodon")
    connect(account, "manual")
    item = approved_item(workspace, "新品发布")
    tomorrow = timezone.now() + dt.timedelta(days=1)
    pub = make_publication(workspace, item, account, tomorrow)
    other_item = approved_item(other_workspace, "别家")
    other_account = make_account(other_workspace, handle="x", platform="mastodon")
    other = make_publication(other_workspace, other_item, other_account, tomorrow)
    return item, pub, other_item, other


def test_api_four_cases(workspace: Any, other_workspace: Any, member: Any, api: Any) -> None:
    item, pub, other_item, other = _setup(workspace, other_workspace)
    editor = member(Role.OPERATOR)
    member(Role.OPERATOR, ws=other_workspace)
    analyst = member(Role.ANALYST)
    base = "/api/v1/workspaces"
    res = assert_four_cases(
        api, "GET", f"{base}/acme/items/{item.pk}/publications",
        f"{base}/acme/items/{other_item.pk}/publications", permitted=analyst, denied=None,
    )  # fmt: skip
    assert res.json()["items"][0]["state"] == "scheduled"
    assert_four_cases(
        api, "GET", f"{base}/acme/publications", f"{base}/other/publications/{pub.pk}",
        permitted=analyst, denied=None,
    )  # fmt: skip
    later = (timezone.now() + dt.timedelta(days=2)).isoformat()
    res = assert_four_cases(
        api, "POST", f"{base}/acme/publications/{pub.pk}/reschedule",
        f"{base}/acme/publications/{other.pk}/reschedule", permitted=editor, denied=analyst,
        data={"due_at": later},
    )  # fmt: skip
    assert res.json()["version"] == 2
    assert_four_cases(
        api, "POST", f"{base}/acme/publications/{pub.pk}/cancel",
        f"{base}/acme/publications/{other.pk}/cancel", permitted=editor, denied=analyst,
    )  # fmt: skip
    item.refresh_from_db()
    assert item.status == "approved"
    account_id = pub.account_id
    res = assert_four_cases(
        api, "POST", f"{base}/acme/items/{item.pk}/publications",
        f"{base}/acme/items/{other_item.pk}/publications", permitted=editor, denied=analyst,
        data={"account_id": account_id, "due_at": later}, ok=(201,),
    )  # fmt: skip
    assert res.json()["state"] == "scheduled"
    # A second live publication of the same item on the same account is refused.
    again = api(editor).post(
        f"{base}/acme/items/{item.pk}/publications",
        data={"account_id": account_id, "due_at": later},
        content_type="application/json",
    )
    assert again.status_code == 400


def test_pages_four_cases(workspace: Any, other_workspace: Any, member: Any, web: Any) -> None:
    item, pub, other_item, other = _setup(workspace, other_workspace)
    member(Role.OPERATOR, ws=other_workspace)
    analyst = member(Role.ANALYST)
    editor = member(Role.OPERATOR)
    res = assert_four_cases(
        web, "GET", f"/w/acme/content/{item.pk}/publications/",
        f"/w/acme/content/{other_item.pk}/publications/", permitted=analyst, denied=None,
    )  # fmt: skip
    assert "Scheduled" in res.content.decode()
    res = assert_four_cases(
        web, "GET", "/w/acme/publishing/", "/w/other/publishing/", permitted=analyst, denied=None
    )
    assert item.title in res.content.decode()
    assert_four_cases(
        web, "POST", f"/w/acme/publications/{pub.pk}/now/", f"/w/acme/publications/{other.pk}/now/",
        permitted=editor, denied=analyst, ok=(302,),
    )  # fmt: skip
    pub.refresh_from_db()
    assert pub.version == 2 and pub.due_at <= timezone.now()
