"""Writes on content themes (内容主题) and each account's target theme mix (R2.1).

Every function checks Perm.CONTENT_EDIT (unless the actor is the system), validates with
field-named messages and writes an audit entry in the same transaction.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from socialops.accounts.models import SocialAccount
from socialops.core.validation import Errors, protected_delete_error, refuse_unknown_fields
from socialops.core.validation import add_error as _add
from socialops.core.validation import clean_text as _text
from socialops.workspaces.access import ensure_same_workspace, require_perm
from socialops.workspaces.audit import audit_delete, audit_record, audit_saved, snapshot
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from ..models import ContentItem, Theme, ThemeTarget
from .common import check_our_account, clean_bool, is_id

THEME_NAME_MAX = 50
THEME_DESCRIPTION_MAX = 2000
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")

# (key, Chinese name, English name, colour, needs expert review): the seed plan's five themes.
DEFAULT_THEMES: tuple[tuple[str, str, str, str, bool], ...] = (
    ("industry_news", "行业动态", "Industry news", "#1f77b4", False),
    ("product", "产品介绍", "Product introductions", "#ff7f0e", False),
    ("user_stories", "用户故事", "User stories", "#2ca02c", False),
    ("expert", "专家观点", "Expert opinions", "#9467bd", True),
    ("tips", "实用技巧", "Practical tips", "#17becf", False),
)
THEME_FIELDS = ("name", "color", "description", "needs_expert_review", "position")


def _clean_theme(
    workspace: Workspace, data: dict[str, Any], errors: Errors, theme: Theme | None
) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if "name" in data:
        name = _text(data["name"], "name", errors, max_length=THEME_NAME_MAX, required=True)
        others = Theme.objects.filter(workspace=workspace, name__iexact=name)
        if theme is not None:
            others = others.exclude(pk=theme.pk)
        clash = others.exists()
        if name and clash:
            _add(errors, "name", _("This workspace already has a theme “%(name)s”.") % {"name": name})
        cleaned["name"] = name
    if "color" in data:
        color = data["color"]
        if not isinstance(color, str) or not COLOR_RE.match(color.strip()):
            _add(errors, "color", _("Use a colour like #1f77b4."))
        else:
            cleaned["color"] = color.strip().lower()
    if "description" in data:
        cleaned["description"] = _text(
            data["description"], "description", errors, max_length=THEME_DESCRIPTION_MAX
        )
    if "needs_expert_review" in data:
        cleaned["needs_expert_review"] = clean_bool(
            data["needs_expert_review"], "needs_expert_review", errors
        )
    if "position" in data and data["position"] is not None:
        position = data["position"]
        if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position <= 1000:
            _add(errors, "position", _("Enter a whole number from 0 to 1000."))
        else:
            cleaned["position"] = position
    return cleaned


def _next_theme_position(workspace: Workspace) -> int:
    top = Theme.objects.filter(workspace=workspace).aggregate(top=Max("position"))["top"]
    return 0 if top is None else min(int(top) + 1, 1000)


@transaction.atomic
def theme_create(
    *,
    workspace: Workspace,
    actor: Any,
    name: str,
    color: str = "#1f77b4",
    description: str = "",
    needs_expert_review: bool = False,
    position: int | None = None,
) -> Theme:
    """Add a content theme (内容主题) with its calendar colour."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    errors: Errors = {}
    cleaned = _clean_theme(
        workspace,
        {
            "name": name,
            "color": color,
            "description": description,
            "needs_expert_review": needs_expert_review,
            "position": position,
        },
        errors,
        None,
    )
    if errors:
        raise ValidationError(errors)
    cleaned.setdefault("position", _next_theme_position(workspace))
    theme = Theme.objects.create(workspace=workspace, **cleaned)
    audit_saved(theme, workspace=workspace, actor=actor, action="theme.create")
    return theme


