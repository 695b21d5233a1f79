"""Writes on platform connections and manual packages (permission-checked, validated, audited).

Services that talk to a platform (test, refresh, sandbox connect) make the network call outside
any database transaction and then write the outcome in a short transaction of their own: a
transaction held open across a 20-second HTTP call would block every other writer on SQLite.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import re
import urllib.parse
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socialops.accounts.models import SocialAccount
from socialops.core.actors import user_or_none
from socialops.core.validation import Errors
from socialops.core.validation import add_error as _add
from socialops.workspaces.access import ensure_perm, ensure_same_workspace
from socialops.workspaces.audit import audit_record, snapshot
from socialops.workspaces.models import Membership, Workspace
from socialops.workspaces.roles import Perm

from . import credentials as creds
from .connectors.base import (
    AuthExpired,
    AuthRevoked,
    Capability,
    ConnectorError,
    PostRequest,
)
from .models import ConnectionStatus, ConnectorKind, ManualTask, ManualTaskStatus, PlatformConnection
from .registry import KIND_FIELDS, connector_class, connector_for, kind_allowed
from .signals import manual_posted

MAX_SECRET_LENGTH = 4000
MIN_SIGNING_SECRET = 16
SANDBOX_PASSWORD_SALT = "socialops.platforms.sandbox"


def _check_perm(workspace: Workspace, actor: Any, perm: str) -> None:
    # actor None is the system (the engine, the demo seed): no role to check, still audited.
    if actor is not None:
        ensure_perm(workspace=workspace, user=actor, perm=perm)


def _snapshot(connection: PlatformConnection) -> dict[str, Any]:
    # `credentials` is left out by snapshot() itself (SECRET_FIELDS); bookkeeping fields that
    # change on every save are left out so the audit entry reads as a diff of what was edited.
    return snapshot(connection, exclude={"updated_at", "credentials_version"})


# ---- connections ---------------------------------------------------------------------------

SECRET_FIELDS = ("access_token", "refresh_token", "client_secret", "signing_secret", "encoding_aes_key")


def _clean_secret(value: Any, field: str, errors: Errors) -> str | None:
    """None: keep what is stored. Tokens are single words; surrounding blanks are pasting noise."""
    if value is None:
        return None
    if not isinstance(value, str):
        _add(errors, field, _("Enter text."))
        return None
    value = value.strip()
    if not value:
        return None
    if len(value) > MAX_SECRET_LENGTH:
        _add(errors, field, _("At most %(n)d characters.") % {"n": MAX_SECRET_LENGTH})
        return None
    if any(ch.isspace() for ch in value) or "\x00" in value:
        _add(errors, field, _("A token cannot contain spaces or line breaks."))
        return None
    return value


def _clean_base_url(value: Any, errors: Errors, *, keep_slash: bool = False) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        _add(errors, "base_url", _("Enter a URL."))
        return ""
    value = value.strip()
    if not value:
        return ""
    if len(value) > 300:
        _add(errors, "base_url", _("At most %(n)d characters.") % {"n": 300})
        return ""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        _add(errors, "base_url", _("Enter a full http:// or https:// URL."))
        return ""
    # A server's root takes paths after it; a webhook's URL is used exactly as given.
    return value if keep_slash else value.rstrip("/")


# Formats the platforms document for their ids and keys: caught here, the user fixes a typo at
# once instead of reading a platform error at publishing time.
TELEGRAM_TOKEN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")
TELEGRAM_CHANNEL = re.compile(r"^(@[A-Za-z][A-Za-z0-9_]{3,31}|-100\d{5,})$")
BLUESKY_HANDLE = re.compile(r"^([A-Za-z0-9-]+\.)+[A-Za-z][A-Za-z0-9-]*$|^did:[a-z]+:[A-Za-z0-9._:%-]+$")
WECHAT_APPID = re.compile(r"^wx[0-9a-f]{16}$")
WECHAT_AES_KEY = re.compile(r"^[A-Za-z0-9]{43}$")
WECHAT_PUSH_TOKEN = re.compile(r"^[A-Za-z0-9]{3,32}$")

FIELD_REQUIRED_MESSAGES: dict[str, Any] = {
    "base_url": gettext_lazy("This connector needs the server's URL."),
    "access_token": gettext_lazy("Enter the access token."),
    "client_id": gettext_lazy("Enter the app id (client id)."),
    "client_secret": gettext_lazy("Enter the app secret (client secret)."),
    "signing_secret": gettext_lazy("Enter a signing secret."),
    "account_id": gettext_lazy("Enter the platform's id of the account."),
}
# Where a kind names a field differently, the message uses the kind's words.
KIND_REQUIRED_MESSAGES: dict[tuple[str, str], Any] = {
    (ConnectorKind.BLUESKY, "client_id"): gettext_lazy("Enter the account's handle, e.g. name.bsky.social."),
    (ConnectorKind.BLUESKY, "client_secret"): gettext_lazy(
        "Enter an app password (Settings → App passwords)."
    ),
    (ConnectorKind.TELEGRAM, "access_token"): gettext_lazy("Enter the bot token from @BotFather."),
    (ConnectorKind.TELEGRAM, "client_id"): gettext_lazy("Enter the channel: @name or its -100… id."),
    (ConnectorKind.WECHAT_MP, "client_id"): gettext_lazy("Enter the AppID (wx followed by 16 characters)."),
    (ConnectorKind.WECHAT_MP, "client_secret"): gettext_lazy("Enter the AppSecret."),
    (ConnectorKind.DOUYIN, "client_id"): gettext_lazy("Enter the app's client_key."),
    (ConnectorKind.DOUYIN, "account_id"): gettext_lazy(
        "Enter the user's open_id (Douyin gives it with the token)."
    ),
}


def _check_kind_fields(kind: str, new: creds.Credentials, url: str, account_id: str, errors: Errors) -> None:
    """Required fields of the kind (registry.KIND_FIELDS) present, and each in its platform's format."""
    values = {
        "base_url": url,
        "access_token": new.access_token,
        "refresh_token": new.refresh_token,
        "client_id": new.client_id,
        "client_secret": new.client_secret,
        "signing_secret": new.signing_secret,
        "encoding_aes_key": new.encoding_aes_key,
        "account_id": account_id,
    }
    for field, required in KIND_FIELDS.get(kind, {}).items():
        if required and not values[field]:
            message = KIND_REQUIRED_MESSAGES.get((kind, field)) or FIELD_REQUIRED_MESSAGES[field]
            _add(errors, field, str(message))
    formats: list[tuple[str, re.Pattern[str], Any]] = []
    if kind == ConnectorKind.TELEGRAM:
        formats = [
            (
                "access_token",
                TELEGRAM_TOKEN,
                _("A bot token looks like 123456789:AA… (digits, a colon, then the key)."),
            ),
            ("client_id", TELEGRAM_CHANNEL, _("A channel is @name (5–32 letters, digits, _) or a -100… id.")),
        ]
    elif kind == ConnectorKind.BLUESKY:
        formats = [
            ("client_id", BLUESKY_HANDLE, _("A handle looks like name.bsky.social (or a did:plc:… id)."))
        ]
    elif kind == ConnectorKind.WECHAT_MP:
        formats = [
            ("client_id", WECHAT_APPID, _("An AppID is wx followed by 16 lower-case hex characters.")),
            ("encoding_aes_key", WECHAT_AES_KEY, _("The EncodingAESKey is 43 letters and digits.")),
            ("signing_secret", WECHAT_PUSH_TOKEN, _("The push Token is 3–32 letters and digits.")),
        ]
    for field, pattern, message in formats:
        if values[field] and not pattern.match(values[field]) and field not in errors:
            _add(errors, field, message)
    if kind == ConnectorKind.WEBHOOK and new.signing_secret and len(new.signing_secret) < MIN_SIGNING_SECRET:
        _add(
            errors,
            "signing_secret",
            _("The signing secret must be at least %(n)d characters.") % {"n": MIN_SIGNING_SECRET},
        )
    if kind == ConnectorKind.WECHAT_MP and bool(new.signing_secret) != bool(new.encoding_aes_key):
        # The push endpoint checks signatures with the Token and decrypts with the key: both or neither.
        missing = "encoding_aes_key" if new.signing_secret else "signing_secret"
        if missing not in errors:
            _add(errors, missing, _("Message push needs both the Token and the EncodingAESKey."))


