"""Form helpers shared by every app's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError


class BootstrapFormMixin:
    """Gives every widget the Bootstrap class it needs, and marks invalid fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                widget = self.fields[name].widget  # type: ignore[attr-defined]
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"

    def add_service_errors(self, exc: ValidationError) -> None:
        """Show a service's ValidationError on the form, each message beside its field."""
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                target = field if field in self.fields else None  # type: ignore[attr-defined]
                for message in errors:
                    self.add_error(target, message)  # type: ignore[attr-defined]
                if target is not None:
                    widget = self.fields[target].widget  # type: ignore[attr-defined]
                    if "is-invalid" not in widget.attrs.get("class", ""):
                        widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
        else:
            for message in exc.messages:
                self.add_error(None, message)  # type: ignore[attr-defined]


class LoginForm(BootstrapFormMixin, AuthenticationForm):
    """The login form, styled."""


class StyledPasswordChangeForm(BootstrapFormMixin, PasswordChangeForm):
    """The password change form, styled."""