@transaction.atomic
def theme_update(*, workspace: Workspace, actor: Any, theme: Theme, **fields: Any) -> Theme:
    """Rename a theme, change its colour, description, order or expert sign-off."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    ensure_same_workspace(workspace, theme, "theme")
    refuse_unknown_fields(fields, THEME_FIELDS)
    errors: Errors = {}
    cleaned = _clean_theme(workspace, fields, errors, theme)
    if errors:
        raise ValidationError(errors)
    before = snapshot(theme)
    for key, value in cleaned.items():
        setattr(theme, key, value)
    theme.save()
    audit_saved(theme, workspace=workspace, actor=actor, action="theme.update", before=before)
    return theme


@transaction.atomic
def theme_delete(*, workspace: Workspace, actor: Any, theme: Theme) -> None:
    """Delete a theme no content item uses and no account's target mix gives a share."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    ensure_same_workspace(workspace, theme, "theme")
    items = list(
        ContentItem.objects.filter(workspace=workspace, theme=theme).values_list("title", flat=True)[:4]
    )
    if items:
        count = ContentItem.objects.filter(workspace=workspace, theme=theme).count()
        shown = "、".join(f"“{t}”" for t in items[:3])
        raise ValidationError(
            {
                "theme": [
                    _(
                        "“%(theme)s” cannot be deleted: %(count)d content items use it (%(items)s). "
                        "Move them to another theme first."
                    )
                    % {"theme": theme.name, "count": count, "items": shown}
                ]
            }
        )
    targeted = list(
        ThemeTarget.objects.filter(workspace=workspace, theme=theme, share__gt=0)
        .select_related("account")
        .order_by("account__display_name")
    )
    if targeted:
        names = "、".join(t.account.display_name for t in targeted[:5])
        raise ValidationError(
            {
                "theme": [
                    _(
                        "“%(theme)s” cannot be deleted: it has a target share in the mix of %(accounts)s. "
                        "Set those accounts' target shares without it first."
                    )
                    % {"theme": theme.name, "accounts": names}
                ]
            }
        )
    try:
        audit_delete(theme, workspace=workspace, actor=actor, action="theme.delete")
    except (ProtectedError, RestrictedError) as exc:
        # Records that keep the theme on purpose (its items, other apps' rows) block the deletion.
        message = _("This theme cannot be deleted while it still has %(kinds)s.")
        raise protected_delete_error(exc, "theme", message) from exc


@transaction.atomic
def themes_create_defaults(*, workspace: Workspace, actor: Any) -> list[Theme]:
    """Add the five default themes the workspace lacks, named in its language; returns those added."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    chinese = (workspace.locale or "").lower().startswith("zh")
    existing = {n.lower() for n in Theme.objects.filter(workspace=workspace).values_list("name", flat=True)}
    position = _next_theme_position(workspace)
    created: list[Theme] = []
    for _key, zh_name, en_name, color, expert in DEFAULT_THEMES:
        # Either language's name counts as present, so switching the workspace language never duplicates.
        if zh_name.lower() in existing or en_name.lower() in existing:
            continue
        theme = Theme.objects.create(
            workspace=workspace,
            name=zh_name if chinese else en_name,
            color=color,
            needs_expert_review=expert,
            position=position,
        )
        position = min(position + 1, 1000)
        audit_saved(theme, workspace=workspace, actor=actor, action="theme.create")
        created.append(theme)
    return created


@transaction.atomic
def theme_targets_set(
    *, workspace: Workspace, actor: Any, account: SocialAccount, shares: dict[int, int]
) -> dict[int, int]:
    """Set an account's target theme mix (percent per theme id, summing to 100); empty = equal shares."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    check_our_account(workspace, account)
    if not isinstance(shares, dict):
        raise ValidationError({"shares": [_("Give a share per theme.")]})
    themes = {t.pk: t for t in Theme.objects.filter(workspace=workspace)}
    errors: Errors = {}
    cleaned: dict[int, int] = {}
    for key, value in shares.items():
        theme_id = int(key) if isinstance(key, str) and key.isdigit() and len(key) < 19 else key
        if not is_id(theme_id) or theme_id not in themes:
            _add(errors, "shares", _("Unknown theme: %(id)s.") % {"id": str(key)[:20]})
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            _add(
                errors,
                f"share_{theme_id}",
                _("The share of “%(theme)s” must be a whole percentage from 0 to 100.")
                % {"theme": themes[theme_id].name},
            )
            continue
        if value:
            cleaned[theme_id] = value
    total = sum(cleaned.values())
    if not errors and cleaned and total != 100:
        _add(
            errors,
            "shares",
            _("The shares must add up to 100%% (they add up to %(total)d%%).") % {"total": total},
        )
    if errors:
        raise ValidationError(errors)
    existing = ThemeTarget.objects.filter(workspace=workspace, account=account)
    before = {str(t.theme_id): t.share for t in existing}
    existing.delete()
    ThemeTarget.objects.bulk_create(
        ThemeTarget(workspace=workspace, account=account, theme_id=theme_id, share=share)
        for theme_id, share in sorted(cleaned.items())
    )
    audit_record(
        workspace=workspace,
        actor=actor,
        action="theme_targets.set",
        obj=account,
        before={"shares": before},
        after={"shares": {str(k): v for k, v in sorted(cleaned.items())}},
    )
    return dict(sorted(cleaned.items()))
