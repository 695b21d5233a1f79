from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformsConfig(AppConfig):
    """Connector interface, one client per platform, credentials, and the local sandbox platform."""

    name = "socialops.platforms"
    label = "platforms"
    verbose_name = _("Platforms")

    def ready(self) -> None:
        # Imported here: models must be loaded first.
        from . import retention

        retention.register_rules()
