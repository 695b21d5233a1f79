"""Forms of the theme, content item, variant and media pages (they parse input; the services validate it)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from socialops.accounts.models import Platform, SocialAccount
from socialops.core.forms import BootstrapFormMixin

from ..models import (
    BodyFormat,
    ContentForm,
    ContentItem,
    ContentVariant,
    Importance,
    MediaAsset,
    MediaKind,
    Theme,
)
from ..rendering import body_text
from ..services.items import FORM_ONLY_FIELDS
from ..services.variants import EXTRA_FIELDS

_LIST_SEPARATORS = re.compile(r"[,，、;；\s]+")

# Which forms each field of the item form shows for (the page hides the others). Beyond the
# fields only some forms may have, a digest and a cover make no sense on a short post or a Q&A.
PAGE_FIELD_FORMS: dict[str, frozenset[str]] = {
    **FORM_ONLY_FIELDS,
    "digest": frozenset({ContentForm.ARTICLE, ContentForm.VIDEO, ContentForm.LIVE}),
    "cover": frozenset({ContentForm.ARTICLE, ContentForm.VIDEO, ContentForm.LIVE}),
}
FIELD_FORMS: dict[str, str] = {name: " ".join(sorted(forms_)) for name, forms_ in PAGE_FIELD_FORMS.items()}
# The body means something different in each form.
BODY_LABELS = (
    ("article", _("Body")),
    ("short_post", _("Text")),
    ("video live", _("Description")),
    ("qa", _("Question")),
)


def _set_choices(form: forms.Form, name: str, choices: list[tuple[Any, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class CheckboxList(forms.CheckboxSelectMultiple):
    """Checkboxes side by side, marked up as Bootstrap form-checks."""

    template_name = "content/items/widgets/checkboxes.html"
    option_template_name = "content/items/widgets/checkbox_option.html"


class AssetCheckboxes(forms.CheckboxSelectMultiple):
    """Image checkboxes shown as thumbnails."""

    template_name = "content/items/widgets/asset_checkboxes.html"
    option_template_name = "content/items/widgets/asset_option.html"

    def __init__(self, *args: Any, thumbs: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.thumbs = thumbs or {}

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        option["thumb"] = self.thumbs.get(str(option["value"]), "")
        return option


class ListField(forms.CharField):
    """Several short values on one line (or one per line), separated by commas or spaces."""

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [part for part in _LIST_SEPARATORS.split(text) if part]

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(str(v) for v in value)
        return value


class ThemeForm(BootstrapFormMixin, forms.Form):
    """Create or edit a theme."""

    name = forms.CharField(label=_("Name"), max_length=50, help_text=_("e.g. 行业动态, 用户故事."))
    color = forms.CharField(
        label=_("Colour"),
        max_length=7,
        initial="#1f77b4",
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text=_("Shown on the calendar and in lists."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    needs_expert_review = forms.BooleanField(
        label=_("Needs a subject expert's sign-off (professional or technical content)"), required=False
    )
    position = forms.IntegerField(label=_("Order"), min_value=0, max_value=1000, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A colour picker is not a text box.
        self.fields["color"].widget.attrs["class"] = "form-control form-control-color"

    @classmethod
    def initial_for(cls, theme: Theme) -> dict[str, Any]:
        return {name: getattr(theme, name) for name in cls.base_fields}


class ThemeTargetsForm(BootstrapFormMixin, forms.Form):
    """One share field per theme; the page adds them up as you type."""

    def __init__(
        self, *args: Any, themes: list[Theme], initial_shares: dict[int, int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.themes = themes
        for theme in themes:
            field = forms.IntegerField(
                label=theme.name,
                min_value=0,
                max_value=100,
                required=False,
                initial=initial_shares.get(theme.pk, 0) if initial_shares else None,
            )
            field.widget.attrs.update(
                {"data-share": "1", "class": "form-control text-end", "inputmode": "numeric"}
            )
            self.fields[f"share_{theme.pk}"] = field

    def shares(self) -> dict[int, int]:
        """Theme id → share, leaving out blanks (a blank or 0 means no share)."""
        result: dict[int, int] = {}
        for theme in self.themes:
            value = self.cleaned_data.get(f"share_{theme.pk}")
            if value:
                result[theme.pk] = value
        return result

    def rows(self) -> list[tuple[Theme, Any]]:
        return [(theme, self[f"share_{theme.pk}"]) for theme in self.themes]


class ContentItemForm(BootstrapFormMixin, forms.Form):
    """Create or edit a content item; the page shows only the fields of the chosen form."""

    form = forms.ChoiceField(label=_("Form"), choices=ContentForm.choices)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("A short post or a Q&A may leave it empty: the start of its text becomes the title."),
    )
    theme = forms.TypedChoiceField(label=_("Theme"), coerce=int)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False, empty_value=None)
    importance = forms.ChoiceField(
        label=_("Importance"), choices=Importance.choices, initial=Importance.NORMAL
    )
    deadline = forms.DateField(
        label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    evergreen = forms.BooleanField(label=_("Evergreen (no deadline, can go out any time)"), required=False)
    accounts = forms.TypedMultipleChoiceField(
        label=_("Accounts"),
        coerce=int,
        required=False,
        widget=CheckboxList,
        help_text=_("Leave all unticked when the item suits any of our accounts."),
    )
    calendar_links = forms.MultipleChoiceField(
        label=_("Calendar links"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_(
            "Festivals, commerce days, hot topics or brand events this item is planned for "
            "(hold Ctrl or ⌘ to pick several)."
        ),
    )
    digest = forms.CharField(
        label=_("Digest"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    body = forms.CharField(
        label=_("Body"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "class": "font-monospace"}),
        help_text=_("Markdown. Insert an image from the media library with ![caption](asset:ID)."),
    )
    # "html" once the rich-text editor is on the body (articles); the page's script sets it.
    # Without script the body stays a Markdown text box, as it always was.
    body_format = forms.ChoiceField(
        choices=BodyFormat.choices, required=False, initial=BodyFormat.MARKDOWN, widget=forms.HiddenInput
    )
    cover = forms.TypedChoiceField(label=_("Cover image"), coerce=int, required=False, empty_value=None)
    images = forms.TypedMultipleChoiceField(label=_("Images"), coerce=int, required=False)
    video = forms.TypedChoiceField(label=_("Video file"), coerce=int, required=False, empty_value=None)
    live_starts_at = forms.DateTimeField(
        label=_("Live start"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    live_host = forms.CharField(label=_("Host"), max_length=100, required=False)
    live_outline = forms.CharField(
        label=_("Topic outline"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    # Passed to the item service on its own (see service_fields): the review checks then ask
    # for the platform's ad disclosure.
    is_advertising = forms.BooleanField(
        label=_("Advertising or sponsored (needs the platform's ad disclosure, e.g. 【广告】)"),
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        themes: list[Theme],
        owners: list[Any],
        accounts: list[SocialAccount],
        images: list[MediaAsset],
        videos: list[MediaAsset],
        calendar_choices: list[tuple[str, str]] = (),  # type: ignore[assignment]
        thumb_url: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["form"].widget.attrs["data-form-switch"] = "1"
        _set_choices(self, "theme", [("", "—")] + [(t.pk, t.name) for t in themes])
        # The page offers "create a theme first" when there is none to pick.
        self.has_themes = bool(themes)
        _set_choices(self, "owner", [("", "—")] + [(u.pk, u.get_username()) for u in owners])
        _set_choices(self, "accounts", [(a.pk, str(a)) for a in accounts])
        self.fields["accounts"].widget.attrs["class"] = "form-check-input"
        _set_choices(self, "cover", [("", "—")] + [(a.pk, a.original_name) for a in images])
        image_choices = [(a.pk, a.original_name) for a in images]
        _set_choices(self, "images", image_choices)
        thumbs = {str(a.pk): thumb_url(a) for a in images} if thumb_url else {}
        self.fields["images"].widget = AssetCheckboxes(choices=image_choices, thumbs=thumbs)
        self.fields["images"].widget.attrs["class"] = "form-check-input"
        _set_choices(self, "video", [("", "—")] + [(a.pk, a.original_name) for a in videos])
        _set_choices(self, "calendar_links", list(calendar_choices))

    @classmethod
    def initial_for(cls, item: ContentItem, images: list[MediaAsset]) -> dict[str, Any]:
        return {
            "form": item.form,
            "title": item.title,
            "theme": item.theme_id,
            "owner": item.owner_id,
            "importance": item.importance,
            "deadline": item.deadline,
            "evergreen": item.evergreen,
            "accounts": [a.pk for a in item.accounts.all()],
            "calendar_links": item.calendar_links,
            "digest": item.digest,
            "body": item.body,
            "body_format": item.body_format,
            "cover": item.cover_id,
            "images": [a.pk for a in images],
            "video": item.video_id,
            "live_starts_at": item.live_starts_at,
            "live_host": item.live_host,
            "live_outline": item.live_outline,
            "is_advertising": item.is_advertising,
            "version": item.version,
        }

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values for the service, without the fields the chosen form does not use.

        Hidden fields keep whatever was typed before the form was switched; they are not sent,
        so the service's "this form does not use that field" rule only bites API callers.
        """
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("version", "is_advertising")}
        chosen = data.get("form")
        data["body_format"] = data.get("body_format") or BodyFormat.MARKDOWN
        if chosen != ContentForm.ARTICLE and data["body_format"] == BodyFormat.HTML:
            # Switched away from an article without the page's script: keep the words only.
            data["body"] = body_text(data.get("body") or "", BodyFormat.HTML)
            data["body_format"] = BodyFormat.MARKDOWN
        for field, forms_ in PAGE_FIELD_FORMS.items():
            if chosen not in forms_:
                data[field] = (
                    []
                    if field == "images"
                    else (None if field in ("video", "live_starts_at", "cover") else "")
                )
        return data


