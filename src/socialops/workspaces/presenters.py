"""The audit log in words: who did what to which object, when (local time), and what changed.

Entries store codes (``placement.move``, ``content.placement``, field names, ids); a manager
reads them here in their own language. Object types and fields are named by the models' own
verbose names, choice values by their labels and references by the row they point to, so no
app needs to be imported (the registry knows every model).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from .models import AuditEntry

# The last part of an action code → the verb, in the reader's language.
VERBS = {
    "create": pgettext_lazy("audit", "created"),
    "add": pgettext_lazy("audit", "added"),
    "update": pgettext_lazy("audit", "changed"),
    "edit": pgettext_lazy("audit", "changed"),
    "set": pgettext_lazy("audit", "set"),
    "delete": pgettext_lazy("audit", "deleted"),
    "remove": pgettext_lazy("audit", "removed"),
    "move": pgettext_lazy("audit", "moved"),
    "lock": pgettext_lazy("audit", "locked"),
    "unlock": pgettext_lazy("audit", "unlocked"),
    "status": pgettext_lazy("audit", "changed the status of"),
    "submit": pgettext_lazy("audit", "submitted for review"),
    "approve": pgettext_lazy("audit", "approved a review step of"),
    "request_changes": pgettext_lazy("audit", "asked for changes to"),
    "override": pgettext_lazy("audit", "overrode the blocking findings of"),
    "schedule": pgettext_lazy("audit", "scheduled"),
    "reschedule": pgettext_lazy("audit", "rescheduled"),
    "cancel": pgettext_lazy("audit", "cancelled"),
    "generate": pgettext_lazy("audit", "generated"),
    "upload": pgettext_lazy("audit", "uploaded"),
    "import": pgettext_lazy("audit", "imported"),
    "refresh": pgettext_lazy("audit", "refreshed"),
    "issue": pgettext_lazy("audit", "issued"),
    "redeem": pgettext_lazy("audit", "redeemed"),
    "run": pgettext_lazy("audit", "ran"),
    "bulk_upsert": pgettext_lazy("audit", "imported"),
    "urgent_insert": pgettext_lazy("audit", "inserted an urgent item into"),
    "manual_posted": pgettext_lazy("audit", "marked as posted by hand"),
    "connect": pgettext_lazy("audit", "connected"),
    "test": pgettext_lazy("audit", "tested"),
    "pause": pgettext_lazy("audit", "paused"),
    "resume": pgettext_lazy("audit", "resumed"),
    "reply": pgettext_lazy("audit", "replied to"),
    "assign": pgettext_lazy("audit", "assigned"),
    "close": pgettext_lazy("audit", "closed"),
    "reopen": pgettext_lazy("audit", "reopened"),
}
SYSTEM_NAME = gettext_lazy("System")
# Field names the models leave unnamed (a foreign key without a verbose name), in words.
FIELD_WORDS = {
    "item": gettext_lazy("Item"),
    "account": gettext_lazy("Account"),
    "accounts": gettext_lazy("Accounts"),
    "placement": gettext_lazy("Placement"),
    "variant": gettext_lazy("Variant"),
    "owner": gettext_lazy("Owner"),
    "theme": gettext_lazy("Theme"),
    "user": gettext_lazy("User"),
    "plan_run": gettext_lazy("Plan run"),
    "created_by": gettext_lazy("Created by"),
    "round": gettext_lazy("Review round"),
    "step": gettext_lazy("Step"),
    "comment": gettext_lazy("Comment"),
    "final": gettext_lazy("Last step"),
    "revision": gettext_lazy("Revision"),
    "chain": gettext_lazy("Approval chain"),
    "steps": gettext_lazy("Steps"),
}
# Labels for stored codes of fields without choices, registered by the app that owns the model
# (content registers its items' workflow states): {(object type, field): {code: label}}.
VALUE_LABELS: dict[tuple[str, str], Any] = {}


def register_value_labels(object_type: str, field: str, labels: Any) -> None:
    """Let the audit log name the codes of ``object_type.field`` (called from an AppConfig.ready())."""
    VALUE_LABELS[(object_type, field)] = labels


EMPTY = "—"
# Fields that say nothing to a reader (bookkeeping every row has).
HIDDEN_FIELDS = {"id", "workspace", "created_at", "updated_at", "version", "explanation"}
MAX_VALUE = 120


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_type_label(object_type: str) -> str:
    """``content.placement`` → the model's name in the reader's language (else the code)."""
    model = _model(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


def action_label(action: str, object_type: str = "") -> str:
    """``placement.move`` → "moved · 排位": the verb in words and what it was done to."""
    verb_code = action.rsplit(".", 1)[-1]
    verb = VERBS.get(verb_code)
    thing = object_type_label(object_type) if object_type else ""
    if verb is None:
        return action
    return f"{verb} {thing}".strip()


def _field(model: type[models.Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def field_label(model: type[models.Model] | None, name: str) -> str:
    """A stored field name in words: the model field's verbose name (else the name)."""
    field = _field(model, name)
    label = getattr(field, "verbose_name", None)
    if name in FIELD_WORDS and (not label or str(label) == name.replace("_", " ")):
        return str(FIELD_WORDS[name])
    return str(label) if label else name.replace("_", " ")


