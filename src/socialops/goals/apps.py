from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GoalsConfig(AppConfig):
    """Daily metric snapshots, goals with progress and forecast, strategies and their effect."""

    name = "socialops.goals"
    label = "goals"
    verbose_name = _("Goals")

    def ready(self) -> None:
        # Imported here: receivers import models, which must wait until the app registry is ready.
        from . import receivers

        receivers.connect()
