"""Writes on workspaces, memberships, users and API tokens (each one audited)."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .access import ensure_perm, require_perm
from .audit import audit_delete, audit_record, audit_saved, snapshot
from .models import ApiToken, Membership, Workspace
from .roles import Perm, Role

User = get_user_model()

TOKEN_PREFIX = "so_"


def _full_clean(obj: Any, exclude: list[str] | None = None) -> None:
    obj.full_clean(exclude=exclude)


@transaction.atomic
def user_create(
    *, actor: Any, username: str, password: str, email: str = "", is_superuser: bool = False
) -> Any:
    """Create a login; the password must pass the configured validators."""
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": [_("This field is required.")]})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": [_("A user with that username already exists.")]})
    user = User(username=username, email=email, is_superuser=is_superuser, is_staff=is_superuser)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    _full_clean(user, exclude=["password"])
    user.save()
    audit_record(workspace=None, actor=actor, action="user.create", obj=user, after={"username": username})
    return user


@transaction.atomic
def workspace_create(
    *, actor: Any, name: str, slug: str, timezone: str = "Asia/Shanghai", locale: str = "zh-hans"
) -> Workspace:
    """Create a workspace; its creator becomes its first admin."""
    workspace = Workspace(name=name, slug=slug, timezone=timezone, locale=locale)
    _full_clean(workspace)
    workspace.save()
    audit_saved(workspace, workspace=workspace, actor=actor, action="workspace.create")
    if getattr(actor, "is_authenticated", False):
        Membership.objects.create(workspace=workspace, user=actor, role=Role.ADMIN)
    return workspace


@transaction.atomic
def workspace_update(*, workspace: Workspace, actor: Any, **fields: Any) -> Workspace:
    """Change a workspace's name, time zone or language (admins only)."""
    ensure_perm(workspace=workspace, user=actor, perm=Perm.WORKSPACE_MANAGE)
    allowed = {"name", "timezone", "locale"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed.")] for f in unknown})
    before = snapshot(workspace)
    for key, value in fields.items():
        setattr(workspace, key, value)
    _full_clean(workspace)
    workspace.save()
    audit_saved(workspace, workspace=workspace, actor=actor, action="workspace.update", before=before)
    return workspace


@transaction.atomic
def workspace_delete(*, workspace: Workspace, actor: Any, delete_lone_users: bool = False) -> None:
    """Delete a workspace with everything in it (admins only); optionally its members who belong nowhere else."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.WORKSPACE_MANAGE)
    users = User.objects.none()
    if delete_lone_users:
        user_ids = set(Membership.objects.filter(workspace=workspace).values_list("user_id", flat=True))
        # A person who also works in another workspace keeps their login; only this one's own go.
        elsewhere = set(
            Membership.objects.filter(user_id__in=user_ids)
            .exclude(workspace=workspace)
            .values_list("user_id", flat=True)
        )
        users = User.objects.filter(pk__in=user_ids - elsewhere)
    # Recorded outside the workspace: its own audit trail goes with it.
    audit_delete(
        workspace,
        workspace=None,
        actor=actor,
        action="workspace.delete",
        before={**snapshot(workspace), "users": sorted(users.values_list("username", flat=True))},
    )
    users.delete()


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": [_("Unknown role: %(role)s") % {"role": role}]})


@transaction.atomic
def membership_add(
    *, workspace: Workspace, actor: Any, user: Any, role: str, is_subject_expert: bool = False
) -> Membership:
    """Add a user to the workspace with a role (admins only, or the system when actor is None)."""
    if actor is not None:
        ensure_perm(workspace=workspace, user=actor, perm=Perm.WORKSPACE_MANAGE)
    _check_role(role)
    if Membership.objects.filter(workspace=workspace, user=user).exists():
        raise ValidationError({"user": [_("This user is already a member.")]})
    membership = Membership.objects.create(
        workspace=workspace, user=user, role=role, is_subject_expert=is_subject_expert
    )
    audit_saved(membership, workspace=workspace, actor=actor, action="membership.add")
    return membership


def _admins_left(workspace: Workspace, excluding: Membership) -> int:
    return Membership.objects.filter(workspace=workspace, role=Role.ADMIN).exclude(pk=excluding.pk).count()


@transaction.atomic
def membership_update(
    *,
    workspace: Workspace,
    actor: Any,
    membership: Membership,
    role: str,
    is_subject_expert: bool | None = None,
) -> Membership:
    """Change a member's role; the last admin cannot be demoted."""
    ensure_perm(workspace=workspace, user=actor, perm=Perm.WORKSPACE_MANAGE)
    if membership.workspace_id != workspace.pk:
        raise ValidationError({"membership": [_("Not found.")]})
    _check_role(role)
    if membership.role == Role.ADMIN and role != Role.ADMIN and _admins_left(workspace, membership) == 0:
        raise ValidationError({"role": [_("A workspace needs at least one admin.")]})
    before = snapshot(membership)
    membership.role = role
    if is_subject_expert is not None:
        membership.is_subject_expert = is_subject_expert
    membership.save()
    audit_saved(membership, workspace=workspace, actor=actor, action="membership.update", before=before)
    return membership


@transaction.atomic
def membership_remove(*, workspace: Workspace, actor: Any, membership: Membership) -> None:
    """Remove a member; the last admin cannot be removed."""
    ensure_perm(workspace=workspace, user=actor, perm=Perm.WORKSPACE_MANAGE)
    if membership.workspace_id != workspace.pk:
        raise ValidationError({"membership": [_("Not found.")]})
    if membership.role == Role.ADMIN and _admins_left(workspace, membership) == 0:
        raise ValidationError({"role": [_("A workspace needs at least one admin.")]})
    before = snapshot(membership)
    audit_delete(membership, workspace=workspace, actor=actor, action="membership.remove", before=before)


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: Any, actor: Any = None, name: str = "") -> tuple[ApiToken, str]:
    """Create a bearer token for the user; the raw token is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=raw[:10], key_hash=_hash_token(raw))
    audit_record(
        workspace=None,
        actor=actor or user,
        action="api_token.create",
        obj=token,
        after={"prefix": token.prefix, "name": name},
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: Any) -> None:
    """Revoke a token; later requests with it are refused."""
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        workspace=None, actor=actor, action="api_token.revoke", obj=token, after={"prefix": token.prefix}
    )


def api_token_authenticate(raw: str) -> Any | None:
    """The active user owning this raw token, or None."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Touch at most once a minute so busy clients do not turn every read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
