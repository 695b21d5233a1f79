"""API: connections (secrets write-only), connector kinds, manual packages — with the four permission cases."""

from __future__ import annotations

import json
from typing import Any

import pytest

from socialops.platforms.connectors.base import PostRequest
from socialops.platforms.models import ConnectionStatus, ManualTask, PlatformConnection
from socialops.platforms.registry import connector_for
from socialops.platforms.sandbox import SandboxServer
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import MASTODON_TOKEN, WEBHOOK_SECRET, connect, make_account

pytestmark = pytest.mark.django_db

API = "/api/v1/workspaces"


@pytest.fixture
def ours(workspace: Any) -> Any:
    return make_account(workspace, "acme", platform="mastodon")


@pytest.fixture
def theirs(other_workspace: Any) -> Any:
    account = make_account(other_workspace, "theirs", platform="mastodon")
    connect(account, "manual")
    return account


def _no_secrets(response: Any) -> None:
    text = response.content.decode()
    for secret in (MASTODON_TOKEN, WEBHOOK_SECRET, "refresh-SECRET", "app-SECRET"):
        assert secret not in text


def test_connector_kinds(workspace: Any, other_workspace: Any, admin: Any, api: Any) -> None:
    response = assert_four_cases(
        api, "GET", f"{API}/acme/connector-kinds", f"{API}/other/connector-kinds",
        permitted=admin, denied=None,
    )  # fmt: skip
    kinds = {k["kind"]: k for k in response.json()["items"]}
    assert set(kinds) == {
        *("mastodon", "sandbox", "webhook", "manual", "bluesky", "telegram"),
        *("wechat_mp", "weibo", "douyin"),
    }
    assert kinds["wechat_mp"]["platforms"] == ["wechat_mp"]
    assert kinds["douyin"]["fields"]["account_id"] is True and kinds["manual"]["fields"] == {}
    assert "find_published" in [c["code"] for c in kinds["mastodon"]["capabilities"]]
    assert kinds["mastodon"]["platforms"] == ["mastodon", "other"] and kinds["manual"]["platforms"] == []
    assert kinds["manual"]["needs_base_url"] is False
    assert kinds["telegram"]["platforms"] == ["telegram"] and kinds["bluesky"]["platforms"] == ["bluesky"]


def test_connection_list(workspace: Any, ours: Any, theirs: Any, admin: Any, api: Any) -> None:
    connect(ours, "mastodon", refresh_token="refresh-SECRET")
    response = assert_four_cases(
        api, "GET", f"{API}/acme/connections", f"{API}/other/connections", permitted=admin, denied=None
    )
    data = response.json()
    assert data["count"] == 1
    item = data["items"][0]
    assert item["account_handle"] == "acme" and item["kind_label"] == "Mastodon API"
    assert item["secrets"] == {
        "access_token": True,
        "refresh_token": True,
        "client_id": False,
        "client_secret": False,
        "signing_secret": False,
    }
    assert "credentials" not in item
    _no_secrets(response)


def test_connection_detail(workspace: Any, ours: Any, theirs: Any, admin: Any, api: Any) -> None:
    connect(ours, "webhook")
    response = assert_four_cases(
        api, "GET", f"{API}/acme/accounts/{ours.pk}/connection",
        f"{API}/other/accounts/{theirs.pk}/connection", permitted=admin, denied=None,
    )  # fmt: skip
    assert response.json()["status"] == "connected" and response.json()["capabilities"][0] == "publish_text"
    _no_secrets(response)
    # Our workspace's URL with another workspace's account: 404 as well.
    assert api(admin).get(f"{API}/acme/accounts/{theirs.pk}/connection").status_code == 404


