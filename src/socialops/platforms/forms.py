"""Forms: connecting an account to its platform, and marking a manual package posted."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from socialops.core.forms import BootstrapFormMixin

from .models import ConnectorKind

SECRET_HELP_SET = _("Stored encrypted. Leave blank to keep the saved one.")
SECRET_HELP_EMPTY = _("Stored encrypted; never shown again after saving.")


def _secret(label: Any) -> forms.CharField:
    # render_value=False: a stored secret never travels back to the browser.
    return forms.CharField(
        label=label,
        required=False,
        max_length=4000,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )


# What each platform expects in a secret field, added in this order after its stored/empty help text.
SECRET_HINTS: tuple[tuple[str, Any], ...] = (
    ("access_token", _("Sandbox: leave blank and the sandbox issues one.")),
    (
        "encoding_aes_key",
        _("Only for WeChat's message push in safe mode: the 43-character key from 服务器配置."),
    ),
    (
        "client_secret",
        _("Bluesky: an app password from Settings → App passwords, not your account password."),
    ),
    ("access_token", _("Telegram: the bot token from @BotFather.")),
    (
        "signing_secret",
        _(
            "Webhook: at least 16 characters; your receiver checks every request's signature with it. "
            "WeChat: the Token you entered in 服务器配置 (3–32 letters and digits)."
        ),
    ),
)


class ConnectionForm(BootstrapFormMixin, forms.Form):
    """Connector kind, server URL and credentials of one account (secrets masked after saving)."""

    kind = forms.ChoiceField(label=_("Connector"), choices=ConnectorKind.choices)
    base_url = forms.CharField(
        label=_("Server or webhook URL"),
        required=False,
        max_length=300,
    )
    access_token = _secret(_("Access token"))
    refresh_token = _secret(_("Refresh token"))
    client_id = forms.CharField(label=_("App ID (client id)"), required=False, max_length=300)
    client_secret = _secret(_("App secret (client secret)"))
    signing_secret = _secret(_("Webhook signing secret / WeChat push Token"))
    encoding_aes_key = _secret(_("WeChat EncodingAESKey"))
    account_id = forms.CharField(label=_("Platform account id"), required=False, max_length=100)

    def __init__(
        self, *args: Any, kinds: list[tuple[str, str]], secrets_set: dict[str, bool], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # Set here, not on the field, so it is in the language of the request.
        self.fields["base_url"].help_text = _(
            "Mastodon: your server, e.g. https://mastodon.social. Sandbox: %(url)s. "
            "Webhook: the URL that receives the posts. Manual: leave blank."
        ) % {"url": settings.SANDBOX_URL}
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = kinds
        self.fields["kind"].widget.attrs["data-connector-kind"] = "1"  # connection.js shows the kind's fields
        for name in ("access_token", "refresh_token", "client_secret", "signing_secret", "encoding_aes_key"):
            stored = secrets_set.get(name, False)
            self.fields[name].help_text = SECRET_HELP_SET if stored else SECRET_HELP_EMPTY
            if stored:
                self.fields[name].widget.attrs["placeholder"] = "••••••••"
        self.fields["client_id"].help_text = _(
            "Bluesky: your handle, e.g. name.bsky.social. Telegram: the channel, @name or its -100… id. "
            "WeChat: the AppID (开发 → 基本配置). Douyin: the app's client_key. Weibo: the App Key."
        )
        self.fields["account_id"].help_text = _(
            "Douyin: the open_id that came with the token. Weibo: the uid (optional; found on the first test)."
        )
        for name, hint in SECRET_HINTS:
            self.fields[name].help_text = f"{self.fields[name].help_text} {hint}"


class MarkPostedForm(BootstrapFormMixin, forms.Form):
    """The URL (and optionally the platform's id) of a post someone published by hand."""

    url = forms.CharField(label=_("Post URL"), max_length=500)
    external_id = forms.CharField(
        label=_("Platform post id"),
        required=False,
        max_length=128,
        help_text=_("Optional; taken from the URL when left blank."),
    )
