"""Admins are told when an account's authorisation is revoked: navigation badge, alerts page, API."""

from __future__ import annotations

from typing import Any

from socialops.platforms.models import ConnectionStatus, PlatformConnection
from socialops.publishing import services
from socialops.publishing.models import PublishingAlert
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import connect, make_account


def _revoke(workspace: Any, handle: str = "weibo1") -> Any:
    account = make_account(workspace, handle=handle, platform="mastodon")
    connect(account, "manual")
    services.alert_account_admins(
        workspace=workspace, account_id=account.pk, message="The account must be connected again: revoked"
    )
    PlatformConnection.objects.filter(account=account).update(status=ConnectionStatus.NEEDS_REAUTH)
    return account


def test_one_unread_alert_per_admin_and_account(workspace: Any, member: Any, admin: Any) -> None:
    second_admin = member(Role.ADMIN)
    operator = member(Role.OPERATOR)
    account = _revoke(workspace)
    # The next failure while the first alert is unread adds nothing.
    assert services.alert_account_admins(workspace=workspace, account_id=account.pk, message="again") == 0
    users = set(PublishingAlert.objects.values_list("user_id", flat=True))
    assert users == {admin.pk, second_admin.pk}
    assert operator.pk not in users
    alert = PublishingAlert.objects.get(user=admin)
    services.alert_mark_read(workspace=workspace, actor=admin, alert=alert)
    # Once read, a new revocation is news again.
    assert services.alert_account_admins(workspace=workspace, account_id=account.pk, message="again") == 1


def test_badge_page_and_reconnect(workspace: Any, admin: Any, web: Any) -> None:
    account = _revoke(workspace)
    client = web(admin)
    page = client.get("/w/acme/publishing/").content.decode()
    assert 'data-testid="nav-alerts"' in page and "1 accounts need attention" in page
    page = client.get("/w/acme/publishing/alerts/").content.decode()
    assert "weibo1" in page and "connected again" in page and "data-unread" in page
    alert = PublishingAlert.objects.get(user=admin)
    res = client.post(f"/w/acme/publishing/alerts/{alert.pk}/read/", {"open": "1"})
    assert res.status_code == 302
    assert res["Location"] == f"/w/acme/accounts/{account.pk}/connection/"
    alert.refresh_from_db()
    assert alert.read_at is not None
    assert 'data-testid="nav-alerts"' not in client.get("/w/acme/publishing/").content.decode()


def test_read_all_and_someone_elses_alert(workspace: Any, admin: Any, member: Any, web: Any) -> None:
    other_admin = member(Role.ADMIN)
    _revoke(workspace, "a1")
    _revoke(workspace, "a2")
    theirs = PublishingAlert.objects.filter(user=other_admin).first()
    assert theirs is not None
    client = web(admin)
    assert client.post(f"/w/acme/publishing/alerts/{theirs.pk}/read/").status_code == 404
    client.post("/w/acme/publishing/alerts/read-all/")
    assert not PublishingAlert.objects.filter(user=admin, read_at__isnull=True).exists()
    assert PublishingAlert.objects.filter(user=other_admin, read_at__isnull=True).count() == 2


def test_api(workspace: Any, other_workspace: Any, admin: Any, member: Any, api: Any) -> None:
    _revoke(workspace)
    other_admin = member(Role.ADMIN, ws=other_workspace)
    _revoke(other_workspace, "theirs")
    mine = PublishingAlert.objects.get(user=admin)
    foreign = PublishingAlert.objects.get(user=other_admin)
    res = assert_four_cases(
        api, "POST", f"/api/v1/workspaces/acme/publishing/alerts/{mine.pk}/read",
        f"/api/v1/workspaces/other/publishing/alerts/{foreign.pk}/read", permitted=admin, denied=None,
    )  # fmt: skip
    assert res.json()["read_at"] is not None
    listing = api(admin).get("/api/v1/workspaces/acme/publishing/alerts").json()
    assert listing["count"] == 1
    assert listing["items"][0]["account_handle"] == "weibo1"
    assert listing["items"][0]["connection_status"] == "needs_reauth"
    assert api(admin).get("/api/v1/workspaces/acme/publishing/alerts?unread=true").json()["count"] == 0