def connection_get_for_account(account: SocialAccount) -> PlatformConnection | None:
    """The account's connection, if it has one (no permission check: for services and the engine)."""
    return PlatformConnection.objects.filter(workspace_id=account.workspace_id, account=account).first()


@transaction.atomic
def connection_save(
    *,
    workspace: Workspace,
    actor: Any,
    account: SocialAccount,
    kind: str,
    base_url: str | None = "",
    access_token: str | None = None,
    refresh_token: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
    signing_secret: str | None = None,
    encoding_aes_key: str | None = None,
    account_id: str | None = None,
    token_expires_at: Any = None,
) -> PlatformConnection:
    """Connect an account, or change its connection. A blank secret keeps the stored one.

    Which fields a kind needs is in registry.KIND_FIELDS; ``account_id`` is the platform's id of
    the account where the platform gives it with the token (Douyin open_id, Weibo uid).
    """
    _check_perm(workspace, actor, Perm.ACCOUNT_EDIT)
    ensure_same_workspace(workspace, account, "account")
    errors: Errors = {}
    if account.is_competitor:
        raise ValidationError(
            {"account": [_("Competitor accounts are tracked, not published to; they cannot be connected.")]}
        )
    if kind not in ConnectorKind.values:
        _add(
            errors,
            "kind",
            _("Unknown connector: %(kind)s. Choose one of %(choices)s.")
            % {"kind": str(kind)[:40], "choices": ", ".join(ConnectorKind.values)},
        )
    elif not kind_allowed(kind, account.platform):
        _add(
            errors,
            "kind",
            _("The %(kind)s connector cannot publish to a %(platform)s account.")
            % {"kind": ConnectorKind(kind).label, "platform": account.get_platform_display()},
        )
    url = _clean_base_url(base_url, errors, keep_slash=kind == ConnectorKind.WEBHOOK)
    secrets = {
        name: _clean_secret(value, name, errors)
        for name, value in (
            ("access_token", access_token),
            ("refresh_token", refresh_token),
            ("client_secret", client_secret),
            ("signing_secret", signing_secret),
            ("encoding_aes_key", encoding_aes_key),
        )
    }
    if token_expires_at is not None:
        if not isinstance(token_expires_at, dt.datetime):
            _add(errors, "token_expires_at", _("Enter a date and time."))
            token_expires_at = None
        else:
            if timezone.is_naive(token_expires_at):
                # A time without a zone is taken as UTC, as the API documents for all times.
                token_expires_at = token_expires_at.replace(tzinfo=dt.UTC)
            try:
                token_expires_at = token_expires_at.astimezone(dt.UTC)
            except OverflowError:
                token_expires_at = None
            if token_expires_at is None or not 2000 <= token_expires_at.year <= 9000:
                _add(errors, "token_expires_at", _("Enter a date and time between the years 2000 and 9000."))
                token_expires_at = None
    if client_id is not None and (not isinstance(client_id, str) or len(client_id.strip()) > 300):
        _add(errors, "client_id", _("At most %(n)d characters.") % {"n": 300})
        client_id = None
    if account_id is not None:
        if not isinstance(account_id, str) or len(account_id.strip()) > 100:
            _add(errors, "account_id", _("At most %(n)d characters.") % {"n": 100})
            account_id = None
        elif any(ch.isspace() for ch in account_id.strip()):
            _add(errors, "account_id", _("An account id cannot contain spaces."))
            account_id = None
    if errors:
        raise ValidationError(errors)

    connection = connection_get_for_account(account)
    before = _snapshot(connection) if connection is not None else None
    # A different connector means different credentials: nothing carries over.
    stored = (
        connection.get_credentials()
        if connection is not None and connection.kind == kind and connection.credentials
        else creds.Credentials()
    )
    changes: dict[str, Any] = {name: value for name, value in secrets.items() if value is not None}
    if client_id is not None and client_id.strip():
        changes["client_id"] = client_id.strip()
    if token_expires_at is not None:
        changes["expires_at"] = token_expires_at
    elif "access_token" in changes:
        # A new token pasted by hand: its expiry is unknown until the platform says.
        changes["expires_at"] = None
    new = stored.replace(**changes)

    cls = connector_class(kind)
    stored_account_id = (
        connection.external_account_id if connection is not None and connection.kind == kind else ""
    )
    _check_kind_fields(kind, new, url, (account_id or "").strip() or stored_account_id, errors)
    if errors:
        raise ValidationError(errors)

    creating = connection is None
    if connection is None:
        connection = PlatformConnection(
            workspace=workspace,
            account=account,
            created_by=user_or_none(actor),
        )
    secrets_changed = [
        name for name in (*SECRET_FIELDS, "client_id") if getattr(new, name) != getattr(stored, name)
    ]
    kind_changed = connection.kind != kind
    connection.kind = kind
    connection.base_url = url if cls.needs_base_url else ""
    if secrets_changed or kind_changed or creating:
        connection.credentials = creds.encrypt(new)
        connection.credentials_version += 1
        connection.token_expires_at = new.expires_at
        # New credentials (or a new connector) deserve a fresh start; a pause stays a pause.
        if connection.status == ConnectionStatus.NEEDS_REAUTH:
            connection.status = ConnectionStatus.CONNECTED
        connection.last_error = ""
        connection.last_error_at = None
        connection.last_check_ok = None
        if kind_changed or "access_token" in secrets_changed:
            connection.external_account_id = ""
            connection.external_handle = ""
    if account_id is not None and account_id.strip():
        connection.external_account_id = account_id.strip()
    connection.full_clean(exclude=["workspace", "account", "credentials"], validate_unique=False)
    connection.save()
    after = _snapshot(connection)
    if secrets_changed:
        # Which secrets changed, never their values.
        after["secrets_changed"] = secrets_changed
    audit_record(
        workspace=workspace,
        actor=actor,
        action="platforms.connection.create" if creating else "platforms.connection.update",
        obj=connection,
        before=before or {},
        after=after,
    )
    return connection


