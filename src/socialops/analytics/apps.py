from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    """Post-level history and metrics, import mappings, best time to post."""

    name = "socialops.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        # Imported here: receivers import models, which must wait until the app registry is ready.
        from . import receivers

        receivers.connect()
