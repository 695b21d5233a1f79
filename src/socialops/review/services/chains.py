"""Approval chains (R2.8): ordered steps, each for a role or a person, and who may decide a step.

Decisions (documented in docs/review-workflow.md): nobody approves an item they own or created,
admins included (four eyes); an admin may decide any step in place of its assignee, but an
expert step always needs a member marked as subject expert.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.content.models import ContentItem, Theme
from socialops.core.validation import Errors, refuse_unknown_fields
from socialops.core.validation import add_error as _add
from socialops.core.validation import clean_text as _text
from socialops.workspaces.access import ensure_same_workspace, require_perm
from socialops.workspaces.audit import audit_delete, audit_saved, snapshot
from socialops.workspaces.models import Membership, Workspace
from socialops.workspaces.roles import Perm, Role, role_has

from ..models.workflow import (
    ApprovalChain,
    ApprovalStep,
    ReviewTask,
)

CHAIN_NAME_MAX = 100


STEP_NAME_MAX = 100


STEPS_MAX = 20


# Roles a step may be assigned to: those whose members may review content.
REVIEW_ROLES = tuple(r for r in Role.values if role_has(r, Perm.CONTENT_REVIEW))


# The default chain, named in the workspace's language: (Chinese, English, role, expert only).
DEFAULT_STEPS: tuple[tuple[str, str, str, bool], ...] = (
    ("编辑审核", "Editorial review", Role.REVIEWER, False),
    ("法务审核", "Legal review", Role.REVIEWER, False),
    ("专家审核", "Subject-expert review", Role.REVIEWER, True),
)


DEFAULT_CHAIN_NAME = ("默认审核流程", "Default approval chain")


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
    audit_saved(chain, workspace=workspace, actor=None, action="approval_chain.create", snap=_chain_snapshot)
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


# Long on purpose: validates every field of every step and collects all messages at once, so the
# form shows each problem beside its step; the checks share the step's cleaned values.
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


@transaction.atomic(durable=True)
def approval_chain_create(
    *,
    workspace: Workspace,
    actor: Any,
    name: str,
    steps: Iterable[dict[str, Any]],
    themes: Iterable[Any] = (),
    is_default: bool = False,
    distinct_reviewers: bool = True,
) -> ApprovalChain:
    """Add an approval chain: ordered steps, each for a role or a person; it applies to the given themes."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.WORKSPACE_MANAGE)
    approval_chain_default(workspace=workspace)
    errors: Errors = {}
    cleaned_name = _clean_chain_name(workspace, name, None, errors)
    cleaned_steps = _clean_steps(workspace, steps, errors)
    cleaned_themes = _clean_themes(workspace, themes, None, errors)
    if not isinstance(is_default, bool):
        _add(errors, "is_default", _("Enter true or false."))
    if not isinstance(distinct_reviewers, bool):
        _add(errors, "distinct_reviewers", _("Enter true or false."))
    if errors:
        raise ValidationError(errors)
    if is_default:
        ApprovalChain.objects.filter(workspace=workspace, is_default=True).update(is_default=False)
    chain = ApprovalChain.objects.create(
        workspace=workspace, name=cleaned_name, is_default=is_default, distinct_reviewers=distinct_reviewers
    )
    chain.themes.set(cleaned_themes)
    _write_steps(workspace, chain, cleaned_steps)
    audit_saved(chain, workspace=workspace, actor=actor, action="approval_chain.create", snap=_chain_snapshot)
    return chain


@transaction.atomic(durable=True)
def approval_chain_update(
    *, workspace: Workspace, actor: Any, chain: ApprovalChain, **fields: Any
) -> ApprovalChain:
    """Rename a chain, make it the default, change its themes or replace its steps."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.WORKSPACE_MANAGE)
    ensure_same_workspace(workspace, chain, "chain")
    refuse_unknown_fields(fields, {"name", "steps", "themes", "is_default", "distinct_reviewers"})
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
    if "distinct_reviewers" in fields:
        if not isinstance(fields["distinct_reviewers"], bool):
            _add(errors, "distinct_reviewers", _("Enter true or false."))
        else:
            cleaned["distinct_reviewers"] = fields["distinct_reviewers"]
    if errors:
        raise ValidationError(errors)
    if cleaned.get("is_default") and not chain.is_default:
        ApprovalChain.objects.filter(workspace=workspace, is_default=True).update(is_default=False)
        chain.is_default = True
    if "name" in cleaned:
        chain.name = cleaned["name"]
    if "distinct_reviewers" in cleaned:
        chain.distinct_reviewers = cleaned["distinct_reviewers"]
    chain.save()
    if "themes" in cleaned:
        chain.themes.set(cleaned["themes"])
    if "steps" in cleaned:
        _write_steps(workspace, chain, cleaned["steps"])
    audit_saved(
        chain,
        workspace=workspace,
        actor=actor,
        action="approval_chain.update",
        before=before,
        snap=_chain_snapshot,
    )
    return chain


@transaction.atomic(durable=True)
def approval_chain_delete(*, workspace: Workspace, actor: Any, chain: ApprovalChain) -> None:
    """Delete a chain other than the default; its themes then follow the default chain."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.WORKSPACE_MANAGE)
    ensure_same_workspace(workspace, chain, "chain")
    chain.refresh_from_db(fields=["is_default"])  # another save may have moved the default flag
    if chain.is_default:
        raise ValidationError(
            {"chain": [_("The default chain cannot be deleted: make another chain the default first.")]}
        )
    audit_delete(
        chain, workspace=workspace, actor=actor, action="approval_chain.delete", snap=_chain_snapshot
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
