"""The groups pages as an admin and as an analyst (reads everything, changes nothing)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from socialops.community.models.groups import ActionStatus, AppealState, Group, GroupMember
from tests.community.groups_data import manual_group
from tests.factories import approved_item, csv_bytes

pytestmark = pytest.mark.django_db


def _urls(workspace: Any, group: Any) -> list[str]:
    slug = workspace.slug
    return [
        reverse("group_list", kwargs={"slug": slug}),
        reverse("group_detail", kwargs={"slug": slug, "group_id": group.pk}),
        reverse("moderation_log", kwargs={"slug": slug}),
        reverse("moderation_log", kwargs={"slug": slug}) + "?status=attention&appeals=1",
    ]


def test_pages_render_for_admin_and_analyst(web: Any, workspace: Any, admin: Any, analyst: Any) -> None:
    group, _action = manual_group(workspace)
    for user in (admin, analyst):
        client = web(user)
        for url in _urls(workspace, group):
            response = client.get(url)
            assert response.status_code == 200, url
    page = web(admin).get(_urls(workspace, group)[1]).content.decode()
    assert "李雷" in page and "members-chart" in page and "Sharing plan" in page
    assert "group-new" in web(admin).get(_urls(workspace, group)[0]).content.decode()
    assert "group-new" not in web(analyst).get(_urls(workspace, group)[0]).content.decode()


def test_the_pages_in_chinese(client: Any, workspace: Any, admin: Any, settings: Any) -> None:
    settings.LANGUAGE_CODE = "zh-hans"
    group, _action = manual_group(workspace)
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(_urls(workspace, group)[1]).content.decode()
    assert "分享计划" in page and "近 7 天发言" in page
    assert "需人工处理" in client.get(_urls(workspace, group)[3]).content.decode()


def test_analyst_cannot_write(web: Any, workspace: Any, analyst: Any) -> None:
    group, action = manual_group(workspace)
    slug = workspace.slug
    client = web(analyst)
    for name, kwargs in [
        ("moderation_undo", {"action_id": action.pk}),
        ("moderation_resolve", {"action_id": action.pk}),
        ("moderation_appeal", {"action_id": action.pk}),
        ("group_sync", {"group_id": group.pk}),
        ("group_members_import", {"group_id": group.pk}),
        ("group_create", {}),
        ("group_wecom_discover", {}),
        ("group_send", {"group_id": group.pk}),
        ("group_welcome", {"group_id": group.pk}),
    ]:
        assert client.post(reverse(name, kwargs={"slug": slug, **kwargs})).status_code == 403, name
    assert (
        client.post(reverse("group_detail", kwargs={"slug": slug, "group_id": group.pk})).status_code == 403
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.MANUAL


def test_admin_resolves_appeals_and_imports_through_the_pages(web: Any, workspace: Any, admin: Any) -> None:
    group, action = manual_group(workspace)
    slug = workspace.slug
    client = web(admin)
    response = client.post(
        reverse("moderation_appeal", kwargs={"slug": slug, "action_id": action.pk}), {"text": "我没有发广告"}
    )
    assert response.status_code == 302
    client.post(reverse("moderation_decide", kwargs={"slug": slug, "action_id": action.pk}), {"accept": "0"})
    action.refresh_from_db()
    assert action.appeal_state == AppealState.REJECTED
    client.post(reverse("moderation_resolve", kwargs={"slug": slug, "action_id": action.pk}))
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE

    url = reverse("group_members_import", kwargs={"slug": slug, "group_id": group.pk})
    bad = csv_bytes([{"phone": "1", "name": "坏"}])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(url, {"file": SimpleUploadedFile("m.csv", bad, "text/csv")})
    assert response.status_code == 200 and b"import-report" in response.content
    good = csv_bytes([{"phone": "13900139000", "name": "新人"}])
    response = client.post(url, {"file": SimpleUploadedFile("m.csv", good, "text/csv")})
    assert response.status_code == 302
    assert GroupMember.objects.filter(group=group).count() == 4


def test_create_a_group_and_place_an_item_on_its_plan(web: Any, workspace: Any, admin: Any) -> None:
    from socialops.accounts.models import Platform
    from socialops.content.models import Placement
    from tests.factories import GROUP_BOT_TOKEN, connect, make_account

    account = make_account(workspace, "acme_tg_group", Platform.TELEGRAM)
    connect(account, "telegram", access_token=GROUP_BOT_TOKEN, client_id="-1001234567890")
    slug = workspace.slug
    client = web(admin)
    response = client.post(
        reverse("group_create", kwargs={"slug": slug}),
        {"kind": "telegram", "name": "官方交流群", "account": account.pk, "admins": [admin.pk]},
    )
    assert response.status_code == 302
    group = Group.objects.get(workspace=workspace, name="官方交流群")
    assert group.external_id == "-1001234567890" and list(group.admins.all()) == [admin]
    item = approved_item(workspace, "本周行业资讯")
    detail = reverse("group_detail", kwargs={"slug": slug, "group_id": group.pk})
    response = client.post(detail, {"item": item.pk, "starts_at": "2031-03-04T10:00"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Placement.objects.filter(workspace=workspace, account=account, item=item).exists()
    assert "本周行业资讯" in client.get(detail).content.decode()
