"""Forms of the goal and strategy pages (validation of the rules lives in the services)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from socialops.core.forms import BootstrapFormMixin

from ..metrics import CATALOGUE
from ..models import GoalKind, StrategyKind


class MetricSelect(forms.Select):
    """A metric select whose options carry the goal kinds they suit (data-kinds), for goal_form.js."""

    def create_option(
        self,
        name: str,
        value: Any,
        label: int | str,
        selected: bool,
        index: int,
        subindex: int | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        metric = CATALOGUE.get(str(value))
        if metric is not None:
            option["attrs"]["data-kinds"] = " ".join(metric.kinds)
            option["attrs"]["title"] = str(metric.description)
        return option


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GoalForm(BootstrapFormMixin, forms.Form):
    """Create or edit a goal; the metric list narrows to the chosen kind (goal_form.js)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=GoalKind.choices)
    name = forms.CharField(label=_("Name"), max_length=150)
    metric = forms.ChoiceField(
        label=_("Metric"),
        widget=MetricSelect(attrs={"data-filter-by-kind": "id_kind"}),
        help_text=_("Only the metrics that suit the chosen kind are offered."),
    )
    baseline = forms.DecimalField(
        label=_("Baseline"),
        max_digits=16,
        decimal_places=4,
        initial=0,
        help_text=_(
            "Where you start from (for totals such as new followers: last period's figure, for comparison). "
            "Rates are fractions: 0.035 = 3.5%."
        ),
    )
    target = forms.DecimalField(label=_("Target"), max_digits=16, decimal_places=4)
    period_start = forms.DateField(label=_("Start"), widget=_date_input())
    period_end = forms.DateField(label=_("End"), widget=_date_input())
    owner: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Owner"), queryset=None, required=False
    )
    accounts: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("Accounts"),
        queryset=None,
        required=False,
        help_text=_("Leave empty to count all our own accounts."),
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, users: Any, accounts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        metric_field: forms.ChoiceField = self.fields["metric"]  # type: ignore[assignment]
        metric_field.choices = [(m.key, str(m.label)) for m in CATALOGUE.values() if m.kinds]
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = _user_queryset(users)
        cast(forms.ModelMultipleChoiceField, self.fields["accounts"]).queryset = accounts


def _user_queryset(users: Any) -> Any:
    # The members come as a list (workspaces.selectors.member_users); a choice field needs a
    # queryset to validate against, restricted to exactly those users and in the same order.
    return get_user_model().objects.filter(pk__in=[u.pk for u in users]).order_by("username")


class StrategyForm(BootstrapFormMixin, forms.Form):
    """Create or edit a strategy and the goals it serves."""

    kind = forms.ChoiceField(label=_("Kind"), choices=StrategyKind.choices)
    name = forms.CharField(label=_("Name"), max_length=150)
    goals: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("Goals"), queryset=None, help_text=_("The effect is measured on these goals' metrics.")
    )
    start_date = forms.DateField(label=_("Start"), widget=_date_input())
    end_date = forms.DateField(label=_("End"), widget=_date_input())
    owner: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Owner"), queryset=None, required=False
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, users: Any, goals: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["goals"]).queryset = goals
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = _user_queryset(users)
