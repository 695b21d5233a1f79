"""Writes on playbooks and their runs: who of a segment gets a coupon, a tag, a message or a person.

A run acts person by person, each in its own transaction, so a failure for one person leaves
the others done. Actions that must not or cannot go out automatically become tasks for a
person: WeChat mass sends are quota-limited (a subscription account may send one a day, a
service account four a month per follower), so a message action is always a manual task.
Platform tagging happens after the people, outside any transaction (it calls the network).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.accounts.models import SocialAccount
from socialops.content.models import ContentItem
from socialops.core.actors import user_or_none
from socialops.core.validation import Errors, add_error, clean_text
from socialops.platforms.connectors.base import Capability, ConnectorError
from socialops.platforms.models import ManualTask
from socialops.platforms.registry import connector_class, connector_for
from socialops.platforms.services.connections import connection_get_for_account
from socialops.publishing.services import SCHEDULABLE_ITEM
from socialops.workspaces.access import ensure_same_workspace, require_perm
from socialops.workspaces.audit import audit_delete, audit_record, audit_saved, edit_snapshot
from socialops.workspaces.models import Membership, Workspace
from socialops.workspaces.roles import Perm

from ..models import (
    ActionStatus,
    CouponCampaign,
    Fan,
    FollowUp,
    Person,
    Playbook,
    PlaybookAction,
    PlaybookRun,
    PlaybookTrigger,
    Segment,
    SegmentEvent,
    SegmentEventKind,
    SegmentKind,
    SegmentMembership,
)
from .coupons import coupon_issue

log = logging.getLogger(__name__)

ACTION_TYPES = ("coupon", "tag", "message", "assign")
PLAYBOOK_FIELDS = (
    "name", "segment", "trigger", "every_days", "at_hour", "actions", "cap_per_person", "cap_days",
    "quiet_start", "quiet_end", "enabled",
)  # fmt: skip
MAX_ACTIONS = 10
MAX_TAG = 30  # WeChat's limit for a tag name


def _check(workspace: Workspace, actor: Any) -> None:
    require_perm(workspace=workspace, actor=actor, perm=Perm.FANS_EDIT)


def _int(value: Any, field_name: str, low: int, high: int, errors: Errors) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        add_error(
            errors,
            field_name,
            _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high},
        )
        return low
    return value


def _ref(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _item_approved(item: ContentItem) -> bool:
    # The same states publishing accepts: the item passed its checks and its approval.
    return item.status in SCHEDULABLE_ITEM


def validate_actions(workspace: Workspace, actions: Any, errors: Errors) -> list[dict[str, Any]]:
    """Check the action list; returns it cleaned ({"type": …, one reference}), problems in ``errors``."""
    if not isinstance(actions, list) or not actions:
        add_error(errors, "actions", _("Add at least one action."))
        return []
    if len(actions) > MAX_ACTIONS:
        add_error(errors, "actions", _("At most %(n)s actions.") % {"n": MAX_ACTIONS})
        return []
    clean: list[dict[str, Any]] = []
    for n, action in enumerate(actions, start=1):
        kind = action.get("type") if isinstance(action, dict) else None
        where = _("action %(n)s") % {"n": n}
        if kind not in ACTION_TYPES:
            add_error(
                errors, "actions", _("%(where)s: choose coupon, tag, message or assign.") % {"where": where}
            )
            continue
        assert isinstance(action, dict)
        if kind == "coupon":
            pk = _ref(action.get("campaign"))
            if pk is None or not CouponCampaign.objects.filter(workspace=workspace, pk=pk).exists():
                add_error(
                    errors,
                    "actions",
                    _("%(where)s: choose a coupon campaign of this workspace.") % {"where": where},
                )
                continue
            clean.append({"type": kind, "campaign": pk})
        elif kind == "tag":
            tag = action.get("tag")
            tag = tag.strip() if isinstance(tag, str) else ""
            if not tag or len(tag) > MAX_TAG:
                add_error(errors, "actions", _("%(where)s: a tag of 1 to 30 characters.") % {"where": where})
                continue
            clean.append({"type": kind, "tag": tag})
        elif kind == "message":
            pk = _ref(action.get("item"))
            item = ContentItem.objects.filter(workspace=workspace, pk=pk).first() if pk else None
            if item is None:
                add_error(
                    errors,
                    "actions",
                    _("%(where)s: choose a content item of this workspace.") % {"where": where},
                )
                continue
            if not _item_approved(item):
                add_error(
                    errors,
                    "actions",
                    _(
                        "%(where)s: “%(title)s” is not approved; messages go through the same checks and approval as posts."
                    )
                    % {"where": where, "title": item.title},
                )
                continue
            clean.append({"type": kind, "item": item.pk})
        else:
            pk = _ref(action.get("user"))
            if pk is None or not Membership.objects.filter(workspace=workspace, user_id=pk).exists():
                add_error(
                    errors, "actions", _("%(where)s: choose a member of this workspace.") % {"where": where}
                )
                continue
            clean.append({"type": kind, "user": pk})
    return clean


def _validate(workspace: Workspace, data: dict[str, Any]) -> dict[str, Any]:
    errors: Errors = {}
    name = clean_text(data["name"], "name", errors, max_length=100, required=True)
    segment = data["segment"]
    if not isinstance(segment, Segment) or segment.workspace_id != workspace.pk:
        add_error(errors, "segment", _("Choose a segment or tier of this workspace."))
    if data["trigger"] not in PlaybookTrigger.values:
        add_error(errors, "trigger", _("Choose when the playbook runs."))
    out = {
        "name": name,
        "segment": segment,
        "trigger": data["trigger"],
        "every_days": _int(data["every_days"], "every_days", 1, 365, errors),
        "at_hour": _int(data["at_hour"], "at_hour", 0, 23, errors),
        "cap_per_person": _int(data["cap_per_person"], "cap_per_person", 0, 100, errors),
        "cap_days": _int(data["cap_days"], "cap_days", 1, 365, errors),
        "quiet_start": _int(data["quiet_start"], "quiet_start", 0, 23, errors),
        "quiet_end": _int(data["quiet_end"], "quiet_end", 0, 23, errors),
        "enabled": bool(data["enabled"]),
        "actions": validate_actions(workspace, data["actions"], errors),
    }
    if name and "name" not in errors:
        clash = Playbook.objects.filter(workspace=workspace, name=name)
        if data.get("pk"):
            clash = clash.exclude(pk=data["pk"])
        if clash.exists():
            add_error(errors, "name", _("A playbook with this name exists already."))
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def playbook_create(
    *,
    workspace: Workspace,
    actor: Any,
    name: str,
    segment: Segment,
    actions: list[dict[str, Any]],
    trigger: str = PlaybookTrigger.ON_ENTER,
    every_days: int = 7,
    at_hour: int = 10,
    cap_per_person: int = 1,
    cap_days: int = 30,
    quiet_start: int = 22,
    quiet_end: int = 8,
    enabled: bool = True,
) -> Playbook:
    """Create a playbook for a segment or tier."""
    _check(workspace, actor)
    fields = _validate(
        workspace,
        {
            "name": name, "segment": segment, "trigger": trigger, "every_days": every_days,
            "at_hour": at_hour, "actions": actions, "cap_per_person": cap_per_person, "cap_days": cap_days,
            "quiet_start": quiet_start, "quiet_end": quiet_end, "enabled": enabled,
        },
    )  # fmt: skip
    playbook = Playbook.objects.create(workspace=workspace, created_by=user_or_none(actor), **fields)
    audit_saved(playbook, workspace=workspace, actor=actor, action="fans.playbook.create", snap=edit_snapshot)
    return playbook


def current_values(playbook: Playbook) -> dict[str, Any]:
    """The playbook's editable fields, as the update service and the form take them."""
    return {name: getattr(playbook, name) for name in PLAYBOOK_FIELDS}


