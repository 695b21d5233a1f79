"""Forms of the marketing-calendar pages: a holiday override, a year's schedule import, calendar entries."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from socialops.core.forms import BootstrapFormMixin

from ..models import CalendarEntryKind, HolidayOverrideKind
from ..services.calendar import ENTRY_NAME_MAX, MAX_IMPORT_BYTES, NAME_MAX, SOURCE_MAX


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class HolidayOverrideForm(BootstrapFormMixin, forms.Form):
    """One day of the official schedule entered or corrected by an admin."""

    date = forms.DateField(label=_("Date"), widget=_DateInput())
    kind = forms.ChoiceField(label=_("Kind"), choices=HolidayOverrideKind.choices)
    name = forms.CharField(
        label=_("Name"),
        max_length=NAME_MAX,
        required=False,
        help_text=_("e.g. 春节 for a day off, 春节调休 for a make-up workday."),
    )


class ScheduleImportForm(BootstrapFormMixin, forms.Form):
    """A year's official schedule as “date,kind,name” lines, uploaded or pasted."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("A text or CSV file (UTF-8 or GB18030); or paste the lines below."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )
    text = forms.CharField(
        label=_("Lines"),
        required=False,
        max_length=MAX_IMPORT_BYTES,
        widget=forms.Textarea(
            attrs={"rows": 8, "placeholder": "2027-02-06,放假,春节\n2027-02-07,补班,春节调休"}
        ),
        help_text=_(
            "One day per line: date (YYYY-MM-DD), kind (holiday / 放假 / 休, or makeup_workday / 调休 / 上班 / 补班), "
            "name. Blank lines and lines starting with # are skipped."
        ),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=SOURCE_MAX,
        required=False,
        help_text=_("e.g. 国务院办公厅关于2027年部分节假日安排的通知"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not (data.get("text") or "").strip() and not self.errors:
            raise forms.ValidationError(_("Upload a file or paste the schedule."))
        return data

    def content(self) -> bytes | str:
        """The uploaded file's bytes, else the pasted text."""
        upload = self.cleaned_data.get("file")
        if upload:
            return bytes(upload.read())
        return str(self.cleaned_data["text"])


class CalendarEntryForm(BootstrapFormMixin, forms.Form):
    """A hot topic, brand event or extra festival/commerce day."""

    kind = forms.ChoiceField(label=_("Kind"), choices=CalendarEntryKind.choices)
    name = forms.CharField(label=_("Name"), max_length=ENTRY_NAME_MAX)
    start_date = forms.DateField(label=_("Start"), widget=_DateInput())
    end_date = forms.DateField(
        label=_("End"), widget=_DateInput(), help_text=_("The last day (at most 60 days after the start).")
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
