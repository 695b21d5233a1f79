"""Writes of the review workflow (R2.8): revisions, state transitions, approval chains, comments, notifications.

Every state change is a function here that locks the item's row, checks the current state and
raises a ValidationError naming both states when the change is not allowed. The publishing
engine drives the last states through ``item_mark_scheduled`` / ``item_unschedule`` /
``item_mark_publishing`` / ``item_mark_published`` / ``item_mark_failed`` / ``item_mark_unknown``.

Decisions (documented in docs/review-workflow.md):
- nobody approves an item they own or created, admins included (four eyes);
- an admin may decide any step in place of its assignee, but an expert step always needs a
  member marked as subject expert;
- an admin's override of blocking findings is bound to the revision it was given for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.content.models import ContentItem, ContentVariant, Theme
from socialops.core.actors import user_or_none
from socialops.core.validation import Errors
from socialops.core.validation import add_error as _add
from socialops.core.validation import clean_text as _text
from socialops.workspaces.access import ensure_perm, ensure_same_workspace, membership_get
from socialops.workspaces.audit import audit_record, snapshot
from socialops.workspaces.models import Membership, Workspace
from socialops.workspaces.roles import Perm, Role, role_has

from ..models.workflow import (
    ApprovalChain,
    ApprovalOverride,
    ApprovalStep,
    CommentKind,
    ItemStatus,
    Notification,
    NotificationKind,
    ReviewComment,
    ReviewRound,
    ReviewTask,
    Revision,
    RoundOutcome,
    TaskState,
)

CHAIN_NAME_MAX = 100
STEP_NAME_MAX = 100
STEPS_MAX = 20
COMMENT_MAX = 5000
OVERRIDE_REASON_MIN = 10
OVERRIDE_REASON_MAX = 2000
NOTIFICATION_DETAIL_MAX = 300

# Roles a step may be assigned to: those whose members may review content.
REVIEW_ROLES = tuple(r for r in Role.values if role_has(r, Perm.CONTENT_REVIEW))

# Which states each action starts from; everything else is an illegal transition.
SUBMIT_FROM = (ItemStatus.DRAFT, ItemStatus.CHANGES_REQUESTED)
REVIEW_FROM = (ItemStatus.IN_REVIEW,)
REOPEN_FROM = (ItemStatus.APPROVED, ItemStatus.SCHEDULED)
SCHEDULE_FROM = (ItemStatus.APPROVED, ItemStatus.FAILED)
UNSCHEDULE_FROM = (ItemStatus.SCHEDULED,)
PUBLISHING_FROM = (ItemStatus.SCHEDULED, ItemStatus.FAILED)
OUTCOME_FROM = (ItemStatus.PUBLISHING, ItemStatus.UNKNOWN)
UNKNOWN_FROM = (ItemStatus.PUBLISHING,)
OVERRIDE_FROM = (ItemStatus.DRAFT, ItemStatus.IN_REVIEW, ItemStatus.CHANGES_REQUESTED)

# The whole state machine, for documentation, the API and the tests.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    ItemStatus.DRAFT: (ItemStatus.IN_REVIEW,),
    ItemStatus.IN_REVIEW: (ItemStatus.APPROVED, ItemStatus.CHANGES_REQUESTED),
    ItemStatus.CHANGES_REQUESTED: (ItemStatus.IN_REVIEW,),
    ItemStatus.APPROVED: (ItemStatus.IN_REVIEW, ItemStatus.SCHEDULED),
    ItemStatus.SCHEDULED: (ItemStatus.IN_REVIEW, ItemStatus.APPROVED, ItemStatus.PUBLISHING),
    ItemStatus.PUBLISHING: (ItemStatus.PUBLISHED, ItemStatus.FAILED, ItemStatus.UNKNOWN),
    ItemStatus.UNKNOWN: (ItemStatus.PUBLISHED, ItemStatus.FAILED),
    ItemStatus.FAILED: (ItemStatus.SCHEDULED, ItemStatus.PUBLISHING),
    ItemStatus.PUBLISHED: (),
}

# The default chain, named in the workspace's language: (Chinese, English, role, expert only).
DEFAULT_STEPS: tuple[tuple[str, str, str, bool], ...] = (
    ("编辑审核", "Editorial review", Role.REVIEWER, False),
    ("法务审核", "Legal review", Role.REVIEWER, False),
    ("专家审核", "Subject-expert review", Role.REVIEWER, True),
)
DEFAULT_CHAIN_NAME = ("默认审核流程", "Default approval chain")

# Fields of an item and of a variant kept in a revision (their display values).
REVISION_ITEM_FIELDS = (
    "title",
    "form",
    "theme",
    "owner",
    "importance",
    "deadline",
    "evergreen",
    "accounts",
    "calendar_links",
    "digest",
    "body",
    "cover",
    "images",
    "video",
    "live_starts_at",
    "live_host",
    "live_outline",
)
REVISION_VARIANT_FIELDS = ("title", "body", "digest", "author", "hashtags", "link_url", "media", "extra")


def status_label(status: str) -> str:
    """The state's name in the reader's language."""
    return str(ItemStatus(status).label) if status in ItemStatus.values else status


def _user(actor: Any) -> Any:
    return user_or_none(actor)


def _name(actor: Any) -> str:
    user = _user(actor)
    return user.get_username() if user is not None else "system"


# ---- states ---------------------------------------------------------------------------------


def _illegal(item: ContentItem, current: str, target: str) -> ValidationError:
    allowed = TRANSITIONS.get(current, ())
    message = _("“%(title)s” cannot go from “%(from)s” to “%(to)s”.") % {
        "title": str(item)[:80],
        "from": status_label(current),
        "to": status_label(target),
    }
    if allowed:
        message += " " + _("From “%(from)s” it can only go to: %(allowed)s.") % {
            "from": status_label(current),
            "allowed": "、".join(f"“{status_label(s)}”" for s in allowed),
        }
    else:
        message += " " + _("“%(from)s” is a final state.") % {"from": status_label(current)}
    return ValidationError({"status": [message]}, code="illegal_transition")


def _lock(workspace: Workspace, item: ContentItem) -> ContentItem:
    """The item's row, locked for this transaction, with its stored state."""
    ensure_same_workspace(workspace, item, "item")
    locked = ContentItem.objects.select_for_update().filter(pk=item.pk, workspace=workspace).first()
    if locked is None:
        raise ValidationError({"item": [_("This was deleted in the meantime.")]})
    return locked