def test_connection_put_creates_then_updates(
    workspace: Any, ours: Any, theirs: Any, admin: Any, member: Any, api: Any
) -> None:
    payload = {
        "kind": "mastodon",
        "base_url": "https://mastodon.example",
        "access_token": MASTODON_TOKEN,
        "client_id": "app-1",
        "client_secret": "app-SECRET",
    }
    response = assert_four_cases(
        api, "PUT", f"{API}/acme/accounts/{ours.pk}/connection",
        f"{API}/other/accounts/{theirs.pk}/connection", permitted=admin, denied=member(Role.ANALYST),
        data=payload, ok=(201,),
    )  # fmt: skip
    _no_secrets(response)
    assert response.json()["secrets"]["client_secret"] is True
    # Null secrets keep what is stored.
    update = api(admin).put(
        f"{API}/acme/accounts/{ours.pk}/connection",
        data=json.dumps({"kind": "mastodon", "base_url": "https://other.example", "access_token": None}),
        content_type="application/json",
    )
    assert update.status_code == 200 and update.json()["base_url"] == "https://other.example"
    assert PlatformConnection.objects.get(account=ours).get_credentials().access_token == MASTODON_TOKEN


def test_connection_put_errors(workspace: Any, ours: Any, admin: Any, api: Any) -> None:
    client = api(admin)
    url = f"{API}/acme/accounts/{ours.pk}/connection"
    bad = client.put(
        url,
        data=json.dumps({"kind": "webhook", "base_url": "https://h.example", "signing_secret": "short"}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and "signing_secret" in bad.json()["errors"]
    schema = client.put(url, data=json.dumps({"kind": "x" * 100}), content_type="application/json")
    assert schema.status_code == 422
    nul = client.put(
        url, data=json.dumps({"kind": "manual\x00", "base_url": "\x00"}), content_type="application/json"
    )
    assert nul.status_code == 400
    assert not PlatformConnection.objects.exists()


def test_connection_delete(workspace: Any, ours: Any, theirs: Any, admin: Any, member: Any, api: Any) -> None:
    connect(ours, "manual")
    assert_four_cases(
        api, "DELETE", f"{API}/acme/accounts/{ours.pk}/connection",
        f"{API}/other/accounts/{theirs.pk}/connection", permitted=admin, denied=member(Role.REVIEWER),
        ok=(204,),
    )  # fmt: skip
    assert not PlatformConnection.objects.filter(account=ours).exists()
    assert PlatformConnection.objects.filter(account=theirs).exists()


def test_connection_test(workspace: Any, ours: Any, theirs: Any, admin: Any, member: Any, api: Any) -> None:
    connect(ours, "manual")
    response = assert_four_cases(
        api, "POST", f"{API}/acme/accounts/{ours.pk}/connection/test",
        f"{API}/other/accounts/{theirs.pk}/connection/test", permitted=admin, denied=member(Role.ANALYST),
    )  # fmt: skip
    data = response.json()
    assert data["ok"] is True and data["handle"] == "acme" and data["connection"]["last_check_ok"] is True


def test_pause_and_resume(workspace: Any, ours: Any, theirs: Any, admin: Any, member: Any, api: Any) -> None:
    connect(ours, "manual")
    paused = assert_four_cases(
        api, "POST", f"{API}/acme/accounts/{ours.pk}/connection/pause",
        f"{API}/other/accounts/{theirs.pk}/connection/pause", permitted=admin, denied=member(Role.COMMUNITY),
    )  # fmt: skip
    assert paused.json()["status"] == ConnectionStatus.PAUSED and paused.json()["is_publishable"] is False
    resumed = assert_four_cases(
        api, "POST", f"{API}/acme/accounts/{ours.pk}/connection/resume",
        f"{API}/other/accounts/{theirs.pk}/connection/resume", permitted=admin, denied=member(Role.COMMUNITY),
    )  # fmt: skip
    assert resumed.json()["status"] == ConnectionStatus.CONNECTED


def test_sandbox_connect(
    workspace: Any, ours: Any, theirs: Any, admin: Any, member: Any, api: Any, sandbox: SandboxServer
) -> None:
    response = assert_four_cases(
        api, "POST", f"{API}/acme/accounts/{ours.pk}/connection/sandbox",
        f"{API}/other/accounts/{theirs.pk}/connection/sandbox", permitted=admin, denied=member(Role.ANALYST),
        data={"base_url": sandbox.url},
    )  # fmt: skip
    data = response.json()
    assert (
        data["kind"] == "sandbox"
        and data["last_check_ok"] is True
        and data["secrets"]["refresh_token"] is True
    )
    down = api(admin).post(
        f"{API}/acme/accounts/{ours.pk}/connection/sandbox",
        data=json.dumps({"base_url": "http://127.0.0.1:9"}),
        content_type="application/json",
    )
    assert down.status_code == 400 and "socialops sandbox" in down.json()["message"]


def _task(account: Any, key: str = "k1", text: str = "手动发布的内容") -> ManualTask:
    connection = PlatformConnection.objects.filter(account=account).first() or connect(account, "manual")
    with connector_for(connection) as connector:
        connector.publish(PostRequest(text=text, hashtags=("新品",)), idempotency_key=key)
    return ManualTask.objects.get(account=account, idempotency_key=key)


def test_manual_task_list_and_detail(workspace: Any, ours: Any, theirs: Any, admin: Any, api: Any) -> None:
    task = _task(ours)
    foreign = _task(theirs)
    listing = assert_four_cases(
        api, "GET", f"{API}/acme/manual-tasks?status=pending", f"{API}/other/manual-tasks",
        permitted=admin, denied=None,
    )  # fmt: skip
    items = listing.json()["items"]
    assert [i["id"] for i in items] == [task.pk] and items[0]["checklist"][-1].startswith(
        "Publish, then copy"
    )
    detail = assert_four_cases(
        api, "GET", f"{API}/acme/manual-tasks/{task.pk}", f"{API}/other/manual-tasks/{foreign.pk}",
        permitted=admin, denied=None,
    )  # fmt: skip
    assert detail.json()["text"] == "手动发布的内容" and detail.json()["hashtags"] == ["新品"]
    assert api(admin).get(f"{API}/acme/manual-tasks/{foreign.pk}").status_code == 404
    assert api(admin).get(f"{API}/acme/manual-tasks?status=posted").json()["count"] == 0
    assert api(admin).get(f"{API}/acme/manual-tasks?status=bogus").json()["count"] == 0


def test_manual_task_mark_posted(
    workspace: Any, ours: Any, theirs: Any, admin: Any, member: Any, api: Any
) -> None:
    task = _task(ours)
    foreign = _task(theirs)
    response = assert_four_cases(
        api, "POST", f"{API}/acme/manual-tasks/{task.pk}/posted",
        f"{API}/other/manual-tasks/{foreign.pk}/posted", permitted=admin, denied=member(Role.ANALYST),
        data={"url": "https://weibo.com/123/Abc"},
    )  # fmt: skip
    data = response.json()
    assert data["status"] == "posted" and data["external_id"] == "Abc" and data["posted_by"] == "boss"
    bad = api(admin).post(
        f"{API}/acme/manual-tasks/{task.pk}/posted",
        data=json.dumps({"url": "javascript:alert(1)"}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and "url" in bad.json()["errors"]


def test_token_expiry_without_zone_is_utc(workspace: Any, ours: Any, admin: Any, api: Any) -> None:
    response = api(admin).put(
        f"{API}/acme/accounts/{ours.pk}/connection",
        data=json.dumps(
            {
                "kind": "mastodon",
                "base_url": "https://mastodon.example",
                "access_token": MASTODON_TOKEN,
                "token_expires_at": "2030-01-01T08:00:00",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["token_expires_at"].startswith("2030-01-01T08:00:00")
    creds = PlatformConnection.objects.get(account=ours).get_credentials()
    assert creds.expires_at is not None and creds.expires_at.utcoffset() is not None


@pytest.mark.parametrize(
    "when", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "1999-12-31T00:00:00Z"]
)
def test_absurd_token_expiry_is_refused(workspace: Any, ours: Any, admin: Any, api: Any, when: str) -> None:
    response = api(admin).put(
        f"{API}/acme/accounts/{ours.pk}/connection",
        data=json.dumps({"kind": "manual", "token_expires_at": when}),
        content_type="application/json",
    )
    assert response.status_code in (400, 422)
    if response.status_code == 400:
        assert "token_expires_at" in response.json()["errors"]
