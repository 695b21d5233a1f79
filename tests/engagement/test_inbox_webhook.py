"""The inbox's outgoing webhook: one signed event per new message and per missed target, never in the way."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from socialops.core import egress
from socialops.engagement import webhooks
from socialops.engagement.models import InboxSettings, Thread, ThreadItem
from socialops.engagement.services import monitor, setup
from socialops.engagement.tasks import inbox as inbox_tasks
from socialops.fans.models import InteractionKind, InteractionSource
from socialops.fans.services.people import interaction_record
from socialops.platforms.connectors.webhook import verify_signature
from socialops.workspaces.models import AuditEntry
from tests.factories import make_account, make_fan

HOOK = "https://hooks.example.com/inbox"
SECRET = "inbox-webhook-secret-0123456789"


def message(fan: Any, text: str, *, ext: str, when: Any = None) -> Any:
    interaction, _created = interaction_record(
        workspace=fan.workspace,
        fan=fan,
        kind=InteractionKind.MESSAGE,
        occurred_at=when or timezone.now(),
        source=InteractionSource.PULL,
        text=text,
        external_id=ext,
    )
    return interaction


@pytest.fixture
def fan(workspace: Any) -> Any:
    account = make_account(workspace, "acme_mp", "mastodon")
    return make_fan(account, "fan-1", display_name="小林")


@pytest.fixture
def hooked(workspace: Any, admin: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The webhook set; a queued delivery runs at once (as the worker would). Yields the outcomes."""
    setup.settings_update(workspace=workspace, actor=admin, webhook_url=HOOK, webhook_secret=SECRET)
    outcomes: list[str] = []

    def now(workspace_id: int, event: str, object_id: int) -> None:
        outcomes.append(webhooks.webhook_deliver(workspace_id=workspace_id, event=event, object_id=object_id))

    monkeypatch.setattr(webhooks, "send_later", [now])
    yield outcomes


def _bodies(route: Any) -> list[dict[str, Any]]:
    return [json.loads(call.request.content) for call in route.calls]


@respx.mock
def test_one_event_per_new_message_not_per_re_pull(
    fan: Any, hooked: list[str], django_capture_on_commit_callbacks: Any
) -> None:
    route = respx.post(HOOK).mock(return_value=httpx.Response(204))
    with django_capture_on_commit_callbacks(execute=True):
        message(fan, "请问什么时候发货？", ext="m-1")
    with django_capture_on_commit_callbacks(execute=True):
        message(fan, "请问什么时候发货？", ext="m-1")  # pulled again
        message(fan, "还有优惠吗？", ext="m-2")

    assert hooked == ["sent", "sent"]
    first, second = _bodies(route)
    thread = Thread.objects.get()
    assert first["event"] == "message.created" and first["id"].startswith("message.created:")
    assert first["workspace"] == fan.workspace.slug
    data = first["data"]
    assert data["thread_id"] == thread.pk and data["text"] == "请问什么时候发货？"
    assert data["account"] == {"id": fan.account_id, "platform": "mastodon", "handle": "acme_mp"}
    assert data["channel"] == thread.channel and data["intent"] == "question"
    assert data["sentiment"] and data["priority"] and dt.datetime.fromisoformat(data["time"])
    assert second["data"]["text"] == "还有优惠吗？"


@respx.mock
def test_the_signature_verifies_with_the_secret(
    fan: Any, hooked: list[str], django_capture_on_commit_callbacks: Any
) -> None:
    route = respx.post(HOOK).mock(return_value=httpx.Response(200))
    with django_capture_on_commit_callbacks(execute=True):
        message(fan, "你好", ext="m-1")
    request = route.calls.last.request
    assert request.headers["X-SocialOps-Event"] == "message.created"
    assert request.headers["X-Socialops-Signature"].startswith("v1=")
    assert verify_signature(SECRET, request.headers, request.content)
    assert not verify_signature("another-secret-0123456789", request.headers, request.content)
    assert not verify_signature(SECRET, request.headers, request.content + b" ")