@transaction.atomic
def playbook_update(*, workspace: Workspace, actor: Any, playbook: Playbook, **changes: Any) -> Playbook:
    """Change a playbook's fields (the actions are checked again, e.g. a message item still approved)."""
    _check(workspace, actor)
    ensure_same_workspace(workspace, playbook, "playbook")
    unknown = set(changes) - set(PLAYBOOK_FIELDS)
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed.")] for f in sorted(unknown)})
    locked = Playbook.objects.select_for_update().get(pk=playbook.pk)
    fields = _validate(workspace, {**current_values(locked), **changes, "pk": locked.pk})
    before = edit_snapshot(locked)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save()
    audit_saved(
        locked,
        workspace=workspace,
        actor=actor,
        action="fans.playbook.update",
        before=before,
        snap=edit_snapshot,
    )
    return locked


@transaction.atomic
def playbook_delete(*, workspace: Workspace, actor: Any, playbook: Playbook) -> None:
    """Delete a playbook with its run history (coupons it issued stay, without their run)."""
    _check(workspace, actor)
    ensure_same_workspace(workspace, playbook, "playbook")
    audit_delete(
        playbook, workspace=workspace, actor=actor, action="fans.playbook.delete", snap=edit_snapshot
    )


# ---- running -------------------------------------------------------------------------------


