"""Forms of the check pages: term lists, settings and the live check of the editors (parsing only; services validate)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from socialops.accounts.models import Platform
from socialops.content.models import ContentForm
from socialops.core.forms import BootstrapFormMixin
from socialops.textkit.platform_rules import PLATFORMS

from ..models import AdLawEntryKind, FindingSeverity

_SEPARATORS = re.compile(r"[\n,，、;；]+")
#: The largest word-list file accepted (the lists themselves hold at most 100,000 words).
IMPORT_MAX_BYTES = 5 * 1024 * 1024
#: Longest text the live check takes (a 公众号 article has < 20,000 characters; Markdown adds some).
LIVE_TEXT_MAX = 200_000


def split_variants(text: str) -> list[str]:
    """Variants typed one a line or separated by commas (spaces stay: "X1 pro" is one variant)."""
    return [part.strip() for part in _SEPARATORS.split(text or "") if part.strip()]


class AdLawEntryForm(BootstrapFormMixin, forms.Form):
    """Add an entry to one of the workspace's Advertising-Law lists."""

    kind = forms.ChoiceField(label=_("List"), choices=AdLawEntryKind.choices)
    term = forms.CharField(
        label=_("Term or name"),
        max_length=50,
        help_text=_("e.g. 神品 (forbidden), 第一 (never flag), 最美时光 (our product name)."),
    )
    severity = forms.ChoiceField(
        label=_("Severity (forbidden terms)"), choices=FindingSeverity.choices, initial=FindingSeverity.BLOCK
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class SensitiveListForm(BootstrapFormMixin, forms.Form):
    """Create or edit a sensitive-word list."""

    name = forms.CharField(label=_("Name"), max_length=50, help_text=_("e.g. 政治敏感, 竞品名称."))
    severity = forms.ChoiceField(
        label=_("Severity"), choices=FindingSeverity.choices, initial=FindingSeverity.WARN
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)


class SensitiveTermForm(BootstrapFormMixin, forms.Form):
    """Add one word to a list."""

    term = forms.CharField(label=_("Word"), max_length=50)


class SensitiveImportForm(BootstrapFormMixin, forms.Form):
    """Import a text file of words, one a line."""

    file = forms.FileField(
        label=_("Text file"),
        help_text=_(
            "UTF-8, one word a line; empty lines and lines starting with # are skipped. "
            "Importing the same file again changes nothing."
        ),
    )
    replace = forms.BooleanField(
        label=_("Replace the list (words not in the file are removed)"), required=False
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class BrandTermForm(BootstrapFormMixin, forms.Form):
    """Create or edit a brand term: the exact spelling and the wrong ones."""

    preferred = forms.CharField(
        label=_("Preferred spelling"), max_length=100, help_text=_("e.g. 星曜 X1 Pro.")
    )
    forbidden = forms.CharField(
        label=_("Forbidden variants"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One a line or separated by commas, e.g. 星耀X1pro. Other spellings of case, width or spaces are reported anyway."
        ),
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=FindingSeverity.choices, initial=FindingSeverity.WARN
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["forbidden"] = split_variants(data.get("forbidden", ""))
        return data


class BannedTermForm(BootstrapFormMixin, forms.Form):
    """Ban a word, optionally naming the word to use instead."""

    term = forms.CharField(label=_("Banned word"), max_length=50, help_text=_("e.g. 绝绝子, yyds."))
    replacement = forms.CharField(label=_("Use instead"), max_length=50, required=False)
    severity = forms.ChoiceField(
        label=_("Severity"), choices=FindingSeverity.choices, initial=FindingSeverity.WARN
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class CheckSettingsForm(BootstrapFormMixin, forms.Form):
    """Originality thresholds."""

    originality_threshold = forms.FloatField(
        label=_("Near-duplicate threshold"),
        min_value=0.3,
        max_value=1.0,
        help_text=_(
            "Similarity (0.3–1) from which an earlier post is shown as a near-duplicate (default 0.6)."
        ),
    )
    originality_block_threshold = forms.FloatField(
        label=_("Blocking similarity to a competitor's post"),
        min_value=0.3,
        max_value=1.0,
        help_text=_("From this similarity a copy of a competitor's post blocks approval (default 0.9)."),
    )


class RecheckForm(forms.Form):
    """Run an item's checks again (no fields)."""


class LiveCheckForm(forms.Form):
    """What the item and variant editors send as the person types (every field optional)."""

    title = forms.CharField(max_length=1000, required=False, strip=False)
    digest = forms.CharField(max_length=2000, required=False, strip=False)
    author = forms.CharField(max_length=200, required=False, strip=False)
    body = forms.CharField(max_length=LIVE_TEXT_MAX, required=False, strip=False)
    live_outline = forms.CharField(max_length=40_000, required=False, strip=False)
    short_title = forms.CharField(max_length=100, required=False, strip=False)
    hashtags = forms.CharField(max_length=2000, required=False)
    # The item form's content form (article, short_post …).
    form = forms.ChoiceField(choices=[("", "")] + list(ContentForm.choices), required=False)
    is_advertising = forms.BooleanField(required=False)
    # The playground page picks a platform and its form itself.
    platform = forms.ChoiceField(choices=[("", "")] + [(p, p) for p in PLATFORMS], required=False)
    platform_form = forms.CharField(max_length=20, required=False)

    def texts(self) -> dict[str, str]:
        """The text fields, with browser line ends (\\r\\n) turned into the \\n the editor counts with."""
        out = {}
        for name in ("title", "digest", "author", "body", "live_outline"):
            value = self.cleaned_data.get(name) or ""
            out[name] = value.replace("\r\n", "\n")
        return out

    def hashtag_list(self) -> list[str]:
        return [t for t in re.split(r"[,，、;；\s]+", self.cleaned_data.get("hashtags") or "") if t][:50]


PLATFORM_CHOICES = [("", _("No platform"))] + [
    (value, label) for value, label in Platform.choices if value in PLATFORMS
]


class TryForm(BootstrapFormMixin, forms.Form):
    """The check playground: paste a text, pick a platform."""

    platform = forms.ChoiceField(label=_("Platform"), choices=PLATFORM_CHOICES, required=False)
    title = forms.CharField(label=_("Title"), max_length=1000, required=False)
    body = forms.CharField(
        label=_("Text"), required=False, max_length=LIVE_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 8})
    )
    is_advertising = forms.BooleanField(label=_("Advertising or sponsored"), required=False)
