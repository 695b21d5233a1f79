"""Pages: connections overview, an account's connection, manual packages — with the four permission cases."""

from __future__ import annotations

from typing import Any

import pytest

from socialops.platforms.connectors.base import MediaFile, PostRequest
from socialops.platforms.models import ConnectionStatus, ManualTask, ManualTaskStatus, PlatformConnection
from socialops.platforms.registry import connector_for
from socialops.platforms.sandbox import SandboxServer
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import MASTODON_TOKEN, WEBHOOK_SECRET, connect, make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def ours(workspace: Any) -> Any:
    return make_account(workspace, "acme", display_name="Acme 长毛象", platform="mastodon")


@pytest.fixture
def theirs(other_workspace: Any) -> Any:
    account = make_account(other_workspace, "theirs", platform="mastodon")
    connect(account, "manual")
    return account


def test_overview(workspace: Any, ours: Any, theirs: Any, admin: Any, web: Any) -> None:
    connect(ours, "mastodon")
    make_account(workspace, "not_yet", platform="weibo")
    make_account(workspace, "rival", is_competitor=True, platform="mastodon")
    response = assert_four_cases(
        web, "GET", "/w/acme/connections/", "/w/other/connections/", permitted=admin, denied=None
    )
    html = response.content.decode()
    assert "Acme 长毛象" in html and "Mastodon API" in html and "Not connected" in html
    assert "rival" not in html
    assert MASTODON_TOKEN not in html


def test_connection_detail_masks_secrets(
    workspace: Any, ours: Any, theirs: Any, admin: Any, member: Any, web: Any
) -> None:
    connect(ours, "mastodon", refresh_token="refresh-SECRET", client_id="app-77")
    response = assert_four_cases(
        web, "GET", f"/w/acme/accounts/{ours.pk}/connection/", f"/w/other/accounts/{theirs.pk}/connection/",
        permitted=admin, denied=None,
    )  # fmt: skip
    html = response.content.decode()
    assert MASTODON_TOKEN not in html and "refresh-SECRET" not in html
    assert "••••••••" in html and "leave blank to keep" in html.lower()
    assert 'value="app-77"' in html  # the app id is not a secret
    assert "Test connection" in html and "Pause publishing" in html and "Disconnect" in html
    assert "connection.js" in html
    analyst_html = web(member(Role.ANALYST)).get(f"/w/acme/accounts/{ours.pk}/connection/").content.decode()
    assert (
        "Mastodon API" in analyst_html
        and "Test connection" not in analyst_html
        and "Save connection" not in analyst_html
    )
    # Our workspace's URL with another workspace's account: 404.
    assert web(admin).get(f"/w/acme/accounts/{theirs.pk}/connection/").status_code == 404


def test_connect_with_the_form(
    workspace: Any, ours: Any, theirs: Any, admin: Any, member: Any, web: Any
) -> None:
    data = {"kind": "webhook", "base_url": "https://hooks.example.com/in", "signing_secret": WEBHOOK_SECRET}
    response = assert_four_cases(
        web, "POST", f"/w/acme/accounts/{ours.pk}/connection/edit/",
        f"/w/other/accounts/{theirs.pk}/connection/edit/", permitted=admin, denied=member(Role.ANALYST),
        data=data, ok=(302,),
    )  # fmt: skip
    assert response["Location"] == f"/w/acme/accounts/{ours.pk}/connection/"
    connection = PlatformConnection.objects.get(account=ours)
    assert connection.kind == "webhook" and connection.get_credentials().signing_secret == WEBHOOK_SECRET
    page = response.client.get(response["Location"]).content.decode()
    assert "Connection saved" in page and WEBHOOK_SECRET not in page


