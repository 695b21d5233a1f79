"""Form helpers shared by every app's pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The mixin is always combined with a Django form; telling mypy so keeps its body checked.
if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class BootstrapFormMixin(_FormBase):
    """Gives every widget the Bootstrap class it needs, and marks invalid fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"

    def add_service_errors(self, exc: ValidationError) -> None:
        """Show a service's ValidationError on the form, each message beside its field."""
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                target = field if field in self.fields else None
                for message in errors:
                    self.add_error(target, message)
                if target is not None:
                    widget = self.fields[target].widget
                    if "is-invalid" not in widget.attrs.get("class", ""):
                        widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
        else:
            for message in exc.messages:
                self.add_error(None, message)


# A mapping choice that names a built-in mapping (a preset) rather than a saved one's id.
PRESET_PREFIX = "preset:"


def mapping_choices(mappings: Iterable[Any], presets: dict[str, dict[str, Any]]) -> list[tuple[str, Any]]:
    """The choices of an import form's mapping field: saved mappings by id, then the presets not saved yet."""
    mappings = list(mappings)
    saved = {m.name.casefold() for m in mappings}
    choices: list[tuple[str, Any]] = [(str(m.pk), m.name) for m in mappings]
    choices += [
        (PRESET_PREFIX + key, _("%(label)s (preset)") % {"label": spec["label"]})
        for key, spec in presets.items()
        if key.casefold() not in saved
    ]
    return choices
