"""WeCom customer groups: find them, read their members, and create group-send tasks (community.wecom).

WeCom's APIs give no group messages and no way to delete, mute or remove; moderation steps there
are tasks for a person (services.moderation_actions).
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.accounts.models import Platform, SocialAccount
from socialops.core.actors import SYSTEM
from socialops.platforms.connectors.base import ConnectorError, OutcomeUnknown
from socialops.workspaces.access import ensure_same_workspace, require_perm
from socialops.workspaces.audit import audit_record
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from ..models.groups import Group, GroupKind, GroupMember, MemberRole
from ..wecom import WecomClient, join_time
from .groups import member_for

log = logging.getLogger(__name__)

# Tests replace the network with a fake WeCom (httpx.MockTransport).
TRANSPORT: httpx.BaseTransport | None = None


def wecom_client(account: SocialAccount) -> WecomClient:
    """A client with the corp id (client_id) and secret (client_secret) of the account's connection."""
    connection = getattr(account, "connection", None)
    if connection is None:
        raise ValidationError({"account": [_("Connect the WeCom account (corp id and secret) first.")]})
    credentials = connection.get_credentials()
    return WecomClient(
        corp_id=credentials.client_id,
        secret=credentials.client_secret,
        base_url=connection.base_url,
        transport=TRANSPORT,
    )