class VariantForm(BootstrapFormMixin, forms.Form):
    """Create or edit one account's variant of an item; platform fields depend on the account's platform."""

    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    digest = forms.CharField(
        label=_("Digest"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    body = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 10}))
    author = forms.CharField(label=_("Author"), max_length=50, required=False)
    hashtags = ListField(
        label=_("Hashtags"),
        required=False,
        widget=forms.TextInput,
        help_text=_("Separated by spaces or commas, with or without #."),
    )
    link_url = forms.URLField(label=_("Link"), max_length=500, required=False, assume_scheme="https")
    # Not "media": that name is the form's own CSS/JS declaration.
    assets = forms.TypedMultipleChoiceField(label=_("Media"), coerce=int, required=False)
    # 公众号
    need_open_comment = forms.BooleanField(label=_("Open comments"), required=False)
    only_fans_can_comment = forms.BooleanField(label=_("Only followers may comment"), required=False)
    content_source_url = forms.URLField(
        label=_("“Read more” link (原文链接)"), max_length=500, required=False, assume_scheme="https"
    )
    send_mode = forms.ChoiceField(
        label=_("How it goes out"),
        required=False,
        choices=[
            ("freepublish", _("Publish (发布, on the account's page)")),
            ("mass", _("Mass send (群发, pushed to followers)")),
        ],
        initial="freepublish",
    )
    tag_id = forms.IntegerField(
        label=_("Follower tag id (mass send)"),
        required=False,
        min_value=0,
        help_text=_("Empty: every follower. A tag id from the account's follower tags."),
    )
    account_type = forms.ChoiceField(
        label=_("Account type"),
        required=False,
        choices=[
            ("", "—"),
            ("subscription", _("Subscription account (订阅号)")),
            ("service", _("Service account (服务号)")),
        ],
        help_text=_(
            "For the mass-send quota: a subscription account once a day, a service account four times a month."
        ),
    )
    # 微博
    safe_domain = forms.CharField(
        label=_("App safe domain (安全域名)"),
        max_length=253,
        required=False,
        help_text=_("Weibo's share API needs a link to this domain in every post."),
    )
    # 视频号
    short_title = forms.CharField(
        label=_("Short title"),
        max_length=16,
        required=False,
        help_text=_("6–16 characters, shown on the card."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, platform: str, assets: list[MediaAsset], thumb_url: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.platform = platform
        for name in (
            "need_open_comment",
            "only_fans_can_comment",
            "content_source_url",
            "send_mode",
            "tag_id",
            "account_type",
            "safe_domain",
            "short_title",
        ):
            if name not in EXTRA_FIELDS.get(platform, {}):
                del self.fields[name]
        choices = [(a.pk, a.original_name) for a in assets]
        _set_choices(self, "assets", choices)
        thumbs = {str(a.pk): thumb_url(a) for a in assets if a.kind == MediaKind.IMAGE} if thumb_url else {}
        self.fields["assets"].widget = AssetCheckboxes(choices=choices, thumbs=thumbs)
        self.fields["assets"].widget.attrs["class"] = "form-check-input"
        if platform != Platform.WECHAT_MP:
            # Only 公众号 articles have a digest and an author line.
            del self.fields["digest"]
            del self.fields["author"]

    @staticmethod
    def initial_for(fields: dict[str, Any], version: int | None = None) -> dict[str, Any]:
        """Form initial values from a variant's (or a prefill's) fields."""
        initial = {k: v for k, v in fields.items() if k not in ("extra", "media")}
        initial["assets"] = [a.pk if hasattr(a, "pk") else a for a in fields.get("media", [])]
        initial.update(fields.get("extra") or {})
        initial["version"] = version
        return initial

    @staticmethod
    def fields_of(variant: ContentVariant, media: list[MediaAsset]) -> dict[str, Any]:
        return {
            "title": variant.title,
            "digest": variant.digest,
            "body": variant.body,
            "author": variant.author,
            "hashtags": variant.hashtags,
            "link_url": variant.link_url,
            "media": media,
            "extra": variant.extra,
        }

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["media"] = data.pop("assets", [])
        extra: dict[str, Any] = {}
        for name in EXTRA_FIELDS.get(self.platform, {}):
            value = data.pop(name, None)
            if value not in (None, ""):
                extra[name] = value
        data["extra"] = extra
        return data


class MultipleFileInput(forms.ClearableFileInput):
    """A file input that takes several files at once."""

    allow_multiple_selected = True


class AssetUploadForm(BootstrapFormMixin, forms.Form):
    """Upload one or more files to the media library (the view checks each file and names it in errors)."""

    upload = forms.FileField(
        label=_("Files"),
        required=False,
        widget=MultipleFileInput(
            attrs={"accept": "image/jpeg,image/png,image/gif,image/webp,video/mp4,video/quicktime"}
        ),
        help_text=_(
            "JPEG, PNG, GIF or WebP images up to 10 MB (100–8000 pixels a side); MP4 or MOV videos up to 200 MB."
        ),
    )
