"""The egress policy: every outgoing HTTP request of the product goes through ``guarded_transport()``.

Why: URLs come from people (a Mastodon or webhook connection's base URL, an inbox webhook, the
links of a post). Without a policy, "test connection" to ``http://127.0.0.1:<port>`` or
``http://169.254.169.254/`` makes the server probe its own network (server-side request forgery).

The rule: a connection may only go to a public address. Loopback, private, link-local (with the
cloud metadata address 169.254.169.254), reserved, multicast, unspecified (0.0.0.0, ::) and the
other non-global ranges are refused, IPv4-mapped IPv6 addresses by their IPv4 address. The
exceptions are the networks in ``settings.EGRESS_ALLOWED_NETWORKS`` (env ``SOCIALOPS_EGRESS_ALLOW``,
comma-separated CIDRs; empty by default, ``127.0.0.0/8,::1/128`` in ``make demo`` so the sandbox
platform and local development work).

How: the check is made where the socket is opened, not on the URL. ``httpx`` sends through
``httpcore``, whose connection pool opens every TCP connection through a *network backend*
(``connect_tcp(host, port, …)``). ``GuardedBackend`` wraps the standard synchronous backend: it
resolves the host once, refuses the connection when any of its addresses is refused, and connects
to the checked IP address itself, so the name is never resolved a second time (a DNS-rebinding
answer that changes between the check and the connect cannot slip through). TLS still checks the
certificate against the host name (httpcore passes the URL's host as SNI, not the address). Every
redirect hop is a new request through the same pool, so redirects are re-checked for free; a
request that reuses a kept-alive connection goes to an address already checked.

``EgressRefused`` (an ``httpx.ConnectError``: nothing was sent) names the host and the address;
callers turn it into their own error (a permanent connector error, a "blocked_address" link
status). An explicitly given transport (tests' ``httpx.MockTransport``, respx) replaces this one;
so does nothing else: environment proxies are ignored because the transport is explicit.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
from collections.abc import Iterable, Sequence
from typing import Any

import httpcore
import httpx
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Allow every address (only for an explicit caller's choice, e.g. a test's local server).
ALLOW_ALL: tuple[IPNetwork, ...] = (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0"))


class EgressRefused(httpx.ConnectError):
    """An outgoing connection refused by the egress policy (nothing was sent)."""

    def __init__(self, host: str, address: str = "") -> None:
        self.host = host
        self.address = address
        if address and address != host:
            message = _(
                "%(host)s resolves to %(address)s, a private, loopback, link-local or reserved address; "
                "outgoing requests to it are not allowed."
            ) % {"host": host, "address": address}
        else:
            message = _(
                "%(host)s is a private, loopback, link-local or reserved address; "
                "outgoing requests to it are not allowed."
            ) % {"host": host}
        super().__init__(message)


def is_public(address: IPAddress) -> bool:
    """True when ``address`` is a global unicast address (the only kind the policy lets through)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
    )


def allowed_networks() -> tuple[IPNetwork, ...]:
    """The networks ``settings.EGRESS_ALLOWED_NETWORKS`` lets through despite the rule (read now)."""
    from django.conf import settings

    configured = getattr(settings, "EGRESS_ALLOWED_NETWORKS", ()) if settings.configured else ()
    return _parse_networks(tuple(configured))


@functools.cache
def _parse_networks(values: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in values if v.strip())


def address_allowed(address: IPAddress, allowed: Sequence[IPNetwork] = ()) -> bool:
    """The policy for one address: public, or inside one of the ``allowed`` networks."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        mapped = address.ipv4_mapped
        if any(mapped in net for net in allowed if net.version == 4):
            return True
    return is_public(address) or any(address in net for net in allowed if net.version == address.version)


def _resolve(host: str, port: int) -> list[str]:
    """The addresses of ``host`` (tests monkeypatch this to play a DNS answer)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def checked_addresses(host: str, port: int, allowed: Sequence[IPNetwork] | None = None) -> list[str]:
    """The addresses to connect to for ``host``; ``EgressRefused`` when any of them is refused.

    One refused address refuses the host: a name that answers both a public and a private
    address is how a rebinding attack picks the private one.
    """
    nets = allowed_networks() if allowed is None else tuple(allowed)
    bare = host.strip("[]")
    try:
        literal: IPAddress | None = ipaddress.ip_address(bare.split("%", 1)[0])
    except ValueError:
        literal = None
    if literal is not None:
        if not address_allowed(literal, nets):
            raise EgressRefused(host)
        return [bare]
    try:
        addresses = _resolve(bare, port)
    except OSError as exc:
        raise httpx.ConnectError(f"could not resolve {host}: {exc}") from exc
    for address in addresses:
        if not address_allowed(ipaddress.ip_address(address.split("%", 1)[0]), nets):
            raise EgressRefused(host, address)
    return addresses


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's synchronous backend, connecting only to addresses the policy allows."""

    def __init__(self, allowed: Sequence[IPNetwork] | None = None) -> None:
        self._backend = httpcore.SyncBackend()
        # None: read the setting at every connect (so a settings override applies at once).
        self._allowed = None if allowed is None else tuple(allowed)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = checked_addresses(host, port, self._allowed)
        options = list(socket_options) if socket_options is not None else None
        last: Exception | None = None
        for address in addresses:
            try:
                return self._backend.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise EgressRefused(path)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


@functools.cache
def default_tls_context() -> ssl.SSLContext:
    """One verified TLS context for every client (loading the CA bundle costs ~17 ms of CPU)."""
    return ssl.create_default_context()


class EgressTransport(httpx.HTTPTransport):
    """``httpx.HTTPTransport`` whose connections go through ``GuardedBackend``."""

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | None = None,
        allowed: Sequence[IPNetwork] | None = None,
        limits: httpx.Limits | None = None,
    ) -> None:
        context = verify if verify is not None else default_tls_context()
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        super().__init__(verify=context, limits=limits, trust_env=False)
        # httpx.HTTPTransport takes no network backend; its pool does (httpcore's public API).
        self._pool = httpcore.ConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(allowed),
        )


def guarded_transport(*, verify: ssl.SSLContext | None = None, allow_all: bool = False) -> EgressTransport:
    """A transport applying the policy (``allow_all``: the caller explicitly opts out, e.g. a test)."""
    return EgressTransport(verify=verify, allowed=ALLOW_ALL if allow_all else None)


def client(*, transport: httpx.BaseTransport | None = None, **kwargs: Any) -> httpx.Client:
    """An ``httpx.Client`` through the policy (``transport`` replaces it: tests' fake transports)."""
    return httpx.Client(transport=transport or guarded_transport(), **kwargs)
