"""A Douyin connection lives on without re-authorisation: access tokens are refreshed when they
expire, the refresh token is renewed before its 30 days run out, and admins are warned before the
last renewal ends (…/account-permission/refresh-access-token, …/refresh-token).

The fake keeps Douyin's documented clock: access tokens live 15 days, refresh tokens 30 days and are
not extended by refreshing an access token; a renewal gives a new 30-day refresh token and
invalidates the old one at once; a refresh token is renewed at most 5 times (10020 after that).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import respx
import time_machine

from socialops.platforms.connectors.base import Capability
from socialops.platforms.models import ConnectionStatus, PlatformConnection
from socialops.platforms.services import connections as connection_services
from socialops.publishing import sync
from socialops.publishing.models import PublishingAlert
from tests.factories import make_account

pytestmark = pytest.mark.django_db

CLIENT_KEY = "tt10abcdef123456"
OPEN_ID = "_000QadFMhmU1jNCI3JdPnyVDL6XavC70dFy"
ACCESS_LIFE = dt.timedelta(days=15)
REFRESH_LIFE = dt.timedelta(days=30)
START = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


def _answer(data: dict[str, Any] | None = None, code: int = 0, description: str = "") -> httpx.Response:
    body = {"error_code": code, "description": description, **(data or {})}
    return httpx.Response(200, json={"data": body, "message": "success" if not code else "error"})


class DouyinClock:
    """Douyin's OAuth endpoints and one data endpoint, with token lifetimes on the (travelled) clock."""

    def __init__(self, router: respx.MockRouter, *, renewals_used: int = 0) -> None:
        self.n = 0
        now = dt.datetime.now(dt.UTC)
        self.access, self.access_ends = "act.first", now + ACCESS_LIFE
        self.refresh, self.refresh_ends = "rft.first", now + REFRESH_LIFE
        self.renewals_used = renewals_used
        self.calls: list[str] = []
        router.route(host="open.douyin.com").mock(side_effect=self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        now = dt.datetime.now(dt.UTC)
        path = request.url.path
        self.calls.append(path)
        form = dict(parse_qsl(request.content.decode()))
        if path in ("/oauth/refresh_token/", "/oauth/renew_refresh_token/"):
            if form.get("client_key") != CLIENT_KEY or not form.get("refresh_token"):
                return _answer(code=10005, description="缺少参数")
            if form["refresh_token"] != self.refresh or now >= self.refresh_ends:
                return _answer(code=10010, description="refresh_token过期")
            self.n += 1
            if path == "/oauth/refresh_token/":
                # A new access token; the refresh token and its end stay as they are.
                self.access, self.access_ends = f"act.{self.n}", now + ACCESS_LIFE
                return _answer(
                    {
                        "access_token": self.access,
                        "expires_in": str(int(ACCESS_LIFE.total_seconds())),
                        "open_id": OPEN_ID,
                        "refresh_token": self.refresh,
                        "refresh_expires_in": str(int((self.refresh_ends - now).total_seconds())),
                        "scope": "user_info,data.external.user",
                    }
                )
            if self.renewals_used >= 5:
                return _answer(code=10020, description="超过刷新次数限制")
            self.renewals_used += 1
            self.refresh, self.refresh_ends = f"rft.{self.n}", now + REFRESH_LIFE
            return _answer(
                {"refresh_token": self.refresh, "expires_in": str(int(REFRESH_LIFE.total_seconds()))}
            )
        if path == "/data/external/user/fans/":
            query = dict(request.url.params)
            if query.get("access_token") != self.access:
                return _answer(code=2190002, description="access_token无效")
            if now >= self.access_ends:
                return _answer(code=2190008, description="access_token过期")
            return _answer(
                {"result_list": [{"date": now.strftime("%Y-%m-%d"), "total_fans": 1200, "new_fans": 3}]}
            )
        return httpx.Response(404, json={"message": "not found"})


@pytest.fixture
def traveller() -> Iterator[Any]:
    with time_machine.travel(START, tick=False) as machine:
        yield machine


@pytest.fixture
def router(traveller: Any) -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as mock:
        yield mock


def _connect(workspace: Any, clock: DouyinClock) -> PlatformConnection:
    account = make_account(workspace, handle="dy_shop", platform="douyin")
    connection_services.connection_save(
        workspace=workspace,
        actor=None,
        account=account,
        kind="douyin",
        access_token=clock.access,
        refresh_token=clock.refresh,
        client_id=CLIENT_KEY,
        client_secret="secret",
        account_id=OPEN_ID,
    )
    return PlatformConnection.objects.get(account=account)


def _use(connection: PlatformConnection) -> Any:
    """Read the account's figures as the metrics sync does (refreshing an expired token once)."""
    return sync._call(connection, Capability.ACCOUNT_METRICS, lambda c: c.fetch_account_metrics())


def _live(days: int, connection: PlatformConnection, traveller: Any) -> list[str]:
    """Day by day: the daily keep-alive at 03:30, the account used every third day at noon."""
    outcomes = []
    for day in range(days):
        base = START + dt.timedelta(days=day)
        traveller.move_to(base.replace(hour=3, minute=30))
        outcomes.append(
            sync.connection_keep_alive(connection=PlatformConnection.objects.get(pk=connection.pk))
        )
        if day % 3 == 0:
            traveller.move_to(base.replace(hour=12))
            assert _use(PlatformConnection.objects.get(pk=connection.pk)) is not None
    return outcomes


def test_sixty_days_of_use_without_authorising_again(
    workspace: Any, member: Any, router: Any, traveller: Any
) -> None:
    member("admin")
    clock = DouyinClock(router)
    connection = _connect(workspace, clock)

    outcomes = _live(60, connection, traveller)

    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.CONNECTED
    assert outcomes.count("renewed") == 2  # before day 30 and before day 55
    assert clock.renewals_used == 2
    stored = connection.get_credentials()
    assert stored.refresh_token == clock.refresh and stored.refresh_renewals == 2
    assert stored.refresh_expires_at == clock.refresh_ends
    assert "/oauth/refresh_token/" in clock.calls  # access tokens were refreshed on the way
    assert not PublishingAlert.objects.filter(workspace=workspace).exists()


def test_admins_are_warned_once_before_the_last_renewal_ends(
    workspace: Any, member: Any, router: Any, traveller: Any
) -> None:
    admin = member("admin")
    clock = DouyinClock(router, renewals_used=5)
    connection = _connect(workspace, clock)

    outcomes = _live(29, connection, traveller)

    assert "warned" in outcomes and "renewed" not in outcomes
    assert outcomes.index("warned") >= 23  # within the week before the end, not before
    alerts = list(PublishingAlert.objects.filter(workspace=workspace, user=admin))
    assert len(alerts) == 1  # one unread alert, however many days it is still true
    assert "2026-03-31" in alerts[0].message or "2026-04-01" in alerts[0].message
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.CONNECTED  # still works until the end
    assert connection.get_credentials().refresh_renewals == 5


def test_an_ended_refresh_token_stops_the_account_and_tells_the_admins(
    workspace: Any, member: Any, router: Any, traveller: Any
) -> None:
    admin = member("admin")
    clock = DouyinClock(router)
    connection = _connect(workspace, clock)
    assert sync.connection_keep_alive(connection=connection) == "ok"  # dated by a refresh
    clock.refresh = "rft.revoked-elsewhere"
    traveller.move_to(START + dt.timedelta(days=26))

    assert (
        sync.connection_keep_alive(connection=PlatformConnection.objects.get(pk=connection.pk)) == "revoked"
    )

    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.NEEDS_REAUTH
    assert PublishingAlert.objects.filter(workspace=workspace, user=admin).count() == 1