@transaction.atomic
def connection_delete(*, workspace: Workspace, actor: Any, connection: PlatformConnection) -> None:
    """Disconnect an account: its stored credentials are deleted."""
    _check_perm(workspace, actor, Perm.ACCOUNT_EDIT)
    ensure_same_workspace(workspace, connection, "account")
    before = _snapshot(connection)
    audit_record(
        workspace=workspace, actor=actor, action="platforms.connection.delete", obj=connection, before=before
    )
    connection.delete()


@transaction.atomic
def connection_set_paused(
    *, workspace: Workspace, actor: Any, connection: PlatformConnection, paused: bool
) -> PlatformConnection:
    """Pause publishing through a connection, or resume it."""
    _check_perm(workspace, actor, Perm.ACCOUNT_EDIT)
    ensure_same_workspace(workspace, connection, "account")
    connection = PlatformConnection.objects.select_for_update().get(pk=connection.pk)
    before = _snapshot(connection)
    if paused:
        connection.status = ConnectionStatus.PAUSED
    elif connection.status == ConnectionStatus.PAUSED:
        connection.status = ConnectionStatus.CONNECTED
    connection.save(update_fields=["status", "updated_at"])
    audit_record(
        workspace=workspace,
        actor=actor,
        action="platforms.connection.pause" if paused else "platforms.connection.resume",
        obj=connection,
        before=before,
        after=_snapshot(connection),
    )
    return connection


