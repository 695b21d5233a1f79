"""Forms of the coupon pages (the rules live in the services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from socialops.core.forms import BootstrapFormMixin

from ..models import CodeSource


def _datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CampaignForm(BootstrapFormMixin, forms.Form):
    """Create or edit a coupon campaign."""

    name = forms.CharField(label=_("Name"), max_length=100)
    account: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Account credited"), queryset=None)
    strategy: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Strategy"), queryset=None, required=False
    )
    value = forms.DecimalField(label=_("Value (yuan)"), max_digits=10, decimal_places=2, min_value=0)
    min_spend = forms.DecimalField(
        label=_("Minimum spend"), max_digits=10, decimal_places=2, min_value=0, initial=0
    )
    valid_from = forms.DateTimeField(label=_("Valid from"), widget=_datetime_input())
    valid_until = forms.DateTimeField(label=_("Valid until"), widget=_datetime_input())
    budget_count = forms.IntegerField(
        label=_("Coupons budgeted"), min_value=0, help_text=_("The most coupons that may be issued.")
    )
    code_source = forms.ChoiceField(label=_("Codes"), choices=CodeSource.choices)
    code_prefix = forms.CharField(label=_("Code prefix"), max_length=8, required=False)

    def __init__(self, *args: Any, accounts: Any, strategies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts  # type: ignore[attr-defined]
        self.fields["strategy"].queryset = strategies  # type: ignore[attr-defined]


class CodesImportForm(BootstrapFormMixin, forms.Form):
    """Platform codes for an imported pool: pasted, one a line, or a CSV/XLSX file (first column)."""

    text = forms.CharField(
        label=_("Codes, one a line"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    file = forms.FileField(label=_("or a file"), required=False)


class RedemptionsImportForm(BootstrapFormMixin, forms.Form):
    """A CSV/XLSX of redemptions: code, order_id, amount, time."""

    file = forms.FileField(label=_("File (code, order_id, amount, time)"))


class RedeemForm(BootstrapFormMixin, forms.Form):
    """Enter one redemption by hand."""

    code = forms.CharField(label=_("Code"), max_length=40)
    order_id = forms.CharField(label=_("Order id"), max_length=100, required=False)
    order_amount = forms.DecimalField(
        label=_("Order amount"), max_digits=14, decimal_places=2, required=False
    )
