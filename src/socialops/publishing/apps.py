from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    """The publishing engine: scheduled publications, attempts, reconciliation, the sweeper."""

    name = "socialops.publishing"
    label = "publishing"
    verbose_name = _("Publishing")

    def ready(self) -> None:
        from . import receivers  # noqa: F401
