"""Services: connecting accounts, testing and refreshing connections, the sandbox, manual packages."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest
import respx
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from socialops.platforms.connectors.base import AuthRevoked, MediaFile, PostRequest, PublishStatus
from socialops.platforms.connectors.mastodon import MastodonConnector
from socialops.platforms.credentials import Credentials
from socialops.platforms.models import ConnectionStatus, ManualTask, ManualTaskStatus, PlatformConnection
from socialops.platforms.registry import connector_for
from socialops.platforms.sandbox import SandboxAdmin, SandboxServer
from socialops.platforms.services import connections as connection_services
from socialops.platforms.services import manual as manual_services
from socialops.platforms.services import sandbox as sandbox_services
from socialops.platforms.signals import manual_posted
from socialops.workspaces.models import AuditEntry
from socialops.workspaces.roles import Role
from tests.factories import MASTODON_TOKEN, WEBHOOK_SECRET, connect, make_account, sandbox_connection

pytestmark = pytest.mark.django_db


# ---- connection_save -------------------------------------------------------------------------


def test_connect_stores_encrypted_and_audits_without_secrets(workspace: Any, admin: Any) -> None:
    account = make_account(workspace, "acme", platform="mastodon")
    connection = connection_services.connection_save(
        workspace=workspace,
        actor=admin,
        account=account,
        kind="mastodon",
        base_url="https://mastodon.example/",
        access_token=f"  {MASTODON_TOKEN}\n",
        client_id="app-1",
        client_secret="app-secret-XYZ",
    )
    assert connection.base_url == "https://mastodon.example"
    assert MASTODON_TOKEN not in connection.credentials and "app-secret-XYZ" not in connection.credentials
    creds = connection.get_credentials()
    assert (creds.access_token, creds.client_id, creds.client_secret) == (
        MASTODON_TOKEN,
        "app-1",
        "app-secret-XYZ",
    )
    assert connection.status == ConnectionStatus.CONNECTED and connection.created_by == admin
    entry = AuditEntry.objects.get(action="platforms.connection.create")
    dumped = json.dumps([entry.before, entry.after])
    assert (
        MASTODON_TOKEN not in dumped
        and "app-secret-XYZ" not in dumped
        and connection.credentials not in dumped
    )
    assert entry.after["secrets_changed"] == ["access_token", "client_secret", "client_id"]
    assert "credentials" not in entry.after and entry.after["kind"] == "mastodon"


def test_blank_secret_keeps_the_stored_one(workspace: Any) -> None:
    account = make_account(workspace, "acme", platform="mastodon")
    connect(account, "mastodon", refresh_token="refresh-abc")
    connection = connection_services.connection_save(
        workspace=workspace,
        actor=None,
        account=account,
        kind="mastodon",
        base_url="https://other.example",
        access_token="",
    )
    creds = connection.get_credentials()
    assert creds.access_token == MASTODON_TOKEN and creds.refresh_token == "refresh-abc"
    assert connection.base_url == "https://other.example"
    entry = AuditEntry.objects.filter(action="platforms.connection.update").latest("pk")
    assert entry.after == {"base_url": "https://other.example"}  # only what changed, no secrets


def test_changing_the_connector_drops_old_credentials(workspace: Any) -> None:
    account = make_account(workspace, "acme", platform="mastodon")
    connect(account, "mastodon")
    connection = connection_services.connection_save(
        workspace=workspace,
        actor=None,
        account=account,
        kind="webhook",
        base_url="https://hook.example/in/",
        signing_secret=WEBHOOK_SECRET,
    )
    creds = connection.get_credentials()
    assert creds.access_token == "" and creds.signing_secret == WEBHOOK_SECRET
    assert connection.base_url == "https://hook.example/in/"  # a webhook URL is kept exactly


def test_new_credentials_lift_needs_reauth_but_not_a_pause(workspace: Any) -> None:
    account = make_account(workspace, "acme", platform="mastodon")
    connection = connect(account, "mastodon")
    connection_services.connection_mark_needs_reauth(
        connection=connection, message="The access token was revoked"
    )
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.NEEDS_REAUTH and connection.last_error
    connection = connect(account, "mastodon", access_token="a-new-token")
    assert connection.status == ConnectionStatus.CONNECTED and connection.last_error == ""
    connection_services.connection_set_paused(
        workspace=workspace, actor=None, connection=connection, paused=True
    )
    connection = connect(account, "mastodon", access_token="third-token")
    assert connection.status == ConnectionStatus.PAUSED


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "carrier-pigeon"}, "kind", "Unknown connector"),
        ({"kind": "mastodon", "base_url": ""}, "base_url", "needs the server's URL"),
        ({"kind": "mastodon", "base_url": "ftp://x.example"}, "base_url", "http:// or https://"),
        ({"kind": "mastodon", "base_url": "https://m.example"}, "access_token", "Enter the access token"),
        (
            {"kind": "mastodon", "base_url": "https://m.example", "access_token": "a b"},
            "access_token",
            "spaces",
        ),
        ({"kind": "webhook", "base_url": "https://h.example"}, "signing_secret", "Enter a signing secret"),
        (
            {"kind": "webhook", "base_url": "https://h.example", "signing_secret": "short"},
            "signing_secret",
            "at least 16",
        ),
    ],
)
def test_validation(workspace: Any, fields: dict[str, Any], field: str, message: str) -> None:
    account = make_account(workspace, "acme", platform="mastodon")
    with pytest.raises(ValidationError) as info:
        connection_services.connection_save(workspace=workspace, actor=None, account=account, **fields)
    assert message in " ".join(info.value.message_dict[field])
    assert not PlatformConnection.objects.exists()


def test_kind_must_suit_the_platform_and_competitors_are_refused(workspace: Any) -> None:
    weibo = make_account(workspace, "acme_weibo", platform="weibo")
    with pytest.raises(ValidationError, match="cannot publish to a Weibo account"):
        connect(weibo, "mastodon")
    connect(weibo, "manual")  # any platform can be posted by hand
    rival = make_account(workspace, "rival", is_competitor=True, platform="mastodon")
    with pytest.raises(ValidationError, match="Competitor accounts"):
        connect(rival, "manual")


def test_permissions(workspace: Any, other_workspace: Any, member: Any) -> None:
    account = make_account(workspace, "acme", platform="mastodon")
    analyst = member(Role.ANALYST)
    with pytest.raises(PermissionDenied):
        connection_services.connection_save(
            workspace=workspace, actor=analyst, account=account, kind="manual"
        )
    connection = connect(account)
    with pytest.raises(PermissionDenied):
        connection_services.connection_delete(workspace=workspace, actor=analyst, connection=connection)
    foreign = make_account(other_workspace, "theirs", platform="mastodon")
    with pytest.raises(ValidationError):
        connection_services.connection_save(workspace=workspace, actor=None, account=foreign, kind="manual")


def test_pause_resume_and_disconnect(workspace: Any, admin: Any) -> None:
    connection = connect(make_account(workspace, "acme", platform="mastodon"))
    connection_services.connection_set_paused(
        workspace=workspace, actor=admin, connection=connection, paused=True
    )
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.PAUSED and not connection.is_publishable
    connection_services.connection_set_paused(
        workspace=workspace, actor=admin, connection=connection, paused=False
    )
    connection.refresh_from_db()
    assert connection.is_publishable
    connection_services.connection_delete(workspace=workspace, actor=admin, connection=connection)
    assert not PlatformConnection.objects.exists()
    assert AuditEntry.objects.filter(action="platforms.connection.delete").count() == 1


# ---- test connection, refresh, sandbox -------------------------------------------------------


def test_sandbox_connect_and_test(workspace: Any, admin: Any, sandbox: SandboxServer) -> None:
    account = make_account(workspace, "acme_mp", platform="wechat_mp", display_name="Acme 公众号")
    connection = sandbox_services.sandbox_connect(
        workspace=workspace, actor=admin, account=account, base_url=sandbox.url
    )
    assert connection.kind == "sandbox" and connection.last_check_ok is True
    assert connection.external_handle == sandbox_services.sandbox_username(account)
    creds = connection.get_credentials()
    assert creds.access_token and creds.refresh_token and creds.client_id and creds.client_secret
    # Reconnecting logs in as the same sandbox user (the password is derived, not stored).
    again = sandbox_services.sandbox_connect(
        workspace=workspace, actor=admin, account=account, base_url=sandbox.url
    )
    assert again.external_account_id == connection.external_account_id
    with connector_for(again) as connector:
        result = connector.publish(PostRequest(text="公众号推文"), idempotency_key="x")
    assert result.url.startswith(sandbox.url)


def test_sandbox_not_running_is_a_clear_error(workspace: Any, admin: Any) -> None:
    account = make_account(workspace, "acme", platform="mastodon")
    with pytest.raises(ValidationError) as info:
        sandbox_services.sandbox_connect(
            workspace=workspace, actor=admin, account=account, base_url="http://127.0.0.1:9"
        )
    assert "socialops sandbox" in " ".join(info.value.message_dict["base_url"])


def test_sandbox_connect_demo(workspace: Any, sandbox: SandboxServer, sandbox_admin: SandboxAdmin) -> None:
    mp = make_account(workspace, "acme_mp", platform="wechat_mp")
    weibo = make_account(workspace, "acme_weibo", platform="weibo")
    make_account(workspace, "rival", platform="weibo", is_competitor=True)
    hooked = make_account(workspace, "hooked", platform="other")
    connect(hooked, "webhook")
    connections = sandbox_services.sandbox_connect_demo(workspace=workspace, base_url=sandbox.url)
    assert {c.account_id for c in connections} == {mp.pk, weibo.pk}
    assert all(c.last_check_ok for c in connections)
    assert PlatformConnection.objects.get(account=hooked).kind == "webhook"
    # Running it again (a second `make demo`) changes nothing but the tokens.
    assert len(sandbox_services.sandbox_connect_demo(workspace=workspace, base_url=sandbox.url)) == 2
    assert PlatformConnection.objects.filter(kind="sandbox").count() == 2


def test_connection_test_marks_revoked_as_needs_reauth(
    workspace: Any, admin: Any, sandbox: SandboxServer, sandbox_admin: SandboxAdmin
) -> None:
    connection = sandbox_connection(workspace, sandbox, actor=admin)
    account = connection.account
    sandbox_admin.revoke(sandbox_services.sandbox_username(account))
    result = connection_services.connection_test(workspace=workspace, actor=admin, connection=connection)
    connection.refresh_from_db()
    assert not result.ok and "revoked" in result.message
    assert connection.status == ConnectionStatus.NEEDS_REAUTH and connection.last_check_ok is False


def test_connection_test_refreshes_an_expired_token(
    workspace: Any, admin: Any, sandbox: SandboxServer, sandbox_admin: SandboxAdmin
) -> None:
    connection = sandbox_connection(workspace, sandbox, actor=admin)
    account = connection.account
    old = connection.get_credentials()
    version = connection.credentials_version
    sandbox_admin.expire(sandbox_services.sandbox_username(account))
    result = connection_services.connection_test(workspace=workspace, actor=admin, connection=connection)
    connection.refresh_from_db()
    assert result.ok and connection.credentials_version == version + 1
    assert connection.get_credentials().access_token != old.access_token
    assert AuditEntry.objects.filter(action="platforms.connection.refresh").exists()


@pytest.mark.usefixtures("egress_loopback")  # a server (or closed port) on 127.0.0.1
def test_unreachable_platform_is_reported_not_revoked(workspace: Any, admin: Any) -> None:
    account = make_account(workspace, "acme", platform="mastodon")
    connection = connect(account, "mastodon", base_url="http://127.0.0.1:9")
    result = connection_services.connection_test(workspace=workspace, actor=admin, connection=connection)
    connection.refresh_from_db()
    assert not result.ok and "could not connect" in result.message
    assert connection.status == ConnectionStatus.CONNECTED and connection.last_error


def test_concurrent_refresh_uses_the_winners_tokens(
    workspace: Any, admin: Any, sandbox: SandboxServer, monkeypatch: Any
) -> None:
    connection = sandbox_connection(workspace, sandbox, actor=admin)
    account = connection.account
    original = MastodonConnector.refresh
    calls = {"n": 0}

    def racing_refresh(self: MastodonConnector) -> Credentials:
        calls["n"] += 1
        if calls["n"] == 1:
            # Another worker refreshes between our read of the row and our call to the platform.
            connection_services.connection_refresh(
                connection=PlatformConnection.objects.get(pk=connection.pk)
            )
        return original(self)

    monkeypatch.setattr(MastodonConnector, "refresh", racing_refresh)
    got = connection_services.connection_refresh(connection=connection)
    connection.refresh_from_db()
    # Our refresh token had been rotated away; we use the winner's tokens instead of giving up.
    assert got.access_token == connection.get_credentials().access_token
    assert connection.status == ConnectionStatus.CONNECTED
    with connector_for(connection) as connector:
        assert connector.verify().handle == sandbox_services.sandbox_username(account)


def test_storing_over_a_newer_version_is_refused(workspace: Any) -> None:
    connection = connect(make_account(workspace, "acme", platform="mastodon"), "mastodon")
    stale_version = connection.credentials_version
    assert connection_services.connection_store_credentials(
        connection=connection, credentials=Credentials(access_token="newer"), expected_version=stale_version
    )
    assert not connection_services.connection_store_credentials(
        connection=connection, credentials=Credentials(access_token="older"), expected_version=stale_version
    )
    connection.refresh_from_db()
    assert connection.get_credentials().access_token == "newer"


def test_refresh_refused_marks_needs_reauth(
    workspace: Any, admin: Any, sandbox: SandboxServer, sandbox_admin: SandboxAdmin
) -> None:
    connection = sandbox_connection(workspace, sandbox, actor=admin)
    account = connection.account
    sandbox_admin.revoke(sandbox_services.sandbox_username(account))
    with pytest.raises(AuthRevoked):
        connection_services.connection_refresh(connection=connection)
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.NEEDS_REAUTH
    assert AuditEntry.objects.filter(action="platforms.connection.needs_reauth").exists()


# ---- manual packages -------------------------------------------------------------------------


def _manual(workspace: Any, member: Any) -> tuple[Any, Any]:
    account = make_account(workspace, "acme_xhs", platform="xiaohongshu", display_name="Acme 小红书")
    return account, connect(account, "manual")


def test_manual_publish_hands_over_a_package(
    workspace: Any, admin: Any, member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _account, connection = _manual(workspace, member)
    operator = member(Role.OPERATOR)
    due = timezone.now() + dt.timedelta(hours=2)
    post = PostRequest(
        text="秋季新品上线",
        title="秋季新品",
        hashtags=("新品",),
        link_url="https://acme.example/p",
        media=(
            MediaFile("1.jpg", "image/jpeg", url="https://cdn.example/1.jpg"),
            MediaFile("v.mp4", "video/mp4", url="https://cdn.example/v.mp4"),
        ),
        due_at=due,
        assignee_id=operator.pk,
    )
    with connector_for(connection) as connector:
        result = connector.publish(post, idempotency_key="pub-42")
        assert result.status == PublishStatus.PENDING and not result.is_published
        again = connector.publish(post, idempotency_key="pub-42")
        assert again.duplicate and again.external_id == result.external_id
        since = timezone.now() - dt.timedelta(hours=1)
        assert (
            connector.find_published(idempotency_key="pub-42", since=since, post=post).status
            == PublishStatus.PENDING
        )  # type: ignore[union-attr]
        assert connector.find_published(idempotency_key="other", since=since, post=post) is None
    task = ManualTask.objects.get()
    assert (task.title, task.text, task.assignee, task.due_at) == ("秋季新品", "秋季新品上线", operator, due)
    assert [m["url"] for m in task.media] == ["https://cdn.example/1.jpg", "https://cdn.example/v.mp4"]

    received: list[dict[str, Any]] = []

    def receiver(**kwargs: Any) -> None:
        received.append(kwargs)

    manual_posted.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            manual_services.manual_task_mark_posted(
                workspace=workspace,
                actor=operator,
                task=task,
                url="https://www.xiaohongshu.com/explore/64f0abc",
            )
    finally:
        manual_posted.disconnect(receiver)
    assert received and received[0]["idempotency_key"] == "pub-42" and received[0]["task_id"] == task.pk
    with connector_for(connection) as connector:
        found = connector.find_published(idempotency_key="pub-42", since=since, post=post)
        assert found is not None and found.is_published
        assert found.external_id == "64f0abc" and found.url == "https://www.xiaohongshu.com/explore/64f0abc"
        assert connector.withdraw(idempotency_key="pub-42") is False  # already posted


def test_withdraw_and_reopen(workspace: Any, member: Any, admin: Any) -> None:
    _account, connection = _manual(workspace, member)
    with connector_for(connection) as connector:
        connector.publish(PostRequest(text="撤回我"), idempotency_key="w")
        assert connector.withdraw(idempotency_key="w") is True
        task = ManualTask.objects.get()
        assert task.status == ManualTaskStatus.WITHDRAWN
        assert (
            connector.find_published(idempotency_key="w", since=timezone.now(), post=PostRequest(text="x"))
            is None
        )
        with pytest.raises(ValidationError, match="withdrawn"):
            manual_services.manual_task_mark_posted(
                workspace=workspace, actor=admin, task=task, url="https://x.example/1"
            )
        connector.publish(PostRequest(text="撤回我"), idempotency_key="w")
    assert ManualTask.objects.get().status == ManualTaskStatus.PENDING


def test_mark_posted_validation_and_permissions(workspace: Any, member: Any, admin: Any) -> None:
    _account, connection = _manual(workspace, member)
    with connector_for(connection) as connector:
        connector.publish(PostRequest(text="x", assignee_id=999999), idempotency_key="v")
    task = ManualTask.objects.get()
    assert task.assignee is None  # not a member: nobody assigned rather than a stranger
    with pytest.raises(ValidationError) as info:
        manual_services.manual_task_mark_posted(workspace=workspace, actor=admin, task=task, url="not a url")
    assert "url" in info.value.message_dict
    with pytest.raises(PermissionDenied):
        manual_services.manual_task_mark_posted(
            workspace=workspace, actor=member(Role.REVIEWER), task=task, url="https://x.example/1"
        )
    manual_services.manual_task_mark_posted(
        workspace=workspace, actor=admin, task=task, url="https://x.example/p/1", external_id="abc"
    )
    task.refresh_from_db()
    assert (task.status, task.external_id, task.posted_by) == (ManualTaskStatus.POSTED, "abc", admin)
    first_posted_at = task.posted_at
    manual_services.manual_task_mark_posted(
        workspace=workspace, actor=admin, task=task, url="https://x.example/p/2"
    )
    task.refresh_from_db()
    assert task.posted_url == "https://x.example/p/2" and task.posted_at == first_posted_at


def test_media_file_from_asset_publishes_to_the_sandbox(
    workspace: Any,
    admin: Any,
    sandbox: SandboxServer,
    sandbox_admin: SandboxAdmin,
    settings: Any,
    tmp_path: Any,
) -> None:
    import io

    from PIL import Image

    from socialops.content.services import media as media_services
    from socialops.platforms.media import media_file_from_asset

    settings.MEDIA_ROOT = str(tmp_path / "media")
    buffer = io.BytesIO()
    Image.new("RGB", (120, 100), "red").save(buffer, format="PNG")
    asset = media_services.media_asset_upload(
        workspace=workspace, actor=None, file_name="red.png", content=buffer.getvalue()
    ).asset
    media = media_file_from_asset(asset, url="/w/acme/assets/1/file/", description="红色方块")
    assert (
        media.data == buffer.getvalue() and media.content_type == "image/png" and media.asset_id == asset.pk
    )
    connection = sandbox_services.sandbox_connect(
        workspace=workspace,
        actor=admin,
        account=make_account(workspace, "acme", platform="mastodon"),
        base_url=sandbox.url,
    )
    with connector_for(connection) as connector:
        result = connector.publish(PostRequest(text="带图", media=(media,)), idempotency_key="img")
    assert result.raw["media_attachments"][0]["description"] == "红色方块"
    assert sandbox_admin.posts()["posts"][0]["media_count"] == 1


@pytest.mark.parametrize("status", [200, 401, 404, 502])
def test_test_connection_never_echoes_a_foreign_servers_page(workspace: Any, status: int) -> None:
    """A URL that answers with something other than the platform's JSON (an intranet page behind a
    public name, a proxy's error page): the check says so by status and type, never shows the body."""
    account = make_account(workspace, handle="m_shop", platform="mastodon")
    connection_services.connection_save(
        workspace=workspace,
        actor=None,
        account=account,
        kind="mastodon",
        base_url="https://social.example.com",
        access_token="tok-abcdefghijklmnop",
    )
    connection = PlatformConnection.objects.get(account=account)
    secret_page = "<html><title>Intranet</title>db_password=hunter2 internal build 4.2</html>"
    with respx.mock(assert_all_called=False) as router:
        router.route(host="social.example.com").mock(
            return_value=httpx.Response(status, text=secret_page, headers={"content-type": "text/html"})
        )
        result = connection_services.connection_test(workspace=workspace, actor=None, connection=connection)
    assert not result.ok
    connection.refresh_from_db()
    for shown in (result.message, connection.last_error):
        assert "hunter2" not in shown and "Intranet" not in shown
    assert "text/html" in result.message or status == 200
