"""Revisions (R2.8): a numbered snapshot of an item and its variants after every save, as a person reads it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.content.models import ContentItem, ContentVariant
from socialops.content.services.items import ITEM_FIELDS
from socialops.core.actors import user_or_none
from socialops.workspaces.access import ensure_same_workspace
from socialops.workspaces.audit import audit_record
from socialops.workspaces.models import Workspace

from ..models.workflow import (
    Revision,
)
from ._common import actor_name

# Fields of an item and of a variant kept in a revision (their display values): every field
# an item edit can change, so a revision never misses one.
REVISION_ITEM_FIELDS = ITEM_FIELDS


REVISION_VARIANT_FIELDS = ("title", "body", "digest", "author", "hashtags", "link_url", "media", "extra")


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
    user = user_or_none(actor)
    revision = Revision.objects.create(
        workspace=workspace,
        item=item,
        number=(previous.number + 1) if previous else 1,
        author=user,
        author_name=actor_name(actor),
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
