"""Forms of the playbook pages: the editor turns one field per action kind into the action list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from socialops.core.forms import BootstrapFormMixin

from ..models import PlaybookTrigger


class PlaybookForm(BootstrapFormMixin, forms.Form):
    """Create or edit a playbook: segment, trigger, actions, caps and quiet hours."""

    name = forms.CharField(label=_("Name"), max_length=100)
    segment: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Segment or tier"), queryset=None)
    trigger = forms.ChoiceField(label=_("Trigger"), choices=PlaybookTrigger.choices)
    every_days = forms.IntegerField(label=_("Every (days)"), min_value=1, max_value=365, initial=7)
    at_hour = forms.IntegerField(label=_("At hour"), min_value=0, max_value=23, initial=10)
    coupon: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Give a coupon of"), queryset=None, required=False
    )
    tag = forms.CharField(label=_("Tag with"), max_length=30, required=False)
    message: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Send an approved content item"),
        queryset=None,
        required=False,
        help_text=_("Left as a task to send by hand: WeChat mass sends are quota-limited."),
    )
    assign: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Assign to"), queryset=None, required=False
    )
    cap_per_person = forms.IntegerField(
        label=_("Actions per person"), min_value=0, max_value=100, initial=1, help_text=_("0: no cap.")
    )
    cap_days = forms.IntegerField(label=_("Within days"), min_value=1, max_value=365, initial=30)
    quiet_start = forms.IntegerField(label=_("Quiet hours from"), min_value=0, max_value=23, initial=22)
    quiet_end = forms.IntegerField(label=_("Quiet hours until"), min_value=0, max_value=23, initial=8)
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def __init__(
        self, *args: Any, segments: Any, campaigns: Any, items: Any, users: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = segments  # type: ignore[attr-defined]
        self.fields["coupon"].queryset = campaigns  # type: ignore[attr-defined]
        self.fields["message"].queryset = items  # type: ignore[attr-defined]
        self.fields["assign"].queryset = users  # type: ignore[attr-defined]

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as the playbook services take it (the action list built in order)."""
        data = dict(self.cleaned_data)
        actions: list[dict[str, Any]] = []
        if data.pop("coupon", None) is not None:
            actions.append({"type": "coupon", "campaign": self.cleaned_data["coupon"].pk})
        tag = (data.pop("tag", "") or "").strip()
        if tag:
            actions.append({"type": "tag", "tag": tag})
        if data.pop("message", None) is not None:
            actions.append({"type": "message", "item": self.cleaned_data["message"].pk})
        if data.pop("assign", None) is not None:
            actions.append({"type": "assign", "user": self.cleaned_data["assign"].pk})
        data["actions"] = actions
        return data


def initial_from(playbook: Any) -> dict[str, Any]:
    """The form's initial values for an existing playbook (its first action of each kind)."""
    initial = {
        name: getattr(playbook, name)
        for name in (
            "name", "segment", "trigger", "every_days", "at_hour", "cap_per_person", "cap_days",
            "quiet_start", "quiet_end", "enabled",
        )
    }  # fmt: skip
    for action in playbook.actions:
        kind = action.get("type")
        if kind == "coupon":
            initial.setdefault("coupon", action.get("campaign"))
        elif kind == "tag":
            initial.setdefault("tag", action.get("tag"))
        elif kind == "message":
            initial.setdefault("message", action.get("item"))
        elif kind == "assign":
            initial.setdefault("assign", action.get("user"))
    return initial