def in_quiet_hours(playbook: Playbook, local_hour: int) -> bool:
    """Whether the local hour falls in the playbook's quiet hours (which may span midnight)."""
    start, end = playbook.quiet_start, playbook.quiet_end
    if start == end:
        return False
    if start < end:
        return start <= local_hour < end
    return local_hour >= start or local_hour < end


def audience(playbook: Playbook, since: dt.datetime | None) -> list[Person]:
    """The people a run acts on: new entrants since ``since`` ("enter") or everyone in it ("schedule")."""
    workspace_id = playbook.workspace_id
    if playbook.trigger == PlaybookTrigger.ON_ENTER:
        events = SegmentEvent.objects.filter(
            workspace_id=workspace_id, segment=playbook.segment, kind=SegmentEventKind.ENTERED
        )
        if since is not None:
            events = events.filter(at__gt=since)
        ids = set(events.values_list("person_id", flat=True))
        # Someone who entered and left again before the run is no longer of the segment.
        if playbook.segment.kind == SegmentKind.TIER:
            people = Person.objects.filter(workspace_id=workspace_id, pk__in=ids, tier=playbook.segment)
        else:
            people = Person.objects.filter(
                workspace_id=workspace_id, pk__in=ids, segment_memberships__segment=playbook.segment
            )
    elif playbook.segment.kind == SegmentKind.TIER:
        people = Person.objects.filter(workspace_id=workspace_id, tier=playbook.segment)
    else:
        people = Person.objects.filter(
            workspace_id=workspace_id,
            pk__in=SegmentMembership.objects.filter(segment=playbook.segment).values("person_id"),
        )
    return list(people.distinct().order_by("pk"))


