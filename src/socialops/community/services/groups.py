"""Groups: create and edit them, read their members and messages from the platform, import manual lists.

A group's messages become ``fans.Interaction`` rows (kind ``group_message``, ``meta["group"]``) and
its members ``GroupMember`` rows linked to the fan and person; each new message is judged and, if
spam, the moderation ladder is applied (services.moderation_actions).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.accounts.models import Platform, SocialAccount
from socialops.core.actors import SYSTEM
from socialops.core.imports import ImportRejected, RowError, cell_text, normalize_header, read_rows
from socialops.fans.models import Fan, InteractionKind, InteractionSource
from socialops.fans.services.people import fan_record, interaction_record, person_for_phone
from socialops.platforms.connectors.base import ConnectorError
from socialops.platforms.connectors.telegram import GroupEvent, TelegramConnector
from socialops.platforms.registry import connector_for
from socialops.workspaces.access import ensure_same_workspace, require_perm
from socialops.workspaces.audit import audit_record, audit_saved, edit_snapshot
from socialops.workspaces.models import Membership, Workspace
from socialops.workspaces.roles import Perm

from ..models.groups import Group, GroupKind, GroupMember, MemberRole

log = logging.getLogger(__name__)

# One sync reads at most this many pages of updates (each up to 500 updates).
MAX_SYNC_PAGES = 20
# Telegram options for the connector (tests pass a shorter timeout).
CONNECTOR_OPTIONS: dict[str, Any] = {}


def _admins_of(workspace: Workspace, admins: Iterable[Any]) -> list[Any]:
    """The chosen users, all members of the workspace (else a field error)."""
    users = list(admins)
    member_ids = set(
        Membership.objects.filter(workspace=workspace, user__in=users).values_list("user_id", flat=True)
    )
    if any(u.pk not in member_ids for u in users):
        raise ValidationError({"admins": [_("Choose members of this workspace.")]})
    return users


def _check_account(workspace: Workspace, kind: str, account: SocialAccount | None) -> str:
    """The group's platform id from its account's connection (Telegram: the chat id)."""
    if kind == GroupKind.MANUAL:
        return ""
    if account is None:
        raise ValidationError({"account": [_("Choose the account the group is reached through.")]})
    ensure_same_workspace(workspace, account, "account")
    wanted = Platform.TELEGRAM if kind == GroupKind.TELEGRAM else Platform.WECOM
    if account.platform != wanted:
        raise ValidationError({"account": [_("Choose an account on the group's platform.")]})
    connection = getattr(account, "connection", None)
    if kind == GroupKind.TELEGRAM:
        if connection is None or connection.kind != "telegram":
            raise ValidationError(
                {"account": [_("Connect this account with the group's bot token and chat id first.")]}
            )
        chat_id = connection.get_credentials().client_id or connection.external_account_id
        if not chat_id:
            raise ValidationError({"account": [_("The account's connection has no chat id.")]})
        return str(chat_id)
    return ""


@transaction.atomic
def group_create(
    *,
    workspace: Workspace,
    actor: Any,
    kind: str,
    name: str,
    account: SocialAccount | None = None,
    external_id: str = "",
    description: str = "",
    welcome_message: str = "",
    admins: Iterable[Any] = (),
) -> Group:
    """Add a group we run (Telegram: the account whose connection's chat id is the group)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.COMMUNITY_EDIT)
    if kind not in GroupKind.values:
        raise ValidationError({"kind": [_("Choose a kind of group.")]})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("This field is required.")]})
    found = _check_account(workspace, kind, account)
    external_id = (found or external_id or "").strip()[:100]
    if kind == GroupKind.WECOM and not external_id:
        raise ValidationError({"external_id": [_("Enter the group's WeCom chat_id.")]})
    if external_id and Group.objects.filter(workspace=workspace, kind=kind, external_id=external_id).exists():
        raise ValidationError({"external_id": [_("This group is already here.")]})
    users = _admins_of(workspace, admins)
    group = Group.objects.create(
        workspace=workspace,
        kind=kind,
        name=name[:150],
        account=account if kind != GroupKind.MANUAL else None,
        external_id=external_id,
        description=description or "",
        welcome_message=welcome_message or "",
    )
    group.admins.set(users)
    audit_saved(group, workspace=workspace, actor=actor, action="group.create", snap=edit_snapshot)
    return group