class _Refs:
    """Rows referred to by id, looked up once per page."""

    def __init__(self) -> None:
        self.cache: dict[tuple[Any, Any], str] = {}

    def name(self, model: type[models.Model], pk: Any) -> str:
        key = (model, str(pk))
        if key not in self.cache:
            try:
                row = model._default_manager.filter(pk=pk).first()
            except (ValueError, TypeError):
                row = None
            self.cache[key] = str(row) if row is not None else f"#{pk}"
        return self.cache[key]


def _iso_time(value: str, tz: Any) -> str | None:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if "T" not in value and len(value) == 10:
        return moment.strftime("%Y-%m-%d")
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment, tz)
    return moment.strftime("%Y-%m-%d %H:%M")


def value_text(model: type[models.Model] | None, name: str, value: Any, refs: _Refs, tz: Any) -> str:
    """One stored value in words: yes/no, choice labels, referenced rows, local times, lists."""
    field = _field(model, name)
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    codes = VALUE_LABELS.get((model._meta.label_lower, name)) if model is not None else None
    if codes and isinstance(value, str) and value in codes:
        return str(codes[value])
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    choices = dict(getattr(field, "flatchoices", None) or [])
    if choices and not isinstance(value, list | dict) and value in choices:
        return str(choices[value])
    related = getattr(field, "related_model", None)
    if related is not None and related is not AuditEntry:
        if isinstance(value, list) and all(isinstance(v, int | str) for v in value):
            return ", ".join(refs.name(related, v) for v in value[:10]) or EMPTY
        if isinstance(value, int | str):
            return refs.name(related, value)
    if isinstance(value, str):
        if len(value) >= 10 and value[4:5] == "-" and value[:4].isdigit():
            moment = _iso_time(value, tz)
            if moment is not None:
                return moment
        return value if len(value) <= MAX_VALUE else value[: MAX_VALUE - 1] + "…"
    if isinstance(value, list):
        return ", ".join(value_text(None, "", v, refs, tz) for v in value[:10]) or EMPTY
    if isinstance(value, dict):
        parts = [f"{k}: {value_text(None, '', v, refs, tz)}" for k, v in list(value.items())[:8]]
        return "; ".join(parts)
    if isinstance(value, int | float):
        return f"{value:,}" if isinstance(value, int) and abs(value) >= 10000 else str(value)
    return str(value)


def changes(entry: AuditEntry, refs: _Refs, tz: Any) -> list[dict[str, str]]:
    """What changed, field by field: [{field, before, after}] (a creation lists what was set)."""
    model = _model(entry.object_type)
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    rows = []
    names = list(dict.fromkeys([*before, *after]))
    # PostgreSQL's jsonb does not keep key order: list the model's fields in their declared order,
    # then any other key by name, so the same change reads the same on every store.
    order = {f.name: i for i, f in enumerate(model._meta.get_fields())} if model is not None else {}
    names.sort(key=lambda n: (order.get(n.removesuffix("_id"), len(order)), n))
    for name in names:
        if name in HIDDEN_FIELDS:
            continue
        old, new = before.get(name), after.get(name)
        if entry.before is not None and entry.after is not None and old == new:
            continue
        row = {
            "field": field_label(model, name),
            "before": value_text(model, name, old, refs, tz) if entry.before is not None else "",
            "after": value_text(model, name, new, refs, tz) if entry.after is not None else "",
        }
        if row["before"] == EMPTY and row["after"] in (EMPTY, ""):
            continue
        if entry.before is None and row["after"] == EMPTY:
            continue
        rows.append(row)
    return rows


def audit_rows(entries: Iterable[AuditEntry], tz: Any) -> list[dict[str, Any]]:
    """Entries as a manager reads them: local time, who, the action in words, the object, the changes."""
    refs = _Refs()
    rows = []
    for entry in entries:
        rows.append(
            {
                "entry": entry,
                "when": timezone.localtime(entry.created_at, tz).strftime("%Y-%m-%d %H:%M"),
                "who": entry.actor_name if entry.actor_name and entry.actor_name != "system" else SYSTEM_NAME,
                "action": action_label(entry.action, entry.object_type),
                "type": object_type_label(entry.object_type),
                "object": entry.object_repr,
                "changes": changes(entry, refs, tz),
            }
        )
    return rows
