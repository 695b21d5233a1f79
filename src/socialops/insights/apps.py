from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """Analyses across every app, recommendations fed back into the plan, scheduled reports."""

    name = "socialops.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        # Imported here, not at the top: tasks registers the Huey jobs.
        from . import tasks  # noqa: F401