@transaction.atomic
def group_update(
    *,
    workspace: Workspace,
    actor: Any,
    group: Group,
    name: str,
    description: str = "",
    welcome_message: str = "",
    admins: Iterable[Any] = (),
) -> Group:
    """Rename a group, change its description, welcome message and our admins."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.COMMUNITY_EDIT)
    ensure_same_workspace(workspace, group, "group")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("This field is required.")]})
    users = _admins_of(workspace, admins)
    before = {**edit_snapshot(group), "admins": sorted(group.admins.values_list("pk", flat=True))}
    group.name = name[:150]
    group.description = description or ""
    group.welcome_message = welcome_message or ""
    group.save()
    group.admins.set(users)
    after = {**edit_snapshot(group), "admins": sorted(u.pk for u in users)}
    audit_record(
        workspace=workspace, actor=actor, action="group.update", obj=group, before=before, after=after
    )
    return group


# ---- members and messages from the platform ------------------------------------------------


def member_for(
    *,
    workspace: Workspace,
    group: Group,
    external_id: str,
    handle: str = "",
    name: str = "",
    at: dt.datetime | None = None,
    role: str = MemberRole.MEMBER,
) -> GroupMember:
    """The group's member of this platform id, with its fan (and person), created when new."""
    member = GroupMember.objects.filter(group=group, external_id=external_id).first()
    if member is not None:
        return member
    assert group.account is not None
    fan = fan_record(
        workspace=workspace,
        account=group.account,
        external_id=external_id,
        handle=handle,
        display_name=name,
        seen_at=at,
        audit=False,
    )
    member, _created = GroupMember.objects.get_or_create(
        group=group,
        external_id=external_id,
        defaults={
            "workspace": workspace,
            "person_id": fan.person_id,
            "fan": fan,
            "display_name": (name or handle)[:200],
            "joined_at": at,
            "role": role,
        },
    )
    return member


def _join(workspace: Workspace, group: Group, event: GroupEvent) -> GroupMember:
    with transaction.atomic():
        member = member_for(
            workspace=workspace, group=group, external_id=event.user_id, handle=event.handle, name=event.name,
            at=event.at,
        )  # fmt: skip
        if member.left_at is not None and member.left_at <= event.at:
            # Back after leaving (or after an unban): a new stay starts now.
            member.left_at = None
            member.banned = False
            member.joined_at = event.at
            member.save(update_fields=["joined_at", "left_at", "banned", "updated_at"])
        elif member.joined_at is None:
            member.joined_at = event.at
            member.save(update_fields=["joined_at", "updated_at"])
        audit_record(
            workspace=workspace,
            actor=SYSTEM,
            action="group.member_join",
            obj=member,
            after={"group": group.pk},
        )
    return member


def _leave(workspace: Workspace, group: Group, event: GroupEvent) -> None:
    with transaction.atomic():
        member = member_for(
            workspace=workspace, group=group, external_id=event.user_id, handle=event.handle, name=event.name,
            at=event.at,
        )  # fmt: skip
        if member.left_at is None:
            member.left_at = event.at
            member.save(update_fields=["left_at", "updated_at"])
            audit_record(
                workspace=workspace,
                actor=SYSTEM,
                action="group.member_leave",
                obj=member,
                after={"group": group.pk},
            )


def _message(workspace: Workspace, group: Group, event: GroupEvent) -> None:
    from .moderation_actions import message_moderate

    with transaction.atomic():
        member = member_for(
            workspace=workspace, group=group, external_id=event.user_id, handle=event.handle, name=event.name,
            at=event.at,
        )  # fmt: skip
        fan = member.fan or Fan.objects.get(pk=member.fan_id or 0)
        interaction, created = interaction_record(
            workspace=workspace,
            fan=fan,
            kind=InteractionKind.GROUP_MESSAGE,
            occurred_at=event.at,
            source=InteractionSource.PULL,
            text=event.text,
            external_id=f"{group.external_id}:{event.message_id}",
            meta={"group": group.pk, "message_id": event.message_id},
            audit=False,
        )
    if created:
        message_moderate(workspace=workspace, group=group, member=member, message=interaction)


def group_events_apply(*, workspace: Workspace, group: Group, events: Iterable[GroupEvent]) -> int:
    """Store what happened in a group (joins, leaves, messages, each judged); the number of events."""
    count = 0
    for event in events:
        if event.kind == "join":
            _join(workspace, group, event)
        elif event.kind == "leave":
            _leave(workspace, group, event)
        elif event.kind == "message":
            _message(workspace, group, event)
        count += 1
    return count


def group_connector(group: Group) -> TelegramConnector:
    """The Telegram connector of the group's account (a PermanentError-like ValidationError if none)."""
    connection = getattr(group.account, "connection", None) if group.account else None
    if connection is None or connection.kind != "telegram":
        raise ValidationError({"account": [_("The group's account has no Telegram connection.")]})
    connector = connector_for(connection, **CONNECTOR_OPTIONS)
    assert isinstance(connector, TelegramConnector)
    return connector


def member_welcome(*, workspace: Workspace, group: Group, connector: TelegramConnector, user_id: str) -> bool:
    """Send the group's welcome message to a member who joined, once per member; whether it was sent.

    The member is marked welcomed before the call: an answer lost on the way is never sent twice
    (a doubled welcome is worse than a missing one), and a refused call is logged.
    """
    text = group.welcome_message.strip()
    if not text:
        return False
    member = GroupMember.objects.filter(group=group, external_id=user_id, left_at__isnull=True).first()
    if member is None:
        return False
    claimed = GroupMember.objects.filter(pk=member.pk, welcomed_at__isnull=True).update(
        welcomed_at=timezone.now()
    )
    if not claimed:
        return False
    name = member.display_name or member.external_id
    try:
        message_id = connector.send_group_message(f"{name} {text}" if name else text)
    except ConnectorError as exc:
        log.warning("group %s: welcome to member %s failed: %s", group.pk, member.pk, exc)
        return False
    audit_record(
        workspace=workspace,
        actor=SYSTEM,
        action="group.member_welcome",
        obj=member,
        after={"group": group.pk, "message_id": message_id},
    )
    return True


