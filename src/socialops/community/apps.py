from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    """Official communities: groups and members, sharing plans, events, member tickets, moderation."""

    name = "socialops.community"
    label = "community"
    verbose_name = _("Community")

    def ready(self) -> None:
        # Imported here, not at the top: models must be loaded first. receivers connects to
        # lower apps' hooks; tasks registers the Huey jobs.
        from . import receivers, retention, tasks  # noqa: F401

        retention.register_rules()
