"""Forms of the plan pages: cadence, capacity, generating a plan, placing by hand, urgent insertion."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from socialops.core.forms import BootstrapFormMixin

from .. import planner
from ..models import CadenceRule, ContentForm, HolidayMode

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class LocalDateTimeField(forms.DateTimeField):
    """A wall-clock time without a zone: the services read it in the workspace's time zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]

    def to_python(self, value: Any) -> dt.datetime | None:
        result = super().to_python(value)
        if result is not None and timezone.is_aware(result):
            # Django made it aware in the active zone; undo that to keep the wall-clock time.
            result = timezone.make_naive(result)
        return result


def _weekday_fields() -> list[tuple[int, str, str]]:
    return [(n, f"d{n}_min", f"d{n}_max") for n in range(1, 8)]


class CadenceForm(BootstrapFormMixin, forms.Form):
    """An account's cadence: posts per weekday, holidays, gap, quiet hours, weekly form limits."""

    holiday_mode = forms.ChoiceField(label=_("Public holidays"), choices=HolidayMode.choices)
    makeup_as_workday = forms.BooleanField(
        label=_("Make-up workdays (调休) count as workdays"), required=False
    )
    min_gap_minutes = forms.IntegerField(
        label=_("Minimum gap between posts (minutes)"), min_value=0, max_value=planner.MAX_GAP_MINUTES
    )
    quiet_start = forms.TimeField(label=_("Quiet hours from"), widget=TIME_WIDGET)
    quiet_end = forms.TimeField(
        label=_("Quiet hours until"),
        widget=TIME_WIDGET,
        help_text=_("No posts between these times; the same time twice means no quiet hours."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n, low, high in _weekday_fields():
            name = WEEKDAYS[n - 1]
            self.fields[low] = forms.IntegerField(
                label=_("%(day)s: at least") % {"day": name}, min_value=0, max_value=planner.MAX_POSTS_PER_DAY
            )
            self.fields[high] = forms.IntegerField(
                label=_("%(day)s: at most") % {"day": name}, min_value=0, max_value=planner.MAX_POSTS_PER_DAY
            )
        for value, label in ContentForm.choices:
            self.fields[f"limit_{value}"] = forms.IntegerField(
                label=_("At most per week: %(form)s") % {"form": label},
                min_value=0,
                max_value=planner.MAX_FORM_LIMIT,
                required=False,
                help_text=_("Empty: no limit."),
            )
        # The mixin styled the declared fields before these were added.
        self._style()

    def _style(self) -> None:
        for field in self.fields.values():
            if "class" not in field.widget.attrs:
                css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control"
                if isinstance(field.widget, forms.Select):
                    css = "form-select"
                field.widget.attrs["class"] = css

    @staticmethod
    def initial_for(rule: CadenceRule) -> dict[str, Any]:
        data: dict[str, Any] = {
            "holiday_mode": rule.holiday_mode,
            "makeup_as_workday": rule.makeup_as_workday,
            "min_gap_minutes": rule.min_gap_minutes,
            "quiet_start": rule.quiet_start,
            "quiet_end": rule.quiet_end,
        }
        for n, low, high in _weekday_fields():
            pair = (rule.posts_per_weekday or {}).get(str(n), [0, 0])
            data[low], data[high] = pair[0], pair[1]
        for value in ContentForm.values:
            data[f"limit_{value}"] = (rule.form_limits or {}).get(value)
        return data

    def weekday_rows(self) -> list[tuple[str, Any, Any]]:
        """(weekday name, min field, max field) for the template's table."""
        return [(str(WEEKDAYS[n - 1]), self[low], self[high]) for n, low, high in _weekday_fields()]

    def limit_fields(self) -> list[Any]:
        return [self[f"limit_{value}"] for value in ContentForm.values]

    def other_fields(self) -> list[Any]:
        return [
            self[name]
            for name in ("holiday_mode", "makeup_as_workday", "min_gap_minutes", "quiet_start", "quiet_end")
        ]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "posts_per_weekday": {str(n): [data[low], data[high]] for n, low, high in _weekday_fields()},
            "holiday_mode": data["holiday_mode"],
            "makeup_as_workday": data["makeup_as_workday"],
            "min_gap_minutes": data["min_gap_minutes"],
            "quiet_start": data["quiet_start"],
            "quiet_end": data["quiet_end"],
            "form_limits": {
                value: data[f"limit_{value}"]
                for value in ContentForm.values
                if data.get(f"limit_{value}") is not None
            },
        }


class CapacityForm(BootstrapFormMixin, forms.Form):
    """Items per week the whole team (no owner) or one owner can produce."""

    owner: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Owner"), queryset=None, required=False, empty_label=_("The whole team")
    )
    items_per_week = forms.IntegerField(label=_("Items per week"), min_value=0, max_value=10_000)

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = get_user_model().objects.filter(pk__in=[u.pk for u in users]).order_by("username")


class AccountsField(forms.ModelMultipleChoiceField):
    """Our accounts as check boxes, labelled with their name and platform."""

    widget = forms.CheckboxSelectMultiple


class GenerateForm(BootstrapFormMixin, forms.Form):
    """The period and the accounts to plan."""

    start = forms.DateField(label=_("From"), widget=DATE_WIDGET)
    end = forms.DateField(label=_("To"), widget=DATE_WIDGET)
    accounts = AccountsField(label=_("Accounts"), queryset=None)

    def __init__(self, *args: Any, accounts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["accounts"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = accounts
        field.widget.attrs["class"] = "form-check-input"


class _ItemOnAccountForm(BootstrapFormMixin, forms.Form):
    """An item and one of our accounts, each chosen from the lists the page offers."""

    item: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Content item"), queryset=None)
    account: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Account"), queryset=None)

    def __init__(self, *args: Any, items: Any, accounts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, qs in (("item", items), ("account", accounts)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = qs


class PlacementForm(_ItemOnAccountForm):
    """Place an item by hand: which item, on which account, when."""

    starts_at = LocalDateTimeField(label=_("Time"), help_text=_("In the workspace's time zone."))
    locked = forms.BooleanField(
        label=_("Lock it (regeneration and urgent insertions leave it alone)"), required=False
    )


class UrgentForm(_ItemOnAccountForm):
    """Insert an item as urgent: the earliest suitable slot, or a time given by hand."""

    at = LocalDateTimeField(
        label=_("Time (optional)"),
        required=False,
        help_text=_("Empty: the earliest suitable slot. In the workspace's time zone."),
    )
