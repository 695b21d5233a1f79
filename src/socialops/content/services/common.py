"""What the theme, item and variant services share: the permission prelude, id checks, versions.

Items and variants carry a version: a save based on an older version is refused with who
changed it and when, so two people editing the same article never silently overwrite each
other. Every save of an item or a variant ends with ``after_save``, which lets higher apps
(review: revision, checks, back to review) react inside the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.accounts.models import SocialAccount
from socialops.core.validation import Errors
from socialops.core.validation import add_error as _add
from socialops.workspaces.models import AuditEntry, Workspace

from .. import hooks
from ..models import ContentItem


class VersionConflict(ValidationError):
    """A save based on an older version than the stored one (someone else saved in between)."""


def set_ordered(manager: Any, objects: list[Any]) -> None:
    """Replace a many-to-many set keeping the given order (the through rows' ids record it).

    ``add(*objects)`` inserts in no particular order, and a short post's nine images must
    appear in the order the writer chose, so they are added one by one.
    """
    manager.clear()
    for obj in objects:
        manager.add(obj)


def clean_bool(value: Any, field: str, errors: Errors) -> bool:
    """``value`` when it is a real bool, else a field error (forms and JSON both send bools)."""
    if not isinstance(value, bool):
        _add(errors, field, _("Enter true or false."))
        return False
    return value


def id_of(value: Any) -> Any:
    """A model instance or an id → the id (what callers pass differs: forms objects, API ids)."""
    return value.pk if isinstance(value, Model) else value


def is_id(value: Any) -> bool:
    """True for a positive whole number that fits a database id."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def check_our_account(workspace: Workspace, account: Any, field: str = "account") -> SocialAccount:
    """``account`` if it is one of this workspace's own (non-competitor) accounts, else a field error."""
    if not isinstance(account, SocialAccount) or account.workspace_id != workspace.pk:
        raise ValidationError({field: [_("Not found.")]})
    if account.is_competitor:
        raise ValidationError(
            {
                field: [
                    _("“%(name)s” is a competitor's account, not one of ours.")
                    % {"name": account.display_name}
                ]
            }
        )
    return account


def _last_change(workspace: Workspace, obj: Model) -> tuple[str, dt.datetime | None]:
    """Who saved the object last and when, from the audit log (every save writes one entry)."""
    entry = (
        AuditEntry.objects.filter(
            workspace=workspace, object_type=obj._meta.label_lower, object_id=str(obj.pk)
        )
        .order_by("-id")  # insertion order: the last save, even if clocks disagree
        .first()
    )
    if entry is None:
        return "", getattr(obj, "updated_at", None)
    return entry.actor_name, entry.created_at


def _conflict(workspace: Workspace, actor: Any, obj: Model, expected: Any, current: int) -> VersionConflict:
    who, when = _last_change(workspace, obj)
    if actor is not None and who and who == getattr(actor, "username", None):
        who = _("you (in another window)")
    elif not who or who == "system":
        who = _("an automatic process") if who == "system" else _("someone else")
    when_text = timezone.localtime(when, workspace.tz).strftime("%Y-%m-%d %H:%M") if when else "?"
    message = _(
        "“%(title)s” was changed by %(who)s at %(when)s since you opened it "
        "(you edited version %(expected)s, it is now version %(current)d). Nothing was saved: "
        "keep your text, open the current version and apply your changes to it."
    ) % {"title": str(obj)[:80], "who": who, "when": when_text, "expected": expected, "current": current}
    return VersionConflict({"version": [message]}, code="conflict")


def _locked_version(model: type[Model], obj: Model) -> int:
    """Lock the row for this transaction and return its stored version."""
    row = model._default_manager.select_for_update().filter(pk=obj.pk).values_list("version", flat=True)  # type: ignore[attr-defined]
    version = row.first()
    if version is None:
        raise ValidationError({"version": [_("This was deleted in the meantime.")]})
    return int(version)


def check_expected_version(
    workspace: Workspace, actor: Any, model: type[Model], obj: Model, expected_version: Any
) -> None:
    """Lock ``obj``'s row and refuse the save when it was saved since ``expected_version``."""
    if not is_id(expected_version):
        raise ValidationError({"version": [_("Give the version you edited (a whole number).")]})
    current = _locked_version(model, obj)
    if current != expected_version:
        raise _conflict(workspace, actor, obj, expected_version, current)


def after_save(workspace: Workspace, actor: Any, item: ContentItem, action: str) -> None:
    """Tell higher apps an item or one of its variants was saved (review records a revision, runs the checks).

    Runs in the save's transaction: a save without its revision and findings never lands.
    """
    hooks.item_saved.send(workspace=workspace, actor=actor, item=item, action=action)
