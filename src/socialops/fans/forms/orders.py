"""Forms of the order pages: the list's filter, a file upload, and an order column mapping."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from socialops.core.forms import PRESET_PREFIX, BootstrapFormMixin, mapping_choices
from socialops.core.imports import DELIMITERS

from ..imports import (
    ANONYMOUS_RULES,
    DATE_ORDERS,
    DEFAULT_OPTIONS,
    MAX_HEADER_CHARS,
    ORDER_FIELD_LABELS,
    ORDER_FIELDS,
    PREFIX_MAX_CHARS,
    PRESETS,
)
from ..models import OrderMapping

# Column fields are named col_<field>: "currency" is both a column and an option.
COLUMN_PREFIX = "col_"
OPTION_FIELDS = ("anonymous", "currency", "time_zone", "date_order", "cancellation_prefix", "delimiter")


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class OrderFilterForm(BootstrapFormMixin, forms.Form):
    """Which order lines the list shows: days, kind, and a search."""

    since = forms.DateField(required=False, label=_("From"), widget=_DateInput())
    until = forms.DateField(required=False, label=_("To"), widget=_DateInput())
    kind = forms.ChoiceField(
        required=False,
        label=_("Lines"),
        choices=[
            ("", _("All lines")),
            ("sales", _("Sales")),
            ("cancellations", _("Cancellations and returns")),
            ("anonymous", _("Without a customer")),
        ],
    )
    q = forms.CharField(required=False, max_length=100, label=_("Search"))

    def __init__(self, *args: Any, identity: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        placeholder = _("Order id, product or customer id") if identity else _("Order id or product")
        self.fields["q"].widget.attrs["placeholder"] = str(placeholder)


class OrderImportForm(BootstrapFormMixin, forms.Form):
    """A CSV or XLSX order file, and the saved mapping or preset that reads it."""

    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV or XLSX with a header row: one order line per row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    mapping = forms.ChoiceField(label=_("Column mapping"))

    def __init__(self, *args: Any, mappings: list[OrderMapping], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["mapping"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = mapping_choices(mappings, PRESETS)

    def mapping_ref(self) -> str:
        """The chosen mapping as the services look it up: its id, or a preset's name."""
        value = str(self.cleaned_data["mapping"])
        return value.removeprefix(PRESET_PREFIX)


class OrderMappingForm(BootstrapFormMixin, forms.Form):
    """An order mapping: a name, the file's column for each order field, and how to read the values."""

    name = forms.CharField(label=_("Name"), max_length=60)
    anonymous = forms.ChoiceField(
        label=_("Rows without a customer id"), choices=list(ANONYMOUS_RULES.items())
    )
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        help_text=_("Three-letter code used when no currency column is mapped, e.g. CNY or GBP."),
    )
    time_zone = forms.CharField(
        label=_("Time zone of the file"),
        max_length=64,
        required=False,
        help_text=_(
            "For times written without a zone, e.g. Europe/London. Blank: the workspace's time zone."
        ),
    )
    date_order = forms.ChoiceField(label=_("Dates in the file"), choices=list(DATE_ORDERS.items()))
    cancellation_prefix = forms.CharField(
        label=_("Cancellation prefix"),
        max_length=PREFIX_MAX_CHARS,
        required=False,
        help_text=_(
            "Order ids starting with it are cancellations (e.g. C). Lines with a negative quantity or "
            "amount are cancellations or returns in any case."
        ),
    )
    delimiter = forms.ChoiceField(label=_("Delimiter (CSV)"), choices=list(DELIMITERS.items()))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for target in ORDER_FIELDS:
            self.fields[COLUMN_PREFIX + target] = forms.CharField(
                label=ORDER_FIELD_LABELS[target],
                required=False,
                max_length=MAX_HEADER_CHARS,
                widget=forms.TextInput(attrs={"class": "form-control"}),
            )
        for name, value in DEFAULT_OPTIONS.items():
            self.initial.setdefault(name, value)

    @staticmethod
    def initial_for(name: str, columns: dict[str, str], options: dict[str, Any]) -> dict[str, Any]:
        """The form's initial values for a mapping's name, columns and options."""
        initial: dict[str, Any] = {"name": name}
        initial.update({COLUMN_PREFIX + k: v for k, v in columns.items() if k in ORDER_FIELDS})
        initial.update({k: v for k, v in options.items() if k in OPTION_FIELDS})
        return initial

    @classmethod
    def for_mapping(cls, mapping: OrderMapping) -> OrderMappingForm:
        """The form filled with a saved mapping."""
        return cls(initial=cls.initial_for(mapping.name, mapping.columns, mapping.options or {}))

    def mapping_args(self) -> dict[str, Any]:
        """name, columns and options as the services take them."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "columns": {t: data[COLUMN_PREFIX + t] for t in ORDER_FIELDS if data.get(COLUMN_PREFIX + t)},
            "options": {name: data.get(name) or "" for name in OPTION_FIELDS},
        }

    def target_fields(self) -> list[Any]:
        return [self[COLUMN_PREFIX + t] for t in ORDER_FIELDS]

    def option_fields(self) -> list[Any]:
        return [self[n] for n in OPTION_FIELDS]