def _set_status(
    workspace: Workspace,
    actor: Any,
    item: ContentItem,
    locked: ContentItem,
    target: str,
    allowed: Sequence[str],
) -> str:
    """Move the locked item to ``target`` if its current state is in ``allowed``; returns the old state."""
    current = locked.status
    if current not in allowed:
        raise _illegal(locked, current, target)
    locked.status = target
    locked.save(update_fields=["status", "updated_at"])
    item.status = target
    item.updated_at = locked.updated_at
    audit_record(
        workspace=workspace,
        actor=actor,
        action="content_item.status",
        obj=locked,
        before={"status": current},
        after={"status": target},
    )
    return current


def _transition(
    *,
    workspace: Workspace,
    actor: Any,
    item: ContentItem,
    target: str,
    allowed: Sequence[str],
    item_locked: bool = False,
) -> ContentItem:
    if actor is not None:
        ensure_perm(workspace=workspace, user=actor, perm=Perm.CONTENT_EDIT)
    if item_locked:
        # The caller selected the row FOR UPDATE in this transaction: its state is current.
        ensure_same_workspace(workspace, item, "item")
        locked = item
    else:
        locked = _lock(workspace, item)
    _set_status(workspace, actor, item, locked, target, allowed)
    return item


@transaction.atomic
def item_mark_scheduled(*, workspace: Workspace, actor: Any, item: ContentItem) -> ContentItem:
    """Approved (or failed, to try again) → scheduled: the publishing engine planned its publication."""
    return _transition(
        workspace=workspace, actor=actor, item=item, target=ItemStatus.SCHEDULED, allowed=SCHEDULE_FROM
    )


@transaction.atomic
def item_unschedule(*, workspace: Workspace, actor: Any, item: ContentItem) -> ContentItem:
    """Scheduled → approved: the publication was cancelled before it went out."""
    return _transition(
        workspace=workspace, actor=actor, item=item, target=ItemStatus.APPROVED, allowed=UNSCHEDULE_FROM
    )


@transaction.atomic
def item_mark_publishing(
    *, workspace: Workspace, actor: Any, item: ContentItem, item_locked: bool = False
) -> ContentItem:
    """Scheduled (or failed) → publishing: the engine is sending it; refused if it was edited back to review."""
    return _transition(
        workspace=workspace,
        actor=actor,
        item=item,
        target=ItemStatus.PUBLISHING,
        allowed=PUBLISHING_FROM,
        item_locked=item_locked,
    )


@transaction.atomic
def item_mark_published(
    *, workspace: Workspace, actor: Any, item: ContentItem, item_locked: bool = False
) -> ContentItem:
    """Publishing (or unknown, once the platform confirmed it) → published."""
    return _transition(
        workspace=workspace,
        actor=actor,
        item=item,
        target=ItemStatus.PUBLISHED,
        allowed=OUTCOME_FROM,
        item_locked=item_locked,
    )


@transaction.atomic
def item_mark_failed(
    *, workspace: Workspace, actor: Any, item: ContentItem, item_locked: bool = False
) -> ContentItem:
    """Publishing (or unknown, once the platform shows no post) → failed."""
    return _transition(
        workspace=workspace,
        actor=actor,
        item=item,
        target=ItemStatus.FAILED,
        allowed=OUTCOME_FROM,
        item_locked=item_locked,
    )


@transaction.atomic
def item_mark_unknown(
    *, workspace: Workspace, actor: Any, item: ContentItem, item_locked: bool = False
) -> ContentItem:
    """Publishing → outcome unknown: the call timed out after sending; never blindly retried."""
    return _transition(
        workspace=workspace,
        actor=actor,
        item=item,
        target=ItemStatus.UNKNOWN,
        allowed=UNKNOWN_FROM,
        item_locked=item_locked,
    )


# ---- revisions ------------------------------------------------------------------------------


