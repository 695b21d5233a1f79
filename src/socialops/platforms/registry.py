"""Which connector class serves which kind, and building a connector for a stored connection."""

from __future__ import annotations

from typing import Any

from .connectors.base import Connector
from .connectors.bluesky import BlueskyConnector
from .connectors.douyin import DouyinConnector
from .connectors.manual import ManualConnector
from .connectors.mastodon import MastodonConnector, SandboxConnector
from .connectors.telegram import TelegramConnector
from .connectors.webhook import WebhookConnector
from .connectors.wechat import WechatConnector
from .connectors.weibo import WeiboConnector
from .models import ConnectorKind, PlatformConnection

CONNECTORS: dict[str, type[Connector]] = {
    ConnectorKind.MASTODON: MastodonConnector,
    ConnectorKind.SANDBOX: SandboxConnector,
    ConnectorKind.WEBHOOK: WebhookConnector,
    ConnectorKind.MANUAL: ManualConnector,
    ConnectorKind.BLUESKY: BlueskyConnector,
    ConnectorKind.TELEGRAM: TelegramConnector,
    ConnectorKind.WECHAT_MP: WechatConnector,
    ConnectorKind.WEIBO: WeiboConnector,
    ConnectorKind.DOUYIN: DouyinConnector,
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
    ConnectorKind.WECHAT_MP: {"wechat_mp"},
    ConnectorKind.WEIBO: {"weibo"},
    ConnectorKind.DOUYIN: {"douyin"},
}


# The connection fields each kind uses, and whether it cannot work without them. The form shows
# only a kind's fields and connection_save refuses a connection missing a required one.
REQUIRED, OPTIONAL = True, False
KIND_FIELDS: dict[str, dict[str, bool]] = {
    ConnectorKind.MASTODON: {
        "base_url": REQUIRED,
        "access_token": REQUIRED,
        "refresh_token": OPTIONAL,
        "client_id": OPTIONAL,
        "client_secret": OPTIONAL,
    },
    ConnectorKind.SANDBOX: {
        "base_url": OPTIONAL,
        "access_token": REQUIRED,
        "refresh_token": OPTIONAL,
        "client_id": OPTIONAL,
        "client_secret": OPTIONAL,
    },
    ConnectorKind.WEBHOOK: {"base_url": REQUIRED, "signing_secret": REQUIRED},
    ConnectorKind.MANUAL: {},
    # Handle + app password; the session tokens are the connector's business.
    ConnectorKind.BLUESKY: {"client_id": REQUIRED, "client_secret": REQUIRED},
    # Bot token + channel.
    ConnectorKind.TELEGRAM: {"access_token": REQUIRED, "client_id": REQUIRED},
    # AppID + AppSecret (the connector gets its own access token); the push Token and the
    # EncodingAESKey only when WeChat's message push is configured.
    ConnectorKind.WECHAT_MP: {
        "client_id": REQUIRED,
        "client_secret": REQUIRED,
        "signing_secret": OPTIONAL,
        "encoding_aes_key": OPTIONAL,
    },
    ConnectorKind.WEIBO: {
        "access_token": REQUIRED,
        "refresh_token": OPTIONAL,
        "client_id": OPTIONAL,
        "client_secret": OPTIONAL,
        "account_id": OPTIONAL,
    },
    # Every Douyin call names the user's open_id; a refresh needs client_key + client_secret.
    ConnectorKind.DOUYIN: {
        "access_token": REQUIRED,
        "refresh_token": OPTIONAL,
        "client_id": REQUIRED,
        "client_secret": REQUIRED,
        "account_id": REQUIRED,
    },
}


CONNECTION_FIELDS = (
    "base_url",
    "access_token",
    "refresh_token",
    "client_id",
    "client_secret",
    "signing_secret",
    "encoding_aes_key",
    "account_id",
)


def kinds_using(field: str) -> str:
    """Space-separated kinds whose connections use ``field`` (for the form's show/hide)."""
    return " ".join(kind for kind, fields in KIND_FIELDS.items() if field in fields)


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