def group_sync(*, workspace: Workspace, group: Group) -> int:
    """Read a Telegram group's new updates and store them (the system's job); the number of events.

    The cursor is saved after every page, so a failure part-way re-reads nothing already stored.
    """
    ensure_same_workspace(workspace, group, "group")
    if group.kind != GroupKind.TELEGRAM:
        if group.kind == GroupKind.WECOM:
            from .wecom_groups import wecom_group_sync

            return wecom_group_sync(workspace=workspace, group=group)
        return 0
    total = 0
    try:
        connector = group_connector(group)
        with connector:
            for _page in range(MAX_SYNC_PAGES):
                page = connector.fetch_group_updates(cursor=group.cursor)
                total += group_events_apply(workspace=workspace, group=group, events=page.events)
                for event in page.events:
                    if event.kind == "join":
                        member_welcome(
                            workspace=workspace, group=group, connector=connector, user_id=event.user_id
                        )
                moved = page.cursor != group.cursor
                Group.objects.filter(pk=group.pk).update(
                    cursor=page.cursor, synced_at=timezone.now(), sync_error=""
                )
                group.cursor = page.cursor
                if not moved or not page.events:
                    break
    except (ConnectorError, ValidationError) as exc:
        message = str(getattr(exc, "message", "") or exc)[:1000]
        Group.objects.filter(pk=group.pk).update(sync_error=message)
        group.sync_error = message
        log.warning("group %s: sync failed: %s", group.pk, message)
    return total


# ---- manual groups: members from a file --------------------------------------------------------

IMPORT_COLUMNS = {"phone": "phone", "手机号": "phone", "name": "name", "姓名": "name", "role": "role",
                  "角色": "role", "joined_at": "joined_at", "入群时间": "joined_at"}  # fmt: skip
ROLE_WORDS = {"member": MemberRole.MEMBER, "成员": MemberRole.MEMBER, "admin": MemberRole.ADMIN,
              "管理员": MemberRole.ADMIN, "owner": MemberRole.OWNER, "群主": MemberRole.OWNER}  # fmt: skip


def _parse_when(workspace: Workspace, text: str) -> dt.datetime | None:
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            naive = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return naive.replace(tzinfo=workspace.tz)
    return None


@transaction.atomic
def group_members_import(
    *, workspace: Workspace, actor: Any, group: Group, file_name: str, content: bytes
) -> int:
    """Import a manual group's members from CSV/XLSX (phone, name, role, joined_at): all rows or none.

    Every row is checked first; any problem rejects the file (ImportRejected lists them all).
    """
    require_perm(workspace=workspace, actor=actor, perm=Perm.COMMUNITY_EDIT)
    ensure_same_workspace(workspace, group, "group")
    if group.kind != GroupKind.MANUAL:
        raise ValidationError({"group": [_("Only a manual group's members are imported from a file.")]})
    errors: list[RowError] = []
    table = read_rows(file_name, content, errors)
    if table is None:
        raise ImportRejected(errors)
    columns = {i: IMPORT_COLUMNS.get(normalize_header(h)) for i, h in enumerate(table.headers)}
    if "phone" not in columns.values():
        raise ImportRejected([RowError(None, "phone", _("The file needs a “phone” column."))])
    from socialops.fans.privacy import phone_hash

    rows: list[dict[str, Any]] = []
    for line, cells in table.rows:
        row = {field: cell_text(cells[i]) if i < len(cells) else "" for i, field in columns.items() if field}
        if not phone_hash(row.get("phone", "")):
            errors.append(RowError(line, "phone", _("Enter a valid mobile phone number.")))
        role_word = row.get("role", "").strip().lower()
        if role_word and role_word not in ROLE_WORDS:
            errors.append(RowError(line, "role", _("Use member, admin or owner.")))
        when = row.get("joined_at", "").strip()
        joined = _parse_when(workspace, when) if when else None
        if when and joined is None:
            errors.append(RowError(line, "joined_at", _("Use YYYY-MM-DD or YYYY-MM-DD HH:MM.")))
        rows.append({**row, "role": ROLE_WORDS.get(role_word, MemberRole.MEMBER), "joined": joined})
    if errors:
        raise ImportRejected(errors)
    now = timezone.now()
    count = 0
    for row in rows:
        person, _created = person_for_phone(
            workspace=workspace, phone=row["phone"], display_name=row.get("name", ""), audit=False
        )
        GroupMember.objects.update_or_create(
            group=group,
            external_id=f"person:{person.pk}",
            defaults={
                "workspace": workspace,
                "person": person,
                "display_name": (row.get("name") or "")[:200],
                "role": row["role"],
                "joined_at": row["joined"] or now,
                "left_at": None,
            },
        )
        count += 1
    audit_record(
        workspace=workspace, actor=actor, action="group.members_import", obj=group, after={"rows": count}
    )
    return count
