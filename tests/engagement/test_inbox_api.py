"""The inbox over the API: the four permission cases of every endpoint, what each answers, and its refusals."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from socialops.engagement.models import (
    AssignmentRule,
    AutoReplyRule,
    InboxAlert,
    Reply,
    ReplyStatus,
    SavedReply,
    Thread,
    ThreadStatus,
)
from socialops.engagement.services import setup as setup_svc
from socialops.fans.models import InteractionKind, InteractionSource
from socialops.fans.services.people import interaction_record
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import make_account, make_fan

pytestmark = pytest.mark.django_db

API = "/api/v1/workspaces/{slug}/inbox"


def url(path: str, slug: str = "acme") -> str:
    return API.format(slug=slug) + path


def message(fan: Any, text: str, *, ext: str, when: Any = None) -> Thread:
    """A fan's direct message, filed in its thread by the inbox's hook."""
    interaction, _created = interaction_record(
        workspace=fan.workspace,
        fan=fan,
        kind=InteractionKind.MESSAGE,
        occurred_at=when or timezone.now(),
        source=InteractionSource.PULL,
        text=text,
        external_id=ext,
    )
    return Thread.objects.get(items__interaction=interaction)


def send(client: Any, method: str, path: str, data: Any) -> Any:
    return getattr(client, method)(path, data=json.dumps(data), content_type="application/json")


@pytest.fixture
def fan(workspace: Any) -> Any:
    account = make_account(workspace, "acme_mp", "mastodon")
    return make_fan(account, "fan-1", display_name="小林")


@pytest.fixture
def pair(workspace: Any, other_workspace: Any, fan: Any) -> dict[str, Any]:
    """A thread here and one in the other workspace."""
    mine = message(fan, "请问什么时候发货？", ext="m-1")
    their_fan = make_fan(make_account(other_workspace, "other_mp", "mastodon"), "fan-9", display_name="别人")
    theirs = message(their_fan, "多少钱？", ext="o-1")
    return {"mine": mine, "theirs": theirs}


@pytest.fixture
def community(member: Any) -> Any:
    return member(Role.COMMUNITY, username="cathy")


# ---- threads and queues ----------------------------------------------------------------------


def test_thread_list_four_cases_and_the_summary(api: Any, pair: dict[str, Any], operator: Any) -> None:
    response = assert_four_cases(
        api, "GET", url("/threads"), url("/threads", "other"), permitted=operator, denied=None
    )
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    thread = pair["mine"]
    assert item["id"] == thread.pk and item["account"] and item["platform"] == "mastodon"
    assert item["channel"] == "messages" and item["status"] == "open" and item["intent"] == "question"
    assert item["preview"] == "请问什么时候发货？" and item["fan_name"] == "小林"
    assert item["version"] == 0 and item["due_at"] and item["awaiting_since"]

    closed = api(operator).get(url("/threads"), {"queue": "closed"})
    assert closed.status_code == 200 and closed.json()["count"] == 0
    found = api(operator).get(url("/threads"), {"queue": "all", "q": "发货", "channel": "messages"})
    assert found.json()["count"] == 1
    bad = api(operator).get(url("/threads"), {"queue": "nonsense"})
    assert bad.status_code == 422 and "queue" in bad.json()["errors"]


def test_a_member_without_fans_identity_sees_the_pseudonym(
    api: Any, pair: dict[str, Any], analyst: Any, operator: Any
) -> None:
    thread = pair["mine"]
    pseudonym = thread.person.pseudonym
    listed = api(analyst).get(url("/threads")).json()["items"][0]
    assert listed["fan_name"] == pseudonym and listed["pseudonym"] == pseudonym
    detail = api(analyst).get(url(f"/threads/{thread.pk}")).json()
    assert detail["fan"]["name"] == pseudonym
    assert {e["who"] for e in detail["conversation"] if e["kind"] == "message"} == {pseudonym}
    assert "小林" not in json.dumps(detail, ensure_ascii=False)

    assert api(operator).get(url(f"/threads/{thread.pk}")).json()["fan_name"] == "小林"


def test_queue_counts(api: Any, pair: dict[str, Any], analyst: Any) -> None:
    response = assert_four_cases(
        api, "GET", url("/queues"), url("/queues", "other"), permitted=analyst, denied=None
    )
    counts = response.json()
    assert counts["open"] == 1 and counts["unassigned"] == 1 and counts["closed"] == 0
    assert set(counts) >= {"mine", "breached", "pending", "snoozed", "all"}


def test_thread_detail_four_cases_conversation_and_fan_pane(
    api: Any, pair: dict[str, Any], analyst: Any, operator: Any
) -> None:
    mine, theirs = pair["mine"], pair["theirs"]
    send(api(operator), "post", url(f"/threads/{mine.pk}/replies"), {"text": "明天发货，请放心。"})
    send(api(operator), "post", url(f"/threads/{mine.pk}/notes"), {"text": "已查物流"})
    response = assert_four_cases(
        api, "GET", url(f"/threads/{mine.pk}"), url(f"/threads/{theirs.pk}"), permitted=analyst, denied=None
    )
    body = response.json()
    kinds = [e["kind"] for e in body["conversation"]]
    assert kinds == ["message", "reply", "note"]
    reply = body["conversation"][1]
    assert reply["who"] == "olivia" and reply["reply_status"] == "queued" and reply["reply_error"] == ""
    assert body["conversation"][0]["reply_status"] is None
    assert body["fan"] == {
        "person_id": mine.person_id,
        "name": mine.person.pseudonym,
        "tier_name": None,
        "expected_value": None,
        "orders_count": 0,
        "other_threads": 0,
    }
    assert body["status"] == "pending" and body["version"] == 1


def test_thread_patch_four_cases(
    api: Any, pair: dict[str, Any], operator: Any, analyst: Any, community: Any
) -> None:
    mine, theirs = pair["mine"], pair["theirs"]
    until = (timezone.now() + dt.timedelta(hours=2)).isoformat()
    data = {"status": "pending", "assignee": community.pk, "tags": ["物流", "物流"], "priority": "high",
            "snoozed_until": until}  # fmt: skip
    response = assert_four_cases(
        api, "PATCH", url(f"/threads/{mine.pk}"), url(f"/threads/{theirs.pk}"),
        permitted=operator, denied=analyst, data=data,
    )  # fmt: skip
    body = response.json()
    assert body["status"] == "pending" and body["priority"] == "high" and body["tags"] == ["物流"]
    assert body["assignee_id"] == community.pk and body["assignee"] == "cathy" and body["snoozed_until"]
    assert InboxAlert.objects.filter(user=community, kind="assigned").exists()

    cleared = send(
        api(operator), "patch", url(f"/threads/{mine.pk}"), {"assignee": None, "snoozed_until": None}
    )
    assert cleared.json()["assignee_id"] is None and cleared.json()["snoozed_until"] is None


def test_thread_patch_refusals_name_their_field(
    api: Any, pair: dict[str, Any], operator: Any, analyst: Any, other_workspace: Any, member: Any
) -> None:
    mine = pair["mine"]
    bad = send(api(operator), "patch", url(f"/threads/{mine.pk}"), {"status": "done"})
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["status"]
    assert "status" in bad.json()["message"]

    # An analyst cannot answer fans; a stranger is not a member at all.
    stranger = member(Role.ADMIN, ws=other_workspace)
    for user in (analyst, stranger):
        refused = send(api(operator), "patch", url(f"/threads/{mine.pk}"), {"assignee": user.pk})
        assert refused.status_code == 400 and list(refused.json()["errors"]) == ["assignee"]

    naive = send(api(operator), "patch", url(f"/threads/{mine.pk}"), {"snoozed_until": "2030-01-01T10:00:00"})
    assert naive.status_code == 400 and "snoozed_until" in naive.json()["errors"]
    mine.refresh_from_db()
    assert mine.status == ThreadStatus.OPEN and mine.assignee_id is None


# ---- replies and notes -----------------------------------------------------------------------


def test_reply_create_four_cases(api: Any, pair: dict[str, Any], operator: Any, analyst: Any) -> None:
    mine, theirs = pair["mine"], pair["theirs"]
    response = assert_four_cases(
        api, "POST", url(f"/threads/{mine.pk}/replies"), url(f"/threads/{theirs.pk}/replies"),
        permitted=operator, denied=analyst, data={"text": "明天发货。", "version": 0, "close": True},
        ok=(201,),
    )  # fmt: skip
    body = response.json()
    assert body["status"] == "queued" and body["text"] == "明天发货。" and body["created_at"]
    assert Reply.objects.get().pk == body["id"]
    mine.refresh_from_db()
    assert mine.status == ThreadStatus.CLOSED and mine.version == 1

    # Written against version 0, after the reply above: the collision guard refuses it.
    late = send(api(operator), "post", url(f"/threads/{mine.pk}/replies"), {"text": "好的", "version": 0})
    assert late.status_code == 400 and "olivia" in late.json()["message"]
    assert Reply.objects.count() == 1


def test_a_reply_with_a_blocking_finding_is_refused_with_the_finding_named(
    api: Any, pair: dict[str, Any], operator: Any
) -> None:
    mine = pair["mine"]
    response = send(api(operator), "post", url(f"/threads/{mine.pk}/replies"), {"text": "我们的价格全网最低"})
    assert response.status_code == 400
    body = response.json()
    assert "全网最低" in body["message"] and "全网最低" in " ".join(body["errors"]["text"])
    assert not Reply.objects.exists()


def test_a_reply_needs_text(api: Any, pair: dict[str, Any], operator: Any) -> None:
    response = send(api(operator), "post", url(f"/threads/{pair['mine'].pk}/replies"), {"text": "  "})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["text"]
    missing = send(api(operator), "post", url(f"/threads/{pair['mine'].pk}/replies"), {})
    assert missing.status_code == 422 and "text" in missing.json()["errors"]


def test_note_create_four_cases_and_the_mention_alert(
    api: Any, pair: dict[str, Any], operator: Any, analyst: Any, community: Any
) -> None:
    mine, theirs = pair["mine"], pair["theirs"]
    response = assert_four_cases(
        api, "POST", url(f"/threads/{mine.pk}/notes"), url(f"/threads/{theirs.pk}/notes"),
        permitted=operator, denied=analyst, data={"text": "@cathy 请跟进物流"}, ok=(201,),
    )  # fmt: skip
    body = response.json()
    assert body["author"] == "olivia" and body["mentions"] == [community.pk]

    alerts = api(community).get(url("/alerts"))
    assert alerts.status_code == 200
    items = alerts.json()["items"]
    assert [(a["kind"], a["thread_id"]) for a in items] == [("mention", mine.pk)]


def test_replies_needing_a_person_and_resolve_four_cases(
    api: Any, pair: dict[str, Any], operator: Any, analyst: Any, other_workspace: Any, member: Any
) -> None:
    mine, theirs = pair["mine"], pair["theirs"]
    created = send(api(operator), "post", url(f"/threads/{mine.pk}/replies"), {"text": "明天发货。"})
    reply_id = created.json()["id"]
    Reply.objects.filter(pk=reply_id).update(status=ReplyStatus.UNKNOWN, error="timeout")
    stranger = member(Role.ADMIN, ws=other_workspace)
    foreign = send(api(stranger), "post", url(f"/threads/{theirs.pk}/replies", "other"), {"text": "您好"})
    foreign_id = foreign.json()["id"]
    Reply.objects.filter(pk=foreign_id).update(status=ReplyStatus.UNKNOWN)

    listed = assert_four_cases(
        api, "GET", url("/replies"), url("/replies", "other"), permitted=analyst, denied=None
    )
    assert [(r["id"], r["status"], r["error"]) for r in listed.json()["items"]] == [
        (reply_id, "unknown", "timeout")
    ]
    assert api(analyst).get(url("/replies"), {"status": "failed"}).json()["count"] == 0
    assert api(analyst).get(url("/replies"), {"status": "unknown"}).json()["count"] == 1

    response = assert_four_cases(
        api, "POST", url(f"/replies/{reply_id}/resolve"), url(f"/replies/{foreign_id}/resolve"),
        permitted=operator, denied=analyst, data={"outcome": "sent"},
    )  # fmt: skip
    assert response.json()["status"] == "sent" and response.json()["sent_at"]
    again = send(api(operator), "post", url(f"/replies/{reply_id}/resolve"), {"outcome": "retry"})
    assert again.status_code == 400 and list(again.json()["errors"]) == ["outcome"]


# ---- alerts ----------------------------------------------------------------------------------


def test_alerts_list_and_mark_read(api: Any, pair: dict[str, Any], operator: Any, community: Any) -> None:
    mine = pair["mine"]
    for text in ("@cathy 一", "@cathy 二"):
        send(api(operator), "post", url(f"/threads/{mine.pk}/notes"), {"text": text})
    first, second = InboxAlert.objects.filter(user=community).order_by("pk")

    assert_four_cases(api, "GET", url("/alerts"), url("/alerts", "other"), permitted=community, denied=None)
    response = assert_four_cases(
        api, "POST", url("/alerts/read"), url("/alerts/read", "other"),
        permitted=community, denied=None, data={"ids": [first.pk]},
    )  # fmt: skip
    assert response.json() == {"marked": 1}
    unread = api(community).get(url("/alerts")).json()["items"]
    assert [a["id"] for a in unread] == [second.pk]
    everything = api(community).get(url("/alerts"), {"unread": "false"}).json()["items"]
    assert {a["id"] for a in everything} == {first.pk, second.pk}
    # Nobody marks another member's alerts.
    assert send(api(operator), "post", url("/alerts/read"), {}).json() == {"marked": 0}
    assert send(api(community), "post", url("/alerts/read"), {}).json() == {"marked": 1}


# ---- saved replies ---------------------------------------------------------------------------


def test_saved_replies_crud_four_cases_and_the_flag(
    api: Any, workspace: Any, other_workspace: Any, operator: Any, analyst: Any, fan: Any
) -> None:
    theirs = setup_svc.saved_reply_create(workspace=other_workspace, actor=None, title="别家", body="您好")
    response = assert_four_cases(
        api, "POST", url("/saved-replies"), url("/saved-replies", "other"),
        permitted=operator, denied=analyst, data={"title": "价格", "body": "全网最低价，仅限今天"}, ok=(201,),
    )  # fmt: skip
    flagged = response.json()
    assert flagged["flagged"] is True and flagged["account_id"] is None
    assert any("最低" in f["matched"] for f in flagged["findings"])
    good = send(
        api(operator), "post", url("/saved-replies"),
        {"title": "发货", "body": "{昵称}您好，48 小时内发货。", "account_id": fan.account_id},
    ).json()  # fmt: skip
    assert good["flagged"] is False and good["findings"] == [] and good["account_id"] == fan.account_id

    listed = assert_four_cases(
        api, "GET", url("/saved-replies"), url("/saved-replies", "other"), permitted=analyst, denied=None
    )
    assert listed.json()["count"] == 2
    assert [r["title"] for r in api(analyst).get(url("/saved-replies"), {"q": "发货"}).json()["items"]] == [
        "发货"
    ]

    mine = SavedReply.objects.get(pk=good["id"])
    detail = assert_four_cases(
        api, "GET", url(f"/saved-replies/{mine.pk}"), url(f"/saved-replies/{theirs.pk}"),
        permitted=analyst, denied=None,
    )  # fmt: skip
    assert detail.json()["title"] == "发货"
    patched = assert_four_cases(
        api, "PATCH", url(f"/saved-replies/{mine.pk}"), url(f"/saved-replies/{theirs.pk}"),
        permitted=operator, denied=analyst, data={"body": "全网最低", "account_id": None},
    )  # fmt: skip
    assert patched.json()["flagged"] is True and patched.json()["account_id"] is None
    assert_four_cases(
        api, "DELETE", url(f"/saved-replies/{mine.pk}"), url(f"/saved-replies/{theirs.pk}"),
        permitted=operator, denied=analyst, ok=(204,),
    )  # fmt: skip
    assert not SavedReply.objects.filter(pk=mine.pk).exists()

    blank = send(api(operator), "post", url("/saved-replies"), {"title": "", "body": "您好"})
    assert blank.status_code == 400 and list(blank.json()["errors"]) == ["title"]
    foreign_account = make_account(other_workspace, "their_mp", "mastodon")
    other = send(
        api(operator),
        "post",
        url("/saved-replies"),
        {"title": "x", "body": "y", "account_id": foreign_account.pk},
    )
    assert other.status_code == 404


# ---- auto-reply rules ------------------------------------------------------------------------


def test_auto_reply_rules_crud_four_cases(
    api: Any, workspace: Any, other_workspace: Any, operator: Any, analyst: Any
) -> None:
    theirs = setup_svc.rule_create(
        workspace=other_workspace,
        actor=None,
        name="别家",
        match="contains",
        pattern="价格",
        reply_text="您好",
    )
    data = {"name": "发货", "match": "contains", "pattern": "发货", "reply_text": "48 小时内发货。",
            "active_from": "22:00", "active_to": "08:00"}  # fmt: skip
    response = assert_four_cases(
        api, "POST", url("/auto-replies"), url("/auto-replies", "other"),
        permitted=operator, denied=analyst, data=data, ok=(201,),
    )  # fmt: skip
    body = response.json()
    assert body["active_from"] == "22:00" and body["active_to"] == "08:00" and body["channel"] == "messages"
    assert body["enabled"] is True and body["fired"] == 0
    mine = AutoReplyRule.objects.get(pk=body["id"])

    listed = assert_four_cases(
        api, "GET", url("/auto-replies"), url("/auto-replies", "other"), permitted=analyst, denied=None
    )
    assert [r["id"] for r in listed.json()["items"]] == [mine.pk]
    assert_four_cases(
        api, "GET", url(f"/auto-replies/{mine.pk}"), url(f"/auto-replies/{theirs.pk}"),
        permitted=analyst, denied=None,
    )  # fmt: skip
    patched = assert_four_cases(
        api, "PATCH", url(f"/auto-replies/{mine.pk}"), url(f"/auto-replies/{theirs.pk}"),
        permitted=operator, denied=analyst, data={"enabled": False, "active_from": None, "active_to": None},
    )  # fmt: skip
    assert patched.json()["enabled"] is False and patched.json()["active_from"] is None

    bad = send(api(operator), "patch", url(f"/auto-replies/{mine.pk}"), {"match": "regex", "pattern": "(["})
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["pattern"]
    blocked = send(api(operator), "patch", url(f"/auto-replies/{mine.pk}"), {"reply_text": "全网最低价"})
    assert blocked.status_code == 400 and "全网最低" in blocked.json()["errors"]["reply_text"][0]

    assert_four_cases(
        api, "DELETE", url(f"/auto-replies/{mine.pk}"), url(f"/auto-replies/{theirs.pk}"),
        permitted=operator, denied=analyst, ok=(204,),
    )  # fmt: skip
    assert not AutoReplyRule.objects.filter(pk=mine.pk).exists()


# ---- assignment rules ------------------------------------------------------------------------


def test_assignment_rules_four_cases(
    api: Any, workspace: Any, other_workspace: Any, admin: Any, operator: Any, community: Any, member: Any
) -> None:
    stranger = member(Role.ADMIN, ws=other_workspace)
    theirs = setup_svc.assignment_rule_create(workspace=other_workspace, actor=None, assignee=stranger)
    response = assert_four_cases(
        api, "POST", url("/assignment-rules"), url("/assignment-rules", "other"),
        permitted=admin, denied=operator, data={"intent": "complaint", "assignee_id": community.pk}, ok=(201,),
    )  # fmt: skip
    body = response.json()
    assert body["intent"] == "complaint" and body["assignee"] == "cathy" and body["tier_id"] is None
    listed = assert_four_cases(
        api,
        "GET",
        url("/assignment-rules"),
        url("/assignment-rules", "other"),
        permitted=operator,
        denied=None,
    )
    assert [r["id"] for r in listed.json()["items"]] == [body["id"]]

    refused = send(
        api(admin), "post", url("/assignment-rules"), {"assignee_id": stranger.pk, "language": "fr"}
    )
    assert refused.status_code == 400 and set(refused.json()["errors"]) == {"assignee", "language"}

    assert_four_cases(
        api, "DELETE", url(f"/assignment-rules/{body['id']}"), url(f"/assignment-rules/{theirs.pk}"),
        permitted=admin, denied=operator, ok=(204,),
    )  # fmt: skip
    assert not AssignmentRule.objects.filter(workspace=workspace).exists()


# ---- settings --------------------------------------------------------------------------------


def test_settings_get_and_patch_four_cases(api: Any, workspace: Any, admin: Any, operator: Any) -> None:
    response = assert_four_cases(
        api, "GET", url("/settings"), url("/settings", "other"), permitted=operator, denied=None
    )
    body = response.json()
    assert body["work_start"] == "09:00" and body["work_end"] == "18:00" and body["urgent_minutes"] == 30

    data = {"work_start": "08:30", "weekdays": [0, 1, 2, 3, 4, 5], "urgent_minutes": 20,
            "assign_mode": "round_robin", "high_value_threshold": 800}  # fmt: skip
    response = assert_four_cases(
        api, "PATCH", url("/settings"), url("/settings", "other"), permitted=admin, denied=operator, data=data
    )
    body = response.json()
    assert body["work_start"] == "08:30" and body["weekdays"] == [0, 1, 2, 3, 4, 5]
    assert body["urgent_minutes"] == 20 and body["assign_mode"] == "round_robin"
    assert body["high_value_threshold"] == 800.0

    bad = send(api(admin), "patch", url("/settings"), {"work_end": "25:00"})
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["work_end"]
    same = send(api(admin), "patch", url("/settings"), {"work_end": "08:30"})
    assert same.status_code == 400 and list(same.json()["errors"]) == ["work_end"]
    range_error = send(api(admin), "patch", url("/settings"), {"urgent_minutes": 0})
    assert range_error.status_code == 422 and "urgent_minutes" in range_error.json()["errors"]


# ---- report ----------------------------------------------------------------------------------


def test_report_four_cases_and_minutes(api: Any, fan: Any, analyst: Any, operator: Any) -> None:
    thread = message(
        fan, "客服态度太差了，再也不买了", ext="m-1", when=timezone.now() - dt.timedelta(minutes=30)
    )
    send(api(operator), "post", url(f"/threads/{thread.pk}/replies"), {"text": "非常抱歉，马上为您处理。"})
    response = assert_four_cases(
        api, "GET", url("/report?days=7"), url("/report?days=7", "other"), permitted=analyst, denied=None
    )
    body = response.json()
    assert body["days"] == 7 and len(body["volume"]) in (7, 8)
    overall = body["overall"]
    assert overall["threads"] == 1 and overall["answered"] == 1
    assert isinstance(overall["median_first"], float) and 29 <= overall["median_first"] <= 31
    assert [m["label"] for m in body["members"]] == ["olivia"]
    assert body["intents"] == {"complaint": 1}
    assert sum(d["negative"] for d in body["volume"]) == 1
    assert api(analyst).get(url("/report"), {"days": 0}).status_code == 422
