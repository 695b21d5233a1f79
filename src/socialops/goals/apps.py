from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GoalsConfig(AppConfig):
    """Daily metric snapshots, goals with progress and forecast, strategies and their effect."""

    name = "socialops.goals"
    label = "goals"
    verbose_name = _("Goals")
