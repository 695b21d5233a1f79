"""Forms of the poll pages: a poll and its settings, a question with its choices."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from socialops.core.forms import BootstrapFormMixin

from ..models.polls import QuestionKind


def _when() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class PollForm(BootstrapFormMixin, forms.Form):
    """A poll's title, campaign, accounts, keyword account, open/close times and device rule."""

    title = forms.CharField(label=_("Title"), max_length=150)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    campaign: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Campaign"), queryset=None, required=False, empty_label=_("No campaign")
    )
    accounts: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("Accounts"), queryset=None, required=False
    )
    keyword_account: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Keyword replies on"),
        queryset=None,
        required=False,
        empty_label=_("No keyword replies"),
        help_text=_(
            "Fans of this account answer by replying a choice's keyword (e.g. 1, 2, 3) in a comment or message."
        ),
    )
    opens_at = forms.DateTimeField(label=_("Opens at"), required=False, widget=_when())
    closes_at = forms.DateTimeField(label=_("Closes at"), required=False, widget=_when())
    one_per_device = forms.BooleanField(
        label=_("One response per device"),
        required=False,
        initial=True,
        help_text=_("A browser that answered cannot answer again (a long random cookie)."),
    )

    def __init__(self, *args: Any, campaigns: Any, accounts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns  # type: ignore[attr-defined]
        self.fields["accounts"].queryset = accounts  # type: ignore[attr-defined]
        self.fields["keyword_account"].queryset = accounts  # type: ignore[attr-defined]


class QuestionForm(BootstrapFormMixin, forms.Form):
    """A question: its kind, text, scale and choices (one a line, a keyword after a "|")."""

    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("Question"), max_length=300)
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "满意 | 1\n一般 | 2\n不满意 | 3"}),
        help_text=_("One choice a line; for keyword replies add the keyword after a |, e.g. 满意 | 1."),
    )
    scale_min = forms.IntegerField(
        label=_("Scale from"), initial=1, min_value=-10, max_value=10, required=False
    )
    scale_max = forms.IntegerField(
        label=_("Scale to"), initial=5, min_value=-10, max_value=10, required=False
    )

    def choice_pairs(self) -> list[tuple[str, str]]:
        """The choices as (label, keyword) pairs."""
        pairs = []
        for line in str(self.cleaned_data.get("choices") or "").splitlines():
            label, _sep, keyword = line.partition("|")
            if label.strip():
                pairs.append((label.strip(), keyword.strip()))
        return pairs

    def service_fields(self) -> dict[str, Any]:
        """What question_create / question_update take."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "text": data["text"],
            "required": data["required"],
            "scale_min": data.get("scale_min") if data.get("scale_min") is not None else 1,
            "scale_max": data.get("scale_max") if data.get("scale_max") is not None else 5,
            "choices": self.choice_pairs(),
        }
