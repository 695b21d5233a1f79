"""Forms of the lucky-draw pages (the rules live in the services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from socialops.core.forms import BootstrapFormMixin

from ..models.draws import DEFAULT_MESSAGE
from ..services.draws import MAX_WINNERS


def _datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class DrawForm(BootstrapFormMixin, forms.Form):
    """Create or edit a lucky draw: the prize, the close time and the rules of entry."""

    name = forms.CharField(label=_("Name"), max_length=150)
    prize = forms.CharField(label=_("Prize"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    winners_count = forms.IntegerField(
        label=_("Number of winners"), min_value=1, max_value=MAX_WINNERS, initial=1
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at"),
        widget=_datetime_input(),
        help_text=_("The entrant list is frozen at this time and published with its SHA-256."),
    )
    campaign: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Campaign"), queryset=None, required=False
    )
    coupon_campaign: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Coupon prize"),
        queryset=None,
        required=False,
        help_text=_("Each winner gets one code of this coupon campaign."),
    )
    accounts: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("Accounts"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The follow and keyword rules look at these accounts (none: all our accounts)."),
    )
    require_follow = forms.BooleanField(label=_("Must follow one of the accounts"), required=False)
    keyword = forms.CharField(
        label=_("Keyword in a comment"),
        max_length=50,
        required=False,
        help_text=_("Comments, replies and mentions on the accounts containing it count as an entry."),
    )
    keyword_from = forms.DateTimeField(
        label=_("Keyword counts from"), widget=_datetime_input(), required=False,
        help_text=_("Blank: from the draw's creation."),
    )  # fmt: skip
    keyword_until = forms.DateTimeField(
        label=_("Keyword counts until"), widget=_datetime_input(), required=False,
        help_text=_("Blank: until the close time."),
    )  # fmt: skip
    poll_id = forms.IntegerField(label=_("Answered poll (number)"), min_value=1, required=False)
    segment: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("In tier or segment"), queryset=None, required=False
    )
    staff_identities = forms.CharField(
        label=_("Staff excluded"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The team's platform user ids or handles, one a line: these people cannot win."),
    )
    message = forms.CharField(
        label=_("Message to winners"),
        max_length=1000,
        required=False,
        initial=DEFAULT_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Variables: {昵称} {抽奖} {奖品} {优惠码} {编号} {验证链接}."),
    )

    def __init__(
        self, *args: Any, campaigns: Any, coupon_campaigns: Any, accounts: Any, segments: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns  # type: ignore[attr-defined]
        self.fields["coupon_campaign"].queryset = coupon_campaigns  # type: ignore[attr-defined]
        self.fields["accounts"].queryset = accounts  # type: ignore[attr-defined]
        self.fields["segment"].queryset = segments  # type: ignore[attr-defined]
