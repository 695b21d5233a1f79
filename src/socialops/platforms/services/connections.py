"""Writes on platform connections (permission-checked, validated, audited), the engine's credential writes, key rotation.

Services that talk to a platform (test, refresh, sandbox connect) make the network call outside
any database transaction and then write the outcome in a short transaction of their own: a
transaction held open across a 20-second HTTP call would block every other writer on SQLite.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from typing import Any

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
from socialops.workspaces.access import ensure_same_workspace, require_perm
from socialops.workspaces.audit import audit_delete, audit_record, audit_saved, snapshot
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from .. import credentials as creds
from ..connectors.base import AuthExpired, AuthRevoked, Capability, ConnectorError, RenewalLimitReached
from ..hooks import credentials_reencrypting
from ..models import ConnectionStatus, ConnectorKind, PlatformConnection
from ..registry import KIND_FIELDS, connector_class, connector_for, kind_allowed

MAX_SECRET_LENGTH = 4000
MIN_SIGNING_SECRET = 16


log = logging.getLogger(__name__)


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


def _clean_kind(kind: str, account: SocialAccount, errors: Errors) -> None:
    """Refuse an unknown connector, or one that cannot serve the account's platform."""
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


def _clean_expiry(token_expires_at: Any, errors: Errors) -> dt.datetime | None:
    """The token's expiry as an aware UTC time, None where absent or refused."""
    if token_expires_at is None:
        return None
    if not isinstance(token_expires_at, dt.datetime):
        _add(errors, "token_expires_at", _("Enter a date and time."))
        return None
    if timezone.is_naive(token_expires_at):
        # A time without a zone is taken as UTC, as the API documents for all times.
        token_expires_at = token_expires_at.replace(tzinfo=dt.UTC)
    try:
        token_expires_at = token_expires_at.astimezone(dt.UTC)
    except OverflowError:
        token_expires_at = None
    if token_expires_at is None or not 2000 <= token_expires_at.year <= 9000:
        _add(errors, "token_expires_at", _("Enter a date and time between the years 2000 and 9000."))
        return None
    return token_expires_at


def _clean_ids(client_id: Any, account_id: Any, errors: Errors) -> tuple[str | None, str | None]:
    """The AppID / client id and the platform's account id, None where absent or refused."""
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
    return client_id, account_id


def _merged_credentials(
    connection: PlatformConnection | None,
    kind: str,
    secrets: dict[str, str | None],
    client_id: str | None,
    token_expires_at: dt.datetime | None,
) -> tuple[creds.Credentials, creds.Credentials]:
    """The stored credentials and the new ones: a blank secret keeps the stored one."""
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
    return stored, new


def connection_get_for_account(account: SocialAccount) -> PlatformConnection | None:
    """The account's connection, if it has one (no permission check: for services and the engine)."""
    return PlatformConnection.objects.filter(workspace_id=account.workspace_id, account=account).first()


# About 100 lines: 14 keyword parameters (one per form field) and one validate → merge → write
# sequence that reads best in order; the field checks are the helpers above.
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
    require_perm(workspace=workspace, actor=actor, perm=Perm.ACCOUNT_EDIT)
    ensure_same_workspace(workspace, account, "account")
    errors: Errors = {}
    if account.is_competitor:
        raise ValidationError(
            {"account": [_("Competitor accounts are tracked, not published to; they cannot be connected.")]}
        )
    _clean_kind(kind, account, errors)
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
    token_expires_at = _clean_expiry(token_expires_at, errors)
    client_id, account_id = _clean_ids(client_id, account_id, errors)
    if errors:
        raise ValidationError(errors)

    connection = connection_get_for_account(account)
    before = _snapshot(connection) if connection is not None else None
    stored, new = _merged_credentials(connection, kind, secrets, client_id, token_expires_at)

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
    require_perm(workspace=workspace, actor=actor, perm=Perm.ACCOUNT_EDIT)
    ensure_same_workspace(workspace, connection, "account")
    before = _snapshot(connection)
    audit_delete(
        connection, workspace=workspace, actor=actor, action="platforms.connection.delete", before=before
    )


