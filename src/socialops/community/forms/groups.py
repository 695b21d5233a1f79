"""Forms of the groups pages: a group, a manual group's member file, an item placed on the sharing plan, an appeal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from socialops.core.forms import BootstrapFormMixin

from ..models.groups import GroupKind


class GroupForm(BootstrapFormMixin, forms.Form):
    """Add or edit a group (kind, account and platform id only when adding)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=GroupKind.choices)
    name = forms.CharField(label=_("Name"), max_length=150)
    account = forms.TypedChoiceField(
        label=_("Account"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_(
            "Telegram: the account connected with the group's bot and chat id. WeCom: the WeCom account."
        ),
    )
    external_id = forms.CharField(
        label=_("Platform group id"),
        max_length=100,
        required=False,
        help_text=_("WeCom: the group's chat_id."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    welcome_message = forms.CharField(
        label=_("Welcome message"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    admins = forms.TypedMultipleChoiceField(label=_("Group admins (our team)"), coerce=int, required=False)

    def __init__(
        self,
        *args: Any,
        accounts: list[tuple[int, str]],
        users: list[tuple[int, str]],
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [("", "—"), *accounts]  # type: ignore[attr-defined]
        self.fields["admins"].choices = users  # type: ignore[attr-defined]
        if editing:
            for name in ("kind", "account", "external_id"):
                del self.fields[name]


class MembersImportForm(BootstrapFormMixin, forms.Form):
    """A CSV or XLSX of a manual group's members."""

    file = forms.FileField(
        label=_("File"), help_text=_("Columns: phone (required), name, role (member/admin/owner), joined_at.")
    )


class PlaceForm(BootstrapFormMixin, forms.Form):
    """Place an approved content item on the group's sharing plan at a time."""

    item = forms.TypedChoiceField(label=_("Content item"), coerce=int)
    starts_at = forms.DateTimeField(
        label=_("Time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )

    def __init__(self, *args: Any, items: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = items  # type: ignore[attr-defined]


class AppealForm(BootstrapFormMixin, forms.Form):
    """A member's appeal, as they sent it to us."""

    text = forms.CharField(
        label=_("What the member wrote"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class WecomDiscoverForm(BootstrapFormMixin, forms.Form):
    """The WeCom account whose customer groups to add."""

    account = forms.TypedChoiceField(label=_("WeCom account"), coerce=int)

    def __init__(self, *args: Any, accounts: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = accounts  # type: ignore[attr-defined]


class GroupSendForm(BootstrapFormMixin, forms.Form):
    """A group-send task for a WeCom customer group's owner to confirm."""

    text = forms.CharField(label=_("Message"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