@dataclasses.dataclass(frozen=True)
class CheckResult:
    """The outcome of "test connection"."""

    ok: bool
    message: str
    handle: str = ""
    checked_at: Any = None


@transaction.atomic
def _record_check(
    connection: PlatformConnection,
    *,
    actor: Any,
    ok: bool,
    message: str,
    external_id: str = "",
    handle: str = "",
    needs_reauth: bool = False,
) -> PlatformConnection:
    row = PlatformConnection.objects.select_for_update().get(pk=connection.pk)
    before = _snapshot(row)
    now = timezone.now()
    row.last_checked_at = now
    row.last_check_ok = ok
    if ok:
        row.last_error = ""
        row.last_error_at = None
        if external_id:
            row.external_account_id = external_id[:100]
        if handle:
            row.external_handle = handle[:200]
        if row.status == ConnectionStatus.NEEDS_REAUTH:
            row.status = ConnectionStatus.CONNECTED
    else:
        row.last_error = message[:2000]
        row.last_error_at = now
        if needs_reauth:
            row.status = ConnectionStatus.NEEDS_REAUTH
    row.save()
    audit_record(
        workspace=row.workspace,
        actor=actor,
        action="platforms.connection.test",
        obj=row,
        before=before,
        after=_snapshot(row),
    )
    return row


