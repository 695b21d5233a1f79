"""The egress policy: no outgoing request reaches a private, loopback, link-local or reserved address."""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from socialops.core import egress
from socialops.platforms.connectors.base import PermanentError
from socialops.platforms.connectors.mastodon import MastodonConnector
from socialops.platforms.connectors.webhook import WebhookConnector
from socialops.platforms.credentials import Credentials
from socialops.textkit.links import check_reachability
from tests.factories import connect, make_account

REFUSED = [
    "127.0.0.1",
    "127.1.2.3",
    "10.0.0.1",
    "10.255.255.254",
    "172.16.0.1",
    "172.31.255.1",
    "192.168.1.1",
    "169.254.169.254",
    "169.254.0.1",
    "0.0.0.0",
    "100.64.0.1",
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
]


@pytest.mark.parametrize("address", REFUSED)
def test_every_private_range_is_refused(address: str) -> None:
    assert not egress.address_allowed(ipaddress.ip_address(address))
    with pytest.raises(egress.EgressRefused):
        egress.checked_addresses(address, 80, allowed=())


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "172.32.0.1"])
def test_public_addresses_pass(address: str) -> None:
    assert egress.address_allowed(ipaddress.ip_address(address))
    assert egress.checked_addresses(address, 443, allowed=()) == [address]


def _resolver(answers: dict[str, list[str]]) -> Any:
    def resolve(host: str, port: int) -> list[str]:
        return answers[host]

    return resolve


def test_a_name_resolving_to_a_private_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(egress, "_resolve", _resolver({"metadata.evil.test": ["169.254.169.254"]}))
    with pytest.raises(egress.EgressRefused) as info:
        egress.checked_addresses("metadata.evil.test", 80, allowed=())
    assert "metadata.evil.test" in str(info.value) and "169.254.169.254" in str(info.value)


def test_one_private_answer_among_public_ones_refuses_the_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(egress, "_resolve", _resolver({"rebind.test": ["93.184.216.34", "10.0.0.7"]}))
    with pytest.raises(egress.EgressRefused):
        egress.checked_addresses("rebind.test", 80, allowed=())


def test_the_checked_address_is_the_one_connected_to(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """The name is resolved once, at connect time, and the socket opens to that checked address:
    a rebinding DNS answer given to a second lookup is never asked for."""
    settings.EGRESS_ALLOWED_NETWORKS = []
    answers = iter([["93.184.216.34"], ["10.0.0.9"]])
    monkeypatch.setattr(egress, "_resolve", lambda host, port: next(answers))
    connected: list[str] = []

    def fake_connect(self: Any, host: str, port: int, **kwargs: Any) -> Any:
        connected.append(host)
        raise egress.httpcore.ConnectError("no network in tests")

    monkeypatch.setattr(egress.httpcore.SyncBackend, "connect_tcp", fake_connect)
    with egress.client() as client, pytest.raises(httpx.ConnectError):
        client.get("http://rebind.test/")
    assert connected == ["93.184.216.34"]


@pytest.fixture
def server() -> Iterator[str]:
    """A local server: /ok answers 200 with a secret body; /to-private redirects into the network."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            if self.path == "/to-private":
                self.send_response(302)
                self.send_header("Location", "http://internal.corp.test/admin")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"error": "INTERNAL-SECRET-BODY"}')

        do_POST = do_GET  # noqa: N815

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_loopback_is_refused_by_default_and_allowed_by_the_setting(server: str, settings: Any) -> None:
    settings.EGRESS_ALLOWED_NETWORKS = []
    with egress.client() as client, pytest.raises(egress.EgressRefused):
        client.get(server + "/ok")
    settings.EGRESS_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]
    with egress.client() as client:
        assert client.get(server + "/ok").status_code == 200


def test_the_setting_allows_only_its_networks(settings: Any) -> None:
    settings.EGRESS_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    egress.checked_addresses("127.0.0.1", 80)
    with pytest.raises(egress.EgressRefused):
        egress.checked_addresses("10.0.0.1", 80)
    with pytest.raises(egress.EgressRefused):
        egress.checked_addresses("169.254.169.254", 80)


def test_a_redirect_into_the_network_is_refused(
    server: str, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.EGRESS_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    real = egress._resolve
    monkeypatch.setattr(
        egress,
        "_resolve",
        lambda host, port: ["10.1.2.3"] if host == "internal.corp.test" else real(host, port),
    )
    with egress.client(follow_redirects=True) as client, pytest.raises(egress.EgressRefused) as info:
        client.get(server + "/to-private")
    assert "internal.corp.test" in str(info.value)
    # The link checker (which follows redirects) reports it as a blocked address.
    [status] = check_reachability([server + "/to-private"], timeout=2)
    assert (status.ok, status.error) == (False, "blocked_address")


def test_link_checks_refuse_a_name_resolving_to_a_private_address(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.EGRESS_ALLOWED_NETWORKS = []
    monkeypatch.setattr(egress, "_resolve", lambda host, port: ["192.168.0.10"])
    [status] = check_reachability(["https://router.example.com/"], timeout=1)
    assert (status.ok, status.error) == (False, "blocked_address")


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:{port}", "http://10.0.0.1", "http://169.254.169.254"])
def test_connectors_refuse_private_addresses_as_a_permanent_error(
    base_url: str, server: str, settings: Any
) -> None:
    settings.EGRESS_ALLOWED_NETWORKS = []
    url = base_url.format(port=server.rsplit(":", 1)[1])
    connector = MastodonConnector(base_url=url, credentials=Credentials(access_token="t"), timeout=2.0)
    with connector, pytest.raises(PermanentError) as info:
        connector.verify()
    assert "not allowed" in str(info.value)


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["loopback", "ten", "metadata", "name"])
def test_test_connection_refuses_without_echoing_the_body(
    target: str, server: str, workspace: Any, admin: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from socialops.platforms.services.connections import connection_test

    settings.EGRESS_ALLOWED_NETWORKS = []
    port = server.rsplit(":", 1)[1]
    url = {
        "loopback": server,
        "ten": "http://10.0.0.1:8080/hook",
        "metadata": "http://169.254.169.254/latest/meta-data/",
        "name": f"http://metadata.evil.test:{port}/",
    }[target]
    monkeypatch.setattr(egress, "_resolve", lambda host, port: ["127.0.0.1"])
    for kind in ("mastodon", "webhook"):
        account = make_account(
            workspace, f"acme-{kind}", platform="mastodon" if kind == "mastodon" else "other"
        )
        connection = connect(account, kind, base_url=url)
        result = connection_test(workspace=workspace, actor=admin, connection=connection)
        assert not result.ok
        assert "not allowed" in result.message
        assert "INTERNAL-SECRET-BODY" not in result.message
        connection.refresh_from_db()
        assert "INTERNAL-SECRET-BODY" not in connection.last_error


def test_webhook_connector_reaches_loopback_only_when_allowed(server: str, settings: Any) -> None:
    settings.EGRESS_ALLOWED_NETWORKS = []
    hook = WebhookConnector(base_url=server + "/ok", credentials=Credentials(signing_secret="s" * 32))
    with hook, pytest.raises(PermanentError):
        hook.verify()
    settings.EGRESS_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    hook = WebhookConnector(base_url=server + "/ok", credentials=Credentials(signing_secret="s" * 32))
    with hook:
        assert hook.verify().handle.startswith("127.0.0.1")
