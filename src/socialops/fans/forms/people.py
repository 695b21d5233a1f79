"""Forms of the people pages: the fan list's filters and the merge picker."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from socialops.core.forms import BootstrapFormMixin

from ..selectors.people import SORT_ACTIVE, SORT_SPEND, SORT_VALUE

SORT_CHOICES = [
    (SORT_VALUE, _("Predicted 90-day value")),
    (SORT_ACTIVE, _("Last active")),
    (SORT_SPEND, _("Total spend")),
]
_PERSON_ID = re.compile(r"#?\s*0*(\d{1,18})")


class PersonFilterForm(BootstrapFormMixin, forms.Form):
    """Search, tier, account, platform and sort of the fan list (a GET form: bad values mean "any")."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    tier = forms.TypedChoiceField(label=_("Tier"), required=False, coerce=int, empty_value=None)
    account = forms.TypedChoiceField(label=_("Account"), required=False, coerce=int, empty_value=None)
    platform = forms.ChoiceField(label=_("Platform"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args: Any, choices: dict[str, Any], identify: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything = ("", _("All"))
        choice_fields = {
            name: cast(forms.ChoiceField, self.fields[name]) for name in ("tier", "account", "platform")
        }
        choice_fields["tier"].choices = [anything, *[(t.pk, t.name) for t in choices["tiers"]]]
        choice_fields["account"].choices = [
            anything,
            *[(a.pk, f"{a.display_name} · {a.get_platform_display()}") for a in choices["accounts"]],
        ]
        choice_fields["platform"].choices = [anything, *choices["platforms"]]
        # Only members who may see identities can search by them; the others by pseudonym.
        placeholder = _("Name, handle, customer id or #id") if identify else _("Pseudonym, e.g. #000123")
        self.fields["q"].widget.attrs["placeholder"] = placeholder

    def filters(self) -> dict[str, Any]:
        """The valid filters as person_list arguments (invalid ones dropped)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "q": data.get("q") or "",
            "tier": data.get("tier"),
            "account": data.get("account"),
            "platform": data.get("platform") or "",
            "sort": data.get("sort") or SORT_VALUE,
        }


class PersonMergeForm(BootstrapFormMixin, forms.Form):
    """The other person to merge into this one, by id or pseudonym."""

    other = forms.CharField(
        label=_("Person to merge into this one"),
        max_length=30,
        help_text=_(
            "Their id or pseudonym, e.g. #000123. Their fans, interactions, orders and coupons move here."
        ),
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)

    def clean_other(self) -> int:
        match = _PERSON_ID.fullmatch(self.cleaned_data["other"].strip())
        if not match or not 0 < int(match.group(1)) < 2**63:
            raise forms.ValidationError(_("Enter a person's id, e.g. #000123."))
        return int(match.group(1))
