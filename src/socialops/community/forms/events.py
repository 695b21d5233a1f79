"""Forms of the event pages: an event's details, and the public registration form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from socialops.core.forms import BootstrapFormMixin
from socialops.engagement.models.campaigns import Campaign

from ..models.events import EventKind, EventStatus


def _when() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class EventForm(BootstrapFormMixin, forms.Form):
    """An event's details (the service checks them together)."""

    title = forms.CharField(label=_("Title"), max_length=150)
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    link = forms.CharField(label=_("Online link"), max_length=500, required=False)
    venue = forms.CharField(label=_("Venue"), max_length=300, required=False)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=_when())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=_when())
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=100_000)
    registration_opens_at = forms.DateTimeField(label=_("Registration opens"), required=False, widget=_when())
    registration_closes_at = forms.DateTimeField(
        label=_("Registration closes"), required=False, widget=_when()
    )
    reminder_hours = forms.IntegerField(
        label=_("Remind hours before"),
        min_value=0,
        max_value=24 * 14,
        initial=24,
        help_text=_("0: no reminder."),
    )
    campaign: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=EventStatus.choices, initial=EventStatus.PUBLISHED)
    description = forms.CharField(
        label=_("Description"), max_length=10_000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, workspace: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["campaign"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Campaign.objects.filter(workspace=workspace).order_by("-start_date", "name")


class RegisterForm(BootstrapFormMixin, forms.Form):
    """The public registration form: a name, a mobile number, an optional email for the reminder."""

    name = forms.CharField(label=_("Name"), max_length=100)
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("Email (optional, for the reminder)"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
