"""Forms of the account and persona pages (they only parse input; the services validate it)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from socialops.core.forms import BootstrapFormMixin

from .models import AgeBand, CityTier, Persona, Platform, SocialAccount

# Chinese writers separate lists with 、 or full-width commas as often as with ASCII commas.
_LABEL_SEPARATORS = re.compile(r"[,，、;；\n]+")
_HOUR_TOKEN = re.compile(r"^(\d{1,2})(?:\s*[-–~～]\s*(\d{1,2}))?$")


class LabelListField(forms.CharField):
    """Short labels typed on one line, separated by commas (or 、，; or new lines)."""

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [part.strip() for part in _LABEL_SEPARATORS.split(text) if part.strip()]

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        return value


def _hour_ranges(hours: list[int]) -> str:
    """[8, 12, 13, 20, 21, 22] → "8, 12-13, 20-22"."""
    parts: list[str] = []
    ordered = sorted(set(hours))
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}-{ordered[j]}")
        i = j + 1
    return ", ".join(parts)


class HoursField(forms.CharField):
    """Hours of the day as "8, 12-13, 20-22"; a range may wrap past midnight ("22-1")."""

    default_error_messages = {
        "invalid": _("Write hours like 8, 12-13, 20-22 (whole hours from 0 to 23)."),
    }

    def to_python(self, value: Any) -> list[int]:  # type: ignore[override]
        text = super().to_python(value) or ""
        hours: list[int] = []
        for token in _LABEL_SEPARATORS.split(text):
            token = token.strip()
            if not token:
                continue
            match = _HOUR_TOKEN.match(token)
            if match is None:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            first = int(match.group(1))
            last = int(match.group(2)) if match.group(2) is not None else first
            if first > 23 or last > 23:
                # Passed on as typed: the service names the bad hour in its message.
                hours.extend({first, last})
                continue
            hour = first
            hours.append(hour)
            while hour != last:
                hour = (hour + 1) % 24
                hours.append(hour)
        return hours

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return _hour_ranges([int(v) for v in value])
        return value


class CheckboxRow(forms.CheckboxSelectMultiple):
    """Checkboxes side by side, marked up as Bootstrap form-checks."""

    template_name = "accounts/widgets/checkboxes.html"
    option_template_name = "accounts/widgets/checkbox_option.html"


class AccountForm(BootstrapFormMixin, forms.Form):
    """Create or edit an account's profile."""

    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    handle = forms.CharField(
        label=_("Handle"), max_length=100, help_text=_("The account's ID or user name on the platform.")
    )
    display_name = forms.CharField(label=_("Display name"), max_length=100)
    is_competitor = forms.BooleanField(label=_("This is a competitor's account"), required=False)
    url = forms.URLField(label=_("Profile URL"), required=False, assume_scheme="https")
    positioning = forms.CharField(
        label=_("Positioning"),
        max_length=200,
        required=False,
        help_text=_("One line that says what the account stands for, e.g. “科技前沿，品质生活”."),
    )
    brand_traits = LabelListField(
        label=_("Brand traits"),
        required=False,
        help_text=_("Up to 20 short traits separated by commas, e.g. professional, warm, witty."),
    )
    market_position = forms.CharField(
        label=_("Market position"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    style_rules = forms.CharField(
        label=_("Content style rules"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What every post should and should not do: format, length, visuals, words to avoid."),
    )
    tone = forms.CharField(label=_("Tone of voice"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    @classmethod
    def initial_for(cls, account: SocialAccount) -> dict[str, Any]:
        return {name: getattr(account, name) for name in cls.base_fields}


class PersonaForm(BootstrapFormMixin, forms.Form):
    """Create or edit a target-audience persona."""

    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("e.g. “一线城市白领妈妈”."))
    age_band = forms.ChoiceField(label=_("Age band"), choices=AgeBand.choices)
    female_share = forms.IntegerField(label=_("Share of women (%)"), min_value=0, max_value=100, initial=50)
    city_tiers = forms.MultipleChoiceField(
        label=_("City tiers"), choices=CityTier.choices, required=False, widget=CheckboxRow
    )
    interests = LabelListField(
        label=_("Interests"), required=False, help_text=_("Up to 20 short interests separated by commas.")
    )
    active_hours = HoursField(
        label=_("Active hours"),
        required=False,
        help_text=_("When this audience is online, e.g. 7-8, 12, 20-23 (24-hour clock)."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Each option of a checkbox list is a checkbox, not a text box.
        self.fields["city_tiers"].widget.attrs["class"] = "form-check-input"

    @classmethod
    def initial_for(cls, persona: Persona) -> dict[str, Any]:
        return {name: getattr(persona, name) for name in cls.base_fields}
