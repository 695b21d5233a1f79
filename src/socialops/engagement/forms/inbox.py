"""Forms of the inbox pages: reply, note, thread changes, saved replies, rules and settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import dates
from django.utils.translation import gettext_lazy as _

from socialops.core.forms import BootstrapFormMixin

from ..models import AssignMode, Intent, Priority, RuleChannel, RuleMatch
from ..services.replies import REPLY_LENGTH

# Django's own weekday names (Monday = 0), translated by Django's catalogue.
WEEKDAYS = sorted(dates.WEEKDAYS.items())


def _time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ReplyForm(BootstrapFormMixin, forms.Form):
    """Answer the thread (checked before it is stored)."""

    text = forms.CharField(
        label=_("Reply"),
        max_length=REPLY_LENGTH,
        widget=forms.Textarea(
            attrs={"rows": 3, "data-reply-box": "1", "placeholder": _("Write a reply… (R)")}
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    close = forms.BooleanField(label=_("Close the thread after sending"), required=False)


class NoteForm(BootstrapFormMixin, forms.Form):
    """An internal note (@username tells a colleague)."""

    text = forms.CharField(
        label=_("Internal note"),
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": _("Only the team sees this. @name to mention.")}
        ),
    )


class ThreadForm(BootstrapFormMixin, forms.Form):
    """Owner, priority and tags of a thread."""

    assignee: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Assignee"), queryset=None, required=False, empty_label=_("Nobody")
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separated by commas."), max_length=400
    )

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = users  # type: ignore[attr-defined]

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        tags = [t.strip() for t in data["tags"].replace("，", ",").split(",") if t.strip()]
        return {"assignee": data["assignee"], "priority": data["priority"], "tags": tags}


class SavedReplyForm(BootstrapFormMixin, forms.Form):
    """A saved reply; {昵称} and {优惠码} are filled in when it is used."""

    title = forms.CharField(label=_("Title"), max_length=100)
    body = forms.CharField(
        label=_("Text"),
        max_length=REPLY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Variables: {昵称} the fan's name, {优惠码} a coupon code."),
    )
    account: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Account"), queryset=None, required=False, empty_label=_("Every account")
    )

    def __init__(self, *args: Any, accounts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts  # type: ignore[attr-defined]


class RuleForm(BootstrapFormMixin, forms.Form):
    """An auto-reply rule."""

    name = forms.CharField(label=_("Name"), max_length=100)
    match = forms.ChoiceField(label=_("When"), choices=RuleMatch.choices)
    pattern = forms.CharField(
        label=_("Keyword or pattern"),
        max_length=200,
        required=False,
        help_text=_("For exact, contains and pattern rules; a pattern is a regular expression."),
    )
    channel = forms.ChoiceField(label=_("Answers"), choices=RuleChannel.choices)
    reply_text = forms.CharField(
        label=_("Reply"),
        max_length=REPLY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Checked like every reply. {昵称} is the fan's name."),
    )
    account: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Account"), queryset=None, required=False, empty_label=_("Every account")
    )
    active_from = forms.TimeField(label=_("On from"), required=False, widget=_time_input())
    active_to = forms.TimeField(label=_("On until"), required=False, widget=_time_input())
    position = forms.IntegerField(label=_("Order"), min_value=0, max_value=10_000, initial=0)
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def __init__(self, *args: Any, accounts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts  # type: ignore[attr-defined]


class SettingsForm(BootstrapFormMixin, forms.Form):
    """Working hours, response targets, assignment and alert levels."""

    work_start = forms.TimeField(label=_("Working day starts"), widget=_time_input())
    work_end = forms.TimeField(label=_("Working day ends"), widget=_time_input())
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Working weekdays"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    respect_holidays = forms.BooleanField(
        label=_("Follow the official holiday calendar (days off and 调休 workdays)"), required=False
    )
    urgent_minutes = forms.IntegerField(label=_("Urgent: answer within (minutes)"), min_value=1)
    high_minutes = forms.IntegerField(label=_("High: answer within (minutes)"), min_value=1)
    normal_minutes = forms.IntegerField(label=_("Normal: answer within (minutes)"), min_value=1)
    low_minutes = forms.IntegerField(label=_("Low: answer within (minutes)"), min_value=1)
    targets_in_working_hours = forms.BooleanField(
        label=_("Count targets in working hours only"), required=False
    )
    assign_mode = forms.ChoiceField(label=_("Assign new threads"), choices=AssignMode.choices)
    high_value_threshold = forms.DecimalField(
        label=_("High-value fan from (expected 90-day value, yuan)"), min_value=0, decimal_places=2
    )
    spike_factor = forms.FloatField(label=_("Spike: times the usual level"), min_value=1, max_value=100)
    spike_minimum = forms.IntegerField(label=_("Spike: at least (negative messages per hour)"), min_value=1)
    webhook_url = forms.CharField(
        label=_("Webhook URL"),
        required=False,
        max_length=500,
        help_text=_("A signed POST on every new fan message and every missed target (https; blank: off)."),
    )
    webhook_secret = forms.CharField(
        label=_("Webhook signing secret"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("At least 16 characters; blank keeps the stored one."),
    )


class AssignmentRuleForm(BootstrapFormMixin, forms.Form):
    """Send matching new threads to one member."""

    account: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Account"), queryset=None, required=False, empty_label=_("Any account")
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("Any")), ("zh", _("Chinese")), ("en", _("English"))],
        required=False,
    )
    intent = forms.ChoiceField(label=_("Intent"), choices=[("", _("Any")), *Intent.choices], required=False)
    tier: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Tier"), queryset=None, required=False, empty_label=_("Any tier")
    )
    assignee: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Assign to"), queryset=None)
    position = forms.IntegerField(label=_("Order"), min_value=0, max_value=10_000, initial=0)

    def __init__(self, *args: Any, accounts: Any, tiers: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts  # type: ignore[attr-defined]
        self.fields["tier"].queryset = tiers  # type: ignore[attr-defined]
        self.fields["assignee"].queryset = users  # type: ignore[attr-defined]