def wecom_groups_discover(*, workspace: Workspace, actor: Any, account: SocialAccount) -> list[Group]:
    """Add every customer group WeCom lists for the account that is not here yet; the new groups."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.COMMUNITY_EDIT)
    ensure_same_workspace(workspace, account, "account")
    if account.platform != Platform.WECOM:
        raise ValidationError({"account": [_("Choose an account on the group's platform.")]})
    known = set(
        Group.objects.filter(workspace=workspace, kind=GroupKind.WECOM).values_list("external_id", flat=True)
    )
    created: list[Group] = []
    with wecom_client(account) as client:
        for chat_id in client.group_chat_ids():
            if chat_id in known:
                continue
            chat = client.group_chat(chat_id)
            with transaction.atomic():
                group = Group.objects.create(
                    workspace=workspace,
                    kind=GroupKind.WECOM,
                    name=str(chat.get("name") or chat_id)[:150],
                    description=str(chat.get("notice") or ""),
                    account=account,
                    external_id=chat_id,
                )
                audit_record(
                    workspace=workspace,
                    actor=actor,
                    action="group.create",
                    obj=group,
                    after={"source": "wecom"},
                )
            _apply_chat(workspace, group, chat)
            created.append(group)
    return created


def _apply_chat(workspace: Workspace, group: Group, chat: dict[str, Any]) -> int:
    """Members as groupchat/get lists them: new ones join, missing ones have left; the changes."""
    owner = str(chat.get("owner") or "")
    admins = {str(a.get("userid")) for a in chat.get("admin_list") or [] if isinstance(a, dict)}
    now = timezone.now()
    seen: set[str] = set()
    changes = 0
    with transaction.atomic():
        for entry in chat.get("member_list") or []:
            if not isinstance(entry, dict) or not entry.get("userid"):
                continue
            user_id = str(entry["userid"])
            seen.add(user_id)
            role = (
                MemberRole.OWNER
                if user_id == owner
                else MemberRole.ADMIN
                if user_id in admins
                else MemberRole.MEMBER
            )
            existing = GroupMember.objects.filter(group=group, external_id=user_id).first()
            if existing is None:
                assert group.account is not None
                member_for(
                    workspace=workspace,
                    group=group,
                    external_id=user_id,
                    name=str(entry.get("group_nickname") or entry.get("name") or ""),
                    at=join_time(entry) or now,
                    role=role,
                )
                changes += 1
            elif existing.left_at is not None or existing.role != role:
                existing.left_at = None
                existing.role = role
                existing.save(update_fields=["left_at", "role", "updated_at"])
                changes += 1
        gone = GroupMember.objects.filter(group=group, left_at__isnull=True).exclude(external_id__in=seen)
        changes += gone.update(left_at=now, updated_at=now)
        Group.objects.filter(pk=group.pk).update(synced_at=now, sync_error="")
        if changes:
            audit_record(
                workspace=workspace, actor=SYSTEM, action="group.sync", obj=group, after={"changes": changes}
            )
    return changes


def wecom_group_sync(*, workspace: Workspace, group: Group) -> int:
    """Read a WeCom customer group's members now (the system's job); the number of changes."""
    ensure_same_workspace(workspace, group, "group")
    if group.account is None:
        return 0
    try:
        with wecom_client(group.account) as client:
            chat = client.group_chat(group.external_id)
        return _apply_chat(workspace, group, chat)
    except (ConnectorError, ValidationError) as exc:
        message = str(getattr(exc, "message", "") or exc)[:1000]
        Group.objects.filter(pk=group.pk).update(sync_error=message)
        group.sync_error = message
        log.warning("group %s: WeCom sync failed: %s", group.pk, message)
        return 0


def wecom_group_send(*, workspace: Workspace, actor: Any, group: Group, text: str) -> str:
    """A group-send task for the group's owner to confirm in WeCom (add_msg_template); its msgid.

    Not idempotent on WeCom's side: a lost answer is reported as unknown (ValidationError), never re-sent.
    """
    require_perm(workspace=workspace, actor=actor, perm=Perm.COMMUNITY_EDIT)
    ensure_same_workspace(workspace, group, "group")
    text = (text or "").strip()
    if group.kind != GroupKind.WECOM or group.account is None:
        raise ValidationError({"group": [_("Group-send tasks are for WeCom customer groups.")]})
    if not text:
        raise ValidationError({"text": [_("This field is required.")]})
    owner = GroupMember.objects.filter(group=group, role=MemberRole.OWNER, left_at__isnull=True).first()
    if owner is None:
        raise ValidationError({"group": [_("The group's owner is not known yet; sync the group first.")]})
    try:
        with wecom_client(group.account) as client:
            msgid = client.send_to_groups(sender=owner.external_id, text=text, chat_ids=[group.external_id])
    except OutcomeUnknown as exc:
        audit_record(
            workspace=workspace,
            actor=actor,
            action="group.send_unknown",
            obj=group,
            after={"text": text[:200]},
        )
        raise ValidationError(
            {"text": [_("WeCom did not confirm the task; check WeCom before sending again.")]}
        ) from exc
    except ConnectorError as exc:
        raise ValidationError({"text": [str(exc.message or exc)]}) from exc
    audit_record(
        workspace=workspace,
        actor=actor,
        action="group.send",
        obj=group,
        after={"msgid": msgid, "text": text[:200]},
    )
    return msgid


def wecom_group_welcome(*, workspace: Workspace, actor: Any, group: Group) -> str:
    """Register the group's welcome message as a WeCom group welcome template; its template id."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.COMMUNITY_EDIT)
    ensure_same_workspace(workspace, group, "group")
    text = group.welcome_message.strip()
    if group.kind != GroupKind.WECOM or group.account is None:
        raise ValidationError({"group": [_("Group-send tasks are for WeCom customer groups.")]})
    if not text:
        raise ValidationError({"welcome_message": [_("Write the group's welcome message first.")]})
    try:
        with wecom_client(group.account) as client:
            template_id = client.add_group_welcome(text)
    except OutcomeUnknown as exc:
        raise ValidationError(
            {"welcome_message": [_("WeCom did not confirm the template; check WeCom before trying again.")]}
        ) from exc
    except ConnectorError as exc:
        raise ValidationError({"welcome_message": [str(exc.message or exc)]}) from exc
    audit_record(
        workspace=workspace,
        actor=actor,
        action="group.welcome",
        obj=group,
        after={"template_id": template_id},
    )
    return template_id
