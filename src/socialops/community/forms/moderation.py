"""Forms of the moderation pages: the settings, and a message to try against them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from socialops.core.forms import BootstrapFormMixin

from ..moderation.rules import RULE_LABELS, RULES
from ..services.moderation import LIMITS


class RuleCheckboxes(forms.CheckboxSelectMultiple):
    """One Bootstrap form-check a line."""

    template_name = "community/widgets/checkboxes.html"
    option_template_name = "community/widgets/checkbox_option.html"


def _lines_field(label: Any, help_text: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, help_text=help_text, widget=forms.Textarea(attrs={"rows": 5})
    )


def _whole(label: Any, name: str) -> forms.IntegerField:
    low, high = LIMITS[name]
    return forms.IntegerField(label=label, min_value=low, max_value=high)


class ModerationSettingsForm(BootstrapFormMixin, forms.Form):
    """Which rules are on, the word lists, the thresholds and the strike ladder."""

    enabled_rules = forms.MultipleChoiceField(
        label=_("Rules in force"),
        required=False,
        choices=[(r, RULE_LABELS[r]) for r in RULES],
        widget=RuleCheckboxes,
    )
    banned_words = _lines_field(
        _("Banned words"),
        _("One a line. Matched without spaces, symbols, case, full-width or traditional characters."),
    )
    allowed_domains = _lines_field(
        _("Our domains"), _("One a line, e.g. example.com: links to them and their subdomains are allowed.")
    )
    allowed_contacts = _lines_field(
        _("Our contacts"), _("One a line: our own phone numbers and WeChat or QQ IDs, allowed in messages.")
    )
    repeat_count = _whole(_("Repeats: the same message this many times"), "repeat_count")
    repeat_window_minutes = _whole(_("Repeats: within (minutes)"), "repeat_window_minutes")
    flood_per_minute = _whole(_("Flooding: more than (messages per minute)"), "flood_per_minute")
    new_member_hours = _whole(_("New members: no links or contacts for (hours)"), "new_member_hours")
    mute_after_strikes = _whole(_("Mute from strike"), "mute_after_strikes")
    mute_hours = _whole(_("Mute for (hours)"), "mute_hours")
    remove_after_strikes = _whole(_("Remove from the group from strike"), "remove_after_strikes")

    LIST_FIELDS = ("banned_words", "allowed_domains", "allowed_contacts")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Checkboxes, not text boxes (the mixin gives every multiple-choice widget form-control).
        self.fields["enabled_rules"].widget.attrs["class"] = "form-check-input"

    @classmethod
    def initial_from(cls, row: Any) -> dict[str, Any]:
        """The form's initial values from a settings row (lists as one entry a line)."""
        initial = {name: getattr(row, name) for name in cls.base_fields}
        for name in cls.LIST_FIELDS:
            initial[name] = "\n".join(initial[name])
        return initial

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as the service takes it (lists as lists)."""
        data = dict(self.cleaned_data)
        for name in self.LIST_FIELDS:
            data[name] = data[name].splitlines()
        return data


class TryMessageForm(BootstrapFormMixin, forms.Form):
    """A message to run through the rules (nothing is stored)."""

    text = forms.CharField(
        label=_("Message"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    has_image_qr = forms.BooleanField(label=_("It has an image with a QR code"), required=False)
