from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    """The inbox: threads of fans' comments and messages, replies, saved replies, auto-replies, response targets."""

    name = "socialops.engagement"
    label = "engagement"
    verbose_name = _("Engagement")

    def ready(self) -> None:
        # Imported here, not at the top: models must be loaded first. receivers connects to the
        # fans app's interaction hook; tasks registers the Huey jobs.
        from . import receivers, retention, tasks  # noqa: F401

        retention.register_rules()