def connection_test(*, workspace: Workspace, actor: Any, connection: PlatformConnection) -> CheckResult:
    """Call the platform's cheapest read with the stored credentials and record the outcome.

    An expired token is refreshed first when the connector can; a revoked one marks the
    connection as needing re-authorisation.
    """
    _check_perm(workspace, actor, Perm.ACCOUNT_EDIT)
    ensure_same_workspace(workspace, connection, "account")
    try:
        info = _verify(connection)
    except creds.CredentialsUnreadable:
        message = _("The stored credentials cannot be decrypted with the configured keys; enter them again.")
        row = _record_check(connection, actor=actor, ok=False, message=message, needs_reauth=True)
        return CheckResult(ok=False, message=message, checked_at=row.last_checked_at)
    except AuthRevoked as exc:
        message = _("The platform refused the credentials: %(message)s") % {"message": exc}
        row = _record_check(connection, actor=actor, ok=False, message=message, needs_reauth=True)
        return CheckResult(ok=False, message=message, checked_at=row.last_checked_at)
    except ConnectorError as exc:
        message = _("The check failed: %(message)s") % {"message": exc}
        row = _record_check(connection, actor=actor, ok=False, message=message)
        return CheckResult(ok=False, message=message, checked_at=row.last_checked_at)
    row = _record_check(
        connection, actor=actor, ok=True, message="", external_id=info.external_id, handle=info.handle
    )
    return CheckResult(
        ok=True,
        message=_("Connected as %(handle)s.") % {"handle": info.handle or info.external_id},
        handle=info.handle,
        checked_at=row.last_checked_at,
    )


def _verify(connection: PlatformConnection) -> Any:
    with connector_for(connection) as connector:
        try:
            return connector.verify()
        except AuthExpired:
            if not connector.supports(Capability.REFRESH):
                raise
    connection_refresh(connection=connection)
    connection.refresh_from_db()
    with connector_for(connection) as connector:
        return connector.verify()


# ---- for the publishing engine (system writes, actor None) ----------------------------------


@transaction.atomic
def connection_store_credentials(
    *, connection: PlatformConnection, credentials: creds.Credentials, expected_version: int | None = None
) -> bool:
    """Store refreshed credentials; False (nothing stored) when another worker changed them first."""
    row = PlatformConnection.objects.select_for_update().get(pk=connection.pk)
    if expected_version is not None and row.credentials_version != expected_version:
        return False
    before = _snapshot(row)
    row.credentials = creds.encrypt(credentials)
    row.credentials_version += 1
    row.token_expires_at = credentials.expires_at
    if row.status == ConnectionStatus.NEEDS_REAUTH:
        row.status = ConnectionStatus.CONNECTED
    row.save()
    after = _snapshot(row)
    after["secrets_changed"] = ["access_token"]
    audit_record(
        workspace=row.workspace,
        actor=None,
        action="platforms.connection.refresh",
        obj=row,
        before=before,
        after=after,
    )
    connection.credentials = row.credentials
    connection.credentials_version = row.credentials_version
    connection.token_expires_at = row.token_expires_at
    connection.status = row.status
    return True