@respx.mock
def test_a_breach_sends_one_event(
    workspace: Any, fan: Any, admin: Any, hooked: list[str], django_capture_on_commit_callbacks: Any
) -> None:
    route = respx.post(HOOK).mock(return_value=httpx.Response(200))
    setup.settings_update(workspace=workspace, actor=admin, targets_in_working_hours=False, urgent_minutes=30)
    start = dt.datetime(2026, 12, 8, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False), django_capture_on_commit_callbacks(execute=True):
        message(fan, "包装破损了，怎么退换？太失望了", ext="m-1")
    with time_machine.travel(start + dt.timedelta(minutes=31), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert monitor.breaches_check() == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert monitor.breaches_check() == 0

    breaches = [b for b in _bodies(route) if b["event"] == "thread.breached"]
    assert len(breaches) == 1
    thread = Thread.objects.get()
    assert breaches[0]["data"]["thread_id"] == thread.pk
    assert breaches[0]["data"]["priority"] == "urgent"
    assert dt.datetime.fromisoformat(breaches[0]["data"]["due_at"]) == start + dt.timedelta(minutes=30)


@respx.mock
def test_a_receiver_that_times_out_neither_loses_nor_duplicates_the_message(
    fan: Any, hooked: list[str], django_capture_on_commit_callbacks: Any
) -> None:
    route = respx.post(HOOK).mock(side_effect=httpx.ReadTimeout("slow receiver"))
    with django_capture_on_commit_callbacks(execute=True):
        message(fan, "在吗？", ext="m-1")  # the failed delivery is logged, not raised
    assert hooked == []  # it raised DeliveryFailed: the Huey task will try again
    assert ThreadItem.objects.count() == 1 and route.call_count == 1

    item = ThreadItem.objects.get()
    with pytest.raises(webhooks.DeliveryFailed):
        webhooks.webhook_deliver(
            workspace_id=fan.workspace_id, event=webhooks.MESSAGE_CREATED, object_id=item.pk
        )
    route.mock(side_effect=None, return_value=httpx.Response(200))
    assert (
        webhooks.webhook_deliver(
            workspace_id=fan.workspace_id, event=webhooks.MESSAGE_CREATED, object_id=item.pk
        )
        == "sent"
    )
    # Every attempt carries the same event id (the receiver de-duplicates on it), and a re-pull
    # of the message files nothing and sends nothing.
    assert {b["id"] for b in _bodies(route)} == {f"message.created:{item.pk}"}
    with django_capture_on_commit_callbacks(execute=True):
        message(fan, "在吗？", ext="m-1")
    assert ThreadItem.objects.count() == 1 and route.call_count == 3
    # The worker retries the task a few times.
    assert inbox_tasks.deliver_webhook.retries >= 3


def test_a_receiver_resolving_to_a_private_address_is_refused(
    fan: Any, hooked: list[str], django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(egress, "_resolve", lambda host, port: ["10.0.0.8"])
    with django_capture_on_commit_callbacks(execute=True):
        message(fan, "你好", ext="m-1")
    assert hooked == ["refused"]  # no retry: the address will not become public
    assert ThreadItem.objects.count() == 1


def test_no_webhook_no_event(
    fan: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    calls: list[Any] = []
    monkeypatch.setattr(webhooks, "send_later", [lambda *args: calls.append(args)])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message(fan, "你好", ext="m-1")
    assert calls == [] and ThreadItem.objects.count() == 1
    assert not any(getattr(c, "__qualname__", "").startswith("webhook_enqueue") for c in callbacks)


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/inbox",
        "https://127.0.0.1/hook",
        "https://10.0.0.1/hook",
        "https://169.254.169.254/latest",
        "https://[::1]/hook",
        "https://localhost/hook",
        "ftp://hooks.example.com/",
        "not a url",
    ],
)
def test_settings_refuse_a_webhook_url_that_is_not_public_https(workspace: Any, admin: Any, url: str) -> None:
    with pytest.raises(ValidationError) as info:
        setup.settings_update(workspace=workspace, actor=admin, webhook_url=url, webhook_secret=SECRET)
    assert "webhook_url" in info.value.message_dict


def test_settings_webhook_secret_rules_and_blank_turns_it_off(workspace: Any, admin: Any) -> None:
    with pytest.raises(ValidationError) as info:
        setup.settings_update(workspace=workspace, actor=admin, webhook_url=HOOK)
    assert "webhook_secret" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        setup.settings_update(workspace=workspace, actor=admin, webhook_url=HOOK, webhook_secret="short")
    assert "webhook_secret" in info.value.message_dict

    setup.settings_update(workspace=workspace, actor=admin, webhook_url=HOOK, webhook_secret=SECRET)
    # A blank secret keeps the stored one (the form never shows it).
    setup.settings_update(workspace=workspace, actor=admin, webhook_url=HOOK + "/v2", webhook_secret="")
    row = InboxSettings.objects.get(workspace=workspace)
    assert (row.webhook_url, row.webhook_secret) == (HOOK + "/v2", SECRET)
    setup.settings_update(workspace=workspace, actor=admin, webhook_url="")
    assert InboxSettings.objects.get(workspace=workspace).webhook_url == ""
    audit = json.dumps(list(AuditEntry.objects.values("before", "after")), default=str)
    assert SECRET not in audit and "webhook_secret_set" in audit


def test_api_patch_sets_the_webhook_and_never_shows_the_secret(api: Any, workspace: Any, admin: Any) -> None:
    client = api(admin)
    path = f"/api/v1/workspaces/{workspace.slug}/inbox/settings"
    response = client.patch(
        path,
        data=json.dumps({"webhook_url": HOOK, "webhook_secret": SECRET}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["webhook_url"] == HOOK and body["webhook_secret_set"] is True
    assert SECRET not in response.content.decode()
    bad = client.patch(
        path, data=json.dumps({"webhook_url": "https://10.1.2.3/x"}), content_type="application/json"
    )
    assert bad.status_code == 400 and "webhook_url" in bad.json()["errors"]


def test_settings_page_sets_the_webhook(web: Any, workspace: Any, admin: Any) -> None:
    page = web(admin).post(
        f"/w/{workspace.slug}/inbox/settings/",
        {"work_start": "09:00", "work_end": "18:00", "weekdays": ["0", "1", "2", "3", "4"],
         "urgent_minutes": 30, "high_minutes": 60, "normal_minutes": 240, "low_minutes": 1440,
         "assign_mode": "nobody", "high_value_threshold": "500", "spike_factor": 3, "spike_minimum": 5,
         "webhook_url": HOOK, "webhook_secret": SECRET},
    )  # fmt: skip
    assert page.status_code == 302
    row = InboxSettings.objects.get(workspace=workspace)
    assert (row.webhook_url, row.webhook_secret) == (HOOK, SECRET)
    shown = web(admin).get(f"/w/{workspace.slug}/inbox/settings/").content.decode()
    assert HOOK in shown and SECRET not in shown
