"""Forms of the metrics page: filter, file upload, and one day entered by hand."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from socialops.accounts.models import SocialAccount
from socialops.core.forms import BootstrapFormMixin
from socialops.core.imports import INT32_MAX, INT64_MAX

from ..imports import METRIC_FIELDS, REVENUE_MAX_DIGITS
from ..models import MetricSnapshot

_BIG_FIELDS = {"impressions", "reach"}


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class AccountChoiceField(forms.ModelChoiceField):
    """Accounts shown by display name and platform, competitors marked."""

    def label_from_instance(self, obj: Any) -> str:
        label = f"{obj.display_name} · {obj.get_platform_display()} · @{obj.handle}"
        return f"{label} ({_('competitor')})" if obj.is_competitor else label


class _AccountsForm(BootstrapFormMixin, forms.Form):
    """A form whose ``account`` field offers the accounts the view passes in."""

    account_empty_label: Any = None  # the blank choice's label; None keeps Django's "---------"

    def __init__(self, *args: Any, accounts: QuerySet[SocialAccount], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["account"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = accounts
        if self.account_empty_label is not None:
            field.empty_label = self.account_empty_label


class MetricFilterForm(_AccountsForm):
    """Which account and which days the page shows."""

    account = AccountChoiceField(queryset=SocialAccount.objects.none(), required=False, label=_("Account"))
    since = forms.DateField(required=False, label=_("From"), widget=_DateInput())
    until = forms.DateField(required=False, label=_("To"), widget=_DateInput())
    account_empty_label = _("All accounts")


class MetricImportForm(_AccountsForm):
    """A CSV or XLSX file of daily figures, with an optional account for rows that name none."""

    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV or XLSX with a header row: date, account (id or handle) and any figures, "
            "e.g. 日期, 账号, 粉丝总数, 新增粉丝, 曝光量."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    account = AccountChoiceField(
        queryset=SocialAccount.objects.none(),
        required=False,
        label=_("Default account"),
        help_text=_("Used for rows that name no account (or when the file has no account column)."),
    )
    account_empty_label = _("From the file")


class SnapshotForm(_AccountsForm):
    """One account's figures for one day; a blank box means unknown, not zero."""

    account = AccountChoiceField(queryset=SocialAccount.objects.none(), label=_("Account"))
    date = forms.DateField(label=_("Date"), widget=_DateInput())

    def __init__(self, *args: Any, accounts: QuerySet[SocialAccount], **kwargs: Any) -> None:
        super().__init__(*args, accounts=accounts, **kwargs)
        for name in METRIC_FIELDS:
            label = getattr(MetricSnapshot._meta.get_field(name), "verbose_name", name)
            if name == "revenue":
                self.fields[name] = forms.DecimalField(
                    label=label, required=False, min_value=0, max_digits=REVENUE_MAX_DIGITS, decimal_places=2
                )
            else:
                self.fields[name] = forms.IntegerField(
                    label=label,
                    required=False,
                    min_value=0,
                    max_value=INT64_MAX if name in _BIG_FIELDS else INT32_MAX,
                )
            self.fields[name].widget.attrs["class"] = "form-control"

    def values(self) -> dict[str, Any]:
        """The figures as the service takes them (every field, blank = None)."""
        return {name: self.cleaned_data.get(name) for name in METRIC_FIELDS}
