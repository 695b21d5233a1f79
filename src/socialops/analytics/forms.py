"""Forms of the analytics pages: a post file upload, and a column mapping (from a file's header or by hand)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from socialops.content.models import ContentForm
from socialops.core.forms import BootstrapFormMixin, mapping_choices
from socialops.core.imports import DELIMITERS

from .imports import (
    ENGAGEMENT_SOURCES,
    MAX_HEADER_CHARS,
    POST_TYPE_MAX_CHARS,
    PRESETS,
    TARGET_FIELDS,
    TARGET_LABELS,
    WEEKDAY_NUMBERINGS,
)
from .models import ColumnMapping

NEW_MAPPING = "new"
MAX_HEADERS = 200


class PostImportForm(BootstrapFormMixin, forms.Form):
    """A CSV or XLSX export of one account's posts, and the mapping that reads it."""

    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV or XLSX with a header row, e.g. a platform's post export."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    mapping = forms.ChoiceField(
        label=_("Column mapping"),
        help_text=_(
            "Choose “new mapping” to pick the columns from this file's header row and save them by name."
        ),
    )

    def __init__(self, *args: Any, mappings: list[ColumnMapping], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = mapping_choices(mappings, PRESETS)
        choices.append((NEW_MAPPING, _("New mapping from this file's header row…")))
        field = self.fields["mapping"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


def _parse_type_map(text: str) -> dict[str, str]:
    """ "Photo = short_post" lines → {"Photo": "short_post"}; a form may be given by its label too."""
    by_name = {f.value: f.value for f in ContentForm} | {
        str(f.label).casefold(): f.value for f in ContentForm
    }
    result: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        post_type, sep, form = line.partition("=")
        post_type, form = post_type.strip(), form.strip()
        if not sep or not post_type or not form:
            raise ValidationError(
                _("Line %(n)s: write one post type per line as “Photo = short_post”."), params={"n": number}
            )
        if len(post_type) > POST_TYPE_MAX_CHARS:
            raise ValidationError(
                _("Line %(n)s: a post type has at most %(max)s characters."),
                params={"n": number, "max": POST_TYPE_MAX_CHARS},
            )
        value = by_name.get(form) or by_name.get(form.casefold())
        if value is None:
            raise ValidationError(
                _("Line %(n)s: “%(form)s” is not a content form (use one of: %(forms)s)."),
                params={"n": number, "form": form[:50], "forms": ", ".join(ContentForm.values)},
            )
        result[post_type] = value
    return result


class ColumnMappingForm(BootstrapFormMixin, forms.Form):
    """A mapping: a name, the file's column for each of our fields, and how to read the values.

    With ``headers`` (from an uploaded file's header row) each field is a choice among them;
    without, the column names are typed in.
    """

    name = forms.CharField(label=_("Name"), max_length=80)
    headers = forms.CharField(required=False, widget=forms.HiddenInput)
    account = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, headers: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if headers is None and self.is_bound:
            headers = self._bound_headers()
        self.header_list = headers or []
        if headers:
            self.initial.setdefault("headers", json.dumps(headers, ensure_ascii=False))
        for target in TARGET_FIELDS:
            label = TARGET_LABELS[target]
            if headers:
                self.fields[target] = forms.ChoiceField(
                    label=label, required=False, choices=[("", "—"), *((h, h) for h in headers)]
                )
            else:
                self.fields[target] = forms.CharField(
                    label=label, required=False, max_length=MAX_HEADER_CHARS
                )
        self.fields["delimiter"] = forms.ChoiceField(
            label=_("Delimiter (CSV)"), choices=list(DELIMITERS.items())
        )
        self.fields["weekday_numbering"] = forms.ChoiceField(
            label=_("Weekday numbers in the file"), choices=list(WEEKDAY_NUMBERINGS.items())
        )
        self.fields["engagements_from"] = forms.ChoiceField(
            label=_("Engagements"), choices=list(ENGAGEMENT_SOURCES.items())
        )
        self.fields["type_to_form"] = forms.CharField(
            label=_("Post type → content form"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 4}),
            help_text=_("One per line, e.g. “Photo = short_post”. Forms: %(forms)s.")
            % {"forms": ", ".join(ContentForm.values)},
        )
        self.fields["file"] = forms.FileField(
            label=_("Import this file right after saving"),
            required=False,
            help_text=_("Optional: choose the file again (browsers do not keep it between pages)."),
            widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
        )
        # The mixin styled the fields declared on the class; these were added after it ran.
        for name in (
            *TARGET_FIELDS,
            "delimiter",
            "weekday_numbering",
            "engagements_from",
            "type_to_form",
            "file",
        ):
            widget = self.fields[name].widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def _bound_headers(self) -> list[str] | None:
        raw = self.data.get("headers") or ""
        try:
            value = json.loads(raw) if raw else None
        except ValueError:
            return None
        if not isinstance(value, list) or len(value) > MAX_HEADERS:
            return None
        return [str(h)[:MAX_HEADER_CHARS] for h in value if isinstance(h, str) and h]

    @classmethod
    def for_mapping(cls, mapping: ColumnMapping) -> ColumnMappingForm:
        """The form filled with a saved mapping (column names typed in)."""
        options = mapping.options or {}
        initial: dict[str, Any] = {"name": mapping.name, **mapping.columns}
        initial["delimiter"] = options.get("delimiter", "auto")
        initial["weekday_numbering"] = options.get("weekday_numbering", "iso")
        initial["engagements_from"] = options.get("engagements_from", "column")
        initial["type_to_form"] = "\n".join(
            f"{k} = {v}" for k, v in (options.get("type_to_form") or {}).items()
        )
        return cls(initial=initial)

    def clean_type_to_form(self) -> dict[str, str]:
        return _parse_type_map(self.cleaned_data.get("type_to_form") or "")

    def mapping_args(self) -> dict[str, Any]:
        """name, columns and options as the services take them."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "columns": {t: data[t] for t in TARGET_FIELDS if data.get(t)},
            "options": {
                "delimiter": data["delimiter"],
                "weekday_numbering": data["weekday_numbering"],
                "engagements_from": data["engagements_from"],
                "type_to_form": data["type_to_form"],
            },
        }

    def target_fields(self) -> list[Any]:
        return [self[t] for t in TARGET_FIELDS]

    def option_fields(self) -> list[Any]:
        return [self[n] for n in ("delimiter", "weekday_numbering", "engagements_from", "type_to_form")]
