"""Forms of the review workflow pages: decisions, overrides, comments and approval chains."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from socialops.core.forms import BootstrapFormMixin
from socialops.workspaces.models import Membership
from socialops.workspaces.roles import Role

from ..services.chains import CHAIN_NAME_MAX, REVIEW_ROLES, STEP_NAME_MAX
from ..services.comments import COMMENT_MAX
from ..services.rounds import OVERRIDE_REASON_MAX, OVERRIDE_REASON_MIN


class DecisionForm(BootstrapFormMixin, forms.Form):
    """Approve the current step, with an optional comment."""

    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RequestChangesForm(BootstrapFormMixin, forms.Form):
    """Send the item back to its author: what must change."""

    comment = forms.CharField(
        label=_("What must change"), max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class OverrideForm(BootstrapFormMixin, forms.Form):
    """An admin's written reason to let blocking findings pass."""

    reason = forms.CharField(
        label=_("Reason for the override"),
        min_length=OVERRIDE_REASON_MIN,
        max_length=OVERRIDE_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Formatted per request, in the reader's language (not once at import).
        self.fields["reason"].help_text = _(
            "At least %(n)d characters. It is kept in the audit log and shown on the item for good."
        ) % {"n": OVERRIDE_REASON_MIN}


class CommentForm(BootstrapFormMixin, forms.Form):
    """A comment on a revision; the passage fields are filled by selecting text on the page."""

    body = forms.CharField(
        label=_("Comment"), max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    field = forms.CharField(required=False, max_length=60, widget=forms.HiddenInput)
    quote = forms.CharField(required=False, max_length=200_000, strip=False, widget=forms.HiddenInput)
    start = forms.IntegerField(required=False, min_value=0, max_value=10**7, widget=forms.HiddenInput)
    end = forms.IntegerField(required=False, min_value=0, max_value=10**7, widget=forms.HiddenInput)


class CommentEditForm(BootstrapFormMixin, forms.Form):
    """Reword a comment."""

    body = forms.CharField(
        label=_("Comment"), max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )


class ChainForm(BootstrapFormMixin, forms.Form):
    """A chain's name, whether it is the default, and the themes that follow it."""

    name = forms.CharField(label=_("Name"), max_length=CHAIN_NAME_MAX)
    is_default = forms.BooleanField(
        label=_("Default chain"),
        required=False,
        help_text=_("Items whose theme no other chain names follow the default chain."),
    )
    distinct_reviewers = forms.BooleanField(
        label=_("A different reviewer for each step"),
        required=False,
        help_text=_("Whoever approved one step of an item may not approve another step of the same review."),
    )
    themes = forms.MultipleChoiceField(
        label=_("Themes that follow this chain"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, themes: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["themes"]).choices = [(str(t.pk), t.name) for t in themes]
        self.fields["themes"].widget.attrs["class"] = "form-check-input"


def assignee_choices(members: list[Membership]) -> list[tuple[str, Any]]:
    """Roles that may review, then the people who may: values "role:<role>" and "user:<id>"."""
    roles = [(f"role:{r}", _("Role: %(role)s") % {"role": Role(r).label}) for r in REVIEW_ROLES]
    people = [
        (
            f"user:{m.user_id}",
            _("Person: %(user)s (%(role)s)") % {"user": m.user.get_username(), "role": m.get_role_display()}
            + (" ★" if m.is_subject_expert else ""),
        )
        for m in members
    ]
    return [("", "—"), *roles, *people]


class StepForm(BootstrapFormMixin, forms.Form):
    """One step of a chain; a row left without a name is ignored."""

    name = forms.CharField(label=_("Step"), max_length=STEP_NAME_MAX, required=False)
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    expert_only = forms.BooleanField(label=_("Only when subject-expert sign-off is needed"), required=False)

    def __init__(self, *args: Any, assignees: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["assignee"]).choices = assignees

    def step(self) -> dict[str, Any] | None:
        """The step as the service takes it, or None for an empty row."""
        data = self.cleaned_data
        if not data or data.get("DELETE") or not (data.get("name") or data.get("assignee")):
            return None
        kind, _sep, value = (data.get("assignee") or "").partition(":")
        return {
            "name": data.get("name", ""),
            "assignee_role": value if kind == "role" else "",
            "assignee_user": int(value) if kind == "user" and value.isdigit() else None,
            "expert_only": bool(data.get("expert_only")),
        }


class BaseStepFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    """The steps of a chain, in the order of their "order" numbers."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        # The formset adds these after the form styled its own fields.
        form.fields["ORDER"].label = _("Order")
        form.fields["ORDER"].widget.attrs["class"] = "form-control form-control-sm step-order"
        form.fields["DELETE"].label = _("Remove")
        form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def steps(self) -> list[dict[str, Any]]:
        """The filled rows as the service takes them, in order."""
        out = []
        for form in self.ordered_forms:
            step = cast(StepForm, form).step()
            if step is not None:
                out.append(step)
        return out


StepFormSet = forms.formset_factory(
    StepForm, formset=BaseStepFormSet, extra=2, can_delete=True, can_order=True, max_num=20, absolute_max=40
)


def step_initial(steps: list[Any]) -> list[dict[str, Any]]:
    """A chain's steps as formset rows."""
    return [
        {
            "name": s.name,
            "assignee": f"user:{s.assignee_user_id}" if s.assignee_user_id else f"role:{s.assignee_role}",
            "expert_only": s.expert_only,
            "ORDER": s.position,
        }
        for s in steps
    ]
