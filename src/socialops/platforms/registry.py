"""Which connector class serves which kind, and building a connector for a stored connection."""

from __future__ import annotations

from typing import Any

from .connectors.base import Connector
from .connectors.bluesky import BlueskyConnector
from .connectors.manual import ManualConnector
from .connectors.mastodon import MastodonConnector, SandboxConnector
from .connectors.telegram import TelegramConnector
from .connectors.webhook import WebhookConnector
from .models import ConnectorKind, PlatformConnection

CONNECTORS: dict[str, type[Connector]] = {
    ConnectorKind.MASTODON: MastodonConnector,
    ConnectorKind.SANDBOX: SandboxConnector,
    ConnectorKind.WEBHOOK: WebhookConnector,
    ConnectorKind.MANUAL: ManualConnector,
    ConnectorKind.BLUESKY: BlueskyConnector,
    ConnectorKind.TELEGRAM: TelegramConnector,
}

# Account platforms each kind may serve (None: any of our accounts). Mastodon's API is spoken
# by Mastodon and by compatible servers filed under "other".
KIND_PLATFORMS: dict[str, set[str] | None] = {
    ConnectorKind.MASTODON: {"mastodon", "other"},
    ConnectorKind.SANDBOX: None,
    ConnectorKind.WEBHOOK: None,
    ConnectorKind.MANUAL: None,
    ConnectorKind.BLUESKY: {"bluesky"},
    ConnectorKind.TELEGRAM: {"telegram"},
}


def connector_class(kind: str) -> type[Connector]:
    """The connector class for ``kind`` (KeyError for an unknown kind)."""
    return CONNECTORS[kind]


def kind_allowed(kind: str, platform: str) -> bool:
    platforms = KIND_PLATFORMS.get(kind, set())
    return platforms is None or platform in platforms


def kinds_for_platform(platform: str) -> list[tuple[str, str]]:
    """(value, label) of the connector kinds an account on ``platform`` can use."""
    return [(value, str(label)) for value, label in ConnectorKind.choices if kind_allowed(value, platform)]


def connector_for(connection: PlatformConnection, **options: Any) -> Connector:
    """A connector acting as the connection's account, with its decrypted credentials.

    ``options`` go to the connector class (e.g. ``timeout``, ``transport`` for HTTP ones).
    Use it as a context manager, or call close(), to release its HTTP connections.
    """
    cls = connector_class(connection.kind)
    return cls(
        base_url=connection.base_url,
        credentials=connection.get_credentials(),
        account_ref=connection.external_account_id,
        connection=connection,
        **options,
    )
