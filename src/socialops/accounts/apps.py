from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Social accounts, their positioning and personas, and competitor accounts."""

    name = "socialops.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
