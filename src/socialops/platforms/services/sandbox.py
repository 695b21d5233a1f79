"""Connecting accounts to the local sandbox platform (a Mastodon-compatible server for demos and tests)."""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from socialops.accounts.models import SocialAccount
from socialops.core.validation import Errors
from socialops.workspaces.access import ensure_same_workspace, require_perm
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from ..connectors.base import ConnectorError
from ..connectors.mastodon import password_grant, register_app
from ..models import ConnectorKind, PlatformConnection
from .connections import _clean_base_url, connection_get_for_account, connection_save, connection_test

SANDBOX_PASSWORD_SALT = "socialops.platforms.sandbox"


# ---- the sandbox platform ------------------------------------------------------------------


def sandbox_username(account: SocialAccount) -> str:
    """A stable sandbox user name for the account (ASCII; unique across workspaces)."""
    handle = re.sub(r"[^a-z0-9_]+", "_", account.handle.lower()).strip("_")[:24] or "account"
    return f"{handle}_{account.workspace_id}_{account.pk}"


def _sandbox_password(username: str) -> str:
    # Derived, so reconnecting logs in as the same sandbox user without storing a password.
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{SANDBOX_PASSWORD_SALT}:{username}".encode(), hashlib.sha256
    ).hexdigest()


def sandbox_connect(
    *, workspace: Workspace, actor: Any, account: SocialAccount, base_url: str | None = None
) -> PlatformConnection:
    """Connect an account to the local sandbox platform: register, log in, store the tokens."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.ACCOUNT_EDIT)
    ensure_same_workspace(workspace, account, "account")
    errors: Errors = {}
    url = _clean_base_url(base_url or settings.SANDBOX_URL, errors)
    if errors:
        raise ValidationError(errors)
    if account.is_competitor:
        raise ValidationError(
            {"account": [_("Competitor accounts are tracked, not published to; they cannot be connected.")]}
        )
    username = sandbox_username(account)
    try:
        app = register_app(url, name=f"socialops {workspace.slug}")
        tokens = password_grant(url, app, username=username, password=_sandbox_password(username))
    except ConnectorError as exc:
        raise ValidationError(
            {
                "base_url": [
                    _(
                        "The sandbox at %(url)s did not answer (%(message)s). Start it with `socialops sandbox`."
                    )
                    % {"url": url, "message": exc}
                ]
            }
        ) from exc
    connection = connection_save(
        workspace=workspace,
        actor=actor,
        account=account,
        kind=ConnectorKind.SANDBOX,
        base_url=url,
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token or None,
        client_id=tokens.client_id,
        client_secret=tokens.client_secret,
        token_expires_at=tokens.expires_at,
    )
    connection_test(workspace=workspace, actor=actor, connection=connection)
    connection.refresh_from_db()
    return connection


def sandbox_connect_demo(*, workspace: Workspace, base_url: str | None = None) -> list[PlatformConnection]:
    """Connect every one of the workspace's own accounts to the sandbox (the demo's offline loop).

    Accounts already connected to something other than the sandbox are left alone. Raises
    ValidationError (field base_url) when the sandbox is not running.
    """
    connections = []
    for account in SocialAccount.objects.filter(workspace=workspace, is_competitor=False).order_by("pk"):
        existing = connection_get_for_account(account)
        if existing is not None and existing.kind != ConnectorKind.SANDBOX:
            continue
        connections.append(
            sandbox_connect(workspace=workspace, actor=None, account=account, base_url=base_url)
        )
    return connections