def _display(value: Any) -> Any:
    """A JSON-safe value a person can read (names, not ids)."""
    if value is None:
        return ""
    if isinstance(value, Model):
        if hasattr(value, "get_username"):
            return value.get_username()
        for attr in ("display_name", "original_name", "name", "title"):
            if hasattr(value, attr):
                return str(getattr(value, attr))
        return str(value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_display(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _display(v) for k, v in value.items()}
    return value


def _ordered(manager: Any) -> list[Any]:
    # The through rows' ids keep the order the writer chose (see content.services.items.set_ordered).
    through = manager.through
    source = manager.source_field_name
    target = manager.target_field_name
    ids = list(
        through.objects.filter(**{source: manager.instance.pk})
        .order_by("id")
        .values_list(f"{target}_id", flat=True)
    )
    objects = {o.pk: o for o in manager.model.objects.filter(pk__in=ids)}
    return [objects[i] for i in ids if i in objects]


def revision_snapshot(item: ContentItem) -> dict[str, Any]:
    """The item's fields and its variants as a person reads them, plus the ids they refer to."""
    data: dict[str, Any] = {}
    refs: dict[str, Any] = {}
    for name in REVISION_ITEM_FIELDS:
        if name == "accounts":
            accounts = list(item.accounts.order_by("display_name", "pk"))
            data[name] = [a.display_name for a in accounts]
            refs[name] = [a.pk for a in accounts]
        elif name == "images":
            images = _ordered(item.images)
            data[name] = [a.original_name for a in images]
            refs[name] = [a.pk for a in images]
        elif name == "form":
            data[name] = str(item.get_form_display())
            refs[name] = item.form
        elif name == "importance":
            data[name] = str(item.get_importance_display())
            refs[name] = item.importance
        else:
            value = getattr(item, name)
            data[name] = _display(value)
            if isinstance(value, Model):
                refs[name] = value.pk
    variants: dict[str, Any] = {}
    for variant in ContentVariant.objects.filter(item=item).select_related("account").order_by("account_id"):
        entry: dict[str, Any] = {
            "account": variant.account.display_name,
            "platform": str(variant.account.get_platform_display()),
            "version": variant.version,
        }
        for name in REVISION_VARIANT_FIELDS:
            if name == "media":
                entry[name] = [a.original_name for a in _ordered(variant.media)]
            else:
                entry[name] = _display(getattr(variant, name))
        variants[str(variant.account_id)] = entry
    return {"item": data, "refs": refs, "variants": variants, "status": item.status}


def flatten(snapshot: dict[str, Any]) -> dict[str, str]:
    """Every field of a revision as text, keyed "title" or "variants.<account id>.<field>"."""
    out: dict[str, str] = {}
    for name in REVISION_ITEM_FIELDS:
        out[name] = _as_text(snapshot.get("item", {}).get(name, ""))
    for account_id, entry in sorted(snapshot.get("variants", {}).items(), key=lambda kv: int(kv[0])):
        for name in REVISION_VARIANT_FIELDS:
            out[f"variants.{account_id}.{name}"] = _as_text(entry.get(name, ""))
    return out


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return "、".join(_as_text(v) for v in value)
    if isinstance(value, dict):
        return "\n".join(f"{k}: {_as_text(v)}" for k, v in sorted(value.items()))
    return str(value)


def _changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    keys = list(after) + [k for k in before if k not in after]
    return [k for k in keys if before.get(k, "") != after.get(k, "")]


def latest_revision(item: ContentItem) -> Revision | None:
    """The item's newest revision (None for items saved before revisions existed)."""
    return Revision.objects.filter(workspace_id=item.workspace_id, item=item).order_by("-number").first()


def revision_record(*, workspace: Workspace, actor: Any, item: ContentItem, action: str) -> Revision:
    """Snapshot the item and its variants as a new numbered revision (call inside the save's transaction)."""
    ensure_same_workspace(workspace, item, "item")
    # The item's row lock serialises revision numbers of concurrent saves.
    ContentItem.objects.select_for_update().filter(pk=item.pk).values_list("pk", flat=True).first()
    previous = latest_revision(item)
    data = revision_snapshot(item)
    changed = _changed(flatten(previous.snapshot) if previous else {}, flatten(data))
    if previous is None:
        changed = [k for k in changed if flatten(data).get(k)]
    user = _user(actor)
    revision = Revision.objects.create(
        workspace=workspace,
        item=item,
        number=(previous.number + 1) if previous else 1,
        author=user,
        author_name=_name(actor),
        snapshot=data,
        changed_fields=changed,
        action=action[:30],
        item_version=item.version,
    )
    audit_record(
        workspace=workspace,
        actor=actor,
        action="revision.create",
        obj=revision,
        object_repr=f"{item.title[:150]} r{revision.number}",
        after={"number": revision.number, "action": revision.action, "changed_fields": changed},
    )
    return revision


def _run_checks(workspace: Workspace, item: ContentItem) -> list[Any]:
    # The checks live in the same app but are built separately; imported here to keep the modules apart.
    from .checks import run_item_checks

    return list(run_item_checks(workspace=workspace, item=item))


def _has_blocking(workspace: Workspace, item: ContentItem) -> bool:
    from .checks import item_has_blocking_findings

    return bool(item_has_blocking_findings(workspace=workspace, item=item))


def item_saved(*, workspace: Workspace, actor: Any, item: ContentItem, action: str) -> Revision:
    """After every save of an item or a variant: a revision, the checks, and back to review if approved.

    Called by the content services inside their transaction (their permission check covers it).
    """
    revision = revision_record(workspace=workspace, actor=actor, item=item, action=action)
    _run_checks(workspace, item)
    if action == "item.create":
        return revision
    locked = _lock(workspace, item)
    if locked.status in REOPEN_FROM:
        # The approved revision stays marked approved; the new text needs the chain again.
        _set_status(workspace, actor, item, locked, ItemStatus.IN_REVIEW, REOPEN_FROM)
        _start_round(workspace, actor, locked, revision)
    elif locked.status == ItemStatus.IN_REVIEW:
        round_ = _open_round(workspace, locked)
        if round_ is None:
            _start_round(workspace, actor, locked, revision)
        elif _round_needs_restart(workspace, round_, locked):
            # A step already approved an older text, or the chain that applies changed (e.g. the
            # theme now needs an expert): every step must see the new text.
            _close_round(round_, RoundOutcome.RESTARTED)
            _start_round(workspace, actor, locked, revision)
    return revision


# ---- approval chains ------------------------------------------------------------------------


def approval_chain_default(*, workspace: Workspace) -> ApprovalChain:
    """The workspace's default chain, created on first use (编辑审核 → 法务审核, + 专家审核 when required)."""
    chain = ApprovalChain.objects.filter(workspace=workspace, is_default=True).first()
    if chain is not None:
        return chain
    return _create_default_chain(workspace)


@transaction.atomic
def _create_default_chain(workspace: Workspace) -> ApprovalChain:
    chinese = (workspace.locale or "").lower().startswith("zh")
    name = DEFAULT_CHAIN_NAME[0] if chinese else DEFAULT_CHAIN_NAME[1]
    # Another request may have created it in between: the unique constraint makes this safe.
    existing = ApprovalChain.objects.select_for_update().filter(workspace=workspace, is_default=True).first()
    if existing is not None:
        return existing
    if ApprovalChain.objects.filter(workspace=workspace, name=name).exists():
        name = f"{name} ({timezone.now():%Y%m%d%H%M%S})"
    chain = ApprovalChain.objects.create(workspace=workspace, name=name, is_default=True)
    for position, (zh, en, role, expert) in enumerate(DEFAULT_STEPS, start=1):
        ApprovalStep.objects.create(
            workspace=workspace,
            chain=chain,
            position=position,
            name=zh if chinese else en,
            assignee_role=role,
            expert_only=expert,
        )
    audit_record(
        workspace=workspace,
        actor=None,
        action="approval_chain.create",
        obj=chain,
        after=_chain_snapshot(chain),
    )
    return chain


def chain_for_item(*, workspace: Workspace, item: ContentItem) -> ApprovalChain:
    """The chain naming the item's theme, else the default chain."""
    chain = ApprovalChain.objects.filter(workspace=workspace, themes=item.theme_id).order_by("pk").first()
    return chain if chain is not None else approval_chain_default(workspace=workspace)


def _chain_snapshot(chain: ApprovalChain) -> dict[str, Any]:
    data = snapshot(chain)
    data["steps"] = [
        {
            "position": s.position,
            "name": s.name,
            "assignee_role": s.assignee_role,
            "assignee_user": s.assignee_user_id,
            "expert_only": s.expert_only,
        }
        for s in chain.steps.order_by("position")
    ]
    return data


def _id_of(value: Any) -> Any:
    return value.pk if isinstance(value, Model) else value


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def _clean_steps(workspace: Workspace, steps: Any, errors: Errors) -> list[dict[str, Any]]:
    if isinstance(steps, str | bytes) or not isinstance(steps, Iterable):
        _add(errors, "steps", _("Give the steps as a list."))
        return []
    steps = list(steps)[: STEPS_MAX + 1]
    if not steps:
        _add(errors, "steps", _("A chain needs at least one step."))
        return []
    if len(steps) > STEPS_MAX:
        _add(errors, "steps", _("At most %(max)d steps.") % {"max": STEPS_MAX})
        return []
    cleaned: list[dict[str, Any]] = []
    for number, raw in enumerate(steps, start=1):
        if not isinstance(raw, dict):
            _add(errors, "steps", _("Step %(n)d: give name, role or person.") % {"n": number})
            continue
        step_errors: Errors = {}
        name = _text(raw.get("name"), "name", step_errors, max_length=STEP_NAME_MAX, required=True)
        role = raw.get("assignee_role") or ""
        user_id = _id_of(raw.get("assignee_user"))
        expert = raw.get("expert_only", False)
        if not isinstance(expert, bool):
            _add(step_errors, "expert_only", _("Enter true or false."))
        user = None
        if role and user_id:
            _add(step_errors, "assignee", _("Assign the step to a role or to a person, not both."))
        elif not role and not user_id:
            _add(step_errors, "assignee", _("Assign the step to a role or to a person."))
        elif role:
            if role not in REVIEW_ROLES:
                _add(
                    step_errors,
                    "assignee",
                    _("“%(role)s” cannot review content; choose one of: %(roles)s.")
                    % {
                        "role": str(role)[:20],
                        "roles": "、".join(str(Role(r).label) for r in REVIEW_ROLES),
                    },
                )
        else:
            membership = (
                Membership.objects.filter(workspace=workspace, user_id=user_id).select_related("user").first()
                if _is_id(user_id)
                else None
            )
            if membership is None:
                _add(step_errors, "assignee", _("The person must be a member of this workspace."))
            elif not membership.has_perm(Perm.CONTENT_REVIEW):
                _add(
                    step_errors,
                    "assignee",
                    _("%(user)s's role (%(role)s) cannot review content.")
                    % {"user": membership.user.get_username(), "role": membership.get_role_display()},
                )
            elif expert is True and not membership.is_subject_expert:
                _add(
                    step_errors,
                    "assignee",
                    _("%(user)s is not marked as a subject expert, so cannot sign off an expert step.")
                    % {"user": membership.user.get_username()},
                )
            else:
                user = membership.user
        for messages in step_errors.values():
            for message in messages:
                _add(errors, "steps", _("Step %(n)d: %(message)s") % {"n": number, "message": message})
        cleaned.append(
            {
                "name": name,
                "assignee_role": role if not user_id else "",
                "assignee_user": user,
                "expert_only": expert,
            }
        )
    if cleaned and all(s["expert_only"] is True for s in cleaned) and "steps" not in errors:
        _add(
            errors,
            "steps",
            _("At least one step must apply to every item (not only when expert sign-off is needed)."),
        )
    return cleaned


def _clean_themes(
    workspace: Workspace, themes: Any, chain: ApprovalChain | None, errors: Errors
) -> list[Theme]:
    if themes is None:
        return []
    if isinstance(themes, str | bytes) or not isinstance(themes, Iterable):
        _add(errors, "themes", _("Give a list of themes."))
        return []
    ids = []
    for value in list(themes)[:500]:
        value = _id_of(value)
        if value not in ids:
            ids.append(value)
    found = {t.pk: t for t in Theme.objects.filter(workspace=workspace, pk__in=[i for i in ids if _is_id(i)])}
    missing = [i for i in ids if i not in found]
    if missing:
        _add(
            errors,
            "themes",
            _("Unknown themes: %(ids)s.") % {"ids": ", ".join(str(i)[:20] for i in missing[:5])},
        )
        return []
    taken = ApprovalChain.objects.filter(workspace=workspace, themes__in=list(found))
    if chain is not None:
        taken = taken.exclude(pk=chain.pk)
    for other in taken.distinct():
        names = "、".join(t.name for t in other.themes.filter(pk__in=list(found)))
        _add(
            errors,
            "themes",
            _("%(themes)s already follow the chain “%(chain)s”: a theme follows one chain.")
            % {"themes": names, "chain": other.name},
        )
    return [found[i] for i in ids]


def _clean_chain_name(workspace: Workspace, name: Any, chain: ApprovalChain | None, errors: Errors) -> str:
    cleaned = _text(name, "name", errors, max_length=CHAIN_NAME_MAX, required=True)
    others = ApprovalChain.objects.filter(workspace=workspace, name__iexact=cleaned)
    if chain is not None:
        others = others.exclude(pk=chain.pk)
    if cleaned and others.exists():
        _add(errors, "name", _("This workspace already has a chain “%(name)s”.") % {"name": cleaned})
    return cleaned


def _write_steps(workspace: Workspace, chain: ApprovalChain, steps: list[dict[str, Any]]) -> None:
    # Rounds copy their steps, so replacing the chain's steps never changes a review under way.
    chain.steps.all().delete()
    ApprovalStep.objects.bulk_create(
        ApprovalStep(workspace=workspace, chain=chain, position=position, **step)
        for position, step in enumerate(steps, start=1)
    )


@transaction.atomic
def approval_chain_create(
    *,
    workspace: Workspace,
    actor: Any,
    name: str,
    steps: Iterable[dict[str, Any]],
    themes: Iterable[Any] = (),
    is_default: bool = False,
) -> ApprovalChain:
    """Add an approval chain: ordered steps, each for a role or a person; it applies to the given themes."""
    if actor is not None:
        ensure_perm(workspace=workspace, user=actor, perm=Perm.WORKSPACE_MANAGE)
    approval_chain_default(workspace=workspace)
    errors: Errors = {}
    cleaned_name = _clean_chain_name(workspace, name, None, errors)
    cleaned_steps = _clean_steps(workspace, steps, errors)
    cleaned_themes = _clean_themes(workspace, themes, None, errors)
    if not isinstance(is_default, bool):
        _add(errors, "is_default", _("Enter true or false."))
    if errors:
        raise ValidationError(errors)
    if is_default:
        ApprovalChain.objects.filter(workspace=workspace, is_default=True).update(is_default=False)
    chain = ApprovalChain.objects.create(workspace=workspace, name=cleaned_name, is_default=is_default)
    chain.themes.set(cleaned_themes)
    _write_steps(workspace, chain, cleaned_steps)
    audit_record(
        workspace=workspace,
        actor=actor,
        action="approval_chain.create",
        obj=chain,
        after=_chain_snapshot(chain),
    )
    return chain


@transaction.atomic
def approval_chain_update(
    *, workspace: Workspace, actor: Any, chain: ApprovalChain, **fields: Any
) -> ApprovalChain:
    """Rename a chain, make it the default, change its themes or replace its steps."""
    if actor is not None:
        ensure_perm(workspace=workspace, user=actor, perm=Perm.WORKSPACE_MANAGE)
    ensure_same_workspace(workspace, chain, "chain")
    unknown = set(fields) - {"name", "steps", "themes", "is_default"}
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed.")] for f in sorted(unknown)})
    chain.refresh_from_db(fields=["is_default"])
    before = _chain_snapshot(chain)
    errors: Errors = {}
    cleaned: dict[str, Any] = {}
    if "name" in fields:
        cleaned["name"] = _clean_chain_name(workspace, fields["name"], chain, errors)
    if "steps" in fields:
        cleaned["steps"] = _clean_steps(workspace, fields["steps"], errors)
    if "themes" in fields:
        cleaned["themes"] = _clean_themes(workspace, fields["themes"], chain, errors)
    if "is_default" in fields:
        value = fields["is_default"]
        if not isinstance(value, bool):
            _add(errors, "is_default", _("Enter true or false."))
        elif chain.is_default and not value:
            _add(
                errors,
                "is_default",
                _("Every workspace has a default chain: make another chain the default instead."),
            )
        cleaned["is_default"] = value
    if errors:
        raise ValidationError(errors)
    if cleaned.get("is_default") and not chain.is_default:
        ApprovalChain.objects.filter(workspace=workspace, is_default=True).update(is_default=False)
        chain.is_default = True
    if "name" in cleaned:
        chain.name = cleaned["name"]
    chain.save()
    if "themes" in cleaned:
        chain.themes.set(cleaned["themes"])
    if "steps" in cleaned:
        _write_steps(workspace, chain, cleaned["steps"])
    audit_record(
        workspace=workspace,
        actor=actor,
        action="approval_chain.update",
        obj=chain,
        before=before,
        after=_chain_snapshot(chain),
    )
    return chain


@transaction.atomic
def approval_chain_delete(*, workspace: Workspace, actor: Any, chain: ApprovalChain) -> None:
    """Delete a chain other than the default; its themes then follow the default chain."""
    if actor is not None:
        ensure_perm(workspace=workspace, user=actor, perm=Perm.WORKSPACE_MANAGE)
    ensure_same_workspace(workspace, chain, "chain")
    chain.refresh_from_db(fields=["is_default"])  # another save may have moved the default flag
    if chain.is_default:
        raise ValidationError(
            {"chain": [_("The default chain cannot be deleted: make another chain the default first.")]}
        )
    audit_record(
        workspace=workspace,
        actor=actor,
        action="approval_chain.delete",
        obj=chain,
        before=_chain_snapshot(chain),
    )
    chain.delete()


# ---- review rounds ----------------------------------------------------------------------------


def _open_round(workspace: Workspace, item: ContentItem) -> ReviewRound | None:
    return ReviewRound.objects.filter(workspace=workspace, item=item, outcome=RoundOutcome.OPEN).first()


def current_task(round_: ReviewRound | None) -> ReviewTask | None:
    """The step of an open round waiting for a decision."""
    if round_ is None or round_.current_position is None:
        return None
    return (
        ReviewTask.objects.filter(round=round_, position=round_.current_position, state=TaskState.PENDING)
        .select_related("assignee_user")
        .first()
    )


def applicable_steps(*, workspace: Workspace, item: ContentItem) -> list[ApprovalStep]:
    """The steps of the item's chain that apply to it (expert steps only when its theme needs one, and then always one)."""
    chain = chain_for_item(workspace=workspace, item=item)
    expert_needed = Theme.objects.filter(pk=item.theme_id, needs_expert_review=True).exists()
    steps = [s for s in chain.steps.order_by("position") if expert_needed or not s.expert_only]
    if expert_needed and not any(s.expert_only for s in steps):
        # The accuracy sign-off is a rule, not a setting: a chain without an expert step still
        # gets one for themes that need it (the chain's own steps come first).
        chinese = (workspace.locale or "").lower().startswith("zh")
        zh, en, role, _expert = DEFAULT_STEPS[-1]
        steps.append(
            ApprovalStep(
                workspace=workspace,
                chain=chain,
                position=(steps[-1].position + 1) if steps else 1,
                name=zh if chinese else en,
                assignee_role=role,
                expert_only=True,
            )
        )
    return steps


def _signature(rows: Iterable[Any]) -> list[tuple[str, str, Any, bool]]:
    return [(r.name, r.assignee_role, r.assignee_user_id, r.expert_only) for r in rows]


def _round_needs_restart(workspace: Workspace, round_: ReviewRound, item: ContentItem) -> bool:
    tasks = list(round_.tasks.order_by("position"))
    if any(t.state == TaskState.APPROVED for t in tasks):
        return True
    return _signature(tasks) != _signature(applicable_steps(workspace=workspace, item=item))


def _close_round(round_: ReviewRound, outcome: str) -> None:
    round_.outcome = outcome
    round_.current_position = None
    round_.closed_at = timezone.now()
    round_.save(update_fields=["outcome", "current_position", "closed_at"])
    round_.tasks.filter(state=TaskState.PENDING).update(state=TaskState.CANCELLED)


def _start_round(
    workspace: Workspace, actor: Any, item: ContentItem, revision: Revision | None
) -> ReviewRound:
    chain = chain_for_item(workspace=workspace, item=item)
    steps = applicable_steps(workspace=workspace, item=item)
    top = ReviewRound.objects.filter(workspace=workspace, item=item).aggregate(top=Max("number"))["top"]
    round_ = ReviewRound.objects.create(
        workspace=workspace,
        item=item,
        number=(top or 0) + 1,
        chain=chain,
        chain_name=chain.name,
        submitted_by=_user(actor),
        revision=revision,
        current_position=steps[0].position if steps else None,
    )
    ReviewTask.objects.bulk_create(
        ReviewTask(
            workspace=workspace,
            round=round_,
            item=item,
            position=s.position,
            name=s.name,
            assignee_role=s.assignee_role,
            assignee_user_id=s.assignee_user_id,
            expert_only=s.expert_only,
        )
        for s in steps
    )
    task = current_task(round_)
    if task is not None:
        _notify_assignees(workspace, actor, item, task)
    audit_record(
        workspace=workspace,
        actor=actor,
        action="review.submit",
        obj=item,
        after={
            "round": round_.number,
            "chain": chain.name,
            "steps": [s.name for s in steps],
            "revision": revision.number if revision else None,
        },
    )
    return round_


def authors_of(item: ContentItem) -> set[int]:
    """Ids of the item's owner and creator: the people who may not approve it."""
    return {i for i in (item.owner_id, item.created_by_id) if i is not None}


def task_candidates(*, workspace: Workspace, task: ReviewTask, item: ContentItem) -> list[Membership]:
    """Members the step is assigned to (by person or role), who may decide it; authors excluded."""
    members = Membership.objects.filter(workspace=workspace).select_related("user")
    if task.assignee_user_id:
        members = members.filter(user_id=task.assignee_user_id)
    else:
        members = members.filter(role=task.assignee_role)
    if task.expert_only:
        members = members.filter(is_subject_expert=True)
    authors = authors_of(item)
    return [
        m
        for m in members.filter(user__is_active=True)
        if m.has_perm(Perm.CONTENT_REVIEW) and m.user_id not in authors
    ]


def can_decide(*, membership: Membership, task: ReviewTask) -> str | None:
    """None when the member may decide the step, else the reason why not (in the reader's language)."""
    if not membership.has_perm(Perm.CONTENT_REVIEW):
        return _("Your role in this workspace does not allow this.")
    if task.expert_only and not membership.is_subject_expert:
        return _(
            "“%(step)s” is an accuracy sign-off: only members marked as subject experts may decide it."
        ) % {"step": task.name}
    if membership.role == Role.ADMIN:
        return None  # admins may stand in for any assignee
    if task.assignee_user_id and task.assignee_user_id != membership.user_id:
        return _("“%(step)s” is assigned to %(user)s.") % {"step": task.name, "user": task.assignee_label}
    if not task.assignee_user_id and task.assignee_role != membership.role:
        return _("“%(step)s” is for members with the role “%(role)s”.") % {
            "step": task.name,
            "role": task.assignee_label,
        }
    return None


def override_for(
    *, workspace: Workspace, item: ContentItem, revision: Revision | None
) -> ApprovalOverride | None:
    """The admin override given for this revision, if any."""
    if revision is None:
        return None
    return (
        ApprovalOverride.objects.filter(workspace=workspace, item=item, revision=revision)
        .order_by("-id")
        .first()
    )


@transaction.atomic
def item_submit(*, workspace: Workspace, actor: Any, item: ContentItem) -> ReviewRound:
    """Draft or changes requested → in review, starting at the first step of the item's chain."""
    if actor is not None:
        ensure_perm(workspace=workspace, user=actor, perm=Perm.CONTENT_EDIT)
    locked = _lock(workspace, item)
    if locked.status not in SUBMIT_FROM:
        raise _illegal(locked, locked.status, ItemStatus.IN_REVIEW)
    revision = latest_revision(locked) or revision_record(
        workspace=workspace, actor=actor, item=locked, action="item.submit"
    )
    _set_status(workspace, actor, item, locked, ItemStatus.IN_REVIEW, SUBMIT_FROM)
    return _start_round(workspace, actor, locked, revision)


def _decision_context(
    workspace: Workspace, actor: Any, item: ContentItem, target: str
) -> tuple[ContentItem, Membership, ReviewRound, ReviewTask]:
    membership = ensure_perm(workspace=workspace, user=actor, perm=Perm.CONTENT_REVIEW)
    locked = _lock(workspace, item)
    if locked.status not in REVIEW_FROM:
        raise _illegal(locked, locked.status, target)
    round_ = _open_round(workspace, locked)
    task = current_task(round_)
    if round_ is None or task is None:
        # An item left in review without a round (e.g. set by an import): start it now.
        round_ = _start_round(workspace, None, locked, latest_revision(locked))
        task = current_task(round_)
        if task is None:
            raise ValidationError({"item": [_("The approval chain of this item has no step.")]})
    reason = can_decide(membership=membership, task=task)
    if reason is not None:
        raise ValidationError({"step": [reason]})
    return locked, membership, round_, task


def _clean_comment(value: Any, *, required: bool) -> str:
    errors: Errors = {}
    text = _text(value, "comment", errors, max_length=COMMENT_MAX, required=required)
    if errors:
        raise ValidationError(errors)
    return text


@transaction.atomic
def item_approve(*, workspace: Workspace, actor: Any, item: ContentItem, comment: str = "") -> ReviewTask:
    """Approve the current step; the last step's approval makes the item approved.

    Refused for the item's own author, for a member the step is not assigned to, and while the
    item has blocking findings that no admin has overridden for this revision.
    """
    note = _clean_comment(comment, required=False)
    locked, _membership, round_, task = _decision_context(workspace, actor, item, ItemStatus.APPROVED)
    if actor.pk in authors_of(locked):
        raise ValidationError(
            {
                "item": [
                    _("You own or created “%(title)s”: someone else must approve it.")
                    % {"title": locked.title}
                ]
            }
        )
    revision = latest_revision(locked)
    if (
        _has_blocking(workspace, locked)
        and override_for(workspace=workspace, item=locked, revision=revision) is None
    ):
        raise ValidationError(
            {
                "findings": [
                    _(
                        "“%(title)s” has blocking check findings, so it cannot be approved. Fix them, "
                        "or an admin may override them with a written reason."
                    )
                    % {"title": locked.title}
                ]
            }
        )
    now = timezone.now()
    task.state = TaskState.APPROVED
    task.decided_by = actor
    task.decided_at = now
    task.revision = revision
    task.comment = note
    task.save(update_fields=["state", "decided_by", "decided_at", "revision", "comment"])
    if note and revision is not None:
        _comment(workspace, actor, locked, revision, note, CommentKind.APPROVAL)
    following = (
        round_.tasks.filter(state=TaskState.PENDING, position__gt=task.position).order_by("position").first()
    )
    if following is not None:
        round_.current_position = following.position
        round_.save(update_fields=["current_position"])
        _notify_assignees(workspace, actor, locked, following)
    else:
        _close_round(round_, RoundOutcome.APPROVED)
        _set_status(workspace, actor, item, locked, ItemStatus.APPROVED, REVIEW_FROM)
        if revision is not None:
            revision.approved_at = now
            revision.approved_by = actor
            revision.save(update_fields=["approved_at", "approved_by"])
        _notify(workspace, actor, locked, authors_of(locked), NotificationKind.APPROVED, note or task.name)
    audit_record(
        workspace=workspace,
        actor=actor,
        action="review.approve",
        obj=locked,
        after={
            "round": round_.number,
            "step": task.name,
            "revision": revision.number if revision else None,
            "comment": note,
            "final": following is None,
        },
    )
    return task


@transaction.atomic
def item_request_changes(*, workspace: Workspace, actor: Any, item: ContentItem, comment: str) -> ReviewTask:
    """Send the item back to its author with a comment (required); the round ends here."""
    note = _clean_comment(comment, required=True)
    locked, _membership, round_, task = _decision_context(
        workspace, actor, item, ItemStatus.CHANGES_REQUESTED
    )
    revision = latest_revision(locked)
    task.state = TaskState.CHANGES_REQUESTED
    task.decided_by = actor
    task.decided_at = timezone.now()
    task.revision = revision
    task.comment = note
    task.save(update_fields=["state", "decided_by", "decided_at", "revision", "comment"])
    _close_round(round_, RoundOutcome.CHANGES_REQUESTED)
    _set_status(workspace, actor, item, locked, ItemStatus.CHANGES_REQUESTED, REVIEW_FROM)
    if revision is not None:
        _comment(workspace, actor, locked, revision, note, CommentKind.CHANGES_REQUESTED)
    _notify(workspace, actor, locked, authors_of(locked), NotificationKind.CHANGES_REQUESTED, note)
    audit_record(
        workspace=workspace,
        actor=actor,
        action="review.request_changes",
        obj=locked,
        after={"round": round_.number, "step": task.name, "comment": note},
    )
    return task


def _finding_summary(finding: Any) -> dict[str, Any]:
    """The parts of a check finding an override keeps (whatever the checks module names them)."""
    out: dict[str, Any] = {}
    for key, names in {
        "check": ("check_name", "check", "code", "kind", "rule"),
        "severity": ("severity",),
        "message": ("message",),
        "matched": ("matched", "text", "matched_text", "term"),
        "field": ("field",),
        "start": ("start",),
        "end": ("end",),
    }.items():
        for name in names:
            value = getattr(finding, name, None)
            if value is not None and value != "":
                out[key] = value if isinstance(value, int | float | bool) else str(value)[:300]
                break
    return out


@transaction.atomic
def item_override(*, workspace: Workspace, actor: Any, item: ContentItem, reason: str) -> ApprovalOverride:
    """An admin lets the current revision be approved despite its blocking findings, with a written reason."""
    ensure_perm(workspace=workspace, user=actor, perm=Perm.WORKSPACE_MANAGE)
    errors: Errors = {}
    text = _text(reason, "reason", errors, max_length=OVERRIDE_REASON_MAX, required=True)
    if text and len(text) < OVERRIDE_REASON_MIN:
        _add(
            errors,
            "reason",
            _("Explain the override in at least %(min)d characters (this has %(n)d).")
            % {"min": OVERRIDE_REASON_MIN, "n": len(text)},
        )
    if errors:
        raise ValidationError(errors)
    locked = _lock(workspace, item)
    if locked.status not in OVERRIDE_FROM:
        raise ValidationError(
            {
                "status": [
                    _("“%(title)s” is “%(status)s”: an override only applies before approval.")
                    % {"title": locked.title, "status": status_label(locked.status)}
                ]
            }
        )
    revision = latest_revision(locked) or revision_record(
        workspace=workspace, actor=actor, item=locked, action="item.override"
    )
    findings = [f for f in _run_checks(workspace, locked) if getattr(f, "severity", "") == "block"]
    if not findings:
        raise ValidationError(
            {"reason": [_("“%(title)s” has no blocking findings to override.") % {"title": locked.title}]}
        )
    if override_for(workspace=workspace, item=locked, revision=revision) is not None:
        raise ValidationError(
            {"reason": [_("Revision %(n)d already has an override.") % {"n": revision.number}]}
        )
    override = ApprovalOverride.objects.create(
        workspace=workspace,
        item=locked,
        revision=revision,
        actor=_user(actor),
        actor_name=_name(actor),
        reason=text,
        findings=[_finding_summary(f) for f in findings],
    )
    audit_record(
        workspace=workspace,
        actor=actor,
        action="review.override",
        obj=locked,
        after={"revision": revision.number, "reason": text, "findings": override.findings},
    )
    return override


# ---- comments -----------------------------------------------------------------------------


def _ensure_can_comment(workspace: Workspace, actor: Any) -> Membership:
    membership = membership_get(workspace=workspace, user=actor)
    if not (membership.has_perm(Perm.CONTENT_REVIEW) or membership.has_perm(Perm.CONTENT_EDIT)):
        raise PermissionDenied(_("Your role in this workspace does not allow this."))
    return membership


def _comment(
    workspace: Workspace,
    actor: Any,
    item: ContentItem,
    revision: Revision,
    body: str,
    kind: str,
    **passage: Any,
) -> ReviewComment:
    return ReviewComment.objects.create(
        workspace=workspace,
        item=item,
        revision=revision,
        author=_user(actor),
        author_name=_name(actor),
        kind=kind,
        body=body,
        **passage,
    )


def _clean_passage(
    revision: Revision, field: Any, quote: Any, start: Any, end: Any, errors: Errors
) -> dict[str, Any]:
    if not field and quote in (None, "") and start is None and end is None:
        return {}
    texts = flatten(revision.snapshot)
    if not isinstance(field, str) or field not in texts:
        _add(errors, "field", _("Choose a field of this revision."))
        return {}
    text = texts[field]
    bad = [v for v in (start, end) if isinstance(v, bool) or not isinstance(v, int)]
    if bad or start is None or end is None:
        _add(errors, "start", _("Give the passage's start and end (character offsets)."))
        return {}
    if not 0 <= start < end <= len(text):
        _add(
            errors,
            "start",
            _("The passage must lie within the field (0 to %(n)d characters).") % {"n": len(text)},
        )
        return {}
    if quote not in (None, "") and quote != text[start:end]:
        _add(
            errors,
            "quote",
            _("The quoted text is not what revision %(n)d has at that place.") % {"n": revision.number},
        )
        return {}
    return {"field": field, "quote": text[start:end], "start": start, "end": end}


@transaction.atomic
def comment_create(
    *,
    workspace: Workspace,
    actor: Any,
    item: ContentItem,
    revision: Revision,
    body: str,
    field: str = "",
    quote: str = "",
    start: int | None = None,
    end: int | None = None,
) -> ReviewComment:
    """Comment on a revision, or on a passage of one of its fields (quote with its character offsets)."""
    _ensure_can_comment(workspace, actor)
    ensure_same_workspace(workspace, item, "item")
    ensure_same_workspace(workspace, revision, "revision")
    if revision.item_id != item.pk:
        raise ValidationError({"revision": [_("Not found.")]})
    errors: Errors = {}
    text = _text(body, "body", errors, max_length=COMMENT_MAX, required=True)
    passage = _clean_passage(revision, field, quote, start, end, errors)
    if errors:
        raise ValidationError(errors)
    comment = _comment(workspace, actor, item, revision, text, CommentKind.COMMENT, **passage)
    _notify(workspace, actor, item, authors_of(item), NotificationKind.COMMENTED, text)
    audit_record(
        workspace=workspace, actor=actor, action="review_comment.create", obj=comment, after=snapshot(comment)
    )
    return comment


@transaction.atomic
def comment_update(*, workspace: Workspace, actor: Any, comment: ReviewComment, body: str) -> ReviewComment:
    """Reword one's own comment (a decision's note stays as it was given)."""
    _ensure_can_comment(workspace, actor)
    ensure_same_workspace(workspace, comment, "comment")
    if comment.author_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the comment's author may change it."))
    if comment.kind != CommentKind.COMMENT:
        raise ValidationError({"comment": [_("The note of a decision cannot be changed.")]})
    errors: Errors = {}
    text = _text(body, "body", errors, max_length=COMMENT_MAX, required=True)
    if errors:
        raise ValidationError(errors)
    before = snapshot(comment, exclude={"updated_at"})
    comment.body = text
    comment.save(update_fields=["body", "updated_at"])
    audit_record(
        workspace=workspace,
        actor=actor,
        action="review_comment.update",
        obj=comment,
        before=before,
        after=snapshot(comment, exclude={"updated_at"}),
    )
    return comment


@transaction.atomic
def comment_delete(*, workspace: Workspace, actor: Any, comment: ReviewComment) -> None:
    """Delete one's own comment (admins may delete any); decisions' notes stay."""
    membership = _ensure_can_comment(workspace, actor)
    ensure_same_workspace(workspace, comment, "comment")
    if comment.author_id != getattr(actor, "pk", None) and membership.role != Role.ADMIN:
        raise PermissionDenied(_("Only the comment's author or an admin may delete it."))
    if comment.kind != CommentKind.COMMENT:
        raise ValidationError({"comment": [_("The note of a decision cannot be deleted.")]})
    audit_record(
        workspace=workspace,
        actor=actor,
        action="review_comment.delete",
        obj=comment,
        before=snapshot(comment),
    )
    comment.delete()


# ---- notifications --------------------------------------------------------------------------


def _notify(
    workspace: Workspace, actor: Any, item: ContentItem, user_ids: Iterable[int], kind: str, detail: str
) -> list[Notification]:
    me = getattr(_user(actor), "pk", None)
    recipients = set(
        get_user_model()
        .objects.filter(
            pk__in=[u for u in user_ids if u != me], is_active=True, memberships__workspace=workspace
        )
        .values_list("pk", flat=True)
    )
    return Notification.objects.bulk_create(
        Notification(
            workspace=workspace,
            user_id=user_id,
            kind=kind,
            item=item,
            actor_name=_name(actor),
            detail=detail[:NOTIFICATION_DETAIL_MAX],
        )
        for user_id in sorted(recipients)
    )


def _notify_assignees(workspace: Workspace, actor: Any, item: ContentItem, task: ReviewTask) -> None:
    members = task_candidates(workspace=workspace, task=task, item=item)
    _notify(workspace, actor, item, [m.user_id for m in members], NotificationKind.ASSIGNED, task.name)


@transaction.atomic
def notification_mark_read(*, workspace: Workspace, actor: Any, notification: Notification) -> Notification:
    """Mark one of one's own notifications as read."""
    membership_get(workspace=workspace, user=actor)
    if notification.workspace_id != workspace.pk or notification.user_id != actor.pk:
        raise ValidationError({"notification": [_("Not found.")]})
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        audit_record(
            workspace=workspace,
            actor=actor,
            action="notification.read",
            obj=notification,
            after={"read_at": notification.read_at},
        )
    return notification


@transaction.atomic
def notifications_mark_all_read(*, workspace: Workspace, actor: Any) -> int:
    """Mark all of one's unread notifications in the workspace as read; returns how many."""
    membership_get(workspace=workspace, user=actor)
    count = Notification.objects.filter(workspace=workspace, user=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if count:
        audit_record(
            workspace=workspace,
            actor=actor,
            action="notification.read_all",
            object_type="review.notification",
            object_repr=_name(actor),
            after={"count": count},
        )
    return count
