"""Endpoints and pages of the publishing app: the four permission cases, and what a person sees."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from socialops.publishing import services
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.platforms.factories import connect, make_account

from .support import approved_item


def _setup(workspace: Any, other_workspace: Any) -> tuple[Any, Any, Any, Any]:
    account = make_account(workspace, handle="weibo1")
    connect(account, "manual")
    item = approved_item(workspace, "新品发布")
    pub = services.publication_schedule(
        workspace=workspace,
        actor=None,
        item=item,
        account=account,
        due_at=timezone.now() + dt.timedelta(days=1),
    )
    other_account = make_account(other_workspace, handle="x")
    other_item = approved_item(other_workspace, "别家")
    other = services.publication_schedule(
        workspace=other_workspace,
        actor=None,
        item=other_item,
        account=other_account,
        due_at=timezone.now() + dt.timedelta(days=1),
    )
    return item, pub, other_item, other


def test_api_four_cases(workspace: Any, other_workspace: Any, member: Any, api: Any) -> None:
    item, pub, other_item, other = _setup(workspace, other_workspace)
    editor = member(Role.OPERATOR)
    member(Role.OPERATOR, ws=other_workspace)
    analyst = member(Role.ANALYST)
    base = "/api/v1/workspaces"
    res = assert_four_cases(
        client_for=api,
        method="GET",
        url=f"{base}/acme/items/{item.pk}/publications",
        foreign_url=f"{base}/acme/items/{other_item.pk}/publications",
        permitted=analyst,
        denied=None,
    )
    assert res.json()["items"][0]["state"] == "scheduled"
    assert_four_cases(
        client_for=api,
        method="GET",
        url=f"{base}/acme/publications",
        foreign_url=f"{base}/other/publications/{pub.pk}",
        permitted=analyst,
        denied=None,
    )
    later = (timezone.now() + dt.timedelta(days=2)).isoformat()
    res = assert_four_cases(
        client_for=api,
        method="POST",
        url=f"{base}/acme/publications/{pub.pk}/reschedule",
        foreign_url=f"{base}/acme/publications/{other.pk}/reschedule",
        permitted=editor,
        denied=analyst,
        data={"due_at": later},
    )
    assert res.json()["version"] == 2
    assert_four_cases(
        client_for=api,
        method="POST",
        url=f"{base}/acme/publications/{pub.pk}/cancel",
        foreign_url=f"{base}/acme/publications/{other.pk}/cancel",
        permitted=editor,
        denied=analyst,
    )
    item.refresh_from_db()
    assert item.status == "approved"
    account_id = pub.account_id
    res = assert_four_cases(
        client_for=api,
        method="POST",
        url=f"{base}/acme/items/{item.pk}/publications",
        foreign_url=f"{base}/acme/items/{other_item.pk}/publications",
        permitted=editor,
        denied=analyst,
        data={"account_id": account_id, "due_at": later},
        ok=(201,),
    )
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
        client_for=web,
        method="GET",
        url=f"/w/acme/content/{item.pk}/publications/",
        foreign_url=f"/w/acme/content/{other_item.pk}/publications/",
        permitted=analyst,
        denied=None,
        api=False,
    )
    assert "Scheduled" in res.content.decode()
    res = assert_four_cases(
        client_for=web,
        method="GET",
        url="/w/acme/publishing/",
        foreign_url="/w/other/publishing/",
        permitted=analyst,
        denied=None,
        api=False,
    )
    assert item.title in res.content.decode()
    assert_four_cases(
        client_for=web,
        method="POST",
        url=f"/w/acme/publications/{pub.pk}/now/",
        foreign_url=f"/w/acme/publications/{other.pk}/now/",
        permitted=editor,
        denied=analyst,
        api=False,
        ok=(302,),
    )
    pub.refresh_from_db()
    assert pub.version == 2 and pub.due_at <= timezone.now()
