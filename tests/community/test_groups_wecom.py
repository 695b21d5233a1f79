"""WeCom customer groups against a fake of the documented external-contact APIs (groupchat/list, groupchat/get, add_msg_template)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from django.core.exceptions import ValidationError

from socialops.community.models.groups import ActionStatus, Group, GroupKind, GroupMember, MemberRole
from socialops.community.services import wecom_groups
from socialops.platforms import credentials as creds
from socialops.platforms.models import PlatformConnection
from tests.factories import make_account

pytestmark = pytest.mark.django_db


class FakeWecom:
    """The answers developer.work.weixin.qq.com documents, for one corp with two customer groups."""

    def __init__(self) -> None:
        self.tokens = 0
        self.expire_next = False
        self.members: dict[str, list[dict[str, Any]]] = {
            "wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA": [
                {"userid": "zhangsan", "type": 1, "join_time": 1764547200, "join_scene": 1},
                {"userid": "wmOgQhDgAAuXFJGwbve4g4iXknfOAAAA", "type": 2, "join_time": 1764633600,
                 "join_scene": 3, "name": "李四", "unionid": "oAAAAAAA"},
                {"userid": "wmOgQhDgAAabcdefghijklmnopqBBB", "type": 2, "join_time": 1764720000,
                 "join_scene": 1, "group_nickname": "王五"},
            ],
            "wrOgQhDgAAcwMTB7YmDkbeBsAAAA": [{"userid": "lisi", "type": 1, "join_time": 1764547200}],
        }  # fmt: skip
        self.sent: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/cgi-bin/gettoken":
            assert (
                request.url.params["corpid"] == "ww1234567890"
                and request.url.params["corpsecret"] == "s3cret"
            )
            self.tokens += 1
            return httpx.Response(
                200,
                json={"errcode": 0, "errmsg": "ok", "access_token": f"T{self.tokens}", "expires_in": 7200},
            )
        if request.url.params.get("access_token") != f"T{self.tokens}" or self.expire_next:
            self.expire_next = False
            return httpx.Response(200, json={"errcode": 42001, "errmsg": "access_token expired"})
        body = json.loads(request.content)
        if path == "/cgi-bin/externalcontact/groupchat/list":
            ids = sorted(self.members)
            start = int(body.get("cursor") or 0)
            page = ids[start : start + 1]  # one a page, so the cursor is followed
            more = start + 1 < len(ids)
            return httpx.Response(200, json={"errcode": 0, "errmsg": "ok",
                "group_chat_list": [{"chat_id": c, "status": 0} for c in page],
                "next_cursor": str(start + 1) if more else ""})  # fmt: skip
        if path == "/cgi-bin/externalcontact/groupchat/get":
            chat_id = body["chat_id"]
            if chat_id not in self.members:
                return httpx.Response(200, json={"errcode": 701008, "errmsg": "invalid chat_id"})
            owner = self.members[chat_id][0]["userid"]
            return httpx.Response(200, json={"errcode": 0, "errmsg": "ok", "group_chat": {
                "chat_id": chat_id, "name": "销售客服群" if chat_id.endswith("JVAAAA") else "VIP 客户群",
                "owner": owner, "create_time": 1764547200, "notice": "文明沟通",
                "member_list": self.members[chat_id], "admin_list": [], "member_version": "71217227bbd112ecfe3a49c482195cb4"}})  # fmt: skip
        if path == "/cgi-bin/externalcontact/group_welcome_template/add":
            self.sent.append(body)
            return httpx.Response(200, json={"errcode": 0, "errmsg": "ok", "template_id": "msgXXXXXXX"})
        if path == "/cgi-bin/externalcontact/add_msg_template":
            assert body["chat_type"] == "group" and body["text"]["content"]
            self.sent.append(body)
            return httpx.Response(
                200,
                json={
                    "errcode": 0,
                    "errmsg": "ok",
                    "fail_list": [],
                    "msgid": "msgGCAAAXtWyujaWJHDDGi0mAcAAA",
                },
            )
        return httpx.Response(404)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeWecom:
    wecom = FakeWecom()
    monkeypatch.setattr(wecom_groups, "TRANSPORT", httpx.MockTransport(wecom))
    return wecom


@pytest.fixture
def wecom_account(workspace: Any) -> Any:
    account = make_account(workspace, "acme_wecom", "wecom")
    PlatformConnection.objects.create(
        workspace=workspace,
        account=account,
        kind="manual",
        credentials=creds.encrypt(creds.Credentials(client_id="ww1234567890", client_secret="s3cret")),
    )
    account.refresh_from_db()
    return account


def test_groups_are_listed_and_their_members_read(
    workspace: Any, wecom_account: Any, fake: FakeWecom, admin: Any
) -> None:
    created = wecom_groups.wecom_groups_discover(workspace=workspace, actor=admin, account=wecom_account)

    assert sorted(g.name for g in created) == ["VIP 客户群", "销售客服群"]
    group = Group.objects.get(workspace=workspace, name="销售客服群")
    assert group.kind == GroupKind.WECOM and group.external_id == "wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA"
    members = {m.external_id: m for m in GroupMember.objects.filter(group=group)}
    assert members["zhangsan"].role == MemberRole.OWNER
    assert members["wmOgQhDgAAuXFJGwbve4g4iXknfOAAAA"].display_name == "李四"
    assert members["wmOgQhDgAAabcdefghijklmnopqBBB"].display_name == "王五"
    assert all(m.fan_id and m.joined_at for m in members.values())
    # Listing again adds nothing.
    assert wecom_groups.wecom_groups_discover(workspace=workspace, actor=admin, account=wecom_account) == []


def test_a_member_gone_from_the_list_has_left_and_an_expired_token_is_renewed(
    workspace: Any, wecom_account: Any, fake: FakeWecom, admin: Any
) -> None:
    wecom_groups.wecom_groups_discover(workspace=workspace, actor=admin, account=wecom_account)
    group = Group.objects.get(workspace=workspace, name="销售客服群")
    fake.members[group.external_id].pop()
    fake.expire_next = True

    assert wecom_groups.wecom_group_sync(workspace=workspace, group=group) == 1
    left = GroupMember.objects.get(group=group, external_id="wmOgQhDgAAabcdefghijklmnopqBBB")
    assert left.left_at is not None
    group.refresh_from_db()
    assert group.sync_error == "" and group.synced_at is not None


def test_a_group_send_task_goes_to_the_owner(
    workspace: Any, wecom_account: Any, fake: FakeWecom, admin: Any
) -> None:
    wecom_groups.wecom_groups_discover(workspace=workspace, actor=admin, account=wecom_account)
    group = Group.objects.get(workspace=workspace, name="销售客服群")
    msgid = wecom_groups.wecom_group_send(
        workspace=workspace, actor=admin, group=group, text="本周直播预告：周四晚 8 点"
    )
    assert msgid == "msgGCAAAXtWyujaWJHDDGi0mAcAAA"
    assert fake.sent == [{"chat_type": "group", "sender": "zhangsan", "text": {"content": "本周直播预告：周四晚 8 点"},
                          "chat_id_list": [group.external_id]}]  # fmt: skip


def test_a_wecom_spam_message_becomes_a_manual_task(
    workspace: Any, wecom_account: Any, fake: FakeWecom, admin: Any
) -> None:
    from django.utils import timezone

    from socialops.community.services.moderation_actions import message_moderate
    from socialops.fans.services.people import interaction_record

    wecom_groups.wecom_groups_discover(workspace=workspace, actor=admin, account=wecom_account)
    group = Group.objects.get(workspace=workspace, name="销售客服群")
    member = GroupMember.objects.get(group=group, external_id="wmOgQhDgAAuXFJGwbve4g4iXknfOAAAA")
    assert member.fan is not None
    message, _created = interaction_record(
        workspace=workspace, fan=member.fan, kind="group_message", occurred_at=timezone.now(), source="import",
        text="兼职日结，加微信 abc123", meta={"group": group.pk},
    )  # fmt: skip
    action = message_moderate(workspace=workspace, group=group, member=member, message=message)
    assert action is not None and action.status == ActionStatus.MANUAL
    assert fake.sent == []


def test_the_pages_find_groups_and_create_a_group_send_task(
    web: Any, workspace: Any, wecom_account: Any, fake: FakeWecom, admin: Any
) -> None:
    from django.urls import reverse

    client = web(admin)
    response = client.post(
        reverse("group_wecom_discover", kwargs={"slug": workspace.slug}), {"account": wecom_account.pk}
    )
    assert response.status_code == 302
    group = Group.objects.get(workspace=workspace, name="销售客服群")
    url = reverse("group_send", kwargs={"slug": workspace.slug, "group_id": group.pk})
    assert client.post(url, {"text": "新品试用招募开始啦"}).status_code == 302
    assert [s["text"]["content"] for s in fake.sent] == ["新品试用招募开始啦"]
    page = client.get(
        reverse("group_detail", kwargs={"slug": workspace.slug, "group_id": group.pk})
    ).content.decode()
    assert "李四" in page and "Group-send task" in page


def test_the_welcome_message_becomes_a_wecom_template(
    workspace: Any, wecom_account: Any, fake: FakeWecom, admin: Any
) -> None:
    wecom_groups.wecom_groups_discover(workspace=workspace, actor=admin, account=wecom_account)
    group = Group.objects.get(workspace=workspace, name="销售客服群")
    with pytest.raises(ValidationError):
        wecom_groups.wecom_group_welcome(workspace=workspace, actor=admin, group=group)
    Group.objects.filter(pk=group.pk).update(welcome_message="欢迎 %NICKNAME% 加入！")
    group.refresh_from_db()
    assert wecom_groups.wecom_group_welcome(workspace=workspace, actor=admin, group=group) == "msgXXXXXXX"
    assert fake.sent == [{"text": {"content": "欢迎 %NICKNAME% 加入！"}}]