def test_form_errors_shown_inline(workspace: Any, ours: Any, admin: Any, web: Any) -> None:
    response = web(admin).post(
        f"/w/acme/accounts/{ours.pk}/connection/edit/",
        {"kind": "webhook", "base_url": "notaurl", "signing_secret": "short"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a full http:// or https:// URL." in html and "is-invalid" in html
    assert not PlatformConnection.objects.exists()


def test_sandbox_form_without_token_registers(
    workspace: Any, ours: Any, admin: Any, web: Any, sandbox: SandboxServer
) -> None:
    response = web(admin).post(
        f"/w/acme/accounts/{ours.pk}/connection/edit/", {"kind": "sandbox", "base_url": sandbox.url}
    )
    assert response.status_code == 302
    connection = PlatformConnection.objects.get(account=ours)
    assert connection.kind == "sandbox" and connection.last_check_ok


@pytest.mark.parametrize(
    ("action", "status"), [("pause", ConnectionStatus.PAUSED), ("test", ConnectionStatus.CONNECTED)]
)
def test_actions(
    workspace: Any, ours: Any, theirs: Any, admin: Any, member: Any, web: Any, action: str, status: str
) -> None:
    connect(ours, "manual")
    response = assert_four_cases(
        web, "POST", f"/w/acme/accounts/{ours.pk}/connection/{action}/",
        f"/w/other/accounts/{theirs.pk}/connection/{action}/", permitted=admin, denied=member(Role.REVIEWER),
        ok=(302,),
    )  # fmt: skip
    assert PlatformConnection.objects.get(account=ours).status == status
    page = response.client.get(response["Location"]).content.decode()
    assert ("Publishing to this account is paused" if action == "pause" else "Connected as acme") in page


def test_resume(workspace: Any, ours: Any, theirs: Any, admin: Any, member: Any, web: Any) -> None:
    connection = connect(ours, "manual")
    from socialops.platforms.services import connections as services

    services.connection_set_paused(workspace=workspace, actor=None, connection=connection, paused=True)
    assert_four_cases(
        web, "POST", f"/w/acme/accounts/{ours.pk}/connection/resume/",
        f"/w/other/accounts/{theirs.pk}/connection/resume/", permitted=admin, denied=member(Role.ANALYST),
        ok=(302,),
    )  # fmt: skip
    assert PlatformConnection.objects.get(account=ours).status == ConnectionStatus.CONNECTED


def test_disconnect(workspace: Any, ours: Any, theirs: Any, admin: Any, member: Any, web: Any) -> None:
    connect(ours, "mastodon")
    assert_four_cases(
        web, "POST", f"/w/acme/accounts/{ours.pk}/connection/delete/",
        f"/w/other/accounts/{theirs.pk}/connection/delete/", permitted=admin, denied=member(Role.ANALYST),
        ok=(302,),
    )  # fmt: skip
    assert not PlatformConnection.objects.filter(account=ours).exists()


def test_account_page_has_the_connection_card(workspace: Any, ours: Any, admin: Any, web: Any) -> None:
    html = web(admin).get(f"/w/acme/accounts/{ours.pk}/").content.decode()
    assert 'data-testid="connection-card"' in html and "Not connected" in html
    connect(ours, "mastodon")
    html = web(admin).get(f"/w/acme/accounts/{ours.pk}/").content.decode()
    assert "Mastodon API" in html and "Manage connection" in html
    rival = make_account(workspace, "rival", is_competitor=True, platform="mastodon")
    assert (
        'data-testid="connection-card"'
        not in web(admin).get(f"/w/acme/accounts/{rival.pk}/").content.decode()
    )


def test_chinese_by_default(workspace: Any, ours: Any, admin: Any, web: Any) -> None:
    client = web(admin)
    client.cookies["django_language"] = "zh-hans"
    html = client.get(f"/w/acme/accounts/{ours.pk}/connection/").content.decode()
    assert "测试连接" not in html  # not connected yet: no test button
    assert "未连接" in html and "保存连接" in html
    assert "平台连接" in client.get("/w/acme/connections/").content.decode()


def _task(account: Any, key: str = "k1") -> ManualTask:
    connection = PlatformConnection.objects.filter(account=account).first() or connect(account, "manual")
    with connector_for(connection) as connector:
        connector.publish(
            PostRequest(
                text="手动发布：秋季新品",
                title="秋季新品",
                media=(
                    MediaFile(
                        "cover.jpg", "image/jpeg", url="https://cdn.example/cover.jpg", description="封面"
                    ),
                ),
            ),
            idempotency_key=key,
        )
    return ManualTask.objects.get(account=account, idempotency_key=key)


def test_manual_list(workspace: Any, ours: Any, theirs: Any, admin: Any, web: Any) -> None:
    task = _task(ours)
    _task(theirs)
    response = assert_four_cases(
        web, "GET", "/w/acme/manual/", "/w/other/manual/", permitted=admin, denied=None
    )
    html = response.content.decode()
    assert "秋季新品" in html and f"/w/acme/manual/{task.pk}/" in html
    assert "秋季新品" not in web(admin).get("/w/acme/manual/?status=posted").content.decode()
    assert "秋季新品" in web(admin).get("/w/acme/manual/?status=all").content.decode()
    overview = web(admin).get("/w/acme/connections/").content.decode()
    assert 'data-testid="pending-manual">1<' in overview


def test_manual_detail(workspace: Any, ours: Any, theirs: Any, admin: Any, member: Any, web: Any) -> None:
    task = _task(ours)
    foreign = _task(theirs)
    response = assert_four_cases(
        web, "GET", f"/w/acme/manual/{task.pk}/", f"/w/other/manual/{foreign.pk}/",
        permitted=admin, denied=None,
    )  # fmt: skip
    html = response.content.decode()
    assert "手动发布：秋季新品" in html and "https://cdn.example/cover.jpg" in html and "封面" in html
    assert "Upload the 1 images in the order shown." in html and "Mark posted" in html
    assert web(admin).get(f"/w/acme/manual/{foreign.pk}/").status_code == 404
    reviewer_html = web(member(Role.REVIEWER)).get(f"/w/acme/manual/{task.pk}/").content.decode()
    assert "手动发布：秋季新品" in reviewer_html and 'name="url"' not in reviewer_html


def test_mark_posted(workspace: Any, ours: Any, theirs: Any, admin: Any, member: Any, web: Any) -> None:
    task = _task(ours)
    foreign = _task(theirs)
    response = assert_four_cases(
        web, "POST", f"/w/acme/manual/{task.pk}/posted/", f"/w/other/manual/{foreign.pk}/posted/",
        permitted=admin, denied=member(Role.ANALYST),
        data={"url": "https://www.xiaohongshu.com/explore/abc123"}, ok=(302,),
    )  # fmt: skip
    task.refresh_from_db()
    assert task.status == ManualTaskStatus.POSTED and task.external_id == "abc123"
    page = response.client.get(response["Location"]).content.decode()
    assert "Marked as posted" in page and 'data-testid="posted-url"' in page
    bad = web(admin).post(f"/w/acme/manual/{task.pk}/posted/", {"url": "nope"})
    assert bad.status_code == 200 and "Enter a full http:// or https:// URL." in bad.content.decode()


def test_edit_page_get(workspace: Any, ours: Any, theirs: Any, admin: Any, member: Any, web: Any) -> None:
    response = assert_four_cases(
        web, "GET", f"/w/acme/accounts/{ours.pk}/connection/edit/",
        f"/w/other/accounts/{theirs.pk}/connection/edit/", permitted=admin, denied=member(Role.ANALYST),
    )  # fmt: skip
    assert "Save connection" in response.content.decode()