def connection_refresh(*, connection: PlatformConnection) -> creds.Credentials:
    """Refresh an expired token through the connector and store the result; return the credentials to use.

    Two workers may refresh the same connection at once. The one that loses (its refresh token
    was rotated away, or its write finds a newer version) uses the winner's credentials instead
    of declaring the connection revoked.
    """
    connection.refresh_from_db()
    version = connection.credentials_version
    with connector_for(connection) as connector:
        try:
            new = connector.refresh()
        except AuthRevoked as exc:
            connection.refresh_from_db()
            if connection.credentials_version != version:
                return connection.get_credentials()
            connection_mark_needs_reauth(connection=connection, message=str(exc))
            raise
    if not connection_store_credentials(connection=connection, credentials=new, expected_version=version):
        connection.refresh_from_db()
        return connection.get_credentials()
    return new


@transaction.atomic
def connection_mark_needs_reauth(*, connection: PlatformConnection, message: str) -> PlatformConnection:
    """The platform revoked our authorisation: stop publishing until someone connects again."""
    row = PlatformConnection.objects.select_for_update().get(pk=connection.pk)
    before = _snapshot(row)
    row.status = ConnectionStatus.NEEDS_REAUTH
    row.last_error = message[:2000]
    row.last_error_at = timezone.now()
    row.save()
    audit_record(
        workspace=row.workspace,
        actor=None,
        action="platforms.connection.needs_reauth",
        obj=row,
        before=before,
        after=_snapshot(row),
    )
    connection.status = row.status
    connection.last_error = row.last_error
    connection.last_error_at = row.last_error_at
    return row


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
    from .connectors.mastodon import password_grant, register_app

    _check_perm(workspace, actor, Perm.ACCOUNT_EDIT)
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


# ---- manual packages -----------------------------------------------------------------------


def _media_entries(post: PostRequest) -> list[dict[str, Any]]:
    return [
        {
            "filename": m.filename[:255],
            "content_type": m.content_type[:100],
            "url": m.url[:1000],
            "description": m.description[:1500],
            "asset_id": m.asset_id,
        }
        for m in post.media
    ]


@transaction.atomic
def manual_task_create(
    *, connection: PlatformConnection, post: PostRequest, idempotency_key: str
) -> tuple[ManualTask, bool]:
    """Hand a post to a person as a ready package; the same key returns the same package."""
    if not idempotency_key or len(idempotency_key) > 255:
        raise ValueError("a manual package needs an idempotency key of at most 255 characters")
    workspace = connection.workspace
    existing = (
        ManualTask.objects.select_for_update()
        .filter(workspace=workspace, account_id=connection.account_id, idempotency_key=idempotency_key)
        .first()
    )
    if existing is not None:
        if existing.status == ManualTaskStatus.WITHDRAWN:
            before = snapshot(existing, exclude={"updated_at"})
            existing.status = ManualTaskStatus.PENDING
            existing.save(update_fields=["status", "updated_at"])
            audit_record(
                workspace=workspace,
                actor=None,
                action="platforms.manual_task.reopen",
                obj=existing,
                before=before,
                after=snapshot(existing, exclude={"updated_at"}),
            )
        return existing, False
    User = get_user_model()
    assignee = None
    if (
        post.assignee_id is not None
        and Membership.objects.filter(workspace=workspace, user_id=post.assignee_id).exists()
    ):
        assignee = User.objects.filter(pk=post.assignee_id).first()
    content_item_id = None
    if post.content_item_id is not None:
        from socialops.content.models import ContentItem

        if ContentItem.objects.filter(workspace=workspace, pk=post.content_item_id).exists():
            content_item_id = post.content_item_id
    link = post.link_url if len(post.link_url) <= 500 else ""
    task = ManualTask.objects.create(
        workspace=workspace,
        account_id=connection.account_id,
        idempotency_key=idempotency_key,
        title=post.title[:200],
        text=post.text,
        link_url=link,
        hashtags=[str(t)[:100] for t in post.hashtags][:50],
        media=_media_entries(post),
        reference=post.reference[:200],
        content_item_id=content_item_id,
        due_at=post.due_at,
        assignee=assignee,
    )
    audit_record(
        workspace=workspace,
        actor=None,
        action="platforms.manual_task.create",
        obj=task,
        after=snapshot(task, exclude={"updated_at"}),
    )
    return task, True


