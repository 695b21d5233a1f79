from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """Layout, login pages, health check and shared UI pieces."""

    name = "socialops.web"
    label = "web"
    verbose_name = _("Web")