@transaction.atomic
def connection_set_paused(
    *, workspace: Workspace, actor: Any, connection: PlatformConnection, paused: bool
) -> PlatformConnection:
    """Pause publishing through a connection, or resume it."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.ACCOUNT_EDIT)
    ensure_same_workspace(workspace, connection, "account")
    connection = PlatformConnection.objects.select_for_update().get(pk=connection.pk)
    before = _snapshot(connection)
    if paused:
        connection.status = ConnectionStatus.PAUSED
    elif connection.status == ConnectionStatus.PAUSED:
        connection.status = ConnectionStatus.CONNECTED
    connection.save(update_fields=["status", "updated_at"])
    audit_saved(
        connection,
        workspace=workspace,
        actor=actor,
        action="platforms.connection.pause" if paused else "platforms.connection.resume",
        before=before,
        snap=_snapshot,
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
    audit_saved(
        row,
        workspace=row.workspace,
        actor=actor,
        action="platforms.connection.test",
        before=before,
        snap=_snapshot,
    )
    return row


def connection_test(*, workspace: Workspace, actor: Any, connection: PlatformConnection) -> CheckResult:
    """Call the platform's cheapest read with the stored credentials and record the outcome.

    An expired token is refreshed first when the connector can; a revoked one marks the
    connection as needing re-authorisation.
    """
    require_perm(workspace=workspace, actor=actor, perm=Perm.ACCOUNT_EDIT)
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


def connection_renew_refresh_token(*, connection: PlatformConnection) -> creds.Credentials:
    """Renew the refresh token through the connector and store it; return the credentials now stored.

    The platform has already invalidated the old refresh token when it answers, so the new one is
    stored whatever else changed meanwhile: it is merged into the credentials as they are now
    (a concurrent access-token refresh keeps its access token).
    """
    connection.refresh_from_db()
    # AuthRevoked (the refresh token has ended) goes to the caller, which stops the account.
    with connector_for(connection) as connector:
        limit = type(connector).refresh_renewal_limit
        try:
            renewed = connector.renew_refresh_token()
        except RenewalLimitReached:
            # Remember that no renewal is left (the caller warns the admins), then tell the caller.
            with transaction.atomic():
                row = PlatformConnection.objects.select_for_update().get(pk=connection.pk)
                current = row.get_credentials()
                used = max(current.refresh_renewals, limit or 0)
                connection_store_credentials(
                    connection=connection, credentials=current.replace(refresh_renewals=used)
                )
            raise
    with transaction.atomic():
        row = PlatformConnection.objects.select_for_update().get(pk=connection.pk)
        merged = row.get_credentials().replace(
            refresh_token=renewed.refresh_token,
            refresh_expires_at=renewed.refresh_expires_at,
            refresh_renewals=renewed.refresh_renewals,
        )
        connection_store_credentials(connection=connection, credentials=merged)
    return merged


@transaction.atomic
def connection_mark_needs_reauth(*, connection: PlatformConnection, message: str) -> PlatformConnection:
    """The platform revoked our authorisation: stop publishing until someone connects again."""
    row = PlatformConnection.objects.select_for_update().get(pk=connection.pk)
    before = _snapshot(row)
    row.status = ConnectionStatus.NEEDS_REAUTH
    row.last_error = message[:2000]
    row.last_error_at = timezone.now()
    row.save()
    audit_saved(
        row,
        workspace=row.workspace,
        actor=None,
        action="platforms.connection.needs_reauth",
        before=before,
        snap=_snapshot,
    )
    connection.status = row.status
    connection.last_error = row.last_error
    connection.last_error_at = row.last_error_at
    return row


# ---- key rotation --------------------------------------------------------------------------


# Durable: "all rows or none" holds only if this is the whole transaction (run by the command).
@transaction.atomic(durable=True)
def credentials_reencrypt_all(*, only_stale: bool = False) -> int:
    """Re-encrypt stored credentials (and what hooks add) with the current (first) key; all rows or none.

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
    # Higher apps keep their own tokens on the same keyring (fans: people's contact details).
    others = sum(credentials_reencrypting.send(only_stale=only_stale))
    if others:
        log.info("re-encrypted %d other stored secret(s) with the current key", others)
    return count