@transaction.atomic
def manual_task_mark_posted(
    *, workspace: Workspace, actor: Any, task: ManualTask, url: str, external_id: str = ""
) -> ManualTask:
    """Record that a person posted the package, with the post's URL (and the platform's id if known)."""
    _check_perm(workspace, actor, Perm.CONTENT_EDIT)
    ensure_same_workspace(workspace, task, "account")
    errors: Errors = {}
    url = (url or "").strip() if isinstance(url, str) else ""
    if not url:
        _add(errors, "url", _("Enter the URL of the post."))
    elif len(url) > 500:
        _add(errors, "url", _("At most %(n)d characters.") % {"n": 500})
    else:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            _add(errors, "url", _("Enter a full http:// or https:// URL."))
    external_id = (external_id or "").strip() if isinstance(external_id, str) else ""
    if len(external_id) > 128 or "\x00" in external_id:
        _add(errors, "external_id", _("At most %(n)d characters.") % {"n": 128})
    row = ManualTask.objects.select_for_update().get(pk=task.pk)
    if row.status == ManualTaskStatus.WITHDRAWN:
        _add(errors, "__all__", _("This package was withdrawn; it is no longer to be posted."))
    if errors:
        raise ValidationError(errors)
    before = snapshot(row, exclude={"updated_at"})
    first_time = row.status != ManualTaskStatus.POSTED
    row.status = ManualTaskStatus.POSTED
    row.posted_url = url
    row.external_id = external_id or _id_from_url(url)
    if first_time:
        row.posted_at = timezone.now()
        row.posted_by = user_or_none(actor)
    row.save()
    audit_record(
        workspace=workspace,
        actor=actor,
        action="platforms.manual_task.posted",
        obj=row,
        before=before,
        after=snapshot(row, exclude={"updated_at"}),
    )
    payload = {
        "workspace_id": row.workspace_id,
        "account_id": row.account_id,
        "task_id": row.pk,
        "idempotency_key": row.idempotency_key,
        "url": row.posted_url,
    }
    transaction.on_commit(lambda: manual_posted.send(sender=ManualTask, **payload))
    task.status, task.posted_url, task.external_id = row.status, row.posted_url, row.external_id
    task.posted_at, task.posted_by_id = row.posted_at, row.posted_by_id
    return row


def _id_from_url(url: str) -> str:
    """The last path segment of a post URL, which is the post's id on most platforms."""
    path = urllib.parse.urlsplit(url).path.rstrip("/")
    return path.rsplit("/", 1)[-1][:128] if path else url[:128]


@transaction.atomic
def manual_task_withdraw_by_key(*, connection: PlatformConnection, idempotency_key: str) -> bool:
    """Take a pending package back (the publish was cancelled); False if it was already posted."""
    row = (
        ManualTask.objects.select_for_update()
        .filter(
            workspace_id=connection.workspace_id,
            account_id=connection.account_id,
            idempotency_key=idempotency_key,
        )
        .first()
    )
    if row is None:
        return True
    if row.status == ManualTaskStatus.POSTED:
        return False
    if row.status == ManualTaskStatus.PENDING:
        before = snapshot(row, exclude={"updated_at"})
        row.status = ManualTaskStatus.WITHDRAWN
        row.save(update_fields=["status", "updated_at"])
        audit_record(
            workspace=row.workspace,
            actor=None,
            action="platforms.manual_task.withdraw",
            obj=row,
            before=before,
            after=snapshot(row, exclude={"updated_at"}),
        )
    return True


# ---- key rotation --------------------------------------------------------------------------


@transaction.atomic
def credentials_reencrypt_all(*, only_stale: bool = False) -> int:
    """Re-encrypt stored credentials with the current (first) key; all rows or none.

    ``only_stale`` skips rows the current key already reads.
    """
    count = 0
    for row in PlatformConnection.objects.select_for_update().exclude(credentials="").order_by("pk"):
        if only_stale and creds.on_current_key(row.credentials):
            continue
        row.credentials = creds.reencrypt(row.credentials)
        row.save(update_fields=["credentials", "updated_at"])
        audit_record(
            workspace=row.workspace,
            actor=None,
            action="platforms.connection.rekey",
            obj=row,
            after={"secrets_changed": ["encryption key"]},
        )
        count += 1
    return count
