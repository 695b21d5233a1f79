"""Writes on group moderation: the workspace's moderation settings (audited)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from socialops.core.validation import Errors, add_error, refuse_unknown_fields
from socialops.workspaces.access import require_perm
from socialops.workspaces.audit import audit_delete, audit_saved, edit_snapshot
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from ..models.moderation import ModerationSettings
from ..moderation.rules import RULES

SETTINGS_FIELDS = (
    "enabled_rules", "banned_words", "allowed_domains", "allowed_contacts", "repeat_count",
    "repeat_window_minutes", "flood_per_minute", "new_member_hours", "mute_after_strikes", "mute_hours",
    "remove_after_strikes",
)  # fmt: skip
#: (low, high) of each whole-number setting.
LIMITS = {
    "repeat_count": (2, 50),
    "repeat_window_minutes": (1, 1440),
    "flood_per_minute": (2, 200),
    "new_member_hours": (1, 720),
    "mute_after_strikes": (1, 20),
    "mute_hours": (1, 720),
    "remove_after_strikes": (2, 50),
}
MAX_WORDS = 1000
WORD_MAX_LENGTH = 50
_DOMAIN = re.compile(r"^(?=.{3,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _settings_row(workspace: Workspace) -> ModerationSettings:
    """The workspace's settings row, locked for update (made with the defaults on first write)."""
    row = ModerationSettings.objects.select_for_update().filter(workspace=workspace).first()
    if row is None:
        try:
            with transaction.atomic():
                row = ModerationSettings.objects.create(workspace=workspace)
        except IntegrityError:
            row = ModerationSettings.objects.select_for_update().get(workspace=workspace)
    return row


def _whole(value: Any, field: str, errors: Errors) -> int | None:
    low, high = LIMITS[field]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        add_error(
            errors, field, _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
        )
        return None
    return value


def _lines(value: Any, field: str, errors: Errors) -> list[str] | None:
    """A list of distinct non-empty entries (a list, or text with one entry a line)."""
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        add_error(errors, field, _("Give a list of entries, one a line."))
        return None
    out: list[str] = []
    for raw in value:
        entry = raw.strip()
        if entry and entry not in out:
            out.append(entry)
    if len(out) > MAX_WORDS:
        add_error(errors, field, _("Give at most %(n)d entries.") % {"n": MAX_WORDS})
        return None
    long = [e for e in out if len(e) > WORD_MAX_LENGTH]
    if long:
        add_error(
            errors,
            field,
            _("Entries have at most %(n)d characters: %(entry)s")
            % {"n": WORD_MAX_LENGTH, "entry": long[0][:60]},
        )
        return None
    return out


def _domains(value: Any, errors: Errors) -> list[str] | None:
    """Domains as hosts (a pasted https://www.example.com/path becomes example.com)."""
    entries = _lines(value, "allowed_domains", errors)
    if entries is None:
        return None
    out: list[str] = []
    for entry in entries:
        host = re.sub(r"^[a-z]+://", "", entry.lower()).split("/")[0].split(":")[0].removeprefix("www.")
        if not _DOMAIN.match(host):
            add_error(
                errors,
                "allowed_domains",
                _("%(entry)s is not a domain such as example.com.") % {"entry": entry},
            )
            return None
        if host not in out:
            out.append(host)
    return out


@transaction.atomic
def moderation_settings_update(*, workspace: Workspace, actor: Any, **fields: Any) -> ModerationSettings:
    """Change the groups' moderation rules, word lists, thresholds or strike ladder (audited; all or nothing)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.COMMUNITY_MODERATE)
    refuse_unknown_fields(fields, SETTINGS_FIELDS)
    row = _settings_row(workspace)
    before = edit_snapshot(row)
    errors: Errors = {}
    if "enabled_rules" in fields:
        chosen = fields["enabled_rules"]
        if not isinstance(chosen, list | tuple) or not all(isinstance(r, str) and r in RULES for r in chosen):
            add_error(errors, "enabled_rules", _("Choose rules from the list."))
        else:
            row.enabled_rules = [r for r in RULES if r in chosen]
    for name in ("banned_words", "allowed_contacts"):
        if name in fields:
            entries = _lines(fields[name], name, errors)
            if entries is not None:
                setattr(row, name, entries)
    if "allowed_domains" in fields:
        domains = _domains(fields["allowed_domains"], errors)
        if domains is not None:
            row.allowed_domains = domains
    for name in LIMITS:
        if name in fields:
            value = _whole(fields[name], name, errors)
            if value is not None:
                setattr(row, name, value)
    if not errors and row.remove_after_strikes <= row.mute_after_strikes:
        add_error(errors, "remove_after_strikes", _("Removal must come at a later strike than muting."))
    if errors:
        raise ValidationError(errors)
    row.save()
    audit_saved(
        row,
        workspace=workspace,
        actor=actor,
        action="community.moderation_settings",
        before=before,
        snap=edit_snapshot,
    )
    return row


@transaction.atomic
def moderation_settings_reset(*, workspace: Workspace, actor: Any) -> None:
    """Go back to the default moderation settings (the saved row is deleted, audited)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.COMMUNITY_MODERATE)
    row = ModerationSettings.objects.select_for_update().filter(workspace=workspace).first()
    if row is not None:
        audit_delete(
            row,
            workspace=workspace,
            actor=actor,
            action="community.moderation_settings_reset",
            snap=edit_snapshot,
        )
