"""Forms of the campaign pages: a campaign, a topic with its tags, an idea and what is done with it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from socialops.accounts.models import Platform
from socialops.content.models import ContentForm
from socialops.core.forms import BootstrapFormMixin

from ..models.campaigns import IdeaSource, IdeaStatus
from ..services.campaigns import DESCRIPTION_MAX, NAME_MAX, TAG_MAX
from ..services.ideas import IDEA_LENGTH


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(BootstrapFormMixin, forms.Form):
    """A campaign: the goal it serves, accounts, period, budget, owner and content items."""

    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    description = forms.CharField(
        label=_("Description"),
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    goal: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Goal"), queryset=None, required=False, empty_label=_("No goal")
    )
    accounts: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("Accounts"), queryset=None, required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    start_date = forms.DateField(label=_("First day"), widget=_date_input())
    end_date = forms.DateField(label=_("Last day"), widget=_date_input())
    budget = forms.DecimalField(
        label=_("Budget (CNY)"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    owner: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Owner"), queryset=None, required=False, empty_label=_("Nobody")
    )
    items: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("Content items"),
        queryset=None,
        required=False,
        help_text=_("The campaign's posts from the content library."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args: Any, goals: Any, accounts: Any, users: Any, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = goals  # type: ignore[attr-defined]
        self.fields["accounts"].queryset = accounts  # type: ignore[attr-defined]
        self.fields["owner"].queryset = users  # type: ignore[attr-defined]
        self.fields["items"].queryset = items  # type: ignore[attr-defined]
        self.fields["owner"].label_from_instance = lambda u: u.get_username()  # type: ignore[attr-defined]


TAG_PREFIX = "tag_"


class TopicForm(BootstrapFormMixin, forms.Form):
    """A topic: its name, campaign and its tag on each platform (as written there, e.g. #星曜新品#)."""

    name = forms.CharField(label=_("Name"), max_length=100)
    campaign: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Campaign"), queryset=None, required=False, empty_label=_("No campaign")
    )

    def __init__(self, *args: Any, campaigns: Any, platforms: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns  # type: ignore[attr-defined]
        labels = dict(Platform.choices)
        for platform in platforms:
            self.fields[TAG_PREFIX + platform] = forms.CharField(
                label=_("Tag on %(platform)s") % {"platform": labels.get(platform, platform)},
                max_length=TAG_MAX,
                required=False,
            )
        for field in self.fields.values():
            if not field.widget.attrs.get("class"):
                field.widget.attrs["class"] = "form-control"

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as the topic services take it (tags as platform → tag)."""
        data = self.cleaned_data
        tags = {k[len(TAG_PREFIX) :]: v for k, v in data.items() if k.startswith(TAG_PREFIX) and v}
        return {"name": data["name"], "campaign": data["campaign"], "tags": tags}


class IdeaForm(BootstrapFormMixin, forms.Form):
    """An idea a member writes down."""

    text = forms.CharField(label=_("Idea"), max_length=IDEA_LENGTH, widget=forms.Textarea(attrs={"rows": 4}))
    campaign: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Campaign"), queryset=None, required=False, empty_label=_("No campaign")
    )

    def __init__(self, *args: Any, campaigns: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns  # type: ignore[attr-defined]


class IdeaContentForm(BootstrapFormMixin, forms.Form):
    """Turn an idea into a draft content item: its title, form and theme."""

    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    form = forms.ChoiceField(label=_("Form"), choices=ContentForm.choices, initial=ContentForm.SHORT_POST)
    theme: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Theme"), queryset=None)
    deadline = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=_date_input(),
        help_text=_("Blank keeps the draft in the backlog as evergreen."),
    )

    def __init__(self, *args: Any, themes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = themes  # type: ignore[attr-defined]


class IdeaSendForm(BootstrapFormMixin, forms.Form):
    """Send an idea to a product owner."""

    owner: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Product owner"), queryset=None)

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = users  # type: ignore[attr-defined]
        self.fields["owner"].label_from_instance = lambda u: u.get_username()  # type: ignore[attr-defined]


class IdeaFilterForm(forms.Form):
    """The idea list's filters."""

    status = forms.ChoiceField(choices=[("", _("Any status")), *IdeaStatus.choices], required=False)
    source = forms.ChoiceField(choices=[("", _("Any source")), *IdeaSource.choices], required=False)
    campaign = forms.IntegerField(required=False, min_value=1)
    mine = forms.BooleanField(required=False)
