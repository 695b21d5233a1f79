"""Forms of the segment builder: the segment's fields, and its conditions posted as numbered rows.

The builder posts one row per condition (``c-<i>-field``, ``-op``, ``-value``, ``-days``,
``-kind``) under a ``match`` of "all" or "any"; a nested group (from the API or the default
ladder) travels whole as JSON in ``c-<i>-group`` so the page keeps it. Validation of the rules
lives in fans.rules and the services; this module only turns the rows into a rule tree and back.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from socialops.core.forms import BootstrapFormMixin

from .. import rules as rules_mod
from ..models import SegmentKind

MAX_ROWS = rules_mod.MAX_CONDITIONS


class SegmentForm(BootstrapFormMixin, forms.Form):
    """A segment's name, description, colour, and for tiers the rank."""

    name = forms.CharField(label=_("Name"), max_length=60)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=SegmentKind.choices, initial=SegmentKind.SEGMENT)
    rank = forms.IntegerField(
        label=_("Rank in the ladder"),
        required=False,
        min_value=0,
        max_value=1000,
        help_text=_("Tiers only: a person lands in the first tier (lowest rank) whose rules match."),
    )
    color = forms.CharField(
        label=_("Colour"), required=False, max_length=7, widget=forms.TextInput(attrs={"type": "color"})
    )


def _value(field: rules_mod.RuleField | None, raw: str) -> Any:
    """A posted value in the type the rules expect (validation reports what cannot be read)."""
    raw = raw.strip()
    if field is None:
        return raw
    if field.type == "bool":
        return raw in ("true", "1", "yes", "on")
    if field.type in ("account", "segment") and raw.isdigit():
        return int(raw)
    if field.numeric:
        try:
            number = float(raw)
        except ValueError:
            return raw
        return int(number) if number.is_integer() and field.type != "probability" else number
    return raw


def rules_from_post(data: Any) -> dict[str, Any]:
    """The rule tree the builder's rows describe (rows removed with ``remove`` left out)."""
    match = data.get("match") if data.get("match") in ("all", "any") else "all"
    try:
        count = min(int(data.get("rows", 0)), MAX_ROWS)
    except (TypeError, ValueError):
        count = 0
    removed = str(data.get("remove", ""))
    nodes: list[Any] = []
    for i in range(count):
        if str(i) == removed:
            continue
        group = data.get(f"c-{i}-group")
        if group:
            try:
                nodes.append(json.loads(group))
            except ValueError:
                continue
            continue
        key = data.get(f"c-{i}-field", "")
        if not key:
            continue
        field = rules_mod.FIELDS.get(key)
        cond: dict[str, Any] = {
            "field": key,
            "op": data.get(f"c-{i}-op", "") or (field.ops[0] if field else ""),
        }
        cond["value"] = _value(field, data.get(f"c-{i}-value", ""))
        if field is not None and "days" in field.params:
            days = data.get(f"c-{i}-days", "") or "30"
            cond["days"] = int(days) if str(days).isdigit() else days
        if field is not None and "kind" in field.params and data.get(f"c-{i}-kind"):
            cond["kind"] = data.get(f"c-{i}-kind")
        if field is not None and cond["op"] not in field.ops:
            cond["op"] = field.ops[0]
        nodes.append(cond)
    if data.get("add") and len(nodes) < MAX_ROWS:
        nodes.append({"field": "interactions_30d", "op": "gte", "value": 1})
    return {match: nodes}


def builder_rows(rules: Any) -> tuple[str, list[dict[str, Any]]]:
    """("all"|"any", rows) for the builder template: a row is a condition or a nested group."""
    group = rules_mod.rules_group(rules)
    if group is None:
        return "all", []
    match, children = group
    rows: list[dict[str, Any]] = []
    for child in children:
        if rules_mod.rules_group(child) is not None:
            rows.append(
                {"group": json.dumps(child, ensure_ascii=False), "text": rules_mod.rules_describe(child)}
            )
        elif isinstance(child, dict):
            field = rules_mod.FIELDS.get(child.get("field", ""))
            rows.append({**child, "spec": field, "bool_value": child.get("value") is True})
    return match, rows
