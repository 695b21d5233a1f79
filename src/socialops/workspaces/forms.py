"""Forms of the workspace settings pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from socialops.core.forms import BootstrapFormMixin

from .roles import Role


class MemberAddForm(BootstrapFormMixin, forms.Form):
    """Add an existing user to the workspace."""

    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    is_subject_expert = forms.BooleanField(label=_("Subject expert"), required=False)

    def clean_username(self) -> object:
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active user with this username."))
        return user


class MemberRoleForm(BootstrapFormMixin, forms.Form):
    """Change a member's role."""

    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    is_subject_expert = forms.BooleanField(label=_("Subject expert"), required=False)


class AuditFilterForm(BootstrapFormMixin, forms.Form):
    """Filters of the audit log page: person, object type and action picked from what the log holds."""

    actor = forms.ChoiceField(label=_("Who"), required=False)
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(
        self, *args: Any, choices: dict[str, list[tuple[str, str]]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        everyone = {"actor": _("Anyone"), "object_type": _("Any type"), "action": _("Any action")}
        for name, options in (choices or {}).items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", everyone[name]), *options]


class WorkspaceSettingsForm(BootstrapFormMixin, forms.Form):
    """Name, time zone and language of a workspace."""

    name = forms.CharField(label=_("Name"), max_length=100)
    timezone = forms.CharField(
        label=_("Time zone"), max_length=64, help_text=_("An IANA name, e.g. Asia/Shanghai.")
    )
    locale = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
