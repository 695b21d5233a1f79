"""Builders for platform tests (through the services, as the product does)."""

from __future__ import annotations

from typing import Any

from socialops.accounts import services as account_services
from socialops.accounts.models import SocialAccount
from socialops.platforms import services
from socialops.platforms.models import PlatformConnection

WEBHOOK_SECRET = "whsec_0123456789abcdef"
MASTODON_TOKEN = "tok_mastodon_SECRET_value_1234"


def make_account(workspace: Any, handle: str = "acme", **kwargs: Any) -> SocialAccount:
    fields: dict[str, Any] = {"platform": "mastodon", "display_name": handle.title()}
    fields.update(kwargs)
    return account_services.account_create(workspace=workspace, actor=None, handle=handle, **fields)


def connect(account: SocialAccount, kind: str = "manual", **kwargs: Any) -> PlatformConnection:
    defaults: dict[str, Any] = {}
    if kind == "webhook":
        defaults = {"base_url": "https://hooks.example.com/socialops", "signing_secret": WEBHOOK_SECRET}
    elif kind in ("mastodon", "sandbox"):
        defaults = {"base_url": "https://mastodon.example", "access_token": MASTODON_TOKEN}
    defaults.update(kwargs)
    return services.connection_save(
        workspace=account.workspace, actor=None, account=account, kind=kind, **defaults
    )
