"""The login and password forms, styled."""

from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm

from socialops.core.forms import BootstrapFormMixin


class LoginForm(BootstrapFormMixin, AuthenticationForm):
    """The login form, styled."""


class StyledPasswordChangeForm(BootstrapFormMixin, PasswordChangeForm):
    """The password change form, styled."""
