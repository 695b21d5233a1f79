"""Forms of the ticket pages: a new ticket, a change of status or owner, the public feedback form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from socialops.core.forms import BootstrapFormMixin

from ..models.events import TicketCategory, TicketPriority, TicketStatus
from ..services.tickets import editors


def _assignee_field() -> forms.ModelChoiceField[Any]:
    return forms.ModelChoiceField(
        label=_("Assignee"), queryset=get_user_model().objects.none(), required=False, empty_label=_("Nobody")
    )


def _set_editors(form: forms.Form, workspace: Any) -> None:
    field = form.fields["assignee"]
    assert isinstance(field, forms.ModelChoiceField)
    ids = [m.user_id for m in editors(workspace)]
    field.queryset = get_user_model().objects.filter(pk__in=ids).order_by("username")


class TicketForm(BootstrapFormMixin, forms.Form):
    """A ticket entered by a member."""

    title = forms.CharField(label=_("Title"), max_length=150)
    category = forms.ChoiceField(label=_("Category"), choices=TicketCategory.choices)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=TicketPriority.choices, initial=TicketPriority.NORMAL
    )
    assignee = _assignee_field()
    description = forms.CharField(
        label=_("Description"), max_length=10_000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, workspace: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_editors(self, workspace)


class TicketUpdateForm(BootstrapFormMixin, forms.Form):
    """Status, owner, priority and category of a ticket, with a note for its history."""

    status = forms.ChoiceField(label=_("Status"), choices=TicketStatus.choices)
    assignee = _assignee_field()
    priority = forms.ChoiceField(label=_("Priority"), choices=TicketPriority.choices)
    category = forms.ChoiceField(label=_("Category"), choices=TicketCategory.choices)
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)

    def __init__(self, *args: Any, workspace: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_editors(self, workspace)


class FeedbackForm(BootstrapFormMixin, forms.Form):
    """The public feedback form a member fills in (no login)."""

    category = forms.ChoiceField(label=_("About"), choices=TicketCategory.choices)
    title = forms.CharField(label=_("Subject"), max_length=150)
    description = forms.CharField(
        label=_("Tell us more"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
