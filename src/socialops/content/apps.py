from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    """Themes, content items and variants, media assets, the marketing calendar and the plan."""

    name = "socialops.content"
    label = "content"
    verbose_name = _("Content")