@dataclass
class _RunState:
    """What a run gathers while it goes through the people, finished after them."""

    run: PlaybookRun
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # (account id, tag) → [(action row, fan)] for platform tagging after the people
    to_tag: dict[tuple[int, str], list[tuple[PlaybookAction, Fan]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # task key → (task, recipients) for manual tasks (messages, tags without platform support)
    tasks: dict[str, tuple[ManualTask, list[str]]] = field(default_factory=dict)


def _can_tag(account: SocialAccount) -> bool:
    connection = connection_get_for_account(account)
    if connection is None or connection.kind not in ("wechat_mp",):
        return False
    try:
        return connector_class(connection.kind).supports(Capability.TAG_FOLLOWERS)
    except KeyError:
        return False


def _task(
    state: _RunState,
    *,
    playbook: Playbook,
    account: SocialAccount,
    key: str,
    title: str,
    item: ContentItem | None,
) -> ManualTask:
    """The run's manual task for one account and purpose, made once."""
    if key not in state.tasks:
        task, _created = ManualTask.objects.get_or_create(
            workspace=playbook.workspace,
            account=account,
            idempotency_key=key,
            defaults={"title": title[:200], "content_item": item, "reference": playbook.name[:200]},
        )
        state.tasks[key] = (task, [])
    return state.tasks[key][0]


def _recipient(fan: Fan) -> str:
    return f"{fan.external_id}" + (f" ({fan.handle})" if fan.handle and fan.handle != fan.external_id else "")


def _act(
    state: _RunState, *, workspace: Workspace, actor: Any, playbook: Playbook, person: Person,
    action: dict[str, Any], quiet: bool, fans: list[Fan],
) -> tuple[str, dict[str, Any], list[Fan]]:  # fmt: skip
    """Carry out one action for one person: (status, detail, fans to tag on the platform)."""
    kind = action["type"]
    run = state.run
    if kind == "coupon":
        campaign = CouponCampaign.objects.filter(workspace=workspace, pk=action["campaign"]).first()
        if campaign is None:
            return ActionStatus.FAILED, {"reason": "campaign_gone"}, []
        try:
            coupon, created = coupon_issue(
                workspace=workspace, actor=actor, campaign=campaign, person=person, run=run
            )
        except ValidationError as exc:
            return ActionStatus.FAILED, {"reason": "refused", "message": " ".join(exc.messages)}, []
        if not created:
            return ActionStatus.SKIPPED, {"reason": "has_coupon", "code": coupon.code}, []
        return ActionStatus.DONE, {"code": coupon.code, "campaign": campaign.pk}, []
    if kind == "assign":
        user = get_user_model().objects.filter(pk=action["user"]).first()
        if user is None or not Membership.objects.filter(workspace=workspace, user=user).exists():
            return ActionStatus.FAILED, {"reason": "not_member"}, []
        follow_up = FollowUp.objects.create(
            workspace=workspace, person=person, assignee=user, run=run,
            note=_("Follow up from the playbook “%(name)s”.") % {"name": playbook.name},
        )  # fmt: skip
        return ActionStatus.DONE, {"follow_up": follow_up.pk, "user": user.pk}, []
    if not fans:
        return ActionStatus.SKIPPED, {"reason": "no_fans"}, []
    if kind == "message":
        if quiet:
            return ActionStatus.SKIPPED, {"reason": "quiet_hours"}, []
        item = ContentItem.objects.filter(workspace=workspace, pk=action["item"]).first()
        if item is None or not _item_approved(item):
            return ActionStatus.FAILED, {"reason": "item_not_approved"}, []
        task_ids = []
        for fan in fans:
            key = f"fans-playbook:{run.pk}:message:{item.pk}"
            title = _("Send “%(title)s” to the people of the playbook “%(name)s”") % {
                "title": item.title,
                "name": playbook.name,
            }
            task = _task(state, playbook=playbook, account=fan.account, key=key, title=title, item=item)
            state.tasks[key][1].append(_recipient(fan))
            task_ids.append(task.pk)
        return ActionStatus.MANUAL, {"reason": "mass_send_quota", "tasks": sorted(set(task_ids))}, []
    # tag
    tag = action["tag"]
    platform_fans = [f for f in fans if _can_tag(f.account)]
    manual_fans = [f for f in fans if f not in platform_fans]
    task_ids = []
    for fan in manual_fans:
        if tag not in (fan.platform_tags or []):
            fan.platform_tags = [*(fan.platform_tags or []), tag]
            fan.save(update_fields=["platform_tags", "updated_at"])
        key = f"fans-playbook:{run.pk}:tag:{tag}"
        title = _("Tag the followers of the playbook “%(name)s” with “%(tag)s”") % {
            "name": playbook.name,
            "tag": tag,
        }
        task = _task(state, playbook=playbook, account=fan.account, key=key, title=title, item=None)
        state.tasks[key][1].append(_recipient(fan))
        task_ids.append(task.pk)
    if platform_fans:
        # Done once the platform call after the people succeeds (it may still turn FAILED).
        return (
            ActionStatus.DONE,
            {"tag": tag, "platform": True, "tasks": sorted(set(task_ids))},
            platform_fans,
        )
    return ActionStatus.MANUAL, {"tag": tag, "reason": "no_tagging", "tasks": sorted(set(task_ids))}, []


def _person_actions(
    state: _RunState, *, workspace: Workspace, actor: Any, playbook: Playbook, person: Person,
    quiet: bool, since_cap: dt.datetime,
) -> None:  # fmt: skip
    """Every action of the playbook for one person, in one transaction."""
    dry_run = state.run.dry_run
    fans = list(Fan.objects.filter(workspace=workspace, person=person).select_related("account"))
    with transaction.atomic():
        done = PlaybookAction.objects.filter(
            workspace=workspace,
            run__playbook=playbook,
            person=person,
            status=ActionStatus.DONE,
            at__gte=since_cap,
        ).count()
        remaining = playbook.cap_per_person - done if playbook.cap_per_person else None
        for action in playbook.actions:
            kind = action.get("type", "")
            to_tag: list[Fan] = []
            status: str
            detail: dict[str, Any]
            if remaining is not None and remaining <= 0:
                status, detail = ActionStatus.SKIPPED, {"reason": "cap"}
            elif kind == "message" and quiet:
                status, detail = ActionStatus.SKIPPED, {"reason": "quiet_hours"}
            elif dry_run:
                status, detail = ActionStatus.PLANNED, {k: v for k, v in action.items() if k != "type"}
            else:
                status, detail, to_tag = _act(
                    state, workspace=workspace, actor=actor, playbook=playbook, person=person,
                    action=action, quiet=quiet, fans=fans,
                )  # fmt: skip
            row = PlaybookAction.objects.create(
                workspace=workspace,
                run=state.run,
                person=person,
                action_type=kind,
                status=status,
                detail=detail,
            )
            for fan in to_tag:
                state.to_tag[(fan.account_id, action["tag"])].append((row, fan))
            if remaining is not None and status in (ActionStatus.DONE, ActionStatus.PLANNED):
                remaining -= 1
            state.counts[status] += 1


def _tag_on_platforms(state: _RunState, workspace: Workspace) -> None:
    """Tag the collected followers on their platforms (50 openids a call), outside any transaction."""
    for (account_id, tag), entries in state.to_tag.items():
        account = SocialAccount.objects.get(pk=account_id)
        connection = connection_get_for_account(account)
        error = ""
        if connection is None:
            error = "no_connection"
        else:
            try:
                with connector_for(connection) as connector:
                    connector.tag_followers(tag=tag, follower_ids=[fan.external_id for _row, fan in entries])
            except ConnectorError as exc:
                log.warning(
                    "playbook run %s: tagging on account %s failed: %s", state.run.pk, account_id, exc
                )
                error = str(exc)[:300] or "platform_error"
        with transaction.atomic():
            for row, fan in entries:
                if error:
                    row.status = ActionStatus.FAILED
                    row.detail = {**row.detail, "reason": "platform", "message": error}
                    row.save(update_fields=["status", "detail"])
                    state.counts[ActionStatus.DONE] -= 1
                    state.counts[ActionStatus.FAILED] += 1
                elif tag not in (fan.platform_tags or []):
                    fan.platform_tags = [*(fan.platform_tags or []), tag]
                    fan.save(update_fields=["platform_tags", "updated_at"])


def _finish_tasks(state: _RunState) -> None:
    """Write each manual task's recipient list (and the reason the action is manual)."""
    for task, recipients in state.tasks.values():
        intro = (
            _(
                "WeChat mass sends are limited (subscription accounts one a day, service accounts four a month per follower): send this by hand, to these followers:"
            )
            if task.content_item_id
            else _("This account cannot be tagged through its connection: tag these followers by hand:")
        )
        task.text = intro + "\n" + "\n".join(sorted(set(recipients)))
        task.save(update_fields=["text", "updated_at"])


def _claim(workspace: Workspace, playbook: Playbook, now: dt.datetime, dry_run: bool) -> dt.datetime | None:
    """The previous run's time; a real run moves ``last_run_at`` to now under the row lock.

    Two runs of one "enter" playbook then never act on the same entrants twice.
    """
    with transaction.atomic():
        locked = Playbook.objects.select_for_update().get(pk=playbook.pk, workspace=workspace)
        since = locked.last_run_at
        if not dry_run:
            locked.last_run_at = now
            locked.save(update_fields=["last_run_at", "updated_at"])
    return since


def playbook_run(
    *,
    workspace: Workspace,
    actor: Any,
    playbook: Playbook,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> PlaybookRun:
    """Run the playbook for its people now (or, in a dry run, list who would get what and write nothing else).

    Not one transaction: each person's actions are one, so that a long run holds no lock for
    long and a refusal for one person (a budget used up) does not undo the others.
    """
    _check(workspace, actor)
    ensure_same_workspace(workspace, playbook, "playbook")
    now = now or timezone.now()
    since = _claim(workspace, playbook, now, dry_run)
    people = audience(playbook, since)
    quiet = in_quiet_hours(playbook, timezone.localtime(now, workspace.tz).hour)
    run = PlaybookRun.objects.create(
        workspace=workspace, playbook=playbook, dry_run=dry_run, created_by=user_or_none(actor)
    )
    state = _RunState(run=run)
    since_cap = now - dt.timedelta(days=playbook.cap_days)
    for person in people:
        _person_actions(
            state,
            workspace=workspace,
            actor=actor,
            playbook=playbook,
            person=person,
            quiet=quiet,
            since_cap=since_cap,
        )
    if state.to_tag:
        _tag_on_platforms(state, workspace)
    if state.tasks:
        _finish_tasks(state)
    run.counts = {
        "people": len(people),
        **{status: state.counts.get(status, 0) for status in ActionStatus.values},
        "quiet_hours": quiet,
    }
    run.finished_at = timezone.now()
    run.save(update_fields=["counts", "finished_at"])
    audit_record(
        workspace=workspace, actor=actor, action="fans.playbook.dry_run" if dry_run else "fans.playbook.run",
        obj=run, object_repr=playbook.name, after=run.counts,
    )  # fmt: skip
    return run


def playbook_is_due(playbook: Playbook, now: dt.datetime) -> bool:
    """Whether a scheduled playbook should run now: past its local hour, every_days after the last run."""
    local = timezone.localtime(now, playbook.workspace.tz)
    if local.hour < playbook.at_hour:
        return False
    if playbook.last_run_at is None:
        return True
    last_local = timezone.localtime(playbook.last_run_at, playbook.workspace.tz).date()
    return (local.date() - last_local).days >= playbook.every_days
